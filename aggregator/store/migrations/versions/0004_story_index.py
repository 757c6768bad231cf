"""Story index: band rows keyed for lookup (key, day, article_id), facts and day on signatures.

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-29 10:00:00

The first form of story matching never wrote these two tables, so story_bands is recreated empty. Stories
grouped before this revision are kept; run `union-news reprocess --stories` once to index the stored articles
(until then new articles are only matched against each other; the stories command and the log say so).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("story_bands", schema=None) as batch_op:
        batch_op.drop_index("ix_story_bands_key")
        batch_op.drop_index(batch_op.f("ix_story_bands_article_id"))
    op.drop_table("story_bands")
    op.create_table(
        "story_bands",
        sa.Column("key", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("day", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("article_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("band", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "day", "article_id"),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("story_signatures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("day", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("facts", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("story_signatures", schema=None) as batch_op:
        batch_op.drop_column("facts")
        batch_op.drop_column("version")
        batch_op.drop_column("day")
    op.drop_table("story_bands")
    op.create_table(
        "story_bands",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("band", sa.Integer(), nullable=False),
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("story_bands", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_story_bands_article_id"), ["article_id"], unique=False)
        batch_op.create_index("ix_story_bands_key", ["band", "key"], unique=False)

"""Story index: publication day on band rows (anchor keys are looked up within a window), facts on signatures.

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-29 10:00:00

The first form of story matching never wrote these two tables, so nothing is lost. Stories grouped before this
revision are kept; run `union-news reprocess --stories` once to index the stored articles (new articles are
otherwise only matched against each other).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("story_bands", schema=None) as batch_op:
        batch_op.drop_index("ix_story_bands_key")
        batch_op.add_column(sa.Column("day", sa.Integer(), nullable=True))
        batch_op.create_index("ix_story_bands_key_day", ["key", "day"], unique=False)
    with op.batch_alter_table("story_signatures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("day", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("facts", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("story_signatures", schema=None) as batch_op:
        batch_op.drop_column("facts")
        batch_op.drop_column("version")
        batch_op.drop_column("day")
    with op.batch_alter_table("story_bands", schema=None) as batch_op:
        batch_op.drop_index("ix_story_bands_key_day")
        batch_op.drop_column("day")
        batch_op.create_index("ix_story_bands_key", ["band", "key"], unique=False)

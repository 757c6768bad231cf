"""Index articles by (source_id, content_hash): the same-source copy check on every crawled article.

Without it SQLite answers `source_id = ? AND content_hash = ?` through the source_id index, reading every
article of the source: a cost that grows with the store, paid for each article a crawl stores.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 19:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_articles_source_hash", "articles", ["source_id", "content_hash"])


def downgrade() -> None:
    op.drop_index("ix_articles_source_hash", table_name="articles")

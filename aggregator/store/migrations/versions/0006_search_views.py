"""Full-text search over titles and bodies (bigram index kept by triggers) and the analysts' views.

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-28 15:30:00
"""

from __future__ import annotations

from alembic import op

from aggregator.store.derived import create_search, create_views, drop_search, drop_views

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    create_search(connection)
    create_views(connection)


def downgrade() -> None:
    connection = op.get_bind()
    drop_views(connection)
    drop_search(connection)

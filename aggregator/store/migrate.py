"""Alembic migrations, applied programmatically so every command opens an up-to-date store."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return config


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision shipped with this version."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def upgrade_to_head(engine: Engine) -> None:
    """Apply every pending migration in one transaction per migration (a no-op when up to date)."""
    if current_revision(engine) == head_revision():
        return
    from aggregator.search import rebuild_index
    from aggregator.store.derived import ensure_triggers, has_search

    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        # A migration that rebuilds `articles` (Alembic's batch mode on SQLite copies the table) drops the
        # search index's triggers with it: put them back and re-index, in the same transaction.
        if has_search(connection):
            created = ensure_triggers(connection)
            if created:
                logger.warning("search index triggers %s were missing after the upgrade; re-indexing the articles",
                               ", ".join(created))
                rebuild_index(connection)

"""Alembic migrations, applied programmatically so every command opens an up-to-date store."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

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
    config = alembic_config(engine)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite's own procedure for migrations that rebuild a table (Alembic's batch mode): with foreign
            # keys on, dropping the old `articles` would cascade-delete every alias, label and signature; and
            # the rename of the new copy would fail on the views that name `articles`. Both are restored after.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.exec_driver_sql("PRAGMA legacy_alter_table=ON")
            connection.commit()
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                repair_search(connection)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"the upgrade would leave {len(broken)} broken references, e.g. "
                                           f"{broken[0]}; nothing was changed")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA legacy_alter_table=OFF")
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def repair_search(connection: Connection) -> list[str]:
    """Put back search-index triggers a migration dropped, and re-index; return the triggers created.

    A migration that rebuilds `articles` (Alembic's batch mode on SQLite copies the table, then drops the old
    one) drops the table's triggers with it, and writes made meanwhile bypassed the index.
    """
    from aggregator.search import rebuild_index
    from aggregator.store.derived import ensure_triggers, has_search

    if not has_search(connection):
        return []
    created = ensure_triggers(connection)
    if created:
        logger.warning("search index triggers %s were missing after the upgrade; re-indexing the articles",
                       ", ".join(created))
        rebuild_index(connection)
    return created

"""Migrations: 0006 indexes what was stored before it, downgrades cleanly, and survives later table rebuilds."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import Engine, inspect, text

from aggregator import search
from aggregator.store import open_store
from aggregator.store.derived import VIEWS, missing_triggers
from aggregator.store.migrate import MIGRATIONS_DIR, alembic_config, current_revision, head_revision
from aggregator.store.models import ArticleAlias
from tests._stores import add_article, add_source, any_db_url, pg_template, pg_url  # noqa: F401


def migrate_to(engine: Engine, revision: str, down: bool = False) -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def names(engine: Engine) -> set[str]:
    found = inspect(engine)
    return set(found.get_table_names()) | set(found.get_view_names())


def test_upgrade_indexes_articles_stored_before_it(any_db_url: str) -> None:
    store = open_store(any_db_url)
    migrate_to(store.engine, "0001", down=True)
    assert "articles_fts" not in names(store.engine)
    with store.session() as session:
        add_source(session, "a", "甲")
        first = add_article(session, "a", "户外劳动者驿站", "夏季送清凉").id
    store.close()
    store = open_store(any_db_url)  # applies 0006 on open
    assert current_revision(store.engine) == head_revision()
    with store.sessions() as session:
        assert [h.id for h in search.search(session, "驿站")] == [first]
        assert [h.id for h in search.search(session, "清凉")] == [first]
    store.close()


def test_downgrade_removes_index_and_views_and_upgrade_restores_them(any_db_url: str) -> None:
    store = open_store(any_db_url)
    assert {"articles_fts", *VIEWS} <= names(store.engine)
    migrate_to(store.engine, "0001", down=True)
    left = names(store.engine)
    assert "articles_fts" not in left and not (set(VIEWS) & left)
    with store.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            assert connection.execute(text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")).scalar() == 0
        else:
            assert connection.execute(text("SELECT count(*) FROM pg_proc WHERE proname LIKE 'un\\_%'")).scalar() == 0
    migrate_to(store.engine, "head")
    assert {"articles_fts", *VIEWS} <= names(store.engine)
    store.close()


def test_a_later_table_rebuild_keeps_rows_views_and_the_index(tmp_path: Path) -> None:
    """A future migration in Alembic's batch mode copies `articles` and drops the old table (SQLite)."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    store = open_store(url)
    with store.session() as session:
        add_source(session, "a", "甲")
        article = add_article(session, "a", "职工驿站开放", "正文")
        session.add(ArticleAlias(url="https://short.example/1", article_id=article.id))
    store.close()
    head = head_revision()
    extra = MIGRATIONS_DIR / "versions" / "9999_test_rebuild_articles.py"
    extra.write_text(
        f'revision = "9999"\ndown_revision = "{head}"\n'
        "import sqlalchemy as sa\nfrom alembic import op\n\n\n"
        "def upgrade():\n"
        '    with op.batch_alter_table("articles", recreate="always") as batch:\n'
        '        batch.add_column(sa.Column("lang", sa.String(8), nullable=True))\n\n\n'
        "def downgrade():\n    pass\n", encoding="utf-8")
    try:
        store = open_store(url)
        with store.engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert missing_triggers(connection) == []
            # Dropping the old table did not cascade into the aliases, and the views still read `articles`.
            assert connection.execute(text("SELECT count(*) FROM article_aliases")).scalar() == 1
            assert connection.execute(text("SELECT count(*) FROM v_article_weeks")).scalar() == 1
        with store.session() as session:
            add_article(session, "a", "新的驿站文章", "正文")
        with store.sessions() as session:
            assert len(search.search(session, "驿站")) == 2
        store.close()
    finally:
        extra.unlink()
        cache = MIGRATIONS_DIR / "versions" / "__pycache__"
        for compiled in cache.glob("9999_test_rebuild_articles*"):
            compiled.unlink()

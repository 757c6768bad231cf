"""`union-news db check / reindex / backup`."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import text

from aggregator.cli import main
from aggregator.store import open_store
from tests._stores import add_article, add_source, any_db_url, pg_template, pg_url  # noqa: F401


def invoke(*args: str) -> object:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_check_finds_an_index_out_of_sync_and_reindex_repairs_it(any_db_url: str) -> None:
    store = open_store(any_db_url)
    with store.session() as session:
        add_source(session, "a", "甲")
        add_article(session, "a", "职工驿站", "正文")
    assert invoke("db", "check", "--db", any_db_url).exit_code == 0
    with store.engine.begin() as connection:  # a write that bypassed the index (trigger gone)
        connection.execute(text("DROP TRIGGER articles_fts_ai" + ("" if connection.dialect.name == "sqlite" else " ON articles")))
        connection.execute(text(
            "INSERT INTO articles (url, source_id, title, fetched_at, published_precise, body_text, body_html, summary, "
            "images, page_type, status, needs_review, extra) VALUES ('https://e/2', 'a', '驿站', '2025-07-21 01:00:00', "
            "false, '', '', '', '[]', 'article', 'ok', false, '{}')"))
    store.close()
    result = invoke("db", "check", "--db", any_db_url)
    assert result.exit_code == 1 and "reindex" in result.stderr
    assert "articles_fts_ai" in result.stderr
    result = invoke("db", "reindex", "--db", any_db_url)
    assert result.exit_code == 0 and "indexed 2 articles" in result.stdout
    assert invoke("db", "check", "--db", any_db_url).exit_code == 0
    store = open_store(any_db_url)
    with store.session() as session:  # the trigger is back: new articles are indexed again
        add_article(session, "a", "又一个驿站", "正文")
    store.close()
    assert invoke("search", "--db", any_db_url, "驿站", "--format", "csv").stdout.count("驿站") == 3


def test_backup_copies_a_sqlite_store_that_is_in_use(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    store = open_store(url)
    with store.session() as session:
        add_source(session, "a", "甲")
        add_article(session, "a", "职工驿站", "正文")
    reader = store.engine.connect()  # an open connection (a crawl, an analyst) does not stop the backup
    reader.execute(text("SELECT count(*) FROM articles")).scalar()
    result = invoke("db", "backup", "--db", url, str(tmp_path / "copy.db"))
    reader.close()
    store.close()
    assert result.exit_code == 0 and "integrity ok" in result.stdout
    assert invoke("search", "--db", str(tmp_path / "copy.db"), "驿站").exit_code == 0
    again = invoke("db", "backup", "--db", url, str(tmp_path / "copy.db"))
    assert again.exit_code == 2 and "exists" in again.stderr


def test_backup_of_postgres_points_at_pg_dump(pg_url: str, tmp_path: Path) -> None:
    result = invoke("db", "backup", "--db", pg_url, str(tmp_path / "x.db"))
    assert result.exit_code == 2 and "pg_dump" in result.stderr

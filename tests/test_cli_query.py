"""`union-news query` (read-only SQL, refused writes) and `union-news search`, through click's CliRunner."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from aggregator.cli import main
from aggregator.store import open_store
from tests._stores import add_article, add_source, any_db_url, pg_template, pg_url  # noqa: F401


@pytest.fixture
def db(any_db_url: str) -> str:
    """A store with three articles, on SQLite and on PostgreSQL."""
    store = open_store(any_db_url)
    with store.session() as session:
        add_source(session, "jsgh", "江苏工会网", "江苏")
        add_article(session, "jsgh", "昆山职工驿站开放", "户外劳动者可以歇脚。", days=0, region="江苏")
        add_article(session, "jsgh", "工会送清凉", "100%覆盖环卫工人。", days=1, region="江苏", section="工作动态")
        add_article(session, "jsgh", "天气", "雷阵雨", days=2, section="none", region="江苏")
    store.close()
    return any_db_url


def invoke(*args: str) -> object:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def count_articles(db: str) -> int:
    store = open_store(db)
    with store.engine.connect() as connection:
        value = int(connection.execute(text("SELECT count(*) FROM articles")).scalar_one())
    store.close()
    return value


def test_query_prints_a_table(db: str) -> None:
    result = invoke("query", "--db", db, "SELECT section, articles FROM v_articles_by_week_section ORDER BY section")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["section", "articles"]
    assert [line.split() for line in lines[2:]] == [["none", "1"], ["工作动态", "1"], ["维权服务", "1"]]
    assert "3 row(s)" in result.stderr


def test_query_json_and_csv(db: str) -> None:
    sql = "SELECT title, body_text FROM articles WHERE body_text LIKE '%100%%' ORDER BY id"
    result = invoke("query", "--db", db, "--format", "json", sql)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"title": "工会送清凉", "body_text": "100%覆盖环卫工人。"}]
    result = invoke("query", "--db", db, "--format", "csv", "SELECT id, title FROM articles ORDER BY id")
    assert list(csv.reader(io.StringIO(result.stdout))) == [["id", "title"], ["1", "昆山职工驿站开放"], ["2", "工会送清凉"],
                                                           ["3", "天气"]]


def test_query_limit_says_when_rows_were_left_out(db: str) -> None:
    result = invoke("query", "--db", db, "--limit", "2", "SELECT id FROM articles ORDER BY id")
    assert [line.strip() for line in result.stdout.splitlines()[2:]] == ["1", "2"]
    assert "first 2" in result.stderr


WRITES = [
    "DELETE FROM articles",
    "UPDATE articles SET title = 'x'",
    "INSERT INTO sources (id, name, kind, family, authority, enabled, verified, config, consecutive_failures, "
    "consecutive_empty) VALUES ('z', 'z', 'site', 'generic', 1, true, true, '{}', 0, 0)",
    "CREATE TABLE scratch (a integer)",
    "DROP VIEW v_source_activity",
]


@pytest.mark.parametrize("sql", WRITES)
def test_writes_are_refused_by_the_database(db: str, sql: str) -> None:
    result = invoke("query", "--db", db, sql)
    assert result.exit_code == 2, result.output
    assert "refused" in result.stderr and "only reads" in result.stderr
    assert count_articles(db) == 3
    assert invoke("query", "--db", db, "SELECT count(*) AS n FROM v_source_activity").exit_code == 0


def test_several_statements_cannot_smuggle_a_write(db: str) -> None:
    result = invoke("query", "--db", db, "COMMIT; DELETE FROM articles")
    assert result.exit_code != 0
    assert count_articles(db) == 3


def test_sqlite_attach_is_refused(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    open_store(db).close()
    result = invoke("query", "--db", db, f"ATTACH DATABASE '{tmp_path / 'other.db'}' AS other")
    assert result.exit_code == 2
    assert not (tmp_path / "other.db").exists()
    result = invoke("query", "--db", db, "PRAGMA query_only = 0")
    assert result.exit_code == 0  # allowed, but the file itself is still opened read-only:
    assert invoke("query", "--db", db, "DELETE FROM sources").exit_code == 2


def test_bad_sql_says_what_failed(db: str) -> None:
    result = invoke("query", "--db", db, "SELECT nope FROM articles")
    assert result.exit_code == 1
    assert "the query failed" in result.stderr and "nope" in result.stderr


def test_search_command_table_json_csv(db: str) -> None:
    result = invoke("search", "--db", db, "驿站")
    assert result.exit_code == 0, result.output
    assert "昆山职工驿站开放" in result.stdout and "1 result(s)" in result.stderr
    hits = json.loads(invoke("search", "--db", db, "工会 OR 驿站", "--format", "json").stdout)
    assert [h["title"] for h in hits] == ["工会送清凉", "昆山职工驿站开放"]
    assert hits[0]["published_at"] == "2025-07-22T09:00+08:00" and hits[0]["url"].startswith("https://")
    rows = list(csv.DictReader(io.StringIO(invoke("search", "--db", db, "驿站", "--format", "csv").stdout)))
    assert [r["title"] for r in rows] == ["昆山职工驿站开放"]


def test_search_command_filters(db: str) -> None:
    def titles(*args: str) -> list[str]:
        result = invoke("search", "--db", db, *args, "--format", "json")
        return [h["title"] for h in json.loads(result.stdout)] if result.exit_code == 0 else []

    assert titles("工会 OR 驿站 OR 雷阵雨", "--section", "工作动态") == ["工会送清凉"]
    assert titles("工会 OR 驿站 OR 雷阵雨", "--until", "2025-07-21") == ["昆山职工驿站开放"]
    assert titles("工会 OR 驿站 OR 雷阵雨", "--since", "2025-07-23") == ["天气"]
    assert titles("工会 OR 驿站 OR 雷阵雨", "--source", "nobody") == []
    assert titles("工会 OR 驿站 OR 雷阵雨", "--region", "江苏", "--limit", "1") == ["天气"]


def test_search_command_nothing_found_and_bad_input(db: str) -> None:
    assert invoke("search", "--db", db, "劳模").exit_code == 1
    result = invoke("search", "--db", db, "，。")
    assert result.exit_code == 2 and "no word to search for" in result.stderr
    result = invoke("search", "--db", db, "驿站", "--since", "July")
    assert result.exit_code == 2 and "--since" in result.stderr

"""docs/schema.md documents every table, view and column; the Datasette metadata comes from it and opens the store."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import inspect

from aggregator.search import register_sqlite_functions, search
from aggregator.store import open_store
from aggregator.store.derived import VIEWS
from aggregator.store.schemadoc import CANNED_QUERIES, DATABASE, METADATA, datasette_metadata, parse_schema_doc, render
from tests._stores import any_db_url, pg_template, pg_url  # noqa: F401


def store_columns(url: str) -> dict[str, set[str]]:
    store = open_store(url)
    found = inspect(store.engine)
    names = found.get_table_names() + found.get_view_names()
    columns = {name: {c["name"] for c in found.get_columns(name)} for name in names
               if not (name.startswith("articles_fts_") and url.startswith("sqlite"))}  # FTS5's own shadow tables
    store.close()
    return columns


def test_every_table_view_and_column_is_documented(any_db_url: str) -> None:
    doc = parse_schema_doc()
    columns = store_columns(any_db_url)
    assert set(VIEWS) <= set(columns)
    undocumented = {name: sorted(cols - set(doc.get(name, {}).get("columns", {}))) for name, cols in columns.items()}
    undocumented = {name: cols for name, cols in undocumented.items() if cols}
    assert not undocumented, f"document these in docs/schema.md (then run python -m aggregator.store.schemadoc): {undocumented}"
    assert all(doc[name]["description"] for name in columns), "every table and view needs a description"


def test_the_doc_names_nothing_that_does_not_exist(tmp_path: Path) -> None:
    doc = parse_schema_doc()
    columns = store_columns(f"sqlite:///{tmp_path / 'store.db'}")
    pg_only = {"articles_fts": {"article_id", "sort_at", "vector"}}  # the PostgreSQL form of the index (checked above there)
    for name, info in doc.items():
        assert name in columns, f"docs/schema.md describes {name}, which the store does not have"
        extra = set(info["columns"]) - columns[name] - pg_only.get(name, set())
        assert not extra, f"docs/schema.md describes {name}.{sorted(extra)}, which do not exist"


def test_datasette_metadata_is_generated_from_the_doc() -> None:
    assert METADATA.read_text(encoding="utf-8") == render(datasette_metadata()), \
        "data/datasette/metadata.yml is stale: run python -m aggregator.store.schemadoc"
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    tables = metadata["databases"][DATABASE]["tables"]
    assert tables["articles"]["columns"]["body_text"].startswith("Plain text of the article")
    assert tables["articles_fts"]["hidden"] is True


@pytest.mark.parametrize("name", sorted(CANNED_QUERIES))
def test_canned_queries_run_on_a_store(tmp_path: Path, name: str) -> None:
    path = tmp_path / "union_news.db"
    open_store(f"sqlite:///{path}").close()
    connection = sqlite3.connect(path)
    register_sqlite_functions(connection)
    sql = CANNED_QUERIES[name]["sql"]
    params = {"q": "驿站", "week": "2025-W30"}
    connection.execute(sql, {k: v for k, v in params.items() if f":{k}" in sql}).fetchall()
    connection.close()


def get(datasette: Any, path: str) -> Any:
    async def fetch() -> Any:
        await datasette.invoke_startup()
        return await datasette.client.get(path)

    return asyncio.run(fetch())


def test_datasette_opens_the_demo_store(demo_out: Path, tmp_path: Path) -> None:
    datasette_app = pytest.importorskip("datasette.app")  # installed with the test extra
    copy = tmp_path / "union_news.db"  # Datasette names the database after the file: union_news
    shutil.copy(demo_out / "union_news.db", copy)
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    ds = datasette_app.Datasette(files=[str(copy)], metadata=metadata)
    response = get(ds, "/union_news/articles.json?_shape=array&_size=5")
    assert response.status_code == 200 and len(response.json()) == 5
    assert ds.metadata("description", database="union_news", table="articles").startswith("One article at its canonical URL")
    # The canned search query works through the union-news plugin's un_fts_query().
    hits = get(ds, "/union_news/search.json?_shape=array&q=%E9%A9%BF%E7%AB%99").json()  # 驿站
    store = open_store(f"sqlite:///{copy}")
    with store.sessions() as session:
        expected = [hit.id for hit in search(session, "驿站", limit=100)]
    store.close()
    assert [hit["id"] for hit in hits] == expected and len(expected) >= 3
    weeks = get(ds, "/union_news/week_sections.json?_shape=array&week=2025-W30").json()
    assert {row["section"] for row in weeks} >= {"工作动态", "维权服务"}
    assert get(ds, "/union_news/v_source_activity.json?_shape=array").status_code == 200

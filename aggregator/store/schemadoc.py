"""docs/schema.md is the one description of the store; this reads it and writes Datasette's metadata from it.

    python -m aggregator.store.schemadoc        # rewrite data/datasette/metadata.yml from docs/schema.md

Tests check that the metadata file is up to date and that both name only real tables and columns.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from aggregator.settings import PROJECT_ROOT

SCHEMA_DOC = PROJECT_ROOT / "docs" / "schema.md"
METADATA = PROJECT_ROOT / "data" / "datasette" / "metadata.yml"
DATABASE = "union_news"  # Datasette names a database after its file: union_news.db

_HEADING = re.compile(r"^### `(\w+)`\s*$")
_ROW = re.compile(r"^\| `(\w+)` \| [^|]+ \| (.+) \|\s*$")

CANNED_QUERIES: dict[str, dict[str, Any]] = {
    "search": {
        "title": "Full-text search (newest first)",
        "description": "Chinese words or phrases in titles and bodies: 驿站, 职工驿站, 送清凉 高温 (both), "
                       "外卖 OR 快递. Needs union-news installed next to Datasette (its plugin provides un_fts_query).",
        "sql": "SELECT a.id, substr(a.published_at, 1, 16) AS published_utc, a.section, a.region, a.source_id, a.title, a.url\n"
               "FROM articles_fts f JOIN articles a ON a.id = (f.rowid & 4294967295)\n"
               "WHERE articles_fts MATCH un_fts_query(:q)\nORDER BY f.rowid DESC LIMIT 100",
    },
    "week_sections": {
        "title": "A week's articles by section",
        "description": "ISO week in Asia/Shanghai, e.g. 2025-W30.",
        "sql": "SELECT section, articles, stories FROM v_articles_by_week_section WHERE week = :week "
               "ORDER BY articles DESC",
    },
    "week_provinces": {
        "title": "A week's articles by province",
        "sql": "SELECT province, articles, stories, outlets FROM v_articles_by_week_province WHERE week = :week "
               "ORDER BY articles DESC",
    },
    "sources_needing_attention": {
        "title": "Sources that need attention",
        "description": "Enabled sources whose last runs failed, or whose layout may have changed.",
        "sql": "SELECT source_id, name, consecutive_failures, last_run_status, last_run_message, layout_warning, "
               "last_success\nFROM v_source_activity WHERE enabled AND (consecutive_failures > 0 OR layout_warning "
               "IS NOT NULL)\nORDER BY consecutive_failures DESC",
    },
    "recent_runs": {
        "title": "The last crawl runs",
        "sql": "SELECT id, started_at, finished_at, status, exit_code, command,\n"
               "json_extract(report, '$.totals.new') AS new_articles, json_extract(report, '$.totals.errors') AS errors\n"
               "FROM crawl_runs ORDER BY id DESC LIMIT 30",
    },
    "biggest_stories": {
        "title": "Most widely carried stories",
        "sql": "SELECT story_id, outlets, articles, title, section, first_published FROM v_story_sizes "
               "ORDER BY outlets DESC, articles DESC LIMIT 50",
    },
}


def parse_schema_doc(path: Path = SCHEMA_DOC) -> dict[str, dict[str, Any]]:
    """{table or view: {"description": first paragraph, "columns": {column: description}}} from docs/schema.md."""
    out: dict[str, dict[str, Any]] = {}
    current: dict[str, Any] | None = None
    paragraph: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        heading = _HEADING.match(line)
        if heading:
            current = out.setdefault(heading.group(1), {"description": "", "columns": {}})
            paragraph = []
            continue
        if line.startswith("## "):
            current = None
            continue
        if current is None:
            continue
        row = _ROW.match(line)
        if row:
            current["columns"].setdefault(row.group(1), _plain(row.group(2)))
        elif line.strip() and not line.startswith("|") and not current["description"]:
            paragraph.append(line.strip())
        elif paragraph and not current["description"]:
            current["description"] = _plain(" ".join(paragraph))
    return out


def _plain(markdown: str) -> str:
    return re.sub(r"`([^`]*)`", r"\1", markdown).replace("**", "").strip()


def datasette_metadata(doc: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Datasette metadata: the store's tables, views and columns described, canned queries, FTS hidden."""
    doc = doc or parse_schema_doc()
    tables: dict[str, Any] = {}
    for name, info in doc.items():
        entry: dict[str, Any] = {"description": info["description"]}
        if info["columns"]:
            entry["columns"] = dict(info["columns"])
        if name == "articles":
            entry["facets"] = ["section", "region", "source_id", "status"]
            entry["sort_desc"] = "published_at"
        if name == "articles_fts":
            entry["hidden"] = True
        tables[name] = entry
    return {
        "title": "union-news store",
        "description": "Chinese trade-union news collected by union-news; times are stored in UTC. "
                       "Tables and views are described in docs/schema.md.",
        "databases": {DATABASE: {"tables": tables, "queries": CANNED_QUERIES}},
    }


def render(metadata: dict[str, Any]) -> str:
    """The metadata as YAML, with a header saying where it comes from."""
    import yaml

    header = "# Generated from docs/schema.md by `python -m aggregator.store.schemadoc`: edit the doc, then rerun.\n"
    return header + yaml.safe_dump(metadata, allow_unicode=True, sort_keys=False, width=110)


def main() -> None:
    """Rewrite data/datasette/metadata.yml."""
    METADATA.parent.mkdir(parents=True, exist_ok=True)
    METADATA.write_text(render(datasette_metadata()), encoding="utf-8")
    print(f"wrote {METADATA}", file=sys.stderr)


if __name__ == "__main__":
    main()

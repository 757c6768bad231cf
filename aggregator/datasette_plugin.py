"""Datasette plugin (loaded when union-news is installed next to Datasette): the search functions in SQL.

Registers `un_fts_query(words)` and `un_search_text(text)` on every connection, so the canned search query
in data/datasette/metadata.yml, and analysts' own queries, can use the bigram index.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl

from aggregator.search import register_sqlite_functions


@hookimpl
def prepare_connection(conn: Any) -> None:
    """Add union-news' SQL functions to a Datasette connection."""
    register_sqlite_functions(conn)

"""Printing rows as a table, JSON or CSV (search, query)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import click

from aggregator.cli.common import echo_table

FORMATS = ("table", "json", "csv")


def plain(value: Any) -> Any:
    """A JSON- and CSV-friendly form of a database value."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(bytes(value))} bytes>"
    return value


def emit(rows: list[dict[str, Any]], columns: list[str], fmt: str, table_width: int = 60) -> None:
    """Print rows in the chosen format (table cells are cut to `table_width` characters)."""
    if fmt == "json":
        click.echo(json.dumps([{c: plain(r.get(c)) for c in columns} for r in rows], ensure_ascii=False, indent=2))
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else plain(row.get(c)) for c in columns])
        click.echo(buffer.getvalue(), nl=False)
    else:
        def cut(value: Any) -> Any:
            text = str(plain(value)).replace("\n", " ") if value is not None else None
            return text[: table_width - 1] + "…" if text and len(text) > table_width else text

        echo_table([{c: cut(r.get(c)) for c in columns} for r in rows], columns)

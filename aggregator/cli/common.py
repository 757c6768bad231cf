"""Options and helpers shared by the commands."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from aggregator.runs import EXIT_CONFIG, EXIT_LOCKED
from aggregator.sources import RegistryError
from aggregator.store import StoreError

F = TypeVar("F", bound=Callable[..., Any])


def db_option(func: F) -> F:
    """--db: a file path or a SQLAlchemy URL (else $UNION_NEWS_DB, else the default file)."""
    return click.option("--db", metavar="PATH|URL", envvar="UNION_NEWS_DB", show_envvar=True,
                        help="The store: a SQLite file path or any SQLAlchemy URL. "
                             "Default: ~/.local/share/union-news/union_news.db")(func)


def sources_option(func: F) -> F:
    """--sources: the registry file."""
    return click.option("--sources", "sources_path", metavar="FILE", envvar="UNION_NEWS_SOURCES", show_envvar=True,
                        help="Source registry (TOML). Default: data/sources.toml")(func)


class ConfigError(click.ClickException):
    """A configuration problem: exit code 2, a message that says what to fix."""

    exit_code = EXIT_CONFIG

    def show(self, file: Any = None) -> None:
        click.echo(f"union-news: configuration error: {self.format_message()}", err=True)


class LockedExit(click.ClickException):
    """Another run holds the store's lock: exit code 4, nothing done."""

    exit_code = EXIT_LOCKED

    def show(self, file: Any = None) -> None:
        click.echo(f"union-news: {self.format_message()}", err=True)


def config_errors(func: F) -> F:
    """Turn registry and store errors into exit code 2 (and a held run lock into 4) with their message."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from aggregator.lock import LockedError

        try:
            return func(*args, **kwargs)
        except (RegistryError, StoreError) as exc:
            raise ConfigError(str(exc)) from None
        except LockedError as exc:
            raise LockedExit(str(exc)) from None

    return wrapper  # type: ignore[return-value]


def echo_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    """Print rows as an aligned plain-text table (wide characters counted as two columns)."""
    import unicodedata

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    cells = [[str(row.get(c, "")) if row.get(c) is not None else "" for c in columns] for row in rows]
    widths = [max([width(c)] + [width(r[i]) for r in cells]) for i, c in enumerate(columns)]
    line = "  ".join(c + " " * (widths[i] - width(c)) for i, c in enumerate(columns))
    click.echo(line.rstrip())
    click.echo("  ".join("-" * w for w in widths))
    for r in cells:
        click.echo("  ".join(v + " " * (widths[i] - width(v)) for i, v in enumerate(r)).rstrip())


def is_terminal() -> bool:
    """True when stderr is a terminal (progress bars), False under cron (plain log lines)."""
    return sys.stderr.isatty()

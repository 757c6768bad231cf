"""Logging of long runs: a rotating log file, and on stderr either rich output (terminal) or plain lines (cron)."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

from rich.console import Console
from rich.logging import RichHandler

FILE_FORMAT = "%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s"
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


# Loggers whose INFO lines are for the log file only: Scrapy's stats dump and component lists, Alembic's
# per-connection chatter. Their warnings still reach stderr.
FILE_ONLY_INFO = ("scrapy.statscollectors", "scrapy.utils.log", "scrapy.middleware", "scrapy.addons", "scrapy.crawler",
                  "scrapy.extensions", "alembic.runtime.migration", "alembic.runtime.plugins")


class ConsoleFilter(logging.Filter):
    """Keep stderr readable: drop the file-only INFO lines (but not Alembic's "Running upgrade")."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING or not record.name.startswith(FILE_ONLY_INFO):
            return True
        return record.name.startswith("alembic") and record.getMessage().startswith("Running upgrade")


def setup_logging(log_file: Path | None, *, verbose: int = 0, terminal: bool | None = None,
                  max_bytes: int = 10_000_000, backups: int = 5, console: Console | None = None) -> Console | None:
    """Replace the root handlers: a rotating file (INFO, or DEBUG with -vv) and stderr.

    On a terminal stderr shows warnings (INFO with -v) through rich, so they print above the live progress
    table; elsewhere it gets plain INFO lines, which is what cron mails or a journal keeps. Returns the rich
    console on a terminal (for the progress table), else None.
    """
    terminal = sys.stderr.isatty() if terminal is None else terminal
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    root.setLevel(logging.DEBUG if verbose >= 2 else logging.INFO)
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=max_bytes, backupCount=backups,
                                                            encoding="utf-8")
        file_handler.setFormatter(logging.Formatter(FILE_FORMAT))
        file_handler.setLevel(logging.DEBUG if verbose >= 2 else logging.INFO)
        root.addHandler(file_handler)
    if terminal:
        console = console or Console(stderr=True)
        rich_handler = RichHandler(console=console, show_path=False, rich_tracebacks=False, markup=False)
        rich_handler.setLevel(logging.INFO if verbose else logging.WARNING)
        rich_handler.addFilter(ConsoleFilter())
        root.addHandler(rich_handler)
        return console
    stream = logging.StreamHandler(sys.stderr)
    stream.setFormatter(logging.Formatter(PLAIN_FORMAT))
    stream.setLevel(logging.DEBUG if verbose >= 2 else logging.INFO)
    if verbose < 2:
        stream.addFilter(ConsoleFilter())
    root.addHandler(stream)
    return None

"""The `union-news` command line: thin over the library; every command has --help and cron-friendly exit codes."""

from __future__ import annotations

import logging

import click

from aggregator import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="union-news")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def main(verbose: int) -> None:
    """union-news: Chinese trade-union news, collected and published as a weekly digest (一周速览).

    \b
    Quick start:
      union-news demo                 crawl the bundled sample offline, write out/demo/
      union-news crawl                crawl every enabled source into the store
      union-news digest --week 2025-W30 --out site/
      union-news publish --out site/  every week's page, Markdown and the feeds
      union-news run --out site/      crawl, then publish: the job for cron (docs/operations.md)
      union-news search 驿站          Chinese full-text search; `query "SQL"` for read-only SQL

    Exit codes: 0 ok; 1 some sources failed; 2 configuration error; 3 nothing could be crawled;
    4 another run holds the store's lock.
    """
    level = max(logging.WARNING - 10 * verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.setLevel(level)
    from aggregator.settings import CONFIG_ERRORS

    if CONFIG_ERRORS:
        from aggregator.cli.common import ConfigError

        raise ConfigError("; ".join(CONFIG_ERRORS))


def _register_commands() -> None:
    """Import every module of this package: each defines its commands on `main` (one module per area)."""
    import importlib
    import pkgutil

    for module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        if module != "common" and not module.startswith("_"):
            importlib.import_module(f"{__name__}.{module}")


_register_commands()

__all__ = ["main"]

"""sources: list and validate the registry."""

from __future__ import annotations

import click

from aggregator.cli import main
from aggregator.cli.common import config_errors, echo_table, sources_option


@main.group()
def sources() -> None:
    """Inspect the source registry (data/sources.toml)."""


@sources.command("list")
@sources_option
@click.option("--all", "show_all", is_flag=True, help="Include disabled sources.")
@config_errors
def list_sources(sources_path: str | None, show_all: bool) -> None:
    """List the sources: id, name, family, region, whether verified.

    Example: union-news sources list --all
    """
    from aggregator.settings import UNION_NEWS_SOURCES
    from aggregator.sources import load_registry

    registry = load_registry(sources_path or UNION_NEWS_SOURCES)
    rows = [{"id": s.id, "name": s.name, "kind": s.kind, "family": s.family, "region": s.region or "",
             "enabled": "yes" if s.enabled else "no", "verified": "yes" if s.verified else "no"}
            for s in registry.sources.values() if show_all or s.enabled]
    echo_table(rows, ["id", "name", "kind", "family", "region", "enabled", "verified"])


@sources.command("validate")
@sources_option
@config_errors
def validate(sources_path: str | None) -> None:
    """Check the registry; exit 2 with the file, source and key of the first problem.

    Example: union-news sources validate --sources my_sources.toml
    """
    from aggregator.settings import UNION_NEWS_SOURCES
    from aggregator.sources import load_registry

    registry = load_registry(sources_path or UNION_NEWS_SOURCES)
    click.echo(f"{registry.path}: {len(registry.sources)} sources, all valid")

"""sources: list, validate and check the registry's sources (health from the store, or a live fetch)."""

from __future__ import annotations

import json
import sys

import click

from aggregator.cli import main
from aggregator.cli.common import config_errors, db_option, echo_table, sources_option


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


def _when(value: object) -> str:
    from datetime import datetime

    from aggregator.dates import SHANGHAI

    if not isinstance(value, datetime):
        return "never"
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


@sources.command("check")
@db_option
@sources_option
@click.option("--live", "live_id", metavar="ID",
              help="Fetch one list page and one article of source ID from the real site and print what was extracted.")
@click.option("--all", "show_all", is_flag=True, help="Include disabled sources.")
@click.option("--max-failures", type=int, default=2, show_default=True,
              help="Consecutive failed or blocked runs before a source needs attention.")
@click.option("--max-empty", type=int, default=7, show_default=True,
              help="Consecutive runs without a new article before a source needs attention.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@config_errors
def check(db: str | None, sources_path: str | None, live_id: str | None, show_all: bool, max_failures: int,
          max_empty: int, as_json: bool) -> None:
    """Each source's health from the store, or (--live ID) a live fetch of one source.

    Prints per source: the last run's verdict, the last success, articles published in the last 7 days,
    consecutive failed and zero-yield runs, and layout warnings (list pages without article links, article
    pages with empty bodies). Exit code 1 when an enabled source needs attention, 0 otherwise.

    With --live ID: fetches the first list page and its first article through the crawl's own settings
    (User-Agent, robots.txt, block detection; nothing is stored) and prints the links and the extracted
    fields. Exit code 1 when something is missing. Use it before enabling or verifying a source.

    \b
    Examples:
      union-news sources check
      union-news sources check --live jsgh
    """
    from aggregator.settings import UNION_NEWS_SOURCES
    from aggregator.sources import load_registry

    registry = load_registry(sources_path or UNION_NEWS_SOURCES)
    if live_id:
        _check_live(registry, live_id, as_json)
        return
    from aggregator.clock import crawl_now
    from aggregator.health import registry_health
    from aggregator.store import open_store

    store = open_store(db)
    with store.sessions() as session:
        figures = registry_health(session, registry, crawl_now(), include_disabled=show_all,
                                  max_failures=max_failures, max_empty=max_empty)
    store.close()
    needs = [h for h in figures if h.attention]
    if as_json:
        click.echo(json.dumps([h.to_json() for h in figures], ensure_ascii=False, indent=2))
    else:
        rows = []
        for h in figures:
            last = h.last_run
            rows.append({"id": h.source_id, "family": h.family,
                         "last run": (last.status if last else "never") + ("" if h.enabled else " (disabled)"),
                         "last success": _when(h.last_success_at), "7 days": h.articles_7d,
                         "failed runs": h.failed_streak, "empty runs": h.empty_streak,
                         "flags": "CHECK" if h.attention else ("layout?" if h.warnings else "")})
        echo_table(rows, ["id", "family", "last run", "last success", "7 days", "failed runs", "empty runs", "flags"])
        for h in needs:
            for reason in h.attention:
                click.echo(f"  {h.source_id}: {reason}")
        never = [h.source_id for h in figures if h.enabled and not h.runs]
        if never:
            click.echo(f"never crawled: {', '.join(never)}")
        click.echo(f"{len(figures)} sources, {len(needs)} need attention")
    if needs:
        sys.exit(1)


def _check_live(registry: object, source_id: str, as_json: bool) -> None:
    from aggregator.crawl.check import run_live_check
    from aggregator.sources import RegistryError

    sources_by_id = registry.sources  # type: ignore[attr-defined]
    if source_id not in sources_by_id:
        raise RegistryError(f"{registry.path}: unknown source id {source_id!r} "  # type: ignore[attr-defined]
                            "(see `union-news sources list --all`)")
    source = sources_by_id[source_id]
    if source.kind != "site":
        raise RegistryError(f"{registry.path}: source {source_id!r} is a {source.kind} source; --live checks websites")
    report = run_live_check(source, LOG_LEVEL="ERROR")
    record = report.record
    if as_json:
        data = {"source": source_id, "ok": report.ok, "list_url": report.list_url, "list_status": report.list_status,
                "list_encoding": report.list_encoding, "tried": report.tried,
                "links": [{"url": e.url, "title": e.title, "date": e.date_raw} for e in report.entries],
                "next_pages": report.next_urls, "article_url": report.article_url,
                "article_status": report.article_status, "article_encoding": report.article_encoding,
                "problems": report.problems}
        if record is not None:
            data["article"] = {"title": record.title, "published": record.published_at.isoformat() if record.published_at else None,
                               "author": record.author, "source": record.origin, "status": record.status,
                               "body_chars": len(record.body_text), "body_start": record.body_text[:300]}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(f"{source_id} ({source.name}, family {source.family}){'' if source.enabled else ' [disabled]'}")
        click.echo(f"list page: {report.list_url or '-'}  HTTP {report.list_status or '-'}  encoding {report.list_encoding or '-'}")
        click.echo(f"article links: {len(report.entries)}; further list pages: {len(report.next_urls)}")
        for entry in report.entries[:8]:
            click.echo(f"  {entry.date_raw or '          '}  {entry.title or '(no title)'}  {entry.url}")
        if report.article_url:
            click.echo(f"article: {report.article_url}  HTTP {report.article_status or '-'}  encoding {report.article_encoding or '-'}")
        if record is not None:
            click.echo(f"  title:     {record.title or '(none)'}")
            click.echo(f"  published: {record.published_at.strftime('%Y-%m-%d %H:%M') if record.published_at else '(none)'}")
            click.echo(f"  author:    {record.author or '-'}   source: {record.origin or '-'}   status: {record.status}")
            click.echo(f"  body:      {len(record.body_text)} characters")
            for line in record.body_text.split("\n")[:3]:
                click.echo(f"    {line[:120]}")
        for problem in report.problems:
            click.echo(f"problem: {problem}", err=True)
        if report.ok:
            click.echo("looks right? set `verified = true` for this source in the registry" if not source.verified
                       else "ok")
    if not report.ok:
        sys.exit(1)

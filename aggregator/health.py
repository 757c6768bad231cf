"""Source health: is each source still answering, still yielding articles, still shaped the way we parse it?

Computed from what every run stores per source (crawl_run_sources: pages, list pages, article links, items,
new, errors, blocked, not modified, empty bodies) and from the articles themselves, so a silent failure
(a site that answers 200 but whose layout changed, a site that started to block us) shows up in
`union-news sources check` and in the sources table. Plain functions over a session; no Scrapy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from aggregator.sources import Registry, Source
from aggregator.store.models import Article, CrawlRun, CrawlRunSource
from aggregator.store.models import Source as SourceRow

FAILED = ("failed", "blocked")
# A run's verdicts on a source that mean "we got nothing from it".
DEFAULT_MAX_FAILURES = 2  # consecutive failed/blocked runs before a source needs attention
DEFAULT_MAX_EMPTY = 7  # consecutive runs without a new article before a source needs attention
HISTORY = 60  # runs looked at per source


def layout_warnings(row: CrawlRunSource) -> list[str]:
    """What a run's figures say about a changed layout: list pages without links, article pages without body."""
    warnings: list[str] = []
    parsed_lists = (row.list_pages or 0) - (row.not_modified or 0)
    if parsed_lists > 0 and not row.article_links:
        warnings.append(f"{parsed_lists} list page(s) held no article links: layout changed?")
    items, empty = row.items or 0, row.empty_bodies or 0
    if empty and empty * 2 >= max(items, 1):
        warnings.append(f"{empty} of {items} article page(s) had an empty body: layout changed?")
    return warnings


def judge(row: CrawlRunSource) -> str:
    """ok, empty (lists answered but held no article links), blocked or failed: the run's verdict on a source."""
    got_something = (row.items or 0) + (row.duplicates or 0) > 0 or (row.article_links or 0) > 0 or (row.not_modified or 0) > 0
    if row.blocked and not got_something:
        return "blocked"
    if row.errors and not got_something:
        return "failed"
    if row.list_pages and not row.article_links and not row.not_modified:
        return "empty"
    if not row.pages and not row.list_pages:
        return "failed"
    return "ok"


def update_source_row(source: SourceRow, row: CrawlRunSource, now: datetime) -> None:
    """Carry one run's verdict into the source's health columns (consecutive failures/empty runs, warning)."""
    status = row.status or judge(row)
    if status in FAILED:
        source.consecutive_failures = (source.consecutive_failures or 0) + 1
    else:
        source.consecutive_failures = 0
        if status == "ok":
            source.last_success_at = now
    source.consecutive_empty = (source.consecutive_empty or 0) + 1 if not row.new else 0
    warnings = layout_warnings(row)
    source.layout_warning = "; ".join(warnings) if warnings else None


@dataclass(slots=True)
class RunFigures:
    """One run of one source, as `sources check` shows it."""

    run_id: int
    started_at: datetime | None
    status: str
    new: int
    pages: int
    errors: int
    blocked: int
    message: str | None


@dataclass(slots=True)
class SourceHealth:
    """A source's health: the figures `sources check` prints for it."""

    source_id: str
    name: str
    family: str
    enabled: bool
    verified: bool
    antibot: str | None = None
    runs: list[RunFigures] = field(default_factory=list)
    last_success_at: datetime | None = None
    articles_7d: int = 0
    failed_streak: int = 0
    empty_streak: int = 0
    warnings: list[str] = field(default_factory=list)
    attention: list[str] = field(default_factory=list)  # why an operator should look, empty when fine

    @property
    def last_run(self) -> RunFigures | None:
        """The latest run that crawled this source."""
        return self.runs[0] if self.runs else None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready figures."""
        last = self.last_run
        return {
            "id": self.source_id, "name": self.name, "family": self.family, "enabled": self.enabled,
            "verified": self.verified, "antibot": self.antibot,
            "last_run": last.run_id if last else None,
            "last_status": last.status if last else None,
            "last_success_at": self.last_success_at.isoformat() if self.last_success_at else None,
            "articles_7d": self.articles_7d, "failed_streak": self.failed_streak, "empty_streak": self.empty_streak,
            "warnings": self.warnings, "attention": self.attention,
            "message": last.message if last else None,
        }


def _streak(runs: list[RunFigures], bad: Any) -> int:
    count = 0
    for run in runs:
        if not bad(run):
            break
        count += 1
    return count


def source_health(session: Session, source: Source, now: datetime, *, max_failures: int = DEFAULT_MAX_FAILURES,
                  max_empty: int = DEFAULT_MAX_EMPTY) -> SourceHealth:
    """The health of one source from the store's run records and articles, as of `now`."""
    health = SourceHealth(source_id=source.id, name=source.name, family=source.family, enabled=source.enabled,
                          verified=source.verified, antibot=source.antibot)
    rows = session.execute(
        select(CrawlRunSource, CrawlRun.started_at, CrawlRun.finished_at)
        .join(CrawlRun, CrawlRun.id == CrawlRunSource.run_id)
        .where(CrawlRunSource.source_id == source.id)
        .order_by(CrawlRunSource.run_id.desc())
        .limit(HISTORY)
    ).all()
    latest_row: CrawlRunSource | None = rows[0][0] if rows else None
    for row, started, finished in rows:
        status = row.status or judge(row)
        health.runs.append(RunFigures(row.run_id, started, status, row.new or 0, row.pages or 0, row.errors or 0,
                                      row.blocked or 0, row.message))
        when = finished or started
        if status == "ok" and when is not None and (health.last_success_at is None or when > health.last_success_at):
            health.last_success_at = when
    stored = session.get(SourceRow, source.id)
    if stored is not None and stored.last_success_at is not None:
        if health.last_success_at is None or stored.last_success_at > health.last_success_at:
            health.last_success_at = stored.last_success_at
    cutoff = now - timedelta(days=7)
    health.articles_7d = session.scalar(
        select(func.count(Article.id)).where(
            Article.source_id == source.id,
            or_(Article.published_at >= cutoff, and_(Article.published_at.is_(None), Article.fetched_at >= cutoff)),
        )
    ) or 0
    health.failed_streak = _streak(health.runs, lambda r: r.status in FAILED)
    health.empty_streak = _streak(health.runs, lambda r: r.new == 0)
    if latest_row is not None:
        health.warnings = layout_warnings(latest_row)
    if source.enabled and health.runs:
        last = health.runs[0]
        if health.failed_streak >= max_failures:
            health.attention.append(f"{health.failed_streak} failed runs in a row ({last.status}: "
                                    f"{last.message or 'no answer'})")
        elif last.status == "blocked":
            health.attention.append(f"blocked in the last run: {last.message or 'challenge pages'}")
        if health.empty_streak >= max_empty:
            health.attention.append(f"no new article in {health.empty_streak} runs")
        health.attention.extend(health.warnings)
    return health


def registry_health(session: Session, registry: Registry, now: datetime, *, include_disabled: bool = False,
                    max_failures: int = DEFAULT_MAX_FAILURES, max_empty: int = DEFAULT_MAX_EMPTY) -> list[SourceHealth]:
    """Health of every (enabled) source of the registry, in registry order."""
    return [source_health(session, s, now, max_failures=max_failures, max_empty=max_empty)
            for s in registry.sources.values() if s.enabled or include_disabled]

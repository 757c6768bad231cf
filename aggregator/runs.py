"""Crawl runs: start and finish the crawl_runs record, judge each source, and turn the outcome into an exit code."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aggregator.store.models import CrawlRun, CrawlRunSource, Source

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_CONFIG = 2
EXIT_NOTHING = 3
EXIT_LOCKED = 4


@dataclass(slots=True)
class SourceReport:
    """One source's figures in a run and the verdict on them."""

    source_id: str
    status: str  # ok | empty | failed | blocked
    pages: int = 0
    list_pages: int = 0
    article_links: int = 0
    items: int = 0
    new: int = 0
    duplicates: int = 0
    errors: int = 0
    blocked: int = 0
    not_modified: int = 0
    empty_bodies: int = 0
    message: str | None = None


@dataclass(slots=True)
class RunReport:
    """The whole run: per-source reports, totals, status and exit code."""

    run_id: int
    status: str
    exit_code: int
    started_at: str
    finished_at: str
    sources: list[SourceReport] = field(default_factory=list)

    def totals(self) -> dict[str, int]:
        """Sum of every figure over the sources."""
        keys = ("pages", "items", "new", "duplicates", "errors", "blocked")
        return {k: sum(getattr(s, k) for s in self.sources) for k in keys}

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        data = asdict(self)
        data["totals"] = self.totals()
        return data


def judge(row: CrawlRunSource) -> str:
    """ok, empty (lists answered but held no article links: a layout change?), blocked or failed."""
    got_something = row.items + row.duplicates > 0 or row.article_links > 0 or row.not_modified > 0
    if row.blocked and not got_something:
        return "blocked"
    if row.errors and not got_something:
        return "failed"
    if row.list_pages and row.article_links == 0 and row.not_modified == 0:
        return "empty"
    if row.pages == 0 and row.list_pages == 0:
        return "failed"
    return "ok"


def start_run(session: Session, command: str, now: datetime) -> CrawlRun:
    """Create the run's record (status running)."""
    run = CrawlRun(started_at=now, status="running", command=command, pid=os.getpid(), report={})
    session.add(run)
    session.flush()
    return run


def finish_run(session: Session, run_id: int, now: datetime, interrupted: bool = False) -> RunReport:
    """Judge each source, update source health, close the run's record and return the report."""
    run = session.get(CrawlRun, run_id)
    assert run is not None
    rows = session.scalars(select(CrawlRunSource).where(CrawlRunSource.run_id == run_id).order_by(CrawlRunSource.source_id)).all()
    reports: list[SourceReport] = []
    for row in rows:
        row.status = judge(row)
        reports.append(SourceReport(
            source_id=row.source_id, status=row.status, pages=row.pages, list_pages=row.list_pages,
            article_links=row.article_links, items=row.items, new=row.new, duplicates=row.duplicates,
            errors=row.errors, blocked=row.blocked, not_modified=row.not_modified, empty_bodies=row.empty_bodies,
            message=row.message,
        ))
        source = session.get(Source, row.source_id)
        if source is not None:
            source.last_run_id = run_id
            if row.status == "ok":
                source.last_success_at = now
                source.consecutive_failures = 0
                source.consecutive_empty = source.consecutive_empty + 1 if row.new == 0 else 0
            else:
                source.consecutive_failures += 1
            source.layout_warning = ("list pages held no article links" if row.status == "empty"
                                     else "article pages with empty bodies" if row.empty_bodies and not row.new else None)
    bad = [r for r in reports if r.status != "ok"]
    if interrupted:
        status, code = "killed", EXIT_SOME_FAILED
    elif not reports or len(bad) == len(reports):
        status, code = "failed", EXIT_NOTHING
    elif bad:
        status, code = "partial", EXIT_SOME_FAILED
    else:
        status, code = "ok", EXIT_OK
    run.finished_at, run.status, run.exit_code = now, status, code
    report = RunReport(run_id=run_id, status=status, exit_code=code, started_at=run.started_at.isoformat(),
                       finished_at=now.isoformat(), sources=reports)
    run.report = report.to_json()
    return report

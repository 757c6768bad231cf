"""Crawl runs: start and finish the crawl_runs record, judge each source, and turn the outcome into an exit code.

Exit codes (cron acts on them; docs/operations.md says what to do about each):
  0 every source answered; 1 some sources failed (or the run was interrupted, or publishing failed);
  2 configuration error (registry, store, options); 3 nothing could be crawled; 4 another run holds the lock.

Run statuses in crawl_runs: running, ok, partial, failed, interrupted (stopped by SIGTERM/SIGINT and closed
its own record), killed (found still "running" by a later run: the process died without closing its record).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aggregator.health import judge, update_source_row
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
    command: str | None = None
    notes: list[str] = field(default_factory=list)
    published: dict[str, Any] | None = None

    def totals(self) -> dict[str, int]:
        """Sum of every figure over the sources."""
        keys = ("pages", "items", "new", "duplicates", "errors", "blocked")
        return {k: sum(getattr(s, k) for s in self.sources) for k in keys}

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        data = asdict(self)
        data["totals"] = self.totals()
        return data


def start_run(session: Session, command: str, now: datetime) -> CrawlRun:
    """Create the run's record (status running)."""
    run = CrawlRun(started_at=now, status="running", command=command, pid=os.getpid(), report={})
    session.add(run)
    session.flush()
    return run


def source_reports(session: Session, run_id: int, judge_rows: bool = True) -> list[SourceReport]:
    """The per-source figures recorded for a run (judged and the verdict stored, unless judge_rows is False)."""
    rows = session.scalars(select(CrawlRunSource).where(CrawlRunSource.run_id == run_id)
                           .order_by(CrawlRunSource.source_id)).all()
    reports = []
    for row in rows:
        if judge_rows:
            row.status = judge(row)
        reports.append(SourceReport(
            source_id=row.source_id, status=row.status, pages=row.pages, list_pages=row.list_pages,
            article_links=row.article_links, items=row.items, new=row.new, duplicates=row.duplicates,
            errors=row.errors, blocked=row.blocked, not_modified=row.not_modified, empty_bodies=row.empty_bodies,
            message=row.message,
        ))
    return reports


def _update_health(session: Session, run_id: int, report: SourceReport, now: datetime) -> None:
    source = session.get(Source, report.source_id)
    row = session.scalar(select(CrawlRunSource).where(CrawlRunSource.run_id == run_id,
                                                      CrawlRunSource.source_id == report.source_id))
    if source is None or row is None:
        return
    source.last_run_id = run_id
    # One rule for the health columns, shared with `union-news sources check` (aggregator.health).
    update_source_row(source, row, now)


def finish_run(session: Session, run_id: int, now: datetime, interrupted: bool = False) -> RunReport:
    """Judge each source, update source health, close the run's record and return the report.

    An interrupted run (SIGTERM, Ctrl-C, a crash) is closed as `interrupted` with exit code 1 and leaves the
    sources' health alone: a source it never reached has not failed.
    """
    run = session.get(CrawlRun, run_id)
    if run is None:
        raise ValueError(f"no crawl run {run_id} in the store")
    reports = source_reports(session, run_id)
    if not interrupted:
        for report in reports:
            _update_health(session, run_id, report, now)
    bad = [r for r in reports if r.status != "ok"]
    if interrupted:
        status, code = "interrupted", EXIT_SOME_FAILED
    elif not reports or len(bad) == len(reports):
        status, code = "failed", EXIT_NOTHING
    elif bad:
        status, code = "partial", EXIT_SOME_FAILED
    else:
        status, code = "ok", EXIT_OK
    run.finished_at, run.status, run.exit_code = now, status, code
    report = RunReport(run_id=run_id, status=status, exit_code=code, started_at=run.started_at.isoformat(),
                       finished_at=now.isoformat(), sources=reports, command=run.command)
    if interrupted:
        report.notes.append("the run was interrupted before every source was crawled; the next run continues")
    run.report = report.to_json()
    return report


def save_report(session: Session, report: RunReport) -> None:
    """Store the report (after notes or publishing results were added to it) in the run's record."""
    run = session.get(CrawlRun, report.run_id)
    if run is not None:
        run.report = report.to_json()
        run.exit_code = report.exit_code


def close_stale_runs(session: Session, now: datetime, keep: int | None = None) -> list[int]:
    """Mark runs still `running` as `killed` and return their ids.

    Called while holding the store's run lock, so no other run can be in progress: a `running` record is
    what a run killed by SIGKILL, a crash or a power loss left behind. Its per-source figures (written every
    few seconds while it ran) stay; the sources' health is not touched.
    """
    stale = session.scalars(select(CrawlRun).where(CrawlRun.status == "running", CrawlRun.id != (keep or -1))).all()
    for run in stale:
        reports = source_reports(session, run.id, judge_rows=False)
        run.status, run.finished_at, run.exit_code = "killed", None, None
        report = RunReport(run_id=run.id, status="killed", exit_code=EXIT_SOME_FAILED,
                           started_at=run.started_at.isoformat(), finished_at="", sources=reports, command=run.command)
        report.notes.append(f"found still running at {now.isoformat(timespec='seconds')}: the process (pid {run.pid}) "
                            "ended without closing its record (killed, crashed or power loss). Articles it had "
                            "stored are kept; figures are those written before it ended.")
        data = report.to_json()
        data["exit_code"] = None
        run.report = data
    session.flush()
    return [run.id for run in stale]

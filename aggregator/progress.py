"""Progress of a crawl: a live table on a terminal, a plain log line every so often otherwise (cron, files)."""

from __future__ import annotations

import logging
import time
from typing import Protocol

from rich.console import Console
from rich.live import Live
from rich.table import Table

logger = logging.getLogger("union_news.progress")

# The per-source figures shown, in order, and their column titles.
SHOWN = (("pages", "pages"), ("items", "articles"), ("new", "new"), ("duplicates", "dup"), ("errors", "errors"),
         ("blocked", "blocked"))
Figures = dict[str, dict[str, int]]


class ProgressSink(Protocol):
    """What the crawl runner reports its figures to (about twice a second)."""

    def update(self, figures: Figures, sources: list[str]) -> None:
        """New per-source figures (source id -> figure -> count) for the run's `sources`."""

    def close(self) -> None:
        """The crawl is over."""


def totals(figures: Figures) -> dict[str, int]:
    """Every shown figure summed over the sources."""
    return {key: sum(int(v.get(key, 0)) for v in figures.values()) for key, _ in SHOWN}


class LiveTable:
    """A rich live table on stderr: one row per source, a totals row, refreshed in place."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.started = time.monotonic()
        self.live = Live(self._table({}, []), console=self.console, refresh_per_second=4, transient=False)
        self.live.start()

    def _table(self, figures: Figures, sources: list[str]) -> Table:
        elapsed = time.monotonic() - self.started
        sums = totals(figures)
        table = Table(title=f"union-news crawl · {elapsed:.0f} s · {sums['items']} articles, {sums['new']} new",
                      title_justify="left", expand=False)
        table.add_column("source")
        for _, title in SHOWN:
            table.add_column(title, justify="right")
        active = [s for s in sources if figures.get(s)]
        waiting = len(sources) - len(active)
        for source_id in active:
            values = figures[source_id]
            style = "red" if values.get("errors") or values.get("blocked") else None
            table.add_row(source_id, *(str(values.get(k, 0)) for k, _ in SHOWN), style=style)
        if waiting:
            table.add_row(f"… {waiting} source(s) not started", *("" for _ in SHOWN), style="dim")
        table.add_row("total", *(str(sums[k]) for k, _ in SHOWN), style="bold")
        return table

    def update(self, figures: Figures, sources: list[str]) -> None:
        """Redraw the table."""
        self.live.update(self._table(figures, sources))

    def close(self) -> None:
        """Leave the last table on screen."""
        self.live.stop()


class LogLines:
    """One INFO line with the totals every `interval` seconds (and a last one at the end)."""

    def __init__(self, interval: float = 30.0) -> None:
        self.interval = interval
        self.last = time.monotonic()
        self.figures: Figures = {}
        self.sources: list[str] = []

    def _line(self) -> str:
        sums = totals(self.figures)
        started = sum(1 for s in self.sources if self.figures.get(s))
        return (f"progress: sources started {started}/{len(self.sources)}, pages {sums['pages']}, articles {sums['items']} "
                f"(new {sums['new']}, duplicates {sums['duplicates']}), errors {sums['errors']}, blocked {sums['blocked']}")

    def update(self, figures: Figures, sources: list[str]) -> None:
        """Log a line when `interval` has passed since the last one."""
        self.figures, self.sources = figures, sources
        if time.monotonic() - self.last >= self.interval:
            self.last = time.monotonic()
            logger.info(self._line())

    def close(self) -> None:
        """The final line."""
        logger.info(self._line())

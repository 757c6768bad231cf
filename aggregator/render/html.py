"""HTML pages: one per week and an index of the weeks (Chinese typography, readable on phones and desktops)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from aggregator.digest import Digest
from aggregator.render.chart import bar_chart

_ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                   autoescape=select_autoescape(["html"]), trim_blocks=False, lstrip_blocks=False)


@dataclass(slots=True)
class FeedLink:
    """A feed advertised by a page."""

    href: str
    type: str
    title: str
    label: str


@dataclass(slots=True)
class WeekEntry:
    """One week on the index page."""

    href: str
    title: str
    label: str
    count: int


def week_label(digest: Digest) -> str:
    """'2025-W30（7月21日—7月27日）'."""
    last = digest.end - timedelta(seconds=1)
    span = f"{digest.start.month}月{digest.start.day}日—{last.month}月{last.day}日"
    return f"{digest.week}（{span}）" if digest.week else span


def render_digest_html(digest: Digest, generated: str, feeds: list[FeedLink] | None = None, show_review: bool = True) -> str:
    """The digest of one week as a standalone HTML page (inline CSS and SVG, no script)."""
    return _ENV.get_template("digest.html").render(
        digest=digest, page_title=digest.title, week_label=week_label(digest), generated=generated,
        feeds=feeds or [], show_review=show_review,
        region_chart=bar_chart(digest.by_region, "条"), section_chart=bar_chart(digest.by_section, "条"),
    )


def render_index_html(weeks: list[WeekEntry], generated: str, feeds: list[FeedLink] | None = None) -> str:
    """The index page listing the weeks, newest first."""
    return _ENV.get_template("index.html").render(weeks=weeks, page_title="一周速览 · 往期", generated=generated,
                                                  feeds=feeds or [])

"""HTML: a page per week, an index of the weeks (Chinese typography, phone and desktop), and feed fragments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from aggregator.dates import SHANGHAI
from aggregator.digest import TITLE_PREFIX, TITLE_SEP, Digest, DigestItem
from aggregator.render.chart import bar_chart, top_rows

_ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                   autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True,
                   keep_trailing_newline=True)
# The province chart keeps this many rows and sums the rest as 其他 (it must stay small on a phone).
CHART_REGIONS = 12


@dataclass(slots=True)
class FeedLink:
    """A feed advertised by a page."""

    href: str
    type: str
    title: str
    label: str


@dataclass(slots=True)
class FeedGroup:
    """Feeds listed together on the index page: a name and its RSS and Atom links."""

    name: str
    description: str
    links: list[FeedLink]
    heading: str = ""  # a small heading before the group (the first of a kind)


@dataclass(slots=True)
class WeekEntry:
    """One week on the index page."""

    href: str
    title: str
    label: str
    count: int
    headlines: list[str] = field(default_factory=list)


def _local(value: datetime) -> datetime:
    return value.astimezone(SHANGHAI)


def date_span(digest: Digest) -> str:
    """'7月21日—7月27日' (with years when the window crosses one)."""
    first, last = _local(digest.start).date(), digest.last_day
    if first.year != last.year:
        return f"{first.year}年{first.month}月{first.day}日—{last.year}年{last.month}月{last.day}日"
    return f"{first.month}月{first.day}日—{last.month}月{last.day}日"


def week_label(digest: Digest) -> str:
    """'2025年第30周（7月21日—7月27日）', or the dates of a custom window."""
    if digest.week:
        year, number = digest.week.split("-W")
        return f"{year}年第{int(number)}周（{date_span(digest)}）"
    first = _local(digest.start).date()
    return f"{first.year}年{date_span(digest)}"


def stamp(value: datetime | None) -> str:
    """'2025-07-28 12:00' in Asia/Shanghai ('' for None)."""
    return _local(value).strftime("%Y-%m-%d %H:%M") if value else ""


def charts(digest: Digest) -> tuple[str, str]:
    """(by province, by section) inline SVG charts of the week's items."""
    regions = bar_chart(top_rows(digest.by_region, CHART_REGIONS), "各地条目数", chart_id="chart-region-svg")
    sections = bar_chart(digest.by_section, "各栏目条目数", color="#8a1c16", chart_id="chart-section-svg")
    return regions, sections


def render_digest_html(digest: Digest, feeds: list[FeedLink] | None = None, show_review: bool = True,
                       index_href: str | None = "index.html") -> str:
    """The digest of one week as a standalone HTML page (inline CSS and SVG, no script)."""
    region_chart, section_chart = charts(digest)
    prefix = f"{TITLE_PREFIX} | "
    titles = [item.title for item in digest.headlines[:2]]
    # Split the title for display only when it is exactly the headline form; a rebuilt string must equal it.
    parts = [prefix, *titles] if digest.title == prefix + TITLE_SEP.join(titles) and titles else []
    headlines = "；".join(item.title for item in digest.headlines)
    description = f"核心提示：{headlines}" if headlines else digest.title
    return _ENV.get_template("digest.html").render(
        digest=digest, page_title=digest.title, description=description, week_label=week_label(digest),
        date_span=date_span(digest), updated=stamp(digest.updated), feeds=feeds or [], show_review=show_review,
        index_href=index_href, region_chart=region_chart, section_chart=section_chart, title_parts=parts,
        title_sep=TITLE_SEP,
    )


def render_index_html(weeks: list[WeekEntry], feeds: list[FeedLink] | None = None,
                      groups: list[FeedGroup] | None = None, updated: datetime | None = None) -> str:
    """The index page: the weeks, newest first, and every feed to subscribe to."""
    return _ENV.get_template("index.html").render(
        weeks=weeks, page_title="一周速览 · 往期", description="全国工会新闻一周速览：往期与订阅",
        feeds=feeds or [], groups=groups or [], updated=stamp(updated), index_href=None,
    )


def digest_fragment(digest: Digest) -> str:
    """The whole digest as an HTML fragment for a feed entry (no review marks: subscribers read the digest)."""
    return _ENV.get_template("feed_digest.html").render(digest=digest, week_label=week_label(digest))


def item_fragment(item: DigestItem, body_html: str | None) -> str:
    """One story for a section feed: its (sanitized) text, or its summary, and every outlet that carried it."""
    return _ENV.get_template("feed_item.html").render(item=item, body=body_html)


def article_fragment(summary: str, body_html: str | None, source: str, url: str) -> str:
    """One article for the articles feed: its (sanitized) text, or its summary, and where it is from."""
    return _ENV.get_template("feed_article.html").render(summary=summary, body=body_html, source=source, url=url)

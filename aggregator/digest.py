"""The weekly digest: the week's stories by section, ranked, with 核心提示 headlines and a credits line.

Rules (docs/digest.md explains them for editors):
- A story belongs to the window of its first publication; later weeks do not repeat it.
- Only what was published inside the window counts, so a past week's digest does not change when reposts
  arrive later (its feed entry keeps its content as well as its id).
- An item is the story's best version (stories.pick_representative) with a link to every outlet that carried it.
- Items are ranked by story size (distinct outlets), then the outlets' summed authority, then the earliest
  first publication; the URL breaks the last ties so the order never depends on row ids or crawl order.
- 核心提示 takes three items by that rank, spread over sections (and regions when possible); items whose
  section awaits review come last. The title is built from the top two, as in the reference digest.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from aggregator.classify import SECTIONS
from aggregator.dates import SHANGHAI, iso_week_bounds, iso_week_of
from aggregator.store.models import Article, Source
from aggregator.stories import pick_representative

TITLE_PREFIX = "一周速览"
TITLE_SEP = " ;"  # between the two headlines of the title, as in the reference digest
HEADLINE_COUNT = 3
# Articles in these states are published; anything else (deleted, gated) stays out of every output.
LIVE_STATUSES = ("ok", "truncated")
# Label of items whose region is unknown (charts and feed categories).
UNKNOWN_REGION = "未注明"
_CHUNK = 500


def url_key(url: str) -> str:
    """A short, stable key of a URL (anchors and feed ids must not depend on database row ids)."""
    return hashlib.sha1(url.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass(slots=True)
class Outlet:
    """An outlet that carried a story, with its article's URL."""

    source_id: str
    name: str
    url: str
    published_at: datetime | None
    kind: str = "site"
    original: bool = False  # the version the item shows (its headline and summary come from it)


@dataclass(slots=True)
class DigestItem:
    """One story in the digest: headline, summary, links to the original and to every outlet."""

    story_id: int | None
    article_id: int
    title: str
    summary: str
    url: str
    section: str
    published_at: datetime | None
    outlets: list[Outlet]
    region: str | None = None
    city: str | None = None
    confidence: float | None = None
    needs_review: bool = False
    authority: int = 1
    key: str = ""
    first_published: datetime | None = None
    updated: datetime | None = None
    section_origin: str | None = None

    @property
    def size(self) -> int:
        """How many outlets carried the story."""
        return len(self.outlets)

    @property
    def anchor(self) -> str:
        """The item's fragment id on the week's page (stable across rebuilds)."""
        return f"item-{self.key[:10]}"

    @property
    def others(self) -> list[Outlet]:
        """The outlets other than the one whose version is shown."""
        return [o for o in self.outlets if not o.original]


@dataclass(slots=True)
class Digest:
    """A digest of one window (normally an ISO week in Asia/Shanghai)."""

    start: datetime
    end: datetime
    week: str | None
    title: str
    headlines: list[DigestItem]
    sections: list[tuple[str, list[DigestItem]]]
    credits: list[str]
    updated: datetime | None
    by_region: list[tuple[str, int]] = field(default_factory=list)
    by_section: list[tuple[str, int]] = field(default_factory=list)

    @property
    def items(self) -> list[DigestItem]:
        """Every item, in section order."""
        return [item for _, items in self.sections for item in items]

    @property
    def slug(self) -> str:
        """File stem of the digest's outputs: '2025-W30', or '2025-07-21_2025-07-27' for a custom window."""
        if self.week:
            return self.week
        return f"{self.start.date().isoformat()}_{self.last_day.isoformat()}"

    @property
    def last_day(self) -> date:
        """The last calendar day inside the window."""
        return (self.end - timedelta(microseconds=1)).astimezone(SHANGHAI).date()

    @property
    def published(self) -> datetime:
        """When the digest counts as published: the end of its window (a fact of the data, not the clock)."""
        return self.end

    @property
    def modified(self) -> datetime:
        """Last change of its content: the newest fetch or update of its articles, never before publication."""
        return max(self.end, self.updated) if self.updated else self.end

    @property
    def review_count(self) -> int:
        """How many items wait for an editor's review of their section."""
        return sum(1 for item in self.items if item.needs_review)


def rank_key(item: DigestItem) -> tuple[int, int, float, str]:
    """Sort key: bigger stories, then more authoritative outlets, then the earlier story; URL breaks ties."""
    first = item.first_published or item.published_at
    return (-item.size, -item.authority, first.timestamp() if first else float("inf"), item.url)


def pick_headlines(items: list[DigestItem], count: int = HEADLINE_COUNT) -> list[DigestItem]:
    """核心提示: the best-ranked items, spread over sections (and regions), reviewed items first."""
    ranked = sorted(items, key=lambda i: (i.needs_review, rank_key(i)))
    chosen: list[DigestItem] = []

    def new_section(item: DigestItem) -> bool:
        return item.section not in {c.section for c in chosen}

    def new_region(item: DigestItem) -> bool:
        return item.region not in {c.region for c in chosen}

    # Each pass relaxes one wish: spread over sections and regions, then sections only, then anything.
    passes: list[Callable[[DigestItem], bool]] = [
        lambda i: not i.needs_review and new_section(i) and new_region(i),
        lambda i: not i.needs_review and new_section(i),
        new_section,
        lambda i: True,
    ]
    for allow in passes:
        for item in ranked:
            if len(chosen) == count:
                return chosen
            if item not in chosen and allow(item):
                chosen.append(item)
    return chosen


def digest_title(headlines: list[DigestItem]) -> str:
    """The digest's title from its top two headlines, as the reference digest does ('一周速览 | A ;B')."""
    if not headlines:
        return TITLE_PREFIX
    return f"{TITLE_PREFIX} | " + TITLE_SEP.join(item.title for item in headlines[:2])


def _live(article: Article) -> bool:
    return article.status in LIVE_STATUSES and article.published_at is not None


def _stamp(article: Article) -> datetime | None:
    """When the store last learnt something about an article."""
    values = [v for v in (article.updated_at, article.fetched_at) if v is not None]
    return max(values) if values else None


def build_items(session: Session, start: datetime, end: datetime) -> list[DigestItem]:
    """The items (one per story) first published in [start, end), unranked."""
    sources = {s.id: s for s in session.scalars(select(Source))}
    # The digest never shows article bodies: leave the HTML (the biggest column) in the database.
    in_window = session.scalars(
        select(Article).options(defer(Article.body_html))
        .where(Article.published_at >= start, Article.published_at < end, Article.status.in_(LIVE_STATUSES))
        .order_by(Article.published_at, Article.url)
    ).all()
    story_ids = {a.story_id for a in in_window if a.story_id is not None}
    # One query for every member of the window's stories (members outside the window decide where a story began).
    members: dict[int, list[Article]] = {}
    ordered_ids = sorted(story_ids)
    for i in range(0, len(ordered_ids), _CHUNK):  # SQLite caps the number of bound parameters
        chunk = ordered_ids[i:i + _CHUNK]
        for article in session.scalars(select(Article).options(defer(Article.body_html))
                                       .where(Article.story_id.in_(chunk)).order_by(Article.published_at, Article.url)):
            members.setdefault(article.story_id, []).append(article)  # type: ignore[arg-type]
    groups: dict[int | str, list[Article]] = {}
    for article in in_window:
        groups.setdefault(article.story_id if article.story_id is not None else f"a{article.id}", []).append(article)
    items: list[DigestItem] = []
    for key, everyone in groups.items():
        if isinstance(key, int):
            everyone = [m for m in members.get(key, []) if _live(m)]
            if any(m.published_at < start for m in everyone):  # type: ignore[operator]
                continue  # the story began in an earlier window and was reported there
            everyone = [m for m in everyone if m.published_at < end]  # type: ignore[operator]
        if not everyone:
            continue
        item = _item(everyone, sources)
        if item is not None:
            items.append(item)
    return items


def _item(everyone: list[Article], sources: dict[str, Source]) -> DigestItem | None:
    """The digest item of one story's members (None when it belongs in no section)."""
    best = pick_representative(everyone, sources)
    manual = sorted((m for m in everyone if m.section_origin == "manual"), key=lambda m: m.url)
    section = (manual[0] if manual else best).section
    if section not in SECTIONS:
        return None
    outlets: list[Outlet] = []
    seen: set[str] = set()
    for member in sorted(everyone, key=lambda m: (m.id != best.id, m.published_at, m.url)):
        if member.source_id in seen:
            continue
        seen.add(member.source_id)
        source = sources.get(member.source_id)
        outlets.append(Outlet(member.source_id, source.name if source else member.source_id, member.url,
                              member.published_at, source.kind if source else "site", member.id == best.id))
    first = min(everyone, key=lambda m: (m.published_at, m.url))
    stamps = [s for s in (_stamp(m) for m in everyone) if s is not None]
    return DigestItem(
        story_id=best.story_id, article_id=best.id, title=best.title, summary=best.summary, url=best.url,
        section=section, published_at=best.published_at, outlets=outlets, region=best.region, city=best.city,
        confidence=best.section_confidence, needs_review=bool(best.needs_review) and not manual,
        authority=sum(sources[o.source_id].authority for o in outlets if o.source_id in sources) or 1,
        key=url_key(first.url), first_published=first.published_at, updated=max(stamps) if stamps else None,
        section_origin="manual" if manual else best.section_origin,
    )


def _credits(items: list[DigestItem]) -> list[str]:
    """The 部分图文来源 line: websites and newspapers first, then WeChat accounts, each by how much they ran."""
    counts: Counter[str] = Counter()
    kinds: dict[str, str] = {}
    for item in items:
        for outlet in item.outlets:
            counts[outlet.name] += 1
            kinds.setdefault(outlet.name, outlet.kind)
    return sorted(counts, key=lambda name: (kinds[name] == "wechat", -counts[name], name))


def build_digest(session: Session, start: datetime, end: datetime, week: str | None = None) -> Digest:
    """Build the digest of stories first published in [start, end)."""
    items = build_items(session, start, end)
    sections = [(name, sorted((i for i in items if i.section == name), key=rank_key)) for name in SECTIONS]
    sections = [(name, its) for name, its in sections if its]
    ordered = [i for _, its in sections for i in its]
    headlines = pick_headlines(ordered)
    regions = Counter(i.region or UNKNOWN_REGION for i in ordered)
    stamps = [i.updated for i in ordered if i.updated is not None]
    if week is None and start == start.astimezone(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0) \
            and end - start == timedelta(days=7) and start.astimezone(SHANGHAI).isoweekday() == 1:
        week = iso_week_of(start)  # a custom window that is exactly an ISO week is that week
    return Digest(
        start=start, end=end, week=week, title=digest_title(headlines), headlines=headlines,
        sections=sections, credits=_credits(ordered), updated=max(stamps) if stamps else None,
        by_region=sorted(regions.items(), key=lambda kv: (-kv[1], kv[0])),
        by_section=[(name, len(its)) for name, its in sections],
    )


def build_week(session: Session, week: str) -> Digest:
    """The digest of an ISO week ('2025-W30') in Asia/Shanghai."""
    start, end = iso_week_bounds(week)
    return build_digest(session, start, end, week)


def window_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[first 00:00, the day after last 00:00) in Asia/Shanghai: both days are inside the window."""
    if last < first:
        raise ValueError(f"the window ends ({last}) before it starts ({first})")
    start = datetime.combine(first, time(), SHANGHAI)
    return start, datetime.combine(last + timedelta(days=1), time(), SHANGHAI)


def _recent_weeks(session: Session, before: datetime | None, limit: int, in_sections: bool) -> list[str]:
    """ISO weeks with articles published before `before`, newest first; one indexed MAX() per week."""
    weeks: list[str] = []
    cursor = before
    while len(weeks) < limit:
        query = select(func.max(Article.published_at)).where(Article.status.in_(LIVE_STATUSES))
        if cursor is not None:
            query = query.where(Article.published_at < cursor)
        if in_sections:
            query = query.where(Article.section.in_(SECTIONS))
        newest = session.scalar(query)
        if newest is None:
            break
        week = iso_week_of(newest)
        weeks.append(week)
        cursor, _ = iso_week_bounds(week)
    return weeks


def complete_weeks(session: Session, now: datetime, limit: int = 12) -> list[str]:
    """The newest ISO weeks that are over by `now` and have items in a section, newest first."""
    current_start, _ = iso_week_bounds(iso_week_of(now))
    return _recent_weeks(session, current_start, limit, in_sections=True)


def weeks_with_articles(session: Session, limit: int = 12) -> list[str]:
    """The newest ISO weeks that have articles, newest first (complete or not)."""
    return _recent_weeks(session, None, limit, in_sections=False)

"""The weekly digest: the week's stories by section, ranked, with 核心提示 headlines and a credits line."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from aggregator.classify import SECTIONS
from aggregator.dates import iso_week_bounds, iso_week_of
from aggregator.store.models import Article, Source, Story
from aggregator.stories import pick_representative


@dataclass(slots=True)
class Outlet:
    """An outlet that carried a story, with its article's URL."""

    source_id: str
    name: str
    url: str
    published_at: datetime | None


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

    @property
    def size(self) -> int:
        """How many outlets carried the story."""
        return len(self.outlets)


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


def _rank_key(item: DigestItem) -> tuple[int, int, float]:
    when = item.published_at.timestamp() if item.published_at else 0.0
    return (-item.size, -item.authority, when)


def pick_headlines(items: list[DigestItem], count: int = 3) -> list[DigestItem]:
    """核心提示: the most widely carried stories, from authoritative outlets, spread over the sections."""
    ranked = sorted(items, key=_rank_key)
    chosen: list[DigestItem] = []
    used: set[str] = set()
    for item in ranked:  # first pass: at most one per section
        if len(chosen) == count:
            break
        if item.section not in used:
            chosen.append(item)
            used.add(item.section)
    for item in ranked:
        if len(chosen) == count:
            break
        if item not in chosen:
            chosen.append(item)
    return chosen


def digest_title(headlines: list[DigestItem]) -> str:
    """The digest's title from its top two headlines, as the reference digest does."""
    if not headlines:
        return "一周速览"
    return "一周速览 | " + " ;".join(item.title for item in headlines[:2])


def build_digest(session: Session, start: datetime, end: datetime, week: str | None = None) -> Digest:
    """Build the digest of stories first published in [start, end)."""
    sources = {s.id: s for s in session.scalars(select(Source))}
    in_window = session.scalars(
        select(Article).where(Article.published_at >= start, Article.published_at < end,
                              Article.status.in_(("ok", "truncated"))).order_by(Article.published_at, Article.id)
    ).all()
    groups: dict[int | str, list[Article]] = {}
    for article in in_window:
        groups.setdefault(article.story_id if article.story_id is not None else f"a{article.id}", []).append(article)
    items: list[DigestItem] = []
    for key, members in groups.items():
        if isinstance(key, int):
            story = session.get(Story, key)
            everyone = list(story.articles) if story is not None else members
            everyone = [m for m in everyone if m.status in ("ok", "truncated")]
            first = min((m.published_at for m in everyone if m.published_at), default=None)
            if first is not None and first < start:
                continue  # the story began in an earlier window and was reported there
        else:
            everyone = members
        best = pick_representative(everyone, sources)
        manual = [m for m in everyone if m.section_origin == "manual"]
        section = (manual[0] if manual else best).section
        if section not in SECTIONS:
            continue
        outlets: list[Outlet] = []
        seen: set[str] = set()
        for member in sorted(everyone, key=lambda m: (m.id != best.id, m.published_at or start, m.id)):
            if member.source_id in seen:
                continue
            seen.add(member.source_id)
            source = sources.get(member.source_id)
            outlets.append(Outlet(member.source_id, source.name if source else member.source_id, member.url, member.published_at))
        items.append(DigestItem(
            story_id=best.story_id, article_id=best.id, title=best.title, summary=best.summary, url=best.url,
            section=section, published_at=best.published_at, outlets=outlets, region=best.region, city=best.city,
            confidence=best.section_confidence, needs_review=any(m.needs_review for m in [best]) and not manual,
            authority=max((sources[o.source_id].authority for o in outlets if o.source_id in sources), default=1),
        ))
    by_section = {name: sorted((i for i in items if i.section == name), key=_rank_key) for name in SECTIONS}
    sections = [(name, its) for name, its in by_section.items() if its]
    ordered = [i for _, its in sections for i in its]
    headlines = pick_headlines(ordered)
    credit_counts = Counter(o.source_id for item in ordered for o in item.outlets)
    credits = [sources[s].name if s in sources else s for s, _ in sorted(credit_counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    updated_values = [a.updated_at or a.fetched_at for a in in_window if a.fetched_at]
    regions = Counter(i.region or "未知" for i in ordered)
    return Digest(
        start=start, end=end, week=week or iso_week_of(start), title=digest_title(headlines), headlines=headlines,
        sections=sections, credits=credits, updated=max(updated_values) if updated_values else None,
        by_region=sorted(regions.items(), key=lambda kv: (-kv[1], kv[0])),
        by_section=[(name, len(its)) for name, its in sections],
    )


def build_week(session: Session, week: str) -> Digest:
    """The digest of an ISO week ('2025-W30') in Asia/Shanghai."""
    start, end = iso_week_bounds(week)
    return build_digest(session, start, end, week)


def weeks_with_articles(session: Session, limit: int = 12) -> list[str]:
    """The newest ISO weeks that have articles, newest first."""
    weeks: list[str] = []
    for (published,) in session.execute(select(Article.published_at).where(Article.published_at.is_not(None))
                                        .order_by(Article.published_at.desc())):
        week = iso_week_of(published)
        if week not in weeks:
            weeks.append(week)
            if len(weeks) == limit:
                break
    return weeks

"""Same story, many outlets: near-duplicate and same-event matching, and story bookkeeping in the store.

First form: candidates are the stored articles published within a few days of the new one; each candidate is
compared on character shingles (reposts) and on shared anchors (quoted names, figures, dates, places) for
independent write-ups. A new article joins every story it matches (stories that it bridges are merged), so the
result does not depend on the order in which articles arrive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from aggregator.store.models import Article, Source, Story

SHINGLE = 4
WINDOW = timedelta(days=4)
_NON_TEXT = re.compile(r"[\s\W_]+", re.UNICODE)
_QUOTED = re.compile(r"[“\"《「『]([^”\"》」』]{2,30})[”\"》」』]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:万|亿|余|多)?(?:名|人|个|家|瓶|元|件|对|项|次|场|支|所|站|处|期|批|万|亿)?")
_DAY = re.compile(r"\d{1,2}月\d{1,2}日")
_ORG = re.compile(r"[\u4e00-\u9fff]{2,12}?(?:总工会|工会|公司|集团|中心|学院|剧场|工业园|驿站|协会|平台)")
# Words that glue an organisation's name to the sentence ("由青岛市总工会", "近年来青岛市总工会").
_ORG_LEAD = re.compile(r"^(?:近年来|该剧由|日前|近日|由|和|与|在|及|将|为|向|对|从|经|据|记者从)+")


@dataclass(slots=True)
class Features:
    """What the matcher compares: shingles of the text and the anchors of the event."""

    shingles: set[str]
    anchors: set[str]
    title_bigrams: set[str]


def features(title: str, body: str) -> Features:
    """Shingles and anchors of one article."""
    text = _NON_TEXT.sub("", body)
    shingles = {text[i : i + SHINGLE] for i in range(max(len(text) - SHINGLE + 1, 0))}
    head = title + "\n" + body[:1500]
    anchors = {f"q:{m}" for m in _QUOTED.findall(head)}
    anchors |= {f"n:{m}" for m in _NUMBER.findall(head) if len(m) >= 2 and not re.fullmatch(r"20\d\d", m)}
    anchors |= {f"d:{m}" for m in _DAY.findall(head)}
    anchors |= {f"o:{_ORG_LEAD.sub('', m)}" for m in _ORG.findall(head) if len(_ORG_LEAD.sub("", m)) >= 4}
    clean_title = _NON_TEXT.sub("", title)
    return Features(shingles, anchors, {clean_title[i : i + 2] for i in range(len(clean_title) - 1)})


def similarity(a: Features, b: Features) -> tuple[float, float, float]:
    """(containment of shingles, anchor overlap, title bigram Dice)."""
    if not a.shingles or not b.shingles:
        containment = 0.0
    else:
        containment = len(a.shingles & b.shingles) / min(len(a.shingles), len(b.shingles))
    shared = a.anchors & b.anchors
    weight = sum(2.0 if s.startswith("q:") else 1.0 for s in shared)
    anchor = weight / max(min(len(a.anchors), len(b.anchors)), 1)
    dice = 2 * len(a.title_bigrams & b.title_bigrams) / max(len(a.title_bigrams) + len(b.title_bigrams), 1)
    return containment, anchor, dice


def same_story(a: Features, b: Features) -> bool:
    """Reposts (most shingles shared) or the same event written up anew (shared anchors and title words)."""
    containment, anchor, dice = similarity(a, b)
    if containment >= 0.5:
        return True
    shared = a.anchors & b.anchors
    shared_quotes = any(s.startswith("q:") for s in shared)
    if len(shared) >= 3 and anchor >= 0.5 and (shared_quotes or dice >= 0.3):
        return True  # an independent write-up: same names, figures and dates, whatever the headline
    return (anchor >= 0.3 and dice >= 0.3) or (shared_quotes and anchor >= 0.2 and dice >= 0.2)


def assign_story(session: Session, article: Article) -> Story:
    """Attach `article` to the story of every stored article it matches (merging them), or start a new story."""
    mine = features(article.title, article.body_text)
    query = select(Article).where(Article.id != article.id, Article.status.in_(("ok", "truncated")))
    if article.published_at is not None:
        query = query.where(Article.published_at.between(article.published_at - WINDOW, article.published_at + WINDOW))
    matched: set[int] = set()
    for other in session.scalars(query):
        if other.story_id is None or other.story_id in matched:
            continue
        if other.content_hash and other.content_hash == article.content_hash or same_story(mine, features(other.title, other.body_text)):
            matched.add(other.story_id)
    if not matched:
        story = Story(size=0, outlets=0)
        session.add(story)
        session.flush()
    else:
        keep, *others = sorted(matched)
        story = session.get(Story, keep)  # type: ignore[assignment]
        for sid in others:
            for moved in session.scalars(select(Article).where(Article.story_id == sid)):
                moved.story_id = keep
            session.flush()
            session.delete(session.get(Story, sid))
    article.story_id = story.id
    session.flush()
    refresh_story(session, story)
    return story


def _names(source: Source | None) -> set[str]:
    return set((source.config or {}).get("names") or [source.name]) if source is not None else set()


def representative_key(article: Article, source: Source | None, others: set[str] | None = None) -> tuple[int, float, int]:
    """Sort key of a story's best version: an original over a repost, then the earliest, then the fuller text.

    A WeChat post flagged 原创 is an original; one naming another member outlet as its 来源 is a repost; a WeChat
    post without the flag usually carries someone else's story.
    """
    extra = article.extra or {}
    if extra.get("original"):
        rank = 0
    elif others and article.origin and any(name in article.origin or article.origin in name for name in others
                                           if name not in _names(source)):
        rank = 2
    elif article.wechat_biz:
        rank = 1
    else:
        rank = 0
    when = article.published_at.timestamp() if article.published_at else float("inf")
    return (rank, when, -len(article.body_text))


def pick_representative(members: list[Article], sources: dict[str, Source]) -> Article:
    """The best version of a story among its members."""
    names = {m.source_id: _names(sources.get(m.source_id)) for m in members}

    def key(m: Article) -> tuple[int, float, int]:
        others = set().union(*(n for sid, n in names.items() if sid != m.source_id)) if len(names) > 1 else set()
        return representative_key(m, sources.get(m.source_id), others)

    return min(members, key=key)


def refresh_story(session: Session, story: Story) -> None:
    """Recompute a story's size, outlets, time span and representative."""
    members = list(session.scalars(select(Article).where(Article.story_id == story.id)))
    if not members:
        return
    sources = {s.id: s for s in session.scalars(select(Source).where(Source.id.in_({m.source_id for m in members})))}
    story.size = len(members)
    story.outlets = len({m.source_id for m in members})
    dates = [m.published_at for m in members if m.published_at is not None]
    story.first_seen = min(dates) if dates else None
    story.last_seen = max(dates) if dates else None
    best = pick_representative(members, sources)
    story.representative_id = best.id


def rebuild_stories(session: Session) -> int:
    """Forget every story and assign all articles again in publication order; returns the number of stories."""
    for article in session.scalars(select(Article)):
        article.story_id = None
    session.flush()
    for story in session.scalars(select(Story)):
        session.delete(story)
    session.flush()
    order = select(Article).where(Article.status.in_(("ok", "truncated"))).order_by(Article.published_at, Article.id)
    for article in session.scalars(order).all():
        assign_story(session, article)
    return len(session.scalars(select(Story.id)).all())

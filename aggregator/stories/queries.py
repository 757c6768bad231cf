"""Read-only views of the stories in the store, for the command line and for analysts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aggregator.store.models import Article, Source, Story
from aggregator.stories.cluster import features_of
from aggregator.stories.index import StoryIndex
from aggregator.stories.match import Verdict, judge


@dataclass(frozen=True, slots=True)
class StoryRow:
    """One story: how widely it was carried and its representative's headline."""

    id: int
    size: int
    outlets: int
    first_seen: datetime | None
    title: str
    outlet_names: list[str]


@dataclass(frozen=True, slots=True)
class Member:
    """One article of a story, with the check against the story's representative."""

    article_id: int
    outlet: str
    title: str
    url: str
    published_at: datetime | None
    representative: bool
    verdict: Verdict | None  # against `via` when it matched one, else against the representative
    via: int | None = None  # the member it matched


def stories_between(session: Session, start: datetime, end: datetime, min_size: int = 1) -> list[StoryRow]:
    """Stories first seen in [start, end), most widely carried first."""
    query = (select(Story).where(Story.first_seen >= start, Story.first_seen < end, Story.size >= min_size)
             .order_by(Story.outlets.desc(), Story.size.desc(), Story.first_seen, Story.id))
    rows: list[StoryRow] = []
    names = {s.id: s.name for s in session.scalars(select(Source))}
    for story in session.scalars(query):
        members = list(session.scalars(select(Article).where(Article.story_id == story.id).order_by(Article.published_at)))
        best = next((m for m in members if m.id == story.representative_id), members[0] if members else None)
        outlets = list(dict.fromkeys(names.get(m.source_id, m.source_id) for m in members))
        rows.append(StoryRow(story.id, story.size, story.outlets, story.first_seen, best.title if best else "", outlets))
    return rows


def story_members(session: Session, story_id: int) -> list[Member]:
    """The articles of a story, the representative first, each with the check that ties it to the story.

    A member is judged against the representative first, else against the other members: a story is a connected
    group, so an article may belong through another version (a brief that matches the full text only).
    """
    story = session.get(Story, story_id)
    if story is None:
        return []
    names = {s.id: s.name for s in session.scalars(select(Source))}
    members = list(session.scalars(select(Article).where(Article.story_id == story_id).order_by(Article.published_at, Article.id)))
    best = next((m for m in members if m.id == story.representative_id), members[0] if members else None)
    features = {m.id: features_of(m) for m in members}
    result = []
    for m in sorted(members, key=lambda a: (a is not best, a.id)):
        verdict, via = None, None
        if best is not None and m is not best:
            for other in [best] + [o for o in members if o is not best and o is not m]:
                candidate = judge(features[other.id], features[m.id])
                if candidate.same:
                    verdict, via = candidate, other.id
                    break
                verdict = verdict or candidate
        result.append(Member(m.id, names.get(m.source_id, m.source_id), m.title, m.url, m.published_at, m is best,
                             verdict, via))
    return result


def index_status(session: Session) -> dict[str, int]:
    """Counts that tell whether the index covers the store: stories, articles, indexed, outdated."""
    index = StoryIndex(session)
    return {
        "stories": session.scalar(select(func.count()).select_from(Story)) or 0,
        "multi_outlet_stories": session.scalar(select(func.count()).select_from(Story).where(Story.outlets > 1)) or 0,
        "articles": session.scalar(select(func.count()).select_from(Article)) or 0,
        "articles_in_stories": session.scalar(select(func.count()).select_from(Article)
                                              .where(Article.story_id.is_not(None))) or 0,
        "indexed": index.size(),
        "outdated": index.outdated(),
    }

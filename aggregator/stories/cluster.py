"""Stories in the store: attach each new article to every story it matches, keep the bookkeeping right.

A story is a connected group of the graph whose edges are the pairs the index proposes and the precise check
accepts. Both are symmetric, so the groups are the same whatever order articles arrive in, and rebuilding from
scratch gives the same groups as adding articles one by one. A new article that matches two stories joins them.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from aggregator.store.bulk import insert_returning
from aggregator.store.models import Article, Source, Story
from aggregator.store.types import SHANGHAI
from aggregator.stories.features import Features, extract
from aggregator.stories.index import Entry, StoryIndex, finds, make_entry, proposes
from aggregator.stories.match import judge

logger = logging.getLogger(__name__)

_ARTICLES = Article.__table__
_STORIES = Story.__table__
MATCHABLE = ("ok", "truncated")  # a truncated copy is still a copy; empty pages and errors are not stories
_REBUILD_BATCH = 200
_SET_STORY = update(_ARTICLES).where(_ARTICLES.c.id == bindparam("article")).values(story_id=bindparam("story"))
_checked: weakref.WeakSet[Any] = weakref.WeakSet()  # engines whose index coverage was looked at


def article_day(article: Article) -> int:
    """Ordinal of the article's publication day in Asia/Shanghai (the fetch day when the date is unknown)."""
    when = article.published_at or article.fetched_at
    return when.astimezone(SHANGHAI).date().toordinal() if when is not None else 0


def features_of(article: Article) -> Features:
    """The matcher's features of a stored article."""
    return extract(article.title or "", article.body_text or "", article_day(article))


def _warn_if_unindexed(session: Session, index: StoryIndex) -> None:
    """Once per database: say so when stories exist but the index is empty (a store from before revision 0004)."""
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    if engine in _checked:
        return
    _checked.add(engine)
    if index.size() == 0 and session.scalar(select(Story.id).limit(1)) is not None:
        logger.warning("the story index is empty but the store has stories: new articles are not matched against "
                       "them. Run `union-news reprocess --stories` once to index the stored articles.")
    elif index.outdated():
        logger.warning("the story index was built by another version; run `union-news reprocess --stories`.")


def assign_story(session: Session, article: Article) -> int | None:
    """Match `article` against every indexed article, join the stories it matches (or start one) and index it.

    Returns the article's story id. An article already in a story (its text was updated) leaves that story
    first. Articles that are not ok/truncated are taken out of their story, not indexed, and get None.
    """
    return assign_stories(session, [article])[0]


def assign_stories(session: Session, articles: Sequence[Article]) -> list[int | None]:
    """assign_story for each article in turn; returns their story ids.

    Most new articles match nothing and start a story of their own. Their writes (index rows, story, the
    article's story id) are held and made together, a few statements for the lot instead of four per article,
    before anything that could see them: an article they would be proposed to, a merge, a detach. The index is
    asked for the candidates of the whole group at once, before any of it is indexed; what this call indexes
    or takes out afterwards is accounted for in memory (_Here), so each article gets the candidates that a
    lookup of its own, at its turn, would give.
    """
    index = StoryIndex(session)
    _warn_if_unindexed(session, index)
    session.flush()
    story_ids: list[int | None] = [None] * len(articles)
    # Features and entries first (they depend on the article's text and date alone, which this call never
    # changes), so that the group's candidates are looked up together.
    prepared: dict[int, tuple[Features, Entry]] = {}
    for i, article in enumerate(articles):
        if article.status in MATCHABLE:
            mine = features_of(article)
            prepared[i] = (mine, make_entry(article.id, mine))
    # One article (assign_story) keeps its single lookup statement; a group shares a few.
    looked_up: dict[int, tuple[set[int], set[int]]] = {}
    if len(prepared) > 1:
        found = index.candidates_many([entry for _mine, entry in prepared.values()])
        looked_up = dict(zip(prepared, found, strict=True))
    here = _Here()
    held: list[tuple[int, Article, Entry, Features]] = []

    def release() -> None:
        if held:
            for (i, *_rest), story_id in zip(held, _start_stories(session, index, [h[1:] for h in held])):
                story_ids[i] = story_id
            here.release()
            held.clear()

    for i, article in enumerate(articles):
        if any(a is article for _i, a, _e, _f in held):
            release()  # the same article again (its text changed within the group): it leaves its story first
        if article.story_id is not None:
            release()
            detach(session, article, index)  # indexed articles always have a story: nothing else to take out
            here.drop(article.id)
        if i not in prepared:
            continue
        mine, entry = prepared[i]
        near = here.sharing(entry)
        if any(other.article_id in here.held and proposes(other, entry) for other in near):
            release()  # the index must hold them before it is asked about this one
        before = looked_up.get(i)
        if before is None or not before[1].isdisjoint(here.changed):
            candidates = index.candidates(entry)  # the group's lookup no longer holds for it: ask the index
        else:
            # What this call indexed is not in that lookup: it is found among the entries in memory instead.
            candidates = before[0] | {other.article_id for other in near
                                      if other.article_id not in here.held and finds(entry, other)}
        matched = _matches(index, candidates, mine)
        if not matched:
            held.append((i, article, entry, mine))
            here.add(entry, held=True)
            continue
        release()  # stories are numbered in arrival order, as when articles come one by one
        index.add(entry, mine, article.title or "")
        here.add(entry, held=False)
        story_ids[i] = _join(session, article, matched)
        refresh_story(session, story_ids[i])  # type: ignore[arg-type]
    release()
    return story_ids


class _Here:
    """The entries this call has indexed or holds, found by key: what the index would answer about them.

    `changed` are the articles this call indexed or took out of the index: a lookup made before that does not
    tell about them.
    """

    def __init__(self) -> None:
        # key -> the first entry with that key; the few keys that two entries share have the others in `more`.
        # (A list per key, some 40 per article, made the garbage collector run several times per group.)
        self.by_key: dict[int, Entry] = {}
        self.more: dict[int, list[Entry]] = {}
        self.live: dict[int, Entry] = {}  # article id -> its entry, while indexed or held
        self.held: set[int] = set()
        self.changed: set[int] = set()

    def add(self, entry: Entry, held: bool) -> None:
        """Note an entry that is now indexed, or held to be indexed with the others."""
        self.live[entry.article_id] = entry
        self.changed.add(entry.article_id)
        if held:
            self.held.add(entry.article_id)
        by_key = self.by_key
        for keys in (entry.lsh, entry.anchors):
            for key in keys:
                if by_key.setdefault(key, entry) is not entry:
                    self.more.setdefault(key, []).append(entry)

    def release(self) -> None:
        """The held entries are now indexed."""
        self.held.clear()

    def drop(self, article_id: int) -> None:
        """The article was taken out of the index."""
        self.live.pop(article_id, None)
        self.changed.add(article_id)

    def sharing(self, entry: Entry) -> list[Entry]:
        """Indexed or held entries with a key of `entry`'s (each once): all it may be proposed to or find."""
        found: dict[int, Entry] = {}
        by_key, live = self.by_key, self.live
        for keys in (entry.lsh, entry.anchors):
            for key in keys:
                first = by_key.get(key)
                if first is None:
                    continue
                for other in (first, *self.more.get(key, ())):
                    if live.get(other.article_id) is other:  # not taken out or indexed again since
                        found[other.article_id] = other
        return list(found.values())


def _matches(index: StoryIndex, candidates: set[int], mine: Features) -> set[int]:
    """Stories of the indexed `candidates` that the precise check accepts as the same story as `mine`."""
    matched: set[int] = set()
    if candidates:
        for _other, (theirs, story_id) in sorted(index.load(candidates).items()):
            if story_id is None or story_id in matched:
                continue  # already joined through another member: the group is the same
            if judge(mine, theirs).same:
                matched.add(story_id)
    return matched


def _start_stories(session: Session, index: StoryIndex, held: list[tuple[Article, Entry, Features]]) -> list[int]:
    """Index articles that matched nothing and give each a story of its own; returns their story ids."""
    index.add_many((entry, features, article.title or "") for article, entry, features in held)
    # A story of one: its figures are known without a query.
    rows = [{"size": 1, "outlets": 1, "first_seen": a.published_at, "last_seen": a.published_at,
             "representative_id": a.id} for a, _e, _f in held]
    story_ids = [int(i) for i in insert_returning(session, _STORIES, rows, "representative_id", _STORIES.c.id)]
    session.execute(_SET_STORY, [{"article": a.id, "story": s} for (a, _e, _f), s in zip(held, story_ids)])
    for (article, _e, _f), story_id in zip(held, story_ids):
        set_committed_value(article, "story_id", story_id)
    return story_ids


def _set_story(session: Session, article: Article, story_id: int | None) -> None:
    """Point the article at its story without a unit-of-work flush (this runs once per article)."""
    session.execute(_SET_STORY, {"article": article.id, "story": story_id})
    set_committed_value(article, "story_id", story_id)


def _join(session: Session, article: Article, matched: set[int]) -> int:
    """Put `article` in the oldest matched story, moving the members of the others into it; returns its id."""
    story_id, *others = sorted(matched)
    if others:
        session.execute(update(Article).where(Article.story_id.in_(others)).values(story_id=story_id))
        session.execute(update(Story).where(Story.id.in_(others)).values(representative_id=None))
        session.execute(delete(Story).where(Story.id.in_(others)))
    _set_story(session, article, story_id)
    return story_id


def detach(session: Session, article: Article, index: StoryIndex | None = None) -> None:
    """Take `article` out of its story and the index; split what remains if the article held it together."""
    index = index or StoryIndex(session)
    old = article.story_id
    index.remove([article.id])
    _set_story(session, article, None)
    if old is None:
        return
    members = list(session.scalars(select(Article.id).where(Article.story_id == old).order_by(Article.id)))
    if not members:
        session.execute(delete(Story).where(Story.id == old))
        return
    parent = {m: m for m in members}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    loaded = index.load(members)
    for a, b in sorted(index.candidate_pairs(members)):
        if find(a) != find(b) and a in loaded and b in loaded and judge(loaded[a][0], loaded[b][0]).same:
            parent[find(a)] = find(b)
    groups: dict[int, list[int]] = {}
    for m in members:
        groups.setdefault(find(m), []).append(m)
    ordered = sorted(groups.values(), key=min)
    for group in ordered[1:]:
        split = int(session.execute(insert(_STORIES).values(size=0, outlets=0)).inserted_primary_key[0])
        session.execute(update(Article).where(Article.id.in_(group)).values(story_id=split))
        refresh_story(session, split)
    refresh_story(session, old)


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
    return (rank, when, -len(article.body_text or ""))


def pick_representative(members: list[Article], sources: dict[str, Source]) -> Article:
    """The best version of a story among its members."""
    names = {m.source_id: _names(sources.get(m.source_id)) for m in members}

    def key(m: Article) -> tuple[int, float, int]:
        others = set().union(*(n for sid, n in names.items() if sid != m.source_id)) if len(names) > 1 else set()
        return representative_key(m, sources.get(m.source_id), others)

    return min(members, key=key)


_MEMBER_COLUMNS = (Article.id, Article.source_id, Article.published_at, Article.extra, Article.origin,
                   Article.wechat_biz, Article.body_text)


def _sources(session: Session, ids: set[str]) -> dict[str, Any]:
    """Name and config of sources by id, cached on the session (read for every story refreshed).

    Plain snapshots rather than ORM objects, so the cache survives expunge_all() and commits.
    """
    cache: dict[str, Any] = session.info.setdefault("union_news_sources", {})
    missing = ids - cache.keys()
    if missing:
        for source_id, name, config in session.execute(select(Source.id, Source.name, Source.config)
                                                       .where(Source.id.in_(missing))):
            cache[source_id] = SimpleNamespace(name=name, config=config or {})
    return {i: cache[i] for i in ids if i in cache}


def refresh_story(session: Session, story: Story | int) -> None:
    """Recompute a story's size, outlets, time span and representative (the digest ranks by size)."""
    story_id = story if isinstance(story, int) else story.id
    # Plain rows, not ORM objects: only the columns the bookkeeping and pick_representative read.
    members = session.execute(select(*_MEMBER_COLUMNS).where(Article.story_id == story_id)).all()
    if not members:
        return
    sources = _sources(session, {m.source_id for m in members})
    dates = [m.published_at for m in members if m.published_at is not None]
    values = {
        "size": len(members), "outlets": len({m.source_id for m in members}),
        "first_seen": min(dates) if dates else None, "last_seen": max(dates) if dates else None,
        "representative_id": pick_representative(members, sources).id,  # type: ignore[arg-type]
    }
    # An ORM-enabled UPDATE: a Story object already in the session gets the new values too.
    session.execute(update(Story).where(Story.id == story_id).values(**values))


def rebuild_stories(session: Session, progress: Callable[[int, int], None] | None = None) -> int:
    """Empty the index and the stories, then assign every article again in publication order; returns the count.

    `progress(done, total)` is called after each batch.
    """
    index = StoryIndex(session)
    index.clear()
    session.execute(update(Article).values(story_id=None))
    session.execute(update(Story).values(representative_id=None))
    session.execute(delete(Story))
    session.flush()
    session.expire_all()
    ids = list(session.scalars(select(Article.id).where(Article.status.in_(MATCHABLE))
                               .order_by(Article.published_at, Article.id)))
    for start in range(0, len(ids), _REBUILD_BATCH):
        batch = ids[start : start + _REBUILD_BATCH]
        articles = {a.id: a for a in session.scalars(select(Article).where(Article.id.in_(batch)))}
        assign_stories(session, [articles[article_id] for article_id in batch])
        session.flush()
        session.expunge_all()  # everything is flushed; dropping the identity map keeps memory flat on large stores
        done = min(start + _REBUILD_BATCH, len(ids))
        if progress:
            progress(done, len(ids))
        if done % 5000 < _REBUILD_BATCH or done == len(ids):
            logger.info("rebuilding stories: %d of %d articles", done, len(ids))
    return session.scalar(select(func.count()).select_from(Story)) or 0

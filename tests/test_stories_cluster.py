"""Stories in the store: incremental matching, merges, updates, rebuilds, persistence and bookkeeping."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from aggregator.processing import store_record
from aggregator.records import ArticleRecord
from aggregator.store import Store, open_store
from aggregator.store.models import Article, Source, Story, StoryBand, StorySignature
from aggregator.store.types import SHANGHAI
from aggregator.stories import assign_story, rebuild_stories
from aggregator.stories.cluster import features_of
from aggregator.stories.evaluate import Item, insert_items, read_items, stories_of
from aggregator.stories.index import StoryIndex, make_entry

DATA = Path(__file__).parent / "data"


def partition(labels: dict[str, int | None]) -> list[list[str]]:
    """Story ids do not matter, only who is grouped with whom."""
    groups: dict[int | None, list[str]] = {}
    for item, story in labels.items():
        groups.setdefault(story, []).append(item)
    return sorted(sorted(g) for g in groups.values())


@pytest.fixture(scope="module")
def items() -> list[Item]:
    return read_items(DATA / "stories_labeled.jsonl")


def by_id(items: list[Item], *ids: str) -> list[Item]:
    wanted = {i: None for i in ids}
    found = {item.id: item for item in items if item.id in wanted}
    return [found[i] for i in ids]


def test_reposts_and_rewrite_join_one_story_unrelated_stay_apart(store: Store, items: list[Item]) -> None:
    chosen = by_id(items, "s01-a", "s01-b", "s01-rw", "s02-a", "n01-a")
    labels = stories_of(store, insert_items(store, chosen))
    assert labels["s01-a"] == labels["s01-b"] == labels["s01-rw"]
    assert len({labels["s01-a"], labels["s02-a"], labels["n01-a"]}) == 3
    with store.sessions() as session:
        story = session.get(Story, labels["s01-a"])
        assert (story.size, story.outlets) == (3, 3)
        assert story.first_seen == min(i.published for i in chosen[:3])
        assert story.representative_id is not None
        assert session.scalar(select(func.count()).select_from(Story)) == 3


def test_an_article_matching_two_stories_merges_them_into_the_oldest(store: Store) -> None:
    dev = read_items(DATA / "stories_dev.jsonl")
    # A trimmed repost and an independent write-up share too few facts to match each other directly;
    # the full original matches both.
    trimmed, rewrite, original = by_id(dev, "d02-b", "d02-rw", "d02-a")
    a = stories_of(store, insert_items(store, [trimmed]))["d02-b"]
    b = stories_of(store, insert_items(store, [rewrite]))["d02-rw"]
    assert a != b
    labels = stories_of(store, insert_items(store, [original]))
    with store.sessions() as session:
        assert set(session.scalars(select(Article.story_id))) == {min(a, b)} == {labels["d02-a"]}
        assert session.get(Story, max(a, b)) is None
        story = session.get(Story, min(a, b))
        assert (story.size, story.outlets) == (3, 2)  # the repost and the write-up are both 福建工人报's


def test_incremental_equals_rebuild_and_order_does_not_matter(tmp_path: Path, items: list[Item]) -> None:
    results = []
    for seed in (0, 1):
        shuffled = items[:]
        random.Random(seed).shuffle(shuffled)
        store = open_store(str(tmp_path / f"s{seed}.db"))
        ids = insert_items(store, shuffled)
        results.append(partition(stories_of(store, ids)))
        with store.session() as session:
            rebuild_stories(session)
        results.append(partition(stories_of(store, ids)))
        store.close()
    assert all(r == results[0] for r in results)
    assert len(results[0]) == 60  # 20 stories and 40 hard negatives


def test_index_survives_a_restart(tmp_path: Path, items: list[Item]) -> None:
    path = str(tmp_path / "restart.db")
    store = open_store(path)
    first = insert_items(store, by_id(items, "s03-a", "n03-a"))
    store.close()
    reopened = open_store(path)
    later = insert_items(reopened, by_id(items, "s03-c", "s03-rw"))
    labels = stories_of(reopened, {**first, **later})
    reopened.close()
    assert labels["s03-a"] == labels["s03-c"] == labels["s03-rw"] != labels["n03-a"]


def test_index_rows_and_signature_are_written(store: Store, items: list[Item]) -> None:
    ids = insert_items(store, by_id(items, "s04-a"))
    with store.sessions() as session:
        signature = session.get(StorySignature, ids["s04-a"])
        assert signature is not None and len(signature.signature) == 4 * 128 and signature.version >= 1
        assert signature.facts["city"] == "成都" and "n:9.2万" in signature.facts["anchors"]
        bands = session.scalars(select(StoryBand).where(StoryBand.article_id == ids["s04-a"])).all()
        assert sum(b.band < 64 for b in bands) == 32
        assert sum(b.band == 64 for b in bands) == len(signature.facts["anchors"])


def test_anchor_candidates_only_within_the_window(store: Store, items: list[Item]) -> None:
    insert_items(store, by_id(items, "s04-a"))
    rewrite = by_id(items, "s04-rw")[0]
    with store.session() as session:
        session.add(Source(id="late", name="迟到的报纸", kind="site", family="generic", config={}))
        for label, days in (("near", 1), ("far", 30)):
            article = Article(url=f"t:{label}", source_id="late", title=rewrite.title, body_text=rewrite.text,
                              published_at=rewrite.published + timedelta(days=days), fetched_at=rewrite.published,
                              status="ok", extra={})
            session.add(article)
            session.flush()
            entry = make_entry(article.id, features_of(article))
            found = StoryIndex(session).candidates(entry)
            assert bool(found) is (label == "near"), label
            session.delete(article)


def test_copies_are_found_beyond_the_write_up_window(store: Store, items: list[Item]) -> None:
    original = by_id(items, "s05-a")[0]
    insert_items(store, [original])
    # 40 days later: far outside the anchor window, found through the LSH bands of the whole history
    late = Item("late", original.title, original.text, "x", original.published + timedelta(days=40), "后来转载的网站")
    labels = stories_of(store, insert_items(store, [late]))
    with store.sessions() as session:
        assert session.get(Story, labels["late"]).size == 2


def test_updated_text_leaves_its_story_and_splits_what_it_held(store: Store, items: list[Item]) -> None:
    chosen = by_id(items, "s01-a", "s01-b", "s01-rw", "n01-a")
    ids = insert_items(store, chosen)
    before = stories_of(store, ids)
    assert before["s01-a"] == before["s01-b"] == before["s01-rw"]
    other = by_id(items, "n01-a")[0]
    with store.session() as session:  # s01-a turns out to be a page with another story's text
        article = session.get(Article, ids["s01-a"])
        article.title, article.body_text = other.title, other.text
        session.flush()
        assign_story(session, article)
    after = stories_of(store, ids)
    assert after["s01-a"] == after["n01-a"]
    assert after["s01-b"] == after["s01-rw"] != after["s01-a"]
    with store.session() as session:  # the same as building from scratch
        rebuild_stories(session)
    assert partition(stories_of(store, ids)) == partition(after)


def test_articles_that_are_not_ok_are_not_stories(store: Store, items: list[Item]) -> None:
    ids = insert_items(store, by_id(items, "s06-a", "s06-b"))
    with store.session() as session:
        article = session.get(Article, ids["s06-b"])
        article.status = "deleted"
        session.flush()
        assert assign_story(session, article) is None
    with store.sessions() as session:
        assert session.get(Article, ids["s06-b"]).story_id is None
        assert session.get(StorySignature, ids["s06-b"]) is None
        assert session.get(Story, session.get(Article, ids["s06-a"]).story_id).size == 1


def test_store_record_attaches_stories(store: Store) -> None:
    now = datetime(2025, 7, 20, 12, tzinfo=SHANGHAI)
    text = ("7月18日，苏州市总工会党组书记沈卫东一行来到轨道交通7号线施工现场，开展“夏送清凉”慰问活动，送去西瓜和防暑药品。\n"
            "今年苏州各级工会计划投入资金3180万元，慰问一线职工约42万人次，全市1135个工会驿站延长开放时间。")
    with store.session() as session:
        for sid, name in (("szgh", "苏州市总工会"), ("wx_sz", "苏州工会微信公众号")):
            session.add(Source(id=sid, name=name, kind="site", family="generic", config={}))
    results = []
    for sid, prefix in (("szgh", ""), ("wx_sz", "连日来，苏城持续高温。\n")):
        record = ArticleRecord(url=f"http://example.org/{sid}", source_id=sid, title="苏州市总工会送清凉到一线",
                               body_text=prefix + text, published_at=now - timedelta(days=2), status="ok",
                               content_hash=sid)
        results.append(store_record(store, record, None, now, keep_raw=False))
    with store.sessions() as session:
        stories = {session.get(Article, r.article.id).story_id for r in results}
        assert len(stories) == 1
        story = session.get(Story, stories.pop())
        assert (story.size, story.outlets) == (2, 2)


def test_representative_prefers_the_original_over_a_repost(store: Store) -> None:
    text = ("7月18日，苏州市总工会党组书记沈卫东一行来到轨道交通7号线施工现场，开展“夏送清凉”慰问活动，送去西瓜和防暑药品。\n"
            "今年苏州各级工会计划投入资金3180万元，慰问一线职工约42万人次，全市1135个工会驿站延长开放时间。")
    when = datetime(2025, 7, 18, 20, tzinfo=SHANGHAI)
    with store.session() as session:
        session.add(Source(id="szgh", name="苏州市总工会", kind="site", family="generic", config={}))
        session.add(Source(id="cnw", name="中工网", kind="site", family="generic", config={}))
        repost = Article(url="http://example.org/cnw", source_id="cnw", title="转载", body_text=text, origin="苏州市总工会",
                         published_at=when - timedelta(hours=2), fetched_at=when, status="ok", extra={})
        original = Article(url="http://example.org/szgh", source_id="szgh", title="原稿", body_text=text,
                           published_at=when, fetched_at=when, status="ok", extra={})
        session.add_all([repost, original])
        session.flush()
        assign_story(session, repost)
        story_id = assign_story(session, original)
        assert story_id == repost.story_id
        # the earlier copy names the other outlet as its 来源: the later original wins
        assert session.get(Story, story_id).representative_id == original.id


def test_rebuild_reports_the_number_of_stories(store: Store, items: list[Item]) -> None:
    insert_items(store, by_id(items, "s07-a", "s07-b", "n07-a"))
    with store.session() as session:
        assert rebuild_stories(session) == 2
        assert session.scalar(select(func.count()).select_from(StorySignature)) == 3


def test_a_store_with_stories_but_no_index_says_what_to_run(store: Store, items: list[Item],
                                                            caplog: pytest.LogCaptureFixture) -> None:
    """A store grouped before revision 0004 has stories and an empty index: the log says to rebuild."""
    with store.session() as session:
        session.add(Source(id="old", name="旧网站", kind="site", family="generic", config={}))
        session.add(Story(size=1, outlets=1))
    with caplog.at_level("WARNING", logger="aggregator.stories.cluster"):
        insert_items(store, by_id(items, "s08-a"))
    assert "union-news reprocess --stories" in caplog.text


def test_indexing_warms_the_cache_with_what_load_would_rebuild(store: Store, items: list[Item]) -> None:
    from aggregator.stories.index import _cache_for

    ids = insert_items(store, items[:20])
    with store.sessions() as session:
        index = StoryIndex(session)
        cache = _cache_for(session)
        warm = {a: cache[a][1] for a in ids.values()}
        cache.clear()
        loaded = {a: features for a, (features, _story) in index.load(ids.values()).items()}
    assert warm.keys() == loaded.keys()
    for article_id, features in warm.items():
        again = loaded[article_id]
        assert (features.shingles == again.shingles).all()
        assert features.facts() == again.facts() and features.title == again.title and features.core == again.core


def test_a_group_gets_the_candidates_of_one_lookup_per_article(store: Store, items: list[Item],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """assign_stories looks the group's candidates up at once, then accounts for what it indexes and detaches
    itself: every article must be judged against what a lookup of its own, at its turn, would find."""
    from aggregator.stories import cluster

    stored = insert_items(store, by_id(items, "s01-a", "s02-a", "s03-a", "n01-a"))
    entries: dict[int, object] = {}
    checked: list[set[int]] = []
    make, matches = cluster.make_entry, cluster._matches

    def remember(article_id: int, features: object) -> object:
        entries[id(features)] = entry = make(article_id, features)  # type: ignore[arg-type]
        return entry

    def checking(index: StoryIndex, candidates: set[int], mine: object) -> set[int]:
        assert candidates == index.candidates(entries[id(mine)])  # type: ignore[arg-type]
        checked.append(candidates)
        return matches(index, candidates, mine)  # type: ignore[arg-type]

    monkeypatch.setattr(cluster, "make_entry", remember)
    monkeypatch.setattr(cluster, "_matches", checking)
    rest = [i for i in items if i.id not in ("s01-a", "s02-a", "s03-a", "n01-a")]
    random.Random(3).shuffle(rest)
    other = by_id(items, "n02-a")[0]
    with store.session() as session:
        session.add(Source(id="grp", name="一组", kind="site", family="generic", config={}))
        # n01-a is deleted and leaves its index rows behind; SQLite gives its id to the group's first article.
        gone = by_id(items, "n01-a")[0]
        session.delete(session.get(Article, stored["n01-a"]))
        session.flush()
        rest.insert(20, Item("again", gone.title, gone.text, "x", gone.published, "又一家"))
        fetched = datetime(2025, 1, 1, tzinfo=SHANGHAI)
        new = [Article(url=f"grp:{i.id}", source_id="grp", title=i.title, body_text=i.text,
                       published_at=i.published, fetched_at=fetched, status="ok", extra={}) for i in rest]
        session.add_all(new)
        # Stored s01-a now carries another story's text: it leaves its story (and the index) within the group,
        # after the lookup that found it for its reposts; s02-a comes twice.
        changed, twice = session.get(Article, stored["s01-a"]), session.get(Article, stored["s02-a"])
        changed.title, changed.body_text = other.title, other.text
        session.flush()
        group = new[:10] + [changed] + new[10:40] + [twice] + new[40:] + [twice]
        assert new[0].id == stored["n01-a"]
        cluster.assign_stories(session, group)
    assert len(checked) == len(group) and sum(1 for c in checked if c) > 40
    grouped = stories_of(store, {a.url: a.id for a in group})
    with store.session() as session:
        rebuild_stories(session)
    assert partition(stories_of(store, {a.url: a.id for a in group})) == partition(grouped)

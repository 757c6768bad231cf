"""The story index in the store: who might be the same story as a new article, found in sub-linear time.

Two kinds of keys go into story_bands, each row carrying the article's publication day:
- LSH band keys (band 0..BANDS-1) of the MinHash signature: near-verbatim copies share at least one, whenever
  they were published (the whole history is searched);
- anchor keys (band ANCHOR_BAND) of the article's specific facts (figures, people, quoted names, the event's
  day and city): independent write-ups of one event share two or more, published within WINDOW_DAYS.
The table's primary key is (key, day, article_id), so both lookups are range scans of one B-tree whose cost
follows the number of matching rows, not the size of the store. Candidates are then judged exactly
(aggregator/stories/match.py) on facts stored in story_signatures and shingles recomputed from the text.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import bindparam, delete, func, literal, select, union_all
from sqlalchemy.orm import Session

from aggregator.store.bulk import insert_tuples
from aggregator.store.driver import execute_compiled
from aggregator.store.models import Article, StoryBand, StorySignature
from aggregator.stories import minhash
from aggregator.stories.features import FEATURES_VERSION, Features, shingles_of
from aggregator.stories.match import WINDOW_DAYS

ANCHOR_BAND = 64
MIN_SHARED_ANCHORS = 2  # one shared figure or name is common between unrelated reports; two rarely are
# A candidate found only through a band is read (its text loaded, its shingles recomputed) only when the
# signatures say it may hold this much of the smaller text. A copy holds at least REPOST_CONTAINMENT (0.5); the
# estimate's standard error is about 0.08 for texts of equal size and grows as the sizes drift apart, but a copy
# holding half of a text three times its length is rarely a band candidate anyway (J = 0.14: 1%) and is found
# through its anchors. Chance band collisions with unrelated articles grow with the history: this keeps each
# from costing more than a comparison of two signatures.
LSH_PRECHECK = 0.3
VIA_BAND, VIA_ANCHORS = 1, 2
_CHUNK = 500  # ids per IN (...) list, under every database's bound-parameter limit
_KEY_NAMES = tuple(f"k{i}" for i in range(_CHUNK))  # the bound values of candidates_many's statements

# Core tables: the index's statements skip the ORM (they run several times per article).
_BANDS = StoryBand.__table__
_SIGNATURES = StorySignature.__table__
_ARTICLES = Article.__table__


# insert_tuples() takes tuples in the tables' column order: add_many and Entry.row_tuples() build them so.
_BAND_COLUMNS = ("key", "day", "article_id", "band")
_SIGNATURE_COLUMNS = ("article_id", "signature", "shingles", "day", "version", "facts")
assert tuple(_BANDS.c.keys()) == _BAND_COLUMNS and tuple(_SIGNATURES.c.keys()) == _SIGNATURE_COLUMNS


def _lookup(lsh: int, anchors: int) -> Any:
    """The candidates query for `lsh` LSH keys and `anchors` anchor keys (either part left out when it has none).

    LSH and anchor keys are hashed apart (minhash.band_keys, minhash.text_key), so the key alone says which kind
    a row is. Both parts go in one round trip.
    """
    parts: list[Any] = []
    if lsh:
        parts.append(select(_BANDS.c.article_id, literal(VIA_BAND).label("via"))
                     .where(_BANDS.c.key.in_([bindparam(f"l{i}") for i in range(lsh)])))
    if anchors:
        parts.append(select(_BANDS.c.article_id, literal(VIA_ANCHORS).label("via"))
                     .where(_BANDS.c.key.in_([bindparam(f"k{i}") for i in range(anchors)]),
                            _BANDS.c.day.between(bindparam("low"), bindparam("high")))
                     .group_by(_BANDS.c.article_id)
                     .having(func.count() >= MIN_SHARED_ANCHORS))
    return parts[0] if len(parts) == 1 else union_all(*parts)


_SIGS = select(_SIGNATURES.c.article_id, _SIGNATURES.c.signature, _SIGNATURES.c.shingles).where(
    _SIGNATURES.c.article_id.in_(bindparam("ids", expanding=True)))
_STORED = select(_SIGNATURES.c.article_id, _SIGNATURES.c.day, _SIGNATURES.c.signature, _SIGNATURES.c.shingles,
                 _SIGNATURES.c.facts).where(_SIGNATURES.c.article_id.in_(bindparam("ids", expanding=True)))

# Features of recently matched articles: reposts arrive within days, so the same articles are candidates again
# and again, and recomputing their shingles is the costly part of loading them. One bounded cache per engine;
# an entry is used only while the article's stored signature is the one it was computed with, so a text changed
# by another process (which re-indexes the article) is never served stale.
_CACHE_SIZE = 4096
_caches: weakref.WeakKeyDictionary[Any, OrderedDict[int, tuple[bytes, Features]]] = weakref.WeakKeyDictionary()


def _cache_for(session: Session) -> OrderedDict[int, tuple[bytes, Features]]:
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    cache = _caches.get(engine)
    if cache is None:
        cache = _caches[engine] = OrderedDict()
    return cache


def _trim(cache: OrderedDict[int, tuple[bytes, Features]]) -> None:
    """Drop the least recently used entries beyond the cache's bound."""
    while len(cache) > _CACHE_SIZE:
        cache.popitem(last=False)


@dataclass(frozen=True, slots=True)
class Entry:
    """What the index holds for one article."""

    article_id: int
    day: int
    signature: np.ndarray
    shingles: int  # size of the shingle set
    lsh: tuple[int, ...]
    anchors: tuple[int, ...]

    def row_tuples(self) -> list[tuple[int, int, int, int]]:
        """The story_bands rows of this entry as (key, day, article_id, band), the table's column order."""
        day, article_id = self.day, self.article_id
        rows = [(k, day, article_id, b) for b, k in enumerate(self.lsh)]
        rows += [(k, day, article_id, ANCHOR_BAND) for k in self.anchors]
        return rows


def make_entry(article_id: int, features: Features) -> Entry:
    """The index entry of an article from its features (no shingles, no LSH keys: nothing to compare on)."""
    sig = minhash.signature(features.shingles)
    return _entry(article_id, features.day, sig, int(features.shingles.size), features.anchors)


def _entry(article_id: int, day: int, sig: np.ndarray, shingles: int, anchors: Iterable[str]) -> Entry:
    lsh = tuple(minhash.band_keys(sig)) if shingles else ()
    keys = tuple(sorted({minhash.text_key("anchor", a) for a in anchors}))
    return Entry(article_id, day, sig, shingles, lsh, keys)


def proposes(a: Entry, b: Entry) -> bool:
    """Whether the index proposes `a` and `b` to each other (symmetric): what assign_story finds, pair by pair."""
    if abs(a.day - b.day) <= WINDOW_DAYS and len(set(a.anchors) & set(b.anchors)) >= MIN_SHARED_ANCHORS:
        return True
    return bool(set(a.lsh) & set(b.lsh)) and \
        minhash.containment_estimate(a.signature, a.shingles, b.signature, b.shingles) >= LSH_PRECHECK


def finds(entry: Entry, other: Entry) -> bool:
    """Whether candidates(entry) finds `other` once `other` is indexed, on the lookup's own terms.

    The database matches keys whatever their band, so a key of either kind counts here; proposes() compares
    LSH keys with LSH keys and anchors with anchors: the same unless an LSH key and an anchor key collide.
    """
    if other.article_id == entry.article_id:
        return False
    theirs = set(other.lsh)
    theirs.update(other.anchors)
    if len(entry.anchors) >= MIN_SHARED_ANCHORS and abs(other.day - entry.day) <= WINDOW_DAYS \
            and len(theirs.intersection(entry.anchors)) >= MIN_SHARED_ANCHORS:
        return True
    if theirs.isdisjoint(entry.lsh):
        return False
    estimate = minhash.containment_estimate(entry.signature, entry.shingles, other.signature, other.shingles)
    return estimate >= LSH_PRECHECK


def _keys_lookup() -> Any:
    """The band rows of _CHUNK keys, of any day: candidates_many's LSH part."""
    return select(_BANDS.c.key, _BANDS.c.article_id).where(
        _BANDS.c.key.in_([bindparam(name) for name in _KEY_NAMES]))


def _anchors_lookup() -> Any:
    """The band rows of _CHUNK keys within [low, high]: candidates_many's anchor part."""
    return (select(_BANDS.c.key, _BANDS.c.day, _BANDS.c.article_id)
            .where(_BANDS.c.key.in_([bindparam(name) for name in _KEY_NAMES]),
                   _BANDS.c.day.between(bindparam("low"), bindparam("high"))))


def _padded(keys: list[int]) -> Iterable[dict[str, int]]:
    """`keys` in chunks of exactly _CHUNK bound values (the last key repeated: IN ignores it), so that one
    compiled statement serves every chunk."""
    for chunk in _chunks(keys):
        chunk += [chunk[-1]] * (_CHUNK - len(chunk))
        yield dict(zip(_KEY_NAMES, chunk, strict=True))


def _day_groups(entries: list[Entry]) -> list[tuple[int, int, list[int]]]:
    """(low, high, anchor keys) of the groups of entries whose windows overlap: a group's range scans read no
    more days than its entries' own lookups would, however far apart the groups are."""
    groups: list[tuple[int, int, list[int]]] = []
    for entry in sorted(entries, key=lambda e: e.day):
        low, high = entry.day - WINDOW_DAYS, entry.day + WINDOW_DAYS
        if groups and low <= groups[-1][1]:
            groups[-1] = (groups[-1][0], high, groups[-1][2] + list(entry.anchors))
        else:
            groups.append((low, high, list(entry.anchors)))
    return [(low, high, sorted(set(keys))) for low, high, keys in groups]


def _prechecked(entry: Entry, via: dict[int, int], signatures: dict[int, tuple[np.ndarray, int]]) -> set[int]:
    """The candidates of a lookup (article -> VIA_* bits): those met through two anchors, and those met
    through a band only whose signature (in `signatures`) makes a copy of `entry` possible."""
    found = {a for a, how in via.items() if how & VIA_ANCHORS}
    for article_id, how in via.items():
        if how == VIA_BAND and article_id in signatures:
            sig, shingles = signatures[article_id]
            if minhash.containment_estimate(entry.signature, entry.shingles, sig, shingles) >= LSH_PRECHECK:
                found.add(article_id)
    return found


def _chunks(values: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


class StoryIndex:
    """The LSH and anchor index kept in story_signatures / story_bands, used through a session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, entry: Entry, features: Features, title: str = "") -> None:
        """Index one article (not indexed yet: callers remove an article before indexing it again)."""
        self.add_many([(entry, features, title)])

    def add_many(self, entries: Iterable[tuple[Entry, Features, str]]) -> None:
        """Index articles (none indexed yet), with one statement per table for the lot.

        Their features also go into the cache that load() reads, as load() would rebuild them (from the stored
        facts and the stored title): the next articles of a crawl are often proposed these as candidates.
        """
        signatures: list[tuple[Any, ...]] = []
        rows: list[tuple[int, int, int, int]] = []
        cache = _cache_for(self.session)
        for entry, features, title in entries:
            signature, facts = minhash.to_bytes(entry.signature), features.facts()
            signatures.append((entry.article_id, signature, int(features.shingles.size), entry.day,
                               FEATURES_VERSION, facts))  # _SIGNATURE_COLUMNS
            rows += entry.row_tuples()
            cache[entry.article_id] = (signature, Features.from_facts(facts, features.shingles, title))
            cache.move_to_end(entry.article_id)
        _trim(cache)
        insert_tuples(self.session, _SIGNATURES, signatures)
        # In key order: each row goes to a random place of the table's B-tree; in order, its pages are visited
        # in turn (on a table of 800,000 rows, a few percent less CPU for the group's store and commit).
        rows.sort()
        insert_tuples(self.session, _BANDS, rows)

    def stored(self, article_ids: Iterable[int]) -> dict[int, Entry]:
        """The entries of indexed articles, rebuilt from their stored signature and facts."""
        entries: dict[int, Entry] = {}
        for chunk in _chunks(sorted(set(article_ids))):
            for article_id, day, sig, shingles, facts in self.session.execute(_STORED, {"ids": chunk}):
                anchors = (facts or {}).get("anchors", ())
                entries[article_id] = _entry(article_id, day or 0, minhash.from_bytes(sig), shingles, anchors)
        return entries

    def remove(self, article_ids: list[int]) -> None:
        """Take articles out of the index (their band rows are found through their stored entries)."""
        cache = _cache_for(self.session)
        for article_id, entry in self.stored(article_ids).items():
            keys = list(entry.lsh + entry.anchors)
            if keys:
                self.session.execute(delete(_BANDS).where(_BANDS.c.key.in_(keys), _BANDS.c.day == entry.day,
                                                          _BANDS.c.article_id == article_id))
        for chunk in _chunks(sorted(set(article_ids))):
            self.session.execute(delete(_SIGNATURES).where(_SIGNATURES.c.article_id.in_(chunk)))
            for article_id in chunk:
                cache.pop(article_id, None)

    def candidates(self, entry: Entry) -> set[int]:
        """Indexed articles the index proposes for `entry` (see proposes()): two anchors within the window, or an
        LSH band and signatures that make a copy possible."""
        lsh = len(entry.lsh)
        anchors = len(entry.anchors) if len(entry.anchors) >= MIN_SHARED_ANCHORS else 0
        if not lsh and not anchors:
            return set()
        values: dict[str, Any] = {"low": entry.day - WINDOW_DAYS, "high": entry.day + WINDOW_DAYS}
        values.update((f"l{i}", key) for i, key in enumerate(entry.lsh))
        values.update((f"k{i}", key) for i, key in enumerate(entry.anchors[:anchors]))
        # Once per article: compiled once per number of keys and run by the driver (see store.driver).
        via: dict[int, int] = {}
        for article_id, how in execute_compiled(self.session, ("story_candidates", lsh, anchors),
                                                lambda: _lookup(lsh, anchors), values):
            via[article_id] = via.get(article_id, 0) | how
        via.pop(entry.article_id, None)
        return _prechecked(entry, via, self._signatures(a for a, how in via.items() if how == VIA_BAND))

    def candidates_many(self, entries: Sequence[Entry]) -> list[tuple[set[int], set[int]]]:
        """For each entry, (candidates(entry), every indexed article with a row its keys meet), in a few
        statements for the lot instead of one per entry.

        The rows of all the entries' keys are read at once and each entry's lookup is then done on them as the
        database does it: LSH keys over the whole history, two anchors within the window, the signature
        precheck for articles met through a band only. The second set tells a caller that changes the index
        afterwards whether the first still holds: it does while none of those articles is taken out of the
        index or indexed again.
        """
        by_lsh: dict[int, set[int]] = {}  # LSH key -> articles with a row of that key, any day
        keys = sorted({key for entry in entries for key in entry.lsh})
        for chunk in _padded(keys):
            rows = execute_compiled(self.session, ("story_keys", _CHUNK), _keys_lookup, chunk)
            for key, article_id in rows:
                by_lsh.setdefault(key, set()).add(article_id)
        by_anchor: dict[int, set[tuple[int, int]]] = {}  # anchor key -> (day, article) of its rows near by
        with_anchors = [entry for entry in entries if len(entry.anchors) >= MIN_SHARED_ANCHORS]
        for low, high, group_keys in _day_groups(with_anchors):
            for chunk in _padded(group_keys):
                rows = execute_compiled(self.session, ("story_anchor_keys", _CHUNK), _anchors_lookup,
                                        {**chunk, "low": low, "high": high})
                for key, day, article_id in rows:
                    by_anchor.setdefault(key, set()).add((day, article_id))
        vias: list[dict[int, int]] = []
        for entry in entries:
            via = dict.fromkeys((a for key in entry.lsh for a in by_lsh.get(key, ())), VIA_BAND)
            if len(entry.anchors) >= MIN_SHARED_ANCHORS:
                low, high = entry.day - WINDOW_DAYS, entry.day + WINDOW_DAYS
                shared: dict[int, int] = {}  # rows within the window, as the lookup's count(*) counts them
                for key in entry.anchors:
                    for day, article_id in by_anchor.get(key, ()):
                        if low <= day <= high:
                            shared[article_id] = shared.get(article_id, 0) + 1
                for article_id, count in shared.items():
                    if count >= MIN_SHARED_ANCHORS:
                        via[article_id] = via.get(article_id, 0) | VIA_ANCHORS
            via.pop(entry.article_id, None)
            vias.append(via)
        # The signatures of the articles met through a band only, read once for all the entries.
        signatures = self._signatures({a for via in vias for a, how in via.items() if how == VIA_BAND})
        return [(_prechecked(entry, via, signatures), set(via)) for entry, via in zip(entries, vias, strict=True)]

    def _signatures(self, article_ids: Iterable[int]) -> dict[int, tuple[np.ndarray, int]]:
        """(signature, shingle count) of indexed articles, by article id."""
        signatures: dict[int, tuple[np.ndarray, int]] = {}
        for chunk in _chunks(sorted(set(article_ids))):
            for article_id, sig, shingles in self.session.execute(_SIGS, {"ids": chunk}):
                signatures[article_id] = (minhash.from_bytes(sig), shingles)
        return signatures

    def load(self, article_ids: Iterable[int]) -> dict[int, tuple[Features, int | None]]:
        """Features (stored facts, shingles recomputed from the text) and story of indexed articles.

        Ids without an article (a row left by a deleted article) are left out.
        """
        cache = _cache_for(self.session)
        current: dict[int, tuple[int | None, bytes]] = {}
        for chunk in _chunks(sorted(article_ids)):
            query = (select(_ARTICLES.c.id, _ARTICLES.c.story_id, _SIGNATURES.c.signature)
                     .join(_SIGNATURES, _SIGNATURES.c.article_id == _ARTICLES.c.id).where(_ARTICLES.c.id.in_(chunk)))
            current.update((a, (story, bytes(sig))) for a, story, sig in self.session.execute(query))
        stale = [a for a, (_story, sig) in current.items() if a not in cache or cache[a][0] != sig]
        for chunk in _chunks(stale):
            query = (select(_ARTICLES.c.id, _ARTICLES.c.title, _ARTICLES.c.body_text, _SIGNATURES.c.facts)
                     .join(_SIGNATURES, _SIGNATURES.c.article_id == _ARTICLES.c.id).where(_ARTICLES.c.id.in_(chunk)))
            for article_id, title, body, facts in self.session.execute(query):
                features = Features.from_facts(facts or {}, shingles_of(title or "", body or ""), title or "")
                cache[article_id] = (current[article_id][1], features)
        result: dict[int, tuple[Features, int | None]] = {}
        for article_id, (story_id, _sig) in current.items():
            cache.move_to_end(article_id)
            result[article_id] = (cache[article_id][1], story_id)
        _trim(cache)
        return result

    def candidate_pairs(self, article_ids: list[int]) -> set[tuple[int, int]]:
        """Pairs among `article_ids` that the index would propose to each other (a < b)."""
        entries = self.stored(article_ids)
        ids = sorted(entries)
        return {(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :] if proposes(entries[a], entries[b])}

    def size(self) -> int:
        """How many articles are indexed."""
        return self.session.scalar(select(func.count()).select_from(_SIGNATURES)) or 0

    def outdated(self) -> int:
        """How many indexed articles were indexed by another version of the features."""
        return self.session.scalar(select(func.count()).select_from(_SIGNATURES)
                                   .where(_SIGNATURES.c.version != FEATURES_VERSION)) or 0

    def clear(self) -> None:
        """Empty the index."""
        self.session.execute(delete(_BANDS))
        self.session.execute(delete(_SIGNATURES))
        _cache_for(self.session).clear()

"""The story index in the store: who might be the same story as a new article, found in sub-linear time.

Two kinds of keys go into story_bands, each row carrying the article's publication day:
- LSH band keys (band 0..BANDS-1) of the MinHash signature: near-verbatim copies share at least one, whenever
  they were published (the whole history is searched);
- anchor keys (band ANCHOR_BAND) of the article's specific facts (figures, people, quoted names, the event's
  day and city): independent write-ups of one event share two or more, published within WINDOW_DAYS.
Both lookups are index range scans on (key, day), so their cost follows the number of matching rows, not the
size of the store. Candidates are then judged exactly (aggregator/stories/match.py) on facts stored in
story_signatures and shingles recomputed from the article's text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from aggregator.stories import minhash
from aggregator.stories.features import FEATURES_VERSION, Features, shingles_of
from aggregator.stories.match import WINDOW_DAYS
from aggregator.store.models import Article, StoryBand, StorySignature

ANCHOR_BAND = 64
MIN_SHARED_ANCHORS = 2  # one shared figure or name is common between unrelated reports; two rarely are
_CHUNK = 500  # ids per IN (...) list, under every database's bound-parameter limit


@dataclass(frozen=True, slots=True)
class Entry:
    """What the index holds for one article."""

    article_id: int
    day: int
    signature: np.ndarray
    lsh: tuple[int, ...]
    anchors: tuple[int, ...]


def make_entry(article_id: int, features: Features) -> Entry:
    """The index entry of an article from its features (no shingles, no LSH keys: nothing to compare on)."""
    sig = minhash.signature(features.shingles)
    lsh = tuple(minhash.band_keys(sig)) if features.shingles.size else ()
    anchors = tuple(sorted({minhash.text_key("anchor", a) for a in features.anchors}))
    return Entry(article_id, features.day, sig, lsh, anchors)


def _chunks(values: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


class StoryIndex:
    """The LSH and anchor index kept in story_signatures / story_bands, used through a session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, entry: Entry, features: Features) -> None:
        """Index one article (its rows are replaced if it was indexed before)."""
        self.remove([entry.article_id])
        self.session.execute(insert(StorySignature), [{
            "article_id": entry.article_id, "signature": minhash.to_bytes(entry.signature),
            "shingles": int(features.shingles.size), "day": entry.day, "version": FEATURES_VERSION,
            "facts": features.facts(),
        }])
        rows = [{"band": band, "key": key, "day": entry.day, "article_id": entry.article_id}
                for band, key in enumerate(entry.lsh)]
        rows += [{"band": ANCHOR_BAND, "key": key, "day": entry.day, "article_id": entry.article_id}
                 for key in entry.anchors]
        if rows:
            self.session.execute(insert(StoryBand), rows)

    def remove(self, article_ids: list[int]) -> None:
        """Take articles out of the index."""
        for chunk in _chunks(article_ids):
            self.session.execute(delete(StoryBand).where(StoryBand.article_id.in_(chunk)))
            self.session.execute(delete(StorySignature).where(StorySignature.article_id.in_(chunk)))

    def candidates(self, entry: Entry) -> set[int]:
        """Indexed articles sharing an LSH band with `entry`, or two anchors within the publication window."""
        found: set[int] = set()
        if entry.lsh:
            query = select(StoryBand.article_id).where(StoryBand.key.in_(entry.lsh), StoryBand.band < ANCHOR_BAND)
            found.update(self.session.scalars(query))
        if len(entry.anchors) >= MIN_SHARED_ANCHORS:
            query = (
                select(StoryBand.article_id)
                .where(StoryBand.key.in_(entry.anchors), StoryBand.band == ANCHOR_BAND,
                       StoryBand.day.between(entry.day - WINDOW_DAYS, entry.day + WINDOW_DAYS))
                .group_by(StoryBand.article_id)
                .having(func.count(StoryBand.key.distinct()) >= MIN_SHARED_ANCHORS)
            )
            found.update(self.session.scalars(query))
        found.discard(entry.article_id)
        return found

    def load(self, article_ids: Iterable[int]) -> dict[int, tuple[Features, int | None]]:
        """Features (stored facts, shingles recomputed from the text) and story of indexed articles."""
        result: dict[int, tuple[Features, int | None]] = {}
        for chunk in _chunks(sorted(article_ids)):
            query = (
                select(Article.id, Article.title, Article.body_text, Article.story_id, StorySignature.facts)
                .join(StorySignature, StorySignature.article_id == Article.id)
                .where(Article.id.in_(chunk))
            )
            for article_id, title, body, story_id, facts in self.session.execute(query):
                features = Features.from_facts(facts or {}, shingles_of(title, body), title)
                result[article_id] = (features, story_id)
        return result

    def candidate_pairs(self, article_ids: list[int]) -> set[tuple[int, int]]:
        """Pairs among `article_ids` that the index would propose to each other (a < b)."""
        lsh: dict[int, set[int]] = defaultdict(set)
        anchors: dict[int, set[int]] = defaultdict(set)
        days: dict[int, int] = {}
        for chunk in _chunks(sorted(article_ids)):
            rows = self.session.execute(select(StoryBand.article_id, StoryBand.band, StoryBand.key, StoryBand.day)
                                        .where(StoryBand.article_id.in_(chunk)))
            for article_id, band, key, day in rows:
                (anchors if band == ANCHOR_BAND else lsh)[article_id].add(key)
                days[article_id] = day or 0
        pairs: set[tuple[int, int]] = set()
        ids = sorted(set(lsh) | set(anchors))
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                if lsh[a] & lsh[b] or (abs(days[a] - days[b]) <= WINDOW_DAYS
                                       and len(anchors[a] & anchors[b]) >= MIN_SHARED_ANCHORS):
                    pairs.add((a, b))
        return pairs

    def size(self) -> int:
        """How many articles are indexed."""
        return self.session.scalar(select(func.count()).select_from(StorySignature)) or 0

    def outdated(self) -> int:
        """How many indexed articles were indexed by another version of the features."""
        return self.session.scalar(select(func.count()).select_from(StorySignature)
                                   .where(StorySignature.version != FEATURES_VERSION)) or 0

    def clear(self) -> None:
        """Empty the index."""
        self.session.execute(delete(StoryBand))
        self.session.execute(delete(StorySignature))

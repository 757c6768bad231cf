"""Lexicon rules (data/lexicons/sections.toml): weighted terms per section, and the union markers for `none`."""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from aggregator.classify.taxonomy import LABELS, NONE, SECTIONS, TaxonomyError


@dataclass(slots=True)
class LexiconScores:
    """Each label's score (in LABELS order) and the terms that made it."""

    scores: list[float]
    evidence: dict[str, list[str]]


class Lexicon:
    """Weighted terms per section; an item naming no union marker leans to `none`."""

    def __init__(self, path: str | Path) -> None:
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise TaxonomyError(f"{path}: cannot read the lexicon: {exc}") from None
        self.path = path
        self.version: str = data.get("version", "lexicon")
        self.title_weight: float = float(data.get("title_weight", 2.0))
        self.no_marker_score: float = float(data.get("no_marker_score", 6.0))
        self.union_markers: tuple[str, ...] = tuple(data.get("union_markers", ()))
        terms: dict[str, dict[str, float]] = {}
        for entry in data.get("section", []):
            if entry.get("name") not in SECTIONS:
                raise TaxonomyError(f"{path}: unknown section {entry.get('name')!r}; sections are {', '.join(SECTIONS)}")
            terms[entry["name"]] = {t: float(w) for t, w in entry.get("terms", {}).items()}
        terms[NONE] = {t: float(w) for t, w in data.get("none", {}).get("terms", {}).items()}
        # One flat table, so scoring is a single pass over the terms.
        self._table: list[tuple[str, int, float]] = [
            (term, LABELS.index(label), weight) for label, table in terms.items() for term, weight in table.items()
        ]
        self.terms = terms
        self._buckets, self._always = _key_buckets([term for term, _index, _weight in self._table])
        # No marker holds the separator of score()'s joined text: one search of it serves title and head.
        self._markers_in_joined = not any("\x00" in marker for marker in self.union_markers)

    def has_union_marker(self, text: str) -> bool:
        """True when the text names the union or its people (工会, 职工, 劳模, 骑手 ...)."""
        return any(marker in text for marker in self.union_markers)

    def score(self, title: str, head: str) -> LexiconScores:
        """Score every label: a term counts title_weight in the title and 1 in the lede."""
        scores = [0.0] * len(LABELS)
        evidence: dict[str, list[str]] = {}
        both = f"{title}\x00{head}"
        # A term can only be present when its key character is: one search for each key character (a fast
        # single-character scan) leaves a few candidates, searched for in table order (the order of the sums).
        candidates = list(self._always)
        for bucket in [bucket for char, bucket in self._buckets if char in both]:
            candidates += bucket
        candidates.sort()
        table = self._table
        for i in candidates:
            term, index, weight = table[i]
            if term not in both:
                continue
            hits = (self.title_weight if term in title else 0.0) + (1.0 if term in head else 0.0)
            if hits:
                scores[index] += weight * hits
                evidence.setdefault(LABELS[index], []).append(term)
        marked = (self.has_union_marker(both) if self._markers_in_joined
                  else self.has_union_marker(title) or self.has_union_marker(head))
        if not marked:
            scores[LABELS.index(NONE)] += self.no_marker_score
            evidence.setdefault(NONE, []).insert(0, "no union marker")
        return LexiconScores(scores, evidence)


def _key_buckets(terms: list[str]) -> tuple[list[tuple[str, list[int]]], list[int]]:
    """Term positions grouped by a key character of each term, and the positions of empty terms."""
    # The key is the term's character that the fewest terms share, so that a common character (会, 工)
    # brings few terms along; any character of the term is correct, only the candidates' number depends on it.
    shared = Counter(char for term in terms for char in set(term))
    buckets: dict[str, list[int]] = {}
    always: list[int] = []
    for position, term in enumerate(terms):
        if term:
            buckets.setdefault(min(term, key=shared.__getitem__), []).append(position)
        else:
            always.append(position)  # the empty term is in every text
    return list(buckets.items()), always

"""Lexicon rules (data/lexicons/sections.toml): weighted terms per section, and the union markers for `none`."""

from __future__ import annotations

import tomllib
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

    def has_union_marker(self, text: str) -> bool:
        """True when the text names the union or its people (工会, 职工, 劳模, 骑手 ...)."""
        return any(marker in text for marker in self.union_markers)

    def score(self, title: str, head: str) -> LexiconScores:
        """Score every label: a term counts title_weight in the title and 1 in the lede."""
        scores = [0.0] * len(LABELS)
        evidence: dict[str, list[str]] = {}
        both = f"{title}\x00{head}"
        # Most terms are absent: one search each, in a comprehension, keeps the loop below to the few present.
        for term, index, weight in [entry for entry in self._table if entry[0] in both]:
            hits = (self.title_weight if term in title else 0.0) + (1.0 if term in head else 0.0)
            if hits:
                scores[index] += weight * hits
                evidence.setdefault(LABELS[index], []).append(term)
        if not self.has_union_marker(title) and not self.has_union_marker(head):
            scores[LABELS.index(NONE)] += self.no_marker_score
            evidence.setdefault(NONE, []).insert(0, "no union marker")
        return LexiconScores(scores, evidence)

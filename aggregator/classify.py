"""Digest sections: which of the six sections (or none) an article belongs in, with a confidence."""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

SECTIONS = ("工作动态", "思想引领", "建功立业", "维权服务", "构建和谐劳动关系", "组织建设")
NONE = "none"


@dataclass(slots=True)
class Decision:
    """A section decision: where, how sure, decided by what, and why."""

    section: str
    confidence: float
    origin: str  # rule | model | manual
    model: str | None = None
    evidence: list[str] = field(default_factory=list)
    needs_review: bool = False


class LexiconClassifier:
    """Weighted terms per section from data/lexicons/sections.toml; `none` when no union marker is present."""

    def __init__(self, path: str | Path) -> None:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        self.version: str = data.get("version", "lexicon")
        self.title_weight: float = float(data.get("title_weight", 2.0))
        self.review_threshold: float = float(data.get("review_threshold", 0.55))
        self.union_markers: tuple[str, ...] = tuple(data.get("union_markers", ()))
        self.terms: dict[str, dict[str, float]] = {s["name"]: dict(s["terms"]) for s in data["section"]}
        self.none_terms: dict[str, float] = dict(data.get("none", {}).get("terms", {}))
        self.rules: list[tuple[re.Pattern[str], str, str]] = [
            (re.compile(rule["pattern"]), rule["section"], rule.get("why", "")) for rule in data.get("rule", [])
        ]
        unknown = set(self.terms) - set(SECTIONS)
        if unknown:
            raise ValueError(f"{path}: unknown section(s) {sorted(unknown)}; sections are {', '.join(SECTIONS)}")

    def scores(self, title: str, text: str) -> tuple[dict[str, float], dict[str, list[str]]]:
        """Score of each section (and none) with the terms that made it."""
        head = text[:400]
        scores: dict[str, float] = {}
        evidence: dict[str, list[str]] = {}
        for section, terms in list(self.terms.items()) + [(NONE, self.none_terms)]:
            total = 0.0
            for term, weight in terms.items():
                hits = (self.title_weight if term in title else 0.0) + (1.0 if term in head else 0.0)
                if hits:
                    total += weight * hits
                    evidence.setdefault(section, []).append(term)
            scores[section] = total
        return scores, evidence

    def classify(self, title: str, text: str) -> Decision:
        """Decide the section of one article."""
        scores, evidence = self.scores(title, text)
        head = title + text[:400]
        if not any(marker in head for marker in self.union_markers):
            confidence = 0.9 if scores[NONE] > 0 else 0.7
            return Decision(NONE, confidence, "rule", self.version, ["no union marker"] + evidence.get(NONE, []),
                            needs_review=confidence < self.review_threshold)
        for pattern, section, why in self.rules:
            match = pattern.search(title) or pattern.search(text[:400])
            if match:
                return Decision(section, 0.95, "rule", self.version, [f"rule: {why}", match.group(0)])
        ranked = sorted(SECTIONS, key=lambda s: scores[s], reverse=True)
        best, second = ranked[0], ranked[1]
        if scores[best] <= 0:
            return Decision(NONE, 0.4, "rule", self.version, ["union news, but no section term"], needs_review=True)
        # A softmax over the two best scores: 0.5 when tied, towards 1 as the lead grows.
        margin = scores[best] - scores[second]
        confidence = round(1.0 / (1.0 + math.exp(-margin / 3.0)), 3)
        return Decision(best, confidence, "rule", self.version, evidence.get(best, []),
                        needs_review=confidence < self.review_threshold)


@lru_cache(maxsize=2)
def default_classifier() -> LexiconClassifier:
    """The shipped lexicon classifier."""
    from aggregator.settings import UNION_NEWS_DATA_DIR

    return LexiconClassifier(Path(UNION_NEWS_DATA_DIR) / "lexicons" / "sections.toml")

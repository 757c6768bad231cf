"""The section classifier editors use: boundary rules, then lexicon + model combined, with a confidence."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from aggregator.classify.lexicon import Lexicon
from aggregator.classify.model import NgramModel, Prediction
from aggregator.classify.taxonomy import LABELS, BoundaryRule, Taxonomy, TaxonomyError, scope_texts
from aggregator.classify.text import clean, first_sentence, lede

# Which parts decide: the full classifier, or one part alone (for ablations in `classify --eval --only`).
MODES = ("combined", "model", "lexicon")


@dataclass(slots=True)
class Decision:
    """A section decision: where, how sure, decided by what, and why."""

    section: str
    confidence: float
    origin: str  # rule | model | lexicon | manual
    model: str | None = None
    evidence: list[str] = field(default_factory=list)
    needs_review: bool = False
    probabilities: dict[str, float] = field(default_factory=dict)


class SectionClassifier:
    """Boundary rules decide first; otherwise the lexicon's scores are added to the model's log-odds.

    The confidence is the winning label's probability (softmax of the combined log-odds). A rule's decision is
    trusted unless the combination gives the rule's section almost no chance; then it goes to review.
    """

    def __init__(self, taxonomy: Taxonomy, lexicon: Lexicon, model: NgramModel | None = None,
                 mode: str = "combined") -> None:
        if mode not in MODES:
            raise ValueError(f"mode {mode!r} is not one of {', '.join(MODES)}")
        if mode == "model" and model is None:
            raise ValueError("mode 'model' needs a trained model")
        self.taxonomy = taxonomy
        self.lexicon = lexicon
        self.model = model
        self.mode = mode
        self.lede_chars = int(taxonomy.setting("lede_chars"))
        self.lexicon_weight = float(taxonomy.setting("lexicon_weight"))
        self.review_threshold = float(taxonomy.setting("review_threshold"))
        self.rule_agreement = float(taxonomy.setting("rule_agreement"))
        self.rules = taxonomy.deciding_rules if mode == "combined" else ()
        parts = {"combined": [model.name if model else None, lexicon.version, taxonomy.version],
                 "model": [model.name if model else None], "lexicon": [lexicon.version]}[mode]
        # Recorded with every decision (articles.section_model): which model, lexicon and rules decided.
        self.version = "+".join(p for p in parts if p)
        if len(self.version) > 64:  # articles.section_model is VARCHAR(64); PostgreSQL would refuse the row
            raise TaxonomyError(f"classifier name {self.version!r} is longer than 64 characters; shorten the "
                                "`version` of data/sections.toml or data/lexicons/sections.toml")

    def classify(self, title: str, text: str) -> Decision:
        """Decide the section of one item from its headline and text (only the lede is read)."""
        title = clean(title)
        head = lede(text, self.lede_chars)
        logits, lexicon_terms, prediction = self._logits(title, head)
        probs = _softmax(logits)
        best = _argmax(probs)
        probabilities = {label: round(p, 4) for label, p in zip(LABELS, probs, strict=True)}
        rule, matched = self._rule(title, head)
        if rule is not None and matched is not None:
            index = LABELS.index(rule.section)
            agree = probs[index] >= self.rule_agreement
            confidence = max(0.9, probs[index]) if agree else 0.5
            why = [f"rule {rule.id}: {' + '.join(matched)}"]
            if not agree:
                why.append(f"but the model and lexicon prefer {LABELS[best]} ({probs[best]:.2f})")
            why += self._evidence(index, logits, lexicon_terms, prediction)
            return self._decision(rule.section, confidence, "rule", why, probabilities)
        origin = "lexicon" if self.mode == "lexicon" or self.model is None else "model"
        return self._decision(LABELS[best], probs[best], origin,
                              self._evidence(best, logits, lexicon_terms, prediction), probabilities)

    def _rule(self, title: str, head: str) -> tuple[BoundaryRule | None, list[str] | None]:
        """The deciding boundary rule: headline matches first, then each rule in its scope (file order in each)."""
        if not self.rules:
            return None, None
        # Each scope's text once, not once per rule and pass (as BoundaryRule.match would).
        scopes = scope_texts(title, first_sentence(head), head)
        for title_only in (True, False):
            for rule in self.rules:
                matched = rule.match_text(title if title_only else scopes[rule.scope])
                if matched is not None:
                    return rule, matched
        return None, None

    def _decision(self, section: str, confidence: float, origin: str, evidence: list[str],
                  probabilities: dict[str, float]) -> Decision:
        confidence = round(confidence, 3)
        return Decision(section, confidence, origin, self.version, evidence, confidence < self.review_threshold,
                        probabilities)

    def _logits(self, title: str, head: str) -> tuple[list[float], dict[str, list[str]], Prediction | None]:
        """Combined log-odds per label, the lexicon's terms per label, and the model's prediction."""
        # Seven numbers: plain floats cost less than numpy calls, and give the same sums.
        logits = [0.0] * len(LABELS)
        terms: dict[str, list[str]] = {}
        if self.mode in ("combined", "lexicon"):
            lex = self.lexicon.score(title, head)
            # Alone, the lexicon's scores are read on the same scale as when they are added to the model.
            weight = self.lexicon_weight if self.mode == "combined" else (self.lexicon_weight or 1.0)
            logits = [total + score * weight for total, score in zip(logits, lex.scores, strict=True)]
            terms = lex.evidence
        prediction = None
        if self.model is not None and self.mode in ("combined", "model"):
            prediction = self.model.predict(title, head)
            logits = [total + value for total, value in zip(logits, prediction.logits.tolist(), strict=True)]
        return logits, terms, prediction

    def _evidence(self, label: int, logits: list[float], terms: dict[str, list[str]],
                  prediction: Prediction | None) -> list[str]:
        """Why `label`: the lexicon's terms for it and the n-grams that favour it over the strongest other label."""
        evidence = []
        if terms.get(LABELS[label]):
            evidence.append("lexicon: " + ", ".join(terms[LABELS[label]][:6]))
        if prediction is not None and self.model is not None:
            others = list(logits)
            others[label] = -math.inf
            top = self.model.top_features(prediction, label, _argmax(others))
            if top:
                evidence.append("model: " + ", ".join(f"{gram.strip()} {weight:+.2f}" for gram, weight in top))
        return evidence


def _softmax(logits: list[float]) -> list[float]:
    """Probabilities from log-odds (shifted for numerical safety)."""
    top = max(logits)
    # numpy's exp and sum, not math.exp and sum(): those differ in the last bit now and then.
    shifted = np.exp(np.array([value - top for value in logits]))
    return (shifted / shifted.sum()).tolist()


def _argmax(values: list[float]) -> int:
    """The index of the largest value (the first of equals, as numpy's argmax)."""
    return max(range(len(values)), key=values.__getitem__)


__all__ = ["MODES", "Decision", "SectionClassifier"]

"""Quality figures: accuracy, macro-F1, per-section precision/recall/F1, confusion; k-fold cross-validation."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

from aggregator.classify.taxonomy import LABELS, Example


def scores(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """{"accuracy", "macro_f1", "per_section", "confusion"} for parallel lists of labels.

    macro_f1 averages over the labels that occur in the truth or the predictions (as scikit-learn does);
    confusion rows are the true labels and columns the predicted ones, both in LABELS order.
    """
    if len(truth) != len(predicted):
        raise ValueError("truth and predictions differ in length")
    if not truth:
        raise ValueError("no examples to score")
    matrix = {t: {p: 0 for p in LABELS} for t in LABELS}
    for t, p in zip(truth, predicted, strict=True):
        matrix[t][p] += 1
    per_section: dict[str, dict[str, float | int]] = {}
    f1s = []
    for label in LABELS:
        tp = matrix[label][label]
        support = sum(matrix[label].values())
        predicted_n = sum(matrix[t][label] for t in LABELS)
        precision = tp / predicted_n if predicted_n else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_section[label] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                              "support": support}
        if support or predicted_n:
            f1s.append(f1)
    accuracy = sum(matrix[label][label] for label in LABELS) / len(truth)
    return {
        "accuracy": round(accuracy, 4),
        "macro_f1": round(sum(f1s) / len(f1s), 4),
        "per_section": per_section,
        "confusion": {"labels": list(LABELS), "matrix": [[matrix[t][p] for p in LABELS] for t in LABELS]},
    }


def evaluate(classify: Callable[[str, str], str], examples: Sequence[Example]) -> dict[str, Any]:
    """Score a classifier (title, text) -> label on labelled examples."""
    return scores([e.label for e in examples], [classify(e.title, e.text) for e in examples])


def folds(examples: Sequence[Example], k: int = 5, seed: int = 0) -> list[list[int]]:
    """Stratified k-fold split (indices per fold): every label spread evenly, the same split for the same seed."""
    by_label: dict[str, list[int]] = {}
    for i, e in enumerate(examples):
        by_label.setdefault(e.label, []).append(i)
    rng = random.Random(seed)
    parts: list[list[int]] = [[] for _ in range(k)]
    offset = 0
    for label in sorted(by_label):
        indices = by_label[label]
        rng.shuffle(indices)
        for j, i in enumerate(indices):
            parts[(offset + j) % k].append(i)
        offset += len(indices)  # the next label starts where this one stopped, so folds stay balanced
    return [sorted(p) for p in parts]


def cross_validate(examples: Sequence[Example], fit: Callable[[list[Example]], Callable[[str, str], str]],
                   k: int = 5, seed: int = 0) -> dict[str, Any]:
    """k-fold cross-validation: train on k-1 folds, predict the held fold; scores over all predictions."""
    predicted: list[str | None] = [None] * len(examples)
    for part in folds(examples, k, seed):
        held = set(part)
        classify = fit([e for i, e in enumerate(examples) if i not in held])
        for i in part:
            predicted[i] = classify(examples[i].title, examples[i].text)
    result = scores([e.label for e in examples], [p or "" for p in predicted])
    result["folds"] = k
    return result

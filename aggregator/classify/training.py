"""Training: the shipped examples plus editors' labels -> a versioned model file; cross-validated figures."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aggregator.classify.combined import SectionClassifier
from aggregator.classify.data import merge_examples, read_training
from aggregator.classify.evaluate import cross_validate
from aggregator.classify.lexicon import Lexicon
from aggregator.classify.model import NgramModel, save_model, train_model
from aggregator.classify.taxonomy import Example, Taxonomy


@dataclass(slots=True)
class TrainResult:
    """What `train` did: the model, where it was written, what it learnt from, and cross-validated figures."""

    model: NgramModel
    path: Path | None
    shipped: int
    manual: int
    cross_validation: dict[str, Any] | None = None


def fit(examples: Sequence[Example], taxonomy: Taxonomy, lexicon: Lexicon, mode: str = "combined",
        params: dict[str, Any] | None = None) -> SectionClassifier:
    """Train a model on `examples` and wrap it with the taxonomy's rules and the lexicon."""
    model = train_model(examples, {**taxonomy.model, **(params or {})}, int(taxonomy.setting("lede_chars")))
    return SectionClassifier(taxonomy, lexicon, model, mode)


def cross_validation(examples: Sequence[Example], taxonomy: Taxonomy, lexicon: Lexicon, mode: str = "combined",
                     k: int = 5, seed: int = 0, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """k-fold cross-validated figures of the classifier (rules + lexicon + a model trained on the other folds)."""

    def make(train: list[Example]) -> Callable[[str, str], str]:
        classifier = fit(train, taxonomy, lexicon, mode, params)
        return lambda title, text: classifier.classify(title, text).section

    return cross_validate(examples, make, k, seed)


def train(labels: str | Path, taxonomy: Taxonomy, lexicon: Lexicon, manual: Sequence[Example] = (),
          out: str | Path | None = None, activate: bool = True, cv_folds: int = 0) -> TrainResult:
    """Retrain on the labels folder plus editors' labels; write `sections-lr-<hash>.json.gz` into `out`."""
    shipped = read_training(labels)
    examples = merge_examples(shipped, manual)
    info = {"shipped": len(examples) - len(manual), "manual": len(manual)}
    model = train_model(examples, dict(taxonomy.model), int(taxonomy.setting("lede_chars")), info)
    path = save_model(model, out, activate) if out is not None else None
    figures = cross_validation(examples, taxonomy, lexicon, k=cv_folds) if cv_folds else None
    return TrainResult(model, path, info["shipped"], len(manual), figures)

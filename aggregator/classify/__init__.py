"""Digest sections: which of the six sections (or none) an article belongs in, with a confidence.

data/sections.toml holds the taxonomy and the boundary rules; data/lexicons/sections.toml the lexicon;
data/models/ the trained n-gram models (CURRENT names the one in use); data/labels/ the training examples.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from aggregator.classify.combined import MODES, Decision, SectionClassifier
from aggregator.classify.lexicon import Lexicon
from aggregator.classify.model import NgramModel, load_model
from aggregator.classify.taxonomy import (
    LABELS,
    NONE,
    SECTIONS,
    Example,
    Taxonomy,
    TaxonomyError,
    load_taxonomy,
)


def data_paths() -> dict[str, Path]:
    """Where the classifier's data lives, from aggregator.settings (environment variables override)."""
    from aggregator import settings

    data = Path(settings.UNION_NEWS_DATA_DIR)
    return {
        "taxonomy": data / "sections.toml",
        "lexicon": data / "lexicons" / "sections.toml",
        "labels": data / "labels",
        "heldout": data / "eval" / "sections_heldout.jsonl",
        "models": Path(settings.UNION_NEWS_MODELS_DIR),
        "model": Path(settings.UNION_NEWS_MODEL) if settings.UNION_NEWS_MODEL else Path(settings.UNION_NEWS_MODELS_DIR),
    }


def load_classifier(model: str | Path | None = None, mode: str = "combined", *, require_model: bool = False,
                    use_model: bool = True, taxonomy: str | Path | None = None,
                    lexicon: str | Path | None = None) -> SectionClassifier:
    """The classifier from the shipped data; `model` is a model file or a folder with CURRENT (default: settings).

    Without any model file (or with use_model=False) the rules and the lexicon classify alone, and say so in
    section_model; require_model makes a missing model an error instead.
    """
    paths = data_paths()
    tax = load_taxonomy(taxonomy or paths["taxonomy"])
    lex = Lexicon(lexicon or paths["lexicon"])
    from aggregator import settings

    source = Path(model) if model else paths["model"]
    # A model named explicitly (argument or $UNION_NEWS_MODEL) must load; the default folder may be empty.
    explicit = bool(model) or bool(settings.UNION_NEWS_MODEL)
    trained: NgramModel | None = None
    wanted = explicit or require_model or mode == "model" or source.is_file() or (source / "CURRENT").is_file()
    if use_model and wanted:
        trained = load_model(source)
    return SectionClassifier(tax, lex, trained, mode)


# The foundation's name for the classifier type; kept so that code type-hinted against it still imports.
LexiconClassifier = SectionClassifier


@lru_cache(maxsize=2)
def default_classifier() -> SectionClassifier:
    """The classifier in use: shipped taxonomy, lexicon and the model data/models/CURRENT names."""
    return load_classifier()


__all__ = ["LABELS", "MODES", "NONE", "SECTIONS", "Decision", "Example", "Lexicon", "LexiconClassifier", "NgramModel", "SectionClassifier",
           "Taxonomy", "TaxonomyError", "data_paths", "default_classifier", "load_classifier",
           "load_model", "load_taxonomy"]

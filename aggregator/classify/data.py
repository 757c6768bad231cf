"""Labelled examples: JSON lines {"title", "text", "label"} in data/labels/ (training) and data/eval/ (held out)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from aggregator.classify.taxonomy import LABELS, Example, TaxonomyError
from aggregator.classify.text import clean


def read_examples(path: str | Path) -> list[Example]:
    """Read one JSON-lines file; a bad line is an error naming the file and line (nothing is skipped silently)."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise TaxonomyError(f"{path}: cannot read examples: {exc}") from None
    examples = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TaxonomyError(f"{path}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("title"), str) or not row["title"].strip():
            raise TaxonomyError(f"{path}:{number}: needs a non-empty \"title\"")
        label = row.get("label")
        if label not in LABELS:
            raise TaxonomyError(f"{path}:{number}: label {label!r} is not one of {', '.join(LABELS)}")
        text = row.get("text") or ""
        if not isinstance(text, str):
            raise TaxonomyError(f"{path}:{number}: \"text\" must be a string")
        examples.append(Example(row["title"], text, label, f"{path.name}:{number}"))
    return examples


def training_files(folder: str | Path) -> list[Path]:
    """The *.jsonl files of a labels folder, sorted (data/labels/ by default)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise TaxonomyError(f"{folder}: no such labels folder")
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        raise TaxonomyError(f"{folder}: no *.jsonl files with training examples")
    return files


def read_training(folder: str | Path) -> list[Example]:
    """Every example of a labels folder."""
    return [e for path in training_files(folder) for e in read_examples(path)]


def merge_examples(shipped: Iterable[Example], manual: Iterable[Example]) -> list[Example]:
    """Shipped examples plus editors' labels; an editor's label replaces a shipped example with the same title."""
    manual = list(manual)
    corrected = {clean(e.title) for e in manual}
    return [e for e in shipped if clean(e.title) not in corrected] + manual


def overlap(train: Sequence[Example], held_out: Sequence[Example]) -> list[str]:
    """Titles present in both sets (a leak that would make held-out figures meaningless)."""
    seen = {clean(e.title) for e in train}
    return sorted({clean(e.title) for e in held_out} & seen)

"""The trained model: tf-idf over character n-grams, multinomial logistic regression; versioned, deterministic files.

Training uses scikit-learn; prediction does not (it reads the weights from the model file and needs only numpy),
so classifying an article costs one vectorized lookup of its n-grams (packed into integers) and one small matrix
product.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np

from aggregator.classify.taxonomy import LABELS, Example, TaxonomyError
from aggregator.classify.text import clean, model_grams

FORMAT = 2  # 2: title n-grams counted title_repeat times, no n-grams across the title/lede join
PREFIX = "sections-lr-"
CURRENT = "CURRENT"
DEFAULT_PARAMS: dict[str, Any] = {"ngram_min": 1, "ngram_max": 3, "min_df": 1, "title_repeat": 2, "C": 10.0,
                                  "max_iter": 2000}


@dataclass(slots=True)
class Prediction:
    """The model's log-odds per label (LABELS order) and the active features (vocabulary index, tf-idf value)."""

    logits: np.ndarray
    index: np.ndarray
    values: np.ndarray
    rows: np.ndarray | None = None  # the weights of those features (as gathered for the logits), for top_features


class NgramModel:
    """A linear model over character n-grams, as stored in data/models/sections-lr-<hash>.json.gz."""

    def __init__(self, name: str, params: dict[str, Any], labels: Sequence[str], vocabulary: Sequence[str],
                 idf: Sequence[float], coef: Sequence[Sequence[float]], intercept: Sequence[float],
                 training: dict[str, Any] | None = None) -> None:
        if tuple(labels) != LABELS:
            raise TaxonomyError(f"model {name}: labels {list(labels)} differ from the taxonomy's {list(LABELS)}; "
                                "retrain with `union-news train`")
        self.name = name
        self.params = dict(params)
        self.labels = tuple(labels)
        self.vocabulary = list(vocabulary)
        self.index = {gram: i for i, gram in enumerate(self.vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float64)
        # Stored per feature (rows) so one fancy-index gathers the weights of an article's n-grams.
        self.weights = np.asarray(coef, dtype=np.float64).T.copy()
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.training = dict(training or {})
        self.nmin, self.nmax = int(self.params["ngram_min"]), int(self.params["ngram_max"])
        self.title_repeat = int(self.params["title_repeat"])
        self._packed = self._pack_vocabulary() if 1 <= self.nmin and self.nmax <= _PACK_MAX else None

    def _pack_vocabulary(self) -> tuple[np.ndarray, np.ndarray]:
        """The vocabulary's n-grams as sorted packed integers (see _pack), and their vocabulary indices."""
        pairs = sorted((_pack(gram), i) for i, gram in enumerate(self.vocabulary)
                       if self.nmin <= len(gram) <= self.nmax)
        return (np.fromiter((code for code, _i in pairs), dtype=np.uint64, count=len(pairs)),
                np.fromiter((i for _code, i in pairs), dtype=np.intp, count=len(pairs)))

    def grams(self, title: str, lede_text: str) -> list[str]:
        """The n-grams the model counts for a headline + lede (the same function as in training)."""
        return model_grams(title, lede_text, self.nmin, self.nmax, self.title_repeat)

    def predict(self, title: str, lede_text: str) -> Prediction:
        """Log-odds of each label for a headline + lede."""
        known = self._known_ids(title, lede_text)
        if known.size == 0:
            return Prediction(self.intercept.copy(), np.zeros(0, dtype=np.intp), np.zeros(0))
        # Term counts, as np.unique(known, return_counts=True) gives them (ascending index), without its overhead
        # (ndarray methods here and below: numpy's Python-level function wrappers cost more than the work).
        known.sort()
        bounds = np.concatenate(([True], known[1:] != known[:-1], [True])).nonzero()[0]  # where runs start, end
        idx, tf = known[bounds[:-1]], bounds[1:] - bounds[:-1]
        values = (1.0 + np.log(tf)) * self.idf[idx]  # sublinear tf x idf
        values /= math.sqrt(float(values @ values))  # l2 norm, as TfidfVectorizer
        rows = self.weights[idx]
        return Prediction(values @ rows + self.intercept, idx, values, rows)

    def _known_ids(self, title: str, lede_text: str) -> np.ndarray:
        """Vocabulary indices of the known n-grams of grams(title, lede_text), one per occurrence, in any order."""
        if self._packed is None:
            grams = self.grams(title, lede_text)
            # map() over dict.get keeps the hot loop in C.
            ids = np.fromiter(map(self.index.get, grams, repeat(-1, len(grams))), dtype=np.intp, count=len(grams))
            return ids[ids >= 0]
        keys, ids = self._packed
        if not keys.size:
            return np.zeros(0, dtype=np.intp)
        # The title title_repeat times and the lede, apart: no character has the separator's code, so an n-gram
        # across a join matches nothing. Then every n-gram as one integer, all looked up by one binary search in
        # a small sorted array: no string per n-gram, and far less memory touched than the vocabulary dict (which
        # a busy crawl evicts from the CPU cache between two articles), in a few numpy calls.
        parts = [clean(title).lower().encode("utf-32-le", "surrogatepass")] * self.title_repeat
        parts.append(lede_text.lower().encode("utf-32-le", "surrogatepass"))
        points = np.frombuffer(_SEPARATOR.join(parts), dtype=np.uint32).astype(np.uint64)
        codes = points | _MARKER
        windows = []
        for n in range(1, self.nmax + 1):
            if n > 1:
                codes = (codes[:-1] << _PACK_BITS) | points[n - 1 :]
            if n >= self.nmin:
                windows.append(codes)
        codes = np.concatenate(windows)
        # Sorted first: numpy's binary search starts each needle where the last one ended when they ascend, which
        # saves more than the sort costs (the ids come out in code order; predict sorts them).
        codes.sort()
        slots = np.minimum(keys.searchsorted(codes), keys.size - 1)
        return ids[slots[keys[slots] == codes]]

    def top_features(self, prediction: Prediction, label: int, against: int, count: int = 6,
                     min_len: int = 2) -> list[tuple[str, float]]:
        """The n-grams (of min_len characters or more) that most favour `label` over `against`, with contributions."""
        if prediction.index.size == 0:
            return []
        rows = self.weights[prediction.index] if prediction.rows is None else prediction.rows
        contrib = prediction.values * (rows[:, label] - rows[:, against])
        found: list[tuple[str, float]] = []
        # Only the strongest few are looked at: a partial sort is enough. (ndarray methods: numpy's function
        # wrappers cost more than the sorting here.)
        candidates = (-contrib).argpartition(min(count * 4, contrib.size - 1))[: count * 4]
        order = candidates[(-contrib[candidates]).argsort(kind="stable")]
        # As Python numbers: the loop then indexes lists, not arrays (each array index is a numpy call).
        for value, feature in zip(contrib[order].tolist(), prediction.index[order].tolist(), strict=True):
            if value <= 0 or len(found) == count:
                break
            gram = self.vocabulary[feature]
            if len(gram.strip()) >= min_len:  # single characters mean little to an editor
                found.append((gram, round(value, 3)))
        return found

    def to_json(self) -> dict[str, Any]:
        """The model as a JSON-able dict (no timestamps: the same training data gives the same bytes)."""
        return {"format": FORMAT, "name": self.name, "params": self.params, "labels": list(self.labels),
                "training": self.training, "vocabulary": self.vocabulary, "idf": self.idf.tolist(),
                "coef": self.weights.T.tolist(), "intercept": self.intercept.tolist()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NgramModel:
        """Build a model from to_json()'s dict."""
        if data.get("format") != FORMAT:
            raise TaxonomyError(f"model {data.get('name')}: format {data.get('format')} is not {FORMAT}; retrain it")
        return cls(data["name"], data["params"], data["labels"], data["vocabulary"], data["idf"], data["coef"],
                   data["intercept"], data.get("training"))


# An n-gram of up to three characters packs into one 64-bit integer: a marker bit (so that lengths differ), then
# 21 bits per character, which hold any code point. The separator's 21 bits are no code point.
_PACK_BITS = np.uint64(21)
_PACK_MAX = 3
_MARKER = np.uint64(1 << 21)
_SEPARATOR = (0x1FFFFF).to_bytes(4, "little")


def _pack(gram: str) -> int:
    """The marker bit, then the characters' code points, 21 bits each (equal codes: equal n-grams)."""
    code = 1
    for char in gram:
        code = (code << 21) | ord(char)
    return code


def dumps(model: NgramModel) -> bytes:
    """The model file's bytes: gzip (mtime 0, no file name) of canonical JSON, so equal models are equal files."""
    raw = json.dumps(model.to_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as gz:
        gz.write(raw)
    return buffer.getvalue()


def save_model(model: NgramModel, folder: str | Path, activate: bool = True) -> Path:
    """Write `<name>.json.gz` into `folder` (atomically) and, with activate, point folder/CURRENT at it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{model.name}.json.gz"
    _atomic_write(target, dumps(model))
    if activate:
        _atomic_write(folder / CURRENT, f"{target.name}\n".encode())
    return target


def _atomic_write(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, so a crash never leaves half a model."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def load_model(path: str | Path) -> NgramModel:
    """Read a model file, or the model that a folder's CURRENT names."""
    path = Path(path)
    if path.is_dir():
        pointer = path / CURRENT
        if not pointer.exists():
            raise TaxonomyError(f"{path}: no {CURRENT} file naming the model in use; run `union-news train`")
        path = path / pointer.read_text(encoding="utf-8").strip()
    try:
        with gzip.open(path, "rb") as handle:
            data = json.loads(handle.read().decode("utf-8"))
    except (OSError, ValueError, EOFError) as exc:
        raise TaxonomyError(f"{path}: cannot read the model ({exc}); run `union-news train` to write a new one") from None
    return NgramModel.from_json(data)


def canonical_examples(examples: Sequence[Example]) -> list[Example]:
    """Examples in a fixed order with whitespace cleaned, so training never depends on input order."""
    cleaned = {(clean(e.title), clean(e.text), e.label) for e in examples}
    return [Example(t, x, lab) for t, x, lab in sorted(cleaned)]


def model_name(examples: Sequence[Example], params: dict[str, Any]) -> str:
    """`sections-lr-<12 hex>`: a hash of the canonical training data and parameters (same data, same name)."""
    digest = hashlib.sha256()
    digest.update(json.dumps({"format": FORMAT, "params": params, "labels": LABELS}, sort_keys=True).encode())
    for e in canonical_examples(examples):
        digest.update(json.dumps([e.title, e.text, e.label], ensure_ascii=False).encode("utf-8"))
    return PREFIX + digest.hexdigest()[:12]


def train_model(examples: Sequence[Example], params: dict[str, Any] | None = None, lede_chars: int = 200,
                training: dict[str, Any] | None = None) -> NgramModel:
    """Fit tf-idf + logistic regression on the examples; deterministic (canonical order, lbfgs, rounded weights)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    params = {**DEFAULT_PARAMS, **(params or {})}
    ordered = canonical_examples(examples)
    missing = [label for label in LABELS if not any(e.label == label for e in ordered)]
    if missing:
        raise TaxonomyError(f"training data has no example of {', '.join(missing)}; add some to data/labels/")
    nmin, nmax, repeat = int(params["ngram_min"]), int(params["ngram_max"]), int(params["title_repeat"])
    docs = [(e.title, clean(e.text)[:lede_chars]) for e in ordered]
    vectorizer = TfidfVectorizer(analyzer=lambda doc: model_grams(doc[0], doc[1], nmin, nmax, repeat),
                                 min_df=int(params["min_df"]), sublinear_tf=True, norm="l2", dtype=np.float64)
    matrix = vectorizer.fit_transform(docs)
    target = np.asarray([LABELS.index(e.label) for e in ordered])
    classifier = LogisticRegression(C=float(params["C"]), max_iter=int(params["max_iter"]), solver="lbfgs")
    classifier.fit(matrix, target)
    # scikit-learn sorts the classes; LABELS order is what every consumer expects.
    rows = [list(classifier.classes_).index(i) for i in range(len(LABELS))]
    vocabulary = vectorizer.get_feature_names_out().tolist()
    coef = [[_round(v) for v in classifier.coef_[r]] for r in rows]
    intercept = [_round(classifier.intercept_[r]) for r in rows]
    idf = [_round(v) for v in vectorizer.idf_]
    info = {"examples": len(ordered), "per_label": {lab: sum(e.label == lab for e in ordered) for lab in LABELS},
            "lede_chars": lede_chars, "features": len(vocabulary), **(training or {})}
    return NgramModel(model_name(ordered, {**params, "lede_chars": lede_chars}), params, LABELS, vocabulary, idf,
                      coef, intercept, info)


def _round(value: float) -> float:
    """Seven significant digits: smaller files, and last-bit noise of the solver never changes the bytes."""
    return float(f"{float(value):.7g}")

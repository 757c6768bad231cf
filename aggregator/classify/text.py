"""What the classifier reads of an article (headline + lede) and the character n-grams it counts."""

from __future__ import annotations

import re

_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[。！？!?；]")


def clean(text: str) -> str:
    """Collapse runs of whitespace (paragraph breaks included) into single spaces."""
    return _SPACE.sub(" ", text).strip()


def lede(body: str, chars: int) -> str:
    """The first `chars` characters of the body, whitespace collapsed: what training examples hold as `text`."""
    # Cleaning only a prefix keeps this O(chars) on long articles; extra room absorbs collapsed whitespace.
    return clean(body.lstrip()[: chars * 2 + 32])[:chars]


def first_sentence(text: str) -> str:
    """The text up to and including its first sentence end (the whole text when there is none)."""
    match = _SENTENCE_END.search(text)
    return text[: match.end()] if match else text


def model_grams(title: str, lede_text: str, nmin: int, nmax: int, title_repeat: int) -> list[str]:
    """The n-grams the model counts: the title's `title_repeat` times (headlines weigh more), then the lede's."""
    title_grams = char_ngrams(clean(title).lower(), nmin, nmax)
    return title_grams * title_repeat + char_ngrams(lede_text.lower(), nmin, nmax)


def char_ngrams(doc: str, nmin: int, nmax: int) -> list[str]:
    """Every character n-gram of `doc` with nmin <= n <= nmax (no padding; spaces are characters too)."""
    size = len(doc)
    return [doc[i:i + n] for n in range(nmin, nmax + 1) for i in range(size - n + 1)]

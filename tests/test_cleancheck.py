"""is_clean says exactly when clean_text would leave text unchanged (normalization's shortcut relies on it)."""

from __future__ import annotations

import itertools

from aggregator.cleancheck import is_clean
from aggregator.text import _LINE_TABLE, clean_line, clean_text


def test_is_clean_agrees_with_clean_text_for_every_bmp_character() -> None:
    for code in [*range(0x10000), *_LINE_TABLE, 0x1F600, 0x10FFFF]:
        ch = chr(code)
        for text in (ch, f"a{ch}b", f"{ch}a", f"a{ch}"):
            assert is_clean(text) == (clean_text(text) == text), (hex(code), text)


def test_is_clean_agrees_with_clean_text_on_spacing_and_lines() -> None:
    alphabet = ["a", "文", " ", "\n", "\r", "\u3000", "\u200b"]
    for size in range(6):
        for parts in itertools.product(alphabet, repeat=size):
            text = "".join(parts)
            assert is_clean(text) == (clean_text(text) == text), repr(text)
            if is_clean(text):
                assert all(clean_line(line) == line for line in text.split("\n")), repr(text)

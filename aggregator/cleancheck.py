"""A cheap test of whether text is already in aggregator.text's clean form, so normalization can skip cleaning it.

Extraction cleans the body it returns; cleaning it again (str.translate with a dict table, per line) was most of
what normalization cost. One regex search in C says whether clean_text would change anything.
"""

from __future__ import annotations

import re

from aggregator.text import _LINE_TABLE

# Anything clean_text changes: a character its table removes or maps to a space (the newline aside, which
# separates lines), two spaces, a line's leading or trailing space, a blank line.
_NOT_CLEAN = re.compile(
    "["
    + "".join(re.escape(chr(code)) for code in sorted(_LINE_TABLE) if code != ord("\n"))
    + "]|  | \n|\n |\n\n|\\A[ \n]|[ \n]\\Z"
)


def is_clean(text: str) -> bool:
    """True when clean_text(text) == text (then each line is also its own clean_line)."""
    return _NOT_CLEAN.search(text) is None

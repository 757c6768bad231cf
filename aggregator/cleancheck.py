"""A cheap test of whether text is already in aggregator.text's clean form, so normalization can skip cleaning it.

Extraction cleans the body it returns; cleaning it again (str.translate with a dict table, per line) was most of
what normalization cost. One regex search in C says whether clean_text would change anything.
"""

from __future__ import annotations

import re

from aggregator.text import _LINE_TABLE

# A character clean_text's table removes or maps to a space (the newline aside, which separates lines). A plain
# character class, so the regex engine skips through the text in C.
_CHANGED_CHAR = re.compile(
    "[" + "".join(re.escape(chr(code)) for code in sorted(_LINE_TABLE) if code != ord("\n")) + "]"
)


def is_clean(text: str) -> bool:
    """True when clean_text(text) == text (then each line is also its own clean_line)."""
    # Besides those characters, clean_text changes two spaces, a line's leading or trailing space, a blank line.
    return (_CHANGED_CHAR.search(text) is None and "  " not in text and " \n" not in text and "\n " not in text
            and "\n\n" not in text and not text.startswith((" ", "\n")) and not text.endswith((" ", "\n")))

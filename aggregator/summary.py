"""The digest's one-paragraph summary of an article: its news lede, cut at a sentence end."""

from __future__ import annotations

import re

from aggregator.text import split_byline

_SENTENCE_END = re.compile(r"[。！？!?](?:[”’」』）)])?")


def make_summary(body_text: str, limit: int = 200) -> str:
    """The lede (when, who, what) without the byline, at most about `limit` characters, ending at a sentence end."""
    paragraphs = [p.strip() for p in body_text.split("\n") if p.strip()]
    if not paragraphs:
        return ""
    _byline, first = split_byline(paragraphs[0])
    text = first
    # A one-line opener (a quote, a dateline) is not a lede on its own: take the next paragraph too.
    for extra in paragraphs[1:3]:
        if len(text) >= 60:
            break
        text = f"{text}{extra}"
    if len(text) <= limit:
        return text
    cut = 0
    for match in _SENTENCE_END.finditer(text):
        if match.end() > limit:
            break
        cut = match.end()
    if cut >= limit // 3:
        return text[:cut]
    # No sentence end early enough: cut at the last comma, and mark the cut.
    comma = max(text.rfind("，", 0, limit), text.rfind("；", 0, limit))
    return (text[:comma] if comma > limit // 3 else text[:limit]) + "……"

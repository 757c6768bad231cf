"""The digest's one-paragraph summary of an article: its news lede (when, who, what), cut at a sentence end."""

from __future__ import annotations

import re

from aggregator.text import clean_line, split_byline

_SENTENCE_END = re.compile(r"[。！？!?…](?:[”’」』）)])?|……")
# Paragraphs that open an article without being its lede: the original headline, editor's notes, photo credits.
_NOT_LEDE = re.compile(
    r"^(?:[（(]?原标题[:：]|编者按|编者的话|【导读】|导读[:：]|摘要[:：]|核心提示|图[:：/／]|图片来源|视频[:：]|[（(]图"
    r"|点击(?:上方|蓝字|关注)|来源[:：])"
)
_CAPTION_END = re.compile(r"(?:摄|供图|图|视频截图|截图|资料图|翻拍)[）)]?$")


def _is_lede(paragraph: str) -> bool:
    if _NOT_LEDE.match(paragraph):
        return False
    # A short line that is a caption, or has no sentence end (a subheading, a dateline), is not the lede.
    return not (len(paragraph) < 40 and (_CAPTION_END.search(paragraph) or not _SENTENCE_END.search(paragraph)))


def make_summary(body_text: str, limit: int = 200) -> str:
    """The lede (when, who, what) without the byline, at most `limit` characters, ending at a sentence end."""
    paragraphs = [clean_line(p) for p in body_text.split("\n")]
    paragraphs = [p for p in paragraphs if p]
    if not paragraphs:
        return ""
    # A byline opening the first paragraph is not part of the lede (本报讯（记者…）7月24日，…).
    _byline, first = split_byline(paragraphs[0])
    paragraphs[0] = first
    paragraphs = [p for p in paragraphs if p]
    start = next((i for i, p in enumerate(paragraphs[:6]) if _is_lede(p)), 0)
    if not paragraphs:
        return ""
    text = paragraphs[start]
    # A short opener (a quote, a scene) is not a lede on its own: the next paragraph continues it. A paragraph of
    # 60 characters or more is a lede already; what follows it is often a photo caption.
    for extra in paragraphs[start + 1 : start + 3]:
        if len(text) >= 60 or not _is_lede(extra):
            break
        text = f"{text}{extra}"
    return _cut(text, limit)


def _cut(text: str, limit: int) -> str:
    """`text` cut at its last sentence end within `limit`; at a comma (with an ellipsis) when there is none."""
    if len(text) <= limit:
        return text
    cut = 0
    for match in _SENTENCE_END.finditer(text):
        if match.end() > limit:
            break
        cut = match.end()
    if cut >= limit // 4:
        return text[:cut]
    # One long sentence: cut at the last clause break and mark the cut.
    clause = max(text.rfind(ch, 0, limit - 1) for ch in "，；、,;")
    end = clause if clause > limit // 3 else limit - 1
    return text[:end] + "…"

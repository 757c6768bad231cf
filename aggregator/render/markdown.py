"""Markdown of a digest, for pasting into an editor (items awaiting review are marked for the editor)."""

from __future__ import annotations

import re

from aggregator.digest import Digest, DigestItem
from aggregator.render.html import week_label

# Characters Markdown reads as markup inside a line.
_INLINE = re.compile(r"([\\`*_\[\]<>#~])")
# What would start a list, a quote, a heading or a rule at the beginning of a paragraph.
_LEADING = re.compile(r"^(\s*)(\d+)([.)])(\s)|^(\s*)([-+=])(\s|$)")
REVIEW_MARK = "【待审】"


def escape(text: str) -> str:
    """Escape Markdown markup in headlines, summaries and names (Chinese text rarely has any, sources might)."""
    text = " ".join(text.split())  # one paragraph: no line breaks that Markdown would read as structure
    text = _INLINE.sub(r"\\\1", text)
    return _LEADING.sub(lambda m: (f"{m.group(1)}{m.group(2)}\\{m.group(3)}{m.group(4)}" if m.group(2)
                                   else f"{m.group(5)}\\{m.group(6)}{m.group(7)}"), text)


def link_url(url: str) -> str:
    """A URL that cannot end a Markdown link early."""
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


def _link(name: str, url: str) -> str:
    return f"[{escape(name)}]({link_url(url)})"


def outlet_line(item: DigestItem) -> str:
    """'原文：[A](…)　同时刊发：[B](…)、[C](…)'."""
    parts = [f"原文：{_link(o.name, o.url)}" for o in item.outlets if o.original]
    if item.others:
        parts.append("同时刊发：" + "、".join(_link(o.name, o.url) for o in item.others))
    return "　".join(parts)


def render_markdown(digest: Digest, show_review: bool = True) -> str:
    """The digest as Markdown: title, 核心提示, the sections' items with links, and the credits line."""
    lines = [f"# {escape(digest.title)}", "", f"{escape(week_label(digest))} · {len(digest.items)} 条", ""]
    if show_review and digest.review_count:
        lines += [f"> 编辑提示：本期有 {digest.review_count} 条的栏目由程序判定、把握不足，已标{REVIEW_MARK}，"
                  "发布前请核对并删去标记。", ""]
    if digest.headlines:
        lines += ["**核心提示**", ""]
        for item in digest.headlines:
            lines += [f"●{escape(item.title)}", ""]
    for name, items in digest.sections:
        lines += [f"## {name}", ""]
        for item in items:
            review = show_review and item.needs_review
            lines += [f"### {escape(item.title)}{REVIEW_MARK if review else ''}", ""]
            if review:
                confidence = f"（置信度 {item.confidence:.2f}）" if item.confidence is not None else ""
                lines += [f"> {REVIEW_MARK}栏目“{name}”为程序判定{confidence}，请核对。", ""]
            lines += [escape(item.summary), "", outlet_line(item), ""]
    if digest.credits:
        lines += [f"部分图文来源：{'、'.join(escape(c) for c in digest.credits)}", ""]
    return "\n".join(lines)

"""Markdown of a digest, for pasting into an editor."""

from __future__ import annotations

from aggregator.digest import Digest


def _escape(text: str) -> str:
    """Escape what Markdown would read as markup in headlines and summaries."""
    for ch in ("\\", "[", "]", "*", "_", "`", "#", "<", ">"):
        text = text.replace(ch, "\\" + ch)
    return text


def render_markdown(digest: Digest, show_review: bool = True) -> str:
    """The digest as Markdown: title, 核心提示, the sections' items with links, and the credits line."""
    lines = [f"# {_escape(digest.title)}", ""]
    if digest.headlines:
        lines += ["**核心提示**", ""] + [f"- ●{_escape(item.title)}" for item in digest.headlines] + [""]
    for name, items in digest.sections:
        lines += [f"## {name}", ""]
        for item in items:
            flag = "（待审）" if show_review and item.needs_review else ""
            lines += [f"### [{_escape(item.title)}]({item.url}){flag}", "", _escape(item.summary), ""]
            links = "、".join(f"[{_escape(o.name)}]({o.url})" for o in item.outlets)
            lines += [f"来源：{links}", ""]
    lines += [f"部分图文来源：{'、'.join(digest.credits)}", ""]
    return "\n".join(lines)

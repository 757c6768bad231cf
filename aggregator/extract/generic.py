"""The generic article extractor for pages without site selectors: headline, time, author, 来源 and body."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from aggregator.extract.html import HtmlElement, meta_content, node_text_lines, text_of
from aggregator.sanitize import sanitize_html
from aggregator.text import clean_line, clean_title

# Nodes that are never article text.
_STRIP_TAGS = ("script", "style", "noscript", "template", "iframe", "form", "select", "button", "input", "nav",
               "footer", "aside", "header", "svg", "object", "embed")
_NOISE_ATTR = re.compile(
    r"(^|[\s_-])(nav|navbar|menu|breadcrumb|crumb|position|location|share|bdshare|sharebox|social|related|relate|"
    r"recommend|xgxw|xgyd|comment|pinglun|footer|foot|copyright|banquan|sidebar|side|aside|right|ad|ads|advert|"
    r"guanggao|print|toolbar|tools|pager|page-?nav|prev|next|sxp|qrcode|erweima|login|search|hot|rank|"
    r"paihang|tags|keywords|zrbj|bjzr|author-?box|fontsize|zihao)($|[\s_\d-])",
    re.IGNORECASE,
)
_PUNCT = re.compile(r"[，。！？；、：“”]")
_TITLE_SEPARATORS = re.compile(r"\s*(?:[_|｜]|--|—{1,2}|-\s|\s-)\s*")
_META_DATE_NAMES = ("article:published_time", "publishdate", "pubdate", "publish_date", "publishtime",
                    "og:release_date", "og:article:published_time", "dc.date", "dc.date.issued", "datepublished",
                    "firstpublishedtime", "publish-time", "release_date", "weibo:article:create_at")
_DATE_TEXT = re.compile(
    r"((?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}[:：时]\d{1,2}(?:[:：分]\d{1,2})?)?)"
)
_LABELLED_DATE = re.compile(r"(?:发布时间|发布日期|发表时间|时间|日期|发布)[:：]?\s*" + _DATE_TEXT.pattern)
_ORIGIN = re.compile(r"(?:来源|来自|稿源|出处)\s*[:：]\s*([^\s|，,：:<>【】\[\]]{2,30})")
_AUTHOR = re.compile(r"(?:作者|撰稿|文)\s*[:：/／]\s*([^\s|，,：:<>【】\[\]]{2,30})")
_REPORTER = re.compile(r"(?:^|\s)(?:记者|本报记者)\s*[:：]?\s*([\u4e00-\u9fff·]{2,4}(?:[\s、][\u4e00-\u9fff·]{2,4}){0,3})")
# Lines that end an article body: editor lines, share/print widgets, copyright.
_TAIL_LINE = re.compile(
    r"^[（(【\[]?\s*(?:责任编辑|责编|编辑|审核|校对|审校|初审|二审|三审|终审|监制|统筹|值班编辑|编审|签发|"
    r"作者单位|本文来源|稿件来源)\s*[:：\s]"
    r"|^(?:分享到|分享|打印|关闭|关闭窗口|返回顶部|上一篇|下一篇|相关阅读|相关新闻|相关文章|推荐阅读|"
    r"扫一扫|【打印】|【关闭】|版权所有|Copyright)",
    re.IGNORECASE,
)
_INFO_LINE = re.compile(r"(来源|发布时间|作者|浏览|点击|字号|【字体|阅读量|打印)")


@dataclass(slots=True)
class Extracted:
    """Fields found on a page; empty strings and None where nothing was found."""

    title: str = ""
    published_raw: str | None = None
    author: str | None = None
    origin: str | None = None
    body_lines: list[str] = field(default_factory=list)
    body_html: str = ""
    images: list[str] = field(default_factory=list)


def _strip_noise(doc: HtmlElement) -> None:
    for el in list(doc.iter(*_STRIP_TAGS)):
        if el.getparent() is not None:
            el.drop_tree()
    for el in list(doc.iter()):
        if not isinstance(el.tag, str):  # comments, processing instructions
            if el.getparent() is not None:
                el.drop_tree()


def _is_noise(el: HtmlElement) -> bool:
    attrs = f"{el.get('id', '')} {el.get('class', '')}"
    return bool(attrs.strip()) and bool(_NOISE_ATTR.search(attrs))


def find_title(doc: HtmlElement) -> str:
    """The headline: the <h1>/<h2> that <title> contains, else og:title, else <title>'s longest segment."""
    page_title = clean_title(doc.findtext(".//title") or "")
    meta_title = meta_content(doc, "og:title", "articletitle", "twitter:title", "headline")
    candidates: list[str] = []
    for tag in ("h1", "h2", "h3"):
        for el in doc.iter(tag):
            text = clean_title(text_of(el))
            if 4 <= len(text) <= 120:
                candidates.append(text)
        if candidates and tag == "h1":
            break
    for text in candidates:
        if page_title and (text in page_title or page_title.startswith(text[: max(6, len(text) // 2)])):
            return text
    if meta_title:
        meta_title = clean_title(meta_title)
        for text in candidates:
            if text == meta_title or text in meta_title:
                return text
        return _longest_segment(meta_title)
    if candidates:
        return candidates[0]
    return _longest_segment(page_title)


def _longest_segment(title: str) -> str:
    parts = [p for p in _TITLE_SEPARATORS.split(title) if p]
    return max(parts, key=len) if parts else title


def _score_candidates(doc: HtmlElement) -> HtmlElement | None:
    scores: dict[HtmlElement, float] = {}
    for el in doc.iter("p", "div", "td", "section", "span", "font", "li", "pre"):
        if el.tag in ("div", "td", "section", "span", "font", "li"):
            # Count only text held directly by this element (leaf-like blocks with text and <br>s).
            own = (el.text or "") + "".join((c.tail or "") for c in el if c.tag in ("br", "span", "font", "strong", "b", "em", "a", "img"))
            if any(c.tag in ("p", "div", "table", "section", "ul", "ol") for c in el):
                own = (el.text or "")
            text = clean_line(own)
        else:
            text = text_of(el)
        if len(text) < 8:
            continue
        if el.tag == "li" and len(text) < 60:
            continue
        punct = len(_PUNCT.findall(text))
        score = 1.0 + punct + min(len(text) / 60.0, 4.0)
        parent = el.getparent() if el.tag in ("p", "span", "font", "pre") else el
        if parent is None:
            continue
        grand = parent.getparent()
        scores[parent] = scores.get(parent, 0.0) + score
        if grand is not None:
            scores[grand] = scores.get(grand, 0.0) + score / 2.0
    best: HtmlElement | None = None
    best_score = 0.0
    for node, score in scores.items():
        if node.tag in ("html", "body"):
            continue
        text_len = len(text_of(node)) or 1
        link_len = sum(len(text_of(a)) for a in node.iter("a"))
        density = link_len / text_len
        adjusted = score * (1.0 - min(density, 0.95))
        if _is_noise(node):
            adjusted *= 0.2
        if adjusted > best_score:
            best, best_score = node, adjusted
    return best


def _clean_body_node(node: HtmlElement, title: str) -> HtmlElement:
    node = copy.deepcopy(node)
    for el in list(node.iter()):
        if el is node or el.getparent() is None:
            continue
        if _is_noise(el):
            el.drop_tree()
            continue
        if el.tag in ("h1", "h2") and title and clean_title(text_of(el)) == title:
            el.drop_tree()
    return node


def _trim_lines(lines: list[str], title: str) -> list[str]:
    out: list[str] = []
    for line in lines:
        if line == title:
            continue
        if _TAIL_LINE.search(line):
            # An editor or share line ends the body; text after it is page furniture.
            if out:
                break
            continue
        if len(line) < 60 and _INFO_LINE.search(line) and _DATE_TEXT.search(line):
            continue  # the info line (time / 来源 / 作者) inside the body wrapper
        out.append(line)
    while out and (len(out[-1]) <= 30 and re.fullmatch(r"[（(].{1,28}[）)]", out[-1]) and re.search(r"编|审|记者|作者", out[-1])):
        out.pop()
    return out


def _header_text(doc: HtmlElement, title: str, body: HtmlElement | None) -> str:
    """Text between the headline and the body: where the time, 来源 and 作者 usually are."""
    lines = node_text_lines(doc.body if doc.body is not None else doc)
    start = 0
    for i, line in enumerate(lines):
        if title and (line == title or (len(title) > 8 and title in line and len(line) < len(title) + 20)):
            start = i + 1
            break
    first_body = ""
    if body is not None:
        body_lines = node_text_lines(body)
        first_body = next((ln for ln in body_lines if len(ln) > 20 and ln != title), "")
    window: list[str] = []
    for line in lines[start : start + 12]:
        if first_body and line == first_body:
            break
        window.append(line)
    return "\n".join(window)


def find_published(doc: HtmlElement, header: str) -> str | None:
    """The publish time as shown: meta tags, labelled or plain dates near the headline, <time> elements.

    A candidate with a time of day wins over a date-only one (meta tags often hold the date alone).
    """
    candidates: list[str] = []
    meta = meta_content(doc, *_META_DATE_NAMES)
    if meta and re.search(r"\d{4}", meta):
        candidates.append(meta)
    for pattern in (_LABELLED_DATE, _DATE_TEXT):
        match = pattern.search(header)
        if match:
            candidates.append(match.group(1))
    for el in doc.iter("time"):
        value = el.get("datetime") or text_of(el)
        if value and re.search(r"\d{4}", value):
            candidates.append(value)
            break
    for value in candidates:
        if re.search(r"\d{1,2}[:：时]\d{2}", value):
            return value
    return candidates[0] if candidates else None


def extract_generic(doc: HtmlElement, url: str) -> Extracted:
    """Extract every field from a parsed page without site knowledge."""
    result = Extracted()
    result.title = find_title(doc)
    work = copy.deepcopy(doc)
    _strip_noise(work)
    body = _score_candidates(work)
    header = _header_text(work, result.title, body)
    result.published_raw = find_published(doc, header)
    origin = _ORIGIN.search(header)
    result.origin = origin.group(1) if origin else meta_content(doc, "source", "contentsource", "og:article:source")
    author = _AUTHOR.search(header) or _REPORTER.search(header)
    result.author = author.group(1).strip() if author else meta_content(doc, "author", "og:article:author")
    if body is not None:
        cleaned = _clean_body_node(body, result.title)
        result.body_lines = _trim_lines(node_text_lines(cleaned), result.title)
        prune_to_lines(cleaned, result.body_lines)
        result.body_html = sanitize_html(lxml_to_string(cleaned), url)
        result.images = [img for img in re.findall(r'<img[^>]+src="([^"]+)"', result.body_html)]
    return result


def prune_to_lines(node: HtmlElement, kept: list[str]) -> None:
    """Drop the leaf blocks of `node` whose text was trimmed from the body (info, editor, share lines)."""
    keep = set(kept)
    for el in list(node.iter("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "span", "table", "ul")):
        if el is node or el.getparent() is None:
            continue
        if any(isinstance(c.tag, str) and c.tag in ("p", "div", "table", "ul", "img", "li") for c in el.iter() if c is not el):
            continue
        text = text_of(el)
        if text and text not in keep and not any(text in line for line in keep):
            el.drop_tree()


def lxml_to_string(node: HtmlElement) -> str:
    """Serialize a node to an HTML string."""
    import lxml.html

    return lxml.html.tostring(node, encoding="unicode")

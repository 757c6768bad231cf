"""The generic article extractor for pages without site selectors: headline, time, author, 来源 and body.

How it reads a page (docs/extraction.md has the long version):
1. Page furniture that is never article text goes first: scripts, forms' controls, navigation, asides, elements
   hidden with `display:none` (SEO keyword spam, duplicate titles), comments.
2. The body is the element holding the most prose: every run of text scores by its Chinese punctuation and length,
   the score goes to its block and (halved) to the block's ancestors; link-heavy blocks and blocks named like
   navigation, comments or related lists lose, blocks named like content win.
3. Inside the body, link lists, share bars, related-article boxes and editor/copyright lines are removed.
4. The headline is the heading that the <title> (or og:title) quotes, not the site name; failing that, the heading
   right above the body.
5. Time, author and 来源 are read between the headline and the body (where pages print them), then from meta tags,
   JSON-LD and script variables, then from a labelled date anywhere (some themes print it under the body).
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree

from aggregator.extract.html import (
    BLOCK_TAGS,
    HtmlElement,
    inline_text,
    node_text_lines,
    node_text_lines_and_leaves,
    text_content,
)
from aggregator.sanitize import sanitize_html
from aggregator.text import clean_line, clean_title

# Dropped before anything is read: never article text.
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "select", "button", "input", "textarea",
              "svg", "object", "embed", "canvas", "map", "audio", "video", "link", "meta")
# Page furniture by tag; not dropped (some templates put the headline and its time in an <aside>), only never body.
_NOISE_TAGS = frozenset({"nav", "aside", "footer"})
# Class/id words of page furniture and of article containers, matched against the words of the attribute (split at
# "-", "_" and spaces: "post_text" is "post" and "text").
_NOISE_WORDS = frozenset((
    "nav", "navbar", "navi", "navigation", "menu", "menus", "submenu", "breadcrumb", "breadcrumbs", "crumb",
    "crumbs", "position", "location", "weizhi", "dqwz", "curpos", "share", "shares", "sharebox", "bdshare",
    "bdsharebuttonbox", "jiathis", "social", "sns", "related", "relate", "relates", "relative", "recommend",
    "recommends", "tuijian", "xgxw", "xgyd", "xgwz", "correlation", "comment", "comments", "pinglun",
    "reply", "replies", "cmt", "gentie", "footer", "foot", "copyright", "banquan", "sidebar", "side",
    "aside", "advert", "advertisement", "ads", "ad", "guanggao", "gg", "sponsor", "print", "toolbar",
    "tools", "pager", "pagination", "pagenav", "prevnext", "sxp", "qrcode", "erweima", "ewm", "login",
    "search", "hot", "hotnews", "rank", "paihang", "tags", "tag", "keywords", "keyword", "zrbj", "bjzr",
    "fontsize", "zihao", "statement", "disclaimer", "mianze", "reward", "zan", "dashang", "topbar",
    "subscribe", "follow", "feedback", "report", "jubao", "morenews", "hotlist",
))
_POSITIVE_WORDS = frozenset((
    "content", "contents", "article", "articles", "artibody", "text", "txt", "zw", "zhengwen", "body",
    "detail", "details", "main", "newstext", "newscontent", "con", "cont", "conter", "contentbox",
    "endtext", "maintext", "story",
))
_WORD_SPLIT = re.compile(r"[\s_\-]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_CJK_PUNCT = re.compile(r"[，。！？；、]")
_TITLE_SEPARATORS = re.compile(r"\s*(?:[_|｜]|--+|—{1,2}|－|-\s|\s-)\s*")

# Dates as pages print them (the full parser is aggregator.dates; this only finds them).
_YMD = (r"(?:(?:19|20)\d{2}|\d{2})\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}(?!\d)\s*日?"
        r"(?:\s*(?:T|\s)?\s*\d{1,2}\s*[:：时点]\s*\d{1,2}(?:\s*[:：分]\s*\d{1,2})?)?")
_MD_TIME = r"(?<![\d/.\-年])\d{1,2}\s*[-/月]\s*\d{1,2}(?!\d)\s*日?\s*\d{1,2}\s*[:：]\s*\d{2}"
_DATE_FULL = re.compile(r"(?<!\d)(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}(?!\d)\s*日?"
                        r"(?:\s*(?:T|\s)?\s*\d{1,2}\s*[:：时点]\s*\d{1,2}(?:\s*[:：分]\s*\d{1,2})?)?")
_DATE_SHORT_YEAR = re.compile(r"(?<![\d:：])\d{2}-\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}")
_DATE_MD_TIME = re.compile(_MD_TIME)
_DATE_LABEL = r"(?:发布时间|发布日期|发表时间|发表日期|发稿时间|更新时间|更新日期|时间|日期|发布于|发表于|发布|Date)"
_LABELLED_DATE = re.compile(_DATE_LABEL + r"\s*[:：]?\s*(" + _YMD + ")")
_CN_DATE = re.compile(r"[〇零○Ｏ一二三四五六七八九]{4}\s*年\s*[一二三四五六七八九十]{1,3}\s*月\s*[一二三四五六七八九十]{1,3}\s*日")
_RELATIVE_DATE = re.compile(r"刚刚|(?:大?前天|昨天|今天)(?:\s*\d{1,2}[:：]\d{2})?|\d{1,3}\s*(?:秒|分钟|小时|天)前|半小时前")
_LONE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_HAS_TIME = re.compile(r"\d{1,2}\s*[:：时点]\s*\d{2}")
_ORIGIN = re.compile(r"(?:来源|来自|稿源|出处|消息来源)\s*[:：]\s*([^\s|｜，,:：<>【】\[\]]{2,30})")
_AUTHOR = re.compile(
    r"(?:作者|撰稿|撰文|文\s*/|文\s*[:：]|记者)\s*[:：/／]?\s*([\u4e00-\u9fffA-Za-z·]{2,12}(?:[ 、，,][\u4e00-\u9fff·]{2,4}){0,3})"
)
# Words that start the next label on a header line ("作者：宪瑞 编辑：宪瑞"): a name stops before them.
_LABEL_WORDS = frozenset((
    "编辑", "责编", "来源", "出处", "时间", "发布", "审核", "校对", "摄影", "摄", "通讯员", "作者", "记者", "字号", "浏览", "阅读", "点击",
    "分享", "举报", "关注",
))
_INFO_WORDS = re.compile(r"来源|发布时间|发布日期|作者|浏览|点击|字号|【字体|阅读[:：量]|打印|分享|编辑[:：]|时间[:：]")
# Lines that end an article body (editor lines, copyright, widgets) or that are furniture wherever they are.
_TAIL_LINE = re.compile(
    r"^[（(【\[]?\s*(?:责任编辑|责编|编辑|审核|校对|审校|初审|二审|三审|终审|复审|监制|统筹|值班编辑|编审|签发|"
    r"主编|美编|文字编辑|网络编辑|作者单位|本文来源|稿件来源|来源|文章来源|原文链接|关键字|关键词|标签|Tags?)"
    r"\s*[:：\s]"
    r"|^(?:分享到|分享：|打印本页|关闭窗口|返回顶部|上一篇|下一篇|相关阅读|相关新闻|相关文章|相关链接|推荐阅读|延伸阅读|"
    r"热门推荐|猜你喜欢|你可能会喜欢|扫一扫|扫描二维码|【打印】|【关闭】|版权所有|版权声明|Copyright|©|"
    r"免责声明|特别声明|郑重声明|本站郑重声明|声明：|转载请注明|未经授权|未经许可|本文为.{0,12}原创|网友评论|"
    r"此前报道|点击进入专题|更多精彩|更多猛料|欢迎关注|[-—]+\s*THE END|（完）\s*$|\(完\)\s*$)",
    re.IGNORECASE,
)
_FURNITURE_LINE = re.compile(
    r"^(?:分享到|分享|打印|关闭|收藏|字号|【字体|字体[:：]|\[?大\]?\s*\[?中\]?\s*\[?小\]?|点击|阅读[:：]|浏览[:：]|"
    r"当前位置|您的位置|所在位置|首页\s*[>›»]|展开全文|阅读全文|查看原文|返回(?:首页|顶部|列表)|上一页|下一页|"
    r"\d+/\d+$|【\d+】|点击进入|点击查看|点击投票)"
)
# An editor credit inside a short line ("作者：未知 责任编辑：许可", "新华社记者 王某 责编 李某").
_EDITOR_ANYWHERE = re.compile(r"责任编辑|责编|值班编辑|审核[:：]|校对[:：]|编辑\s*[:：]")
# Promotion lines portals put at the top or the bottom of the body ("download the app", "scan the code", "vote").
_PROMO = re.compile(r"下载|客户端|APP|扫码|扫描|二维码|关注|公众号|点击|免费|福利|快来|火热进行|投票|抽奖|戳|订阅|专享|领取|优惠")
# The end-of-article markers kept as the body's last line rather than cut.
_KEEP_END = re.compile(r"^[（(]完[）)]$")


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


@dataclass(slots=True)
class _Meta:
    """What the document head and scripts say: meta tags by lower-cased key, JSON-LD and script values."""

    tags: dict[str, str] = field(default_factory=dict)
    ld: dict[str, str] = field(default_factory=dict)
    script_dates: list[str] = field(default_factory=list)
    script_title: str | None = None
    page_title: str = ""
    base_href: str | None = None  # the href of the first <base> that has one (None without)

    def get(self, *names: str) -> str | None:
        for name in names:
            value = self.tags.get(name)
            if value:
                return value
        return None


# ----------------------------------------------------------------------------------------------------------
# Head, meta tags, JSON-LD and script variables

# Script variables holding the publish time and the headline: `pubtime: "2025-07-24 09:30"`, `"title": "…"`.
# The name comes first, without the quote that may stand before it: the values found are the same (a match that
# would start at that quote starts at the name instead and ends at the same place), and a pattern that starts
# with literal names lets the regex engine skip the positions where no name can start (3x faster on real pages).
_SCRIPT_DATE = re.compile(
    r"""(?:pubtime|pub_time|publish_time|publishtime|publishTime|pubDate|pubdate|ptime|publishDate|"""
    r"""publish_date|releaseTime|release_time|datePublished|createTime|create_time|time_published)["']?\s*[:=]\s*"""
    r"""["']((?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?[^"']{0,8})["']"""
)
_SCRIPT_TITLE = re.compile(r"""(?:title|articleTitle|article_title|msg_title)["']?\s*[:=]\s*["']([^"'\n]{4,120})["']""")


def _read_meta(doc: HtmlElement, scripts: bool = True) -> _Meta:
    """The page's metadata; without `scripts`, no script variables (script_dates, script_title stay empty)."""
    meta = _Meta()
    head_title: HtmlElement | None = None
    # One walk of the page for the four tags instead of one each: each kind is still read in document order
    # (they fill different fields); the headline is the first <title> below `doc`, as doc.find(".//title")
    # found it, and the base the first <base> with an href, as doc.find(".//base[@href]") found it.
    base_found = False
    for el in doc.iter("title", "meta", "script", "base"):
        tag = el.tag
        if tag == "base":
            if not base_found and el is not doc and (href := el.get("href")) is not None:
                meta.base_href, base_found = href, True
        elif tag == "meta":
            key = (el.get("name") or el.get("property") or el.get("itemprop") or el.get("http-equiv") or "")
            key = key.strip().lower()
            content = (el.get("content") or "").strip()
            if key and content and key not in meta.tags:
                meta.tags[key] = content
        elif tag == "script":
            _read_script(el, meta, scripts)
        elif head_title is None and el is not doc:
            head_title = el
    meta.page_title = clean_title(head_title.text_content()) if head_title is not None else ""
    return meta


def _read_script(script: HtmlElement, meta: _Meta, scripts: bool) -> None:
    """What one <script> adds to `meta`: its JSON-LD, else (with `scripts`) its date and title variables."""
    json_ld = (script.get("type") or "").lower() == "application/ld+json"
    if not json_ld and not scripts:
        return  # not even its text: decoding a large script costs too
    text = script.text or ""
    if not text:
        return
    if json_ld:
        _read_json_ld(text, meta.ld)
        return
    if len(meta.script_dates) < 3:
        meta.script_dates.extend(m.group(1) for m in _SCRIPT_DATE.finditer(text[:200_000]))
    if meta.script_title is None:
        found = _SCRIPT_TITLE.search(text[:50_000])
        if found:
            meta.script_title = found.group(1)


def _read_json_ld(text: str, out: dict[str, str]) -> None:
    try:
        data = json.loads(text)
    except ValueError:
        return
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            for key in ("headline", "datePublished", "dateCreated"):
                if isinstance(item.get(key), str) and key not in out:
                    out[key] = item[key]
            author = item.get("author")
            if "author" not in out:
                if isinstance(author, dict) and isinstance(author.get("name"), str):
                    out["author"] = author["name"]
                elif isinstance(author, list) and author and isinstance(author[0], dict):
                    name = author[0].get("name")
                    if isinstance(name, str):
                        out["author"] = name
            stack.extend(v for k, v in item.items() if k in ("@graph", "mainEntity", "mainEntityOfPage"))


# ----------------------------------------------------------------------------------------------------------
# Cleaning the working copy

def _words(el: HtmlElement) -> set[str]:
    attrs = f"{el.get('id') or ''} {el.get('class') or ''}".lower()
    if not attrs.strip():
        return set()
    return set(_WORD_SPLIT.split(attrs.strip()))


def _is_noise(el: HtmlElement) -> bool:
    if el.tag in _NOISE_TAGS:
        return True
    words = _words(el)
    return bool(words) and not words.isdisjoint(_NOISE_WORDS)


def _is_positive(el: HtmlElement) -> bool:
    words = _words(el)
    return bool(words) and not words.isdisjoint(_POSITIVE_WORDS)


def _is_hidden(el: HtmlElement) -> bool:
    if el.get("hidden") is not None or (el.get("type") or "").lower() == "hidden":
        return True
    style = el.get("style")
    if style and _HIDDEN_STYLE.search(style):
        # WeChat's body is hidden until its script runs; it is the article, not furniture.
        return el.get("id") != "js_content"
    return False


def _prepare(doc: HtmlElement, drop_hidden: bool = True) -> HtmlElement:
    """A copy of the page without scripts, controls, comments, navigation and (optionally) hidden elements."""
    return _strip_furniture(copy.deepcopy(doc), drop_hidden)


# The elements with a style, hidden or type attribute, in document order (as //*[@style or @hidden or @type] finds
# them): the parents of those attributes, which libxml2 finds two to four times faster than it tests every element.
_MAYBE_HIDDEN = etree.XPath("(//@style|//@hidden|//@type)/..")


def _strip_furniture(work: HtmlElement, drop_hidden: bool) -> HtmlElement:
    """Drop scripts, controls, comments and (optionally) hidden elements from `work`, a copy (its root stays)."""
    for el in list(work.iter(*_DROP_TAGS, etree.Comment, etree.ProcessingInstruction)):
        parent = el.getparent()
        if parent is not None:
            el.drop_tree()
    if drop_hidden:
        for el in _MAYBE_HIDDEN(work):
            if el.getparent() is not None and _is_hidden(el):
                el.drop_tree()
    return work


# ----------------------------------------------------------------------------------------------------------
# Finding the body

_INLINE_PARA_OWNER = frozenset({"p", "pre", "blockquote", "h2", "h3", "h4", "h5", "h6", "li", "dd", "figcaption"})


class _Scored(Exception):
    """Raised inside _paragraphs' walk when the caller wants the runs only up to the first one that scores."""


def _paragraphs(root: HtmlElement, marker: HtmlElement | None = None,
                until_scoring: bool = False) -> tuple[list[tuple[HtmlElement, str, int]], int]:
    """Runs of inline text in document order: (the block holding them, text, characters inside links), and the
    number of runs that come before the end of `marker` (the headline), or -1 without one. With
    `until_scoring`, the runs end at the first one that scores (_run_score > 0): all that a header needs."""
    runs = _Runs(marker, until_scoring)
    buf: list[str] = [root.text] if root.text else []
    links = [0]
    try:
        runs.walk(root, root, buf, links, False)
        runs.flush(root, buf, links)
    except _Scored:
        pass
    return runs.out, runs.marker_pos


class _Runs:
    """_paragraphs' walk. Its state is in attributes, not in the cells of a nested function that calls
    itself: such a function is a reference cycle, which kept every page's runs alive until the cyclic garbage
    collector ran (and made it run several times as often)."""

    __slots__ = ("marker", "marker_pos", "out", "until_scoring")

    def __init__(self, marker: HtmlElement | None, until_scoring: bool) -> None:
        self.out: list[tuple[HtmlElement, str, int]] = []
        self.marker = marker
        self.marker_pos = -1
        self.until_scoring = until_scoring

    def walk(self, el: HtmlElement, owner: HtmlElement, buf: list[str], links: list[int],
             in_link: bool) -> None:
        """Add the runs of `el`'s children; `buf`/`links` collect the run of `owner`, the nearest block."""
        marker = self.marker
        for child in el:
            tag = child.tag
            if tag.__class__ is not str:
                tag = ""  # a comment or processing instruction left in place: only its tail counts
            elif tag in BLOCK_TAGS:
                if tag == "br":
                    buf.append("\n")
                else:
                    self.flush(owner, buf, links)  # keep runs in document order
                    text = child.text
                    child_buf: list[str] = [text] if text else []
                    child_links = [len(text.strip()) if text and in_link else 0]
                    if len(child):
                        self.walk(child, child, child_buf, child_links, in_link)
                    self.flush(child, child_buf, child_links)
            else:
                link = in_link or tag == "a"
                text = child.text
                if text:
                    buf.append(text)
                    if link:
                        links[0] += len(text.strip())
                if len(child):
                    self.walk(child, owner, buf, links, link)
            if child is marker:
                self.marker_pos = len(self.out)
            tail = child.tail
            if tail:
                buf.append(tail)
                if in_link:
                    links[0] += len(tail.strip())

    def flush(self, block: HtmlElement, buf: list[str], links: list[int]) -> None:
        """End the current run of `block`: its lines become runs."""
        if not buf:  # most calls: a block boundary with no text since the last one
            links[0] = 0
            return
        text = "".join(buf)
        if not text.strip():
            buf.clear()
            links[0] = 0
            return
        for piece in text.split("\n"):
            piece = clean_line(piece)
            if piece:
                # Link characters are spread over the block's runs in proportion; exact enough for a ratio.
                share = links[0] * len(piece) // max(len(text), 1)
                self.out.append((block, piece, share))
                if self.until_scoring and _run_score(piece, share) > 0:
                    raise _Scored  # the rest of the walk would only add runs after it
        buf.clear()
        links[0] = 0


def _run_score(text: str, link_chars: int) -> float:
    length = len(text)
    if length < 8:
        return 0.0
    punct = len(_CJK_PUNCT.findall(text))
    if punct == 0 and length < 40:
        return 0.0
    score = 1.0 + punct + min(length / 50.0, 3.0)
    if link_chars > length * 0.5:
        score *= 0.05
    return score


@dataclass(slots=True)
class _Body:
    node: HtmlElement
    runs: list[tuple[HtmlElement, str, int]]


def _find_body(root: HtmlElement, title_el: HtmlElement | None = None) -> _Body | None:
    runs, title_pos = _paragraphs(root, title_el)
    scores: dict[HtmlElement, float] = {}
    first: dict[HtmlElement, int] = {}
    scoring_before: list[int] = []  # scoring runs before run i
    count = 0
    for i, (block, text, link_chars) in enumerate(runs):
        scoring_before.append(count)
        score = _run_score(text, link_chars)
        if score <= 0:
            continue
        count += 1
        # A <p> is one paragraph of its parent; a <div> holding text (with <br>s) is itself the container.
        node = block.getparent() if block.tag in _INLINE_PARA_OWNER and block.getparent() is not None else block
        weight = 1.0
        depth = 0
        while node is not None and depth < 4:
            scores[node] = scores.get(node, 0.0) + score * weight
            first.setdefault(node, i)
            parent = node.getparent()
            # Editors nest paragraphs in layers of <section> (WeChat-style layouts): climbing out of a wrapper that
            # holds nothing else costs nothing, so the paragraphs still meet in their real container.
            if parent is None or not _only_child(node, parent):
                weight *= 0.5
                depth += 1
            node = parent
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)[:15]
    best: HtmlElement | None = None
    best_score = 0.0
    link_chars: dict[HtmlElement, int] = {}  # each link's text length, measured once: ranked nodes nest
    for node, score in ranked:
        if node.tag in ("html", "body"):
            score *= 0.6
        total = len(node.text_content()) or 1
        link = 0
        for a in node.iter("a"):
            chars = link_chars.get(a)
            if chars is None:
                # A link without child nodes holds only its .text: no XPath evaluation needed.
                chars = link_chars[a] = len(a.text_content()) if len(a) else len(a.text or "")
            link += chars
        density = min(link / total, 1.0)
        adjusted = score * (1.0 - density) ** 2
        if _noise_above(node):
            adjusted *= 0.3
        elif _is_positive(node):
            adjusted *= 1.25
        if title_pos >= 0:
            # The body follows its headline: the first prose after the headline is the best sign of it.
            start = first[node]
            if start < title_pos and not (title_el is not None and _inside(title_el, node)):
                adjusted *= 0.5
            else:
                gap = scoring_before[start] - scoring_before[title_pos] if title_pos < len(runs) else 0
                adjusted *= 1.5 if gap <= 0 else 1.25 if gap <= 2 else 1.0
        if adjusted > best_score:
            best, best_score = node, adjusted
    if best is None:
        return None
    return _Body(best, [r for r in runs if _inside(r[0], best)])


def _only_child(node: HtmlElement, parent: HtmlElement) -> bool:
    """`node` is all that `parent` holds (no other element, no text of its own)."""
    if parent.tag in ("body", "html") or (parent.text and parent.text.strip()) or (node.tail and node.tail.strip()):
        return False
    return sum(1 for c in parent if isinstance(c.tag, str) and c.tag != "br") == 1


def _noise_above(node: HtmlElement) -> bool:
    """The node or one of its ancestors is named like comments, related lists, sidebars or footers."""
    el: HtmlElement | None = node
    while el is not None and el.tag not in ("body", "html"):
        if _is_noise(el):
            return True
        el = el.getparent()
    return False


def _inside(el: HtmlElement, ancestor: HtmlElement) -> bool:
    while el is not None:
        if el is ancestor:
            return True
        el = el.getparent()
    return False


def _clean_body(node: HtmlElement, title: str) -> HtmlElement:
    """A copy of the body without furniture: noise-named or link-heavy blocks, the repeated headline."""
    node = copy.deepcopy(node)
    total = len(text_content(node)) or 1
    squashed_title = _squash(title)
    for el in list(node.iter()):
        if el is node or el.getparent() is None or not isinstance(el.tag, str):
            continue
        # Inline elements named like noise are usually words of the text (a stock-quote link named "keyword").
        if el.tag in BLOCK_TAGS and _is_noise(el) and (
            len(text_content(el)) < total * 0.15 or (len(text_content(el)) < total * 0.4 and el.find(".//p") is None)
        ):
            el.drop_tree()
            continue
        if el.tag in ("h1", "h2", "h3", "h4") and squashed_title and _squash(text_content(el)) == squashed_title:
            el.drop_tree()
            continue
        if el.tag in ("div", "ul", "ol", "table", "dl", "section", "p", "li", "td", "dd", "center", "blockquote"):
            text = clean_line(text_content(el))
            if len(text) < 2:
                continue
            links = sum(len(clean_line(text_content(a))) for a in el.iter("a"))
            if links >= len(text) * 0.6 and not (el.tag == "p" and len(text) > 120):
                el.drop_tree()
    return node


# Removed with a regex rather than str.translate(), which is slow on Chinese text (a table lookup per character).
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad]")
_INDENT = "\u3000\u00a0 \t\r\n"


# Inline wrappers that carry nothing once the sanitizer has removed their attributes (it keeps no style, class or
# id): unwrapping them here, in C, keeps their text and spares the sanitizer most of its tags.
_BARE_INLINE = ("span", "font", "o:p", "label", "small", "big", "abbr", "cite", "ins", "mark", "time", "nobr", "wbr")


def tidy_text(node: HtmlElement) -> None:
    """Invisible characters out of the body's HTML, the \u3000 indents that open its paragraphs, bare wrappers."""
    etree.strip_tags(node, *_BARE_INLINE)
    # Each read of .text or .tail decodes the node's text and each assignment encodes it into a new node: read
    # once, and write only what changes (the serialized HTML is the same either way).
    for el in node.iter():
        tag = el.tag
        if not isinstance(tag, str):
            continue
        text = el.text
        if text:
            tidied = _INVISIBLE.sub("", text)
            if tag in BLOCK_TAGS:
                tidied = tidied.lstrip(_INDENT)
            if tidied != text:
                el.text = tidied
        tail = el.tail
        if tail:
            tidied = _INVISIBLE.sub("", tail)
            if tag == "br":
                tidied = tidied.lstrip(_INDENT)
            if tidied != tail:
                el.tail = tidied


def _squash(text: str) -> str:
    """`text` without any whitespace (what the regex \\s matches: str.split() splits at the same ones)."""
    # The regex substitution scanned Chinese lines several times slower than split() and join().
    return "".join(text.split())


def _trim_lines(lines: list[str], title: str) -> list[str]:
    """Keep the article's lines: drop furniture and info lines, cut at the editor/copyright lines at the end."""
    squashed_title = _squash(title)
    out: list[str] = []
    n = len(lines)
    for i, line in enumerate(lines):
        if _squash(line) == squashed_title:
            continue
        if _KEEP_END.match(line):
            out.append(line)
            continue
        if _TAIL_LINE.search(line):
            # Editor, copyright and "related" lines close the article; past the first lines, nothing after them
            # is article text. Near the top they are only dropped (a 来源 line above the first paragraph).
            if out and (i >= n * 0.5 or sum(len(x) for x in out) > 150):
                break
            continue
        if _FURNITURE_LINE.match(line) and len(line) < 40:
            continue
        if len(line) < 40 and _EDITOR_ANYWHERE.search(line):
            if out and (i >= n * 0.5 or sum(len(x) for x in out) > 150):
                break
            continue
        if len(line) < 80 and _INFO_WORDS.search(line) and (_DATE_FULL.search(line) or "来源" in line):
            continue
        out.append(line)
    # Promotions at either end: a line with several promotion words, before the first or after the last paragraph.
    while len(out) > 1 and _is_promo(out[0]):
        out.pop(0)
    while len(out) > 1 and _is_promo(out[-1]):
        out.pop()
    # Trailing short lines in brackets naming editors or authors: （编辑 王某）, (作者单位：…).
    while out and len(out[-1]) <= 30 and re.fullmatch(r"[（(【\[].{1,28}[）)】\]]", out[-1]) and re.search(
        r"编|审|校|作者|记者|通讯员", out[-1]
    ):
        out.pop()
    return out


_PROMO_CALL = re.compile(r"下载|扫码|扫描|点击|快来|投票|戳|订阅|关注.{0,8}(?:公众号|微信|微博|APP)")


def _is_promo(line: str) -> bool:
    """A call to action with its bait: needs an imperative (download, scan, click, vote) and two more promo words."""
    return len(line) < 160 and bool(_PROMO_CALL.search(line)) and len(set(_PROMO.findall(line))) >= 3


# The elements that prune_to_lines drops when they are leaves (no <img>, no block but <br> below them).
_PRUNE_TAGS = frozenset(("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "span", "table", "ul",
                         "section", "font", "strong", "b", "center", "td", "dl", "dd", "dt", "blockquote",
                         "ol", "a"))


def body_lines_and_leaves(node: HtmlElement) -> tuple[list[str], list[tuple[HtmlElement, str]]]:
    """node_text_lines(node), and the leaves that prune_leaves judges, from one walk of `node`."""
    return node_text_lines_and_leaves(node, _PRUNE_TAGS)


def prune_leaves(leaves: list[tuple[HtmlElement, str]], kept: list[str]) -> None:
    """prune_to_lines(node, kept) for the leaves that body_lines_and_leaves(node) found (node unchanged)."""
    # Whether a leaf goes depends on its own subtree only, which no drop of an element before it in document
    # order changes (a drop moves its tail into the element before it or into its parent): deciding them all
    # on the unchanged tree and dropping them in document order is what deciding and dropping one by one did.
    keep = set(kept)
    joined = "\n".join(kept)
    for el, text in leaves:
        if text and text not in keep and text not in joined:
            el.drop_tree()


def prune_to_lines(node: HtmlElement, kept: list[str]) -> None:
    """Drop the leaf blocks of `node` whose text is not among the kept body lines (info, editor, share lines)."""
    prune_leaves(body_lines_and_leaves(node)[1], kept)


def clean_body_lines(lines: list[str], title: str) -> list[str]:
    """The article's lines of a body's text: furniture and info lines out, cut at the editor/copyright lines."""
    return _trim_lines(lines, title)


def base_url(doc: HtmlElement, url: str) -> str:
    """The URL relative links resolve against: the page's <base href> when it has one, else its own URL."""
    return _base_url(doc, url)


def lxml_to_string(node: HtmlElement) -> str:
    """Serialize a node to an HTML string."""
    import lxml.html

    return lxml.html.tostring(node, encoding="unicode")


# ----------------------------------------------------------------------------------------------------------
# Finding the headline

_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_TITLE_WORDS = re.compile(r"title|headline|biaoti|tit\b|tit[-_]|bt\b|art[-_]?tit", re.IGNORECASE)


def _title_refs(meta: _Meta) -> list[str]:
    """What the page says its headline is: <title> and its segments, og:title and friends, JSON-LD headline."""
    refs: list[str] = []
    for value in (meta.get("og:title", "twitter:title", "articletitle", "title", "headline", "dc.title"),
                  meta.ld.get("headline"), meta.page_title, meta.script_title):
        if value:
            value = clean_title(value)
            if value and value not in refs:
                refs.append(value)
    return refs


@dataclass(slots=True)
class _Ref:
    """A reference headline, squashed, with its segments and 4-grams for fast overlap checks."""

    text: str
    segments: list[str]
    longest: int
    grams: set[str]


def _refs(values: list[str]) -> list[_Ref]:
    out: list[_Ref] = []
    for value in values:
        squashed = _squash(value)
        if not squashed:
            continue
        segments = [_squash(s) for s in _TITLE_SEPARATORS.split(value) if s.strip()]
        grams = {squashed[i : i + 4] for i in range(len(squashed) - 3)}
        out.append(_Ref(squashed, segments, max((len(s) for s in segments), default=len(squashed)), grams))
    return out


def _match(candidate: str, refs: list[_Ref], exact_only: bool = False) -> float:
    """How well a candidate headline agrees with the page's references, 0..1."""
    c = _squash(candidate)
    if len(c) < 4:
        return 0.0
    best = 0.0
    for ref in refs:
        r = ref.text
        if c == r:
            return 1.0
        if exact_only:
            # A bold line or a link equal to the <title>'s main segment (not to its site-name segment).
            if c in ref.segments and len(c) == ref.longest and len(ref.segments) > 1:
                best = max(best, 0.95)
            continue
        if c in r:
            # The <title> is "headline_section_site": the headline is a prefix or a separated segment.
            if c in ref.segments or r.startswith(c):
                # A site name is a segment too: the longer the segment, the likelier the headline.
                best = max(best, 0.8 + 0.15 * min(len(c) / ref.longest, 1.0))
            else:
                best = max(best, len(c) / len(r))
        elif r in c and len(c) - len(r) <= 8:
            best = max(best, 0.9 * len(r) / len(c))  # a badge ("原创") or a column tag around the headline
        else:
            common = _common_run(c, ref.grams)
            if common >= 6:
                best = max(best, 0.7 * common / len(c))
    return best


def _common_run(text: str, grams: set[str]) -> int:
    """Length of the longest stretch of `text` made of 4-grams found in `grams` (≈ longest common substring)."""
    best = run = 0
    for i in range(len(text) - 3):
        if text[i : i + 4] in grams:
            run += 1
            best = max(best, run)
        else:
            run = 0
    return best + 3 if best else 0


def _title_candidates(root: HtmlElement) -> list[tuple[HtmlElement, str, int]]:
    """Heading-like elements: (element, text, rank) with rank 0 for <h1> … larger for weaker kinds."""
    found: list[tuple[HtmlElement, str, int]] = []
    for el in root.iter(*_HEADING_TAGS, "div", "span", "p", "td", "strong", "b", "font"):
        tag = el.tag
        if tag in _HEADING_TAGS:
            rank = int(tag[1]) - 1
        else:
            attrs = f"{el.get('class') or ''} {el.get('id') or ''}"
            if attrs.strip() and _TITLE_WORDS.search(attrs):
                rank = 3
            elif tag in ("strong", "b", "font"):
                rank = 8  # only when it matches the <title> exactly (a bold headline in a table layout)
            else:
                continue
        text = inline_text(el)
        if not 4 <= len(text) <= 150:
            continue
        found.append((el, text, rank))
    return found


def _strip_badge(text: str, el: HtmlElement, refs: list[str]) -> str:
    """Drop a badge span ("原创", "置顶") before or after the headline when the references lack it."""
    squashed = _squash(text)
    for ref in refs:
        r = _squash(ref)
        if r and r != squashed and r in squashed and len(squashed) - len(r) <= 8:
            for child in el:
                badge = inline_text(child)
                if badge and len(badge) <= 6 and _squash(text.replace(badge, "", 1)) == r:
                    return clean_title(text.replace(badge, "", 1))
    return text


def _title_by_refs(root: HtmlElement, meta: _Meta) -> tuple[str, HtmlElement] | None:
    """The heading that the page's <title>/og:title quotes."""
    refs = _title_refs(meta)
    if not refs:
        return None
    prepared = _refs(refs)
    candidates = _title_candidates(root)
    best: tuple[float, int, int] | None = None
    chosen: tuple[HtmlElement, str] | None = None
    for index, (el, text, rank) in enumerate(candidates):
        quality = _match(text, prepared, exact_only=rank == 8)
        threshold = 0.95 if rank == 8 else 0.5
        if quality < threshold:
            continue
        parent = el.getparent()
        if (el.tag == "a" or (parent is not None and parent.tag == "a")) and rank != 8:
            quality *= 0.7  # headlines of other articles are links; the page's own is not
        key = (round(quality, 2), -rank, -index)
        if best is None or key > best:
            best, chosen = key, (el, text)
    if chosen is None:
        return None
    el, text = chosen
    return clean_title(_strip_badge(text, el, refs)), el


def _title_fallback(root: HtmlElement, meta: _Meta, body: HtmlElement | None) -> tuple[str, HtmlElement | None]:
    """No heading agrees with the <title> (a generic <title>): the heading closest above the body, else og:title,
    else the longest segment of <title>."""
    if body is not None:
        heading = _heading_before(root, body)
        if heading is not None:
            return clean_title(inline_text(heading)), heading
    preferred = meta.get("og:title", "twitter:title", "headline") or meta.ld.get("headline")
    if preferred:
        return clean_title(preferred), None
    segments = [s for s in _TITLE_SEPARATORS.split(meta.page_title) if s.strip()]
    return clean_title(max(segments, key=len) if segments else meta.page_title), None


def _heading_before(root: HtmlElement, body: HtmlElement) -> HtmlElement | None:
    """The last heading-like element before the body's first paragraph (or first inside the body)."""
    last: HtmlElement | None = None
    for el in root.iter():
        if el is body:
            break
        if not isinstance(el.tag, str):
            continue
        attrs = f"{el.get('class') or ''} {el.get('id') or ''}"
        if el.tag in _HEADING_TAGS or (el.tag in ("div", "span", "td", "p") and attrs.strip() and _TITLE_WORDS.search(attrs)):
            text = inline_text(el)
            if 6 <= len(text) <= 120 and el.find(".//a") is None and not _is_noise(el):
                last = el
    if last is None:
        for el in body.iter(*_HEADING_TAGS):
            text = inline_text(el)
            if 6 <= len(text) <= 120:
                return el
    return last


# ----------------------------------------------------------------------------------------------------------
# The header: what pages print between the headline and the body

@dataclass(slots=True)
class _Header:
    text: str = ""
    dates: list[str] = field(default_factory=list)  # texts of elements named like dates (class="time")
    authors: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


_DATE_CLASS = re.compile(r"(?:^|[\s_-])(?:time|date|pubtime|pub-time|pubdate|publish|post-time|fbsj|sj)(?:$|[\s_\d-])", re.IGNORECASE)
_AUTHOR_CLASS = re.compile(r"(?:^|[\s_-])(?:author|writer|zuozhe|byline|reporter)(?:$|[\s_\d-])", re.IGNORECASE)
_SOURCE_CLASS = re.compile(r"(?:^|[\s_-])(?:source|sour|laiyuan|from|origin|media|ly)(?:$|[\s_\d-])", re.IGNORECASE)


def _header(root: HtmlElement, title_el: HtmlElement | None, body: _Body | None) -> _Header:
    """Text (and named elements) after the headline and before the first paragraph of the body."""
    header = _Header()
    stop_at: set[HtmlElement] = set()
    if body is not None:
        if title_el is None or not _inside(title_el, body.node):
            stop_at.add(body.node)
        first = next((b for b, t, lk in body.runs if _run_score(t, lk) > 0), None)
        if first is not None:
            stop_at.add(first)
    pieces: list[str] = []
    started = title_el is None
    size = 0
    budget = 1200 if title_el is not None else 100_000
    # Elements wholly before the headline add nothing: their subtrees (navigation menus) are not walked. Kept are the
    # ancestors of the headline and of the stops, so that a stop before the headline still ends the walk.
    on_path: set[HtmlElement] = set()
    for anchor in (title_el, *stop_at) if title_el is not None else ():
        node: HtmlElement | None = anchor
        while node is not None and node not in on_path:
            on_path.add(node)
            node = node.getparent()
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        if not isinstance(el.tag, str):
            continue
        if event == "start":
            if el in stop_at:
                break
            if not started and el not in on_path:
                walker.skip_subtree()
            elif started:
                if el.tag in BLOCK_TAGS:
                    pieces.append("\n")
                if el.text:
                    pieces.append(el.text)
                    size += len(el.text)
                _named(el, header)
        else:
            if el is title_el:
                started = True
            elif started and el.tag in BLOCK_TAGS:
                pieces.append("\n")
            if started and el.tail:
                pieces.append(" " + el.tail)
                size += len(el.tail)
        if size > budget and title_el is not None:
            break
    lines = [clean_line(" ".join(p.split(" "))) for p in " ".join(pieces).split("\n")]
    lines = [ln for ln in lines if ln]
    if title_el is None:
        # No headline element to start from: only what sits right above the body is its header.
        lines = lines[-15:]
        header.dates, header.authors, header.sources = header.dates[-3:], header.authors[-3:], header.sources[-3:]
    header.text = "\n".join(lines[:25])
    return header


def _named(el: HtmlElement, header: _Header) -> None:
    attrs = f"{el.get('class') or ''} {el.get('id') or ''}"
    if not attrs.strip():
        return
    text = None
    if _DATE_CLASS.search(attrs):
        text = " ".join(clean_line(t) for t in el.itertext() if t.strip())
        if text and re.search(r"\d", text) and len(text) < 60:
            header.dates.append(text)
    if _AUTHOR_CLASS.search(attrs):
        text = text if text is not None else inline_text(el)
        if text and len(text) <= 40:
            header.authors.append(text)
    if _SOURCE_CLASS.search(attrs):
        text = text if text is not None else inline_text(el)
        if text and len(text) <= 40:
            header.sources.append(text)


# ----------------------------------------------------------------------------------------------------------
# Time, author, 来源

_META_DATES = ("article:published_time", "og:article:published_time", "og:release_date", "publishdate",
               "publish_date", "pubdate", "publishtime", "publish-time", "dc.date.issued", "dc.date",
               "datepublished", "firstpublishedtime", "release_date", "apub:time", "weibo:article:create_at",
               "dateupdate", "sailthru.date", "article.published", "published_time", "article:published")


def _page_year(meta: _Meta, url: str) -> int | None:
    """The year the page's metadata or URL gives, for dates printed without one (10-08 12:00)."""
    for value in [meta.get(*_META_DATES), meta.ld.get("datePublished"), *meta.script_dates]:
        if value:
            found = re.match(r"\s*((?:19|20)\d{2})", value)
            if found:
                return int(found.group(1))
    found = re.search(r"(?<!\d)(20\d{2})[-/]?(?:0[1-9]|1[0-2])", url)
    return int(found.group(1)) if found else None


def _dates_in(text: str, year: int | None) -> list[str]:
    """Dates in header text, best first: labelled, with a time of day, then date-only, then year-less with time."""
    found: list[tuple[int, int, str]] = []
    for match in _LABELLED_DATE.finditer(text):
        found.append((0 if _HAS_TIME.search(match.group(1)) else 2, match.start(), match.group(1)))
    for match in _DATE_FULL.finditer(text):
        found.append((1 if _HAS_TIME.search(match.group(0)) else 3, match.start(), match.group(0)))
    for match in _CN_DATE.finditer(text):
        found.append((3, match.start(), match.group(0)))
    for match in _DATE_SHORT_YEAR.finditer(text):
        found.append((1, match.start(), "20" + match.group(0)))
    for match in _DATE_MD_TIME.finditer(text):
        value = match.group(0)
        before = text[max(0, match.start() - 12) : match.start()]
        lone = _LONE_YEAR.findall(before)
        y = int(lone[-1]) if lone else year
        if y:
            month_day = re.match(r"(\d{1,2})\s*[-/月]\s*(\d{1,2})\s*日?\s*(.*)", value)
            if month_day:
                m, d, rest = month_day.groups()
                found.append((1 if lone else 4, match.start(), f"{y}-{int(m):02d}-{int(d):02d} {rest.strip()}"))
    found.sort(key=lambda f: (f[0], f[1]))
    return [value for _rank, _pos, value in found]


def _find_published(meta: _Meta, header: _Header, page_text_lines: list[str], url: str) -> str | None:
    year = _page_year(meta, url)
    candidates: list[str] = []
    for text in (header.text, *header.dates):
        candidates.extend(_dates_in(text, year))
    visible = candidates[0] if candidates else None
    if visible and _HAS_TIME.search(visible):
        return visible
    meta_values = [v for v in (meta.get(*_META_DATES), meta.ld.get("datePublished"), meta.ld.get("dateCreated"),
                               *meta.script_dates) if v and re.search(r"\d{4}", v)]
    if visible:
        # The page shows the day only: a meta time of the same day adds the time of day.
        day = re.match(r"\s*(\d{4})\D+(\d{1,2})\D+(\d{1,2})", visible)
        for value in meta_values:
            other = re.match(r"\s*(\d{4})\D+(\d{1,2})\D+(\d{1,2})", value)
            if day and other and tuple(map(int, day.groups())) == tuple(map(int, other.groups())) and _HAS_TIME.search(value):
                return value
        return visible
    with_time = [v for v in meta_values if _HAS_TIME.search(v)]
    if with_time:
        return with_time[0]
    if meta_values:
        return meta_values[0]
    # Only a relative time near the headline (3小时前, 昨天 09:05): the normalizer counts back from the crawl time.
    for text in (*header.dates, header.text):
        match = _RELATIVE_DATE.search(text)
        if match:
            return match.group(0)
    # Some themes print the date under the body ("发布日期：…"): a labelled date anywhere on the page.
    for line in page_text_lines:
        match = _LABELLED_DATE.search(line)
        if match and len(line) < 120:
            return match.group(1)
    return None


def _names(text: str) -> str | None:
    """The names at the start of `text`, up to the next label word ("宪瑞 编辑：…" -> "宪瑞")."""
    kept: list[str] = []
    text = re.sub(r"^(?:本报|本网)?(?:特约|见习|首席)?记者\s*", "", clean_line(text))
    for token in re.split(r"([ 、，,])", text):
        if token.strip() in _LABEL_WORDS or any(token.startswith(w) for w in _LABEL_WORDS if len(w) > 1):
            break
        kept.append(token)
    name = "".join(kept).strip(" 、，,")
    return name or None


def _find_author(header: _Header, meta: _Meta, origin: str | None) -> str | None:
    match = _AUTHOR.search(header.text)
    if match and (name := _names(match.group(1))):
        return name
    for text in header.authors:
        text = re.sub(r"^(?:作者|记者|文|撰稿)\s*[:：/／]?\s*", "", text).strip()
        if text and not re.search(r"\d", text) and len(text) <= 20:
            return _names(text)
    value = meta.get("author", "article:author", "og:article:author", "dc.creator") or meta.ld.get("author")
    if not value or value.startswith("http") or re.fullmatch(r"[\d\s]+", value):
        return None
    value = clean_line(value)
    # Portals put their own name in <meta name="author">; that is not who wrote the article.
    segments = [seg for seg in _TITLE_SEPARATORS.split(meta.page_title) if seg.strip()]
    site = " ".join(filter(None, [meta.get("og:site_name", "application-name", "site_name"),
                                  segments[-1] if len(segments) > 1 else None]))
    if value == origin or value in site or value.lower() in ("admin", "administrator", "管理员", "系统管理员"):
        return None
    return value


def _find_origin(header: _Header, meta: _Meta) -> str | None:
    match = _ORIGIN.search(header.text)
    if match:
        return clean_line(match.group(1))
    for text in header.sources:
        text = re.sub(r"^(?:来源|来自|稿源|出处)\s*[:：]?\s*", "", text).strip()
        if text and not re.search(r"\d{2}", text) and len(text) <= 20:
            return text
    value = meta.get("source", "contentsource", "og:article:source", "article:source", "mediaid")
    return clean_line(value) if value else None


# ----------------------------------------------------------------------------------------------------------

def _locate(doc: HtmlElement, drop_hidden: bool, meta: _Meta) -> tuple[HtmlElement, _Body | None, str, HtmlElement | None]:
    work = _prepare(doc, drop_hidden)
    root = work.body if work.body is not None else work
    by_refs = _title_by_refs(root, meta)
    title_el = by_refs[1] if by_refs else None
    body = _find_body(root, title_el)
    if by_refs is not None:
        title = by_refs[0]
    else:
        title, title_el = _title_fallback(root, meta, body.node if body else None)
    return root, body, title, title_el


def _base_url(doc: HtmlElement, url: str) -> str:
    """The URL relative links resolve against: the page's <base href> when it stays on the page's own site, else
    the page's URL (a <base> pointing at another host would turn every relative image into a third party's)."""
    # The first <base> with an href below `doc`, as doc.find(".//base[@href]") found it: ElementPath tested
    # each element in Python; iter() finds the tag in C.
    base = next((el for el in doc.iter("base") if el.get("href") is not None and el is not doc), None)
    return _resolve_base(base.get("href") if base is not None else None, url)


def _resolve_base(base_href: str | None, url: str) -> str:
    """_base_url for the href of the page's first <base> that has one (None without)."""
    if base_href is not None:
        href = base_href.strip()
        if href and not href.startswith(("javascript:", "data:")):
            resolved = urljoin(url, href)
            if _site(resolved) == _site(url) and urlsplit(resolved).scheme in ("http", "https"):
                return resolved
    return url


def _site(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def extract_generic(doc: HtmlElement, url: str) -> Extracted:
    """Extract every field from a parsed page without site knowledge (the page itself is not changed)."""
    result = Extracted()
    meta = _read_meta(doc)
    root, body, title, title_el = _locate(doc, True, meta)
    if body is None or sum(len(t) for _b, t, _l in body.runs) < 40:
        # Everything readable was hidden (a body revealed by script): read the page with hidden parts kept.
        other = _locate(doc, False, meta)
        if other[1] is not None and (body is None or len(other[1].runs) > len(body.runs)):
            root, body, title, title_el = other
    result.title = title
    header = _header(root, title_el, body)
    if body is not None:
        cleaned = _clean_body(body.node, result.title)
        lines, leaves = body_lines_and_leaves(cleaned)
        result.body_lines = _trim_lines(lines, result.title)
        if result.body_lines:
            prune_leaves(leaves, result.body_lines)
            tidy_text(cleaned)
            result.body_html = sanitize_html(lxml_to_string(cleaned), _resolve_base(meta.base_href, url))
        result.images = re.findall(r'<img[^>]+src="([^"]+)"', result.body_html)
    _read_header_fields(result, meta, header, root, url)
    return result


def _read_header_fields(result: Extracted, meta: _Meta, header: _Header, root: HtmlElement, url: str,
                        published: bool = True) -> None:
    """Time (unless `published` is False), 来源 and author from the header, the page's metadata and its text."""
    if published:
        found = _find_published(meta, header, [], url)
        if found is None:
            found = _find_published(meta, header, node_text_lines(root), url)
        result.published_raw = clean_line(found) if found else None
    result.origin = _find_origin(header, meta)
    result.author = _find_author(header, meta, result.origin)


def page_head(doc: HtmlElement) -> _Meta:
    """What extract_around needs of the page's metadata (and the <base> base_url_of reads), from one walk."""
    # Without the time, nothing here reads script variables: searching a real page's scripts costs ~1 ms.
    return _read_meta(doc, scripts=False)


def base_url_of(head: _Meta, url: str) -> str:
    """base_url(doc, url) for the page whose page_head(doc) `head` is."""
    return _resolve_base(head.base_href, url)


def extract_around(doc: HtmlElement, url: str, title_el: HtmlElement, body_el: HtmlElement,
                   head: _Meta | None = None) -> Extracted | None:
    """Author and 来源 of a page whose headline and body are known (found by other means), read as extract_generic
    reads them but without its search for the body; None where that reading could differ from
    extract_generic's. `head` is page_head(doc) when the caller has it."""
    # The header runs from the headline to the body's first paragraph: all inside the two elements' closest common
    # ancestor, so only that is copied and cleaned, not the whole page.
    ancestors = [title_el, *title_el.iterancestors()]
    common = next((el for el in (body_el, *body_el.iterancestors()) if el in ancestors), None)
    if common is None or any(el.tag in _DROP_TAGS or _is_hidden(el) for el in {*ancestors, body_el,
                                                                              *body_el.iterancestors()}):
        return None  # in furniture the cleaning removes: the cleaned page has no such headline or body
    if _has_furniture(common):
        work = copy.deepcopy(common)
        work.tail = None  # text after the common ancestor is never header (the walk stops inside it)
        title_copy, body_copy = _same_in_copy(common, work, title_el), _same_in_copy(common, work, body_el)
        _strip_furniture(work, drop_hidden=True)
    else:
        # Nothing to strip: the cleaned copy would be the page's own elements, which are read as they are
        # (nothing below changes them; the header's walk stops at the body, inside `common`, before its tail).
        work, title_copy, body_copy = common, title_el, body_el
    # The header needs the body's first scoring run only (where it stops): the rest of the body is not walked.
    body = _Body(body_copy, _paragraphs(body_copy, until_scoring=True)[0])
    if _inside(title_copy, body_copy) and not any(_run_score(t, lk) > 0 for _b, t, lk in body.runs):
        return None  # nothing stops the header inside the body: it would run on past the common ancestor
    result = Extracted()
    if head is None:
        head = page_head(doc)
    _read_header_fields(result, head, _header(work, title_copy, body), work, url, published=False)
    return result


# _MAYBE_HIDDEN below an element: the element and its descendants with a style, hidden or type attribute.
_MAYBE_HIDDEN_BELOW = etree.XPath("(.//@style|.//@hidden|.//@type)/..")


def _has_furniture(root: HtmlElement) -> bool:
    """_strip_furniture(a copy of `root`, drop_hidden=True) would remove something (`root` never goes)."""
    if next(root.iterdescendants(*_DROP_TAGS, etree.Comment, etree.ProcessingInstruction), None) is not None:
        return True
    return any(el is not root and _is_hidden(el) for el in _MAYBE_HIDDEN_BELOW(root))


def _same_in_copy(original_root: HtmlElement, copy_root: HtmlElement, el: HtmlElement) -> HtmlElement:
    """The element of `copy_root` (a deep copy of `original_root`) at the place of `el`."""
    path: list[int] = []
    node = el
    while node is not original_root:
        parent = node.getparent()
        path.append(parent.index(node))
        node = parent
    found = copy_root
    for index in reversed(path):
        found = found[index]
    return found


def find_published(doc: HtmlElement, header: str, url: str = "") -> str | None:
    """The publish time as a page shows it, from `header` (the text near the headline) and the page's metadata."""
    return _find_published(_read_meta(doc), _Header(text=header), [], url)


def find_title(doc: HtmlElement) -> str:
    """The headline of a page (the heading its <title> quotes), for callers that need only that."""
    return _locate(doc, True, _read_meta(doc))[2]

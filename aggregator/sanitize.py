"""Sanitize article HTML: a small allow-list of tags and attributes, absolute URLs, no script of any kind.

Works on an lxml tree (parsed from the string with libxml2's HTML parser) and writes the result with its own
serializer: `<br/>`, attributes sorted, minimal escaping (& < > in text and attributes), which is the output format
the store, the feeds and the golden files have always had.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from lxml import etree

from aggregator.text import strip_xml_invalid
from aggregator.urls import absolutize

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "sub", "sup", "small", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li",
    "blockquote", "table", "thead", "tbody", "tr", "td", "th", "img", "a", "figure", "figcaption", "span", "div",
    "iframe", "video", "audio", "source",
}
# Dropped with everything inside them.
DROP_TAGS = {"script", "style", "noscript", "template", "object", "embed", "applet", "form", "input", "button",
             "select", "textarea", "svg", "math", "link", "meta", "head", "title", "base", "frame", "frameset",
             # Raw-text and legacy elements whose content browsers parse differently from lxml (mXSS vectors).
             "xmp", "plaintext", "noembed", "noframes", "listing", "portal", "dialog"}
# Void elements among them: they have no content of their own.
_VOID_DROPS = {"embed", "input", "link", "meta", "base", "frame"}
ALLOWED_ATTRS = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "iframe": {"src", "width", "height"},
    "video": {"src", "poster", "controls"},
    "audio": {"src", "controls"},
    "source": {"src", "type"},
}
# Video players that may stay embedded; an iframe from any other host is removed.
IFRAME_HOSTS = {"v.qq.com", "player.bilibili.com", "player.youku.com", "open.iqiyi.com", "www.ixigua.com"}
# Hotlink-protected image hosts: sent without a Referer they load; with one they show a "not allowed" image.
NO_REFERRER_HOSTS = ("qpic.cn", "qlogo.cn", "mmbiz.qpic.cn")
_LAZY_SRC = ("data-src", "data-original", "data-url", "data-lazy-src", "_src")
_NO_ATTRS: frozenset[str] = frozenset()
_MEDIA = ("img", "iframe", "video", "audio")
# Written as <br/> when they hold nothing (HTML's void elements and their legacy relatives).
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "menuitem", "meta",
                   "param", "source", "track", "wbr", "basefont", "bgsound", "command", "frame", "image", "isindex",
                   "nextid", "spacer"})
# A removed element leaves an empty comment in its place. Comments are gone by then, so any comment is such a mark;
# it keeps the text before and after it apart, as two strings, the way the output rules below count them.
_Mark = etree.Comment
_MARK_TAG = etree.Comment


def _safe_url(base: str, value: str | None) -> str | None:
    url = absolutize(base, value)
    if not url:
        return None
    scheme = urlsplit(url).scheme.lower()
    return url if scheme in ("http", "https") else None


def _parse(html: str) -> etree._Element | None:
    """The document libxml2 makes of `html` (None for nothing to parse)."""
    text = strip_xml_invalid(html)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text:
        return None
    parser = etree.HTMLParser(recover=True)
    try:
        parser.feed(text)
        doc = parser.close()
    except (etree.XMLSyntaxError, etree.ParserError, ValueError):
        return None
    if doc is not None:
        _fold_blank_strings(doc)
    return doc


_ASCII_SPACES = " \n\t\f\r"
_PRESERVE = ("pre", "textarea")


def _fold_blank_strings(doc: etree._Element) -> None:
    """Strings of nothing but ASCII spaces become one newline (when they hold one) or one space, except inside
    <pre> and <textarea>: source indentation is no content, and the stored HTML has always been written so."""
    inside: set[etree._Element] = set()
    for pre in doc.iter(*_PRESERVE):
        inside.update(pre.iterdescendants())
    for node in doc.iter():
        if node in inside:
            continue
        text = node.text
        if text and node.tag.__class__ is str and node.tag not in _PRESERVE and not text.strip(_ASCII_SPACES):
            node.text = "\n" if "\n" in text else " "
        tail = node.tail
        if tail and not tail.strip(_ASCII_SPACES):
            node.tail = "\n" if "\n" in tail else " "


def _remove(el: etree._Element) -> None:
    """Remove `el` and everything in it; its tail stays, as a string of its own."""
    mark = _Mark("")
    mark.tail = el.tail
    parent = el.getparent()
    if parent is not None:
        parent.replace(el, mark)


def _unwrap(el: etree._Element) -> None:
    """Replace `el` by its content; its text, its children and its tail stay separate strings."""
    parent = el.getparent()
    if parent is None:
        return
    first, last = _Mark(""), _Mark("")
    first.tail, last.tail = el.text, el.tail
    index = parent.index(el)
    parent[index : index + 1] = [first, *el, last]


def _attached(el: etree._Element, root: etree._Element) -> bool:
    """`el` is still in the tree under `root` (not inside something already removed)."""
    node: etree._Element | None = el
    while node is not None:
        if node is root:
            return True
        node = node.getparent()
    return False


def _clean_attrs(el: etree._Element, name: str, base_url: str) -> bool:
    """Apply the attribute policy to one allowed element; False when the element must go."""
    attrib = el.attrib
    if not attrib:
        # Nothing to remove or rewrite (most paragraphs): only an iframe or img without a source must go.
        return name not in ("iframe", "img")
    if name == "img":
        src = attrib.get("src")
        lazy = next((attrib.get(a) for a in _LAZY_SRC if attrib.get(a)), None)
        if lazy and (not src or src.startswith("data:")):
            attrib["src"] = lazy
    allowed = ALLOWED_ATTRS.get(name, _NO_ATTRS)
    for attr in list(attrib.keys()):
        if attr.lower() not in allowed:
            del attrib[attr]
    for attr in ("href", "src", "poster"):
        if attr in attrib:
            url = _safe_url(base_url, attrib[attr])
            if url is None:
                del attrib[attr]
            else:
                attrib[attr] = url
    if name == "iframe":
        host = urlsplit(attrib.get("src", "")).hostname or ""
        if host not in IFRAME_HOSTS:
            return False
        # Even a known player runs in a sandbox and learns nothing about the page that embeds it.
        attrib["sandbox"] = "allow-scripts allow-same-origin allow-popups allow-presentation"
        attrib["referrerpolicy"] = "no-referrer"
        attrib["allowfullscreen"] = ""
        attrib["loading"] = "lazy"
    elif name == "img":
        if "src" not in attrib:
            return False
        host = urlsplit(attrib["src"]).hostname or ""
        if host.endswith(NO_REFERRER_HOSTS):
            attrib["referrerpolicy"] = "no-referrer"
        attrib["loading"] = "lazy"
    elif name == "a" and "href" in attrib:
        attrib["rel"] = "noopener noreferrer"
    return True


def _blank(el: etree._Element) -> bool:
    """`el` holds no text but whitespace: its XPath string() would strip to nothing."""
    # itertext() yields the same text nodes as string() (comments' and PIs' own text left out, their tails in),
    # stopping at the first non-blank one; el.xpath("string()") compiled an XPath at each call. Its first piece is
    # el.text: a paragraph's own text answers without building the iterator.
    text = el.text
    if text and text.strip():
        return False
    return not any(piece.strip() for piece in el.itertext())


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _quote(value: str) -> str:
    """An attribute value escaped and quoted: double quotes, single ones when the value holds a double quote."""
    value = _escape(value)
    if '"' in value:
        if "'" in value:
            return '"' + value.replace('"', "&quot;") + '"'
        return "'" + value + "'"
    return '"' + value + '"'


def _write(el: etree._Element, out: list[str]) -> None:
    """Serialize an element without its tail; marks write nothing but their tails."""
    tag = el.tag
    attrib = el.attrib
    attrs = "".join(f" {k}={_quote(v)}" for k, v in sorted(attrib.items())) if attrib else ""
    text = el.text
    if not text and tag in _VOID and all(c.tag is _MARK_TAG and not c.tail for c in el):
        out.append(f"<{tag}{attrs}/>")
        return
    out.append(f"<{tag}{attrs}>")
    if text:
        out.append(_escape(text))
    for child in el:
        if child.tag is not _MARK_TAG:
            _write(child, out)
        if child.tail:
            out.append(_escape(child.tail))
    out.append(f"</{tag}>")


def sanitize_html(html: str, base_url: str) -> str:
    """Return safe HTML for feeds and pages: allowed tags only, no event handlers, no javascript: URLs."""
    doc = _parse(html)
    if doc is None:
        return ""
    root = doc.find(".//body") if doc.tag != "body" else doc
    if root is None:
        # No body (a fragment of head elements only): the document itself is the root.
        root = etree.Element("document")
        root.append(doc)
    # Comments and processing instructions: never content, and comments can hide markup.
    for special in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        _remove(special)
    for el in list(root.iterdescendants(*DROP_TAGS)):
        if not _attached(el, root):
            continue
        if el.tag in _VOID_DROPS:
            _unwrap(el)  # libxml2 may nest the following content inside a void element: keep that content
        else:
            _remove(el)
    for el in list(root.iterdescendants(etree.Element)):
        if not _attached(el, root):
            continue
        name = el.tag.lower()
        if name not in ALLOWED_TAGS:
            _unwrap(el)
        elif not _clean_attrs(el, name, base_url):
            _remove(el)
    # Empty wrappers left behind by removed widgets are noise in feeds.
    for el in list(root.iterdescendants("p", "div", "span")):
        if _attached(el, root) and _blank(el) and next(el.iter(*_MEDIA), None) is None:
            _remove(el)
    # The root's own strings: each one that is only whitespace is left out.
    out: list[str] = []
    if root.text and root.text.strip():
        out.append(_escape(root.text))
    for child in root:
        if child.tag is not _MARK_TAG:
            _write(child, out)
        if child.tail and child.tail.strip():
            out.append(_escape(child.tail))
    return "".join(out)

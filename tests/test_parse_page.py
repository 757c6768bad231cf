"""parse_page: a page's text and tree, the tree parsed from the page's UTF-8 bytes when that gives the tree
that parsing its decoded text gives (parse_html(decode_page(page))), and from the text otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from aggregator.encoding import decode_html
from aggregator.extract.html import _parse_utf8, decode_page, parse_html, parse_page
from aggregator.records import Page

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ARTICLE = "<html><head><title>职工书屋开放</title></head><body><h1>职工书屋开放</h1><p>7月24日，工会驿站开放。</p></body></html>"

# (name, page bytes, whether the bytes are parsed as they are): the traps of reading bytes, not text.
PAGES: list[tuple[str, bytes, bool]] = [
    ("utf-8 page", ARTICLE.encode(), True),
    ("ascii only", b"<html><body><p>Hello, union.</p></body></html>", True),
    ("latin-1 characters only", "<p>caf\u00e9 \u00a9 2025</p>".encode(), True),
    ("characters beyond the BMP", "<p>职工\U0001f600书屋 \U00020000</p>".encode(), True),
    ("ascii whitespace around", b" \r\n\t" + ARTICLE.encode() + b"\n\x0b\x0c ", True),
    # str.strip() removes these, bytes.strip() does not: the bytes would keep them
    ("full-width space before", "\u3000".encode() + ARTICLE.encode(), False),
    ("no-break space after", ARTICLE.encode() + "\u00a0".encode(), False),
    ("control separator after", ARTICLE.encode() + b"\x1c", False),
    ("BOM", b"\xef\xbb\xbf" + ARTICLE.encode(), False),
    ("BOM after whitespace", b"\n\xef\xbb\xbf" + ARTICLE.encode(), False),
    ("xml declaration", b'<?xml version="1.0" encoding="utf-8"?>' + ARTICLE.encode(), True),
    ("two xml declarations",
     b'<?xml version="1.0"?><?xml version="1.0" encoding="utf-8"?>' + ARTICLE.encode(), False),
    ("stray closing tags", ("<html><body><p>上</p></body></html><p>下</p></BODY ></Html>").encode(), True),
    ("stray closing tag with a Unicode space", "<body><p>上</p></body\u3000><p>下</p>".encode(), True),
    ("stray closing tag with spaces and line breaks",
     "<body><p>上</p></body \u2003\n\u2029><p>下</p>".encode(), True),
    ("stray closing tag with a control separator", "<body><p>上</p></body\x1c><p>下</p>".encode(), True),
    ("comment after the document", (ARTICLE + "\n<!-- 统计 -->\n").encode(), True),
    ("meta charset naming another encoding",
     ARTICLE.replace("<head>", "<head><meta charset='gbk'>").encode(), True),
    ("carriage returns and character references", "<p>一\r\n二\r三&#13;四&nbsp;五&#0;</p>".encode(), True),
    ("control and non-characters", "<p>工\x01会\x00驿\ufffe站\uffff</p>".encode(), True),
    ("an encoded U+FFFD", "<p>\ufffd</p>".encode(), False),
    ("invalid UTF-8 bytes", ARTICLE.encode() + b"<p>\xff\xfe</p>" + "工会驿站开放了".encode() * 3, False),
    ("gbk page", ARTICLE.replace("<head>", "<head><meta charset='gbk'>").encode("gbk"), False),
    ("empty page", b"", False),
    ("whitespace only", b" \n ", False),
    ("unclosed divs", b"<div>" * 300 + "正文".encode(), True),
]


def _tree(doc: etree._Element) -> tuple[str, list[str]]:
    """Everything of a parsed document: its serialization (top-level comments too) and its element classes."""
    return (etree.tostring(doc.getroottree(), encoding="unicode", method="xml"),
            [type(el).__name__ for el in doc.iter()])


@pytest.mark.parametrize(("name", "body", "from_bytes"), PAGES, ids=[p[0] for p in PAGES])
def test_parse_page_gives_the_tree_of_the_decoded_text(name: str, body: bytes, from_bytes: bool) -> None:
    page = Page(url="https://www.example.cn/a.html", body=body)
    text, doc = parse_page(page)
    assert text == decode_page(page)
    assert _tree(doc) == _tree(parse_html(text, page.url))


@pytest.mark.parametrize(("name", "body", "from_bytes"), PAGES, ids=[p[0] for p in PAGES])
def test_bytes_are_parsed_only_where_they_give_that_tree(name: str, body: bytes, from_bytes: bool) -> None:
    text, encoding = decode_html(body)
    parsed = _parse_utf8(body, text, None) if encoding == "utf-8" else None
    assert (parsed is not None) == from_bytes


def test_forced_encoding_is_the_text_parse_html_reads() -> None:
    page = Page(url="https://www.example.cn/a.html", body=ARTICLE.encode("gb18030"), encoding="gbk")
    text, doc = parse_page(page)
    assert text == ARTICLE
    assert doc.findtext(".//h1") == "职工书屋开放"


@pytest.mark.parametrize("path", sorted((FIXTURES / "pages").glob("*.html")), ids=lambda p: p.stem)
def test_fixture_pages_parse_alike(path: Path) -> None:
    page = Page(url="https://www.example.cn/a.html", body=path.read_bytes())
    text, doc = parse_page(page)
    assert _tree(doc) == _tree(parse_html(text, page.url))

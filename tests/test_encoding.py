"""aggregator.encoding: Chinese pages decode right whatever the header and the meta tag claim."""

from __future__ import annotations

import codecs

import pytest

from aggregator.encoding import declared_encodings, decode_html, normalize_encoding

TEXT = "市总工会开展夏季送清凉活动，为一线职工送去防暑物品"
# 镕 is in GBK but not GB2312; 䶮 is only in GB18030 (four bytes): pages labelled gb2312 carry both.
RARE = "朱镕基题词，䶮字罕见"


def page(text: str, meta: str | None) -> str:
    head = f'<meta http-equiv="Content-Type" content="text/html; charset={meta}">' if meta else ""
    return f"<html><head>{head}<title>{text}</title></head><body><p>{text}</p></body></html>"


CASES = [
    # (id, body encoding, Content-Type header, meta charset, text, expected codec)
    ("gbk-header-says-utf8", "gbk", "text/html; charset=utf-8", "gbk", TEXT, "gb18030"),
    ("gbk-header-says-utf8-no-meta", "gbk", "text/html; charset=UTF-8", None, TEXT, "gb18030"),
    ("gbk-only-meta", "gbk", "text/html", "gb2312", TEXT, "gb18030"),
    ("gbk-nothing-declared", "gbk", None, None, TEXT, "gb18030"),
    ("gb2312-label-gb18030-chars", "gb18030", "text/html; charset=gb2312", "gb2312", RARE, "gb18030"),
    ("gb18030-nothing-declared", "gb18030", None, None, RARE, "gb18030"),
    ("gbk-server-default-latin1", "gbk", "text/html; charset=ISO-8859-1", None, TEXT, "gb18030"),
    ("utf8-labelled-gb2312", "utf-8", "text/html; charset=GB2312", "gb2312", TEXT, "utf-8"),
    ("utf8-nothing-declared", "utf-8", None, None, TEXT, "utf-8"),
    ("big5-meta", "big5", "text/html", "big5", "工會組織開展活動", "big5"),
]


@pytest.mark.parametrize(("body_enc", "header", "meta", "text", "codec"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_decodes_right(body_enc: str, header: str | None, meta: str | None, text: str, codec: str) -> None:
    body = page(text, meta).encode(body_enc)
    decoded, used = decode_html(body, header)
    assert text in decoded
    assert used == codec


def test_utf8_cut_off_mid_character_stays_utf8() -> None:
    body = page(TEXT * 5, "utf-8").encode("utf-8")
    cut = body[: body.rindex("职".encode()) + 1]  # the last character loses two of its three bytes
    decoded, used = decode_html(cut, "text/html; charset=utf-8")
    assert used == "utf-8"
    assert TEXT in decoded


def test_forced_encoding_wins() -> None:
    body = page(TEXT, "utf-8").encode("gbk")
    decoded, used = decode_html(body, "text/html; charset=utf-8", forced="GB2312")
    assert used == "gb18030"
    assert TEXT in decoded


def test_bom_wins_over_declarations() -> None:
    body = codecs.BOM_UTF8 + page(TEXT, "gbk").encode("utf-8")
    decoded, used = decode_html(body, "text/html; charset=gbk")
    assert used == "utf-8"
    assert decoded.startswith("<html>")


def test_xml_declaration_counts_as_declared() -> None:
    body = f'<?xml version="1.0" encoding="GBK"?><rss><title>{TEXT}</title></rss>'.encode("gbk")
    assert declared_encodings(body, "text/xml") == (None, "gb18030")
    assert TEXT in decode_html(body, "text/xml")[0]


@pytest.mark.parametrize(("name", "expected"), [("GB2312", "gb18030"), ("gbk", "gb18030"), ("x-gbk", "gb18030"),
                                                ("UTF8", "utf-8"), ("iso-8859-1", "cp1252"), ("no-such", None),
                                                (None, None)])
def test_normalize_encoding(name: str | None, expected: str | None) -> None:
    assert normalize_encoding(name) == expected

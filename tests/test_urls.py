"""WeChat URL identity and canonical URLs, as tables: every URL form users meet and what it identifies."""

from __future__ import annotations

import pytest

from aggregator.urls import biz_to_id, canonical_url, id_to_biz, is_wechat_url, parse_wechat_url, wechat_url

BIZ = "MzkwMDExMjIzMw=="
SN = "27f237e6b7f96587b6202ff3607ad88a"
LONG = f"https://mp.weixin.qq.com/s?__biz={BIZ}&mid=2650000101&idx=1&sn={SN}"
KEY = (BIZ, "2650000101", "1")

# (url, kind, key, identity URL)
CASES = [
    # the permanent long link, with every kind of noise WeChat and the mirrors add
    (LONG, "long", KEY, LONG),
    (f"http://mp.weixin.qq.com/s?__biz={BIZ}&mid=2650000101&idx=1&sn={SN}#rd", "long", KEY, LONG),
    (f"https://mp.weixin.qq.com/s?__biz={BIZ}&mid=2650000101&idx=1&sn={SN}&chksm=e1a2b3c4&scene=27#wechat_redirect",
     "long", KEY, LONG),
    (f"https://mp.weixin.qq.com/s?__biz={BIZ}&amp;mid=2650000101&amp;idx=1&amp;sn={SN}&amp;chksm=e1", "long", KEY, LONG),
    (f"https://mp.weixin.qq.com/s?__biz={BIZ}\\x26mid=2650000101\\x26idx=1\\x26sn={SN}", "long", KEY, LONG),
    (f"https://mp.weixin.qq.com/s?sn={SN}&idx=1&mid=2650000101&__biz={BIZ}&mpshare=1&srcid=0722&sharer_shareid=ab"
     "&pass_ticket=zz&exportkey=yy", "long", KEY, LONG),
    (f"https://mp.weixin.qq.com/s?__biz=MzkwMDExMjIzMw%3D%3D&mid=2650000101&idx=1&sn={SN}", "long", KEY, LONG),
    # RSSHub's aliases: appmsgid = mid, itemidx = idx, sign = sn (the old /mp/appmsg/show form)
    (f"http://mp.weixin.qq.com/mp/appmsg/show?__biz={BIZ}&appmsgid=2650000101&itemidx=1&sign={SN}#wechat_redirect",
     "long", KEY, LONG),
    # without sn the key still holds; the identity URL simply has no sn
    (f"https://mp.weixin.qq.com/s?__biz={BIZ}&mid=2650000101&idx=1", "long", KEY,
     f"https://mp.weixin.qq.com/s?__biz={BIZ}&mid=2650000101&idx=1"),
    # a broken sn (a template left unfilled) is dropped, not kept
    (f"https://mp.weixin.qq.com/s?__biz={BIZ}&mid=2650000101&idx=1&sn=+sn+", "long", KEY,
     f"https://mp.weixin.qq.com/s?__biz={BIZ}&mid=2650000101&idx=1"),
    # the short link: its id is the identity until the page names the key
    ("https://mp.weixin.qq.com/s/qh3NewForm_ShortLink1A", "short", None, "https://mp.weixin.qq.com/s/qh3NewForm_ShortLink1A"),
    ("http://mp.weixin.qq.com/s/qh3NewForm_ShortLink1A?scene=1&clicktime=17#rd", "short", None,
     "https://mp.weixin.qq.com/s/qh3NewForm_ShortLink1A"),
    ("https://mp.weixin.qq.com/s/qh3NewForm_ShortLink1A/", "short", None, "https://mp.weixin.qq.com/s/qh3NewForm_ShortLink1A"),
    # the temporary Sogou link: never an identity
    ("https://mp.weixin.qq.com/s?src=11&timestamp=1581604662&ver=2156&signature=0Djd*Xy-z&new=1", "temporary", None, None),
    ("http://mp.weixin.qq.com/s?timestamp=1581604662&src=3&ver=1&signature=abc", "temporary", None, None),
    # mp.weixin.qq.com pages that are not articles name nothing, even with __biz and mid in them
    (f"https://mp.weixin.qq.com/mp/rumor?action=info&__biz={BIZ}&mid=2650000101&idx=1&sn={SN}", "other", None, None),
    (f"https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz={BIZ}", "other", None, None),
    (f"https://mp.weixin.qq.com/mp/appmsgalbum?__biz={BIZ}&action=getalbum&album_id=1", "other", None, None),
    ("https://mp.weixin.qq.com/s/", "other", None, None),
    ("https://mp.weixin.qq.com/s?__biz=not base64!&mid=1&idx=1", "other", None, None),
    ("https://mp.weixin.qq.com/s?__biz=MzA=&mid=abc&idx=1", "other", None, None),
    # not WeChat at all
    ("https://www.workercn.cn/c/2025-07-24/8541970.shtml", "other", None, None),
]


@pytest.mark.parametrize(("url", "kind", "key", "identity"), CASES, ids=[c[0][-40:] for c in CASES])
def test_kind(url: str, kind: str, key: tuple[str, str, str] | None, identity: str | None) -> None:
    assert parse_wechat_url(url).kind == kind


@pytest.mark.parametrize(("url", "kind", "key", "identity"), CASES, ids=[c[0][-40:] for c in CASES])
def test_key(url: str, kind: str, key: tuple[str, str, str] | None, identity: str | None) -> None:
    assert parse_wechat_url(url).key == key


@pytest.mark.parametrize(("url", "kind", "key", "identity"), CASES, ids=[c[0][-40:] for c in CASES])
def test_identity_url(url: str, kind: str, key: tuple[str, str, str] | None, identity: str | None) -> None:
    assert parse_wechat_url(url).url == identity


@pytest.mark.parametrize(("url", "expected"), [
    (f"http://mp.weixin.qq.com/s?__biz={BIZ}&mid=2650000101&idx=1&sn={SN}&chksm=e1&scene=27#rd", LONG),
    ("https://mp.weixin.qq.com/s/qh3NewForm_ShortLink1A?from=timeline", "https://mp.weixin.qq.com/s/qh3NewForm_ShortLink1A"),
    ("https://mp.weixin.qq.com/s?src=11&timestamp=1581604662&ver=2156&signature=abc&new=1", None),
    # non-article WeChat pages and other sites keep the generic rule: tracking parameters go, the rest stays
    (f"https://mp.weixin.qq.com/mp/appmsgalbum?__biz={BIZ}&action=getalbum&album_id=1&scene=1",
     f"https://mp.weixin.qq.com/mp/appmsgalbum?__biz={BIZ.replace('=', '%3D')}&action=getalbum&album_id=1"),
    ("https://WWW.Workercn.cn:443/c/2025-07-24/8541970.shtml?utm_source=x#top", "https://www.workercn.cn/c/2025-07-24/8541970.shtml"),
])
def test_canonical_url(url: str, expected: str | None) -> None:
    assert canonical_url(url) == expected


def test_the_normal_form_keeps_only_the_four_parameters() -> None:
    assert wechat_url(BIZ, "2650000101", "1", SN) == LONG
    assert wechat_url(BIZ, "2650000101", "1") == f"https://mp.weixin.qq.com/s?__biz={BIZ}&mid=2650000101&idx=1"


@pytest.mark.parametrize(("biz", "account_id"), [(BIZ, "3900112233"), ("MzA3MTg1NjYxMg==", "3071856612"),
                                                  ("bm90LWEtbnVtYmVy", None), ("%%%", None)])
def test_biz_decodes_to_the_numeric_account_id(biz: str, account_id: str | None) -> None:
    assert biz_to_id(biz) == account_id
    if account_id:
        assert id_to_biz(account_id) == biz


@pytest.mark.parametrize(("url", "expected"), [
    ("https://mp.weixin.qq.com/s/abcdefghij", True), ("https://mp.weixin.qq.com.evil.example/s/x", False),
    ("https://rsshub.app/wechat/ce/1", False),
])
def test_is_wechat_url(url: str, expected: bool) -> None:
    assert is_wechat_url(url) is expected

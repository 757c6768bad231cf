"""Host mapping: which local address answers for a real URL (the store keeps the real URL)."""

from __future__ import annotations

import pytest

from aggregator.crawl.hostmap import mapped_url


@pytest.mark.parametrize(
    ("url", "hostmap", "expected"),
    [
        ("https://www.workercn.cn/c/2025-07-24/1.shtml", {"www.workercn.cn": "127.0.0.1:8000"},
         "http://127.0.0.1:8000/c/2025-07-24/1.shtml"),
        ("https://mp.weixin.qq.com/s?__biz=MzA=&mid=1&idx=1", {"*": "127.0.0.1:9"}, "http://127.0.0.1:9/s?__biz=MzA=&mid=1&idx=1"),
        ("https://WWW.JSGH.ORG/col/col1/index.html", {"www.jsgh.org": "127.0.0.1:1"}, "http://127.0.0.1:1/col/col1/index.html"),
        ("https://www.workercn.cn/", {"other.example": "127.0.0.1:1"}, None),
        ("http://acftu.people.com.cn", {"*": "127.0.0.1:2"}, "http://127.0.0.1:2/"),
        ("https://a.example/x#frag", {"*": "127.0.0.1:3"}, "http://127.0.0.1:3/x"),
    ],
)
def test_mapped_url(url: str, hostmap: dict[str, str], expected: str | None) -> None:
    assert mapped_url(url, hostmap) == expected

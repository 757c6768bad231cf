"""What Scrapy checks of spider callbacks at every response when WARN_ON_GENERATOR_RETURN_VALUE is on (the
project turns it off for speed): checked here once, for every callback of every spider."""

from __future__ import annotations

import inspect

import pytest
from scrapy.utils.misc import is_generator_with_return_value

from spiders.sites import SitesSpider
from spiders.wechat import WechatSpider

CALLBACKS = [(cls, name) for cls in (SitesSpider, WechatSpider) for name, member in inspect.getmembers(cls)
             if inspect.isgeneratorfunction(member) and not name.startswith("_")]  # helpers may return to yield from


def test_every_spider_has_generator_callbacks() -> None:
    assert {name for _cls, name in CALLBACKS} >= {"parse_list", "parse_article", "parse_feed"}


@pytest.mark.parametrize(("spider", "name"), CALLBACKS, ids=[f"{c.__name__}.{n}" for c, n in CALLBACKS])
def test_no_generator_callback_returns_a_value(spider: type, name: str) -> None:
    # A value returned from a generator callback is silently lost: Scrapy would warn about it.
    assert not is_generator_with_return_value(getattr(spider, name))

"""The Guangdong family (gdftu.org.cn, nfgb.com.cn): /<channel>/content/post_<id>.html, index_N.html lists."""

from __future__ import annotations

from aggregator.families.generic import parse_list  # noqa: F401

DEFAULT_ARTICLE_PATTERN = r"/content/post_\d+\.html$"

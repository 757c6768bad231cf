"""Log lines for scraped and dropped items that name the article instead of dumping the whole item."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.logformatter import LogFormatter, LogFormatterResult


class QuietLogFormatter(LogFormatter):
    """Dropped items (duplicates, deleted pages) are routine: one INFO line with the reason, no item dump."""

    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any = None) -> LogFormatterResult:
        return {"level": logging.INFO, "msg": "Dropped: %(exception)s", "args": {"exception": exception}}

    def scraped(self, item: Any, response: Any, spider: Any = None) -> LogFormatterResult:
        record = getattr(item, "record", None)
        return {"level": logging.DEBUG, "msg": "Scraped %(url)s", "args": {"url": getattr(record, "url", response)}}

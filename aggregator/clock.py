"""The crawl's clock: the real time, or a fixed one (the demo crawls as of 2025-07-28, tests pin it too)."""

from __future__ import annotations

import os
from datetime import datetime

from aggregator.dates import SHANGHAI, now_shanghai


def crawl_now(value: str | None = None) -> datetime:
    """Now in Asia/Shanghai, unless `value` (or $UNION_NEWS_NOW), an ISO datetime, pins it."""
    value = value or os.environ.get("UNION_NEWS_NOW")
    if not value:
        return now_shanghai()
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=SHANGHAI) if parsed.tzinfo is None else parsed.astimezone(SHANGHAI)

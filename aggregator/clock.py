"""The crawl's clock: the real time, or a fixed one (the demo crawls as of 2025-07-28, tests pin it too)."""

from __future__ import annotations

import os
from datetime import datetime

from aggregator.dates import SHANGHAI, now_shanghai

_PINNED: datetime | None = None


def _parse(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=SHANGHAI) if parsed.tzinfo is None else parsed.astimezone(SHANGHAI)


def pin(value: str | None) -> None:
    """Pin this process's clock (a crawl with UNION_NEWS_NOW set); None unpins it."""
    global _PINNED
    _PINNED = _parse(value) if value else None


def crawl_now(value: str | None = None) -> datetime:
    """Now in Asia/Shanghai, unless `value`, a pinned clock or $UNION_NEWS_NOW (an ISO datetime) fixes it."""
    value = value or os.environ.get("UNION_NEWS_NOW")
    if value:
        return _parse(value)
    return _PINNED or now_shanghai()

"""Column types: timezone-aware datetimes that survive SQLite (which has no time zones)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

SHANGHAI = ZoneInfo("Asia/Shanghai")


class AwareDateTime(TypeDecorator[datetime]):
    """Stores UTC, returns Asia/Shanghai-aware datetimes; refuses naive values (the 8-hours-off bug)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: attach a time zone (Asia/Shanghai) first")
        utc = value.astimezone(timezone.utc)
        # SQLite keeps text without an offset: store UTC wall time so ordering and comparisons hold.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(SHANGHAI)

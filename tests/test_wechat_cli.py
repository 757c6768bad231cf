"""The `union-news wechat` commands (CliRunner) and `union-news extract` on WeChat pages."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from click.testing import CliRunner

from aggregator.cli import main
from aggregator.dates import SHANGHAI
from aggregator.sources import Registry, Source
from aggregator.store import Store
from aggregator.store.writer import sync_sources
from aggregator.wechat_crawl import note_failure

PAGES = Path(__file__).parent / "fixtures" / "wechat" / "pages"
NOW = datetime(2025, 7, 28, 12, 0, tzinfo=SHANGHAI)
LONG = ("https://mp.weixin.qq.com/s?__biz=MzkwMDExMjIzMw==&mid=2650000101&idx=1&sn=27f237e6b7f96587b6202ff3607ad88a"
        "&chksm=e1&scene=27#rd")


def test_url_prints_kind_key_and_account_id() -> None:
    result = CliRunner().invoke(main, ["wechat", "url", "--json", LONG, "https://mp.weixin.qq.com/s/qh3NewForm_ShortLink1A",
                                       "https://mp.weixin.qq.com/s?src=11&timestamp=1&ver=1&signature=x"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["kind"] for r in rows] == ["long", "short", "temporary"]
    assert rows[0]["key"] == ["MzkwMDExMjIzMw==", "2650000101", "1"] and rows[0]["account_id"] == "3900112233"
    assert rows[0]["url"] == LONG.split("&chksm")[0]
    assert rows[2]["url"] is None


def test_pending_lists_what_waits_for_a_retry(store: Store, db_url: str) -> None:
    registry = Registry(path=Path("x.toml"), sources={"wx_qinghe": Source(id="wx_qinghe", name="青禾工会", kind="wechat")})
    with store.session() as session:
        sync_sources(session, registry)
        note_failure(session, "https://mp.weixin.qq.com/s/qhGatedLink0001", "wx_qinghe", "verify", NOW, "gate")
        note_failure(session, "https://mp.weixin.qq.com/s/qhDeletedLink002", "wx_qinghe", "deleted", NOW, "deleted")
    result = CliRunner().invoke(main, ["wechat", "pending", "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "qhGatedLink0001" in result.output and "2025-07-28 18:00" in result.output
    assert "qhDeletedLink002" not in result.output
    result = CliRunner().invoke(main, ["wechat", "pending", "--db", db_url, "--all"])
    assert "qhDeletedLink002" in result.output and "never" in result.output


def test_extract_prints_account_canonical_url_and_key() -> None:
    result = CliRunner().invoke(main, ["extract", str(PAGES / "article_old.html"), "--url", LONG])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["account"] == "青禾工会"
    assert out["canonical_url"] == LONG.split("&chksm")[0]
    assert out["key"] == ["MzkwMDExMjIzMw==", "2650000101", "1"]
    assert out["published"] == "2025-07-22T09:30:12+08:00"


def test_extract_of_the_verification_page_says_blocked() -> None:
    result = CliRunner().invoke(main, ["extract", str(PAGES / "verify.html"), "--url",
                                       "https://mp.weixin.qq.com/mp/wappoc_appmsgcaptcha?poc_token=x"])
    assert result.exit_code == 0 and json.loads(result.output)["status"] == "blocked"


def test_wechat_help_has_examples() -> None:
    for command in (["wechat", "url", "--help"], ["wechat", "pending", "--help"]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 0 and "Example: union-news wechat" in result.output

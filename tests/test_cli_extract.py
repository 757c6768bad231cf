"""`union-news extract PAGE.html`: the extracted record as JSON, the encoding detected, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from aggregator.cli import main

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"


def run(*args: str) -> tuple[int, dict | str]:
    result = CliRunner().invoke(main, ["extract", *args])
    if result.exit_code != 0:
        return result.exit_code, result.output
    return 0, json.loads(result.output)


def test_prints_the_record_as_json() -> None:
    code, out = run(str(PAGES / "portal_article.html"), "--url", "https://www.hbgh.example.cn/gh/2025-07/24/c.html")
    assert code == 0 and isinstance(out, dict)
    assert {"title", "published", "author", "source", "body_text", "body_html", "summary", "region"} <= set(out)


def test_fields_of_a_page() -> None:
    _code, out = run(str(PAGES / "portal_article.html"), "--url", "https://www.hbgh.example.cn/gh/2025-07/24/c.html")
    assert isinstance(out, dict)
    assert (out["title"], out["published"], out["author"], out["source"], out["region"], out["byline"]) == (
        "石家庄市总工会为一线职工送去防暑物资", "2025-07-24T09:05:01+08:00", "赵晓岚", "河北工人报", "河北",
        "本报讯（记者 赵晓岚 通讯员 钱立）")


def test_images_resolve_against_the_url() -> None:
    _code, out = run(str(PAGES / "portal_article.html"), "--url", "https://www.hbgh.example.cn/gh/2025-07/24/c.html")
    assert isinstance(out, dict)
    assert 'src="https://www.hbgh.example.cn/upload/2025/07/24/p1.jpg"' in out["body_html"]


def test_encoding_is_detected(tmp_path: Path) -> None:
    _code, out = run(str(PAGES / "gbk_page.html"))
    assert isinstance(out, dict) and out["title"] == "济南市总工会启动职工疗休养 首批劳模赴泰山"


def test_encoding_can_be_forced(tmp_path: Path) -> None:
    page = tmp_path / "latin.html"
    # GBK bytes with no declaration at all: forcing gbk reads them.
    page.write_bytes("<html><head><title>职工书屋开放</title></head><body><h1>职工书屋开放</h1>"
                     "<p>某市总工会职工书屋从本周起延长开放时间，每天开放到晚上九点。</p></body></html>".encode("gbk"))
    _code, out = run(str(page), "--encoding", "gbk")
    assert isinstance(out, dict) and out["title"] == "职工书屋开放"
    _code, out = run(str(page), "--encoding", "latin-1")
    assert isinstance(out, dict) and out["title"] != "职工书屋开放"


def test_unknown_encoding_is_a_configuration_error() -> None:
    code, out = run(str(PAGES / "portal_article.html"), "--encoding", "klingon")
    assert code == 2 and "klingon" in str(out)


def test_unknown_source_is_a_configuration_error() -> None:
    code, out = run(str(PAGES / "portal_article.html"), "--source", "nope", "--sources", str(SAMPLES / "sources.toml"))
    assert code == 2 and "nope" in str(out)


def test_source_gives_the_region_fallback() -> None:
    _code, out = run(str(PAGES / "relative_date.html"), "--source", "jsgh", "--sources", str(SAMPLES / "sources.toml"),
                     "--now", "2025-07-28T12:00:00+08:00")
    # The text names 泰安: the text wins over the source's region (江苏).
    assert isinstance(out, dict) and out["region"] == "山东"


def test_now_resolves_relative_dates() -> None:
    _code, out = run(str(PAGES / "relative_date.html"), "--now", "2025-07-28T12:00:00+08:00")
    assert isinstance(out, dict)
    assert (out["published"], out["published_precise"]) == ("2025-07-28T09:00:00+08:00", False)


def test_bad_now_is_a_configuration_error() -> None:
    code, out = run(str(PAGES / "relative_date.html"), "--now", "yesterday")
    assert code == 2 and "--now" in str(out)


def test_with_byline_puts_it_back_in_front_of_the_text() -> None:
    _code, plain = run(str(PAGES / "portal_article.html"))
    _code, joined = run(str(PAGES / "portal_article.html"), "--with-byline")
    assert isinstance(plain, dict) and isinstance(joined, dict)
    assert not plain["body_text"].startswith("本报讯")
    assert joined["body_text"] == f"{plain['byline']}\n{plain['body_text']}"


def test_empty_url_means_the_file(tmp_path: Path) -> None:
    # The reference scorer passes --url '' for pages whose URL is unknown.
    _code, out = run(str(PAGES / "slogan_h1.html"), "--url", "")
    assert isinstance(out, dict) and out["url"].startswith("file://")


def test_missing_file_exits_2() -> None:
    result = CliRunner().invoke(main, ["extract", "/nonexistent/page.html"])
    assert result.exit_code == 2

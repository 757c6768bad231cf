"""The registry: loading and validation (errors name file, source and key), and the real data/sources.toml."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from aggregator.sources import FAMILIES, RegistryError, load_registry
from tests.conftest import ROOT

REAL = ROOT / "data" / "sources.toml"
FIXTURES = ROOT / "tests" / "fixtures" / "sites"

GOOD = '''
[[source]]
id = "good"
name = "好样例"
family = "trs"
lists = ["https://example.org/news/"]
'''


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "reg.toml"
    path.write_text(text, encoding="utf-8")
    return path


def entry(**fields: str) -> str:
    """A [[source]] table with id "bad" and `fields` (TOML value text) over a valid generic site."""
    base = {"id": '"bad"', "name": '"坏样例"', "family": '"generic"', "lists": '["https://example.org/list.html"]',
            "article_pattern": "'/a/\\d+\\.html$'"}
    base.update(fields)
    return "[[source]]\n" + "\n".join(f"{k} = {v}" for k, v in base.items() if v != "-") + "\n"


# (case id, fields overriding a valid entry, the key the error must name, a phrase it must contain)
BAD = [
    ("unknown-key", {"colour": '"red"'}, "colour", "unknown key"),
    ("bad-article-pattern", {"article_pattern": "'/a/(\\d+.html'"}, "article_pattern", "bad pattern"),
    ("generic-without-pattern", {"article_pattern": "-"}, "article_pattern", "needs the pattern"),
    ("list-not-http", {"lists": '["ftp://example.org/"]'}, "lists[0]", "not an http(s) URL"),
    ("unknown-placeholder", {"lists": '["https://example.org/{day}/index.html"]'}, "lists[0]", "unknown placeholder"),
    ("enabled-without-lists", {"lists": "[]"}, "lists", "at least one list URL"),
    ("bad-selector", {"selectors": '{ body = "div[[" }'}, "selectors.body", "bad CSS selector"),
    ("unknown-selector-key", {"selectors": '{ headline = "h1" }'}, "selectors.headline", "unknown key"),
    ("drop-not-a-list", {"selectors": '{ drop = ".ad" }'}, "selectors.drop", "list of CSS selectors"),
    ("unknown-family", {"family": '"wordpress"'}, "family", "not one of"),
    ("unknown-option", {"options": '{ proxy = "post" }'}, "options.proxy", "for family 'generic'"),
    ("hanweb-bad-proxy", {"family": '"hanweb"', "options": '{ proxy = "put" }'}, "options.proxy", "not one of"),
    ("founder-bad-node-pattern", {"family": '"founder"', "options": "{ node_pattern = '(' }"}, "options.node_pattern",
     "bad pattern"),
    ("bad-encoding", {"encoding": '"klingon"'}, "encoding", "unknown encoding"),
    ("bad-region", {"region": '"Jiangsu"'}, "region", "province short name"),
    ("negative-window", {"window_days": "-3"}, "window_days", "non-negative integer"),
    ("enabled-not-bool", {"enabled": '"yes"'}, "enabled", "true or false"),
    ("unknown-antibot", {"antibot": '"cloudflare"', "enabled": "false", "note": '"x"'}, "antibot", "not one of"),
    ("enabled-behind-ruishu", {"antibot": '"ruishu"'}, "enabled", "cannot be crawled with plain HTTP"),
    ("enabled-spa", {"spa": "true"}, "enabled", "cannot be crawled with plain HTTP"),
    ("disabled-without-note", {"enabled": "false"}, "note", "needs a note"),
    ("bad-id", {"id": '"Bad-Id"'}, "id", "lower-case"),
    ("aliases-not-list", {"aliases": '"工会"'}, "aliases", "list of names"),
]


@pytest.mark.parametrize(("fields", "key", "phrase"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_entry_names_file_source_and_key(tmp_path: Path, fields: dict[str, str], key: str, phrase: str) -> None:
    path = write(tmp_path, GOOD + entry(**fields))
    with pytest.raises(RegistryError) as error:
        load_registry(path)
    message = str(error.value)
    assert str(path) in message
    assert f"'{key}'" in message
    assert phrase in message
    if key != "id":
        assert "source 'bad'" in message


def test_duplicate_id_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + GOOD)
    with pytest.raises(RegistryError, match=r"reg\.toml: source 'good': duplicate id"):
        load_registry(path)


def test_not_toml_and_missing_file_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="not valid TOML"):
        load_registry(write(tmp_path, "[[source]\nid ="))
    with pytest.raises(RegistryError, match="no such file"):
        load_registry(tmp_path / "missing.toml")


def test_good_entry_loads_with_defaults(tmp_path: Path) -> None:
    source = load_registry(write(tmp_path, GOOD)).sources["good"]
    assert (source.family, source.kind, source.enabled, source.verified, source.antibot, source.spa) == (
        "trs", "site", True, False, None, False)
    assert source.lists == ("https://example.org/news/",)


def test_disabled_source_needs_no_lists(tmp_path: Path) -> None:
    registry = load_registry(write(tmp_path, entry(lists="-", article_pattern="-", enabled="false",
                                                   note='"site not known yet"')))
    assert not registry.sources["bad"].enabled
    assert registry.enabled() == []


def test_dated_list_expands_to_each_day_of_the_window(tmp_path: Path) -> None:
    registry = load_registry(write(tmp_path, entry(family='"founder"', article_pattern="-",
                                                   lists='["https://p.example/html/{date:%Y-%m/%d}/node_1.htm"]')))
    urls = registry.sources["bad"].list_urls(date(2025, 3, 2), 3)
    assert urls == ["https://p.example/html/2025-03/02/node_1.htm", "https://p.example/html/2025-03/01/node_1.htm",
                    "https://p.example/html/2025-02/28/node_1.htm"]


# --- the real registry ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real():  # type: ignore[no-untyped-def]
    return load_registry(REAL)


def test_real_registry_loads(real) -> None:  # type: ignore[no-untyped-def]
    assert len(real.sources) >= 35


@pytest.mark.parametrize("name", ["中工网", "工人日报", "中国工会新闻网", "中华全国总工会", "劳动午报", "劳动报",
                                  "浙江工人日报", "南方工报", "河南工人日报", "甘肃工人报", "安徽工人日报", "陕西工人报"])
def test_real_registry_has_the_sources_users_asked_for(real, name: str) -> None:  # type: ignore[no-untyped-def]
    assert any(s.name == name for s in real.sources.values()), name


def test_real_registry_lists_at_least_20_provincial_federations(real) -> None:  # type: ignore[no-untyped-def]
    provinces = {s.region for s in real.sources.values()
                 if s.region != "全国" and any("总工会" in n for n in s.names)}
    assert len(provinces) >= 20, sorted(provinces)


def test_acftu_org_is_marked_ruishu_and_disabled(real) -> None:  # type: ignore[no-untyped-def]
    acftu = real.sources["acftu"]
    assert acftu.antibot == "ruishu"
    assert not acftu.enabled
    assert "瑞数" in acftu.note


def test_grrb_uses_the_grrb_family(real) -> None:  # type: ignore[no-untyped-def]
    grrb = real.sources["grrb"]
    assert grrb.family == "grrb"
    assert grrb.lists == ("https://www.workercn.cn/papers/grrb/{date:%Y/%m/%d}/1/page.html",)


def test_every_unverified_or_disabled_source_says_why(real) -> None:  # type: ignore[no-untyped-def]
    silent = [s.id for s in real.sources.values() if (not s.verified or not s.enabled) and len(s.note.strip()) < 20]
    assert silent == []


def test_spa_and_protected_sites_are_disabled(real) -> None:  # type: ignore[no-untyped-def]
    marked = [s for s in real.sources.values() if s.spa or s.antibot]
    assert {s.id for s in marked} >= {"acftu", "gsgh", "nxzgh", "cqgh"}
    assert all(not s.enabled for s in marked)


def test_every_family_of_an_enabled_source_has_a_fixture_site(real) -> None:  # type: ignore[no-untyped-def]
    fixtures = load_registry(FIXTURES / "sources.toml")
    tested = {s.family for s in fixtures.sources.values()}
    used = {s.family for s in real.enabled() if s.kind == "site"}
    assert used <= tested, used - tested
    assert tested >= set(FAMILIES) - {"wechat"}


def test_every_source_comment_precedes_its_table() -> None:
    lines = REAL.read_text(encoding="utf-8").splitlines()
    tables = [i for i, line in enumerate(lines) if line.strip() == "[[source]]"]
    assert tables
    assert all(lines[i - 1].startswith("# ") for i in tables), "each [[source]] needs a short comment above it"

"""The WeChat accounts of the registry (data/sources_wechat.toml) and the loader's include/list support."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from aggregator.sources import RegistryError, load_registry
from aggregator.urls import biz_to_id

ROOT = Path(__file__).resolve().parent.parent
WECHAT = ROOT / "data" / "sources_wechat.toml"
GAZETTEER = tomllib.loads((ROOT / "data" / "gazetteer.toml").read_text(encoding="utf-8"))
REGISTRY = load_registry(WECHAT)


def test_every_account_is_a_wechat_source() -> None:
    assert REGISTRY.sources and all(s.kind == "wechat" and s.family == "wechat" for s in REGISTRY.sources.values())


def test_the_national_federation_is_there() -> None:
    national = [s for s in REGISTRY.sources.values() if s.region == "全国"]
    assert any(s.account == "全国总工会" for s in national)


@pytest.mark.parametrize("province", [p["short"] for p in GAZETTEER["province"]
                                      if p["short"] not in ("台湾", "香港", "澳门", "兵团")])
def test_every_provincial_federation_has_an_account(province: str) -> None:
    assert any(s.region == province and s.authority == 2 for s in REGISTRY.sources.values()), province


@pytest.mark.parametrize("source", sorted(REGISTRY.sources), ids=str)
def test_unverified_accounts_say_so_and_stay_off(source: str) -> None:
    entry = REGISTRY[source]
    if not entry.verified:
        assert not entry.enabled and "unverified" in entry.note
    if entry.enabled:
        assert entry.mirrors and entry.biz


@pytest.mark.parametrize("source", sorted(REGISTRY.sources), ids=str)
def test_a_known_biz_is_a_real_one(source: str) -> None:
    biz = REGISTRY[source].biz
    assert biz is None or biz_to_id(biz) is not None


@pytest.mark.parametrize("source", sorted(REGISTRY.sources), ids=str)
def test_region_is_a_gazetteer_province(source: str) -> None:
    regions = {p["short"] for p in GAZETTEER["province"]} | {"全国"}
    assert REGISTRY[source].region in regions


# -- the loader: include and lists -----------------------------------------------------------------------
SITE = """
[[source]]
id = "site_one"
name = "一个网站"
lists = ["https://www.example.org/news/"]
article_pattern = '/news/\\d+\\.html$'
"""
ACCOUNT = """
[[source]]
id = "wx_one"
name = "一个公众号"
kind = "wechat"
mirrors = ["https://rsshub.example.org/wechat/ce/1"]
"""


def test_include_adds_the_other_files_sources(tmp_path: Path) -> None:
    (tmp_path / "wx.toml").write_text(ACCOUNT, encoding="utf-8")
    (tmp_path / "sources.toml").write_text('include = ["wx.toml"]\n' + SITE, encoding="utf-8")
    registry = load_registry(tmp_path / "sources.toml")
    assert set(registry.sources) == {"site_one", "wx_one"}
    assert registry.path == tmp_path / "sources.toml"


def test_a_list_of_files_is_one_registry(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(SITE, encoding="utf-8")
    (tmp_path / "b.toml").write_text(ACCOUNT, encoding="utf-8")
    assert set(load_registry([tmp_path / "a.toml", tmp_path / "b.toml"]).sources) == {"site_one", "wx_one"}


def test_the_real_registry_files_combine(tmp_path: Path) -> None:
    (tmp_path / "sources.toml").write_text(f'include = ["{WECHAT}"]\n' + SITE, encoding="utf-8")
    assert len(load_registry(tmp_path / "sources.toml").sources) == len(REGISTRY.sources) + 1


@pytest.mark.parametrize(("main", "other", "message"), [
    ('include = ["wx.toml"]\n' + ACCOUNT, ACCOUNT, "duplicate id"),
    ('include = ["missing.toml"]\n' + SITE, ACCOUNT, "no such file"),
    ('include = "wx.toml"\n' + SITE, ACCOUNT, "must be a list"),
    ('include = ["sources.toml"]\n' + SITE, ACCOUNT, "includes itself"),
    ('include = ["wx.toml"]\n' + SITE, 'include = ["sources.toml"]\n' + ACCOUNT, "includes itself"),
    ('includes = ["wx.toml"]\n' + SITE, ACCOUNT, "unknown top-level key 'includes'"),
])
def test_include_problems_are_configuration_errors(tmp_path: Path, main: str, other: str, message: str) -> None:
    (tmp_path / "wx.toml").write_text(other, encoding="utf-8")
    (tmp_path / "sources.toml").write_text(main, encoding="utf-8")
    with pytest.raises(RegistryError, match=message):
        load_registry(tmp_path / "sources.toml")


def test_duplicate_across_files_names_both(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(ACCOUNT, encoding="utf-8")
    (tmp_path / "b.toml").write_text(ACCOUNT, encoding="utf-8")
    with pytest.raises(RegistryError) as info:
        load_registry([tmp_path / "a.toml", tmp_path / "b.toml"])
    assert "a.toml" in str(info.value) and "b.toml" in str(info.value)

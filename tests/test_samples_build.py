"""The committed sample sites are exactly what data/samples/build.py makes from content/*.toml."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from tests.conftest import SAMPLES


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_committed_sample_is_up_to_date(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(SAMPLES / "build.py"), str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    built, committed = _files(tmp_path / "sites"), _files(SAMPLES / "sites")
    assert sorted(built) == sorted(committed), "run: python data/samples/build.py"
    stale = [name for name in built if built[name] != committed[name]]
    assert stale == [], f"stale sample files (run python data/samples/build.py): {stale[:5]}"
    for name in ("sources.toml", "expected.json"):
        assert (tmp_path / name).read_bytes() == (SAMPLES / name).read_bytes(), name


def test_sample_content_matches_the_reference_digest(expected: dict) -> None:
    belonging = {s: v for s, v in expected["stories"].items() if v["belongs"]}
    assert sorted(v["digest_item"] for v in belonging.values()) == list(range(1, 26))
    noise = [s for s, v in expected["stories"].items() if not v["belongs"]]
    assert len(noise) >= 10
    reposted = [s for s, v in belonging.items() if len(v["urls"]) >= 2]
    assert len(reposted) >= 8


def test_sample_has_every_required_family() -> None:
    registry = tomllib.loads((SAMPLES / "sources.toml").read_text(encoding="utf-8"))
    families = {s.get("family", "wechat" if s.get("kind") == "wechat" else "generic") for s in registry["source"]}
    assert {"workercn", "trs", "hanweb", "peoplecn", "founder", "wechat"} <= families


def test_people_pages_are_gb_encoded_and_declared_gb2312(expected: dict) -> None:
    url = next(u for u, p in expected["pages"].items() if p["outlet"] == "acftu_people" and not p["truncated"])
    path = SAMPLES / "sites" / url.split("://", 1)[1]
    raw = path.read_bytes()
    assert b"charset=GB2312" in raw[:600]
    raw.decode("gb18030")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        raise AssertionError("the people.cn sample page should not be valid UTF-8")

"""The sample week's page in headless Chromium (Debian's chromium): it renders, with its sections and charts.

Screenshots at a phone's and a desktop's width are saved under test-output/browser/ for a person to look at.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.conftest import ROOT, skip_or_fail

pytestmark = pytest.mark.browser

SHOTS = ROOT / "test-output" / "browser"
WINDOWS = {"phone": (390, 844), "desktop": (1280, 900)}
SECTIONS = ["工作动态", "思想引领", "建功立业", "维权服务", "构建和谐劳动关系", "组织建设"]


def chromium() -> str:
    """Path of Debian's chromium, or skip (fail under .ci/run) saying how to install it."""
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found is None:
        skip_or_fail("Debian's chromium is not installed; install it with: apt-get install chromium fonts-noto-cjk")
    return found  # type: ignore[return-value]


def run_chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Headless Chromium with a fresh profile and nothing that reaches the network."""
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-default-apps", "--hide-scrollbars", f"--user-data-dir={profile}", *args]
    result = subprocess.run(command, capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")[-2000:]
    return result


def png_info(path: Path) -> tuple[int, int, int]:
    """(width, height, distinct byte values in the first rows): enough to tell a rendered page from a blank one."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    idat, pos = b"", 8
    while pos < len(data):
        length = struct.unpack(">I", data[pos:pos + 4])[0]
        if data[pos + 4:pos + 8] == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    pixels = zlib.decompress(idat)
    return width, height, len(set(pixels[: len(pixels) // 3]))


@pytest.fixture(scope="module")
def page(demo_out: Path) -> Path:
    return demo_out / "2025-W30.html"


def test_page_renders_with_sections_and_charts(page: Path, tmp_path: Path) -> None:
    dom = run_chromium(tmp_path / "profile", "--dump-dom", page.as_uri()).stdout.decode("utf-8")
    soup = BeautifulSoup(dom, "lxml")
    assert soup.find(id="digest-title").get_text().startswith("一周速览 | ")
    assert len(soup.select("#core li")) == 3
    assert [s["data-section"] for s in soup.select("section.digest-section")] == SECTIONS
    assert len(soup.select("article.item")) == 25
    for chart in ("#chart-region", "#chart-section"):
        svg = soup.select_one(f"{chart} svg")
        assert svg is not None and svg.select("rect.bar"), chart
    assert len(soup.select("#chart-section rect.bar")) == 6
    assert soup.find(id="credits").get_text().startswith("部分图文来源：")
    assert soup.find("script") is None


@pytest.mark.parametrize("window", list(WINDOWS))
def test_screenshot(page: Path, tmp_path: Path, window: str) -> None:
    width, height = WINDOWS[window]
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / f"2025-W30-{window}.png"
    shot.unlink(missing_ok=True)
    run_chromium(tmp_path / "profile", f"--window-size={width},{height}", "--force-device-scale-factor=1",
                 f"--screenshot={shot}", page.as_uri())
    got_width, got_height, shades = png_info(shot)
    assert (got_width, got_height) == (width, height)
    assert shades > 20, f"{shot} looks blank ({shades} distinct byte values)"
    # the index page too, once, at the phone's width
    if window == "phone":
        index = SHOTS / "index-phone.png"
        run_chromium(tmp_path / "profile2", f"--window-size={width},{height}", "--force-device-scale-factor=1",
                     f"--screenshot={index}", (page.parent / "index.html").as_uri())
        assert png_info(index)[2] > 20

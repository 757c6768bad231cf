"""Shared fixtures: stores, the sample server, one demo run per session, and the service/browser rule."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aggregator.records import Page
from aggregator.sampleserver import SampleServer, sample_root
from aggregator.store import Store, open_store

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
# .ci/run sets this: a test that needs a service or a browser must then run, never skip.
REQUIRE_SERVICES = os.environ.get("UNION_NEWS_REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str) -> None:
    """Skip with `reason`, or fail when the CI run requires every service-backed test to run."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (UNION_NEWS_REQUIRE_SERVICES=1 makes this a failure; see .ci/run)")
    pytest.skip(reason)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A fresh SQLite store URL in the test's folder."""
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A fresh, migrated SQLite store."""
    opened = open_store(db_url)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def sample_server() -> Iterator[SampleServer]:
    """The bundled sample sites on 127.0.0.1 (shared by the session; do not add routes to it)."""
    with SampleServer(sample_root()) as server:
        yield server


@pytest.fixture
def fresh_server() -> Iterator[SampleServer]:
    """A sample server of this test's own (its hit log and routes start empty)."""
    with SampleServer(sample_root()) as server:
        yield server


@pytest.fixture(scope="session")
def expected() -> dict[str, Any]:
    """Ground truth of the bundled sample (written by data/samples/build.py)."""
    return json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))


def fetch(server: SampleServer, url: str) -> Page:
    """Fetch a real URL from a sample server (Host header = the real host), as a Page."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    local = f"http://{server.address}{parts.path}" + (f"?{parts.query}" if parts.query else "")
    request = urllib.request.Request(local, headers={"Host": parts.hostname or ""})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (127.0.0.1 only)
        headers = {k.lower(): v for k, v in response.headers.items()}
        return Page(url=url, body=response.read(), headers=headers, status=response.status)


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `union-news ARGS` in a subprocess (a crawl needs a process of its own: Twisted's reactor runs once)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "aggregator.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=full_env, cwd=ROOT)


@pytest.fixture(scope="session")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run `union-news demo` once for the session and return its output folder."""
    out = tmp_path_factory.mktemp("demo") / "out"
    result = run_cli("demo", "--out", str(out))
    assert result.returncode == 0, f"demo failed ({result.returncode}):\n{result.stdout}\n{result.stderr[-4000:]}"
    (out / "demo.stdout.txt").write_text(result.stdout, encoding="utf-8")
    return out

"""The crawl benchmark's CPU ceiling: the most pages/s a run's CPU per page allows on a number of cores."""

from __future__ import annotations

import pytest

from benchmarks.crawl import ceiling


def run(pages: int, crawl: float, worker: float, server: float) -> dict[str, float]:
    """A run's figures as the benchmark's children report them (CPU in seconds)."""
    return {"pages": pages, "cpu": crawl, "worker_cpu": worker, "server_cpu": server}


@pytest.mark.parametrize(("result", "cores", "total", "most"), [
    # Two processes of 2 ms each and no server: two cores carry 500 pages/s, each process alone 500 too.
    (run(1000, 2.0, 2.0, 0.0), 2, 4.0, 500.0),
    # The same on one core: the core is the bound.
    (run(1000, 2.0, 2.0, 0.0), 1, 4.0, 250.0),
    # A crawl process of 8 ms per page bounds the rate at 125 pages/s however many cores there are.
    (run(1000, 8.0, 1.0, 0.0), 16, 9.0, 125.0),
    # The server's CPU shares the cores: 4 + 4 + 2 ms on two cores is 200 pages/s.
    (run(500, 2.0, 2.0, 1.0), 2, 10.0, 200.0),
    # No store worker (the bare spider): its single process is the bound.
    (run(2000, 2.0, 0.0, 0.5), 2, 1.25, 1000.0),
])
def test_ceiling(result: dict[str, float], cores: int, total: float, most: float) -> None:
    assert ceiling(result, cores) == pytest.approx((total, most))

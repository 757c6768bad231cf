"""The garbage collector's settings for long runs (aggregator.heap)."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref
from pathlib import Path

from aggregator.heap import YOUNG_THRESHOLD, settled_heap


class Node:
    """An object that can be part of a reference cycle."""

    def __init__(self) -> None:
        self.other: Node | None = None


def test_settled_heap_freezes_raises_the_threshold_and_restores_both() -> None:
    before = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    with settled_heap():
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (max(before[0], YOUNG_THRESHOLD), *before[1:])
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_garbage_made_before_settling_is_collected_not_frozen() -> None:
    gc.disable()  # no automatic collection between making the garbage and settling
    try:
        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle: only the cyclic collector frees it
        ref = weakref.ref(a)
        del a, b
        assert ref() is not None
        with settled_heap():
            assert ref() is None
    finally:
        gc.enable()


def test_cycles_made_while_settled_are_still_collected() -> None:
    with settled_heap():
        survivors = []
        for _ in range(3):
            for _ in range(YOUNG_THRESHOLD):
                a, b = Node(), Node()
                a.other, b.other = b, a
            survivors.append(sum(isinstance(o, Node) for o in gc.get_objects()))
        # At most one young generation's worth waits for a collection at any time.
        assert max(survivors) <= 2 * YOUNG_THRESHOLD


def test_store_worker_child_settles_its_heap(tmp_path: Path) -> None:
    code = (
        "import gc, os\n"
        "from aggregator.store import open_store\n"
        "from aggregator.store import worker\n"
        f"open_store('sqlite:///{tmp_path}/s.db').close()\n"
        f"worker._start('sqlite:///{tmp_path}/s.db', os.getppid(), 30)\n"
        "print(gc.get_freeze_count() > 0, gc.get_threshold()[0])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", str(YOUNG_THRESHOLD)]

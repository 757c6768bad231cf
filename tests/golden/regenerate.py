"""Regenerate the golden digest files from a fresh `union-news demo` run (an explicit step; see docs/digest.md).

    .venv/bin/python tests/golden/regenerate.py          # rewrite the golden files
    .venv/bin/python tests/golden/regenerate.py --check  # only say whether they are current (exit 1 if not)

Review `git diff tests/golden/` before committing: every change in it is a change subscribers will see.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
# golden file -> the demo output it pins
GOLDEN = {"2025-W30.md": "2025-W30.md"}


def main() -> int:
    """Run the demo into a temporary folder and copy (or compare) the pinned outputs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 when a golden file is stale")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "demo"
        run = subprocess.run([sys.executable, "-m", "aggregator.cli", "demo", "--out", str(out)], cwd=ROOT,
                             capture_output=True, text=True)
        if run.returncode not in (0, 1) or not (out / "2025-W30.md").exists():
            print(run.stdout, run.stderr, sep="\n", file=sys.stderr)
            print("regenerate: the demo failed; nothing was changed", file=sys.stderr)
            return 2
        stale = []
        for golden, produced in GOLDEN.items():
            new, old = (out / produced).read_bytes(), (HERE / golden).read_bytes() if (HERE / golden).exists() else b""
            if new != old:
                stale.append(golden)
                if not args.check:
                    shutil.copyfile(out / produced, HERE / golden)
    for name in stale:
        print(f"{'stale' if args.check else 'rewrote'}: tests/golden/{name}")
    if not stale:
        print("golden files are current")
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())

"""How fast the command line answers: `cash`, `verify` on an empty ledger and `receipt list`,
each a fresh process as a county script runs it, beside bare `python -c "import sqlite3"`."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RUNS = 7
GOAL_S = 0.3


def _median_s(cmd: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, check=False)
        times.append(time.perf_counter() - t0)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed: {done.stderr.decode()}")
    return statistics.median(times)


def main() -> dict[str, Any]:
    from app.services.desk import Desk

    with tempfile.TemporaryDirectory() as d:
        home = Path(d) / "home"
        with Desk(home) as desk:
            desk.setup.init(village_code="341824100201", village_name="示范村",
                            township_code="341824100", device_no=1)
        daishou = [sys.executable, "-m", "app.cli", "--home", str(home)]
        bare = _median_s([sys.executable, "-c", "import sqlite3"])
        out: dict[str, Any] = {"runs": RUNS, "bare_python_s": round(bare, 3), "goal_s": GOAL_S}
        for name, args in (("cash", ["cash", "--json"]), ("verify_empty", ["verify"]),
                           ("receipt_list", ["receipt", "list"])):
            took = _median_s(daishou + args)
            out[f"{name}_s"] = round(took, 3)
            out[f"{name}_ratio"] = round(took / bare, 1)
    return out

"""The public receipt page while 20 unauthenticated sign-ins arrive at once (issue 22: before,
158 ms became 11.6 s): its latency with no load (the bare baseline) and under the flood, measured
in the same run against the real `daishou-server serve` process, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.server.conftest import database_url, free_port
from tests.server.limits_helpers import Flood, receipt_page_times
from tests.server.test_real_server import server_cmd, start_server

CLIENTS = 20


def figures(kind: str, folder: Path) -> dict[str, Any]:
    for db in database_url(kind, folder):
        assert server_cmd(db, "init")[0] == 0
        assert server_cmd(db, "user", "add", "--name", "县社保", "--role", "county", stdin="county-pass-1\n")[0] == 0
        port = free_port()
        proc = start_server(db, port)
        try:
            base = f"http://127.0.0.1:{port}"
            receipt_page_times(base, 5)  # warm up
            bare = receipt_page_times(base, 30)
            flood = Flood(base, CLIENTS, 25)
            time.sleep(1)
            started = time.perf_counter()
            loaded = receipt_page_times(base, seconds=6)
            during_s = time.perf_counter() - started
            during = len(flood.answered)
            flood.end()
        finally:
            proc.terminate()
            proc.communicate(timeout=10)
        bare_ms, loaded_ms = statistics.median(bare) * 1000, statistics.median(loaded) * 1000
        worst_ms = max(loaded) * 1000
        return {"bare_median_ms": round(bare_ms, 1), "under_20_logins_median_ms": round(loaded_ms, 1),
                "under_20_logins_worst_ms": round(worst_ms, 1), "ratio": round(loaded_ms / bare_ms, 1),
                "sign_ins_answered_meanwhile": during, "window_s": round(during_s, 2),
                "before_fix": "158 ms -> 11.6 s"}
    raise AssertionError("unreachable")


def main() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        os.environ["XDG_DATA_HOME"] = str(Path(folder) / "xdg")  # the PostgreSQL key file
        return {"receipt_page_under_login_flood": {kind: figures(kind, Path(folder))
                                                   for kind in ("sqlite", "postgresql")}}

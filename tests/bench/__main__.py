"""Benchmarks: `installer/dev.sh bench [AREA ...]` prints one JSON document per area.

Each area is a module `tests/bench/bench_<area>.py` with a `main() -> dict` function; figures are
printed with a ratio against a bare baseline measured in the same run, never asserted (the
machine is shared and noisy).
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from pathlib import Path


def areas() -> list[str]:
    here = Path(__file__).parent
    return sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules([str(here)])
        if m.name.startswith("bench_")
    )


def main(argv: list[str]) -> int:
    chosen = argv or areas()
    unknown = [a for a in chosen if a not in areas()]
    if unknown:
        print(f"unknown benchmark area: {', '.join(unknown)} (known: {', '.join(areas())})", file=sys.stderr)
        return 2
    for area in chosen:
        module = importlib.import_module(f"tests.bench.bench_{area}")
        result = module.main()
        print(json.dumps({"area": area, **result}, ensure_ascii=False, indent=2), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

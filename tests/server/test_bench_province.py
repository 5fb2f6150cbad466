"""The province benchmark kept from rotting (tests/bench/bench_province.py): the same code on 40
villages of 20 people, two server workers. Its timings are not asserted; what the overview and
the township account count over HTTP must be what the benchmark built."""

from __future__ import annotations

from tests.bench import bench_province


def test_the_province_benchmark_counts_what_it_built() -> None:
    out = bench_province.run(villages=40, people=20, workers=2, restart=False)
    assert out["counted"] == {"due": 40 * 20 * 2, "cash": (40 * 8 - 4) * 2, "other_channels": 40 * 3}  # 4 voided
    assert out["counted_as_built"] and out["township_villages"] == 20
    assert out["money_as_built"] and out["money"]["flags"] > 0, out["money"]  # read from the kept figures
    assert out["overview_first_s"] > 0 and out["bare_sql_aggregate_s"] > 0 and out["overview_first_ratio"] > 0

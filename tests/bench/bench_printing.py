"""Printing figures: receipt render time and size per width and mode; a 5,000-row 公示 PDF
against a bare reportlab Table of the same rows in the same run (goal: ratio <= 2)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import date
from io import BytesIO

os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", "/tmp/escpos-cache")
os.makedirs(os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"], exist_ok=True)

from app.domain.ids import check_character  # noqa: E402
from app.domain.insurance import Insurance  # noqa: E402
from printing.escpos_receipt import ReceiptOptions, render_receipt  # noqa: E402
from printing.pdf.lists import POSTING_HEADER, PostingRow, posting_pdf  # noqa: E402
from tests.printing import samples  # noqa: E402

ROWS = 5000
SURNAMES = "张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "建国秀英伟芳军敏静丽强磊洋艳勇娟涛明超霞平刚"


def _best(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def receipts() -> dict[str, dict[str, float | int]]:
    out: dict[str, dict[str, float | int]] = {}
    cases = {"text": (samples.ORDINARY, False), "text_rare_names": (samples.RARE_NAMES, False),
             "raster_all": (samples.ORDINARY, True)}
    for width, dots in ((58, 384), (80, 576)):
        for mode, (receipt, raster) in cases.items():
            opts = ReceiptOptions(width_dots=dots, raster_all=raster)
            data = render_receipt(receipt, opts)  # warm fonts and caches
            seconds = _best(lambda r=receipt, o=opts: render_receipt(r, o), 5)
            out[f"{width}mm_{mode}"] = {"ms": round(seconds * 1000, 2), "bytes": len(data)}
    return out


def posting_rows(n: int) -> list[PostingRow]:
    rows = []
    for i in range(n):
        first17 = f"341824{1950 + i % 60}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
        name = SURNAMES[i % 20] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 3) % len(GIVEN)]
        rows.append(PostingRow(f"第{i % 8 + 1}村民小组", name, first17 + check_character(first17),
                               f"138{i:08d}", Insurance.PENSION if i % 2 else Insurance.MEDICAL,
                               2025, 50000 if i % 2 else 40000, date(2025, 9, 1 + i % 28)))
    return rows


def bare_table(rows: list[PostingRow]) -> bytes:
    """The floor: one reportlab Table of the same strings, same font, no grouping or masking."""
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    from printing.pdf.base import PORTRAIT, main_font_name

    data = [list(POSTING_HEADER)] + [
        [str(i), r.name, r.id_number, r.phone, r.insurance.short_label, str(r.year),
         f"{r.amount_fen / 100:.2f}", r.paid_on.isoformat(), r.channel]
        for i, r in enumerate(rows, start=1)]
    out = BytesIO()
    doc = SimpleDocTemplate(out, pagesize=PORTRAIT, leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=15 * mm)
    table = Table(data, repeatRows=1)
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), main_font_name(), 8.5),
                               ("GRID", (0, 0), (-1, -1), 0.5, (0.3, 0.3, 0.3))]))
    doc.build([table])
    return out.getvalue()


def main() -> dict[str, object]:
    rows = posting_rows(ROWS)
    bare_table(rows[:50])  # fonts registered and parsed before timing either side
    t = time.perf_counter()
    baseline = bare_table(rows)
    baseline_s = time.perf_counter() - t
    t = time.perf_counter()
    ours = posting_pdf(rows, village="桃花镇桃花村", year=2025, start=date(2025, 9, 1),
                       end=date(2025, 9, 30))
    ours_s = time.perf_counter() - t
    return {
        "receipts": receipts(),
        "posting_5000_rows": {
            "seconds": round(ours_s, 2), "bytes": len(ours),
            "bare_table_seconds": round(baseline_s, 2), "bare_table_bytes": len(baseline),
            "ratio": round(ours_s / baseline_s, 2), "goal_ratio": 2.0,
        },
    }

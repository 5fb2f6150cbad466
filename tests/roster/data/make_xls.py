"""Writes roster-2027.xls (BIFF8, as old county systems export) from the factory's family.

Run once with xlwt available (it is not a dependency):
    pip install --target /tmp/xlwt xlwt && PYTHONPATH=/tmp/xlwt:. python tests/roster/data/make_xls.py
"""

from __future__ import annotations

from pathlib import Path

import xlwt  # type: ignore[import-not-found]

from tests.roster.factory import HEADER, TITLE, family

book = xlwt.Workbook(encoding="utf-8")
sheet = book.add_sheet("征收清册")
sheet.write_merge(0, 0, 0, len(HEADER) - 1, TITLE)
for c, name in enumerate(HEADER):
    sheet.write(1, c, name)
for r, cells in enumerate(family(), start=2):
    for c, value in enumerate(cells):
        if c in (4, 5, 6) and value:
            value = float(value)  # year, tier and amount as numbers, as Excel keeps them
        elif c == 0:
            value = r - 1
        sheet.write(r, c, value)
sheet.write(len(family()) + 2, 0, "合计")
book.save(str(Path(__file__).with_name("roster-2027.xls")))

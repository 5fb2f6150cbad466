"""Malformed cells and files: never a crash, never a partial import."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.services.errors import InvalidInput
from app.services.roster.importer import RosterFileError, read_roster
from tests.factories import signed_agent
from tests.roster.conftest import NOW, copy_desk
from tests.roster.factory import HEADER, family, person_id, write_csv, write_xlsx

# Cells as spreadsheets hold them: text of every kind, numbers, huge floats, nothing.
cells = st.one_of(
    st.none(), st.text(max_size=24), st.integers(min_value=-10**20, max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", "合计", "已缴", "养老", "医保", "2027", "500", "3.41824E+17", "低保",
                     person_id(1), "34182419800101001X", "张三", "·", "𠇔", "\u200b", "#N/A"]),
)
good_rows = st.sampled_from(family())
rows = st.lists(st.one_of(good_rows, st.lists(cells, max_size=len(HEADER) + 2)), max_size=12)
quick = settings(max_examples=40, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture])


def _db_keys(db: Path) -> set[tuple[str, str, int]]:
    conn = sqlite3.connect(db)
    try:
        return {(a, b, c) for a, b, c in conn.execute(
            "SELECT id_number, insurance, year FROM due")}
    finally:
        conn.close()


@quick
@given(data=rows, as_xlsx=st.booleans())
def test_malformed_rows_import_exactly_the_accepted_ones(template_home: Path, data: list[list[object]],
                                                         as_xlsx: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        desk = copy_desk(template_home, folder / "home")
        try:
            if as_xlsx:
                # openpyxl refuses control characters in cells; Excel never writes them either.
                clean = [[c.translate({i: None for i in range(32)}) if isinstance(c, str) else c
                          for c in r] for r in data]
                path = write_xlsx(folder / "r.xlsx", clean)
            else:
                path = write_csv(folder / "r.csv", [[("" if c is None else c) for c in r]
                                                    for r in data], encoding="gb18030")
            try:
                expected = read_roster(path, desk.setup.config, NOW.date())
            except RosterFileError:
                expected = None
            try:
                result = desk.roster.import_file(path, by=signed_agent(desk))
            except InvalidInput:
                assert _db_keys(desk.db.path) == set()  # refused whole: nothing written
                return
            assert expected is not None
            keys = {(r.id_number, r.insurance, r.year) for r in expected.accepted}
            assert _db_keys(desk.db.path) == keys
            assert result.imported == len({k[0] for k in keys})
            assert {r.row for r in result.rejected}.isdisjoint({r.row for r in expected.accepted})
        finally:
            desk.close()


@quick
@given(blob=st.binary(max_size=600), prefix=st.sampled_from(
    [b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf", b"\xff\xfe"]))
def test_any_bytes_are_refused_or_read_never_a_crash(template_home: Path, blob: bytes,
                                                     prefix: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        desk = copy_desk(template_home, folder / "home")
        try:
            path = folder / "roster.xlsx"
            path.write_bytes(prefix + blob)
            try:
                desk.roster.import_file(path, by=signed_agent(desk))
            except InvalidInput as exc:
                assert exc.message  # a sentence for the agent, not a traceback
            assert _db_keys(desk.db.path) == set()
        finally:
            desk.close()

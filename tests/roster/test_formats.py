"""The spreadsheet formats a village is handed or saves in: .xlsx, .xls, .ods (LibreOffice) read
alike; the ones not read (WPS .et that is not a workbook, Apple Numbers, a zip of something else)
are answered with a message that names the formats that are read, and nothing is written."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from app.services.desk import Desk
from app.services.errors import InvalidInput
from app.services.roster.files import READABLE
from tests.factories import signed_agent
from tests.roster.conftest import copy_desk
from tests.roster.test_import import DATA, _check_family


def _dues(desk: Desk) -> list[tuple[object, ...]]:
    with desk.db.read() as conn:
        return list(conn.execute(
            "SELECT d.id_number, p.name, p.category, d.insurance, d.year, d.tier_fen, d.amount_fen, "
            "d.paid_elsewhere FROM due d JOIN person p USING (id_number) ORDER BY 1, 4"))


def test_an_ods_saved_by_libreoffice_imports_like_the_xls_it_was_saved_from(
        desk: Desk, template_home: Path, tmp_path: Path) -> None:
    # roster-2027.ods is roster-2027.xls converted by LibreOffice 7 (soffice --convert-to ods).
    result = desk.roster.import_file(DATA / "roster-2027.ods", by=signed_agent(desk))
    assert result.rejected == () and result.imported == 5
    _check_family(desk)
    from_ods = _dues(desk)
    other = copy_desk(template_home, tmp_path / "other")
    other.roster.import_file(DATA / "roster-2027.xls", by=signed_agent(other))
    assert _dues(other) == from_ods and len(from_ods) == 7
    other.close()


def _zip(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def _file(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("name", "make", "said"), [
    ("清册.numbers", lambda p: _zip(p, {"Index/Document.iwa": b"\x00" * 64, "Metadata/Properties.plist": b""}),
     "苹果 Numbers"),
    ("清册.et", lambda p: _file(p, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000), "WPS 表格"),
    ("清册.docx", lambda p: _zip(p, {"word/document.xml": b"<w:document/>"}), "不是电子表格"),
])
def test_a_format_that_is_not_read_names_the_ones_that_are(desk: Desk, tmp_path: Path, name: str,
                                                          make: object, said: str) -> None:
    before = _dues(desk)
    path = make(tmp_path / name)  # type: ignore[operator]
    with pytest.raises(InvalidInput) as raised:
        desk.roster.import_file(path, by=signed_agent(desk))
    message = str(raised.value)
    assert said in message and READABLE in message and "另存为 .xlsx" in message
    assert _dues(desk) == before

"""Roster files made to hurt: a small .xlsx that unpacks to hundreds of megabytes, XML entity
expansion, endless rows, megabyte cells. Each is refused (or its row rejected) in seconds, with
bounded memory, by a message that quotes at most a short prefix, and the roster stays as it was."""

from __future__ import annotations

import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from app.services.desk import Desk
from app.services.errors import InvalidInput
from app.services.roster import files
from tests.factories import signed_agent
from tests.roster.factory import family, person_id, row, write_csv, write_xlsx


def listed(desk: Desk) -> int:
    with desk.db.read() as conn:
        return int(conn.execute("SELECT COUNT(*) FROM due").fetchone()[0] or 0)


def zip_bomb(path: Path, unpacked_mb: int) -> Path:
    """A real .xlsx whose sheet is `unpacked_mb` MB of one repeated row: a few hundred KB packed."""
    good = write_xlsx(path.with_suffix(".good.xlsx"), family())
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for item in src.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(item, src.read(item.filename))
                continue
            with dst.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
                out.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                          b'spreadsheetml/2006/main"><sheetData>')
                chunk = b'<row><c t="inlineStr"><is><t>' + b"A" * 1000 + b"</t></is></c></row>"
                for _ in range(unpacked_mb * 1024):
                    out.write(chunk)
                out.write(b"</sheetData></worksheet>")
    return path


def test_a_zip_bomb_is_refused_from_its_directory_in_seconds(desk: Desk, tmp_path: Path) -> None:
    bomb = zip_bomb(tmp_path / "清册.xlsx", 400)
    assert bomb.stat().st_size < 2 * 1024 * 1024  # small on disk
    before = listed(desk)
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(InvalidInput, match="解压后有 4\\d\\d MB.*不像征收清册"):
        desk.roster.import_file(bomb, by=signed_agent(desk))
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert seconds < 10 and peak < 50 * 1024 * 1024  # it never unpacked the sheet
    assert listed(desk) == before


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'.encode()
                     for i in range(1, 10))
          + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')


def test_xml_entity_expansion_is_refused(desk: Desk, tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", family())
    evil = tmp_path / "laughs.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(evil, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = LAUGHS if item.filename == "xl/worksheets/sheet1.xml" else src.read(item.filename)
            dst.writestr(item, data)
    before = listed(desk)
    start = time.perf_counter()
    with pytest.raises(InvalidInput, match="XML 实体"):
        desk.roster.import_file(evil, by=signed_agent(desk))
    assert time.perf_counter() - start < 10
    assert listed(desk) == before


def test_a_sheet_past_the_row_bound_is_refused(desk: Desk, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "MAX_ROWS", 40)  # the real bound is 500,000: same code path
    rows = [row(person_id(n), "张三") for n in range(1, 60)]
    before = listed(desk)
    with pytest.raises(InvalidInput, match="工作表超过 40 行"):
        desk.roster.import_file(write_csv(tmp_path / "long.csv", rows), by=signed_agent(desk))
    assert listed(desk) == before


def test_a_file_past_the_size_bound_is_refused_before_reading(desk: Desk, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 1024)
    big = write_csv(tmp_path / "big.csv", family() * 20)
    with pytest.raises(InvalidInput, match="超过清册文件的上限"):
        desk.roster.import_file(big, by=signed_agent(desk))


def test_a_megabyte_cell_rejects_its_row_with_a_short_quote(desk: Desk, tmp_path: Path) -> None:
    huge_name = "张" + "三" * 100_000
    rows = [*family(), row(person_id(99), huge_name)]
    result = desk.roster.import_file(write_xlsx(tmp_path / "cell.xlsx", rows), by=signed_agent(desk),
                                     allow_removals=True)
    (bad,) = [r for r in result.rejected if r.column == "姓名"]
    assert len(bad.reason) < 120 and "张三三三" in bad.reason and "…" in bad.reason
    assert result.imported + result.updated + result.unchanged >= len({r[1] for r in family()}) - 1


def test_a_csv_cell_past_the_csv_limit_is_named_in_chinese(desk: Desk, tmp_path: Path) -> None:
    rows = [*family(), row(person_id(99), "三" * 200_000)]
    with pytest.raises(InvalidInput, match="第10行有一个格子超过"):
        desk.roster.import_file(write_csv(tmp_path / "cell.csv", rows), by=signed_agent(desk))

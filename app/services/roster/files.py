"""Reading the files counties hand out: .xlsx, old .xls, .csv in UTF-8 or GB18030/GBK.

The format is told by the file's first bytes, not its name: counties rename files, and many
government systems export an HTML table named .xls. Cells keep their type (an ID number stored
as a number must be recognised as such); `cell_text` turns them into text where text is wanted.
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path

Cell = str | int | float | bool | date | datetime | time | None
Row = tuple[int, Sequence[Cell]]  # (row number as the user sees it in Excel, cells)

# Bounds a county file never comes near (a township of 100,000 rows is about 40 MB of sheet XML
# and 15 MB of CSV): a hostile or broken file is refused before it costs minutes or gigabytes.
MAX_FILE_BYTES = 200 * 1024 * 1024  # on disk (.csv, .xls) or unpacked (.xlsx, all parts)
MAX_ZIP_RATIO = 200  # unpacked : packed, per part; real sheets pack 5–20 times
MAX_ROWS = 500_000  # per sheet
MAX_CELL_CHARS = 2_000  # a cell longer than this is not a name, an ID or an amount

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_INVISIBLE = str.maketrans("", "", "\u200b\u200c\u200d\u2060\ufeff")


class FileFormatError(ValueError):
    """The file cannot be read as a roster at all; the message says what to do."""


def cell_text(value: Cell) -> str:
    """A cell as the user reads it: 2027.0 -> '2027', 3.41824195711016e+17 kept as such."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.translate(_INVISIBLE).strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    return value.isoformat()


@contextmanager
def open_sheets(path: Path) -> Iterator[Iterator[tuple[str, Iterator[Row]]]]:
    """Yield an iterator of (sheet name, rows) for the file; everything is closed on exit."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
        size = path.stat().st_size
    except OSError as exc:
        raise FileFormatError(f"无法打开文件 {path}：{exc.strerror or exc}") from None
    if size > MAX_FILE_BYTES:
        raise FileFormatError(f"文件有 {size // 1024 // 1024} MB，超过清册文件的上限 "
                              f"{MAX_FILE_BYTES // 1024 // 1024} MB；请确认选对了文件")
    if head.startswith(_ZIP):
        _check_zip(path)
        with _xlsx(path) as sheets:
            yield sheets
    elif head.startswith(_OLE):
        yield _xls(path)
    else:
        lowered = head.lstrip().lower()
        if lowered.startswith((b"<html", b"<!doctype", b"<table", b"<?xml", b"<meta")):
            raise FileFormatError(
                "这个文件是网页格式的表格（系统导出的“假 .xls”），请用 Excel 或 WPS 打开后"
                "另存为 .xlsx 再导入"
            )
        yield iter([(path.name, _csv(path))])


def _check_zip(path: Path) -> None:
    """Refuse a zip bomb from its directory alone, before anything is unpacked: the sizes there
    are what zipfile will read at most (it stops at the stated size and checks the CRC)."""
    try:
        with zipfile.ZipFile(path) as zf:
            parts = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileFormatError(f"无法读取 Excel 文件（{exc}）；请用 Excel 打开后另存为 .xlsx") from None
    total = sum(p.file_size for p in parts)
    swollen = next((p for p in parts if p.file_size > 1024 * 1024
                    and p.file_size > MAX_ZIP_RATIO * max(p.compress_size, 1)), None)
    if total > MAX_FILE_BYTES or swollen is not None:
        raise FileFormatError(f"这个 Excel 文件解压后有 {total // 1024 // 1024} MB"
                              + ("，压缩比异常" if swollen is not None else "")
                              + "，不像征收清册（可能已损坏或被做了手脚）；请向县里重新索取文件")


_ENTITIES = "Excel 文件中含有不允许的 XML 实体定义（可能被做了手脚），已拒绝；请向县里重新索取文件"


def _defused(exc: BaseException | None) -> bool:
    """openpyxl wraps what defusedxml raised; look down the chain."""
    from defusedxml import DefusedXmlException

    while exc is not None:
        if isinstance(exc, DefusedXmlException):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _bounded(rows: Iterator[Row]) -> Iterator[Row]:
    """Rows up to MAX_ROWS, each cell cut to MAX_CELL_CHARS (the row is rejected by its checks
    with a quoted prefix); XML that expands entities or breaks off is a FileFormatError."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException

    try:
        for number, cells in rows:
            if number > MAX_ROWS:
                raise FileFormatError(f"工作表超过 {MAX_ROWS:,} 行，不像一个村或乡镇的征收清册；请确认选对了文件")
            if any(isinstance(c, str) and len(c) > MAX_CELL_CHARS for c in cells):
                cells = [c[:MAX_CELL_CHARS] + "…" if isinstance(c, str) and len(c) > MAX_CELL_CHARS else c
                         for c in cells]
            yield number, cells
    except DefusedXmlException:
        raise FileFormatError(_ENTITIES) from None
    except (ParseError, zipfile.BadZipFile, EOFError) as exc:
        raise FileFormatError(f"Excel 文件内容不完整或已损坏（{exc}）；请用 Excel 打开后另存为 .xlsx") from None


@contextmanager
def _xlsx(path: Path) -> Iterator[Iterator[tuple[str, Iterator[Row]]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        if _defused(exc):
            raise FileFormatError(_ENTITIES) from None
        raise FileFormatError(f"无法读取 Excel 文件（{exc}）；请用 Excel 打开后另存为 .xlsx") from None
    try:
        def sheets() -> Iterator[tuple[str, Iterator[Row]]]:
            for sheet in book.worksheets:
                rows = sheet.iter_rows(values_only=True)
                yield sheet.title, _bounded((n, r) for n, r in enumerate(rows, start=1))

        yield sheets()
    finally:
        book.close()


def _xls(path: Path) -> Iterator[tuple[str, Iterator[Row]]]:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), formatting_info=False)
    except Exception as exc:  # xlrd raises bare XLRDError, AssertionError, struct.error ...
        raise FileFormatError(f"无法读取 .xls 文件（{exc}）；请用 Excel 打开后另存为 .xlsx") from None
    try:
        for sheet in book.sheets():
            yield sheet.name, _bounded(_xls_rows(book, sheet))
    finally:
        book.release_resources()


def _xls_rows(book: object, sheet: object) -> Iterator[Row]:
    import xlrd

    for n in range(sheet.nrows):  # type: ignore[attr-defined]
        cells: list[Cell] = []
        for cell in sheet.row(n):  # type: ignore[attr-defined]
            if cell.ctype == xlrd.XL_CELL_EMPTY or cell.ctype == xlrd.XL_CELL_BLANK:
                cells.append(None)
            elif cell.ctype == xlrd.XL_CELL_DATE:
                try:
                    cells.append(xlrd.xldate_as_datetime(cell.value, book.datemode))  # type: ignore[attr-defined]
                except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                    cells.append(cell.value)
            elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                cells.append(bool(cell.value))
            elif cell.ctype == xlrd.XL_CELL_ERROR:
                cells.append("#错误")
            else:
                cells.append(cell.value)
        yield n + 1, cells


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Excel's 'Unicode text'), else GB18030."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
    except UnicodeDecodeError:
        raise FileFormatError("文件以 UTF-16 标记开头但内容不完整；请用 Excel 另存为 .xlsx 再导入") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is a superset of GBK and GB2312: one decoder reads all three.
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise FileFormatError(
            "文件编码无法识别（不是 UTF-8 也不是 GBK/GB18030）；请用 Excel 另存为 .xlsx 再导入"
        ) from None


def _csv(path: Path) -> Iterator[Row]:
    text = decode_text(path.read_bytes())
    if "\x00" in text:
        raise FileFormatError("文件中含有二进制内容，不是 CSV 文本；请选择 .xlsx、.xls 或 .csv 文件")
    first_lines = text[:4096]
    delimiter = "\t" if first_lines.count("\t") > first_lines.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from _bounded(enumerate(reader, start=1))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise FileFormatError(f"CSV 文件第{reader.line_num}行有一个格子超过 {csv.field_size_limit():,} 个字符，"
                                  "不像征收清册；请确认选对了文件") from None
        raise FileFormatError(f"CSV 文件格式有误（第{reader.line_num}行）：{exc}") from None

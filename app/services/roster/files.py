"""Reading the files counties hand out: .xlsx, old .xls, .csv in UTF-8 or GB18030/GBK.

The format is told by the file's first bytes, not its name: counties rename files, and many
government systems export an HTML table named .xls. Cells keep their type (an ID number stored
as a number must be recognised as such); `cell_text` turns them into text where text is wanted.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from app.domain.quoting import quote

Cell = str | int | float | bool | date | datetime | time | None
Row = tuple[int, Sequence[Cell]]  # (row number as the user sees it in Excel, cells)

# Bounds a county file never comes near (a township of 100,000 rows is about 40 MB of sheet XML
# and 15 MB of CSV): a hostile or broken file is refused before it costs minutes or gigabytes.
MAX_FILE_BYTES = 200 * 1024 * 1024  # on disk (.csv, .xls) or unpacked (.xlsx, all parts)
MAX_ZIP_RATIO = 200  # unpacked : packed, per part; real sheets pack 5–20 times
MAX_ROWS = 500_000  # per sheet
MAX_CELL_CHARS = 2_000  # a cell longer than this is not a name, an ID or an amount: cut (rows.py)

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Zero-width characters and BOMs pasted into cells: invisible, and they break ID and name checks.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


def visible(text: str) -> str:
    """The text without zero-width characters (a search first: they are rare, and str.translate
    costs a dictionary lookup per character)."""
    return _INVISIBLE.sub("", text) if _INVISIBLE.search(text) else text


class FileFormatError(ValueError):
    """The file cannot be read as a roster at all; the message says what to do."""


def cell_text(value: Cell) -> str:
    """A cell as the user reads it: 2027.0 -> '2027', 3.41824195711016e+17 kept as such."""
    if value is None:
        return ""
    if isinstance(value, str):
        return visible(value).strip()
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
        yield _spreadsheet(path, _zip_kind(path))
    elif head.startswith(_OLE):
        yield _spreadsheet(path, "xls")
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
READABLE = ".xlsx、.xls、.ods 或 .csv"
# Formats people save in that are not read, by the name they are known by in the message.
_OTHER_FORMATS = {".et": " WPS 表格（.et）", ".ett": " WPS 表格模板（.ett）", ".numbers": "苹果 Numbers 表格",
                  ".xlsb": " Excel 二进制工作簿（.xlsb）"}
_SAVE_AS = f"请用 Excel、WPS 或 LibreOffice 打开后另存为 .xlsx（本程序读取 {READABLE} 文件）"


def _zip_kind(path: Path) -> str:
    """'xlsx' or 'ods', told by the parts inside; anything else (Numbers, .docx, a plain zip) is
    named with the formats that are read. No spreadsheet part may declare a DOCTYPE: Excel,
    WPS and LibreOffice never write one, and entity definitions are how XML bombs expand."""
    try:
        return _zip_parts(path)
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError) as exc:
        raise FileFormatError(f"无法读取 Excel 文件（{_short(exc)}）；{_SAVE_AS}") from None


def _zip_parts(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        if "xl/workbook.xml" in names:
            kind = "xlsx"
        elif "mimetype" in names and zf.read("mimetype").strip() == b"application/vnd.oasis.opendocument.spreadsheet":
            kind = "ods"
        elif any(n.startswith("Index/") and n.endswith(".iwa") for n in names):
            raise FileFormatError(f"无法读取苹果 Numbers 表格；{_SAVE_AS}")
        else:
            raise FileFormatError(f"这个压缩文件不是电子表格；{_SAVE_AS}")
        for info in zf.infolist():
            if info.filename.endswith((".xml", ".rels")):
                with zf.open(info) as part:
                    prolog = part.read(4096)
                if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
                    raise FileFormatError(_ENTITIES)
    return kind


def _bounded(rows: Iterator[Row]) -> Iterator[Row]:
    """The rows, refusing a sheet of more than MAX_ROWS (no village or township roster is that long)."""
    for number, cells in rows:
        if number > MAX_ROWS:
            raise FileFormatError(f"工作表超过 {MAX_ROWS:,} 行，不像一个村或乡镇的征收清册；请确认选对了文件")
        yield number, cells


def _spreadsheet(path: Path, kind: str) -> Iterator[tuple[str, Iterator[Row]]]:
    """.xlsx, .xls and .ods through calamine (Rust): a township's 100,000 rows in under a second,
    where openpyxl took twelve. Cells keep their type: numbers are floats, so an ID number that
    Excel stored as a number is still told apart from one stored as text."""
    from python_calamine import CalamineWorkbook

    label = _OTHER_FORMATS.get(path.suffix.lower()) or {"xlsx": "Excel", "xls": ".xls", "ods": ".ods"}[kind]
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises CalamineError, ZipError, XmlError, PasswordError ...
        raise FileFormatError(f"无法读取{label}文件（{_short(exc)}）；{_SAVE_AS}") from None
    try:
        for name in book.sheet_names:
            try:
                sheet = book.get_sheet_by_name(name)
            except Exception as exc:
                raise FileFormatError(f"无法读取{label}文件的工作表「{name}」（{_short(exc)}）；{_SAVE_AS}") from None
            if sheet.total_height > MAX_ROWS:
                raise FileFormatError(f"工作表超过 {MAX_ROWS:,} 行，不像一个村或乡镇的征收清册；请确认选对了文件")
            yield name, _sheet_rows(sheet)
    finally:
        book.close()


def _sheet_rows(sheet: Any) -> Iterator[Row]:
    # calamine starts at the first non-empty cell: number rows and place cells as Excel shows them.
    first_row, first_col = sheet.start or (0, 0)
    pad: list[Cell] = [None] * first_col
    for n, cells in enumerate(sheet.iter_rows(), start=first_row + 1):
        yield n, (pad + cells) if pad else cells


def _short(exc: BaseException) -> str:
    return quote(str(exc) or type(exc).__name__)


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
        raise FileFormatError(f"文件中含有二进制内容，不是 CSV 文本；请选择 {READABLE} 文件")
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

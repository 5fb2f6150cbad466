"""Reading a whole roster file into accepted rows and rejected rows, before anything is written.

Row numbers are the ones the agent sees in Excel (title rows counted), so a rejected row can be
found and fixed in the county's own file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import chain
from pathlib import Path
from time import perf_counter

from app.domain.config import CountyConfig
from app.domain.insurance import Insurance
from app.services.roster.columns import Column, Header, HeaderError, find_header
from app.services.roster.files import (
    MAX_CELL_CHARS,
    Cell,
    FileFormatError,
    Row,
    cell_text,
    open_sheets,
)
from app.services.roster.rows import ParsedRow, RowChecker
from app.services.roster.stages import Stages
from app.storage.batches import let_others_run


@dataclass(frozen=True)
class RejectedRow:
    row: int
    column: str
    reason: str
    cells: tuple[str, ...] = ()  # the row as written, for the rejected-rows file


@dataclass
class ReadResult:
    header: Header
    accepted: list[ParsedRow] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    rejected_ids: set[str] = field(default_factory=set)  # valid IDs on rejected rows
    unknown_rejected: int = 0  # rejected rows whose ID could not be read at all

    @property
    def is_correction(self) -> bool:
        """The rejected-rows file Daishou wrote, fixed by the agent: it lists only those rows."""
        return Column.REJECT_REASON in self.header.columns


class RosterFileError(ValueError):
    """The file as a whole cannot be imported; nothing was written."""


ProgressCallback = Callable[[int, int], None]
_REPORT_EVERY = 500


def read_roster(path: Path, config: CountyConfig, today: date,
                progress: ProgressCallback | None = None, stages: Stages | None = None) -> ReadResult:
    """Every row checked; `stages` gets the seconds spent reading the file and validating rows."""
    stages = stages if stages is not None else Stages()
    start = perf_counter()
    try:
        return _read(path, config, today, progress, stages)
    finally:
        stages.add("validate", perf_counter() - start - stages.seconds.get("read", 0.0))


def _read(path: Path, config: CountyConfig, today: date, progress: ProgressCallback | None,
          stages: Stages) -> ReadResult:
    try:
        with open_sheets(Path(path)) as sheets:
            first_error: HeaderError | None = None
            for _name, sheet_rows in stages.timed("read", sheets):
                rows = stages.timed("read", sheet_rows)
                top = [(n, list(cells)) for n, cells in _take(rows, 30)]
                try:
                    header = find_header([[cell_text(c) for c in cells] for _, cells in top])
                except HeaderError as exc:
                    first_error = first_error or exc
                    continue
                body = chain(top[header.row_index + 1:], rows)
                return _check_all(header, body, RowChecker(header, config, today), progress)
            raise RosterFileError(str(first_error or "文件中没有工作表"))
    except (FileFormatError, HeaderError) as exc:
        raise RosterFileError(str(exc)) from None


def check_rows(header: Sequence[str], rows: Iterable[Sequence[Cell]], config: CountyConfig,
               today: date, stages: Stages | None = None) -> ReadResult:
    """Rows already in memory (a roster the county sent), checked exactly as a file's rows are;
    they are numbered as in a file whose first row is the header."""
    stages = stages if stages is not None else Stages()
    start = perf_counter()
    try:
        head = find_header([list(header)])
        return _check_all(head, enumerate(rows, start=2), RowChecker(head, config, today))
    except HeaderError as exc:
        raise RosterFileError(str(exc)) from None
    finally:
        stages.add("validate", perf_counter() - start)


def _take(rows: Iterator[Row], n: int) -> list[Row]:
    out = []
    for row in rows:
        out.append(row)
        if len(out) == n:
            break
    return out


def _check_all(header: Header, body: Iterator[Row] | chain[tuple[int, Sequence[Cell]]],
               checker: RowChecker, progress: ProgressCallback | None = None) -> ReadResult:
    result = ReadResult(header)
    accepted: dict[tuple[str, str, int], ParsedRow] = {}
    conflicted: dict[tuple[str, str, int], int] = {}  # first row's key -> the later row differing
    person_first: dict[str, ParsedRow] = {}
    two_names: dict[str, ParsedRow] = {}  # ID -> a later row naming someone else
    for n, cells in body:
        if n % _REPORT_EVERY == 0:
            let_others_run()
            if progress is not None:
                progress(n, 0)  # the total is not known while streaming; may raise to cancel
        texts = checker.texts(cells)
        if checker.is_skipped(cells, texts):
            continue
        parsed = checker.check(n, cells, texts)
        if isinstance(parsed, list):
            row_cells = _row_texts(cells)
            result.rejected += [RejectedRow(n, str(col), reason, row_cells) for col, reason in parsed]
            idn = checker.id_of(texts)
            if idn is None:
                result.unknown_rejected += 1
            else:
                result.rejected_ids.add(idn)
            continue
        key = (parsed.id_number, parsed.insurance, parsed.year)
        first = person_first.get(parsed.id_number)
        # A person's first row (the common case) has nothing to be compared with.
        problem = None if first is None else _against_earlier(parsed, accepted.get(key), first)
        if problem is not None:
            column, reason = problem
            result.rejected.append(RejectedRow(n, column, reason, _row_texts(cells)))
            result.rejected_ids.add(parsed.id_number)
            if first is not None and first.name != parsed.name:
                two_names.setdefault(parsed.id_number, parsed)
            elif key in accepted and _content(accepted[key]) != _content(parsed):
                conflicted.setdefault(key, n)
            continue
        accepted[key] = parsed
        person_first.setdefault(parsed.id_number, parsed)
    # The earlier rows lose too: which of two differing rows is right is for the agent to say.
    for key in list(accepted):
        first = accepted[key]
        other = two_names.get(key[0])
        if other is not None:
            reason = (f"同一证件号码在第{other.row}行是「{other.name}」：一个号码不能属于两个人，"
                      "请核对号码")
        elif key in conflicted:
            reason = f"第{conflicted[key]}行对同一人同一险种同一年度给出了不同内容，请核对后只保留正确的一行"
        else:
            continue
        del accepted[key]
        result.rejected.append(RejectedRow(first.row, str(Column.ID_NUMBER), reason,
                                           _cells_from(first, header)))
    result.accepted = sorted(accepted.values(), key=lambda r: r.row)
    result.rejected.sort(key=lambda r: r.row)
    return result


def _row_texts(cells: Sequence[Cell]) -> tuple[str, ...]:
    """A rejected row as written, for the rejected-rows file, each cell cut at MAX_CELL_CHARS."""
    texts = (cell_text(c) for c in cells)
    return tuple(t[:MAX_CELL_CHARS] + "…" if len(t) > MAX_CELL_CHARS else t for t in texts)


def _cells_from(r: ParsedRow, header: Header) -> tuple[str, ...]:
    """The row rebuilt from what was read: keeping every row's cells would cost a township's
    import hundreds of megabytes for the rare conflicting duplicate."""
    values = {
        Column.ID_NUMBER: r.id_number, Column.NAME: r.name, Column.INSURANCE: Insurance(r.insurance).label,
        Column.YEAR: str(r.year), Column.TIER: "" if r.tier_fen is None else str(r.tier_fen / 100),
        Column.AMOUNT: "" if r.amount_fen is None else str(r.amount_fen / 100),
        Column.CATEGORY: r.category, Column.GROUP: r.group, Column.HOUSEHOLD_NO: r.household_no,
        Column.HOUSEHOLD_HEAD: r.household_head, Column.PHONE: r.phone,
        Column.STATUS: "已缴" if r.paid_elsewhere else "", Column.CHANNEL: r.paid_elsewhere or "",
    }
    cells = [""] * len(header.names)
    for col, pos in header.columns.items():
        cells[pos] = values.get(col, "")
    return tuple(cells)


def _content(r: ParsedRow) -> tuple[object, ...]:
    return (r.name, r.tier_fen, r.amount_fen, r.category, r.paid_elsewhere)


def _against_earlier(r: ParsedRow, same_key: ParsedRow | None,
                     same_person: ParsedRow | None) -> tuple[str, str] | None:
    if same_person is not None and same_person.name != r.name:
        return (str(Column.ID_NUMBER), f"证件号码与第{same_person.row}行的「{same_person.name}」"
                                       f"相同，姓名却是「{r.name}」：一个号码不能属于两个人，请核对号码")
    if same_key is not None:
        return (str(Column.ID_NUMBER),
                f"与第{same_key.row}行重复：同一人的同一险种、同一年度只能有一行")
    if same_person is not None and same_person.category != r.category:
        return (str(Column.CATEGORY), f"人员类别「{r.category}」与第{same_person.row}行（同一证件"
                                      f"号码）的「{same_person.category}」不一致")
    return None

"""The township compiles the 《两险批量扣款清册》 (003 第二十六条) from its villages' rosters, as the
villages' ledger copies hold them: the same folder its review reads (app/services/township_review.py),
the same files (daishou-村代码-设备号-日期.sqlite3, sealed `.age` ones opened with the township's key),
only read. Of several copies of one village the one with the most entries is used (a ledger only
grows, and the newest holds the newest roster, payments and tax office lists).

Each village's own rules decide: its unpaid dues as its 未缴名单 and door list decide them
(app/storage/door.py, cash here, paid elsewhere, subsidised), its configuration's amounts, and the
tax office's agreement lists it received (from the county with the sync, or loaded at the desk).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from app.domain.config import ConfigError, CountyConfig, load_config_text
from app.domain.debit_register import NO_AGREEMENT, RESIGN, DebitRegister, RegisterLine, VillagePart
from app.domain.groups import group_order
from app.domain.insurance import Insurance
from app.domain.records import Device, DueInfo
from app.services import sealing
from app.services.errors import InvalidInput
from app.services.review import read_copy
from app.services.roster.people import due_fen
from app.services.setup import CONFIG_KEY
from app.storage import door as rows
from app.storage import journal
from app.storage import settings as store

MAX_FILES = 2000


@dataclass(frozen=True)
class _Read:
    device: Device
    config: CountyConfig
    entries: int
    part: VillagePart


def compile_register(folder: Path, *, year: int, as_of: date, identities: Sequence[Any] = (),
                     key_file: Path | None = None) -> DebitRegister:
    """The 清册 of every village whose copy is in `folder`. A file that cannot be read (not a ledger,
    damaged, sealed to another key) is named on the 清册 (it must not silently leave a village out);
    villages of two townships are refused. Sealed copies open with `identities`, or the township's
    age key in `key_file`."""
    if key_file is not None:
        identities = [*identities, *sealing.read_key_file(Path(key_file))]
    folder = Path(folder)
    if not folder.is_dir():
        raise InvalidInput(f"找不到文件夹 {folder}")
    paths = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in (".sqlite3", ".age"))
    if not paths:
        raise InvalidInput(f"{folder} 中没有村账本文件（daishou-….sqlite3）")
    if len(paths) > MAX_FILES:
        raise InvalidInput(f"{folder} 中有 {len(paths)} 个文件，超过 {MAX_FILES} 个：请按乡镇分开存放")
    newest: dict[str, _Read] = {}
    unreadable: list[tuple[str, str]] = []
    for path in paths:
        try:
            found = _read_file(path, year, identities)
        except InvalidInput as exc:
            unreadable.append((path.name, exc.message))
            continue
        held = newest.get(found.device.village_code)
        if held is None or found.entries > held.entries:
            newest[found.device.village_code] = found
    if not newest:
        raise InvalidInput(f"{folder} 中没有能读取的村账本：" + "；".join(f"{n}：{why}" for n, why in unreadable[:3]))
    townships = {r.device.township_code for r in newest.values()}
    if len(townships) > 1:
        raise InvalidInput(f"{folder} 中有不同乡镇的村（{'、'.join(sorted(townships))}）：清册按乡镇编制，请分开存放")
    first = newest[min(newest)]
    return DebitRegister(first.config.county, first.device.township_code, first.device.township_name, year, as_of,
                         tuple(newest[code].part for code in sorted(newest)), tuple(unreadable))


def _read_file(path: Path, year: int, identities: Sequence[Any]) -> _Read:
    if sealing.is_sealed(path):
        with tempfile.TemporaryDirectory(prefix="daishou-register-") as scratch, \
                sealing.opened(path, identities, Path(scratch)) as plain:
            return _read_plain(plain, year, path.name)
    return _read_plain(path, year, path.name)


def _read_plain(path: Path, year: int, name: str) -> _Read:
    with read_copy(path, name) as conn:
        device = store.device(conn)
        text = store.get(conn, CONFIG_KEY)
        if device is None or text is None:
            raise InvalidInput(f"{name} 是尚未设置好的账本（没有村代码或县级配置）")
        config = load_config_text(text)
        entries = journal.newest_seq(conn)
        try:
            y = config.year(year)
            window: tuple[str, str] | None = (y.window_start.isoformat(), y.window_end.isoformat())
        except ConfigError:
            window = None
        dues = rows.unpaid_dues(conn, year)
        states = rows.debit_states(conn, window)
        known = rows.agreements_known(conn)
    return _Read(device, config, entries, _part(device, config, year, dues, states, known, name))


def _part(device: Device, config: CountyConfig, year: int, dues: list[tuple[Any, ...]], states: dict[str, Any],
          known: bool, name: str) -> VillagePart:
    people: dict[str, list[Any]] = {}  # id -> [name, group, household, category, [dues]], village order
    for idn, person, group, household, _head, category, ins, tier, amount in dues:
        fen = due_fen(config, category, Insurance(ins), year, tier, amount)
        if fen:
            people.setdefault(idn, [person, group, household, category, []])[4].append(
                DueInfo(Insurance(ins), year, tier, fen))
    lines: list[RegisterLine] = []
    left_out = {NO_AGREEMENT: 0, RESIGN: 0}
    for idn, (person, group, household, category, owed) in people.items():
        state = states.get(idn)
        if state is not None and state.no_agreement:
            left_out[NO_AGREEMENT] += 1
        elif state is not None and state.resign:
            left_out[RESIGN] += 1
        else:
            lines.append(RegisterLine(device.village_code, idn, person, group, household, category, tuple(owed)))
    lines.sort(key=lambda x: (group_order(x.group), x.group))  # stable: households stay in village order
    return VillagePart(device.village_code, device.village_name, tuple(lines), left_out, known, name)

"""A township without access to the county server reviews a whole folder of its villages' files at
once (issue 24; 003 第四十二条): one row per village — the file's check, the cash, the 疑点 by
kind — and answers each 疑点 (核实无误 / 已整改 / 移交, who, when, a note) into a file that goes
back to the county (`daishou-server import-answers FILE`).

Which files: the ledger copies a desk writes after each settlement (daishou-村代码-设备号-日期.sqlite3,
read-only, checked like `verify`); of several copies of one device the one with the most entries
(the newest: a ledger only grows) is reviewed. A USB upload file holds only the entries since the
county's last acknowledgement, so no check or total of the village can be made from it: it is
listed, named as such, and left to the county server. A file that cannot be read is a row saying
why; it never stops the others."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from app.domain.review import Flag
from app.services.errors import InvalidInput
from app.services.review import FileReview, review_file

ANSWERS_FORMAT = "daishou-answers/1"
VERDICTS = ("核实无误", "已整改", "移交")
MAX_NOTE = 500
MAX_FILES = 2000


@dataclass
class VillageLine:
    village_code: str
    village_name: str
    township_name: str
    files: list[FileReview] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file name, why not reviewed)

    @property
    def ok(self) -> bool:
        return bool(self.files) and all(f.check.ok for f in self.files)

    @property
    def check_text(self) -> str:
        if not self.files:
            return "未审核：" + "；".join(why for _n, why in self.skipped)
        bad = [f for f in self.files if not f.check.ok]
        if not bad:
            return f"完好（{len(self.files)} 台设备）"
        return "校验失败：" + "；".join(f"设备 {f.device.device_no:02d} {f.check.reason}" for f in bad)

    def total(self, what: str) -> int:
        return sum(int(getattr(f.review, what)) for f in self.files)

    def flags(self) -> list[tuple[FileReview, Flag]]:
        return [(f, flag) for f in self.files for flag in f.review.flags]

    def flags_by_kind(self) -> dict[str, int]:
        return dict(Counter(flag.label for _f, flag in self.flags()))


@dataclass
class TownshipReview:
    folder: Path
    as_of: date
    seed: str
    villages: list[VillageLine]
    unreadable: list[tuple[str, str]]  # (file name, message): files that name no village


def review_folder(folder: Path, *, as_of: date, seed: str, identities: Sequence[Any] = ()) -> TownshipReview:
    """Every village file in `folder`; sealed copies (`.age`, issue 26) are opened with the
    township's key (`identities`), and one that key cannot open is listed with the reason."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InvalidInput(f"找不到文件夹 {folder}")
    paths = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in (".sqlite3", ".json", ".age"))
    if not paths:
        raise InvalidInput(f"{folder} 中没有村账本文件（daishou-….sqlite3）")
    if len(paths) > MAX_FILES:
        raise InvalidInput(f"{folder} 中有 {len(paths)} 个文件，超过 {MAX_FILES} 个：请按乡镇分开存放")
    newest: dict[tuple[str, int], FileReview] = {}
    villages: dict[str, VillageLine] = {}
    unreadable: list[tuple[str, str]] = []
    for path in paths:
        if path.suffix.lower() == ".json":
            code = _usb_village(path)
            line = villages.setdefault(code, VillageLine(code, "", "")) if code else None
            why = "U盘上传文件只含上次同步后的记录，无法单独校验：已交县服务器审核，请用村里的备份账本"
            if line is not None:
                line.skipped.append((path.name, why))
            else:
                unreadable.append((path.name, "不是代收的U盘上传文件"))
            continue
        try:
            found = review_file(path, as_of=as_of, seed=seed, identities=identities)
        except InvalidInput as exc:
            unreadable.append((path.name, exc.message))
            continue
        key = (found.device.village_code, found.device.device_no)
        held = newest.get(key)
        if held is None or found.check.entries > held.check.entries:
            newest[key] = found
    for (code, _no), found in sorted(newest.items()):
        line = villages.setdefault(code, VillageLine(code, "", ""))
        line.village_name, line.township_name = found.device.village_name, found.device.township_name
        line.files.append(found)
    return TownshipReview(folder, as_of, seed, sorted(villages.values(), key=lambda v: v.village_code), unreadable)


def _usb_village(path: Path) -> str | None:
    """The village code of a USB upload file (its first batch's device), None when it is not one."""
    try:
        if path.stat().st_size > 64 * 1024 * 1024:  # the server takes no larger request either
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        device_id = str(data["batches"][0]["device_id"])
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None
    code = device_id.split("-")[0]
    return code if code.isdigit() and len(code) == 12 else None


@dataclass(frozen=True)
class Answer:
    """A township's answer to one 疑点, named by the device and journal entry that shows it."""

    village_code: str
    device_no: int
    seq: int
    code: str
    ref: str
    day: str
    reason: str
    verdict: str  # one of VERDICTS
    by: str
    at: str  # ISO time it was answered
    note: str = ""

    @property
    def key(self) -> tuple[str, int, int, str, str]:
        return (self.village_code, self.device_no, self.seq, self.code, self.ref)


def answer(found: FileReview, flag: Flag, verdict: str, *, by: str, at: datetime, note: str = "") -> Answer:
    if verdict not in VERDICTS:
        raise InvalidInput(f"答复应为 {' / '.join(VERDICTS)}")
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"说明最多 {MAX_NOTE} 个字")
    if verdict != "核实无误" and not note:
        raise InvalidInput(f"「{verdict}」须写明说明（如何整改，或移交给谁）")
    return Answer(found.device.village_code, found.device.device_no, flag.seq, flag.code, flag.ref, flag.day,
                  flag.reason, verdict, by, at.isoformat(timespec="seconds"), note)


def answers_json(review: TownshipReview, answers: list[Answer], *, reviewer: str, made_at: datetime) -> str:
    """The file that goes back to the county: every answer with the 疑点 it answers."""
    body: dict[str, Any] = {
        "format": ANSWERS_FORMAT, "reviewer": reviewer, "made_at": made_at.isoformat(timespec="seconds"),
        "as_of": review.as_of.isoformat(), "seed": review.seed,
        "villages": [{"village_code": v.village_code, "village_name": v.village_name,
                      "check_ok": v.ok, "flags": len(v.flags())} for v in review.villages],
        "answers": [{"village_code": a.village_code, "device_no": a.device_no, "seq": a.seq, "code": a.code,
                     "ref": a.ref, "day": a.day, "reason": a.reason, "verdict": a.verdict, "by": a.by,
                     "at": a.at, "note": a.note} for a in answers]}
    return json.dumps(body, ensure_ascii=False, indent=1)

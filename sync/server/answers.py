"""The township's answers to 疑点 (003 第四十二条), brought to the county on a file when the
township works without the server: `daishou-server import-answers FILE [--township CODE]` (issue 24).

The file is what the review window writes (app/services/township_review.py, format
daishou-answers/1): each answer names the 疑点 by device and journal entry, with the verdict
(核实无误 / 已整改 / 移交), who, when and a note. Answers are appended, never replaced: a later answer
to the same 疑点 is its history; the same file imported again adds nothing. The whole file is
refused (nothing stored) when any row is wrong, naming the row; `--township` refuses a file that
answers for another township's villages (the file is not signed: the county names whose it is)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Text, UniqueConstraint
from sqlmodel import Field, Session, select

from sync.server import models as m
from sync.server.service import ServerRefusal, now

FORMAT = "daishou-answers/1"
VERDICTS = ("核实无误", "已整改", "移交")
MAX_ANSWERS = 100_000
MAX_BYTES = 32 * 1024 * 1024


class FlagAnswer(m.ServerModel, table=True):
    __tablename__ = "flag_answer"
    __table_args__ = (UniqueConstraint("device_id", "seq", "code", "ref", "answered_at", "verdict"),)
    id: int | None = Field(default=None, primary_key=True)
    village_code: str = Field(index=True)
    device_id: str
    seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    code: str
    ref: str
    day: str
    reason: str = Field(sa_column=Column(Text, nullable=False))
    verdict: str
    answered_by: str
    answered_at: str
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    reviewer: str
    file_sha256: str
    imported_at: datetime


def _row(i: int, a: Any, villages: dict[str, m.Village], township: str | None) -> dict[str, Any]:
    where = f"第 {i} 条答复"
    if not isinstance(a, dict):
        raise ServerRefusal(422, "bad_answers", f"{where}不是对象")
    try:
        village, device_no, seq = str(a["village_code"]), int(a["device_no"]), int(a["seq"])
        values = {k: str(a[k]) for k in ("code", "ref", "day", "reason", "verdict", "by", "at")}
        note = str(a.get("note", ""))
    except (KeyError, TypeError, ValueError) as exc:
        raise ServerRefusal(422, "bad_answers", f"{where}缺少或写错了字段（{exc}）") from None
    if village not in villages:
        raise ServerRefusal(422, "bad_answers", f"{where}：县里没有村代码 {village}")
    if township is not None and villages[village].township_code != township:
        raise ServerRefusal(403, "bad_answers", f"{where}：村 {village} 不属于乡镇 {township}，这份文件不能答复它")
    if values["verdict"] not in VERDICTS:
        raise ServerRefusal(422, "bad_answers", f"{where}：答复应为 {' / '.join(VERDICTS)}，不是「{values['verdict'][:20]}」")
    if not values["by"].strip() or len(note) > 500 or seq < 1:
        raise ServerRefusal(422, "bad_answers", f"{where}：缺少答复人，或说明超过500字，或记录序号不对")
    try:
        datetime.fromisoformat(values["at"])
    except ValueError:
        raise ServerRefusal(422, "bad_answers", f"{where}：答复时间 {values['at'][:30]} 不是时间") from None
    return {"village_code": village, "device_id": f"{village}-{device_no:02d}", "seq": seq, **values, "note": note}


def import_answers(s: Session, text: str, *, township: str | None = None) -> tuple[int, int]:
    """(stored, already held) answers of one file; ServerRefusal names the first wrong row."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise ServerRefusal(413, "too_large", "答复文件太大")
    try:
        data = json.loads(text)
    except ValueError:
        raise ServerRefusal(422, "bad_answers", "不是疑点答复文件（JSON 读不出）") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ServerRefusal(422, "bad_answers", f"不是疑点答复文件（应为 {FORMAT}）")
    answers = data.get("answers")
    if not isinstance(answers, list) or len(answers) > MAX_ANSWERS:
        raise ServerRefusal(422, "bad_answers", "答复文件中没有答复列表")
    villages = {v.code: v for v in s.exec(select(m.Village)).all()}
    rows = [_row(i, a, villages, township) for i, a in enumerate(answers, start=1)]
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    reviewer, at = str(data.get("reviewer", ""))[:40], now()
    stored = held = 0
    for r in rows:
        same = s.exec(select(FlagAnswer.id).where(
            FlagAnswer.device_id == r["device_id"], FlagAnswer.seq == r["seq"], FlagAnswer.code == r["code"],
            FlagAnswer.ref == r["ref"], FlagAnswer.answered_at == r["at"], FlagAnswer.verdict == r["verdict"])).first()
        if same is not None:
            held += 1
            continue
        s.add(FlagAnswer(village_code=r["village_code"], device_id=r["device_id"], seq=r["seq"], code=r["code"],
                         ref=r["ref"], day=r["day"], reason=r["reason"], verdict=r["verdict"], answered_by=r["by"],
                         answered_at=r["at"], note=r["note"], reviewer=reviewer, file_sha256=digest, imported_at=at))
        s.flush()
        stored += 1
    return stored, held

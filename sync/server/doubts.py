"""The 第四十二条 loop on the county server (issue 24): the county pushes 疑点 to a township, the
township answers each within 15 days (核实无误 / 已整改 / 移交, who, when, a note, a scanned page),
the working group draws >= 10% of the pushed 疑点 and inspects them (inspections.py).

What can be pushed: every flag the review rules raise over a village's uploaded entries (the same
rules as the township's desk, app/domain/review.py), the county's own cross-checks (CountyFlag),
and a 疑点 a county or township officer adds by hand. A pushed 疑点 is a copy of the finding
as it stood, named by a key; pushing it again adds nothing. Answers come from the browser or from
the review window's file (`daishou-server import-answers`): a file's answer is linked to the 疑点
with the same key whenever both are there, whichever came first, so a township without access to
the server is counted too.

Dates are the county's (Asia/Shanghai): the deadline is the push's date plus 15 days, an answer
on or before it is on time. `clock()` is the one source of time: tests replace it."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from app.domain.review import FLAG_LABELS as DESK_LABELS
from sync.server import doubt_tables as dt
from sync.server import models as m
from sync.server import review
from sync.server.answers import VERDICTS, FlagAnswer
from sync.server.body_limit import ATTACHMENT_BYTES
from sync.server.core import ServerRefusal
from sync.server.rules import FLAG_LABELS as COUNTY_LABELS
from sync.server.staff import visible_villages

COUNTY_TZ = ZoneInfo("Asia/Shanghai")
ANSWER_WITHIN_DAYS = 15  # 第四十二条: 乡人民政府应在接到疑点数据的15日内 … 形成报告反馈
MAX_NOTE = 500
MAX_ATTACHMENT = ATTACHMENT_BYTES  # a scanned page or a phone photo (the request body's cap)
ATTACHMENTS_PER_DOUBT = 5
MEDIA = {"application/pdf": b"%PDF-", "image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}
SOURCES = {"desk": "审核规则", "county": "县级核对", "added": "人工添加"}


def clock() -> datetime:
    """The server's time (UTC). Tests replace this function to answer 15 days on without waiting."""
    return datetime.now(UTC)


def county_date(at: datetime) -> date:
    """The county's date of a time; a naive time (a desk's file) is already the county's."""
    return at.astimezone(COUNTY_TZ).date() if at.tzinfo else at.date()


def county_time(at: datetime) -> str:
    """A stored time as the county reads it (a database may hand back UTC without its zone)."""
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(COUNTY_TZ).isoformat(timespec="seconds")


def label(source: str, code: str) -> str:
    if source == "added":
        return "人工添加"
    return (COUNTY_LABELS if source == "county" else DESK_LABELS).get(code, code)


def desk_key(device_id: str, seq: int, code: str, ref: str) -> str:
    return f"desk|{device_id}|{seq}|{code}|{ref}"


@dataclass(frozen=True)
class Candidate:
    """A finding that may be pushed, and whether it already was."""

    key: str
    source: str
    township_code: str
    village_code: str
    device_id: str | None
    seq: int | None
    code: str
    ref: str
    day: str
    reason: str
    pushed: bool


def require_county(staff: m.Staff) -> None:
    if staff.role != "county":
        raise ServerRefusal(403, "county_only", "只有县级账户可以推送、抽查和登记检查")


def require_township(staff: m.Staff) -> None:
    if staff.role != "township":
        raise ServerRefusal(403, "township_only", "疑点由乡镇组织自查自纠后答复：县级账户不能代答")


def _villages(s: Session, staff: m.Staff, village_code: str | None, township_code: str | None) -> list[m.Village]:
    seen = visible_villages(s, staff)
    if village_code:
        chosen = [v for v in seen if v.code == village_code]
        if not chosen:
            raise ServerRefusal(404, "no_village", f"没有村代码 {village_code}，或不在本账户管辖的乡镇")
        return chosen
    if township_code:
        chosen = [v for v in seen if v.township_code == township_code]
        if not chosen:
            raise ServerRefusal(404, "no_township", f"没有乡镇代码 {township_code} 的村")
        return chosen
    raise ServerRefusal(422, "no_scope", "请指定村代码或乡镇代码")


def candidates(s: Session, staff: m.Staff, *, village_code: str | None = None,
               township_code: str | None = None) -> list[Candidate]:
    """Every finding over the chosen villages: the review rules' flags of each device as of the
    county's date, then the county's own flags; `pushed` tells which were pushed already."""
    require_county(staff)
    villages = _villages(s, staff, village_code, township_code)
    by_code = {v.code: v for v in villages}
    as_of = county_date(clock())
    found: list[Candidate] = []
    for v in villages:
        for d in review.village_review(s, staff, v.code, as_of=as_of, seed="0"):
            found += [Candidate(desk_key(d.device_id, f.seq, f.code, f.ref), "desk", v.township_code, v.code,
                                d.device_id, f.seq, f.code, f.ref, f.day, f.reason, False) for f in d.review.flags]
    for f in s.exec(select(m.CountyFlag).where(col(m.CountyFlag.village_code).in_(list(by_code)))
                    .order_by(col(m.CountyFlag.id))).all():
        found.append(Candidate(f"county|{f.id}", "county", by_code[f.village_code].township_code, f.village_code,
                               f.device_id, f.seq, f.code, f.ref, f.created_at.date().isoformat(), f.reason, False))
    held = set(s.exec(select(dt.Doubt.key).where(col(dt.Doubt.key).in_([c.key for c in found]))).all()) if found else set()
    return [Candidate(**{**c.__dict__, "pushed": c.key in held}) for c in found]


def _new_doubt(c: Candidate, by: str, at: datetime) -> dt.Doubt:
    on = county_date(at)
    return dt.Doubt(key=c.key, source=c.source, township_code=c.township_code, village_code=c.village_code,
                   device_id=c.device_id, seq=c.seq, code=c.code, ref=c.ref, day=c.day, reason=c.reason,
                   pushed_by=by, pushed_at=at, pushed_on=on.isoformat(),
                   due_on=(on + timedelta(days=ANSWER_WITHIN_DAYS)).isoformat(), year=on.year)


def push(s: Session, staff: m.Staff, *, village_code: str | None, township_code: str | None,
         keys: list[str] | None) -> tuple[int, int]:
    """(pushed now, pushed before) of the chosen findings: all of the villages', or those named."""
    found = {c.key: c for c in candidates(s, staff, village_code=village_code, township_code=township_code)}
    if keys is not None:
        unknown = [k for k in keys if k not in found]
        if unknown:
            raise ServerRefusal(404, "unknown_flag", f"没有这条疑点：{unknown[0][:120]}（请刷新后重新选择）")
        chosen = [found[k] for k in dict.fromkeys(keys)]
    else:
        chosen = list(found.values())
    at = clock()
    new = [c for c in chosen if not c.pushed]
    try:
        for c in new:
            s.add(_new_doubt(c, staff.name, at))
        s.flush()
        link_file_answers(s)
    except IntegrityError:  # another officer pushed the same 疑点 at the same moment (PostgreSQL)
        raise ServerRefusal(409, "pushed_meanwhile", "其中的疑点刚由另一位工作人员推送，请刷新后再试") from None
    return len(new), len(chosen) - len(new)


def add(s: Session, staff: m.Staff, *, village_code: str, ref: str, day: str | None, reason: str) -> dt.Doubt:
    """A 疑点 an officer adds by hand (a complaint, a finding on a visit): pushed at once."""
    village = s.get(m.Village, village_code)
    if village is None:
        raise ServerRefusal(404, "no_village", f"没有村代码 {village_code}")
    if staff.role == "township" and village.township_code != staff.township_code:
        raise ServerRefusal(403, "not_your_township", f"村 {village_code} 不属于本乡镇")
    reason = reason.strip()
    if not reason:
        raise ServerRefusal(422, "no_reason", "请写明疑点的内容")
    at = clock()
    day = day or county_date(at).isoformat()
    try:
        date.fromisoformat(day)
    except ValueError:
        raise ServerRefusal(422, "bad_date", f"日期 {day[:20]} 不是日期（应为 2026-11-25 这样）") from None
    c = Candidate(f"added|{uuid.uuid4().hex}", "added", village.township_code, village.code, None, None, "added",
                  ref.strip(), day, reason, False)
    doubt = _new_doubt(c, staff.name, at)
    s.add(doubt)
    s.flush()
    return doubt


def visible_doubt(s: Session, staff: m.Staff, doubt_id: int) -> dt.Doubt:
    doubt = s.get(dt.Doubt, doubt_id)
    if doubt is None:
        raise ServerRefusal(404, "unknown_doubt", f"没有编号为 {doubt_id} 的疑点")
    if staff.role == "township" and doubt.township_code != staff.township_code:
        raise ServerRefusal(403, "not_your_township", f"疑点 {doubt_id} 不属于本乡镇")
    return doubt


def doubts_for(s: Session, staff: m.Staff, *, year: int | None = None) -> list[dt.Doubt]:
    query = select(dt.Doubt).order_by(col(dt.Doubt.id))
    if staff.role == "township":
        query = query.where(dt.Doubt.township_code == staff.township_code)
    if year is not None:
        query = query.where(dt.Doubt.year == year)
    return list(s.exec(query).all())


def answer(s: Session, staff: m.Staff, doubt_id: int, *, verdict: str, by: str, note: str) -> dt.DoubtAnswer:
    """The township's answer from the browser, dated now; a late one is taken and counted late."""
    require_township(staff)
    doubt = visible_doubt(s, staff, doubt_id)
    if s.exec(select(dt.DoubtInspection.id).where(dt.DoubtInspection.doubt_id == doubt.id)).first() is not None:
        raise ServerRefusal(409, "answer_after_inspection",
                            f"疑点 {doubt_id} 已由工作组检查并登记结论，不能再改答复（如有新情况请联系县工作组）")
    if verdict not in VERDICTS:
        raise ServerRefusal(422, "bad_verdict", f"答复应为 {' / '.join(VERDICTS)}，不是「{verdict[:20]}」")
    note, by = note.strip(), (by.strip() or staff.name)
    if len(note) > MAX_NOTE:
        raise ServerRefusal(422, "note_too_long", f"说明最多 {MAX_NOTE} 个字")
    if verdict != "核实无误" and not note:
        raise ServerRefusal(422, "note_required", f"「{verdict}」须写明说明（如何整改，或移交给谁）")
    if len(by) > 40:
        raise ServerRefusal(422, "bad_name", "自查人姓名最多 40 个字")
    at = clock()
    row = dt.DoubtAnswer(doubt_id=doubt.id or 0, verdict=verdict, answered_by=by,
                        answered_at=at.astimezone(COUNTY_TZ).isoformat(timespec="seconds"),
                        answered_on=county_date(at).isoformat(),
                        note=note, via="网页", recorded_by=staff.name, recorded_at=at)
    s.add(row)
    s.flush()
    return row


def link_file_answers(s: Session) -> int:
    """Every imported file answer whose 疑点 has been pushed becomes an answer in the loop, once;
    its time is the time written in the file (when the township answered)."""
    rows = s.exec(select(FlagAnswer, dt.Doubt).join(dt.Doubt, (col(dt.Doubt.device_id) == FlagAnswer.device_id)
                                                  & (col(dt.Doubt.seq) == FlagAnswer.seq)
                                                  & (col(dt.Doubt.code) == FlagAnswer.code)
                                                  & (col(dt.Doubt.ref) == FlagAnswer.ref)
                                                  & (dt.Doubt.source == "desk"))
                  .where(~col(FlagAnswer.id).in_(select(dt.DoubtAnswer.flag_answer_id)
                                                 .where(col(dt.DoubtAnswer.flag_answer_id).is_not(None))))).all()
    at = clock()
    for fa, doubt in rows:
        s.add(dt.DoubtAnswer(doubt_id=doubt.id or 0, verdict=fa.verdict, answered_by=fa.answered_by,
                            answered_at=fa.answered_at,
                            answered_on=county_date(datetime.fromisoformat(fa.answered_at)).isoformat(),
                            note=fa.note, via="文件", recorded_by=f"答复文件（{fa.reviewer}）", recorded_at=at,
                            flag_answer_id=fa.id))
    s.flush()
    return len(rows)


def attach(s: Session, staff: m.Staff, doubt_id: int, *, name: str, media_type: str, content: bytes) -> dt.DoubtAttachment:
    """A scanned page or photo with the township's answer: PDF, JPEG or PNG by its first bytes
    (what it says it is must be what it is), at most MAX_ATTACHMENT bytes."""
    require_township(staff)
    doubt = visible_doubt(s, staff, doubt_id)
    media_type = media_type.split(";")[0].strip().lower()
    if media_type not in MEDIA or not content.startswith(MEDIA[media_type]):
        raise ServerRefusal(415, "attachment_type", "附件只收 PDF、JPG 或 PNG 文件（扫描件或照片）")
    if len(content) > MAX_ATTACHMENT:
        raise ServerRefusal(413, "attachment_too_large", f"附件最大 {MAX_ATTACHMENT // 1024 // 1024} MB，请压缩或分页上传")
    held = s.exec(select(dt.DoubtAttachment.id).where(dt.DoubtAttachment.doubt_id == doubt.id)).all()
    if len(held) >= ATTACHMENTS_PER_DOUBT:
        raise ServerRefusal(409, "too_many_attachments", f"每条疑点最多 {ATTACHMENTS_PER_DOUBT} 个附件")
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '/\\"')[:80] or "附件"
    row = dt.DoubtAttachment(doubt_id=doubt.id or 0, village_code=doubt.village_code, name=name,
                            media_type=media_type, size=len(content), sha256=hashlib.sha256(content).hexdigest(),
                            content=content, uploaded_by=staff.name, uploaded_at=clock())
    s.add(row)
    s.flush()
    return row


def attachments_of(s: Session, doubt_ids: list[int]) -> list[dt.DoubtAttachment]:
    """The attachments' descriptions (their bytes are not read)."""
    if not doubt_ids:
        return []
    return list(s.exec(select(dt.DoubtAttachment).options(defer(dt.DoubtAttachment.content))  # type: ignore[arg-type]
                       .where(col(dt.DoubtAttachment.doubt_id).in_(doubt_ids))
                       .order_by(col(dt.DoubtAttachment.id))).all())


def attachment(s: Session, staff: m.Staff, attachment_id: int) -> dt.DoubtAttachment:
    """Served back only to staff who may see the village it concerns."""
    row = s.get(dt.DoubtAttachment, attachment_id)
    if row is None or row.village_code not in {v.code for v in visible_villages(s, staff)}:
        raise ServerRefusal(404, "no_attachment", f"没有编号为 {attachment_id} 的附件，或不在本账户管辖的乡镇")
    return row

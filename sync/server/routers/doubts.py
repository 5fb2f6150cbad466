"""The 第四十二条 loop for staff (issue 24): the county pushes 疑点, draws and inspects them and
records special inspections; a township sees and answers its own 疑点 only, with an attachment.
Each refusal names its code (unknown_flag, unknown_doubt, not_your_township, county_only,
township_only, answer_after_inspection, attachment_type, attachment_too_large, ...)."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Body, Header, Path, Query
from fastapi.responses import Response

from sync import protocol as p
from sync.server import doubt_export, doubts, inspections
from sync.server import doubt_tables as dt
from sync.server.deps import DB, CurrentStaff
from sync.server.doubt_schemas import (
    AddIn,
    AnswerIn,
    AnswerOut,
    AttachmentOut,
    CandidateOut,
    DoubtOut,
    DrawIn,
    DrawOut,
    InspectIn,
    InspectionOut,
    MeOut,
    PushIn,
    PushOut,
    ReportRowOut,
    SpecialIn,
    SpecialOut,
)
from sync.server.routers.refusals import REFUSALS
from sync.server.schemas import row_out

PREFIX = f"{p.API}/staff/doubts"
# A row id in a path: a positive 64-bit integer, so an out-of-range one is a 422, not a 500
# (SQLite and PostgreSQL both refuse a wider integer at the driver).
RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]

router = APIRouter(prefix=PREFIX, tags=["doubts"], responses={**REFUSALS, 415: {"model": p.Refusal}})
me_router = APIRouter(prefix=f"{p.API}/staff", tags=["staff"], responses=REFUSALS)
Year = Annotated[int | None, Query(ge=2000, le=2100)]
Code = Annotated[str | None, Query(max_length=20)]


def _year(year: int | None) -> int:
    return year or doubts.county_date(doubts.clock()).year


def _out(s: DB, rows: list[dt.Doubt]) -> list[DoubtOut]:
    today = doubts.county_date(doubts.clock())
    stand = inspections.standings(s, rows, today=today)
    files: dict[int, list[AttachmentOut]] = {}
    for a in doubts.attachments_of(s, [d.id or 0 for d in rows]):
        files.setdefault(a.doubt_id, []).append(row_out(AttachmentOut, a, uploaded_at=doubts.county_time(a.uploaded_at)))
    out = []
    for d in rows:
        st = stand[d.id or 0]
        left = (date.fromisoformat(d.due_on) - today).days if not st.answered else None
        out.append(DoubtOut(
            id=d.id or 0, source=doubts.SOURCES.get(d.source, d.source), label=doubts.label(d.source, d.code),
            township_code=d.township_code, village_code=d.village_code, device_id=d.device_id, seq=d.seq, ref=d.ref,
            day=d.day, reason=d.reason, pushed_by=d.pushed_by, pushed_on=d.pushed_on, due_on=d.due_on,
            state=st.state, days_left=left, draws=st.draws, attachments=files.get(d.id or 0, []),
            answers=[AnswerOut(verdict=a.verdict, answered_by=a.answered_by, answered_at=a.answered_at,
                               answered_on=a.answered_on, note=a.note, via=a.via, recorded_by=a.recorded_by)
                     for a in st.answers],
            inspections=[InspectionOut(result=i.result, finding=i.finding, inspected_by=i.inspected_by,
                                       inspected_on=i.inspected_on, draw_id=i.draw_id) for i in st.inspections]))
    return out


@me_router.get("/me", response_model=MeOut)
def me(staff: CurrentStaff) -> MeOut:
    """Who is signed in: the pages show the county's or the township's tools by it."""
    return MeOut(name=staff.name, role=staff.role, township_code=staff.township_code, year=_year(None))


@router.get("/candidates", response_model=list[CandidateOut])
def candidates(s: DB, staff: CurrentStaff, village_code: Code = None, township_code: Code = None) -> list[CandidateOut]:
    """County: the findings of a village or township that may be pushed, and which were."""
    return [CandidateOut(key=c.key, source=doubts.SOURCES[c.source], label=doubts.label(c.source, c.code),
                         township_code=c.township_code, village_code=c.village_code, device_id=c.device_id,
                         seq=c.seq, ref=c.ref, day=c.day, reason=c.reason, pushed=c.pushed)
            for c in doubts.candidates(s, staff, village_code=village_code, township_code=township_code)]


@router.post("/push", response_model=PushOut)
def push(body: PushIn, s: DB, staff: CurrentStaff) -> PushOut:
    pushed, already = doubts.push(s, staff, village_code=body.village_code, township_code=body.township_code,
                                  keys=body.keys)
    due = doubts.county_date(doubts.clock()).toordinal() + doubts.ANSWER_WITHIN_DAYS
    return PushOut(pushed=pushed, already=already, due_on=date.fromordinal(due).isoformat())


@router.post("/add", response_model=DoubtOut)
def add(body: AddIn, s: DB, staff: CurrentStaff) -> DoubtOut:
    """A 疑点 added by hand (county: any village; township: its own), pushed at once."""
    return _out(s, [doubts.add(s, staff, village_code=body.village_code, ref=body.ref, day=body.day,
                               reason=body.reason)])[0]


@router.get("", response_model=list[DoubtOut])
def listing(s: DB, staff: CurrentStaff, year: Year = None) -> list[DoubtOut]:
    """The pushed 疑点 the account may see (a township: its own), with where each stands."""
    return _out(s, doubts.doubts_for(s, staff, year=year))


@router.get("/draws", response_model=list[DrawOut])
def draws(s: DB, staff: CurrentStaff, year: Year = None) -> list[DrawOut]:
    return [_draw(d) for d in inspections.draws_for(s, staff, year=year)]


@router.post("/draws", response_model=list[DrawOut])
def draw(body: DrawIn, s: DB, staff: CurrentStaff) -> list[DrawOut]:
    """County: >= 10% of the 疑点 pushed to a township (or to each) in a year, by a seed."""
    return [_draw(d) for d in inspections.draw(s, staff, year=body.year, township_code=body.township_code,
                                               seed=body.seed)]


def _draw(d: dt.DoubtDraw) -> DrawOut:
    population, chosen = json.loads(d.population), json.loads(d.chosen)
    return DrawOut(id=d.id or 0, township_code=d.township_code, year=d.year, seed=d.seed,
                   population=[int(i) for i in population], chosen=[int(i) for i in chosen],
                   share=f"{len(chosen) / len(population):.0%}", reproduced=inspections.reproduce(d),
                   drawn_by=d.drawn_by, drawn_at=doubts.county_time(d.drawn_at))


@router.get("/special-inspections", response_model=list[SpecialOut])
def specials(s: DB, staff: CurrentStaff, year: Year = None) -> list[SpecialOut]:
    return [SpecialOut(**sp.model_dump(exclude={"recorded_at"})) for sp in
            inspections.specials_for(s, staff, year=_year(year))]


@router.post("/special-inspections", response_model=SpecialOut)
def special(body: SpecialIn, s: DB, staff: CurrentStaff) -> SpecialOut:
    """County: 第四十一条's special inspection of a township, on the day it was held."""
    sp = inspections.special(s, staff, township_code=body.township_code, held_on=body.held_on, units=body.units,
                             summary=body.summary)
    return SpecialOut(**sp.model_dump(exclude={"recorded_at"}))


@router.get("/report", response_model=list[ReportRowOut])
def report(s: DB, staff: CurrentStaff, year: Year = None) -> list[ReportRowOut]:
    return [ReportRowOut(**r.__dict__, drawn_share_ok=r.drawn_share_ok, specials_short=r.specials_short)
            for r in inspections.report(s, staff, year=_year(year))]


Township = Annotated[str | None, Query(pattern=r"^\d{9}$", description="one township's rows only")]


@router.get("/report.xlsx", response_class=Response,
            responses={200: {"content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}})
def report_xlsx(s: DB, staff: CurrentStaff, year: Year = None, township: Township = None) -> Response:
    year = _year(year)
    return Response(doubt_export.report_xlsx(s, staff, year=year, township=township),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(_name(year, township, 'xlsx'))}"})


@router.get("/report.pdf", response_class=Response, responses={200: {"content": {"application/pdf": {}}}})
def report_pdf(s: DB, staff: CurrentStaff, year: Year = None, township: Township = None) -> Response:
    """The year's report printed: per township, each 疑点, the draws, the special inspections."""
    year = _year(year)
    return Response(doubt_export.report_pdf(s, staff, year=year, township=township), media_type="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(_name(year, township, 'pdf'))}"})


def _name(year: int, township: str | None, ext: str) -> str:
    return f"疑点核查报告-{year}{'-' + township if township else ''}.{ext}"


@router.get("/attachments/{attachment_id}", response_class=Response,
            responses={200: {"content": {t: {} for t in doubts.MEDIA}}})
def attachment(attachment_id: RowId, s: DB, staff: CurrentStaff) -> Response:
    """An answer's scanned page, to staff who may see its village; downloaded, never run."""
    a = doubts.attachment(s, staff, attachment_id)
    return Response(a.content, media_type=a.media_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(a.name)}",
        "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"})


@router.get("/{doubt_id}", response_model=DoubtOut)
def one(doubt_id: RowId, s: DB, staff: CurrentStaff) -> DoubtOut:
    return _out(s, [doubts.visible_doubt(s, staff, doubt_id)])[0]


@router.post("/{doubt_id}/answer", response_model=DoubtOut)
def answer(doubt_id: RowId, body: AnswerIn, s: DB, staff: CurrentStaff) -> DoubtOut:
    """Township: 核实无误 / 已整改 / 移交, who organised the 自查, a note; dated by the server."""
    doubts.answer(s, staff, doubt_id, verdict=body.verdict, by=body.by, note=body.note)
    return _out(s, [doubts.visible_doubt(s, staff, doubt_id)])[0]


@router.post("/{doubt_id}/attachments", response_model=AttachmentOut, openapi_extra={"requestBody": {
    "required": True, "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in doubts.MEDIA}}})
def attach(doubt_id: RowId, content: Annotated[bytes, Body(media_type="application/octet-stream")],
           content_type: Annotated[str, Header(max_length=100)], s: DB, staff: CurrentStaff,
           name: Annotated[str, Query(max_length=200)] = "附件") -> AttachmentOut:
    """Township: a PDF, JPEG or PNG (at most 2 MB) sent as the request body, its file name in `name`.
    (A plain function, not async: the database is never touched on the event loop.)"""
    a = doubts.attach(s, staff, doubt_id, name=name, media_type=content_type, content=content)
    return row_out(AttachmentOut, a, uploaded_at=doubts.county_time(a.uploaded_at))


@router.post("/{doubt_id}/inspection", response_model=DoubtOut)
def inspect(doubt_id: RowId, body: InspectIn, s: DB, staff: CurrentStaff) -> DoubtOut:
    """County: the working group's finding on a drawn 疑点."""
    inspections.inspect(s, staff, doubt_id, result=body.result, finding=body.finding, by=body.by, on=body.on)
    return _out(s, [doubts.visible_doubt(s, staff, doubt_id)])[0]

"""The 疑点 loop's request and response bodies (routers/doubts.py), kept apart from the tables."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Finding(BaseModel):
    """What a 疑点 says, the same whether it is a candidate for a push or already pushed."""

    source: str
    label: str
    township_code: str
    village_code: str
    device_id: str | None
    seq: int | None
    ref: str
    day: str
    reason: str


class CandidateOut(Finding):
    key: str
    pushed: bool


class PushIn(BaseModel):
    """Push the findings of one village or of a township; all of them, or those `keys` name."""

    village_code: str | None = Field(default=None, max_length=20)
    township_code: str | None = Field(default=None, max_length=20)
    keys: list[str] | None = Field(default=None, max_length=5000)


class PushOut(BaseModel):
    pushed: int
    already: int
    due_on: str  # the deadline of what was pushed now


class AddIn(BaseModel):
    village_code: str = Field(max_length=20)
    ref: str = Field(default="", max_length=40)
    day: str | None = Field(default=None, max_length=10)
    reason: str = Field(max_length=500)


class AnswerIn(BaseModel):
    verdict: str = Field(max_length=20)  # 核实无误 / 已整改 / 移交
    by: str = Field(default="", max_length=100)  # who organised the 自查; the signed-in officer when empty
    note: str = Field(default="", max_length=2000)


class AnswerOut(BaseModel):
    verdict: str
    answered_by: str
    answered_at: str
    answered_on: str
    note: str
    via: str
    recorded_by: str


class AttachmentOut(BaseModel):
    id: int
    name: str
    media_type: str
    size: int
    uploaded_by: str
    uploaded_at: str


class InspectIn(BaseModel):
    result: str = Field(max_length=20)  # inspections.FINDINGS
    finding: str = Field(max_length=2000)
    by: str = Field(default="", max_length=100)
    on: str | None = Field(default=None, max_length=10)


class InspectionOut(BaseModel):
    result: str
    finding: str
    inspected_by: str
    inspected_on: str
    draw_id: int


class DoubtOut(Finding):  # source: 审核规则 / 县级核对 / 人工添加
    id: int
    pushed_by: str
    pushed_on: str
    due_on: str
    state: str  # 待答复 / 按时答复 / 逾期答复 / 逾期未答复
    days_left: int | None  # to the deadline, while unanswered
    answers: list[AnswerOut]
    attachments: list[AttachmentOut]
    draws: list[int]
    inspections: list[InspectionOut]


class DrawIn(BaseModel):
    year: int = Field(ge=2000, le=2100)
    township_code: str | None = Field(default=None, max_length=20)
    seed: str | None = Field(default=None, max_length=40)


class DrawOut(BaseModel):
    id: int
    township_code: str
    year: int
    seed: str
    population: list[int]
    chosen: list[int]
    share: str  # chosen of population, as a percentage
    reproduced: bool  # drawing again by the seed gives the same 疑点
    drawn_by: str
    drawn_at: str


class SpecialIn(BaseModel):
    township_code: str = Field(max_length=20)
    held_on: str = Field(max_length=10)
    units: str = Field(max_length=200)  # e.g. 县纪委监委、税务、财政
    summary: str = Field(max_length=2000)


class SpecialOut(BaseModel):
    id: int
    township_code: str
    year: int
    held_on: str
    units: str
    summary: str
    recorded_by: str


class ReportRowOut(BaseModel):
    township_code: str
    year: int
    pushed: int
    answered_on_time: int
    answered_late: int
    overdue: int
    waiting: int
    drawn: int
    drawn_share_ok: bool  # at least 10% of the pushed 疑点 drawn
    inspected: int
    findings: dict[str, int]
    special_inspections: int
    specials_short: int  # how many short of two this year
    seeds: list[str]


class MeOut(BaseModel):
    name: str
    role: str  # county | township
    township_code: str | None
    year: int  # the county's current year, the pages' default

"""The county server's tables of the 第四十二条 loop (issue 24; sync/server/doubts.py and
inspections.py): 疑点 pushed to a township, its answers and their attachments, the county's draws
and inspections, and the special inspections counted. Declared on the server's registry
(models.ServerModel), so the Alembic revisions and the model check see them with the rest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, LargeBinary, String, Text
from sqlmodel import Field

from sync.server.models import ServerModel


class Doubt(ServerModel, table=True):
    """One 疑点 the county pushed to a township for 自查自纠 (003 第四十二条): a copy of the finding as
    it stood at the push, due 15 days after it. Written once; answers, draws and inspections are
    rows of their own, so nothing here is ever changed."""

    __tablename__ = "doubt"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(String, unique=True, nullable=False))  # names the finding (doubts.py)
    source: str  # desk (a review rule), county (the county's cross-checks), added (by staff)
    township_code: str = Field(index=True)
    village_code: str = Field(index=True)
    device_id: str | None = None
    seq: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    code: str
    ref: str
    day: str
    reason: str = Field(sa_column=Column(Text, nullable=False))
    pushed_by: str
    pushed_at: datetime
    pushed_on: str  # the county's date of the push (ISO)
    due_on: str  # 15 days after pushed_on (ISO)
    year: int = Field(index=True)  # of the push: the year a report counts it in


class DoubtAnswer(ServerModel, table=True):
    """A township's answer to a pushed 疑点: from the browser, or from the review window's file
    (flag_answer_id names the imported row). A later answer is the 疑点's history."""

    __tablename__ = "doubt_answer"
    id: int | None = Field(default=None, primary_key=True)
    doubt_id: int = Field(index=True)
    verdict: str  # 核实无误 / 已整改 / 移交
    answered_by: str
    answered_at: str  # ISO, as given (a file's answers carry the time they were made)
    answered_on: str  # the county's date of answered_at: on time when <= the 疑点's due_on
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    via: str  # 网页 / 文件
    recorded_by: str
    recorded_at: datetime
    flag_answer_id: int | None = Field(default=None, unique=True)


class DoubtAttachment(ServerModel, table=True):
    """A scanned page or photo that goes with a township's answer (PDF, JPEG or PNG, size-capped)."""

    __tablename__ = "doubt_attachment"
    id: int | None = Field(default=None, primary_key=True)
    doubt_id: int = Field(index=True)
    village_code: str = Field(index=True)
    name: str
    media_type: str
    size: int
    sha256: str
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_by: str
    uploaded_at: datetime


class DoubtDraw(ServerModel, table=True):
    """The working group's draw of >= 10% of a township's 疑点 pushed in a year, by a seed: the
    population is kept, so the same seed over it is seen to draw the same 疑点 again."""

    __tablename__ = "doubt_draw"
    id: int | None = Field(default=None, primary_key=True)
    township_code: str = Field(index=True)
    year: int
    seed: str
    population: str = Field(sa_column=Column(Text, nullable=False))  # JSON list of doubt ids
    chosen: str = Field(sa_column=Column(Text, nullable=False))  # JSON list of doubt ids
    drawn_by: str
    drawn_at: datetime


class DoubtInspection(ServerModel, table=True):
    """What the working group found when it inspected a drawn 疑点."""

    __tablename__ = "doubt_inspection"
    id: int | None = Field(default=None, primary_key=True)
    doubt_id: int = Field(index=True)
    draw_id: int
    result: str  # doubts.FINDINGS
    finding: str = Field(sa_column=Column(Text, nullable=False))
    inspected_by: str
    inspected_on: str
    recorded_by: str
    recorded_at: datetime


class SpecialInspection(ServerModel, table=True):
    """第四十一条: a special inspection of a township's cash collection (at least two a year each)."""

    __tablename__ = "special_inspection"
    id: int | None = Field(default=None, primary_key=True)
    township_code: str = Field(index=True)
    year: int = Field(index=True)
    held_on: str
    units: str
    summary: str = Field(sa_column=Column(Text, nullable=False))
    recorded_by: str
    recorded_at: datetime

"""The 《两险批量扣款清册》 a township compiles for the tax office (003 第二十六条; issue 25).

From each village's roster: every resident who still owes for the year and meets the batch
debit's condition (a 两两协议 in force: on neither the newest 未签两两协议 list nor the newest
需重签协议或换卡 list), with the full ID number (the 清册 goes to the tax office and the bank, so it
carries 「内部资料 请勿张贴」), the name, the amount to debit, and the account the township gives of
it: how many meet the condition, by 人员类别, and how many do not and why (they are for the other
channels or cash, 第二十九条). The main leader signs it and the government seals it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from app.domain.records import DueInfo

NOT_TO_POST = "内部资料 请勿张贴"
DATA_FORMAT = "daishou-debit-register/1"  # the file the county receives (sync/server/debit_register.py)
NO_AGREEMENT, RESIGN = "未签两两协议", "需重签协议或换卡"


@dataclass(frozen=True)
class RegisterLine:
    village_code: str
    id_number: str  # in full: the bank debits by it
    name: str
    group: str
    household_no: str
    category: str
    dues: tuple[DueInfo, ...]

    @property
    def total_fen(self) -> int:
        return sum(d.due_fen for d in self.dues)


@dataclass(frozen=True)
class VillagePart:
    """One village's share: its eligible lines and the people left out, with why."""

    village_code: str
    village_name: str
    lines: tuple[RegisterLine, ...]
    left_out: dict[str, int]  # NO_AGREEMENT / RESIGN -> people
    agreements_known: bool  # a 未签两两协议 list reached the village: else all count as signed
    file: str  # the ledger copy it was read from

    @property
    def total_fen(self) -> int:
        return sum(x.total_fen for x in self.lines)


@dataclass(frozen=True)
class CategoryLine:
    category: str
    people: int
    amount_fen: int


@dataclass(frozen=True)
class DebitRegister:
    county: str
    township_code: str
    township_name: str
    year: int
    as_of: date
    villages: tuple[VillagePart, ...]
    unreadable: tuple[tuple[str, str], ...] = ()  # (file, why): named on the 清册, never silently left out

    @property
    def lines(self) -> tuple[RegisterLine, ...]:
        return tuple(x for v in self.villages for x in v.lines)

    @property
    def people(self) -> int:
        return sum(len(v.lines) for v in self.villages)

    @property
    def total_fen(self) -> int:
        return sum(v.total_fen for v in self.villages)

    def by_category(self) -> list[CategoryLine]:
        people: dict[str, int] = defaultdict(int)
        amount: dict[str, int] = defaultdict(int)
        for x in self.lines:
            people[x.category] += 1
            amount[x.category] += x.total_fen
        return [CategoryLine(c, people[c], amount[c]) for c in sorted(people, key=lambda c: (c != "一般", c))]

    def left_out(self) -> dict[str, int]:
        out = {NO_AGREEMENT: 0, RESIGN: 0}
        for v in self.villages:
            for why, n in v.left_out.items():
                out[why] += n
        return out

    def to_json(self) -> dict[str, object]:
        return {"county": self.county, "township_code": self.township_code, "township_name": self.township_name,
                "year": self.year, "as_of": self.as_of.isoformat(), "people": self.people,
                "total_fen": self.total_fen, "left_out": self.left_out(),
                "categories": [{"category": c.category, "people": c.people, "amount_fen": c.amount_fen}
                               for c in self.by_category()],
                "villages": [{"village_code": v.village_code, "village_name": v.village_name,
                              "people": len(v.lines), "total_fen": v.total_fen, "left_out": v.left_out,
                              "agreements_known": v.agreements_known, "file": v.file} for v in self.villages],
                "unreadable": [{"file": f, "why": why} for f, why in self.unreadable]}

    def data(self, pdf_sha256: str) -> dict[str, object]:
        """What the county receives with the signed paper: every row, the totals, and the digest of
        the PDF that was printed (the county can tell which print the seal is on)."""
        return {"format": DATA_FORMAT, "township_code": self.township_code, "year": self.year,
                "as_of": self.as_of.isoformat(), "pdf_sha256": pdf_sha256, "people": self.people,
                "total_fen": self.total_fen,
                "rows": [{"village_code": x.village_code, "id_number": x.id_number, "name": x.name,
                          "category": x.category, "amount_fen": x.total_fen} for x in self.lines]}

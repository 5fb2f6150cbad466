"""What goes on paper, as plain data: a receipt's context and each report's content.

A service gathers these in one call (app/services/paper.py) and printing/ renders them; the
renderers never read the database or call a service back between two calls of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.domain.config import CountyConfig
from app.domain.entries import MonthCloseEntry
from app.domain.insurance import Insurance
from app.domain.records import Device, Receipt, ReceiptContext, Settlement


def receipt_context(device: Device, config: CountyConfig, categories: dict[str, str], *,
                    training: bool = False) -> ReceiptContext:
    """A receipt's context from the county configuration in force and its people's 人员类别."""
    paper = config.paper
    return ReceiptContext(
        township_name=device.township_name, collection_phone=paper.collection_phone, verify_url=paper.verify_url,
        parts=paper.receipt_parts, standard_fen={("medical", year): yc.medical_fen for year, yc in config.years.items()},
        categories=categories, training=training)


@dataclass(frozen=True)
class LedgerContext:
    """What the records alone do not say: categories, standards (for the subsidy), the payers'
    signature images by hash, and who prepares and who reviews the ledger."""

    categories: dict[str, str] = field(default_factory=dict)
    standard_fen: dict[tuple[str, int], int] = field(default_factory=dict)
    signatures: dict[str, bytes] = field(default_factory=dict)
    prepared_by: str = ""  # 制表人
    reviewer: str = ""  # 审核人 (the village head)


@dataclass(frozen=True)
class PostingRow:
    """One line of the 公示: a person paid for one insurance and year, in cash here or through
    another channel the tax office reported (then `paid_on` is None: its data has no date)."""

    group: str  # 村民小组, e.g. "第三村民小组"
    name: str
    id_number: str  # full; masked when drawn
    phone: str  # full or empty; masked when drawn
    insurance: Insurance
    year: int
    amount_fen: int
    paid_on: date | None
    channel: str = "现金代收"


@dataclass(frozen=True)
class UnpaidRow:
    """One line of the 未缴名单: what a person still owes for one insurance and year."""

    group: str
    name: str
    id_number: str
    phone: str  # shown in full: the agent calls them
    insurance: Insurance
    year: int
    due_fen: int  # what they pay in cash, after any subsidy
    category: str = "一般"


@dataclass(frozen=True)
class LedgerReport:
    """现金征缴登记台账 of start..end."""

    receipts: tuple[Receipt, ...]
    device: Device
    start: date  # the first day of the period, inclusive
    end: date
    context: LedgerContext


@dataclass(frozen=True)
class SettlementReport:
    """日结单: every settlement round of one day with its receipts."""

    rounds: tuple[tuple[Settlement, tuple[Receipt, ...]], ...]
    device: Device
    acknowledged: dict[str, str]  # settlement hash -> when the county acknowledged holding it


@dataclass(frozen=True)
class PostingReport:
    """公示: who paid in cash, for the village notice board."""

    rows: tuple[PostingRow, ...]
    village: str  # township and village, as the heading names them
    year: int
    start: date
    end: date
    posted: tuple[date, date]  # 公示期: first and last day on the wall
    report_phone: str


@dataclass(frozen=True)
class UnpaidReport:
    """未缴名单: who still owes, for door-to-door reminders."""

    rows: tuple[UnpaidRow, ...]
    village: str
    year: int  # the benefit year owed
    as_of: date


@dataclass(frozen=True)
class MonthReport:
    """月结单 of a closed month, as its entry recorded it."""

    device: Device
    recorded_at: str
    close: MonthCloseEntry


Report = LedgerReport | SettlementReport | PostingReport | UnpaidReport | MonthReport

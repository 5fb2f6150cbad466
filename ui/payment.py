"""What the agent is about to take: the household's due lines, who pays now, total and change.

Qt-free so the money arithmetic is tested on its own; the desk's table model only shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from app.domain.config import ConfigError, CountyConfig
from app.domain.insurance import Category, Insurance
from app.domain.records import PersonInfo
from app.services.receipts import LineRequest


@dataclass(frozen=True)
class DueLine:
    id_number: str
    name: str
    category: str
    insurance: Insurance
    year: int
    tier_fen: int | None
    due_fen: int
    amount_fen: int
    blocked: str | None  # why this line cannot be paid here (already paid, ...), else None
    checked: bool = False

    @property
    def payable(self) -> bool:
        return self.blocked is None

    @property
    def status(self) -> str:
        return self.blocked or "未缴"


def _blocked(person: PersonInfo, due_fen: int, receipt: str | None, elsewhere: str | None) -> str | None:
    if person.removed:
        return "已移出清册"
    if receipt:
        return f"已缴（收据 {receipt}）"
    if elsewhere:
        return f"已通过{elsewhere}缴费"
    if due_fen == 0:
        return "政府全额代缴"
    return None


class PaymentDraft:
    def __init__(self, config: CountyConfig, members: list[PersonInfo], *,
                 chosen_id: str | None = None) -> None:
        self.config = config
        self.members = members
        chosen = chosen_id or (members[0].id_number if members else None)
        self.lines: list[DueLine] = []
        for p in members:
            for d in p.dues:
                if d.removed:
                    continue
                blocked = _blocked(p, d.due_fen, d.paid_cash_receipt, d.paid_elsewhere)
                self.lines.append(DueLine(p.id_number, p.name, p.category, d.insurance, d.year,
                                          d.tier_fen, d.due_fen, d.due_fen, blocked,
                                          checked=blocked is None and p.id_number == chosen))

    # -- edits -------------------------------------------------------------------------------
    def set_checked(self, row: int, checked: bool) -> None:
        line = self.lines[row]
        if line.payable:
            self.lines[row] = replace(line, checked=checked)

    def tiers(self, row: int) -> tuple[int, ...]:
        line = self.lines[row]
        if line.insurance is not Insurance.PENSION:
            return ()
        try:
            return self.config.year(line.year).pension_tiers_fen
        except ConfigError:
            return ()

    def set_tier(self, row: int, tier_fen: int) -> None:
        """Pick another pension tier: what is due follows it (the subsidy stays the same)."""
        line = self.lines[row]
        if line.insurance is not Insurance.PENSION or not line.payable:
            return
        due = self.config.year(line.year).due_fen(Category.parse(line.category), line.insurance,
                                                  tier_fen)
        self.lines[row] = replace(line, tier_fen=tier_fen, due_fen=due, amount_fen=due)

    def set_amount(self, row: int, amount_fen: int) -> None:
        """An amount other than what is due: the core refuses it unless a reason is given."""
        line = self.lines[row]
        if line.payable and amount_fen >= 0:
            self.lines[row] = replace(line, amount_fen=amount_fen)

    # -- totals ------------------------------------------------------------------------------
    @property
    def chosen(self) -> list[DueLine]:
        return [line for line in self.lines if line.checked]

    @property
    def total_fen(self) -> int:
        return sum(line.amount_fen for line in self.chosen)

    def change_fen(self, cash_fen: int | None) -> int | None:
        """Change to give back, or None while the cash tendered does not cover the total."""
        if cash_fen is None or cash_fen < self.total_fen:
            return None
        return cash_fen - self.total_fen

    @property
    def amounts_differ(self) -> bool:
        return any(line.amount_fen != line.due_fen for line in self.chosen)

    def requests(self) -> list[LineRequest]:
        return [LineRequest(line.id_number, line.insurance, line.year,
                            line.tier_fen if line.insurance is Insurance.PENSION else None,
                            line.amount_fen) for line in self.chosen]

    def payer_id(self) -> str | None:
        chosen = self.chosen
        return chosen[0].id_number if chosen else None

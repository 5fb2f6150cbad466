"""What the agent is about to take: the household's due lines, who pays now, total and change.

The payment draft lives in app/, with no Qt, so the money rules the window applies (what can
be ticked, the tier's amount, the subsidy beside what is due, whether the cash needs
confirming) are one module that mypy and the no-Qt import test reach; the desk's table model
only shows it. A draft is made fresh for each payer and never reused: nothing the previous
household ticked, typed or chose can carry over.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from app.domain.config import ConfigError, CountyConfig
from app.domain.insurance import Category, Insurance
from app.domain.money import cash_question, format_fen
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
    subsidy_fen: int = 0  # what the government pays (代缴/资助) for the person's category

    @property
    def due_text(self) -> str:
        """What is due, with the subsidy beside it: 「120.00（政府资助 280.00）」."""
        due = format_fen(self.due_fen)
        return f"{due}（政府资助 {format_fen(self.subsidy_fen)}）" if self.subsidy_fen else due

    @property
    def payable(self) -> bool:
        return self.blocked is None

    @property
    def status(self) -> str:
        return self.blocked or "未缴"


def _subsidy(config: CountyConfig, category: str, insurance: Insurance, year: int) -> int:
    try:
        return config.year(year).subsidy(Category.parse(category), insurance)
    except (ConfigError, ValueError):
        return 0


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
                # A line paid at this desk shows the tier the receipt took, not the roster's.
                tier = d.paid_tier_fen if d.paid_cash_receipt and d.paid_tier_fen else d.tier_fen
                self.lines.append(DueLine(p.id_number, p.name, p.category, d.insurance, d.year,
                                          tier, d.due_fen, d.due_fen, blocked,
                                          checked=blocked is None and p.id_number == chosen,
                                          subsidy_fen=_subsidy(config, p.category, d.insurance,
                                                               d.year)))

    # -- edits -------------------------------------------------------------------------------
    def set_checked(self, row: int, checked: bool) -> None:
        line = self.lines[row]
        if line.payable:
            self.lines[row] = replace(line, checked=checked)

    def tick_household(self) -> bool:
        """全户: tick every line that can be paid; if all already are, untick them all.

        Returns whether the lines are now ticked."""
        payable = [n for n, line in enumerate(self.lines) if line.payable]
        tick = not all(self.lines[n].checked for n in payable)
        for n in payable:
            self.lines[n] = replace(self.lines[n], checked=tick)
        return tick and bool(payable)

    @property
    def nothing_to_pay(self) -> bool:
        """No line of this household can be paid here (all paid, subsidised or removed)."""
        return not any(line.payable for line in self.lines)

    def nothing_to_pay_text(self) -> str:
        states = sorted({line.status for line in self.lines})
        why = "、".join(states[:3]) if states else "清册中没有待缴项目"
        return f"本户没有需要收款的项目（{why}），无需收款"

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

    def cash_question(self, cash_fen: int) -> str | None:
        """The confirmation to ask before recording this cash (see money.cash_question)."""
        return cash_question(self.total_fen, cash_fen)

"""The ledger's rules, one function each: the service asks it before writing (and refuses with
its answer), the chain asks it again on replay (desk `verify`, the county's check of every
batch) and raises a ChainError with the same words. A rule answers None when the act is allowed,
else the Chinese reason.

Each takes plain values, not entries or rows, so the services pass what they read from their
tables and the chain what its state holds, and the 100,000-entry walk of `verify` builds no
objects to ask them.
"""

from __future__ import annotations

from enum import IntEnum

from app.domain.serials import Book


class ReceiptState(IntEnum):
    """Where a receipt stands (the chain keeps this number per receipt)."""

    OPEN = 0  # in no settlement round yet
    SETTLED = 1
    VOIDED = 2
    REFUND_REQUESTED = 3  # settled, and the county is asked to pay it back


def void_refusal(number: str, day: str, state: ReceiptState, paid: bool) -> str | None:
    """作废: only a receipt of an open round, not already voided, not paid on the payer's behalf."""
    if state is ReceiptState.VOIDED:
        return f"收据 {number} 已经作废"
    if paid:
        return f"收据 {number} 已代为缴费（税务系统已入账），不能作废：日结后登记退费申请"
    if state is not ReceiptState.OPEN:
        return f"收据 {number} 所在的 {day} 已日结，不能作废；如需退款，请在「收据 F3」选中它，按「退费申请」"
    return None


def refund_refusal(number: str, day: str, state: ReceiptState, total_fen: int, amount_fen: int) -> str | None:
    """退费申请: only for a settled receipt (a mistake on an open day is a void), once, for its total."""
    if state is ReceiptState.OPEN:
        return f"收据 {number} 所在的 {day} 尚未日结：当天的错误请作废，不走退费"
    return {ReceiptState.VOIDED: f"收据 {number} 已经作废，无需退费",
            ReceiptState.REFUND_REQUESTED: f"收据 {number} 已经申请过退费"}.get(state) \
        or _not_the_total(number, "退费", total_fen, amount_fen)


def payment_refusal(number: str, state: ReceiptState, paid: bool, total_fen: int, amount_fen: int) -> str | None:
    """代为缴费: once per receipt that still holds its cash (not voided, no refund asked), for its total."""
    if state is ReceiptState.VOIDED:
        return f"收据 {number} 已经作废，不能代为缴费"
    if paid:
        return f"收据 {number} 已经登记过代为缴费"
    if state is ReceiptState.REFUND_REQUESTED:
        return f"收据 {number} 已申请退费，不能代为缴费"
    return _not_the_total(number, "代缴", total_fen, amount_fen)


def _not_the_total(number: str, what: str, total_fen: int, amount_fen: int) -> str | None:
    if amount_fen != total_fen:
        return f"收据 {number} 的{what}金额 {amount_fen} 分与收据合计 {total_fen} 分不符"
    return None


def closed_month_refusal(day: str, closed_month: str, what: str) -> str | None:
    """Nothing is dated in a closed month (月结): cash, a remittance, a spoiled form."""
    if closed_month and day[:7] <= closed_month:
        return f"{closed_month} 已月结，{what}"
    return None


def settled_day_refusal(day: str, last_settled: str) -> str | None:
    """No receipt is dated before the newest settled day (cash on a settled day is its next round)."""
    if last_settled and day < last_settled:
        return f"收款日期 {day} 早于已日结的 {last_settled}，请先核对电脑日期和时间"
    return None


def overlap_refusal(book: Book, registered: list[Book]) -> str | None:
    """统一票据: a book's serials overlap no book registered before."""
    for other in registered:
        if book.overlaps(other):
            return (f"号段 {book.serial(book.first)}–{book.serial(book.last)} 与已登记的 "
                    f"{other.serial(other.first)}–{other.serial(other.last)} 重叠")
    return None


def serial_refusal(serial: object, expected: str | None, what: str) -> str | None:
    """统一票据: serials are used in order, each once (the next one of the registered books)."""
    if expected is None or serial != expected:
        return f"{what}的票号 {serial} 不是下一张统一票据（应为 {expected or '无：票据已用完'}）"
    return None


def settlement_refusal(day: str, last_settled: str, round_no: int, stated_round: int, has_open: bool,
                       expected_fen: int, stated_fen: int) -> str | None:
    """日结: rounds of a day in order, each over cash not in an earlier round, stating what its
    receipts add up to; days settle in order."""
    if day < last_settled or stated_round != round_no or (round_no > 1 and not has_open) \
            or stated_fen != expected_fen:
        return f"{day} 的日结应收金额或次数与当日收据不符"
    return None

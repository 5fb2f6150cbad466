"""Receipts to the printer: the paper on the device pool, the attempt logged as an operation.

The printer thread gets everything it prints (the receipt and its `PrintFacts`) and never reads
the database; the facts come with the recording, or with the one read that fetches a receipt
for a reprint. Shared by the desk (a new receipt) and the receipts screen (补打, 缴费证明).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from app.domain.records import Receipt
from app.services.operations import PrintFacts, print_facts
from ui.context import WindowContext
from ui.printer import PrinterProblem, ReceiptPrinter

if TYPE_CHECKING:
    from app.domain.records import ReceiptContext

Send = Callable[[ReceiptPrinter, Receipt, "ReceiptContext"], None]


def receipt_context(facts: PrintFacts) -> ReceiptContext:
    return facts  # the domain's context, made with the receipt (app/services/paper.py)


def fetch_for_print(ctx: WindowContext, number: str, then: Callable[[Receipt, PrintFacts], object]) -> None:
    """The receipt as it is now (its print count says 补打) and what its paper needs: one read."""
    desk = ctx.desk

    def fetch() -> tuple[Receipt, PrintFacts]:
        receipt = desk.receipts.get(number)
        return receipt, print_facts(desk, [receipt])

    ctx.tasks.run(fetch, lambda found: then(*found))


def send_to_printer(ctx: WindowContext, receipt: Receipt, facts: PrintFacts, send: Send,
                    done: Callable[[str | None], None]) -> None:
    """On the device pool: `send(printer, receipt, context)` (a receipt, or its 缴费证明); `done`
    gets back None, or what kept the printer from printing."""
    printer = ctx.printer

    def job() -> str | None:
        try:
            send(printer, receipt, receipt_context(facts))
        except PrinterProblem as exc:
            return exc.message
        return None

    ctx.tasks.run(job, done, io=True)


def print_receipt(ctx: WindowContext, receipt: Receipt, facts: PrintFacts, *, on_problem: Callable[[str], object],
                  on_printed: Callable[[], object] | None = None) -> None:
    """Print on the device pool, then log the attempt on the database worker (and say how it went)."""
    ops = ctx.ops

    def log(error: str | None) -> None:
        # the status bar hears what the printer said through the log's changes
        ctx.tasks.op(lambda: ops.log_print(receipt.number, ok=error is None, error=error), changes=ctx.changes)
        if error:
            on_problem(f"收据 {receipt.number} 已保存，但没有打印出来：{error}。请在“收据”中补打（F3）。")
        elif on_printed is not None:
            on_printed()

    send_to_printer(ctx, receipt, facts, lambda printer, r, context: printer.print_receipt(r, context), log)

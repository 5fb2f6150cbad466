"""The print-and-log routine of a receipt, once for the command line and the window.

Printing a receipt is render, send, then log the attempt either way: a failed first print
leaves the receipt an original (not a 补打), and the problem is said in words the agent can act
on. The window sends on its device pool and logs on its database worker, the command line does
both in turn; both go through `send_receipt` and `log_attempt`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from app.domain.records import Receipt, ReceiptContext
from printing.devices import PrinterError
from printing.escpos_receipt import ReceiptOptions, render_receipt
from printing.fonts import FontMissingError


class PrintLog(Protocol):
    """Where attempts are logged (the desk's receipts service)."""

    def record_print(self, number: str, *, ok: bool, error: str | None = None) -> int: ...


def send_receipt(send: Callable[[bytes], object], receipt: Receipt, options: ReceiptOptions,
                 context: ReceiptContext | None) -> tuple[int, str | None]:
    """Render the receipt and send it: (bytes sent, None) or (0, what kept it from printing)."""
    try:
        job = render_receipt(receipt, options, context)
    except FontMissingError as exc:  # a rare character and no font on this PC that has it
        return 0, f"无法生成收据：{exc}"
    try:
        send(job)
    except PrinterError as exc:  # its text is the Chinese message to show
        return 0, str(exc)
    except OSError as exc:
        return 0, f"打印失败：{exc}"
    return len(job), None


def log_attempt(log: PrintLog, receipt: Receipt, problem: str | None) -> int:
    """Journal the attempt; the copy number it was (0: the original) when it printed."""
    return log.record_print(receipt.number, ok=problem is None, error=problem)

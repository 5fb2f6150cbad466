"""The receipt printer as the window sees it: a small protocol, so tests pass a fake and the
real ESC/POS device from printing/ is wired in one place (printer_from_settings).

Every method may block on a device, so the window calls them on the I/O pool, never the GUI
thread; a problem is a PrinterProblem whose message the agent can act on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from app.domain.printer_settings import PrinterSettings
from app.domain.records import Receipt

if TYPE_CHECKING:  # imported lazily at run time: the window opens without a printer module
    from printing.devices import EscposDevice
    from printing.escpos_receipt import ReceiptOptions
    from printing.receipt_layout import ReceiptContext

# The kinds of printer the settings and the setup wizard offer, as (URI scheme, what the agent reads).
PRINTER_KINDS = (("tcp", "网络打印机"), ("usb", "USB"), ("serial", "串口"), ("win32", "Windows 打印机"),
                 ("file", "设备文件"))


def split_uri(uri: str) -> tuple[str, str]:
    """(kind, address) of a printer URI; a bare address is a network printer."""
    kind, sep, rest = uri.partition("://")
    return (kind, rest) if sep else ("tcp", uri)


class PrinterProblem(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ReceiptPrinter(Protocol):
    @property
    def description(self) -> str:
        """Where it prints, for the status bar ("未设置", "tcp://192.168.1.50:9100 · 58mm")."""
        ...

    def print_receipt(self, receipt: Receipt, context: ReceiptContext | None = None) -> None:
        """Print one receipt; receipt.prints > 0 means this one is a copy (补打)."""
        ...

    def print_proof(self, receipt: Receipt, context: ReceiptContext | None = None) -> None:
        """Print the 缴费证明 of a receipt paid on the payer's behalf."""
        ...

    def test_print(self) -> None: ...

    def status(self) -> str:
        """"就绪", or what is wrong ("缺纸", "未连接")."""
        ...


class NoPrinter:
    """No printer configured yet: the receipt is recorded, the agent is told to set one up."""

    description = "未设置"

    def _refuse(self) -> None:
        raise PrinterProblem("尚未设置收据打印机：请在“设置”中填写打印机地址，然后补打收据")

    def print_receipt(self, receipt: Receipt, context: ReceiptContext | None = None) -> None:
        self._refuse()

    def print_proof(self, receipt: Receipt, context: ReceiptContext | None = None) -> None:
        self._refuse()

    def test_print(self) -> None:
        self._refuse()

    def status(self) -> str:
        return "未设置"


class EscposPrinter:
    """A thermal printer through printing/: render_receipt makes the bytes, EscposDevice sends them.

    printing/ (and python-escpos with it) is imported on the first print, on the device pool,
    so opening the window does not pay for it.
    """

    def __init__(self, settings: PrinterSettings) -> None:
        self.settings = settings

    @property
    def uri(self) -> str:
        return self.settings.uri

    @property
    def description(self) -> str:
        return f"{self.settings.uri} · {self.settings.width_mm}mm"

    def _device_and_options(self) -> tuple[EscposDevice, ReceiptOptions]:
        try:
            from printing.devices import EscposDevice
            from printing.escpos_receipt import ReceiptOptions
            from printing.uri import PrinterUriError
        except ImportError as exc:  # python-escpos or Pillow missing from this installation
            raise PrinterProblem(f"打印模块不可用：{exc}") from None
        options = ReceiptOptions.for_printer(self.settings)
        try:
            return EscposDevice(self.settings.uri), options
        except PrinterUriError as exc:
            raise PrinterProblem(f"打印机地址有误：{exc}") from None

    def print_receipt(self, receipt: Receipt, context: ReceiptContext | None = None) -> None:
        """The renderer marks a receipt with prints > 0 as 【补打】."""
        from printing.jobs import send_receipt

        device, options = self._device_and_options()
        _sent, problem = send_receipt(device.send, receipt, options, context)
        if problem is not None:
            raise PrinterProblem(problem)

    def print_proof(self, receipt: Receipt, context: ReceiptContext | None = None) -> None:
        from printing.payment_proof import render_payment_proof

        device, options = self._device_and_options()
        self._send(device, self._render(lambda: render_payment_proof(receipt, options, context)))

    def test_print(self) -> None:
        from printing.test_page import render_test_page

        device, options = self._device_and_options()
        self._send(device, self._render(lambda: render_test_page(options, self.uri)))

    def status(self) -> str:
        try:
            device, _ = self._device_and_options()
            problem = device.status().problem
        except PrinterProblem as exc:
            return exc.message
        except Exception as exc:  # noqa: BLE001 - any device fault is a state to show, not a crash
            return f"未连接（{exc}）"
        return problem or "就绪"

    @staticmethod
    def _render(make: Callable[[], bytes]) -> bytes:
        from printing.fonts import FontMissingError

        try:
            return make()
        except FontMissingError as exc:  # a rare character and no font on this PC that has it
            raise PrinterProblem(f"无法生成收据：{exc}") from None

    @staticmethod
    def _send(device, data: bytes) -> None:  # type: ignore[no-untyped-def]
        from printing.devices import PrinterError

        try:
            device.send(data)
        except PrinterError as exc:  # its text is the Chinese message to show
            raise PrinterProblem(str(exc)) from None
        except OSError as exc:
            raise PrinterProblem(f"打印失败：{exc}") from None


def printer_from_settings(settings: PrinterSettings) -> ReceiptPrinter:
    """The printer the settings describe; NoPrinter when none is set."""
    if not settings.configured:
        return NoPrinter()
    return EscposPrinter(settings)

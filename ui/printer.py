"""The receipt printer as the window sees it: a small protocol, so tests pass a fake and the
real ESC/POS device from printing/ is wired in one place (printer_from_settings).

Every method may block on a device, so the window calls them on the I/O pool, never the GUI
thread; a problem is a PrinterProblem whose message the agent can act on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from app.domain.records import Receipt

if TYPE_CHECKING:
    from app.services.desk import Desk


class PrinterProblem(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ReceiptPrinter(Protocol):
    @property
    def description(self) -> str:
        """Where it prints, for the status bar ("未设置", "tcp://192.168.1.50:9100 · 58mm")."""
        ...

    def print_receipt(self, receipt: Receipt) -> None:
        """Print one receipt; receipt.prints > 0 means this one is a copy (补打)."""
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

    def print_receipt(self, receipt: Receipt) -> None:
        self._refuse()

    def test_print(self) -> None:
        self._refuse()

    def status(self) -> str:
        return "未设置"


class EscposPrinter:
    """A thermal printer through printing/ (ESC/POS renderer + device adapters)."""

    def __init__(self, uri: str, *, width_mm: int = 58) -> None:
        self.uri = uri
        self.width_mm = width_mm

    @property
    def description(self) -> str:
        return f"{self.uri} · {self.width_mm}mm"

    def _device_and_options(self):  # type: ignore[no-untyped-def]
        try:
            from printing.devices import EscposDevice
            from printing.escpos_receipt import ReceiptOptions
        except ImportError as exc:  # printing/ not merged, or python-escpos missing
            raise PrinterProblem(f"打印模块不可用：{exc}") from None
        options = ReceiptOptions(width_dots=576 if self.width_mm == 80 else 384)
        return EscposDevice(self.uri), options

    def print_receipt(self, receipt: Receipt) -> None:
        from printing.escpos_receipt import render_receipt

        device, options = self._device_and_options()
        self._send(device, render_receipt(receipt, options))

    def test_print(self) -> None:
        device, options = self._device_and_options()
        text = "代收 测试打印\n打印机工作正常\n\n\n".encode("gb18030")
        self._send(device, b"\x1b@\x1c&" + text + b"\x1c.\x1dV\x42\x00")

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
    def _send(device, data: bytes) -> None:  # type: ignore[no-untyped-def]
        try:
            device.send(data)
        except PrinterProblem:
            raise
        except Exception as exc:  # noqa: BLE001 - PrinterError or an OS error from the port
            raise PrinterProblem(f"打印失败：{exc}") from None


def printer_from_settings(desk: Desk) -> ReceiptPrinter:
    uri = (desk.setup.get_setting("printer.uri") or "").strip()
    if not uri:
        return NoPrinter()
    width = int(desk.setup.get_setting("printer.width") or 58)
    return EscposPrinter(uri, width_mm=width)

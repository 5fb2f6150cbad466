"""The wizard's printer finder: COM ports and USB printers as this PC sees them, and a note
instead of an error when a finder cannot look (no libusb on a village PC)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import usb.core
from serial.tools import list_ports

from printing.discover import Found, find_printers


def test_com_ports_listed_and_missing_libusb_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(list_ports, "comports", lambda: [SimpleNamespace(device="/dev/ttyUSB0", description="USB-Serial")])

    def no_backend(**_kw: object) -> None:
        raise usb.core.NoBackendError("No backend available")

    monkeypatch.setattr(usb.core, "find", no_backend)
    found, notes = find_printers()
    assert found == [Found("serial", "/dev/ttyUSB0?baud=9600", "串口 /dev/ttyUSB0（USB-Serial）")]
    assert notes == ["USB 打印机需要 libusb 驱动，本机没有安装，所以没有列出 USB 打印机"]


def test_usb_printers_are_told_from_other_usb_devices(monkeypatch: pytest.MonkeyPatch) -> None:
    class Dev:
        def __init__(self, vendor: int, product: int, cls: int) -> None:
            self.idVendor, self.idProduct, self.bDeviceClass, self._cls = vendor, product, 0, cls

        def __iter__(self):  # type: ignore[no-untyped-def]
            return iter([[SimpleNamespace(bInterfaceClass=self._cls)]])

    monkeypatch.setattr(list_ports, "comports", lambda: [])
    monkeypatch.setattr(usb.core, "find", lambda **_kw: [Dev(0x0416, 0x5011, 7), Dev(0x046D, 0xC52B, 3)])
    found, notes = find_printers()
    assert found == [Found("usb", "0416:5011", "USB 打印机 0416:5011")] and notes == []

"""The printers a village PC can see: serial (COM) ports, USB printers and Windows printers.

Each finder is tried on its own and a failure is a note, not an error: a PC without libusb
still lists its COM ports, and the wizard says why no USB printer was listed.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

USB_PRINTER_CLASS = 7  # USB interface class of printers


@dataclass(frozen=True)
class Found:
    kind: str  # "usb", "serial", "win32" (as in printer URIs)
    address: str  # what follows "kind://"
    label: str  # what the agent reads


def find_printers() -> tuple[list[Found], list[str]]:
    """(printers found, notes on what could not be looked at)."""
    found: list[Found] = []
    notes: list[str] = []
    try:
        from serial.tools import list_ports

        for port in sorted(list_ports.comports(), key=lambda p: p.device):
            # pyserial says "n/a" for a port with nothing known behind it (Linux lists ttyS0-31)
            described = port.description if port.description not in ("", "n/a", None) else "串口设备"
            found.append(Found("serial", f"{port.device}?baud=9600", f"串口 {port.device}（{described}）"))
    except Exception as exc:  # noqa: BLE001 - a finder that fails is a note
        notes.append(f"无法列出串口：{exc}")
    try:
        import usb.core

        for dev in usb.core.find(find_all=True) or []:
            classes = {intf.bInterfaceClass for cfg in dev for intf in cfg}
            if USB_PRINTER_CLASS in classes or dev.bDeviceClass == USB_PRINTER_CLASS:
                found.append(Found("usb", f"{dev.idVendor:04x}:{dev.idProduct:04x}",
                                   f"USB 打印机 {dev.idVendor:04x}:{dev.idProduct:04x}"))
    except ValueError as exc:
        if type(exc).__name__ == "NoBackendError":
            notes.append("USB 打印机需要 libusb 驱动，本机没有安装，所以没有列出 USB 打印机")
        else:
            notes.append(f"无法列出 USB 设备：{exc}")
    except Exception as exc:  # noqa: BLE001
        notes.append(f"无法列出 USB 设备：{exc}")
    if sys.platform == "win32":  # pragma: no cover - Windows only
        try:
            import win32print  # type: ignore[import-not-found]

            for _flags, _desc, name, _comment in win32print.EnumPrinters(2):
                found.append(Found("win32", name, f"Windows 打印机「{name}」"))
        except Exception as exc:  # noqa: BLE001
            notes.append(f"无法列出 Windows 打印机：{exc}")
    return found, notes

"""Printer addresses as one string a person can type into the settings: `tcp://host:9100` etc."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

Kind = Literal["tcp", "usb", "serial", "win32", "file"]

EXAMPLES = (
    "tcp://192.168.1.100:9100、usb://0416:5011、serial:///dev/ttyS0?baud=9600、"
    "serial://COM3?baud=9600、win32://打印机名称、file:///dev/usb/lp0"
)
_BAUDS = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)


class PrinterUriError(ValueError):
    """A printer address that cannot be used; str() is a Chinese message for the user."""


@dataclass(frozen=True)
class PrinterUri:
    kind: Kind
    host: str = ""
    port: int = 9100
    vendor: int = 0
    product: int = 0
    device: str = ""  # serial port or file path
    baud: int = 9600
    name: str = ""  # Windows printer name

    def __str__(self) -> str:
        match self.kind:
            case "tcp":
                return f"tcp://{self.host}:{self.port}"
            case "usb":
                return f"usb://{self.vendor:04x}:{self.product:04x}"
            case "serial":
                return f"serial://{self.device}?baud={self.baud}"
            case "win32":
                return f"win32://{self.name}"
            case _:
                return f"file://{self.device}"

    @property
    def answers_status(self) -> bool:
        """Whether `DLE EOT` can be read back: a spooler or a plain file never answers."""
        return self.kind in ("tcp", "usb", "serial")


def _bad(text: str, why: str) -> PrinterUriError:
    return PrinterUriError(f"打印机地址「{text}」无效：{why}。示例：{EXAMPLES}")


def _hex16(text: str, part: str, original: str) -> int:
    try:
        value = int(part, 16)
    except ValueError:
        raise _bad(original, f"USB 厂商号/产品号「{part}」应为十六进制，如 0416:5011") from None
    if not 0 <= value <= 0xFFFF:
        raise _bad(original, f"USB 厂商号/产品号「{part}」超出范围")
    return value


def parse_printer_uri(text: str) -> PrinterUri:
    raw = (text or "").strip()
    if "://" not in raw:
        raise _bad(raw, "缺少类型前缀（tcp://、usb://、serial://、win32://、file://）")
    scheme, rest = raw.split("://", 1)
    scheme = scheme.lower()
    if scheme == "tcp":
        parts = urlsplit(raw)
        try:
            port = parts.port or 9100
        except ValueError:
            raise _bad(raw, "端口应为 1–65535 的数字") from None
        if not parts.hostname:
            raise _bad(raw, "缺少打印机的 IP 地址或主机名")
        return PrinterUri("tcp", host=parts.hostname, port=port)
    if scheme == "usb":
        ids = rest.strip("/").split(":")
        if len(ids) != 2:
            raise _bad(raw, "USB 打印机应写成 厂商号:产品号，如 usb://0416:5011")
        return PrinterUri("usb", vendor=_hex16(raw, ids[0], raw), product=_hex16(raw, ids[1], raw))
    if scheme == "serial":
        path, _, query = rest.partition("?")
        if not path:
            raise _bad(raw, "缺少串口名，如 /dev/ttyS0 或 COM3")
        baud_text = parse_qs(query).get("baud", ["9600"])[0]
        if not baud_text.isdigit() or int(baud_text) not in _BAUDS:
            raise _bad(raw, f"波特率「{baud_text}」不支持（可用：{'、'.join(map(str, _BAUDS))}）")
        return PrinterUri("serial", device=unquote(path), baud=int(baud_text))
    if scheme == "win32":
        name = unquote(rest).strip("/")
        if not name:
            raise _bad(raw, "缺少 Windows 打印机名称（控制面板“设备和打印机”中显示的名称）")
        return PrinterUri("win32", name=name)
    if scheme == "file":
        path = unquote(rest)
        if len(path) > 2 and path[0] == "/" and path[2] == ":":
            path = path[1:]  # file:///C:/receipts/out.bin on Windows
        if not path:
            raise _bad(raw, "缺少文件路径")
        return PrinterUri("file", device=path)
    raise _bad(raw, f"不认识的类型「{scheme}」")

"""Send finished ESC/POS bytes to a printer, and ask it how it is.

`send()` is plain blocking I/O with short timeouts: the UI runs it on a worker thread, never on
the GUI thread. Every failure a person can fix comes out as `PrinterError` with a Chinese message
that says what to check; the receipt itself is already recorded and can be printed again later.
"""

from __future__ import annotations

import contextlib
import socket
from dataclasses import dataclass
from typing import Any

from printing._escpos import escpos_modules
from printing.uri import PrinterUri, parse_printer_uri

DLE_EOT = b"\x10\x04"


class PrinterError(RuntimeError):
    """A printer problem a person can fix; str() is the Chinese message to show."""


@dataclass(frozen=True)
class PrinterStatus:
    """Real-time status from `DLE EOT`; `answered` is False when the printer said nothing."""

    answered: bool
    offline: bool = False
    cover_open: bool = False
    paper_out: bool = False
    paper_low: bool = False
    error: bool = False

    @property
    def problem(self) -> str | None:
        """What stops printing, in Chinese, or None when the printer is ready (or silent)."""
        if self.paper_out:
            return "打印机缺纸，请装入热敏纸"
        if self.cover_open:
            return "打印机纸仓盖未合上"
        if self.error:
            return "打印机报错（可能卡纸或切刀故障），请检查后重新开机"
        if self.offline:
            return "打印机处于离线状态"
        return None


def parse_status(online: bytes, offline_cause: bytes, paper: bytes) -> PrinterStatus:
    """Decode the answers to DLE EOT 1, 2 and 4 (one byte each, empty when none came)."""
    if not (online or offline_cause or paper):
        return PrinterStatus(answered=False)
    o = online[0] if online else 0
    c = offline_cause[0] if offline_cause else 0
    p = paper[0] if paper else 0
    return PrinterStatus(
        answered=True,
        offline=bool(o & 0x08),
        cover_open=bool(c & 0x04),
        paper_out=bool(p & 0x60) or bool(c & 0x20),
        paper_low=bool(p & 0x0C),
        error=bool(c & 0x40),
    )


class EscposDevice:
    """One printer addressed by URI; opens, writes and closes per job."""

    def __init__(self, uri: str | PrinterUri, *, timeout: float = 3.0,
                 status_timeout: float = 0.5) -> None:
        self.uri = uri if isinstance(uri, PrinterUri) else parse_printer_uri(uri)
        self.timeout = timeout
        self.status_timeout = status_timeout

    # -- public API -------------------------------------------------------------------------
    def send(self, data: bytes, *, check_status: bool = True) -> None:
        """Write one job. Raises PrinterError when the printer cannot print it."""
        printer = self._open()
        try:
            if check_status and self.uri.answers_status:
                self._raise_on_problem(self._query(printer), before=True)
            try:
                printer._raw(data)
            except (OSError, TimeoutError) as exc:
                raise PrinterError(self._io_message(exc, writing=True)) from exc
            if hasattr(printer, "flush"):
                printer.flush()
            if check_status and self.uri.answers_status:
                self._raise_on_problem(self._query(printer), before=False)
        finally:
            self._close(printer)

    def status(self) -> PrinterStatus:
        """Ask the printer now; a printer or transport that never answers gives answered=False."""
        if not self.uri.answers_status:
            return PrinterStatus(answered=False)
        printer = self._open()
        try:
            return self._query(printer)
        finally:
            self._close(printer)

    # -- internals --------------------------------------------------------------------------
    def _raise_on_problem(self, status: PrinterStatus, *, before: bool) -> None:
        problem = status.problem
        if problem is None:
            return
        if before:
            raise PrinterError(f"{problem}；收据已保存，处理后可重新打印（{self.uri}）")
        raise PrinterError(f"打印中途出错：{problem}；这张收据可能没有打全，处理后请重新打印")

    def _query(self, printer: Any) -> PrinterStatus:
        answers = []
        for n in (1, 2, 4):
            try:
                printer._raw(DLE_EOT + bytes([n]))
                answers.append(self._read(printer))
            except (OSError, TimeoutError):
                answers.append(b"")
            if not answers[0]:
                # Many cheap printers ignore DLE EOT; don't wait three timeouts to learn that.
                return PrinterStatus(answered=False)
        return parse_status(*answers)

    def _read(self, printer: Any) -> bytes:
        if self.uri.kind == "tcp":
            sock = printer.device
            sock.settimeout(self.status_timeout)
            try:
                return bytes(sock.recv(1))
            except (TimeoutError, OSError):
                return b""
            finally:
                sock.settimeout(self.timeout)
        return bytes(printer._read() or b"")[:1]

    def _open(self) -> Any:
        printer_mod, exceptions, _ = escpos_modules()
        u = self.uri
        try:
            match u.kind:
                case "tcp":
                    printer = printer_mod.Network(u.host, port=u.port, timeout=self.timeout)
                case "usb":
                    self._require(printer_mod.Usb, "USB 打印需要安装 pyusb 和 libusb 驱动")
                    printer = printer_mod.Usb(u.vendor, u.product, timeout=int(self.timeout * 1000))
                case "serial":
                    self._require(printer_mod.Serial, "串口打印需要安装 pyserial")
                    printer = printer_mod.Serial(u.device, baudrate=u.baud, timeout=self.timeout)
                case "win32":
                    self._require(printer_mod.Win32Raw, "Windows 打印机只能在 Windows 上使用"
                                  "（并需要 pywin32）")
                    printer = printer_mod.Win32Raw(u.name)
                case _:
                    printer = printer_mod.File(u.device)
            if u.kind == "tcp":
                # WORKAROUND: python-escpos Network.open() leaks the socket when connect fails
                # (it drops the reference without closing); create_connection closes it.
                try:
                    printer.device = socket.create_connection((u.host, u.port), self.timeout)
                except OSError as exc:
                    raise PrinterError(self._io_message(exc, writing=False)) from exc
            else:
                printer.open()
        except exceptions.DeviceNotFoundError as exc:
            raise PrinterError(self._io_message(exc.__context__ or exc, writing=False)) from exc
        except ValueError as exc:  # pyusb's NoBackendError: no libusb on this PC
            if type(exc).__name__ != "NoBackendError":
                raise
            raise PrinterError("这台电脑没有 USB 打印所需的驱动（libusb）：请安装打印机随附的驱动程序"
                               "（或 libusb），也可把打印机改接网线或串口；收据已保存，装好后可补打") from exc
        return printer

    @staticmethod
    def _require(cls: Any, message: str) -> None:
        if not cls.is_usable():
            raise PrinterError(message)

    @staticmethod
    def _close(printer: Any) -> None:
        # The job is written or already failed; a close error adds nothing a person can fix.
        with contextlib.suppress(OSError):
            printer.close()

    def _io_message(self, exc: BaseException, *, writing: bool) -> str:
        u = self.uri
        where = {"tcp": f"网络打印机 {u.host}:{u.port}", "usb": f"USB 打印机 {u}",
                 "serial": f"串口打印机 {u.device}", "win32": f"Windows 打印机「{u.name}」",
                 "file": f"打印文件 {u.device}"}[u.kind]
        if isinstance(exc, ConnectionRefusedError):
            why = "拒绝连接：请检查打印机是否开机、IP 地址和端口（通常为 9100）是否正确"
        elif isinstance(exc, TimeoutError | socket.timeout):
            why = ("没有响应（超时）：可能缺纸、卡纸或打印缓冲已满" if writing else
                   "连接超时：请检查打印机是否开机、网线是否插好、电脑和打印机是否在同一网络")
        elif isinstance(exc, socket.gaierror):
            why = "找不到这个主机名，请改用打印机的 IP 地址"
        elif isinstance(exc, PermissionError):
            why = "没有权限打开（Linux 上请把当前用户加入 lp 组）"
        elif isinstance(exc, FileNotFoundError):
            why = "不存在：请检查数据线和路径"
        elif isinstance(exc, ConnectionError | BrokenPipeError):
            why = "连接被中断：请检查打印机电源和网线"
        elif u.kind == "serial" and any(k in str(exc) for k in ("denied", "busy", "PermissionError", "Errno 16")):
            why = "被其他程序占用：请关闭正在使用这个串口的程序（其他收款或打印软件）后重试"
        elif u.kind == "serial" and "could not open port" in str(exc):
            why = "打不开：请检查串口号（设备管理器中的 COM 口）和数据线"
        else:
            why = f"无法打印（{exc}）"
        return f"{where} {why}；收据已保存，处理后可重新打印"

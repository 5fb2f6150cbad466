"""Printer addresses, a real job over TCP to a loopback printer, and the failures people meet."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from printing.devices import EscposDevice, PrinterError, parse_status
from printing.escpos_receipt import render_receipt
from printing.uri import PrinterUri, PrinterUriError, parse_printer_uri
from tests.printing import samples
from tests.printing.escpos_decoder import decode
from tests.printing.loopback import NORMAL, PAPER_OUT, LoopbackPrinter, without_status_queries


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tcp://192.168.1.100:9100", PrinterUri("tcp", host="192.168.1.100", port=9100)),
        ("tcp://printer", PrinterUri("tcp", host="printer", port=9100)),
        ("usb://0416:5011", PrinterUri("usb", vendor=0x0416, product=0x5011)),
        ("serial:///dev/ttyS0?baud=9600", PrinterUri("serial", device="/dev/ttyS0", baud=9600)),
        ("serial://COM3?baud=115200", PrinterUri("serial", device="COM3", baud=115200)),
        ("win32://XP-58%20(copy%201)", PrinterUri("win32", name="XP-58 (copy 1)")),
        ("win32://收据打印机", PrinterUri("win32", name="收据打印机")),
        ("file:///dev/usb/lp0", PrinterUri("file", device="/dev/usb/lp0")),
        ("file:///C:/out/receipt.bin", PrinterUri("file", device="C:/out/receipt.bin")),
    ],
)
def test_printer_uris(text: str, expected: PrinterUri) -> None:
    assert parse_printer_uri(text) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("192.168.1.100", "缺少类型前缀"),
        ("tcp://:9100", "IP 地址"),
        ("tcp://10.0.0.1:99999", "端口"),
        ("usb://0416", "厂商号:产品号"),
        ("usb://zz:5011", "十六进制"),
        ("serial:///dev/ttyS0?baud=9601", "波特率"),
        ("win32://", "打印机名称"),
        ("lpt://1", "不认识的类型"),
    ],
)
def test_bad_printer_uris_say_why_in_chinese(text: str, why: str) -> None:
    with pytest.raises(PrinterUriError, match=why) as info:
        parse_printer_uri(text)
    assert "示例" in str(info.value)


@pytest.fixture
def printer() -> Iterator[LoopbackPrinter]:
    p = LoopbackPrinter(status=NORMAL)
    yield p
    p.close()


def _wait_for_job(p: LoopbackPrinter, connections: int = 1) -> bytes:
    deadline = time.monotonic() + 5
    while len(p.jobs) < connections and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(p.jobs) == connections, "loopback printer received nothing"
    return p.jobs[-1]


def test_receipt_reaches_a_network_printer(printer: LoopbackPrinter) -> None:
    job = render_receipt(samples.ORDINARY)
    EscposDevice(printer.uri, timeout=2).send(job)
    received = without_status_queries(_wait_for_job(printer))
    assert received == job
    assert samples.ORDINARY.number in decode(received).texts[1]


def test_printer_that_never_answers_status_still_prints() -> None:
    silent = LoopbackPrinter(status=None)
    try:
        device = EscposDevice(silent.uri, timeout=2, status_timeout=0.1)
        assert device.status().answered is False
        job = render_receipt(samples.MINORITY)
        device.send(job)
        assert without_status_queries(_wait_for_job(silent, connections=2)) == job
    finally:
        silent.close()


def test_out_of_paper_is_refused_before_sending_the_job() -> None:
    empty = LoopbackPrinter(status=PAPER_OUT)
    try:
        device = EscposDevice(empty.uri, timeout=2)
        assert device.status().paper_out
        with pytest.raises(PrinterError, match="缺纸") as info:
            device.send(render_receipt(samples.ORDINARY))
        assert "收据已保存" in str(info.value)
        assert without_status_queries(_wait_for_job(empty, connections=2)) == b""
    finally:
        empty.close()


def test_refused_connection_gives_a_clear_message() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(PrinterError) as info:
        EscposDevice(f"tcp://127.0.0.1:{port}", timeout=1).send(b"\x1b@")
    message = str(info.value)
    assert f"127.0.0.1:{port}" in message and "拒绝连接" in message and "开机" in message


def test_file_printer_writes_the_job(tmp_path: Path) -> None:
    target = tmp_path / "receipt.bin"
    job = render_receipt(samples.ORDINARY)
    EscposDevice(f"file://{target}").send(job)
    assert target.read_bytes() == job  # no status query written into a file


def test_file_printer_in_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(PrinterError, match="不存在"):
        EscposDevice(f"file://{tmp_path}/nope/receipt.bin").send(b"\x1b@")


def test_status_bits() -> None:
    assert parse_status(b"", b"", b"").answered is False
    ok = parse_status(b"\x12", b"\x12", b"\x12")
    assert ok.answered and ok.problem is None
    assert "缺纸" in (parse_status(b"\x1a", b"\x32", b"\x72").problem or "")
    assert "纸仓盖" in (parse_status(b"\x1a", b"\x16", b"\x12").problem or "")
    low = parse_status(b"\x12", b"\x12", b"\x1e")
    assert low.paper_low and low.problem is None  # near end still prints


def test_importing_escpos_leaves_logging_and_temp_alone(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    code = ("import logging, os; from printing._escpos import escpos_modules; escpos_modules(); "
            "print(len(logging.getLogger().handlers), os.environ['ESCPOS_CAPABILITIES_PICKLE_DIR'])")
    env = {k: v for k, v in os.environ.items() if k != "ESCPOS_CAPABILITIES_PICKLE_DIR"}
    env["TMPDIR"] = str(tmp_path)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=Path(__file__).resolve().parents[2], check=True).stdout.split()
    assert out[0] == "0"  # python-escpos's logging.basicConfig() handler was taken back
    # one stable cache folder, not a fresh mkdtemp() per start
    assert [p.name for p in tmp_path.iterdir()] == [Path(out[1]).name]


def test_a_usb_printer_on_a_pc_without_libusb_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """The common case on village PCs: pyusb is there, the libusb driver is not."""
    import usb.core

    def no_backend(**_kw: object) -> None:
        raise usb.core.NoBackendError("No backend available")

    monkeypatch.setattr(usb.core, "find", no_backend)
    with pytest.raises(PrinterError) as caught:
        EscposDevice("usb://0416:5011").send(b"\x1b@", check_status=False)
    assert "没有 USB 打印所需的驱动（libusb）" in caught.value.args[0] and "收据已保存" in caught.value.args[0]


@pytest.mark.parametrize("error", [
    "could not open port 'COM3': PermissionError(13, 'Access is denied.', None, 5)",  # Windows
    "[Errno 16] could not open port /dev/ttyUSB0: [Errno 16] Device or resource busy: '/dev/ttyUSB0'",  # Linux
])
def test_a_com_port_in_use_is_named(monkeypatch: pytest.MonkeyPatch, error: str) -> None:
    import serial

    def busy(*_a: object, **_kw: object) -> None:
        raise serial.SerialException(error)

    monkeypatch.setattr(serial, "Serial", busy)
    with pytest.raises(PrinterError, match="串口打印机 .* 被其他程序占用：请关闭正在使用这个串口的程序"):
        EscposDevice("serial://COM3?baud=9600" if "COM3" in error else "serial:///dev/ttyUSB0").send(
            b"\x1b@", check_status=False)

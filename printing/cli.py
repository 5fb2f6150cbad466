"""`daishou print ...` and `daishou report ...`: plugged into the command line by entry point.

Printing a receipt logs the attempt either way: a failed first print leaves the receipt an
original (not a 补打), and the message says what to fix on the printer.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from app.cli.common import Context, iso_day, json_flag
from app.services.desk import Desk
from app.services.errors import DaishouError, InvalidInput
from app.services.review import review_file
from printing.devices import EscposDevice, PrinterError
from printing.escpos_receipt import ReceiptOptions
from printing.fonts import FontMissingError
from printing.jobs import log_attempt, send_receipt
from printing.test_page import render_test_page
from printing.uri import PrinterUriError

REPORTS = ("ledger", "settlement", "posting", "unpaid", "inspection", "month", "debit-register")


def register(sub: Any) -> None:
    j = json_flag()
    printer = argparse.ArgumentParser(add_help=False)
    printer.add_argument("--printer", help="tcp://IP:9100, usb://VID:PID, serial:///dev/ttyS0?baud=9600, "
                         "win32://NAME, file:///PATH (default: setting printer.uri)")
    printer.add_argument("--width", type=int, choices=(58, 80), help="paper width in mm (default 58)")
    printer.add_argument("--charset", choices=("gb2312", "gbk", "gb18030"),
                         help="what the printer's Chinese font holds (default gbk)")
    printer.add_argument("--raster", action="store_true",
                         help="whole receipt as an image (printer without a Chinese font)")
    group = sub.add_parser("print", help="打印收据 / 测试页").add_subparsers(
        dest="print_command", required=True)
    p = group.add_parser("receipt", parents=[j, printer], help="打印（或补打）一张收据")
    p.add_argument("number")
    p.set_defaults(handler=_guard(_print_receipt))
    p = group.add_parser("proof", parents=[j, printer], help="打印缴费证明（已登记代为缴费的收据）")
    p.add_argument("number")
    p.set_defaults(handler=_guard(_print_proof))
    p = group.add_parser("test", parents=[j, printer], help="打印测试页并读取打印机状态")
    p.set_defaults(handler=_guard(_print_test))

    p = sub.add_parser("report", parents=[j], help="生成台账、日结单、公示名单、未缴名单、抽查报告、月结单、批量扣款清册（PDF）")
    p.add_argument("kind", choices=REPORTS)
    p.add_argument("--date", help="YYYY-MM-DD (default: today)")
    p.add_argument("--from", dest="start", help="YYYY-MM-DD")
    p.add_argument("--to", dest="end", help="YYYY-MM-DD")
    p.add_argument("--year", type=int, help="unpaid: the year owed (default: the latest in the roster)")
    p.add_argument("--month", help="month: the closed month YYYY-MM (月结单)")
    p.add_argument("--file", help="inspection: the village's ledger file (daishou-….sqlite3)")
    p.add_argument("--seed", help="inspection: the sample's seed (default: new, printed on the report)")
    p.add_argument("--folder", help="debit-register: the township's folder of village ledger copies")
    p.add_argument("--key", help="debit-register: the township's age key file for sealed copies "
                   "(default: $DAISHOU_TOWNSHIP_KEY)")
    p.add_argument("--out", required=True, help="FILE.pdf")
    p.set_defaults(handler=_guard(_report))


def _guard(handler: Callable[[argparse.Namespace, Context], int]) -> Callable[..., int]:
    """Printer, font and address problems are things a person fixes: one line, exit 1."""

    def run(args: argparse.Namespace, ctx: Context) -> int:
        try:
            return handler(args, ctx)
        except (PrinterError, PrinterUriError, FontMissingError) as exc:
            raise _Refused(str(exc)) from exc

    return run


class _Refused(DaishouError):
    pass


def _device_and_options(args: argparse.Namespace, desk: Desk) -> tuple[EscposDevice, ReceiptOptions]:
    """The saved printer, with whatever the command line says instead."""
    saved = desk.setup.printer()
    printer = replace(saved, uri=args.printer or saved.uri,
                      width_mm=(80 if args.width == 80 else 58) if args.width else saved.width_mm,
                      charset=args.charset or saved.charset, raster=args.raster or saved.raster)
    if not printer.configured:
        raise InvalidInput("没有指定打印机：请用 --printer 指定，如 --printer tcp://192.168.1.100:9100")
    return EscposDevice(printer.uri), ReceiptOptions.for_printer(printer)


def _print_receipt(args: argparse.Namespace, ctx: Context) -> int:
    desk = ctx.desk(args)
    receipt = desk.receipts.get(args.number)
    device, options = _device_and_options(args, desk)
    sent, problem = send_receipt(device.send, receipt, options, desk.paper.receipt_context(receipt))
    copy = log_attempt(desk.receipts, receipt, problem)
    if problem is not None:
        raise _Refused(problem)
    what = f"补打（第{copy}次）" if copy else "原件"
    ctx.emit(args, {"number": receipt.number, "copy": copy, "bytes": sent, "printer": str(device.uri)},
             f"收据 {receipt.number} 已发送到打印机 {device.uri}（{what}，{sent} 字节）")
    return 0


def _print_proof(args: argparse.Namespace, ctx: Context) -> int:
    from printing.payment_proof import NotPaidOnBehalf, render_payment_proof

    desk = ctx.desk(args)
    receipt = desk.receipts.get(args.number)
    device, options = _device_and_options(args, desk)
    try:
        job = render_payment_proof(receipt, options, desk.paper.receipt_context(receipt))
    except NotPaidOnBehalf as exc:
        raise InvalidInput(str(exc)) from None
    device.send(job)
    ctx.emit(args, {"number": receipt.number, "bytes": len(job), "printer": str(device.uri)},
             f"收据 {receipt.number} 的缴费证明已发送到打印机 {device.uri}（{len(job)} 字节）")
    return 0


def _print_test(args: argparse.Namespace, ctx: Context) -> int:
    device, options = _device_and_options(args, ctx.desk(args))
    status = device.status()
    device.send(render_test_page(options, str(device.uri)))
    if not device.uri.answers_status:
        state = "此类连接不回报打印机状态，请查看打印出的测试页"
    elif not status.answered:
        state = "打印机未回应状态查询（很多打印机不支持，不影响打印）"
    else:
        state = status.problem or ("纸将用完" if status.paper_low else "打印机就绪")
    ctx.emit(args, {"printer": str(device.uri), "status_answered": status.answered,
                    "problem": status.problem, "paper_low": status.paper_low},
             f"测试页已发送到 {device.uri}；{state}")
    return 0


def _period(args: argparse.Namespace, today: date, *, default_all: bool) -> tuple[date, date] | None:
    if args.date and (args.start or args.end):
        raise InvalidInput("--date 与 --from/--to 只能选一种")
    if args.date:
        day = iso_day(args.date)
        return day, day
    if args.start or args.end:
        start = iso_day(args.start, "--from") if args.start else date.min
        end = iso_day(args.end, "--to") if args.end else today
        if start > end:
            raise InvalidInput("--from 晚于 --to")
        return start, end
    return None if default_all else (today, today)


def _report(args: argparse.Namespace, ctx: Context) -> int:
    from printing.reports import (  # reportlab loads only when asked for
        inspection_report,
        render_report,
    )

    today = ctx.clock().date()
    if args.kind == "month":
        if not args.month:
            raise InvalidInput("月结单须用 --month 指定月份，如 --month 2026-11")
        desk = ctx.desk(args)
        pdf, summary = render_report(desk.paper.month(args.month), training=desk.training)
    elif args.kind == "debit-register":  # the township's, from its villages' copies: this PC's ledger is not opened
        pdf, summary = _debit_register(args, today)
    elif args.kind == "inspection":  # of a village's file: this PC's own ledger is not opened
        if not args.file:
            raise InvalidInput("抽查报告须用 --file 指定村里备份的账本文件")
        as_of = iso_day(args.date) if args.date else today
        pdf, summary = inspection_report(review_file(Path(args.file), as_of=as_of, seed=args.seed))
    else:
        desk = ctx.desk(args)
        period = _period(args, today, default_all=args.kind in ("posting", "unpaid"))
        pdf, summary = render_report(desk.paper.report(args.kind, period, today=today, year=args.year),
                                     training=desk.training)
    out = Path(args.out)
    try:
        out.write_bytes(pdf)
    except OSError as exc:
        raise InvalidInput(f"无法写入 {out}：{exc.strerror or exc}") from None
    ctx.emit(args, {"kind": args.kind, "out": str(out), "bytes": len(pdf), **summary},
             f"已生成 {out}（{len(pdf) // 1024 + 1} KB）")
    return 0



def _debit_register(args: argparse.Namespace, today: date) -> tuple[bytes, dict[str, Any]]:
    """《两险批量扣款清册》 (003 第二十六条) of the villages whose ledger copies are in --folder."""
    import os

    from app.services.debit_register import compile_register
    from printing.pdf.debit_register import register_files

    if not args.folder or not args.year:
        raise InvalidInput("批量扣款清册须用 --folder 指定各村账本副本所在的文件夹，并用 --year 指定缴费年度")
    key = args.key or os.environ.get("DAISHOU_TOWNSHIP_KEY")
    register = compile_register(Path(args.folder), year=args.year, as_of=iso_day(args.date) if args.date else today,
                                key_file=Path(key) if key else None)
    pdf, body = register_files(register)
    # Beside the PDF, the data the county receives: `daishou-server debit register FILE.json`.
    data = Path(args.out).with_suffix(".json")
    try:
        data.write_bytes(body)
    except OSError as exc:
        raise InvalidInput(f"无法写入 {data}：{exc.strerror or exc}") from None
    return pdf, {**register.to_json(), "data": str(data)}

"""Commands of the cash itself: receipts, voids, refunds, payments on behalf, settlement, the
month's close, remittance, the scanned 台账 and the uniform receipt books."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from app.cli.common import Context, iso_day, yuan
from app.cli.output import receipt_json, receipt_text, settlement_json
from app.domain.config import parse_year
from app.domain.insurance import Insurance
from app.domain.money import format_fen
from app.domain.records import PayerSignoff, Role, UserInfo
from app.services.desk import Desk
from app.services.errors import CashConfirmationRequired, InvalidInput
from app.services.receipts import LineRequest
from app.services.settlement import DENOMINATIONS_FEN

if TYPE_CHECKING:  # for annotations only
    from datetime import date

    from app.cli.core import Sub
    from app.services.months import MonthFigures
    from app.services.receipt_books import BookStatus
    from app.services.scans import ScanStatus


def register(sub: Sub, j: argparse.ArgumentParser) -> None:
    signed = argparse.ArgumentParser(add_help=False)  # an act the village head countersigns
    signed.add_argument("--agent", required=True)
    signed.add_argument("--head", required=True)
    receipt = sub.add_parser("receipt", help="收据").add_subparsers(dest="receipt_command", required=True)
    p = receipt.add_parser("record", parents=[j], help="收款并开收据")
    p.add_argument("--agent", required=True)
    p.add_argument("--line", action="append", required=True,
                   help="ID:pension:YEAR:TIER_YUAN[:AMOUNT_YUAN] or ID:medical:YEAR[:AMOUNT_YUAN]")
    p.add_argument("--payer", help="缴费人证件号码 (default: the first line's person)")
    p.add_argument("--payer-name", help="缴费人姓名, when the payer is not in the roster")
    p.add_argument("--cash", required=True, help="收取现金（元）")
    p.add_argument("--override-reason")
    p.add_argument("--confirm-cash", action="store_true",
                   help="record cash far above the total (change over the total and 100 yuan, or over 10x)")
    p.add_argument("--payer-signoff", choices=[s.value for s in PayerSignoff], default="paper")
    p.add_argument("--signature", help="PNG of the payer's signature (with --payer-signoff signature)")
    p.set_defaults(handler=_receipt_record)
    for name, what, handler in (("void", "作废收据（代收员与村委会负责人 PIN）", _receipt_void),
                                ("refund", "退费申请（已日结的收据；代收员与村委会负责人 PIN）", _receipt_refund)):
        p = receipt.add_parser(name, parents=[j, signed], help=what)
        p.add_argument("number")
        p.add_argument("--reason", required=True)
        p.set_defaults(handler=handler)
    p = receipt.add_parser("paid", parents=[j], help="登记代为缴费（税务系统的缴费凭证号；经办人 PIN）")
    p.add_argument("number")
    p.add_argument("--voucher", required=True, help="缴费凭证号 / 电子税票号")
    p.add_argument("--channel", default="电子税务局", help="电子税务局、微信小程序、社保缴费客户端 …")
    p.add_argument("--by", required=True, help="代为缴费的代收员或村委会负责人")
    p.set_defaults(handler=_receipt_paid)
    p = receipt.add_parser("unpaid", parents=[j], help="尚未代为缴费的收据")
    p.add_argument("--date")
    p.set_defaults(handler=_receipt_unpaid)
    p = receipt.add_parser("list", parents=[j])
    p.add_argument("--date")
    p.set_defaults(handler=_receipt_list)
    p = receipt.add_parser("show", parents=[j])
    p.add_argument("number")
    p.set_defaults(handler=_receipt_show)

    p = sub.add_parser("settle", parents=[j, signed],
                       help="日结（代收员与村委会负责人 PIN）并备份；当天日结后再收的现金须再日结一次")
    p.add_argument("--date", required=True)
    p.add_argument("--counted", help="清点现金（元）")
    p.add_argument("--denominations", help="按面额清点，如 100=3,50=1,0.5=2")
    p.add_argument("--reason")
    p.set_defaults(handler=_settle)

    month = sub.add_parser("month", help="月结（日清月结：现金、账、票一致）").add_subparsers(
        dest="month_command", required=True)
    p = month.add_parser("show", parents=[j], help="一个月的收据、作废、日结、解缴和手头现金")
    p.add_argument("--month", required=True, help="YYYY-MM")
    p.set_defaults(handler=_month_show)
    p = month.add_parser("close", parents=[j, signed], help="月结（代收员与村委会负责人 PIN）")
    p.add_argument("--month", required=True, help="YYYY-MM")
    p.add_argument("--counted", required=True, help="清点手头现金（元）：已日结未解缴的")
    p.add_argument("--reason")
    p.set_defaults(handler=_month_close)

    scan = sub.add_parser("ledger-scan", help="台账扫描件（征期结束后7个工作日内报送税务）").add_subparsers(
        dest="scan_command", required=True)
    p = scan.add_parser("record", parents=[j], help="登记已报送的台账扫描件（报送人 PIN）")
    p.add_argument("--year", type=int, required=True, help="缴费年度")
    p.add_argument("--file", required=True, help="扫描件（PDF、JPEG、PNG、TIFF）")
    p.add_argument("--sent-on", required=True, help="报送税务的日期 YYYY-MM-DD")
    p.add_argument("--by", required=True, help="报送人（代收员或村委会负责人）")
    p.set_defaults(handler=_scan_record)
    p = scan.add_parser("status", parents=[j], help="期限与已登记的扫描件")
    p.add_argument("--year", type=int, required=True)
    p.set_defaults(handler=_scan_status)

    book = sub.add_parser("receipt-book", help="统一票据（县里发放的票号段）").add_subparsers(
        dest="book_command", required=True)
    p = book.add_parser("add", parents=[j], help="登记领到的票据号段（村委会负责人或管理员 PIN）")
    p.add_argument("--first", required=True, help="起始票号（照票据上印的，含前面的 0）")
    p.add_argument("--last", required=True, help="终止票号")
    p.add_argument("--prefix", default="", help="票号前的字，如 皖")
    p.add_argument("--by", required=True)
    p.set_defaults(handler=_book_add)
    p = book.add_parser("status", parents=[j], help="已登记的号段、已用、作废、剩余")
    p.set_defaults(handler=_book_status)
    p = book.add_parser("spoil", parents=[j], help="下一张票据损坏作废（原因；经办人 PIN）")
    p.add_argument("--reason", required=True)
    p.add_argument("--by", required=True)
    p.set_defaults(handler=_book_spoil)

    p = sub.add_parser("remit", parents=[j], help="解缴（现金交银行）")
    p.add_argument("--amount", required=True)
    p.add_argument("--slip", required=True)
    p.add_argument("--date", required=True)
    p.add_argument("--agent", required=True, help="代收员或村委会负责人 who carried the cash; PIN on stdin")
    p.set_defaults(handler=_remit)


def parse_line(text: str) -> LineRequest:
    parts = text.split(":")
    if len(parts) < 3:
        raise InvalidInput(f"缴费行「{text}」格式应为 证件号:pension:年度:档次 或 证件号:medical:年度")
    try:
        ins = Insurance.parse(parts[1])
        year = parse_year(parts[2])
    except ValueError as exc:
        raise InvalidInput(f"缴费行「{text}」：{exc}") from None
    tier = amount = None
    rest = parts[3:]
    if ins is Insurance.PENSION:
        if not rest or not rest[0]:
            raise InvalidInput(f"缴费行「{text}」：养老保险需要档次（元），如 证件号:pension:{year}:500")
        tier = yuan(rest[0], "缴费档次")
        rest = rest[1:]
    if rest and rest[0]:
        amount = yuan(rest[0], "金额")
    if len(rest) > 1:
        raise InvalidInput(f"缴费行「{text}」多了字段")
    return LineRequest(parts[0], ins, year, tier, amount)


def _receipt_record(args: argparse.Namespace, ctx: Context) -> int:
    lines = [parse_line(t) for t in args.line]
    cash = yuan(args.cash, "收取现金")
    signature = Path(args.signature).read_bytes() if args.signature else None
    desk = ctx.desk(args)
    agent = desk.users.authenticate(args.agent, ctx.read_pin(args.agent),
                                    roles=(Role.AGENT, Role.HEAD), purpose="收取现金")
    try:
        r = desk.receipts.record(agent, lines, cash_fen=cash, payer_id_number=args.payer,
                                 payer_name=args.payer_name, payer_signoff=PayerSignoff(args.payer_signoff),
                                 signature_png=signature, override_reason=args.override_reason,
                                 cash_confirmed=args.confirm_cash)
    except CashConfirmationRequired as exc:
        raise CashConfirmationRequired(exc.question, f"{exc.message}（核对无误后加 --confirm-cash 再执行）") \
            from None
    ctx.emit(args, receipt_json(r), lambda: receipt_text(r))
    return 0


def _receipt_void(args: argparse.Namespace, ctx: Context) -> int:
    desk = ctx.desk(args)
    r = desk.receipts.void(args.number, reason=args.reason, **_signed(desk, ctx, args, "确认作废"))
    ctx.emit(args, receipt_json(r), f"收据 {r.number} 已作废：{args.reason}")
    return 0


def _receipt_refund(args: argparse.Namespace, ctx: Context) -> int:
    desk = ctx.desk(args)
    signed = _signed(desk, ctx, args, "确认退费申请")
    r = desk.receipts.request_refund(args.number, reason=args.reason, **signed)
    ctx.emit(args, receipt_json(r), f"收据 {r.number} 已登记退费申请 {format_fen(r.total_fen)} 元：{args.reason}")
    return 0


def _receipt_paid(args: argparse.Namespace, ctx: Context) -> int:
    desk = ctx.desk(args)
    by = desk.users.authenticate(args.by, ctx.read_pin(args.by))
    r = desk.receipts.record_paid_on_behalf(args.number, voucher=args.voucher, channel=args.channel, by=by)
    assert r.paid is not None
    ctx.emit(args, receipt_json(r), f"收据 {r.number} 已代为缴费 {format_fen(r.total_fen)} 元：{r.paid.channel} "
                                    f"凭证号 {r.paid.voucher}")
    return 0


def _receipt_unpaid(args: argparse.Namespace, ctx: Context) -> int:
    day = iso_day(args.date) if args.date else None
    numbers = ctx.desk(args).receipts.unpaid_on_behalf(day)
    ctx.emit(args, numbers, lambda: "\n".join(numbers) if numbers else "没有待代为缴费的收据")
    return 0


def _agent_and_head(desk: Desk, ctx: Context, args: argparse.Namespace,
                    purpose: str) -> tuple[UserInfo, UserInfo]:
    """The agent's PIN, then the village head's: the order they are named in on the command line."""
    agent = desk.users.authenticate(args.agent, ctx.read_pin(args.agent))
    head = desk.users.authenticate(args.head, ctx.read_pin(args.head), roles=(Role.HEAD,), purpose=purpose)
    return agent, head


class _Signed(TypedDict):
    agent: UserInfo
    head: UserInfo


def _signed(desk: Desk, ctx: Context, args: argparse.Namespace, purpose: str) -> _Signed:
    agent, head = _agent_and_head(desk, ctx, args, purpose)
    return {"agent": agent, "head": head}


def _receipt_list(args: argparse.Namespace, ctx: Context) -> int:
    day = iso_day(args.date) if args.date else None
    receipts = ctx.desk(args).receipts.list(day)
    ctx.emit(args, [receipt_json(r) for r in receipts],
             lambda: "\n".join(f"{r.number}  {r.recorded_at:%Y-%m-%d %H:%M}  {r.payer_name}  "
                               f"{format_fen(r.total_fen)}  {'作废' if r.void else '有效'}"
                               for r in receipts) or "（无收据）")
    return 0


def _receipt_show(args: argparse.Namespace, ctx: Context) -> int:
    r = ctx.desk(args).receipts.get(args.number)
    ctx.emit(args, receipt_json(r), lambda: receipt_text(r))
    return 0


def _denominations(text: str | None) -> dict[int, int]:
    out: dict[int, int] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        denom, _, count = part.partition("=")
        fen = yuan(denom, "面额")
        if fen not in DENOMINATIONS_FEN:
            raise InvalidInput(f"面额「{denom}」不认识（可用 100、50、20、10、5、1、0.5、0.1）")
        if not (count.strip().isascii() and count.strip().isdigit()):
            raise InvalidInput(f"面额 {denom} 的张数「{count}」应为整数")
        out[fen] = out.get(fen, 0) + int(count)
    return out


def _settle(args: argparse.Namespace, ctx: Context) -> int:
    day = iso_day(args.date)
    counted = yuan(args.counted, "清点现金") if args.counted is not None else None
    denoms = _denominations(args.denominations)
    desk = ctx.desk(args)
    agent, head = _agent_and_head(desk, ctx, args, "日结会签")
    result = desk.closing.settle(day, agent=agent, head=head, counted_fen=counted,
                                 denominations=denoms, reason=args.reason)
    if result.backup_problem:  # the settlement is committed whatever happened to the backup
        ctx.stderr.write(f"daishou: 警告：日结已完成，但{result.backup_problem}\n")
    ctx.emit(args, settlement_json(result.settlement) | {
        "backup": str(result.backup) if result.backup else None,
        "backup_problem": result.backup_problem}, lambda: result.summary)
    return 0


def _month_text(f: MonthFigures) -> str:
    numbers = f"收据号 {f.first_number} 至 {f.last_number}" if f.first_number else "本月无收据"
    out = (f"{f.month}：收据 {f.receipts} 张（作废 {f.voids} 张，{numbers}），实收 {format_fen(f.collected_fen)} 元，"
           f"日结 {format_fen(f.settled_fen)} 元，解缴 {format_fen(f.remitted_fen)} 元，"
           f"月末已日结未解缴 {format_fen(f.on_hand_fen)} 元")
    if f.serials:
        out += f"；统一票据 {f.serials} 张（{f.first_serial} 至 {f.last_serial}，其中作废 {f.serials_spoiled} 张）"
    if f.counted_fen is not None:
        out += f"；清点 {format_fen(f.counted_fen)} 元，差额 {format_fen(f.difference_fen or 0)} 元，已月结"
    elif f.closed:
        out += "；已月结"
    elif f.unsettled_days:
        out += f"；尚未日结：{'、'.join(f.unsettled_days[:3])}"
    return out


def _month_show(args: argparse.Namespace, ctx: Context) -> int:
    f = ctx.desk(args).months.figures(args.month)
    ctx.emit(args, f.to_json(), lambda: _month_text(f))
    return 0


def _month_close(args: argparse.Namespace, ctx: Context) -> int:
    counted = yuan(args.counted, "清点现金")
    desk = ctx.desk(args)
    agent, head = _agent_and_head(desk, ctx, args, "月结会签")
    f = desk.months.close(args.month, agent=agent, head=head, counted_fen=counted, reason=args.reason)
    ctx.emit(args, f.to_json(), lambda: _month_text(f))
    return 0


def _scan_text(st: ScanStatus, today: date) -> str:
    if not st.scans:
        return f"{st.headline}；{st.unsent_text(today)}"
    lines = [st.headline] + [f"  {s.sent_on.isoformat()} 报送（{s.by}），{s.path.name}"
                      + ("" if s.intact else "，注意：保存的副本已不是当时登记的文件") for s in st.scans]
    if st.late_by:
        lines.append(f"  晚于期限 {st.late_by} 天")
    return "\n".join(lines)


def _scan_record(args: argparse.Namespace, ctx: Context) -> int:
    sent_on = iso_day(args.sent_on, "--sent-on")
    desk = ctx.desk(args)
    by = desk.users.authenticate(args.by, ctx.read_pin(args.by))
    st = desk.scans.record(args.year, Path(args.file), sent_on=sent_on, by=by)
    ctx.emit(args, st.to_json(), lambda: _scan_text(st, desk.clock().date()))
    return 0


def _scan_status(args: argparse.Namespace, ctx: Context) -> int:
    desk = ctx.desk(args)
    st = desk.scans.status(args.year)
    ctx.emit(args, st.to_json(), lambda: _scan_text(st, desk.clock().date()))
    return 0


def _book_text(st: BookStatus) -> str:
    if not st.books:
        return "本村没有登记统一票据：收据只用本机编号"
    ranges = "、".join(f"{b.serial(b.first)}–{b.serial(b.last)}" for b in st.books)
    return (f"统一票据 {ranges}：已用 {st.used} 张（其中作废 {len(st.spoiled)} 张），剩余 {st.remaining} 张"
            + (f"，下一张 {st.next_serial}" if st.next_serial else "，已用完"))


def _book_add(args: argparse.Namespace, ctx: Context) -> int:
    desk = ctx.desk(args)
    by = desk.users.authenticate(args.by, ctx.read_pin(args.by), roles=(Role.HEAD, Role.ADMIN), purpose="登记统一票据")
    st = desk.receipt_books.add(args.first, args.last, prefix=args.prefix, by=by)
    ctx.emit(args, st.to_json(), lambda: _book_text(st))
    return 0


def _book_status(args: argparse.Namespace, ctx: Context) -> int:
    st = ctx.desk(args).receipt_books.status()
    ctx.emit(args, st.to_json(), lambda: _book_text(st))
    return 0


def _book_spoil(args: argparse.Namespace, ctx: Context) -> int:
    desk = ctx.desk(args)
    by = desk.users.authenticate(args.by, ctx.read_pin(args.by))
    serial = desk.receipt_books.spoil(reason=args.reason, by=by)
    ctx.emit(args, {"serial": serial, "reason": args.reason}, f"统一票据 {serial} 已登记作废：{args.reason}")
    return 0


def _remit(args: argparse.Namespace, ctx: Context) -> int:
    amount, day = yuan(args.amount, "解缴金额"), iso_day(args.date, "解缴日期")
    desk = ctx.desk(args)
    by = desk.users.authenticate(args.agent, ctx.read_pin(args.agent), purpose="登记解缴")
    r = desk.settlements.remit(amount_fen=amount, slip_no=args.slip, day=day, by=by)
    ctx.emit(args, {"slip_no": r.slip_no, "amount_fen": r.amount_fen, "date": r.day.isoformat(),
                    "settled_days": [d.isoformat() for d in r.settled_days], "hash": r.hash},
             f"已登记解缴 {format_fen(r.amount_fen)} 元，凭证号 {r.slip_no}")
    return 0

"""Core commands: init, users, config, receipts, voids, settlement, remittance, verify."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from app.cli.common import Context, iso_day, json_flag, yuan
from app.domain.config import parse_year
from app.domain.insurance import Insurance
from app.domain.money import fen_in_words, format_fen
from app.domain.records import PayerSignoff, Receipt, Role, Settlement, UserInfo
from app.services.desk import Desk
from app.services.errors import CashConfirmationRequired, InvalidInput, StorageError
from app.services.receipts import LineRequest
from app.services.settlement import DENOMINATIONS_FEN
from app.storage.verify import VerifyResult

if TYPE_CHECKING:  # for annotations only: `cash` and `verify` do not load them
    from datetime import date

    from app.services.months import MonthFigures
    from app.services.receipt_books import BookStatus
    from app.services.scans import ScanStatus

Sub: TypeAlias = "argparse._SubParsersAction[Any]"  # the command line's subparsers


def register(sub: Sub) -> None:
    j = json_flag()
    p = sub.add_parser("init", parents=[j], help="初始化本机（村、乡镇、设备号）")
    p.add_argument("--village-code", required=True)
    p.add_argument("--village-name", required=True)
    p.add_argument("--township-code", required=True)
    p.add_argument("--township-name", default="")
    p.add_argument("--device-no", required=True)
    p.set_defaults(handler=_init)

    user = sub.add_parser("user", help="用户").add_subparsers(dest="user_command", required=True)
    p = user.add_parser("add", parents=[j], help="添加用户（PIN 从标准输入读取）")
    p.add_argument("--name", required=True)
    p.add_argument("--role", required=True, choices=[r.value for r in Role])
    p.add_argument("--by", help="村委会负责人或管理员 confirming (needed once one exists); PIN after the new user's")
    p.set_defaults(handler=_user_add)
    p = user.add_parser("list", parents=[j])
    p.set_defaults(handler=_user_list)
    p = user.add_parser("pin", parents=[j], help="修改自己的密码（标准输入：原密码一行，新密码一行）")
    p.add_argument("--name", required=True)
    p.set_defaults(handler=_user_pin)
    p = user.add_parser("unlock", parents=[j], help="管理员解除锁定（标准输入：管理员密码）")
    p.add_argument("--name", required=True)
    p.add_argument("--by", required=True, help="the administrator")
    p.set_defaults(handler=_user_unlock)
    p = user.add_parser("reset-pin", parents=[j],
                        help="管理员重置忘记的密码（标准输入：管理员密码一行，新密码一行）")
    p.add_argument("--name", required=True)
    p.add_argument("--by", required=True, help="the administrator")
    p.set_defaults(handler=_user_reset_pin)

    config = sub.add_parser("config", help="县级配置").add_subparsers(dest="config_command", required=True)
    p = config.add_parser("import", parents=[j])
    p.add_argument("file")
    p.add_argument("--by", help="村委会负责人或管理员 confirming (needed once one exists); PIN on stdin")
    p.set_defaults(handler=_config_import)
    p = config.add_parser("show", parents=[j])
    p.set_defaults(handler=_config_show)

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
    p = receipt.add_parser("void", parents=[j], help="作废收据（代收员与村委会负责人 PIN）")
    p.add_argument("number")
    p.add_argument("--reason", required=True)
    p.add_argument("--agent", required=True)
    p.add_argument("--head", required=True)
    p.set_defaults(handler=_receipt_void)
    p = receipt.add_parser("refund", parents=[j], help="退费申请（已日结的收据；代收员与村委会负责人 PIN）")
    p.add_argument("number")
    p.add_argument("--reason", required=True)
    p.add_argument("--agent", required=True)
    p.add_argument("--head", required=True)
    p.set_defaults(handler=_receipt_refund)
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

    p = sub.add_parser("settle", parents=[j],
                       help="日结（代收员与村委会负责人 PIN）并备份；当天日结后再收的现金须再日结一次")
    p.add_argument("--date", required=True)
    p.add_argument("--counted", help="清点现金（元）")
    p.add_argument("--denominations", help="按面额清点，如 100=3,50=1,0.5=2")
    p.add_argument("--agent", required=True)
    p.add_argument("--head", required=True)
    p.add_argument("--reason")
    p.set_defaults(handler=_settle)

    month = sub.add_parser("month", help="月结（日清月结：现金、账、票一致）").add_subparsers(
        dest="month_command", required=True)
    p = month.add_parser("show", parents=[j], help="一个月的收据、作废、日结、解缴和手头现金")
    p.add_argument("--month", required=True, help="YYYY-MM")
    p.set_defaults(handler=_month_show)
    p = month.add_parser("close", parents=[j], help="月结（代收员与村委会负责人 PIN）")
    p.add_argument("--month", required=True, help="YYYY-MM")
    p.add_argument("--counted", required=True, help="清点手头现金（元）：已日结未解缴的")
    p.add_argument("--agent", required=True)
    p.add_argument("--head", required=True)
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

    p = sub.add_parser("backup", parents=[j], help="备份数据文件（默认到设置的备份文件夹）")
    p.add_argument("--to", help="folder (default: the backup.dir setting)")
    p.set_defaults(handler=_backup)

    p = sub.add_parser("cash", parents=[j], help="现金状况")
    p.set_defaults(handler=_cash)

    p = sub.add_parser("verify", parents=[j], help="校验账本哈希链与派生表")
    p.set_defaults(handler=_verify)


def _init(args: argparse.Namespace, ctx: Context) -> int:
    d = ctx.desk(args).setup.init(village_code=args.village_code, village_name=args.village_name,
                                  township_code=args.township_code, township_name=args.township_name,
                                  device_no=args.device_no)
    ctx.emit(args, d.__dict__, f"已初始化：{d.village_name}（{d.village_code}），设备号 {d.device_no:02d}")
    return 0


def _user_add(args: argparse.Namespace, ctx: Context) -> int:
    pin = ctx.read_pin(args.name)
    desk = ctx.desk(args)
    by = None
    if args.by:
        by = desk.users.authenticate(args.by, ctx.read_pin(args.by), roles=(Role.HEAD, Role.ADMIN),
                                     purpose="添加用户")
    u = desk.users.add(args.name, args.role, pin, by=by)
    ctx.emit(args, {"name": u.name, "role": u.role.value}, f"已添加{u.role.label}「{u.name}」")
    return 0


def _user_pin(args: argparse.Namespace, ctx: Context) -> int:
    old = ctx.read_pin(f"{args.name}（原密码）")
    new = ctx.read_pin(f"{args.name}（新密码）")
    ctx.desk(args).users.change_pin(args.name, old, new)
    ctx.emit(args, {"name": args.name.strip(), "changed": True}, f"「{args.name.strip()}」的密码已修改")
    return 0


def _admin(args: argparse.Namespace, ctx: Context, purpose: str) -> UserInfo:
    return ctx.desk(args).users.authenticate(args.by, ctx.read_pin(args.by), roles=(Role.ADMIN,),
                                             purpose=purpose)


def _user_unlock(args: argparse.Namespace, ctx: Context) -> int:
    admin = _admin(args, ctx, "解除锁定")
    ctx.desk(args).users.unlock(args.name, by=admin)
    ctx.emit(args, {"name": args.name.strip(), "unlocked_by": admin.name},
             f"已解除「{args.name.strip()}」的锁定（{admin.name}）")
    return 0


def _user_reset_pin(args: argparse.Namespace, ctx: Context) -> int:
    admin = _admin(args, ctx, "重置密码")
    ctx.desk(args).users.reset_pin(args.name, ctx.read_pin(f"{args.name}（新密码）"), by=admin)
    ctx.emit(args, {"name": args.name.strip(), "reset_by": admin.name},
             f"已重置「{args.name.strip()}」的密码（{admin.name}）")
    return 0


def _user_list(args: argparse.Namespace, ctx: Context) -> int:
    users = ctx.desk(args).users.list()
    ctx.emit(args, [{"name": u.name, "role": u.role.value} for u in users],
             "\n".join(f"{u.name}\t{u.role.label}" for u in users) or "（无用户）")
    return 0


def _config_import(args: argparse.Namespace, ctx: Context) -> int:
    desk = ctx.desk(args)
    by = None
    if args.by:
        by = desk.users.authenticate(args.by, ctx.read_pin(args.by), roles=(Role.HEAD, Role.ADMIN),
                                     purpose="导入县级配置")
    config = desk.setup.import_config(_read_text(args.file), by=by)
    ctx.emit(args, config.to_json(), f"已导入县级配置：{config.county}，年度 "
             + "、".join(str(y) for y in sorted(config.years)))
    return 0


def _config_show(args: argparse.Namespace, ctx: Context) -> int:
    config = ctx.desk(args).setup.config
    data = config.to_json()

    def human() -> str:
        out = [f"县：{config.county}"]
        for y, yc in sorted(config.years.items()):
            out.append(f"{y}年度  养老档次：{'、'.join(format_fen(t) for t in yc.pension_tiers_fen)}  "
                       f"医保：{format_fen(yc.medical_fen)}  征收期：{yc.window_start} 至 {yc.window_end}")
            for (cat, ins), fen in sorted(yc.subsidies_fen.items()):
                out.append(f"    {cat.value} {ins.short_label} 政府代缴/资助 {format_fen(fen)}")
        return "\n".join(out)

    ctx.emit(args, data, human)
    return 0


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
    agent, head = _agent_and_head(desk, ctx, args, "确认作废")
    r = desk.receipts.void(args.number, reason=args.reason, agent=agent, head=head)
    ctx.emit(args, receipt_json(r), f"收据 {r.number} 已作废：{args.reason}")
    return 0


def _receipt_refund(args: argparse.Namespace, ctx: Context) -> int:
    desk = ctx.desk(args)
    agent, head = _agent_and_head(desk, ctx, args, "确认退费申请")
    r = desk.receipts.request_refund(args.number, reason=args.reason, agent=agent, head=head)
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


def _backup(args: argparse.Namespace, ctx: Context) -> int:
    desk = ctx.desk(args)
    if args.to:
        result = desk.backups.write(Path(args.to))
    else:
        configured = desk.backups.write_to_configured()
        if configured is None:
            raise InvalidInput("没有设置备份文件夹：请用 --to 指定，或在设置中填写备份文件夹")
        result = configured
    note = f"\n注意：{result.note}" if result.note else ""
    ctx.emit(args, {"path": str(result.path), "entries": result.entries, "note": result.note},
             f"已备份到 {result.path}（{result.entries} 条账本记录，校验通过）{note}")
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


def _cash(args: argparse.Namespace, ctx: Context) -> int:
    c = ctx.desk(args).settlements.cash_position()
    ctx.emit(args, {"on_hand_fen": c.on_hand_fen, "unsettled_fen": c.unsettled_fen,
                    "settled_not_remitted_fen": c.settled_not_remitted_fen, "remitted_fen": c.remitted_fen},
             f"手头现金 {format_fen(c.on_hand_fen)} 元（未日结 {format_fen(c.unsettled_fen)}，"
             f"已日结未解缴 {format_fen(c.settled_not_remitted_fen)}），已解缴 {format_fen(c.remitted_fen)} 元")
    return 0


def _verify(args: argparse.Namespace, ctx: Context) -> int:
    try:
        result = ctx.desk(args).verify()
    except StorageError as exc:  # an emptied or unreadable file is a failed check, not a crash
        result = VerifyResult(False, 0, None, str(exc))
    def text() -> str:
        if not result.ok:
            where = f"第 {result.first_bad_seq} 条 — " if result.first_bad_seq is not None else ""
            return f"账本校验失败：{where}{result.reason}"
        return f"账本完好：{result.entries} 条记录" + (f"（注意：{result.note}）" if result.note else "")

    ctx.emit(args, result.to_json(), text)
    return 0 if result.ok else 5


def receipt_json(r: Receipt) -> dict[str, Any]:
    return {
        "number": r.number, "time": r.recorded_at.isoformat(), "day": r.day.isoformat(),
        "payer": {"id_number": r.payer_id_number, "name": r.payer_name},
        "lines": [{"id_number": ln.id_number, "name": ln.name, "insurance": ln.insurance.value,
                   "year": ln.year, "tier_fen": ln.tier_fen, "amount_fen": ln.amount_fen,
                   "due_fen": ln.due_fen} for ln in r.lines],
        "total_fen": r.total_fen, "cash_fen": r.cash_fen, "change_fen": r.change_fen,
        "status": r.status, "override_reason": r.override_reason, "hash": r.hash,
        "signoffs": {
            "payer": r.payer_signoff.value, "agent": r.agent,
            "head": ({"name": r.countersign.head, "at": r.countersign.at.isoformat()}
                     if r.countersign else None),
        },
        "void": ({"reason": r.void.reason, "agent": r.void.agent, "head": r.void.head,
                  "at": r.void.at.isoformat()} if r.void else None),
        "prints": r.prints,
        "refund_request": ({"amount_fen": r.refund.amount_fen, "reason": r.refund.reason,
                            "agent": r.refund.agent, "head": r.refund.head, "at": r.refund.at.isoformat()}
                           if r.refund else None),
        "serial": r.serial,
        "paid_on_behalf": ({"voucher": r.paid.voucher, "channel": r.paid.channel, "amount_fen": r.paid.amount_fen,
                            "by": r.paid.agent, "at": r.paid.at.isoformat()} if r.paid else None),
    }


def receipt_text(r: Receipt) -> str:
    out = [f"收据 {r.number}  {r.recorded_at:%Y-%m-%d %H:%M}  缴费人 {r.payer_name}"]
    for ln in r.lines:
        tier = f" {format_fen(ln.tier_fen)}档" if ln.tier_fen else ""
        out.append(f"  {ln.name} {ln.year}年度 {ln.insurance.short_label}{tier}  {format_fen(ln.amount_fen)}")
    out.append(f"  合计 {format_fen(r.total_fen)} 元（{fen_in_words(r.total_fen)}）  "
               f"收 {format_fen(r.cash_fen)}  找 {format_fen(r.change_fen)}")
    if r.void:
        out.append(f"  已作废：{r.void.reason}")
    return "\n".join(out)


def settlement_json(st: Settlement) -> dict[str, Any]:
    return {"date": st.day.isoformat(), "round": st.round_no, "expected_fen": st.expected_fen, "counted_fen": st.counted_fen,
            "difference_fen": st.difference_fen, "reason": st.reason, "receipts": st.receipts,
            "voids": st.voids, "agent": st.agent, "head": st.head, "hash": st.hash,
            "denominations": {str(k): v for k, v in st.denominations.items()}}


def _read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidInput(f"找不到文件 {path}") from None

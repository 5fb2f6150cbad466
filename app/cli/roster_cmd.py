"""`daishou roster ...`: import the county roster, search it, progress and the unpaid list."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli.common import Context, json_flag
from app.domain.money import format_fen
from app.domain.records import DueInfo, PersonInfo, ProgressLine, Role
from app.services.errors import InvalidInput


def register(sub: argparse._SubParsersAction[Any]) -> None:
    roster = sub.add_parser("roster", help="征收清册")
    rsub = roster.add_subparsers(dest="roster_command", required=True)
    j = json_flag()
    p = rsub.add_parser("import", parents=[j], help="导入征收清册（.xlsx、.xls、.csv）")
    p.add_argument("file")
    p.add_argument("--rejected-out", metavar="FILE.xlsx",
                   help="write the rejected rows with a reason column, to fix and import again")
    p.add_argument("--by", help="代收员或村委会负责人 (needed once users exist); PIN on stdin")
    p.add_argument("--allow-removals", action="store_true",
                   help="confirm a roster that marks more than a fifth of the village as removed")
    p.set_defaults(handler=_import)
    p = rsub.add_parser("search", parents=[j], help="查找：姓名、拼音、身份证后4/6位、电话、组")
    p.add_argument("text")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(handler=_search)
    p = rsub.add_parser("progress", parents=[j], help="征收进度（按险种、按组）")
    p.add_argument("--year", type=int)
    p.set_defaults(handler=_progress)
    p = rsub.add_parser("unpaid", parents=[j], help="未缴名单")
    p.add_argument("--out", metavar="FILE.xlsx", help="write the list as .xlsx")
    p.add_argument("--year", type=int)
    p.set_defaults(handler=_unpaid)


def _import(args: argparse.Namespace, ctx: Context) -> int:
    desk = ctx.desk(args)
    roster = desk.roster
    by = None
    if args.by:
        by = desk.users.authenticate(args.by, ctx.read_pin(args.by), roles=(Role.AGENT, Role.HEAD),
                                     purpose="导入征收清册")
    result = roster.import_file(Path(args.file), by=by, allow_removals=args.allow_removals)
    written = None
    if args.rejected_out and result.rejected:
        written = str(Path(args.rejected_out))
        roster.export_rejected_xlsx(result, Path(args.rejected_out))
    payload = {"imported": result.imported, "updated": result.updated, "removed": result.removed,
               "unchanged": result.unchanged,
               "rejected": [{"row": r.row, "column": r.column, "reason": r.reason}
                            for r in result.rejected],
               "notes": list(result.notes), "rejected_file": written}
    lines = [result.summary]
    lines += [f"  第{r.row}行 {r.column}：{r.reason}" for r in result.rejected]
    lines += [f"注意：{n}" for n in result.notes]
    if written:
        lines.append(f"拒绝的行已写入 {written}：修正后可直接再次导入")
    ctx.emit(args, payload, "\n".join(lines))
    return 0


def due_json(d: DueInfo) -> dict[str, Any]:
    return {"insurance": d.insurance.value, "label": d.insurance.short_label, "year": d.year,
            "tier_fen": d.tier_fen, "due_fen": d.due_fen, "paid": d.paid,
            "paid_cash_receipt": d.paid_cash_receipt, "paid_elsewhere": d.paid_elsewhere,
            "removed": d.removed}


def person_json(p: PersonInfo) -> dict[str, Any]:
    return {"id_number": p.id_number, "name": p.name, "group": p.group, "category": p.category,
            "household_no": p.household_no, "household_head": p.household_head,
            "phone": p.phone, "removed": p.removed, "dues": [due_json(d) for d in p.dues]}


def _due_text(d: DueInfo) -> str:
    tier = f"{format_fen(d.tier_fen)}档 " if d.tier_fen else ""
    if d.paid_cash_receipt:
        state = f"已缴（收据 {d.paid_cash_receipt}）"
    elif d.paid_elsewhere:
        state = f"已缴（{d.paid_elsewhere}）"
    elif d.removed:
        state = "已移出清册"
    elif d.due_fen == 0:
        state = "政府全额代缴"
    else:
        state = "未缴"
    return f"{d.year}{d.insurance.short_label} {tier}应缴{format_fen(d.due_fen)} {state}"


def _search(args: argparse.Namespace, ctx: Context) -> int:
    people = ctx.desk(args).roster.search(args.text, limit=args.limit)

    def human() -> str:
        if not people:
            return f"没有找到「{args.text}」"
        out = []
        for p in people:
            mark = "  【已从清册移除】" if p.removed else ""
            out.append(f"{p.name}  {p.id_number}  {p.group}  户号{p.household_no or '—'}  "
                       f"{p.category}{mark}")
            out += [f"    {_due_text(d)}" for d in p.dues]
        return "\n".join(out)

    ctx.emit(args, [person_json(p) for p in people], human)
    return 0


def _line_json(line: ProgressLine) -> dict[str, Any]:
    return {"insurance": line.insurance.value, "label": line.insurance.short_label,
            "group": line.group, "due": line.due, "paid_cash": line.paid_cash,
            "paid_elsewhere": line.paid_elsewhere, "subsidised": line.subsidised,
            "unpaid": line.unpaid, "collected_fen": line.collected_fen,
            "outstanding_fen": line.outstanding_fen, "removed_paid": line.removed_paid}


def _progress(args: argparse.Namespace, ctx: Context) -> int:
    prog = ctx.desk(args).roster.progress(args.year)

    def human() -> str:
        out = [f"{prog.year}年度征收进度"]
        for line in (*prog.totals, *prog.groups):
            where = line.group or "全村"
            out.append(f"  {line.insurance.short_label} {where}：应缴 {line.due} 人，现金已缴 "
                       f"{line.paid_cash}，其他渠道 {line.paid_elsewhere}，政府代缴 "
                       f"{line.subsidised}，未缴 {line.unpaid}；已收现金 "
                       f"{format_fen(line.collected_fen)} 元，未缴金额 "
                       f"{format_fen(line.outstanding_fen)} 元")
        return "\n".join(out)

    ctx.emit(args, {"year": prog.year, "totals": [_line_json(t) for t in prog.totals],
                    "groups": [_line_json(g) for g in prog.groups]}, human)
    return 0


def _unpaid(args: argparse.Namespace, ctx: Context) -> int:
    roster = ctx.desk(args).roster
    if args.out:
        if not args.out.lower().endswith(".xlsx"):
            raise InvalidInput(f"输出文件「{args.out}」应以 .xlsx 结尾")
        count = roster.export_unpaid_xlsx(Path(args.out), args.year)
        ctx.emit(args, {"people": count, "file": args.out}, f"未缴名单 {count} 人，已写入 {args.out}")
        return 0
    people = roster.unpaid(args.year)
    ctx.emit(args, [{"id_number": p.id_number, "name": p.name, "group": p.group,
                     "household_no": p.household_no, "household_head": p.household_head,
                     "phone": p.phone, "total_fen": p.total_fen,
                     "dues": [due_json(d) for d in p.dues]} for p in people],
             lambda: "\n".join(f"{p.group} {p.household_no} {p.name} {p.phone}  "
                               + "；".join(_due_text(d) for d in p.dues) for p in people)
             or "没有未缴人员")
    return 0

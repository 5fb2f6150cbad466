"""`daishou door ...`: door to door from the command line (issue 25): give groups or households to
grid members, keep the 联络表, load the tax office's lists, record a reason or a visit, read a
grid member's list. The list's PDF is the window's (F7 → Ctrl+K): app/ renders no PDF."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli.common import Context, iso_day, json_flag
from app.domain.door import LIST_KINDS, POSTS, SECTIONS
from app.domain.ids import mask_id
from app.domain.money import format_fen
from app.domain.records import Role
from app.services.door import ASSIGN_ROLES, LIST_ROLES, VISIT_ROLES


def register(sub: argparse._SubParsersAction[Any]) -> None:
    door = sub.add_parser("door", help="入户：网格、未缴原因、走访、税务名单")
    dsub = door.add_subparsers(dest="door_command", required=True)
    j = json_flag()
    p = dsub.add_parser("assign", help="把村民小组（或其中一户）分给网格员；--member '' 收回")
    p.add_argument("--member", required=True)
    p.add_argument("--group", required=True)
    p.add_argument("--household", default="")
    p.add_argument("--by", required=True, help="村委会负责人或管理员; PIN on stdin")
    p.set_defaults(handler=_assign)
    p = dsub.add_parser("contact", help="联络表：添加或停用一行")
    p.add_argument("--post", required=True, choices=list(POSTS))
    p.add_argument("--name", required=True)
    p.add_argument("--phone", required=True)
    p.add_argument("--unit", default="")
    p.add_argument("--inactive", action="store_true", help="no longer holds the post")
    p.add_argument("--by", required=True, help="村委会负责人或管理员; PIN on stdin")
    p.set_defaults(handler=_contact)
    p = dsub.add_parser("import-list", parents=[j], help="导入税务名单（.xlsx、.csv）")
    p.add_argument("file")
    p.add_argument("--kind", required=True, choices=list(LIST_KINDS))
    p.add_argument("--day", help="the list's date (YYYY-MM-DD), today when not given")
    p.add_argument("--by", required=True, help="代收员、村委会负责人或管理员; PIN on stdin")
    p.set_defaults(handler=_import_list)
    p = dsub.add_parser("visit", help="登记走访（和未缴原因）")
    p.add_argument("id_number")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--outcome", required=True)
    p.add_argument("--next-step")
    p.add_argument("--reason", help="未缴原因 (外出务工, 已在外地参保, 经济困难, 拒缴, 死亡/迁出, …)")
    p.add_argument("--by", required=True, help="网格员、代收员或村委会负责人; PIN on stdin")
    p.set_defaults(handler=_visit)
    p = dsub.add_parser("reasons", parents=[j], help="本年度每人的未缴原因（已缴者也保留：逐一销号）")
    p.add_argument("--year", type=int, required=True)
    p.set_defaults(handler=_reasons)
    p = dsub.add_parser("list", parents=[j], help="入户名单（扣款失败在前）")
    p.add_argument("--member", help="one grid member's households; the whole village when not given")
    p.add_argument("--year", type=int)
    p.set_defaults(handler=_list)


def _user(args: argparse.Namespace, ctx: Context, roles: tuple[Role, ...], purpose: str) -> Any:
    return ctx.desk(args).users.authenticate(args.by, ctx.read_pin(args.by), roles=roles, purpose=purpose)


def _assign(args: argparse.Namespace, ctx: Context) -> int:
    by = _user(args, ctx, ASSIGN_ROLES, "分配网格")
    ctx.desk(args).door.assign(by, member=args.member, group=args.group, household_no=args.household)
    where = args.group + (f" 户号 {args.household}" if args.household else "")
    ctx.emit(args, {"member": args.member, "group": args.group, "household_no": args.household},
             f"{where} 已分给 {args.member}" if args.member else f"{where} 已收回")
    return 0


def _contact(args: argparse.Namespace, ctx: Context) -> int:
    by = _user(args, ctx, ASSIGN_ROLES, "编辑联络表")
    ctx.desk(args).door.add_contact(by, post=args.post, name=args.name, phone=args.phone, unit=args.unit,
                                    active=not args.inactive)
    ctx.emit(args, {"post": args.post, "name": args.name}, f"联络表：{POSTS[args.post]} {args.name}"
             + ("（已停用）" if args.inactive else ""))
    return 0


def _import_list(args: argparse.Namespace, ctx: Context) -> int:
    by = _user(args, ctx, LIST_ROLES, "导入税务名单")
    day = iso_day(args.day) if args.day else None
    taken, rejected = ctx.desk(args).door.import_debit_list(by, Path(args.file), list_kind=args.kind, day=day)
    payload = {"taken": taken, "rejected": [{"row": r.row, "column": r.column, "reason": r.reason}
                                            for r in rejected]}
    ctx.emit(args, payload, "\n".join([f"{LIST_KINDS[args.kind]}：导入 {taken} 人，拒绝 {len(rejected)} 行",
                                       *[f"  {r}" for r in rejected]]))
    return 0


def _visit(args: argparse.Namespace, ctx: Context) -> int:
    by = _user(args, ctx, VISIT_ROLES, "登记走访")
    door = ctx.desk(args).door
    if args.reason:
        door.record_reason(by, args.id_number, args.year, args.reason)
    door.record_visit(by, args.id_number, args.year, outcome=args.outcome, next_step=args.next_step)
    ctx.emit(args, {"id_number": args.id_number, "year": args.year}, "已登记走访")
    return 0


def _list(args: argparse.Namespace, ctx: Context) -> int:
    listing = ctx.desk(args).door.door_list(member=args.member, year=args.year)
    payload = [{"section": p.section, "id_number": p.id_number, "name": p.name, "group": p.group,
                "household_no": p.household_no, "owed_fen": p.total_fen, "debit": p.debit, "member": p.member,
                "reason": p.reason, "visits": len(p.visits)} for p in listing.people]

    def human() -> str:
        out = [f"{listing.year}年度入户名单（{args.member or '全村'}）：{len(listing.people)} 人"]
        for n, title in enumerate(SECTIONS):
            people = listing.section(n)
            if people:
                out.append(f"{title}：")
                out += [f"  {p.group} {p.household_no} {p.name} {mask_id(p.id_number)} 应缴{format_fen(p.total_fen)}"
                        f" {p.debit} {p.reason or ''}".rstrip() for p in people]
        return "\n".join(out)

    ctx.emit(args, payload, human)
    return 0


def _reasons(args: argparse.Namespace, ctx: Context) -> int:
    found = ctx.desk(args).door.reasons(args.year)
    payload = [{"id_number": r.id_number, "reason": r.reason, "note": r.note, "by": r.by, "paid": r.paid}
               for r in found]
    ctx.emit(args, payload, lambda: "\n".join(
        [f"{args.year}年度未缴原因：{len(found)} 人"]
        + [f"  {mask_id(r.id_number)} {r.reason}{'（已缴，销号）' if r.paid else ''}" for r in found]))
    return 0

"""Core commands: init, users, config, receipts, voids, settlement, remittance, verify."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from app.cli import cash_cmd
from app.cli.common import Context, json_flag
from app.domain.money import format_fen
from app.domain.records import Role, UserInfo
from app.services.errors import InvalidInput, StorageError
from app.storage.verify import VerifyResult

if TYPE_CHECKING:  # for annotations only: `cash` and `verify` do not load them

    pass

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

    cash_cmd.register(sub, j)

    p = sub.add_parser("backup", parents=[j], help="备份数据文件（默认到设置的备份文件夹）")
    p.add_argument("--to", help="folder (default: the backup.dir setting)")
    p.set_defaults(handler=_backup)

    p = sub.add_parser("cash", parents=[j], help="现金状况")
    p.set_defaults(handler=_cash)

    p = sub.add_parser("verify", parents=[j], help="校验账本哈希链与派生表")
    p.add_argument("--full", action="store_true",
                   help="也重验县里已确认收到的记录的签名（默认只验其后的，县里收到时已验过）")
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


def _cash(args: argparse.Namespace, ctx: Context) -> int:
    c = ctx.desk(args).settlements.cash_position()
    ctx.emit(args, {"on_hand_fen": c.on_hand_fen, "unsettled_fen": c.unsettled_fen,
                    "settled_not_remitted_fen": c.settled_not_remitted_fen, "remitted_fen": c.remitted_fen},
             f"手头现金 {format_fen(c.on_hand_fen)} 元（未日结 {format_fen(c.unsettled_fen)}，"
             f"已日结未解缴 {format_fen(c.settled_not_remitted_fen)}），已解缴 {format_fen(c.remitted_fen)} 元")
    return 0


def _verify(args: argparse.Namespace, ctx: Context) -> int:
    try:
        result = ctx.desk(args).verify(full=args.full)
    except StorageError as exc:  # an emptied or unreadable file is a failed check, not a crash
        result = VerifyResult(False, 0, None, str(exc))
    def text() -> str:
        if not result.ok:
            where = f"第 {result.first_bad_seq} 条 — " if result.first_bad_seq is not None else ""
            return f"账本校验失败：{where}{result.reason}"
        full = "；加 --full 全部重验" if result.acknowledged else ""
        return f"账本完好：{result.entries} 条记录" + (f"（注意：{result.note}{full}）" if result.note else "")

    ctx.emit(args, result.to_json(), text)
    return 0 if result.ok else 5


def _read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidInput(f"找不到文件 {path}") from None

"""`daishou enrol`, `daishou sync`, `daishou export`: plugged into the command line by entry point."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli.common import Context, json_flag
from app.domain.money import format_fen


def register(sub: Any) -> None:
    j = json_flag()
    p = sub.add_parser("enrol", parents=[j], help="注册到县级服务器（一次性注册码）")
    p.add_argument("--server", required=True, help="https://county.example/ (the county's address)")
    p.add_argument("--code", required=True, help="the one-time code the county printed")
    p.set_defaults(handler=_enrol)
    p = sub.add_parser("sync", parents=[j], help="上传已日结的账本，接收清册、配置、入库确认")
    p.set_defaults(handler=_sync)
    p = sub.add_parser("export", parents=[j], help="无网络时：把待上传的签名批次写到文件（U盘）")
    p.add_argument("--out", required=True, help="FILE.json")
    p.add_argument("--code", help="not enrolled online: the county's 16-character USB code, once")
    p.set_defaults(handler=_export)
    p = sub.add_parser("confirmations", parents=[j], help="解缴单的入库确认（县里同步下来的）")
    p.set_defaults(handler=_confirmations)


def _enrol(args: argparse.Namespace, ctx: Context) -> int:
    from sync.client import SyncClient

    answer = SyncClient(ctx.desk(args), server=args.server).enrol(args.code)
    ctx.emit(args, {"device_id": answer.device_id, "server": args.server},
             f"已注册：设备 {answer.device_id}，县级服务器 {args.server}")
    return 0


def _sync(args: argparse.Namespace, ctx: Context) -> int:
    from sync.client import SyncClient

    report = SyncClient(ctx.desk(args)).run()
    sent = "、".join(f"第 {a}–{b} 条" for a, b in report.sent) or "没有新记录"
    ctx.emit(args, report.to_json(), f"已上传：{sent}；县里保存到第 {report.held} 条；"
             f"入库确认 {len(report.received.get('confirmations', []))} 张")
    return 0


def _export(args: argparse.Namespace, ctx: Context) -> int:
    from sync.client import SyncClient

    desk = ctx.desk(args)
    client = SyncClient(desk)
    span = client.export(Path(args.out), code=args.code)
    held_back = span is not None and desk.sync.pending(span[1]) is not None
    note = f"\n注意：{client.export_note}" if span and client.export_note else ""
    ctx.emit(args, {"out": args.out, "range": list(span) if span else None, "held_back": held_back,
                    "note": client.export_note},
             (f"已导出第 {span[0]}–{span[1]} 条到 {args.out}：请把U盘交县里导入"
              + ("；之后的记录县服务器（上次同步时）还不认识，县里升级服务器后再导出" if held_back else "") + note)
             if span else "没有待上传的已日结记录")
    return 0


def _confirmations(args: argparse.Namespace, ctx: Context) -> int:
    state = ctx.desk(args).sync.state()
    confirmed = state.get("confirmations", {})
    ctx.emit(args, confirmed, "\n".join(f"{slip}  ￥{format_fen(c['amount_fen'])}  {c['confirmed_on']} 已入库"
                                        for slip, c in sorted(confirmed.items())) or "还没有入库确认")
    return 0

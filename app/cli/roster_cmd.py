"""`daishou roster ...`: import the county roster, search it, progress and the unpaid list."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path
from typing import Any

from app.cli.common import Context, json_flag


def register(sub: argparse._SubParsersAction[Any]) -> None:
    roster = sub.add_parser("roster", help="征收清册")
    rsub = roster.add_subparsers(dest="roster_command", required=True)
    p = rsub.add_parser("import", parents=[json_flag()], help="导入征收清册")
    p.add_argument("file")
    p.set_defaults(handler=_import)


def _import(args: argparse.Namespace, ctx: Context) -> int:
    result = ctx.desk(args).roster.import_file(Path(args.file))
    payload = {"imported": result.imported, "updated": result.updated, "removed": result.removed,
               "rejected": [asdict(r) for r in result.rejected]}
    lines = [f"新增 {result.imported} 人，更新 {result.updated} 人，移除 {result.removed} 人，"
             f"拒绝 {len(result.rejected)} 行"]
    lines += [f"  第{r.row}行 {r.column}：{r.reason}" for r in result.rejected]
    ctx.emit(args, payload, "\n".join(lines))
    return 0

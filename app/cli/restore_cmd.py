"""`daishou restore FILE --by NAME`: put a backup copy back as this data folder's ledger.

The current ledger is not opened as a desk (it is often damaged: that is why one restores); the
service reads what it can of it, keeps it aside and checks the copy (app/services/restore.py)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli.common import Context, json_flag
from app.services.database import default_home


def register(sub: Any) -> None:
    p = sub.add_parser("restore", parents=[json_flag()],
                       help="从备份恢复账本（村委会负责人或管理员 PIN 从标准输入读取）；原账本移到 replaced 文件夹保留")
    p.add_argument("file", help="备份文件：daishou-村代码-设备号-日期-版本.sqlite3[.age]")
    p.add_argument("--by", required=True, help="村委会负责人或管理员")
    p.add_argument("--key", help="乡镇的密钥文件（本机没有系统密钥库、备份只加密给乡镇和县里时）")
    p.set_defaults(handler=_restore)


def _restore(args: argparse.Namespace, ctx: Context) -> int:
    from app.services.restore import restore

    home = Path(args.home) if args.home else default_home()
    pin = ctx.read_pin(args.by)
    result = restore(home, Path(args.file), by=args.by, pin=pin, now=ctx.clock,
                     key_file=Path(args.key) if args.key else None)
    aside = "、".join(str(p) for p in result.kept_aside) or "（原来没有账本）"
    ctx.emit(args, result.to_json(),
             f"已恢复：{result.restored}（{result.entries} 条日志，最新收据序号 {result.receipt_seq}）\n"
             f"原账本保留在：{aside}")
    return 0

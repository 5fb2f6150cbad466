"""`daishou review FILE`: the township's review of a village's ledger file."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.common import Context, iso_day, json_flag
from app.domain.money import format_fen

if TYPE_CHECKING:  # review's modules load only when a review is asked for
    from app.services.review import FileReview


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("review", parents=[json_flag()],
                       help="乡镇审核：校验村账本文件，列出疑点，随机抽查不少于10%%的收据")
    p.add_argument("file", help="村里备份的账本文件（daishou-….sqlite3 或加密的 .sqlite3.age）")
    p.add_argument("--key", help="乡镇的密钥文件（age 私钥，打开加密的账本；默认 $DAISHOU_TOWNSHIP_KEY）")
    p.add_argument("--seed", help="抽查种子（重新抽查时输入报告上的种子；默认随机）")
    p.add_argument("--as-of", help="审核日期 YYYY-MM-DD（默认今天）：据此判断现金是否及时解缴")
    p.set_defaults(handler=_review)


def _review(args: argparse.Namespace, ctx: Context) -> int:
    from app.services.review import review_file
    from app.services.sealing import read_key_file

    as_of = iso_day(args.as_of, "--as-of") if args.as_of else ctx.clock().date()
    key = args.key or os.environ.get("DAISHOU_TOWNSHIP_KEY")
    identities = read_key_file(Path(key)) if key else []
    result = review_file(Path(args.file), as_of=as_of, seed=args.seed, identities=identities)
    ctx.emit(args, result.to_json(), lambda: summary(result))
    return 0 if result.check.ok else 5


def summary(r: FileReview) -> str:
    v, d = r.review, r.device
    out = [f"{d.village_name}（{d.village_code}）设备 {d.device_no:02d}：{v.first_day or '—'} 至 {v.last_day or '—'}，"
           f"收据 {len(v.receipts)} 张，实收 {format_fen(v.collected_fen)} 元，作废 {format_fen(v.voided_fen)} 元，"
           f"已日结 {format_fen(v.settled_fen)} 元，已解缴 {format_fen(v.remitted_fen)} 元"]
    if r.check.ok:
        out.append(f"账本校验：完好（{r.check.entries} 条记录）")
    else:
        where = f"第 {r.check.first_bad_seq} 条 — " if r.check.first_bad_seq is not None else ""
        out.append(f"账本校验失败：{where}{r.check.reason}")
    out.append(f"疑点 {len(v.flags)} 条：")
    out += [f"  [{f.label}] {f.reason}" for f in v.flags] or ["  （无）"]
    out.append(f"抽查 {len(r.sample)} 张（不少于 10%，种子 {r.seed}）：")
    out += [f"  {s.number}  {s.day}  {s.payer_name}  {format_fen(s.total_fen)} 元  {s.agent}  {s.status}"
            for s in r.sample] or ["  （无收据）"]
    return "\n".join(out)

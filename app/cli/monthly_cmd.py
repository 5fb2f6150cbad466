"""`daishou monthly`: what the township counts each month, for this village (seed 004 镇级4、5;
issue 25), on the screen, as JSON or as a workbook (--xlsx). The PDF is the window's (F5)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli.common import Context, json_flag
from app.domain.ids import mask_id
from app.domain.money import format_fen
from app.domain.monthly import MonthlyCounts, parse_month
from app.services.errors import InvalidInput


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("monthly", parents=[json_flag()], help="月度统计：各档次缴费、财政补贴、特殊群体、到龄人员")
    p.add_argument("--month", help="YYYY-MM (this month when not given)")
    p.add_argument("--year", type=int, help="benefit year (the roster's newest when not given)")
    p.add_argument("--xlsx", help="also write the workbook here")
    p.set_defaults(handler=_monthly)


def human(c: MonthlyCounts) -> str:
    out = [f"{c.label}（{c.year}年度）：当月缴费 {c.month_payers} 人，{format_fen(c.month_fen, symbol=True)}",
           "各档次（当月人数 金额 / 累计人数 金额）："]
    out += [f"  {t.label}：{t.month_payers} {format_fen(t.month_fen)} / {t.total_payers} {format_fen(t.total_fen)}"
            for t in c.tiers if t.total_payers]
    out.append(f"财政补贴：当月 {format_fen(c.month_subsidy_fen)}，全年应补贴 {format_fen(c.year_subsidy_fen)}")
    out += [f"  {s.category.value} {s.insurance.short_label}：当月 {s.month_people}人 {format_fen(s.month_fen)}，"
            f"全年 {s.year_people}人 {format_fen(s.year_fen)}" for s in c.subsidies]
    out.append("特殊群体：" + ("；".join(f"{k.category.value} {k.people}人（未缴 {k.unpaid}）" for k in c.special_counts)
                            or "无"))
    out.append(f"{c.month.year}年到龄（年满60周岁）：{len(c.reaching_age)} 人")
    out += [f"  {a.group} {a.name} {mask_id(a.id_number)} {a.reaches_on.isoformat()}" for a in c.reaching_age]
    return "\n".join(out)


def _monthly(args: argparse.Namespace, ctx: Context) -> int:
    try:
        month = parse_month(args.month) if args.month else None
    except ValueError as exc:
        raise InvalidInput(f"--month：{exc}") from None
    desk = ctx.desk(args)
    counts = desk.monthly.counts(month, year=args.year)
    if args.xlsx:
        desk.monthly.export_xlsx(Path(args.xlsx), counts)
    ctx.emit(args, counts.to_json(), lambda: human(counts) + (f"\n已写入 {args.xlsx}" if args.xlsx else ""))
    return 0

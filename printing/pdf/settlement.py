"""日结单: one agent's day — cash counted against the ledger, by denomination, signed twice."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer, Table

from app.domain.insurance import Insurance
from app.domain.money import fen_in_words, format_fen
from app.domain.receipt_numbers import receipt_sequence
from app.domain.records import Device, Receipt, Settlement
from printing.pdf.base import PORTRAIT, build, para, styles, table_style


def _denomination(fen: int) -> str:
    return f"{fen // 100} 元" if fen >= 100 else f"{fen // 10} 角" if fen >= 10 else f"{fen} 分"


def settlement_pdf(settlement: Settlement, device: Device, receipts: Sequence[Receipt],
                   acknowledged: dict[str, str] | None = None) -> bytes:
    """`receipts` are the day's receipts (voided ones included, they are listed as voided)."""
    return settlements_pdf([(settlement, receipts)], device, acknowledged)


def settlements_pdf(rounds: Sequence[tuple[Settlement, Sequence[Receipt]]], device: Device,
                    acknowledged: dict[str, str] | None = None) -> bytes:
    """Every settlement round of a day, one page each: cash taken after the day was settled
    is a second round (第2次日结) with its own count and signatures. `acknowledged` maps a
    settlement's hash to when the county server acknowledged holding it (only those it did)."""
    story: list[Flowable] = []
    for n, (settlement, receipts) in enumerate(rounds):
        if n:
            story.append(PageBreak())
        story += _round_story(settlement, device, receipts, of=len(rounds),
                              acknowledged=(acknowledged or {}).get(settlement.hash))
    s = rounds[0][0]
    return build(story, pagesize=PORTRAIT, title="代收现金日结单",
                 footer=f"{device.village_name} 日结单 {s.day:%Y-%m-%d}")


def _numbers(receipts: Sequence[Receipt]) -> tuple[str, list[list[object]]]:
    """Every receipt number of the round in order, voided ones as such, and whether the run is
    continuous: a clerk checks the paper stubs against this list, number by number."""
    ordered = sorted(receipts, key=lambda r: receipt_sequence(r.number))
    if not ordered:
        return "本次没有收据", []
    seqs = [receipt_sequence(r.number) for r in ordered]
    missing = sorted(set(range(seqs[0], seqs[-1] + 1)) - set(seqs))
    valid = sum(1 for r in ordered if r.void is None)
    head = (f"收据号 {ordered[0].number} 至 {ordered[-1].number}，共 {len(ordered)} 张"
            f"（有效 {valid} 张，作废 {len(ordered) - valid} 张），"
            + ("号码连续，无缺号" if not missing else "缺号：" + "、".join(f"{n:06d}" for n in missing)))
    rows: list[list[object]] = []
    for r in ordered:
        status = "有效" if r.void is None else f"作废：{r.void.reason}（会签 {r.void.head}）"
        rows.append([r.number, r.payer_name, format_fen(r.total_fen), status])
    return head, rows


def _round_story(settlement: Settlement, device: Device, receipts: Sequence[Receipt], *,
                 of: int, acknowledged: str | None = None) -> list[Flowable]:
    st = styles()
    s = settlement
    valid = [r for r in receipts if r.void is None]
    voided = [r for r in receipts if r.void is not None]

    summary = [
        ["结算日期", f"{s.day:%Y年%m月%d日}" + (f" 第{s.round_no}次（共{of}次）" if of > 1 else ""),
         "结算时间", f"{s.settled_at:%Y-%m-%d %H:%M:%S}"],
        ["村（社区）", f"{device.village_name}（{device.village_code}）", "收款设备", f"第 {device.device_no} 号"],
        ["有效收据", f"{s.receipts} 张", "作废收据", f"{s.voids} 张"],
        ["应收现金（台账）", format_fen(s.expected_fen, symbol=True), "大写", fen_in_words(s.expected_fen)],
        ["实点现金", format_fen(s.counted_fen, symbol=True), "大写", fen_in_words(s.counted_fen)],
        ["差额", format_fen(s.difference_fen, symbol=True), "差额说明", s.reason or ("无" if s.difference_fen == 0 else "（未说明）")],
    ]
    if s.receipt_numbers:
        summary.append(["收据号范围", f"{min(s.receipt_numbers)} 至 {max(s.receipt_numbers)}", "", ""])
        summary[-1][1] = para(summary[-1][1], st["body"])
    t_summary = Table(summary, colWidths=[32 * mm, 58 * mm, 26 * mm, 70 * mm])
    t_summary.setStyle(table_style(("BACKGROUND", (0, 0), (-1, 0), None), size=10))

    by_ins = []
    for ins in Insurance:
        lines = [ln for r in valid for ln in r.lines if ln.insurance is ins]
        fen = sum(ln.amount_fen for ln in lines)
        by_ins.append([ins.label, f"{len(lines)} 人次", format_fen(fen)])
    by_ins.append(["合计", f"{sum(len(r.lines) for r in valid)} 人次",
                   format_fen(sum(r.total_fen for r in valid))])
    t_ins = Table([["险种", "人次", "金额（元）"], *by_ins], colWidths=[70 * mm, 40 * mm, 40 * mm])
    t_ins.setStyle(table_style(("ALIGN", (1, 1), (-1, -1), "RIGHT"), size=10))

    denoms = sorted(s.denominations.items(), reverse=True)
    rows = [[_denomination(d), str(n), format_fen(d * n)] for d, n in denoms if n]
    rows.append(["合计", str(sum(n for _, n in denoms)), format_fen(sum(d * n for d, n in denoms))])
    t_cash = Table([["面额", "张（枚）数", "金额（元）"], *rows], colWidths=[50 * mm, 40 * mm, 40 * mm])
    t_cash.setStyle(table_style(("ALIGN", (1, 1), (-1, -1), "RIGHT"), size=10))

    story: list[Flowable] = [
        Paragraph("代收现金日结单" + (f"（第{s.round_no}次）" if of > 1 else ""), st["title"]),
        para(f"{device.township_name} {device.village_name}    代收员：{s.agent}", st["sub"]),
        t_summary,
        para("按险种汇总", st["h2"]), t_ins,
        para("现金清点（按面额）", st["h2"]), t_cash,
    ]
    if voided:
        story.append(para("作废收据", st["h2"]))
        for r in voided:
            assert r.void is not None
            story.append(para(f"{r.number}  {r.payer_name}  {format_fen(r.total_fen, symbol=True)}"
                              f"  原因：{r.void.reason}  会签：{r.void.head}", st["body"]))
    head, number_rows = _numbers(receipts)
    story.append(para("收据号码（逐号核对存根）", st["h2"]))
    story.append(para(head, st["body"]))
    if number_rows:
        t_numbers = Table([["收据号", "缴费人", "金额（元）", "状态"],
                           *[[r[0], para(str(r[1]), st["body"]), r[2], para(str(r[3]), st["body"])] for r in number_rows]],
                          colWidths=[58 * mm, 40 * mm, 28 * mm, 60 * mm], repeatRows=1)
        t_numbers.setStyle(table_style(("ALIGN", (2, 1), (2, -1), "RIGHT"), size=9))
        story.append(t_numbers)
    story += [
        Spacer(1, 10 * mm),
        para(f"代收员签字：________________（{s.agent}）        "
             f"村委会负责人签字：________________（{s.head}）", st["body"]),
        Spacer(1, 6 * mm),
        para("日期：________年____月____日        （加盖村委会印章）", st["body"]),
        Spacer(1, 6 * mm),
        para(f"账本校验码（日结记录哈希）：{s.hash[:32]}", st["note"]),
        para(f"县级服务器已确认收到本日结及以前的全部记录（{acknowledged}）" if acknowledged
             else "本日结尚未上传县级服务器（或尚未收到县里的确认）", st["note"]),
    ]
    return story

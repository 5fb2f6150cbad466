"""The monthly counts (seed 004 镇级4、5) as PDF, for the village to hand the township: the tiers'
payers and amounts, the fiscal subsidy per category, the special groups counted and listed, the
people reaching pension age. ID numbers masked; no phone."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from app.domain.ids import mask_id
from app.domain.insurance import Insurance
from app.domain.money import format_fen
from app.domain.monthly import MonthlyCounts, renewal_text
from printing.pdf.base import PORTRAIT, build, cell, para, styles, table_style


def _table(header: list[str], body: Sequence[Sequence[object]], widths: list[float], *, total: bool = False) -> Table:
    table = Table([header, *[list(r) for r in body]], colWidths=[w * mm for w in widths], repeatRows=1)
    extra: list[tuple[object, ...]] = [("ALIGN", (1, 1), (-1, -1), "RIGHT")]
    if total:
        extra.append(("FONTSIZE", (0, -1), (-1, -1), 9.5))
    table.setStyle(table_style(*extra))
    return table


def monthly_pdf(c: MonthlyCounts, *, village: str, township: str) -> bytes:
    st = styles()
    story: list[Flowable] = [
        Paragraph(f"{c.label}城乡居民“两险”缴费情况统计表", st["title"]),
        para(f"{township} {village}    {c.year}年度    统计期间 {c.month:%Y-%m-%d} 至 {c.month_end:%Y-%m-%d}",
             st["sub"]),
        para("一、各档次缴费人数及金额（本村现金代收，作废收据不计）", st["h2"]),
        _table(["档次", "当月缴费人数", "当月缴费金额（元）", "累计缴费人数", "累计缴费金额（元）"],
               [[t.label, str(t.month_payers), format_fen(t.month_fen), str(t.total_payers), format_fen(t.total_fen)]
                for t in c.tiers if t.total_payers or t.month_payers]
               + [["合计", str(c.month_payers), format_fen(c.month_fen), "",
                   format_fen(sum(t.total_fen for t in c.tiers))]], [40, 32, 40, 32, 40], total=True),
        para("二、财政应拨付的缴费补贴（按县级配置的人员类别补贴标准）", st["h2"]),
        _table(["人员类别", "险种", "当月缴费人数", "当月补贴（元）", "全年应补贴人数", "全年应补贴（元）"],
               [[s.category.value, s.insurance.short_label, str(s.month_people), format_fen(s.month_fen),
                 str(s.year_people), format_fen(s.year_fen)] for s in c.subsidies]
               + [["合计", "", "", format_fen(c.month_subsidy_fen), "", format_fen(c.year_subsidy_fen)]],
               [30, 20, 30, 34, 34, 36], total=True),
        para("三、特殊群体", st["h2"]),
        para("；".join(f"{k.category.value} {k.people} 人（已缴或代缴 {k.paid}，未缴 {k.unpaid}）"
                      for k in c.special_counts) or "无", st["body"]),
    ]
    if c.specials:
        story.append(Spacer(1, 2 * mm))
        story.append(_table(["人员类别", "村民小组", "户号", "姓名", "证件号码", "养老", "医疗"],
                            [[s.category.value, cell(s.group, 8, width=28 * mm), s.household_no,
                              cell(s.name, 8.5, width=24 * mm), mask_id(s.id_number),
                              dict(s.states).get(Insurance.PENSION, "—"), dict(s.states).get(Insurance.MEDICAL, "—")]
                             for s in c.specials], [20, 28, 14, 24, 34, 33, 33]))
    story.append(para(f"四、{c.month.year}年到龄人员（年满60周岁，可申领养老待遇）：{len(c.reaching_age)} 人", st["h2"]))
    if c.reaching_age:
        story.append(_table(["村民小组", "户号", "姓名", "证件号码", "年满60周岁日期", f"截至{c.month_end:%m月%d日}"],
                            [[cell(a.group, 8, width=30 * mm), a.household_no, cell(a.name, 8.5, width=26 * mm),
                              mask_id(a.id_number), a.reaches_on.isoformat(),
                              "已到龄" if a.reached_by(c.month_end) else "未到龄"] for a in c.reaching_age],
                            [30, 16, 26, 36, 34, 28]))
    story += [para("五、续费率（养老：上年已缴者中本年已缴的比例，按1月1日周岁分段，截至月末）", st["h2"]),
              _table(["年龄段", "上年已缴人数", "其中本年已缴", "续费率", "目标"],
                     [[r.band.label, str(r.base), str(r.renewed), renewal_text(r), f"{r.band.default_target_pct:g}%"]
                      for r in c.renewal], [34, 32, 32, 30, 24])]
    story += [Spacer(1, 4 * mm),
              para("制表人：__________    审核人：__________    报送日期：____年__月__日    （盖章）", st["body"]),
              para("说明：当月与累计按收据日期统计；其他渠道缴费（税务提供）与政府全额代缴无缴费日期，只计入全年应补贴。"
                   "证件号码已隐去中间位。", st["note"])]
    return build(story, pagesize=PORTRAIT, title=f"{village}{c.label}缴费统计", footer=f"{village} {c.label} 缴费统计")

"""The county's paper read back from the PDF: what is on it, what must never be on it."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime

import pytest

from app.domain.ids import mask_id
from app.domain.insurance import Insurance
from app.domain.records import Device, Settlement, VoidInfo
from printing import fonts
from printing.pdf.ledger import ledger_pdf
from printing.pdf.lists import PostingRow, UnpaidRow, posting_pdf, unpaid_pdf
from printing.pdf.settlement import settlement_pdf
from tests.printing import samples
from tests.printing.pdftext import PdfText, read_pdf

DEVICE = Device("341824001", "桃花村", "341824", "桃花镇", 1)
FULL_ID = re.compile(r"\d{17}[\dX]")
FULL_PHONE = re.compile(r"(?<!\d)1\d{10}(?!\d)")
NAMES = ("张建国", "王䶮", "李𠇔", "阿依古丽·买买提")


def assert_every_glyph_exists(pdf: PdfText) -> None:
    """Each embedded font is only asked for characters its cmap has (reportlab would draw a
    missing one as nothing, while the text layer still claims it is there)."""
    by_name = {fonts._ttfile(str(f.path), f.spec.subfont).name.decode(): f
               for f in fonts.discover()}
    assert pdf.font_chars, "no embedded fonts found"
    for base, chars in pdf.font_chars.items():
        font = by_name[base.rsplit("-", 1)[0]]
        missing = {c for c in chars if c.isprintable() and not c.isspace() and not font.covers(c)}
        assert not missing, f"{base} draws {missing} without a glyph"


def posting_rows(n_groups: int = 2) -> list[PostingRow]:
    people = [("张建国", samples.ZHANG, "13812345678"), ("王䶮", samples.RARE, "13900001111"),
              ("李𠇔", samples.RARE_B, ""), ("阿依古丽·买买提", samples.UYGHUR, "15099998888")]
    return [PostingRow(f"第{g}村民小组", name, idn, phone, ins, 2025, amount, date(2025, 9, 2))
            for g in "一二三"[:n_groups] for name, idn, phone in people
            for ins, amount in ((Insurance.PENSION, 50000), (Insurance.MEDICAL, 40000))]


def test_posting_never_shows_a_full_id_or_phone_number() -> None:
    rows = posting_rows()
    pdf = read_pdf(posting_pdf(rows, village="桃花镇桃花村", year=2025, start=date(2025, 9, 1),
                               end=date(2025, 9, 30), contact="0550-1234567"))
    text = pdf.all
    assert not FULL_ID.search(text.replace(" ", "").replace("\n", ""))
    assert not FULL_PHONE.search(text)
    for r in rows:
        assert mask_id(r.id_number) in text
    assert "138****5678" in text and "150****8888" in text
    for name in NAMES:
        assert name in text
    assert "第一村民小组" in text and "第二村民小组" in text
    assert "合计 16 人次，￥7,200.00（大写：柒仟贰佰元整）" in text
    assert "第 1 页 共 1 页" in text
    assert_every_glyph_exists(pdf)


def test_posting_of_many_rows_numbers_every_page() -> None:
    rows = posting_rows(3) * 20
    pdf = read_pdf(posting_pdf(rows, village="桃花村", year=2025, start=date(2025, 9, 1),
                               end=date(2025, 9, 30)))
    total = len(pdf.pages)
    assert total > 1
    for number, page in enumerate(pdf.pages, start=1):
        assert f"第 {number} 页 共 {total} 页" in page
        assert not FULL_ID.search(page.replace("\n", ""))
        assert "序号" in page  # the header row repeats on every page
        assert "村民小组（" in page  # and so does the group's title


def ledger_receipts() -> list:
    day2 = datetime(2025, 9, 2, 9, 0)
    r1 = samples.ORDINARY
    r2 = replace(samples.RARE_NAMES, number="341824001-1-2025-000124")
    r3 = replace(samples.MINORITY, number="341824001-1-2025-000125",
                 void=VoidInfo("金额录错", "王桂兰", "李村长", datetime(2025, 9, 1, 11)))
    r4 = replace(samples.MINORITY, number="341824001-1-2025-000126", recorded_at=day2,
                 day=day2.date())
    return [r1, r2, r3, r4]


def test_ledger_has_every_line_signature_boxes_and_daily_totals_in_words() -> None:
    pdf = read_pdf(ledger_pdf(ledger_receipts(), DEVICE, start=date(2025, 9, 1),
                              end=date(2025, 9, 2)))
    text = pdf.all
    for head in ("现金征缴登记台账", "序号", "收据号", "缴费人", "参保人", "证件号码", "人员类别", "险种",
                 "年度", "档次", "政府资助", "金额", "缴费人签字/手印", "代收人员签字", "村委会负责人签字",
                 "本页小计", "累计（含承前页）", "制表人", "审核人（村委会负责人）", "村委会盖章"):
        assert head in text
    for name in NAMES:
        assert name in text
    assert samples.RARE_B in text  # the ledger is internal and signed: full ID numbers
    # 2025-09-01: 1,400 + 1,400 (the 900 voided), 2025-09-02: 900.
    assert "2025-09-01 本日合计 6 人次" in text and "2,800.00" in text
    assert "大写：贰仟捌佰元整" in text
    assert "2025-09-02 本日合计 2 人次" in text and "大写：玖佰元整" in text
    assert "本期现金合计：￥3,700.00（大写：叁仟柒佰元整）" in text
    assert text.count("已作废") == 2  # both lines of the voided receipt, not counted
    total = len(pdf.pages)
    assert all(f"第 {i} 页 共 {total} 页" in p for i, p in enumerate(pdf.pages, start=1))
    assert_every_glyph_exists(pdf)


def test_settlement_sheet() -> None:
    receipts = ledger_receipts()[:3]
    s = Settlement(date(2025, 9, 1), datetime(2025, 9, 1, 18, 5), 280000, 279000, -1000,
                   "一张十元假币已退回", {10000: 27, 5000: 1, 2000: 1, 1000: 2, 500: 1}, 2, 1,
                   "王桂兰", "李村长", "f" * 64, tuple(r.number for r in receipts))
    pdf = read_pdf(settlement_pdf(s, DEVICE, receipts))
    text = pdf.all
    for expected in ("代收现金日结单", "2025年09月01日", "￥2,800.00", "贰仟捌佰元整", "￥2,790.00",
                     "贰仟柒佰玖拾元整", "￥-10.00", "一张十元假币已退回", "城乡居民基本养老保险",
                     "城乡居民基本医疗保险", "代收员签字", "村委会负责人签字", "李村长",
                     "作废收据", "金额录错", "341824001-1-2025-000123"):
        assert expected in text, expected
    # Denominations: 27×100 + 50 + 20 + 2×10 + 5 = 2,795.00 over 32 notes.
    assert "2,795.00" in text and "32" in text
    assert_every_glyph_exists(pdf)


def test_unpaid_list() -> None:
    rows = [UnpaidRow("第二村民小组", "李𠇔", samples.RARE_B, "13912345678", Insurance.MEDICAL, 2025,
                      40000, "低保"),
            UnpaidRow("第一村民小组", "张伟", samples.SON, "", Insurance.PENSION, 2025, 20000)]
    pdf = read_pdf(unpaid_pdf(rows, village="桃花村", year=2025, as_of=date(2025, 9, 30),
                              agent="王桂兰"))
    text = pdf.all
    assert text.index("第一村民小组") < text.index("第二村民小组")
    assert "李𠇔" in text and mask_id(samples.RARE_B) in text
    assert not FULL_ID.search(text.replace("\n", ""))
    assert "未缴合计 2 人次，应缴 ￥600.00（大写：陆佰元整）" in text
    assert_every_glyph_exists(pdf)


def test_missing_fonts_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "discover", lambda: ())
    with pytest.raises(fonts.FontMissingError, match="fonts-wqy-zenhei"):
        posting_pdf(posting_rows(1), village="桃花村", year=2025, start=date(2025, 9, 1),
                    end=date(2025, 9, 30))


def test_a_character_no_font_has_is_an_error_not_a_blank() -> None:
    row = replace(posting_rows(1)[0], name="王\U000f0001")
    with pytest.raises(fonts.FontMissingError, match="U\\+F0001.*fonts-hanazono"):
        posting_pdf([row], village="桃花村", year=2025, start=date(2025, 9, 1),
                    end=date(2025, 9, 30))

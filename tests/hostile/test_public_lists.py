"""The 公示 goes on the notice board: no full ID or phone number in any column, even one typed
into a free-text field (a group name, a remark) where nobody expected numbers."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from app.domain.ids import mask_numbers
from app.domain.insurance import Insurance
from printing.pdf.lists import PostingRow, posting_pdf


@pytest.mark.parametrize(("typed", "shown"), [
    ("张三 13800138000", "张三 138****8000"),
    ("备注341824195711015652", "备注341824********5652"),
    ("王五 138-0013-8000", "王五 138****8000"),
    ("第3组", "第3组"), ("2027年", "2027年"),  # short numbers are not private
])
def test_numbers_that_may_be_ids_or_phones_are_masked_anywhere(typed: str, shown: str) -> None:
    assert mask_numbers(typed) == shown


def test_the_posting_shows_no_full_number_in_any_column() -> None:
    rows = [PostingRow("第一组（组长电话13912345678）", "何梅德", "341824195711015652", "13231514755",
                       Insurance.MEDICAL, 2027, 40000, date(2026, 11, 20),
                       channel="代缴人 341824196001011234")]
    pdf = posting_pdf(rows, village="示范镇示范村", year=2027, start=date(2026, 11, 20),
                      end=date(2026, 11, 20))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")
    for secret in ("13912345678", "341824195711015652", "13231514755", "341824196001011234"):
        assert secret not in text
    assert "139****5678" in text and "341824********1234" in text

"""The receipt as the printer receives it, decoded back and checked as a payer would read it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PIL import Image

from app.domain.ids import mask_id
from printing import fonts
from printing.escpos_receipt import ReceiptOptions, render_receipt
from printing.receipt_layout import TITLE
from tests.printing import samples
from tests.printing.escpos_decoder import Job, RasterBlock, decode

WIDTHS = [384, 576]


def job_for(receipt, width: int = 384, **opts) -> tuple[bytes, Job]:
    data = render_receipt(receipt, ReceiptOptions(width_dots=width, **opts))
    return data, decode(data)


def joined(job: Job) -> str:
    return "\n".join(job.texts)


@pytest.mark.parametrize("width", WIDTHS)
def test_ordinary_receipt_reads_back_completely(width: int) -> None:
    r = samples.ORDINARY
    data, job = job_for(r, width)
    text = joined(job)
    assert job.initialised and job.cut and not job.rasters
    assert job.lines[0].text == TITLE and job.lines[0].bold and job.lines[0].align == 1
    for expected in (r.number, "2025-09-01 10:23:45", "桃花村", "缴费人：张建国",
                     f"证件号码：{mask_id(r.payer_id_number)}", "李秀英", "张伟",
                     "￥1,400.00", "大写：壹仟肆佰元整", "实收现金：", "￥1,500.00", "找零：",
                     "￥100.00", "代收员：王桂兰", "缴费人签字：", "代收员签字：",
                     "「加盖村委会印章有效」", r.short_hash):
        assert expected in text, expected
    flat = "".join(text.split())  # as a person reads it, across the printer's line breaks
    for expected in ("城乡居民基本养老保险2025年度档次500元", "城乡居民基本医疗保险2025年度",
                     mask_id(samples.LI), mask_id(samples.SON)):  # each covered person, ID masked
        assert expected in flat, expected
    assert "补打" not in text
    # The payer's full ID number is nowhere in the job, in any encoding.
    for member in (r.payer_id_number, samples.LI, samples.SON):
        assert member.encode() not in data
    assert "?" not in text


@pytest.mark.parametrize("width", WIDTHS)
def test_every_line_fits_the_paper(width: int) -> None:
    cols = width // 12
    for receipt in (samples.ORDINARY, samples.MINORITY, samples.REPRINT):
        _, job = job_for(receipt, width)
        for line in job.lines:
            # In Chinese mode a GBK character is two columns, ASCII one: the byte count.
            columns = len(line.text.encode("gb18030")) * (2 if line.size & 0x10 else 1)
            assert columns <= cols, line.text


@pytest.mark.parametrize("width", WIDTHS)
def test_amounts_line_up_at_the_right_edge(width: int) -> None:
    _, job = job_for(samples.ORDINARY, width)
    amount_lines = [t for t in job.texts if t.endswith(".00")]
    assert len(amount_lines) == 6  # three people, total, cash, change
    assert {len(t.encode("gb18030")) for t in amount_lines} == {width // 12}


def test_yen_and_punctuation_are_gbk_full_width() -> None:
    data, _ = job_for(samples.ORDINARY)
    assert b"\xa3\xa4" + b"1,400.00" in data  # ￥ as GBK A3A4, not a code-page guess
    assert b"\xa3\xba" in data  # ：
    assert "¥".encode("latin-1") not in data


@pytest.mark.parametrize("width", WIDTHS)
def test_qr_carries_number_total_and_short_hash(width: int) -> None:
    r = samples.ORDINARY
    _, job = job_for(r, width)
    assert [q.payload for q in job.qrs] == [f"DS1|{r.number}|1400.00|{r.short_hash}"]
    # Native QR: the printer draws it, so it costs a few bytes rather than an image.
    assert job.qrs[0].dot_size * 29 <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_text_receipt_with_three_lines_is_under_2_5_kb(width: int) -> None:
    data, _ = job_for(samples.ORDINARY, width)
    assert len(samples.ORDINARY.lines) == 3
    assert len(data) < 2500


def test_minority_name_with_middle_dot_stays_text() -> None:
    data, job = job_for(samples.MINORITY)
    assert "缴费人：阿依古丽·买买提" in job.texts
    assert "阿依古丽·买买提".encode("gbk") in data  # · is GBK A1A4
    assert not job.rasters


def _cell_ink(block: RasterBlock, first_col: int, cols: int) -> Image.Image:
    return block.image().crop((first_col * 12, 0, (first_col + cols) * 12, block.height))


@pytest.mark.parametrize("width", WIDTHS)
def test_rare_characters_print_as_images_never_as_question_marks(
    width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, job = job_for(samples.RARE_NAMES, width)
    text = joined(job)
    assert "?" not in text and "䶮" not in text and "𠇔" not in text
    # The payer line and the two people with a rare character: three raster lines.
    assert len(job.rasters) == 3
    for block in job.rasters:
        assert (block.width_bytes, block.height) == (width // 8, 24)
    payer, wang, li = job.rasters
    # "缴费人：王䶮" has 䶮 in columns 10-11, "王䶮 ..." and "李𠇔 ..." in columns 2-3.
    for block, col in ((payer, 10), (wang, 2), (li, 2)):
        assert _cell_ink(block, col, 2).histogram()[0] > 20, "rare character cell is empty"
    # The amount is still at the right edge of the name line, as on the text lines.
    assert _cell_ink(wang, width // 12 - 2, 2).histogram()[0] > 10

    # What 𠇔 would look like drawn with the main font, which lacks it (a box or nothing):
    main = fonts.main_font()
    assert not main.covers("𠇔"), "test needs a main font without 𠇔"
    monkeypatch.setattr(fonts, "font_for", lambda ch, chain=None: main)
    _, broken = job_for(samples.RARE_NAMES, width)
    assert _cell_ink(broken.rasters[2], 2, 2).tobytes() != _cell_ink(li, 2, 2).tobytes()


def test_printer_with_only_gb2312_gets_gbk_names_as_images() -> None:
    r = replace(samples.ORDINARY, payer_name="李堃")  # 堃 is in GBK, not in GB2312
    _, gbk = job_for(r, charset="gbk")
    _, gb2312 = job_for(r, charset="gb2312")
    assert "缴费人：李堃" in gbk.texts and not gbk.rasters
    assert "缴费人：李堃" not in gb2312.texts and len(gb2312.rasters) == 1


@pytest.mark.parametrize("width", WIDTHS)
def test_reprint_is_marked_with_its_count(width: int) -> None:
    _, job = job_for(samples.REPRINT, width)
    marks = [line for line in job.lines if "补打" in line.text]
    assert len(marks) == 1 and "第2次" in marks[0].text and marks[0].bold


@pytest.mark.parametrize("width", WIDTHS)
def test_whole_receipt_as_raster_for_printers_without_chinese_font(width: int) -> None:
    data, job = job_for(samples.RARE_NAMES, width, raster_all=True)
    assert b"\x1c&" not in data and not job.texts and not job.qrs
    assert job.cut and job.rasters
    assert {b.width_bytes for b in job.rasters} == {width // 8}
    height = sum(b.height for b in job.rasters)
    assert height > 30 * 25  # every line of the receipt plus the QR code
    assert all(b.height <= 960 for b in job.rasters)  # fragments a printer buffer takes


def test_receipt_with_a_glyph_no_font_has_fails_loudly() -> None:
    r = replace(samples.ORDINARY, payer_name="王\U000f0000")  # private use: no font has it
    with pytest.raises(fonts.FontMissingError, match="U\\+F0000"):
        render_receipt(r)

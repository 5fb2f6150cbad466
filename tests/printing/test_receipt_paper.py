"""The receipt as the payer, the village head and the county read it, decoded from the printer
bytes: full insurance names, each covered person with a masked ID, the subsidy spelled out,
who collected and a phone, two parts where the county wants a stub, and a QR that leads to the
county's check of this receipt."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.ids import mask_id
from app.services.desk import Desk
from printing.escpos_receipt import ReceiptOptions, render_receipt
from tests.conftest import set_up_village
from tests.core.test_receipts import med, pen
from tests.factories import (
    ZHANG,
    ZHANG_MOTHER,
    ZHANG_WIFE,
    FakeClock,
)
from tests.printing.escpos_decoder import CutMark, Qr, TextLine, decode


@pytest.fixture
def township_desk(tmp_path: Path) -> Desk:
    # The county's configuration asks for both parts of the paper, the phone and the check address.
    return set_up_village(Desk(tmp_path / "home", clock=FakeClock()), tmp_path, township_name="上庄镇", head=False)


def parts(data: bytes) -> list[list[object]]:
    out: list[list[object]] = [[]]
    for event in decode(data).events:
        if isinstance(event, CutMark):
            out.append([])
        else:
            out[-1].append(event)
    return [p for p in out if p]


def flat(events: list[object]) -> str:
    return "".join("".join(e.text.split()) for e in events if isinstance(e, TextLine))


@pytest.mark.parametrize("width", [384, 576])
def test_receipt_paper(township_desk: Desk, width: int) -> None:
    desk = township_desk
    agent = desk.users.authenticate("李代收", "1234")
    r = desk.receipts.record(agent, [pen(ZHANG), med(ZHANG_WIFE), med(ZHANG_MOTHER)], cash_fen=102000)
    data = render_receipt(r, ReceiptOptions(width_dots=width), desk.paper.receipt_context(r))
    payer, stub = parts(data)
    text = flat(payer)
    for expected in ("城乡居民基本养老保险2027年度档次500元", "城乡居民基本医疗保险2027年度",
                     mask_id(ZHANG.id_number), mask_id(ZHANG_WIFE.id_number),
                     "低保：标准400元，政府代缴/资助280元，个人缴120元",  # resources/demo/county-config.json
                     "乡镇：上庄镇", "村（社区）：示范村", "代收员：李代收", "咨询电话：0563-8100001",
                     "（缴费人留存）"):
        assert expected in text, expected
    # 王䶮's name is not in the printer's font: at 80 mm her name, masked ID and amount share a
    # line, printed as an image; at 58 mm the ID has a line of its own in text.
    assert mask_id(ZHANG_MOTHER.id_number) in text or (width == 576 and decode(data).rasters)
    assert "缴费人签字" not in text and "代收员签字" in text  # the payer signs the stub, not their copy
    (qr,) = [e for e in payer if isinstance(e, Qr)]
    assert qr.payload == f"https://county.example/receipt?no={r.number}&code={r.short_hash}"
    assert "查验：https://county.example/receipt" in text and r.short_hash in text
    stub_text = flat(stub)
    assert "（存根：随台账保存）" in stub_text and "缴费人签字" in stub_text and r.number in stub_text
    assert not [e for e in stub if isinstance(e, Qr)]
    for member in (ZHANG.id_number, ZHANG_WIFE.id_number, ZHANG_MOTHER.id_number):
        assert member.encode() not in data  # no full ID number on paper


def test_80mm_puts_name_id_and_amount_on_one_line(township_desk: Desk) -> None:
    desk = township_desk
    r = desk.receipts.record(desk.users.authenticate("李代收", "1234"), [med(ZHANG_WIFE)], cash_fen=40000)
    wide = [e.text for e in decode(render_receipt(r, ReceiptOptions(width_dots=576), desk.paper.receipt_context(r))).events
            if isinstance(e, TextLine)]
    narrow = [e.text for e in decode(render_receipt(r, ReceiptOptions(width_dots=384), desk.paper.receipt_context(r))).events
              if isinstance(e, TextLine)]
    masked = mask_id(ZHANG_WIFE.id_number)
    assert any(ZHANG_WIFE.name in t and masked in t and "￥400.00" in t for t in wide)
    assert not any(ZHANG_WIFE.name in t and masked in t for t in narrow)  # 58 mm: the ID on its own line
    assert max(len(t.encode("gb18030")) for t in wide) > 32  # the 80 mm layout uses its 48 columns


def test_a_receipt_just_recorded_prints_without_reading_the_file_again(township_desk: Desk) -> None:
    """Recording returns the receipt with what its paper needs (one trip to the database); a
    receipt read back later (a 补打) gets the same context from the file, and prints the same."""
    desk = township_desk
    agent = desk.users.authenticate("李代收", "1234")
    r = desk.receipts.record(agent, [pen(ZHANG), med(ZHANG_MOTHER)], cash_fen=80000)
    assert r.print_context is not None
    assert r.print_context.categories == {ZHANG.id_number: "一般", ZHANG_MOTHER.id_number: "低保"}
    later = desk.receipts.get(r.number)
    assert later.print_context is None
    assert desk.paper.receipt_context(later) == r.print_context
    options = ReceiptOptions(width_dots=384)
    assert render_receipt(later, options, desk.paper.receipt_context(later)) == \
        render_receipt(r, options, desk.paper.receipt_context(r))

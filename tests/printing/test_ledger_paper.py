"""The 现金征缴登记台账 as a township auditor signs it off: a block per receipt (the payer, then
each insured person with ID, category, insurance, year, tier, subsidy and amount), electronic
sign-offs printed with name and time and blank boxes only for what is still to be signed, voids,
overrides and refund requests spelled out, page totals carried forward, and a footer to sign
and seal."""

from __future__ import annotations

import io
import re
from io import BytesIO

import pypdf
from PIL import Image

from app.domain.records import PayerSignoff, UserInfo
from app.services.desk import Desk
from printing.pdf import ledger
from printing.reports import render_report
from tests.core.test_receipts import med, pen
from tests.factories import AYGUL, ZHANG, ZHANG_MOTHER, ZHANG_WIFE, FakeClock
from tests.printing.pdftext import read_pdf


def signature_png() -> bytes:
    image = Image.new("RGB", (200, 60), "white")
    for x in range(20, 180):
        image.putpixel((x, 30 + (x % 20) - 10), (0, 0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_the_ledger_an_auditor_signs(desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock,
                                     monkeypatch: object) -> None:
    day1 = clock().date()
    household = desk.receipts.record(agent, [pen(ZHANG), med(ZHANG), med(ZHANG_MOTHER)], cash_fen=102000)
    signed = desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000, payer_signoff=PayerSignoff.SIGNATURE,
                                  signature_png=signature_png())
    desk.receipts.record(agent, [med(AYGUL, 35000)], cash_fen=35000, override_reason="村里垫付50元")
    wrong = desk.receipts.record(agent, [pen(AYGUL)], cash_fen=50000, payer_signoff=PayerSignoff.FINGERPRINT)
    desk.receipts.void(wrong.number, reason="档次选错", agent=agent, head=head)
    desk.settlements.settle(day1, agent=agent, head=head, counted_fen=177000)
    desk.receipts.request_refund(signed.number, reason="已在微信缴费", agent=agent, head=head)
    clock.next_day()
    later = desk.receipts.record(agent, [pen(ZHANG_WIFE)], cash_fen=50000)
    day2 = clock().date()
    data, _ = render_report(desk.paper.report("ledger", (day1, day2), today=day2))
    pdf = read_pdf(data)
    flat = "".join(pdf.all.split())
    # the household's block: the payer once, then each insured person with full ID and category
    assert flat.count("张三丰") >= 2 and ZHANG_MOTHER.id_number in flat and "低保" in flat
    assert "280.00" in flat  # 低保 medical subsidy (resources/demo/county-config.json)
    # sign-offs as given: the agent's at recording, the head's at the settlement, the payer's kind
    assert f"李代收{household.recorded_at:%m-%d%H:%M}电子签名" in flat
    assert "王村长" in flat and "日结会签" in flat and "已采集手印" in flat
    images = sum(len(page.images) for page in pypdf.PdfReader(BytesIO(data)).pages)
    assert images == 1  # the payer's signature image, where it was captured
    # voids, overrides and refund requests spelled out with who countersigned
    assert f"{wrong.number}作废：档次选错（李代收办理，王村长会签" in flat
    assert "改动应缴金额的原因：村里垫付50元" in flat
    assert f"{signed.number}退费申请：￥400.00，已在微信缴费（李代收申请，王村长会签" in flat
    # the unsettled day: the head's box stays blank for a signature on paper
    later_page = next(p for p in pdf.pages if later.number in p)
    assert "日结会签" not in later_page.split(later.number, 1)[1].split("本页小计")[0]
    # footer and page totals on every page, carried forward to the period's total
    for page in pdf.pages:
        page_flat = "".join(page.split())
        assert "本页小计" in page_flat and "累计（含承前页）" in page_flat
        assert "制表人：李代收" in page_flat and "审核人（村委会负责人）：王村长" in page_flat and "村委会盖章" in page_flat
    carried = re.findall(r"累计（含承前页）([\d,]+\.\d\d)", flat)
    assert carried[-1] == "2,270.00" and "本期现金合计：￥2,270.00" in flat


def test_page_totals_add_up_across_pages(desk: Desk, agent: UserInfo, clock: FakeClock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(ledger, "ROWS_PER_PAGE", 2)  # the same pagination, on few receipts
    for person in (ZHANG, ZHANG_WIFE, AYGUL):
        desk.receipts.record(agent, [med(person)], cash_fen=40000)
    day = clock().date()
    pdf = read_pdf(render_report(desk.paper.report("ledger", (day, day), today=day))[0])
    pages = ["".join(p.split()) for p in pdf.pages]
    assert len(pages) >= 2
    page_totals = [re.search(r"本页小计([\d,]+\.\d\d)", p).group(1) for p in pages]  # type: ignore[union-attr]
    carried = [re.search(r"累计（含承前页）([\d,]+\.\d\d)", p).group(1) for p in pages]  # type: ignore[union-attr]
    assert page_totals[:2] == ["800.00", "400.00"] and carried[:2] == ["800.00", "1,200.00"]


def test_the_ledger_shows_the_uniform_receipt_serial_and_the_payment_on_behalf(
        desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock) -> None:
    import json

    from tests.factories import CONFIG_PATH

    config = json.loads(CONFIG_PATH.read_text(encoding="utf-8")) | {"after_cash": "pay_on_behalf"}
    desk.setup.import_config(json.dumps(config, ensure_ascii=False), by=head)
    desk.receipt_books.add("0000701", "0000800", prefix="皖", by=head)
    r = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.receipts.record_paid_on_behalf(r.number, voucher="332016260000123", channel="电子税务局", by=agent)
    data, _ = render_report(desk.paper.report("ledger", (clock().date(), clock().date()), today=clock().date()))
    flat = "".join(read_pdf(data).all.split())
    assert f"{r.number}票号皖0000701" in flat
    assert f"{r.number}代为缴费：电子税务局凭证号332016260000123（李代收" in flat

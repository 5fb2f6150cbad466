"""培训模式 (issue 26, 003 第二十四条): a practice village from the demo data in its own folder under
the data home; every receipt and paper says 「培训」; nothing of it ever reaches the county."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.demo import AGENT, AGENT_PIN, HEAD, HEAD_PIN
from app.services.desk import Desk
from app.training import MARKER, is_training, prepare_training, training_home
from printing.escpos_receipt import ReceiptOptions, render_receipt
from printing.reports import render_report
from sync.client import SyncClient
from sync.messages import SyncError
from tests.factories import FakeClock
from tests.printing.escpos_decoder import TextLine, decode
from tests.printing.pdftext import read_pdf

HE = "341824195711015652"  # a resident of the demo roster


def _practice(tmp_path: Path, clock: FakeClock) -> Desk:
    real = tmp_path / "home"
    practice = prepare_training(real, clock)
    assert practice == training_home(real) == real / "training" and is_training(practice)
    assert not is_training(real) and not (real / "daishou.sqlite3").exists()  # the real ledger untouched
    return Desk(practice, clock=clock)


def _one_receipt(desk: Desk):  # type: ignore[no-untyped-def]
    from app.domain.insurance import Insurance
    from app.services.receipts import LineRequest

    year = max(desk.setup.config.years)
    return desk.receipts.record(desk.users.authenticate(AGENT, AGENT_PIN), [LineRequest(HE, Insurance.MEDICAL, year)],
                                cash_fen=desk.setup.config.year(year).medical_fen)


def test_the_practice_village_is_the_demo_in_its_own_folder(tmp_path: Path, clock: FakeClock) -> None:
    with _practice(tmp_path, clock) as desk:
        assert "示范" in desk.setup.device.village_name and desk.roster.people([HE])
        assert {u.name for u in desk.users.list()} >= {AGENT, HEAD}
    again = prepare_training(tmp_path / "home", clock)  # a second session: the same village, kept
    assert again == tmp_path / "home" / "training"
    assert prepare_training(again, clock) == again  # never a practice village inside a practice one
    assert not (again / "training").exists()


def test_nothing_of_it_is_synced_enrolled_or_exported(tmp_path: Path, clock: FakeClock) -> None:
    with _practice(tmp_path, clock) as desk:
        _one_receipt(desk)
        head = desk.users.authenticate(HEAD, HEAD_PIN)
        desk.settlements.settle(clock().date(), agent=desk.users.authenticate(AGENT, AGENT_PIN), head=head,
                                counted_fen=desk.receipts.list()[0].total_fen)
        client = SyncClient(desk, server="http://127.0.0.1:9", retries=1)
        for attempt in (client.run, lambda: client.enrol("ABCD-EFGH"),
                        lambda: client.export(tmp_path / "usb.json")):
            with pytest.raises(SyncError, match="培训模式的练习数据不上传、不导出到县里") as refused:
                attempt()
            assert refused.value.code == "training"
        assert not (tmp_path / "usb.json").exists()


def test_its_receipt_and_papers_say_training(tmp_path: Path, clock: FakeClock) -> None:
    with _practice(tmp_path, clock) as desk:
        receipt = _one_receipt(desk)
        data = render_receipt(receipt, ReceiptOptions(width_dots=384), desk.paper.receipt_context(receipt))
        lines = ["".join(e.text.split()) for e in decode(data).events if isinstance(e, TextLine)]
        marks = [i for i, line in enumerate(lines) if "【培训】练习收据不是缴费凭证" in line]
        assert len(marks) >= 2 and marks[0] <= 1 and marks[-1] >= len(lines) - 2  # top and bottom of each part
        day = clock().date()
        pdf, _ = render_report(desk.paper.report("ledger", (day, day), today=day), training=desk.training)
        text = read_pdf(pdf).all.replace(" ", "")
        assert "【培训】练习用，不是正式凭证" in text


def test_a_real_villages_paper_has_no_mark(desk: Desk, clock: FakeClock) -> None:
    from tests.core.test_receipts import med
    from tests.factories import ZHANG

    agent = desk.users.authenticate("李代收", "1234")
    receipt = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    data = render_receipt(receipt, ReceiptOptions(width_dots=384), desk.paper.receipt_context(receipt))
    assert "培训" not in "".join(e.text for e in decode(data).events if isinstance(e, TextLine))
    day = clock().date()
    pdf, _ = render_report(desk.paper.report("ledger", (day, day), today=day), training=desk.training)
    assert "培训" not in read_pdf(pdf).all
    assert not (desk.home / MARKER).exists()

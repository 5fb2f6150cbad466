"""A device writes only in its own namespace: another village's receipt numbers, a receipt or a
set-up entry naming another village or device, are refused with a named code and nothing of the
upload is stored; the village whose numbers were aimed at syncs on, its receipts check out on the
public page, and the county's own `check` is right. Staff see the refusal with its reason."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.domain.receipt_numbers import format_receipt_number
from sync.messages import SyncError
from sync.server import models as m
from sync.server import service
from tests.core.test_receipts import med
from tests.factories import AYGUL, ZHANG, FakeClock
from tests.server.conftest import Server
from tests.server.redteam.attack import (
    B,
    C,
    chained,
    forged_receipt,
    held,
    journal,
    send,
    staff_get,
)
from tests.server.redteam.conftest import Village


def _b_number(data: dict[str, Any]) -> None:
    """C's first receipt dressed as B's next one: B's village, B's device, B's number."""
    data["number"] = format_receipt_number(B, 1, data["receipt_seq"])
    data["village_code"] = B


def _b_number_only(data: dict[str, Any]) -> None:
    data["number"] = format_receipt_number(B, 1, data["receipt_seq"])


def _b_village_only(data: dict[str, Any]) -> None:
    data["village_code"] = B


def _other_device(data: dict[str, Any]) -> None:
    data["number"] = format_receipt_number(data["village_code"], 2, data["receipt_seq"])
    data["device_no"] = 2


@pytest.mark.parametrize("change", [_b_number, _b_number_only, _b_village_only, _other_device],
                         ids=["B-number-and-village", "B-number", "B-village-field", "own-village-other-device"])
def test_another_villages_receipt_number_is_refused_and_b_is_untouched(
        server: Server, village_b: Village, village_c: Village, clock: FakeClock, change: Any) -> None:
    village_c.desk.receipts.record(village_c.agent, [med(ZHANG)], cash_fen=40000)
    forged = chained(forged_receipt(journal(village_c.desk), change))
    answer = send(server, village_c.client, village_c.device_id, forged)
    assert answer.status_code == 422, answer.text
    refusal = answer.json()
    assert refusal["code"] == "foreign_number" and refusal["seq"] == forged[-1].seq
    assert "不是本机的收据号" in refusal["message"] and village_c.device_id in refusal["message"]
    assert held(server) == 0  # nothing of the upload, not even its set-up entries

    # B records and syncs its own receipt with the number C aimed at: all as usual.
    genuine = village_b.desk.receipts.record(village_b.agent, [med(AYGUL)], cash_fen=40000)
    assert genuine.number == format_receipt_number(B, 1, 1)  # the number C's forgery carried (but one variant)
    village_b.desk.settlements.settle(clock().date(), agent=village_b.agent, head=village_b.head, counted_fen=40000)
    report = village_b.client.run()
    assert report.held == village_b.desk.sync.newest() and report.conflicts == []
    with httpx.Client(base_url=server.base) as http:
        page = http.get("/receipt", params={"no": genuine.number, "code": genuine.short_hash})
    assert page.status_code == 200 and "状态：有效" in page.text and "￥400.00" in page.text
    with server.session() as s:
        assert service.check_all(s).problems == []
        assert s.get(m.Receipt, genuine.number).device_id == village_b.device_id  # type: ignore[union-attr]
    # county staff see what was refused and why; C's township too, B's township not
    seen = staff_get(server, "refusals")
    assert [(r["device_id"], r["code"]) for r in seen] == [(village_c.device_id, "foreign_number")]
    assert "不是本机的收据号" in seen[0]["message"]
    assert staff_get(server, "refusals", "东镇", "township", B[:9]) == []
    assert len(staff_get(server, "refusals", "西镇", "township", C[:9])) == 1


def test_a_set_up_entry_naming_another_village_is_refused(server: Server, village_c: Village) -> None:
    rows = journal(village_c.desk)
    device = next(r for r in rows if r["kind"] == "device")
    device["data"] = dict(device["data"], village_code=B)
    answer = send(server, village_c.client, village_c.device_id, chained(rows))
    assert answer.status_code == 422 and answer.json()["code"] == "foreign_device"
    assert held(server) == 0


def test_the_agent_reads_what_the_county_refused_not_network(server: Server, village_c: Village,
                                                            clock: FakeClock) -> None:
    """The desk's own client, meeting a county rule refusal, says in Chinese what was refused and
    what to do; it does not blame the network. (The refusal here: the county's roster says the
    person owes another amount than the desk's own file did: the county made them 低保.)"""
    from tests.server.redteam.test_redteam_amounts import county_roster

    county_roster(server, village_c.code, categories={ZHANG.id_number: "低保"})
    village_c.desk.receipts.record(village_c.agent, [med(ZHANG)], cash_fen=40000)
    village_c.desk.settlements.settle(clock().date(), agent=village_c.agent, head=village_c.head, counted_fen=40000)
    with pytest.raises(SyncError) as caught:
        village_c.client.run()
    assert caught.value.code == "not_due"
    message = caught.value.message
    assert message.startswith("县里拒收了本次上传：") and "应缴 120.00 元" in message and "收据上是 400.00 元" in message
    assert "联系乡镇社保所" in message and "网络" not in message and "连不上" not in message
    assert held(server) == 0


def test_another_villages_uniform_receipt_book_is_refused(server: Server, village_b: Village,
                                                          village_c: Village) -> None:
    """B registers the book of 统一票据 the county gave it and syncs; C's insider registers the same
    serial range in C's ledger (to print receipts with B's serials): refused."""
    village_b.desk.receipt_books.add("0000501", "0000600", prefix="皖", by=village_b.head)
    assert village_b.client.run().held > 0
    rows = journal(village_c.desk)
    book = {"kind": "receipt_book", "recorded_at": rows[-1]["recorded_at"],
            "data": {"prefix": "皖", "first": "皖0000551", "last": "皖0000560", "by": "王村长"}}
    answer = send(server, village_c.client, village_c.device_id, chained([*rows, book]))
    assert answer.status_code == 422 and answer.json()["code"] == "foreign_serial", answer.text
    assert "与设备 341824100201-01 已登记的 皖0000501–皖0000600 重叠" in answer.json()["message"]
    assert held(server, village_c.device_id) == 0
    # C's own book, a range no one else holds, is its to register
    own = dict(book, data={"prefix": "皖", "first": "皖0000601", "last": "皖0000700", "by": "王村长"})
    assert send(server, village_c.client, village_c.device_id, chained([*rows, own])).status_code == 200

"""Amounts the county checks against what it knows: integer fen in a sane range, money only in a
chain with its set-up entries, each line what the county's configuration and roster say (or an
override reason, then a flag for the township), one payment per person, insurance and year."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.domain.canonical import GENESIS_HASH
from sync.server import cli as server_cli
from sync.server import models as m
from tests.core.test_receipts import med
from tests.factories import AYGUL, CONFIG_PATH, VILLAGE, ZHANG, FakeClock, write_roster
from tests.server.conftest import Server
from tests.server.redteam.attack import chained, forged_receipt, held, journal, send, staff_get
from tests.server.redteam.conftest import Village


def county(server: Server, *argv: str) -> None:
    assert server_cli.main(["--db", server.url, *argv]) == 0


def county_roster(server: Server, village: str, *, categories: dict[str, str] | None = None) -> None:
    """The county loads its configuration and issues the village its roster: the same people the
    desk imported, except where `categories` gives someone another 人员类别 (the county reclassified
    them after the desk's own file was made)."""
    county(server, "config", "load", str(CONFIG_PATH))
    path = write_roster(Path(tempfile.mkdtemp(prefix="daishou-county-")) / f"county-{village}.csv", VILLAGE)
    if categories:
        with path.open(encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            for row in rows:
                w.writerow(row | {"人员类别": categories.get(row["证件号码"], row["人员类别"])})
    county(server, "roster", "load", str(path), "--village-code", village)


def _set(value: Any) -> Any:
    def change(data: dict[str, Any]) -> None:
        line = data["lines"][0]
        line["amount_fen"] = data["total_fen"] = data["cash_fen"] = value
        data["change_fen"] = 0
    return change


@pytest.mark.parametrize("value", [-5_000_000, 0, 10**20, 123.5, True],
                         ids=["negative", "zero", "1e20", "float", "bool"])
def test_an_amount_that_is_not_sane_integer_fen_is_refused(server: Server, village_c: Village, value: Any) -> None:
    village_c.desk.receipts.record(village_c.agent, [med(ZHANG)], cash_fen=40000)
    forged = chained(forged_receipt(journal(village_c.desk), _set(value)))
    answer = send(server, village_c.client, village_c.device_id, forged)
    assert answer.status_code == 422, answer.text
    # 10**20 does not survive the server's JSON parse as the integer the signers signed, so its
    # countersign no longer matches before the amount is judged: refused all the same, at that entry.
    codes = {"bad_amount", "bad_signature"} if value == 10**20 else {"bad_amount"}
    assert answer.json()["code"] in codes and answer.json()["seq"] == forged[-1].seq
    assert held(server) == 0
    with httpx.Client(base_url=server.base) as http:  # the public page neither has it nor fails
        page = http.get("/receipt", params={"no": journal(village_c.desk)[-1]["data"]["number"],
                                            "code": forged[-1].hash[:12]})
    assert page.status_code == 200 and "县级服务器没有这张收据" in page.text


def test_a_chain_with_no_set_up_entries_is_refused(server: Server, village_c: Village) -> None:
    village_c.desk.receipts.record(village_c.agent, [med(ZHANG)], cash_fen=40000)
    receipt_only = [r for r in journal(village_c.desk) if r["kind"] == "receipt"]
    answer = send(server, village_c.client, village_c.device_id, chained(receipt_only, 1, GENESIS_HASH))
    assert answer.status_code == 422 and answer.json()["code"] == "no_setup"
    assert "设立记录" in answer.json()["message"] and held(server) == 0


def test_a_line_other_than_the_county_roster_says_needs_a_reason(server: Server, village_c: Village) -> None:
    county_roster(server, village_c.code)  # medical 2027 for 一般: 400 yuan by the county configuration
    village_c.desk.receipts.record(village_c.agent, [med(ZHANG)], cash_fen=40000)

    def more(data: dict[str, Any]) -> None:
        _set(60000)(data)
    answer = send(server, village_c.client, village_c.device_id, chained(forged_receipt(journal(village_c.desk), more)))
    assert answer.status_code == 422 and answer.json()["code"] == "not_due"
    assert "应缴 400.00 元，收据上是 600.00 元" in answer.json()["message"] and held(server) == 0


def test_an_override_with_its_reason_is_accepted_and_flagged_for_the_township(
        server: Server, village_c: Village, clock: FakeClock) -> None:
    county_roster(server, village_c.code)
    c = village_c
    receipt = c.desk.receipts.record(c.agent, [med(ZHANG, amount=50000)], cash_fen=50000,
                                     override_reason="补缴上年差额")
    c.desk.settlements.settle(clock().date(), agent=c.agent, head=c.head, counted_fen=50000)
    report = c.client.run()
    assert report.sent and held(server, c.device_id) == report.held
    with server.session() as s:
        assert s.get(m.Receipt, receipt.number) is not None
    flags = staff_get(server, "flags", "西镇", "township", c.code[:9])
    assert [(f["code"], f["device_id"]) for f in flags] == [("override", c.device_id)]
    assert "应缴 400.00 元，收据上是 500.00 元" in flags[0]["reason"] and "补缴上年差额" in flags[0]["reason"]
    assert staff_get(server, "flags", "东镇", "township", "341824100") == []


def test_a_person_not_on_the_county_roster_needs_a_reason(server: Server, village_c: Village) -> None:
    county_roster(server, village_c.code)

    def stranger(data: dict[str, Any]) -> None:
        data["lines"][0]["id_number"] = data["payer"]["id_number"] = "11010519491231002X"
    village_c.desk.receipts.record(village_c.agent, [med(AYGUL)], cash_fen=40000)
    answer = send(server, village_c.client, village_c.device_id,
                  chained(forged_receipt(journal(village_c.desk), stranger)))
    assert answer.status_code == 422 and answer.json()["code"] == "not_due"
    assert "不在县里发给本村的清册" in answer.json()["message"]


def test_a_second_receipt_for_one_person_insurance_and_year_is_refused(server: Server, village_c: Village) -> None:
    first = village_c.desk.receipts.record(village_c.agent, [med(ZHANG)], cash_fen=40000)
    rows = journal(village_c.desk)
    again = dict(rows[-1], data=dict(rows[-1]["data"], number=first.number[:-6] + "000002", receipt_seq=2))
    many = rows + [again]
    answer = send(server, village_c.client, village_c.device_id, chained(many))
    assert answer.status_code == 422 and answer.json()["code"] == "paid_twice"
    assert answer.json()["seq"] == len(many) and "已在本村收过" in answer.json()["message"]
    assert held(server) == 0
    with server.session() as s:
        assert s.get(m.Receipt, first.number) is None

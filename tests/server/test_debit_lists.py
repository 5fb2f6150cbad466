"""The county loads the tax office's lists (issue 25; 003 第二十五、二十八条) and each desk receives
its own village's rows with the sync, checked there by the same row rule as a file the desk loads
itself. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from app.domain.records import UserInfo
from app.services.desk import Desk
from sync.server import cli as server_cli
from sync.server import debit_lists as dl
from sync.server.staff import add_staff
from tests.door.conftest import write_list
from tests.factories import (
    CONFIG_PATH,
    VILLAGE,
    ZHANG,
    ZHANG_MOTHER,
    ZHANG_WIFE,
    FakeClock,
    Resident,
    make_id,
    write_roster,
)
from tests.server.conftest import Server
from tests.server.test_sync_flow import enrol

OTHER_VILLAGE = "341824100202"
NEIGHBOUR = Resident(make_id(date(1970, 4, 4), 7), "赵邻村")
STRANGER = make_id(date(1991, 1, 1), 8)  # on no roster the county issued


def _cli(server: Server, *argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = server_cli.main(["--db", server.url, *argv], stdin=io.StringIO(""), stdout=out, stderr=err)
    return code, out.getvalue() + err.getvalue()


def _county_with_two_villages(server: Server, tmp_path: Path) -> None:
    assert _cli(server, "config", "load", str(CONFIG_PATH))[0] == 0
    assert _cli(server, "roster", "load", str(write_roster(tmp_path / "r1.csv", VILLAGE)),
                "--village-code", "341824100201")[0] == 0
    assert _cli(server, "roster", "load", str(write_roster(tmp_path / "r2.csv", [NEIGHBOUR])),
                "--village-code", OTHER_VILLAGE)[0] == 0


def test_a_county_list_is_split_by_village_and_reaches_only_that_village(
        server: Server, desk: Desk, agent: UserInfo, clock: FakeClock, tmp_path: Path) -> None:
    _county_with_two_villages(server, tmp_path)
    wrong_check = ZHANG.id_number[:-1] + ("0" if ZHANG.id_number[-1] != "0" else "1")
    path = write_list(tmp_path / "扣款失败1119.csv", [
        (ZHANG_WIFE.id_number, ZHANG_WIFE.name, "2026-11-19", "余额不足"),
        (NEIGHBOUR.id_number, NEIGHBOUR.name, "2026-11-19", "账户冻结"),
        (STRANGER, "外县人", "2026-11-19", ""),
        (wrong_check, "错号码", "2026-11-19", ""),
        (ZHANG_MOTHER.id_number, ZHANG_MOTHER.name, "2026-11-21", ""),  # after the list's day
    ])
    code, said = _cli(server, "debit", "load", str(path), "--kind", "failed", "--day", "2026-11-20")
    assert code == 0, said
    assert "第 5 行「身份证号」：外县人 不在县里下发的任何村征收清册中" in said
    assert "第 6 行「身份证号」" in said and "第 7 行「扣款日期」：2026-11-21 晚于名单日期 2026-11-20" in said
    assert "已载入 2 行（341824100201 1 行，341824100202 1 行），3 行未载入" in said
    with server.session() as s:
        kept = {(r.village_code, r.id_number) for r in s.exec(select(dl.DebitListRow)).all()}
    assert kept == {("341824100201", ZHANG_WIFE.id_number), (OTHER_VILLAGE, NEIGHBOUR.id_number)}
    code, said = _cli(server, "debit", "load", str(path), "--kind", "failed", "--day", "2026-11-20")
    assert code == 1 and "already_loaded" in said

    client = enrol(desk, server)
    report = client.run()
    assert report.received["debit_lists"] == [{"id": 1, "kind": "failed", "taken": 1, "rejected": []}]
    first = desk.door.door_list(year=2027).people[0]
    assert (first.name, first.debit, first.section) == (ZHANG_WIFE.name, "扣款失败 2026-11-19", 0)
    assert NEIGHBOUR.name not in {p.name for p in desk.door.door_list(year=2027).people}
    assert "debit_lists" not in client.run().received  # held: not sent again
    assert desk.verify().ok


def test_a_list_sent_down_with_a_forged_signature_is_not_taken(
        server: Server, desk: Desk, agent: UserInfo, tmp_path: Path) -> None:
    """Whoever sits between the county and the desk cannot add a failed debit to a village's list:
    the rows are signed for the device with the county's key."""
    _county_with_two_villages(server, tmp_path)
    enrol(desk, server)
    from app.services.errors import Refused

    rows = [{"id_number": ZHANG.id_number, "name": ZHANG.name, "on_day": "2026-11-19", "detail": ""}]
    with pytest.raises(Refused, match="签名不对"):
        desk.door.import_county_list(9, list_kind="failed", day="2026-11-20", file="x.csv", sha256="0" * 64,
                                     marks=rows, signature="AAAA")
    assert all(p.debit in ("", "已签两两协议") for p in desk.door.door_list(year=2027).people)


def test_the_staff_route_is_for_county_accounts_and_names_each_refusal(server: Server, tmp_path: Path) -> None:
    _county_with_two_villages(server, tmp_path)
    with server.session() as s:
        add_staff(s, "县税务", "county", "county-pass-1", None)
        add_staff(s, "乡镇甲", "township", "township-pass-1", "341824100")
    data = write_list(tmp_path / "未签协议.csv", [(ZHANG.id_number, ZHANG.name, "", "")]).read_bytes()
    with httpx.Client(base_url=server.base) as http:
        def token(name: str, password: str) -> dict[str, str]:
            answer = http.post("/api/v1/staff/login", json={"name": name, "password": password})
            return {"Authorization": f"Bearer {answer.json()['token']}"}

        county, township = token("县税务", "county-pass-1"), token("乡镇甲", "township-pass-1")
        params = {"kind": "no_agreement", "day": "2026-11-20", "file": "未签协议.csv"}
        answer = http.post(dl.PATH, params=params, content=data, headers=township)
        assert (answer.status_code, answer.json()["code"]) == (403, "county_only")
        answer = http.post(dl.PATH, params={**params, "kind": "paid"}, content=data, headers=county)
        assert (answer.status_code, answer.json()["code"]) == (422, "bad_list_kind")
        answer = http.post(dl.PATH, params={**params, "file": "名单.pdf"}, content=data, headers=county)
        assert (answer.status_code, answer.json()["code"]) == (422, "bad_debit_file")
        answer = http.post(dl.PATH, params=params, content=b"\xff\xfe garbage", headers=county)
        assert answer.status_code == 422 and answer.json()["code"] in ("bad_debit_file", "no_rows")
        answer = http.post(dl.PATH, params=params, content=data, headers=county)
        assert answer.status_code == 200, answer.text
        assert answer.json()["villages"] == {"341824100201": 1} and answer.json()["rejected"] == []
        answer = http.post(dl.PATH, params=params, content=data, headers=county)
        assert (answer.status_code, answer.json()["code"]) == (409, "already_loaded")
        # The township sees its village's status; an account of another township does not.
        seen = http.get(f"{dl.PATH}/341824100201", headers=township).json()
        assert [(x["name"], x["no_agreement"]) for x in seen] == [(ZHANG.name, True)]
        with server.session() as s:
            add_staff(s, "乡镇乙", "township", "township-pass-2", "341824999")
        other = token("乡镇乙", "township-pass-2")
        answer = http.get(f"{dl.PATH}/341824100201", headers=other)
        assert (answer.status_code, answer.json()["code"]) == (404, "unknown_village")

"""The county receives a township's 批量扣款清册 (003 第二十六条): the data file written beside the
printed PDF, checked row by row against the rosters the county issued. SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from pathlib import Path

import httpx
from sqlmodel import col, select

from app.cli import main
from app.cli.common import Context
from app.services.desk import Desk
from sync.server import debit_register as dr
from sync.server import models as m
from sync.server import service
from sync.server.staff import add_staff
from tests.factories import plain_backup
from tests.server.conftest import Server
from tests.server.test_debit_lists import _cli, _county_with_two_villages


def _register(desk: Desk, tmp_path: Path) -> Path:
    folder = tmp_path / "township"
    folder.mkdir()
    plain_backup(desk, folder)
    out = tmp_path / "清册.pdf"
    code = main(["--home", str(tmp_path / "pc"), "report", "debit-register", "--folder", str(folder), "--year", "2027",
                 "--out", str(out)], context=Context(stdin=io.StringIO(""), stdout=io.StringIO(), stderr=io.StringIO()))
    assert code == 0 and out.with_suffix(".json").is_file()
    return out.with_suffix(".json")


def test_the_county_checks_and_keeps_a_township_register(server: Server, desk: Desk, tmp_path: Path) -> None:
    _county_with_two_villages(server, tmp_path)
    path = _register(desk, tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))

    def variant(name: str, **change: object) -> Path:
        out = tmp_path / name
        out.write_text(json.dumps({**data, **change}, ensure_ascii=False), encoding="utf-8")
        return out

    code, said = _cli(server, "debit", "register", str(variant("x.json", total_fen=data["total_fen"] + 100)))
    assert code == 1 and "register_mismatch" in said and f"逐行相加是 {data['people']} 人 {data['total_fen']} 分" in said
    stranger = {**data["rows"][1], "id_number": "110101199003070011", "name": "外村人"}
    code, said = _cli(server, "debit", "register", str(variant("y.json", rows=[data["rows"][0], stranger])))
    assert code == 1 and "第 2 行：外村人 不在县里下发给村 341824100201 的征收清册中（bad_register）" in said
    # A register is a debit order on people's bank accounts: no row may ask more than the county's
    # own roster says the person still owes, even with the totals made to add up.
    first = data["rows"][0]
    more = {**first, "amount_fen": first["amount_fen"] + 100}
    code, said = _cli(server, "debit", "register", str(variant("w.json", rows=[more, *data["rows"][1:]],
                                                                 total_fen=data["total_fen"] + 100)))
    owed = f"{first['amount_fen'] // 100}.{first['amount_fen'] % 100:02d}"
    assert code == 1 and f"第 1 行：{first['name']} 清册写扣 {(first['amount_fen'] + 100) // 100}." in said
    assert f"县里核定 2027 年度尚欠 {owed} 元（over_owed）" in said
    code, said = _cli(server, "debit", "register", str(path), "--township", "341824200")
    assert code == 1 and "other_township" in said

    code, said = _cli(server, "debit", "register", str(path), "--township", "341824100")
    assert code == 0 and f"已收到乡镇 341824100 2027 年度批量扣款清册：{data['people']} 人" in said
    code, said = _cli(server, "debit", "register", str(path))
    assert code == 1 and "already_received" in said

    with server.session() as s:
        add_staff(s, "乡镇甲", "township", "township-pass-1", "341824100")
        add_staff(s, "乡镇乙", "township", "township-pass-2", "341824200")
    with httpx.Client(base_url=server.base) as http:
        def token(name: str, password: str) -> dict[str, str]:
            answer = http.post("/api/v1/staff/login", json={"name": name, "password": password})
            return {"Authorization": f"Bearer {answer.json()['token']}"}

        other = token("乡镇乙", "township-pass-2")
        again = variant("z.json", as_of="2026-11-26").read_bytes()
        answer = http.post(dr.PATH, content=again, headers=other)
        assert (answer.status_code, answer.json()["code"]) == (403, "other_township")
        own = token("乡镇甲", "township-pass-1")
        answer = http.post(dr.PATH, content=again, headers=own)
        assert answer.status_code == 200, answer.text
        seen = http.get(dr.PATH, headers=own).json()
        assert [(x["people"], x["total_fen"], x["pdf_sha256"]) for x in seen] == [
            (data["people"], data["total_fen"], data["pdf_sha256"])] * 2
        assert http.get(dr.PATH, headers=other).json() == []

    # Then the tax office reports the first person's pension paid by WeChat: the county folds it into
    # the roster, and a register that still asks for it is refused, naming what is left (the rest).
    with server.session() as s:
        pension = s.exec(select(m.RosterDue).where(m.RosterDue.id_number == first["id_number"],
                                                   m.RosterDue.insurance == "pension", m.RosterDue.year == 2027)
                         .order_by(col(m.RosterDue.id).desc())).first()
        assert pension is not None and 0 < pension.due_fen < first["amount_fen"]
        service.add_payment(s, first["village_code"], first["id_number"], "pension", 2027, pension.due_fen, "微信",
                            "2026-11-20")
        assert service.fold_payments(s, first["village_code"]) is not None
        s.commit()
    rest = first["amount_fen"] - pension.due_fen
    code, said = _cli(server, "debit", "register", str(variant("v.json", as_of="2026-11-27")))
    assert code == 1 and f"第 1 行：{first['name']} 清册写扣" in said
    assert f"尚欠 {rest // 100}.{rest % 100:02d} 元（over_owed）" in said
    fewer = {**first, "amount_fen": rest}
    code, said = _cli(server, "debit", "register", str(variant("u.json", rows=[fewer, *data["rows"][1:]],
                                                                 total_fen=data["total_fen"] - pension.due_fen)))
    assert code == 0, said

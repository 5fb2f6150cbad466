"""Progress against the targets on the county server (issue 24), on SQLite and PostgreSQL: a
county of two townships with rosters, a desk's uploaded receipts and payments through other
channels; the overview's 应缴/已缴/政府代缴/未缴/完成率/参保率/续费率 equal a hand count from the
roster and the receipts, the names are the county's, and the xlsx and the PDF 通报 say the same."""

from __future__ import annotations

import io
import subprocess
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, func
from sqlmodel import select

from app.domain.insurance import Insurance
from app.domain.records import UserInfo
from app.domain.renewal import band_of, renewal_rates
from app.services.desk import Desk
from sync import protocol as p
from sync.client import SyncClient
from sync.server import cli, progress, service
from sync.server import models as m
from sync.server.county_view import LOCAL
from tests.core.test_receipts import med, pen
from tests.factories import (
    AYGUL,
    CONFIG_PATH,
    VILLAGE,
    ZHANG,
    ZHANG_WIFE,
    FakeClock,
    Resident,
    make_id,
    write_roster,
)
from tests.server.conftest import Server
from tests.server.test_sync_flow import enrol

V201, V202, V301 = "341824100201", "341824100202", "341824200301"
BANK = Resident(make_id(date(1970, 4, 4), 11), "钱代扣")
WX = Resident(make_id(date(1995, 8, 8), 12), "孙微信")
LATE = Resident(make_id(date(1960, 9, 9), 13), "周年底")
FAR = [Resident(make_id(date(1988, 1, 1), 21), "吴远村"), Resident(make_id(date(2001, 1, 1), 22), "郑远村")]


@pytest.fixture(autouse=True)
def county_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sync.server.routers.staff._today", lambda: datetime.now(LOCAL).date())


def _cli(server: Server, *args: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(["--db", server.url, *args], stdout=out, stderr=err) == 0, err.getvalue()


def build_county(server: Server, desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock,
                 tmp_path: Path) -> SyncClient:
    _cli(server, "config", "load", str(CONFIG_PATH))
    # Village 201's 2027 roster is the desk's; it also lists who paid the pension for 2026.
    _cli(server, "roster", "load", str(write_roster(tmp_path / "201.csv", VILLAGE)), "--village-code", V201)
    last = write_roster(tmp_path / "201-2026.csv", [ZHANG, AYGUL], year=2026)
    with server.session() as s:
        rows = cli._roster_rows(s, last)
        for r in rows:
            if Insurance.parse(r["险种"]) is Insurance.PENSION:
                r["缴费状态"], r["缴费渠道"] = "已缴", "微信"
        newest = cli._roster_rows(s, tmp_path / "201.csv")
        service.load_roster(s, V201, newest + [r for r in rows if r["缴费状态"] == "已缴"])
    _cli(server, "roster", "load", str(write_roster(tmp_path / "202.csv", [BANK, WX, LATE])), "--village-code", V202)
    _cli(server, "roster", "load", str(write_roster(tmp_path / "301.csv", FAR)), "--village-code", V301)
    (tmp_path / "pay.csv").write_text(
        "村代码,证件号码,险种,缴费年度,金额,缴费渠道,缴费日期\n"
        f"{V202},{BANK.id_number},医疗,2027,400,银行代扣,2026-10-15\n"
        f"{V202},{BANK.id_number},养老,2027,500,银行代扣,2026-10-15\n"
        f"{V202},{WX.id_number},医疗,2027,400,微信,2026-11-10\n"
        f"{V202},{LATE.id_number},医疗,2027,400,微信,2026-12-20\n", encoding="utf-8")
    _cli(server, "payments", "load", str(tmp_path / "pay.csv"))
    (tmp_path / "places.csv").write_text("代码,名称\n341824100,上庄镇\n341824200,瀛洲镇\n"
                                         f"{V201},示范村\n{V202},石门村\n{V301},龙川村\n", encoding="utf-8")
    _cli(server, "places", "load", str(tmp_path / "places.csv"))
    _cli(server, "target", "set", "--year", "2027", "--measure", "medical", "--percent", "90", "--scope", "341824200")
    # The desk: ZHANG's medical voided, ZHANG_WIFE's medical and ZHANG's pension in cash.
    client = enrol(desk, server)
    wrong = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.receipts.void(wrong.number, reason="收错了", agent=agent, head=head)
    desk.receipts.record(agent, [med(ZHANG_WIFE), pen(ZHANG)], cash_fen=90000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=90000)
    client.run()
    with server.session() as s:
        service.add_staff(s, "县社保", "county", "county-pass-1", None)
        service.add_staff(s, "上庄", "township", "town-pass-1", "341824100")
    return client


def _get(server: Server, path: str, who: str = "县社保", password: str = "county-pass-1") -> httpx.Response:
    with httpx.Client(base_url=server.base, timeout=30) as http:
        token = http.post(f"{p.API}/staff/login", json={"name": who, "password": password}).json()["token"]
        answer = http.get(f"{p.API}/staff/{path}", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    return answer


PERIOD = "progress?year=2027&from=2026-11-01&to=2026-11-30"


def test_progress_equals_a_hand_count(server: Server, desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock,
                                      tmp_path: Path) -> None:
    build_county(server, desk, agent, head, clock, tmp_path)
    view = _get(server, PERIOD).json()
    v = {r["code"]: r for r in view["villages"]}
    assert [(r["name"], r["township_name"]) for r in view["villages"]] == [
        ("示范村", "上庄镇"), ("石门村", "上庄镇"), ("龙川村", "瀛洲镇")]
    # 201 medical: 6 listed; ZHANG_WIFE cash (ZHANG's receipt voided), WECHAT marked 已缴 on the
    # roster, POOR 特困 pays 0 (政府代缴); ZHANG, ZHANG_MOTHER (低保: 400−280) and AYGUL owe.
    med201 = v[V201]["progress"]["lines"]["medical"]
    assert {k: med201[k] for k in ("due", "cash", "other", "bank", "subsidised", "unpaid", "unpaid_fen",
                                   "period_paid")} == {
        "due": 6, "cash": 1, "other": 1, "bank": 0, "subsidised": 1, "unpaid": 3, "unpaid_fen": 92000,
        "period_paid": 1}
    assert med201["completion"] == pytest.approx(2 / 5) and med201["coverage"] == pytest.approx(3 / 6)
    # 201 pension: ZHANG, ZHANG_WIFE, AYGUL, POOR (特困 pays 300), WECHAT listed; ZHANG paid cash.
    pen201 = v[V201]["progress"]["lines"]["pension"]
    assert (pen201["due"], pen201["cash"], pen201["subsidised"], pen201["unpaid"]) == (5, 1, 0, 4)
    # 续费率: ZHANG (46 on 1 Jan 2027) and AYGUL (36) paid for 2026; ZHANG renewed, AYGUL not yet.
    assert [(r["band"], r["base"], r["renewed"]) for r in v[V201]["progress"]["renewal"]] == [
        ("16–44岁", 1, 0), ("45–59岁", 1, 1)]
    # 202: BANK by bank debit (both), WX by WeChat within the period, LATE's payment after `to`.
    med202, pen202 = (v[V202]["progress"]["lines"][k] for k in ("medical", "pension"))
    assert (med202["due"], med202["bank"], med202["other"], med202["unpaid"], med202["period_paid"]) == (3, 1, 1, 1, 1)
    assert (pen202["due"], pen202["bank"], pen202["unpaid"]) == (3, 1, 2)
    # Township 上庄镇 = 201 + 202; the county adds 301 (nothing paid, 2 + 2 listed).
    town = next(t for t in view["townships"] if t["code"] == "341824100")
    assert town["name"] == "上庄镇" and town["progress"]["lines"]["medical"]["due"] == 9
    assert town["progress"]["lines"]["medical"]["paid"] == 4 and town["collected_fen"] == 90000
    county = view["county"]["progress"]["lines"]
    assert (county["medical"]["due"], county["medical"]["paid"], county["pension"]["due"]) == (11, 4, 10)
    # Targets: the seeds' by default, 瀛洲镇 set its own medical 90%.
    assert v[V201]["progress"]["targets"]["medical"] == 97.0 and v[V301]["progress"]["targets"]["medical"] == 90.0
    # The desk's own count of its village agrees with the county's.
    ours = {ln.insurance.value: ln for ln in desk.roster.progress(2027).totals}
    assert (ours["medical"].due, ours["medical"].paid_cash, ours["medical"].subsidised,
            ours["medical"].unpaid) == (6, 1, 1, 3)
    # Counted in SQL from the dues judged at load (progress_sql.py), and again from the rosters'
    # JSON as for a version loaded before them (progress.village_progress): the same figures.
    with server.session() as s:
        assert s.exec(select(func.count()).select_from(m.RosterDue)).one() > 0
        assert s.exec(select(func.count()).select_from(m.ProgressSummary)).one() == 3  # kept for a restart
    # The overview's default, a period open at both ends (counted without the receipts' days):
    # LATE's payment of 2026-12-20 counts too.
    open_view = _get(server, "progress?year=2027").json()
    assert open_view["county"]["progress"]["lines"]["medical"]["paid"] == 5
    with server.session() as s:
        s.execute(delete(m.RosterDue))
        s.execute(delete(m.ProgressSummary))
    progress._VILLAGES.clear()
    again = _get(server, PERIOD).json()
    assert [x["progress"] for x in again["villages"]] == [x["progress"] for x in view["villages"]]
    assert again["county"]["progress"] == view["county"]["progress"]
    open_again = _get(server, "progress?year=2027").json()
    assert [x["progress"] for x in open_again["villages"]] == [x["progress"] for x in open_view["villages"]]
    # A payment loaded later is counted, though the village's summary was kept: what it was
    # counted from changed.
    (tmp_path / "late.csv").write_text("村代码,证件号码,险种,缴费年度,金额,缴费渠道,缴费日期\n"
                                       f"{V202},{WX.id_number},养老,2027,500,微信,2026-11-12\n", encoding="utf-8")
    _cli(server, "payments", "load", str(tmp_path / "late.csv"))
    progress._VILLAGES.clear()  # as after a restart: only the database's summaries are left
    later = {r["code"]: r for r in _get(server, PERIOD).json()["villages"]}
    assert later[V202]["progress"]["lines"]["pension"]["other"] == 1
    assert later[V201]["progress"] == v[V201]["progress"]
    # A township account sees its own villages only.
    town_view = _get(server, PERIOD, "上庄", "town-pass-1").json()
    assert [r["code"] for r in town_view["villages"]] == [V201, V202]
    assert town_view["county"]["progress"]["lines"]["medical"]["due"] == 9
    assert town_view["county"]["progress"]["lines"]["pension"]["paid"] == 3

    book = load_workbook(io.BytesIO(_get(server, PERIOD.replace("progress?", "progress.xlsx?")).content))
    sheet = list(book.active.iter_rows(values_only=True))
    headers = list(sheet[2])
    by_name = {row[2]: dict(zip(headers, row, strict=True)) for row in sheet[3:]}
    assert by_name["示范村"]["医疗应缴"] == 6 and by_name["示范村"]["医疗完成率"] == "40.0%"
    assert by_name["示范村"]["实收（元）"] == "900.00" and by_name["石门村"]["医疗银行代扣"] == 1
    assert by_name["合计"]["医疗应缴"] == 11 and by_name["合计"]["医疗已缴"] == 4
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(_get(server, PERIOD.replace("progress?", "progress.pdf?")).content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "城乡居民两险征缴进度通报（2027年度，2026-11-01 至 2026-11-30）" in text
    assert any("示范村" in line and "40.0%" in line and "50.0%" in line  # 医疗完成率, 参保率
               for line in text.splitlines())
    assert any("合计" in line and " 11 " in f" {line} " for line in text.splitlines())


def test_bad_period_is_refused_by_name(server: Server) -> None:
    with server.session() as s:
        service.add_staff(s, "县社保", "county", "county-pass-1", None)
    with httpx.Client(base_url=server.base, timeout=30) as http:
        token = http.post(f"{p.API}/staff/login", json={"name": "县社保", "password": "county-pass-1"}).json()["token"]
        answer = http.get(f"{p.API}/staff/progress?from=2026-12-01&to=2026-11-01",
                          headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 422 and "晚于结束日期" in answer.json()["message"]


def test_renewal_rates_by_band() -> None:
    young, old, child = make_id(date(1990, 6, 1), 1), make_id(date(1972, 1, 1), 2), make_id(date(2015, 1, 1), 3)
    assert band_of(old, 2027) is not None and band_of(old, 2027).label == "45–59岁"  # type: ignore[union-attr]
    assert band_of(make_id(date(1982, 1, 2), 4), 2027).label == "16–44岁"  # type: ignore[union-attr]  # 44 on 1 Jan
    people: list[Any] = [(young, True, True), (young.replace("1990", "1991"), True, False), (old, True, False),
                         (child, True, True), (make_id(date(1980, 1, 1), 5), False, True)]
    rates = renewal_rates(people, 2027)
    assert [(r.band.label, r.base, r.renewed, r.rate) for r in rates] == [
        ("16–44岁", 2, 1, 0.5), ("45–59岁", 1, 0, 0.0)]
    assert renewal_rates([], 2027)[0].rate is None


def test_targets_and_names_refuse_bad_input_by_name(tmp_path: Path) -> None:
    db = str(tmp_path / "county.sqlite3")

    def run(*args: str) -> tuple[int, str]:
        out, err = io.StringIO(), io.StringIO()
        code = cli.main(["--db", db, *args], stdout=out, stderr=err)
        return code, out.getvalue() + err.getvalue()

    assert run("init")[0] == 0
    assert run("target", "set", "--year", "2027", "--measure", "pension", "--percent", "120") == (
        1, "daishou-server: 目标 120.0 不在 0–100% 之间（bad_target）\n")
    code, said = run("target", "set", "--year", "2027", "--measure", "pension", "--percent", "95", "--scope", "3418")
    assert code == 1 and "不是9位乡镇代码或12位村代码" in said
    code, said = run("target", "set", "--year", "2027", "--measure", "pension", "--percent", "95", "--scope", "341824100")
    assert code == 1 and "县里没有代码为 341824100 的乡镇" in said  # no such township known yet
    (tmp_path / "places.csv").write_text("代码,名称\n341824100,上庄镇\n34182410020,石门村\n", encoding="utf-8")
    code, said = run("places", "load", str(tmp_path / "places.csv"))
    assert code == 1 and "第3行" in said and "34182410020" in said
    (tmp_path / "places.csv").write_text("代码,名称\n341824100,上庄镇\n", encoding="utf-8")
    assert run("places", "load", str(tmp_path / "places.csv"))[0] == 0
    assert run("target", "set", "--year", "2027", "--measure", "pension", "--percent", "95",
               "--scope", "341824100") == (0, "2027年度 341824100 养老参保率目标：95%\n")

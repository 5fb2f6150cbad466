"""The 第四十二条 loop over HTTP on a real server (SQLite and PostgreSQL), issue 24: the county
pushes a village's 疑点 to its township, the township answers one within 15 days and one after,
a third answer comes on the review window's file; overdue 疑点 show; the working group draws
>= 10% of the pushed 疑点 by a seed that draws the same again, and records its findings; two
special inspections are counted and the township with one is named short; a township neither
sees nor answers another's 疑点; the report and its xlsx count the same.

The server's clock is `sync.server.doubts.clock`, moved by the test: nobody waits 15 days."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from app.domain.records import UserInfo
from app.domain.review import draw_sample
from app.services.desk import Desk
from sync import protocol as p
from sync.server import service
from sync.server.progress_targets import load_places
from tests.core.test_receipts import med
from tests.factories import ZHANG, FakeClock
from tests.printing.pdftext import read_pdf
from tests.server.conftest import Server
from tests.server.test_import_answers import server_cmd
from tests.server.test_review_api import a_day_with_two_flags, sign_in
from tests.server.test_sync_flow import enrol

D = f"{p.API}/staff/doubts"
OURS, OTHER_VILLAGE = "341824100201", "341824200301"  # townships 341824100 and 341824200
PDF = b"%PDF-1.4\n% a scanned page\n%%EOF\n"


@pytest.fixture
def county_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Sets the server's time to a county date-time (Asia/Shanghai, +08:00)."""

    def at(when: str) -> None:
        moment = datetime.fromisoformat(when + "+08:00").astimezone(UTC)
        monkeypatch.setattr("sync.server.doubts.clock", lambda: moment)

    at("2026-11-25T10:00:00")
    return at


def refused(answer: httpx.Response, status: int, code: str) -> str:
    assert (answer.status_code, answer.json().get("code")) == (status, code), answer.text
    return str(answer.json()["message"])


def test_push_answer_on_time_and_late_draw_inspect_and_report(
        server: Server, desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock,
        county_clock: Callable[[str], None], tmp_path: Path) -> None:
    client = enrol(desk, server)
    a_day_with_two_flags(desk, agent, head, clock)
    client.run()
    with server.session() as s:
        service.issue_enrolment_code(s, OTHER_VILLAGE, 1)
        service.add_staff(s, "县社保", "county", "county-pass-1", None)
        service.add_staff(s, "城关镇", "township", "township-pass", "341824100")
        service.add_staff(s, "河口镇", "township", "township-pass", "341824200")
        load_places(s, [["341824100", "城关镇"], ["341824200", "河口镇"], [OURS, "城关村"]])
    with httpx.Client(base_url=server.base) as http:
        county, town = sign_in(http, "县社保", "county-pass-1"), sign_in(http, "城关镇", "township-pass")
        other = sign_in(http, "河口镇", "township-pass")

        # -- the push: the review rules' flags of the village, due 15 days on --
        refused(http.get(f"{D}/candidates", params={"township_code": "341824100"}, headers=town), 403, "county_only")
        found = http.get(f"{D}/candidates", params={"township_code": "341824100"}, headers=county).json()
        codes = {c["label"] for c in found}
        assert {"作废", "日结差额"} <= codes and not any(c["pushed"] for c in found)
        refused(http.post(f"{D}/push", json={"village_code": OURS, "keys": ["desk|nothing|1|void|x"]},
                          headers=county), 404, "unknown_flag")
        pushed = http.post(f"{D}/push", json={"village_code": OURS}, headers=county).json()
        assert pushed == {"pushed": len(found), "already": 0, "due_on": "2026-12-10"}
        assert http.post(f"{D}/push", json={"village_code": OURS}, headers=county).json()["already"] == len(found)
        for n in range(12 - len(found)):  # a working group's year: a dozen 疑点 for this township
            added = http.post(f"{D}/add", json={"village_code": OURS, "ref": f"投诉-{n}", "reason": "举报电话：多收十元"},
                              headers=county)
            assert added.status_code == 200 and added.json()["due_on"] == "2026-12-10", added.text
        theirs = http.post(f"{D}/add", json={"village_code": OTHER_VILLAGE, "reason": "现金未解缴"}, headers=county).json()
        refused(http.post(f"{D}/add", json={"village_code": OTHER_VILLAGE, "reason": "x"}, headers=town),
                403, "not_your_township")

        # -- a township sees and answers its own only --
        mine = http.get(D, headers=town).json()
        assert len(mine) == 12 and {d["township_code"] for d in mine} == {"341824100"}
        assert all(d["state"] == "待答复" and d["days_left"] == 15 for d in mine)
        refused(http.get(f"{D}/{theirs['id']}", headers=town), 403, "not_your_township")
        refused(http.post(f"{D}/{theirs['id']}/answer", json={"verdict": "核实无误"}, headers=town),
                403, "not_your_township")
        refused(http.post(f"{D}/{mine[0]['id']}/answer", json={"verdict": "核实无误"}, headers=other),
                403, "not_your_township")
        assert [d["id"] for d in http.get(D, headers=other).json()] == [theirs["id"]]
        refused(http.get(f"{D}/99999", headers=town), 404, "unknown_doubt")

        void = next(d for d in mine if d["label"] == "作废")
        difference = next(d for d in mine if d["label"] == "日结差额")
        late_one = next(d for d in mine if d["source"] == "人工添加")

        # -- day 3: on time; what is refused is named --
        county_clock("2026-11-28T16:30:00")
        refused(http.post(f"{D}/{void['id']}/answer", json={"verdict": "核实无误"}, headers=county), 403, "township_only")
        refused(http.post(f"{D}/{void['id']}/answer", json={"verdict": "不用管"}, headers=town), 422, "bad_verdict")
        refused(http.post(f"{D}/{void['id']}/answer", json={"verdict": "已整改"}, headers=town), 422, "note_required")
        on_time = http.post(f"{D}/{void['id']}/answer", json={"verdict": "已整改", "by": "赵审核", "note": "已退回多收的钱"},
                            headers=town).json()
        assert on_time["state"] == "按时答复" and on_time["answers"][0]["answered_on"] == "2026-11-28"
        assert (on_time["answers"][0]["answered_by"], on_time["answers"][0]["via"]) == ("赵审核", "网页")

        # -- the scanned page: type and size checked, served back only to who may see the village --
        url = f"{D}/{void['id']}/attachments"
        sent = http.post(url, params={"name": "自查报告.pdf"}, content=PDF, headers={**town, "Content-Type": "application/pdf"})
        assert sent.status_code == 200, sent.text
        refused(http.post(url, content=b"<script>alert(1)</script>", headers={**town, "Content-Type": "text/html"}),
                415, "attachment_type")
        refused(http.post(url, content=PDF, headers={**town, "Content-Type": "image/png"}), 415, "attachment_type")
        refused(http.post(url, content=b"%PDF-" + bytes(2 * 1024 * 1024), headers={**town, "Content-Type": "application/pdf"}),
                413, "attachment_too_large")
        refused(http.post(f"{D}/{theirs['id']}/attachments", content=PDF,
                          headers={**town, "Content-Type": "application/pdf"}), 403, "not_your_township")
        back = http.get(f"{D}/attachments/{sent.json()['id']}", headers=county)
        assert back.content == PDF and back.headers["content-type"] == "application/pdf"
        assert back.headers["x-content-type-options"] == "nosniff" and "attachment" in back.headers["content-disposition"]
        refused(http.get(f"{D}/attachments/{sent.json()['id']}", headers=other), 404, "no_attachment")

        # -- the review window's file: answered on 11-30 by the township, imported on 12-02 --
        county_clock("2026-12-02T09:00:00")
        answers = {"format": "daishou-answers/1", "reviewer": "赵审核", "answers": [{
            "village_code": OURS, "device_no": 1, "seq": difference["seq"], "code": "difference",
            "ref": difference["ref"], "day": difference["day"], "reason": difference["reason"], "verdict": "核实无误",
            "by": "钱会计", "at": "2026-11-30T15:00:00", "note": "点钞有误，已补齐"}]}
        path = tmp_path / "疑点答复.json"
        path.write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
        code, out = server_cmd(server.url, "import-answers", str(path), "--township", "341824100")
        assert code == 0 and "其中 1 条答复了县里推送的疑点" in out, out
        assert server_cmd(server.url, "import-answers", str(path))[0] == 0  # again: nothing doubles
        by_file = http.get(f"{D}/{difference['id']}", headers=town).json()
        assert [(a["via"], a["answered_by"], a["answered_on"]) for a in by_file["answers"]] == [
            ("文件", "钱会计", "2026-11-30")] and by_file["state"] == "按时答复"

        # -- day 20: the rest are overdue; one answered late --
        county_clock("2026-12-15T09:00:00")
        assert http.get(f"{D}/{late_one['id']}", headers=town).json()["state"] == "逾期未答复"
        late = http.post(f"{D}/{late_one['id']}/answer", json={"verdict": "核实无误"}, headers=town).json()
        assert late["state"] == "逾期答复" and late["answers"][0]["answered_by"] == "城关镇"
        states = [d["state"] for d in http.get(D, headers=county).json()]
        assert states.count("逾期未答复") == 10 and states.count("按时答复") == 2 and states.count("逾期答复") == 1

        # -- the working group: >= 10% by a seed, drawn again the same --
        refused(http.post(f"{D}/draws", json={"year": 2026, "seed": "2468"}, headers=town), 403, "county_only")
        first = http.post(f"{D}/draws", json={"year": 2026, "township_code": "341824100", "seed": "2468"},
                          headers=county).json()[0]
        assert len(first["population"]) == 12 and len(first["chosen"]) == 2 and first["reproduced"]
        assert first["chosen"] == [int(i) for i in draw_sample([str(i) for i in first["population"]], "2468")]
        again = http.post(f"{D}/draws", json={"year": 2026, "township_code": "341824100", "seed": "2468"},
                          headers=county).json()[0]
        assert again["chosen"] == first["chosen"] and again["id"] != first["id"]
        every = http.post(f"{D}/draws", json={"year": 2026, "seed": "97"}, headers=county).json()
        assert {d["township_code"]: len(d["chosen"]) for d in every} == {"341824100": 2, "341824200": 1}
        not_drawn = next(d["id"] for d in mine if d["id"] not in first["chosen"] + every[0]["chosen"])
        refused(http.post(f"{D}/{not_drawn}/inspection", json={"result": "自查属实", "finding": "x"}, headers=county),
                409, "not_drawn")
        for doubt_id, result in zip(first["chosen"], ("自查属实", "自查不实"), strict=True):
            done = http.post(f"{D}/{doubt_id}/inspection", json={"result": result, "finding": "查阅原始收据和台账",
                                                                 "by": "县工作组", "on": "2026-12-14"}, headers=county)
            assert done.json()["inspections"][0]["result"] == result, done.text
        message = refused(http.post(f"{D}/{first['chosen'][0]}/answer", json={"verdict": "核实无误"}, headers=town),
                          409, "answer_after_inspection")
        assert "工作组" in message

        # -- 第四十一条: two special inspections counted, the township with one named short --
        for day in ("2026-05-20", "2026-11-03"):
            assert http.post(f"{D}/special-inspections", json={"township_code": "341824100", "held_on": day,
                                                               "units": "县纪委监委、税务", "summary": "抽查十个村的现金收缴"},
                             headers=county).status_code == 200
        http.post(f"{D}/special-inspections", json={"township_code": "341824200", "held_on": "2026-06-01",
                                                    "units": "税务", "summary": "检查"}, headers=county)
        refused(http.post(f"{D}/special-inspections", json={"township_code": "341824200", "held_on": "2027-01-01",
                                                            "units": "税务", "summary": "检查"}, headers=county),
                422, "bad_date")

        # -- the report, on the page's API and in the xlsx --
        report = {r["township_code"]: r for r in http.get(f"{D}/report", params={"year": 2026}, headers=county).json()}
        ours = report["341824100"]
        assert (ours["pushed"], ours["answered_on_time"], ours["answered_late"], ours["overdue"], ours["waiting"],
                ours["drawn"], ours["inspected"], ours["special_inspections"], ours["specials_short"]) == (
                    12, 2, 1, 9, 0, len(set(first["chosen"] + every[0]["chosen"])), 2, 2, 0)
        assert ours["findings"] == {"自查属实": 1, "自查不实": 1} and ours["seeds"] == ["2468", "97"]
        assert (report["341824200"]["special_inspections"], report["341824200"]["specials_short"]) == (1, 1)
        assert [r["township_code"] for r in http.get(f"{D}/report", params={"year": 2026}, headers=town).json()] == [
            "341824100"]
        book = load_workbook(io.BytesIO(http.get(f"{D}/report.xlsx", params={"year": 2026}, headers=county).content))
        summary = [list(r) for r in book["汇总"].iter_rows(values_only=True)]
        assert summary[0][:7] == ["乡镇代码", "乡镇", "年度", "推送疑点", "按时答复", "逾期答复", "逾期未答复"]
        assert summary[1][:7] == ["341824100", "城关镇", 2026, 12, 2, 1, 9] and summary[2][14:16] == [1, 1]
        detail = list(book["疑点明细"].iter_rows(values_only=True))
        assert len(detail) == 1 + 13 and sum(1 for r in detail if r[13] == "逾期未答复") == 10
        answered = next(r for r in detail if r[0] == void["id"])
        assert answered[1:5] == ("341824100", "城关镇", OURS, "城关村") and answered[16] == "2026-11-28 16:30"
        assert {r[4] for r in book["抽查"].iter_rows(min_row=2, values_only=True)} == {"2468", "97"}

        # -- the same report printed: the county's whole year, or one township's --
        printed = http.get(f"{D}/report.pdf", params={"year": 2026}, headers=county)
        assert printed.headers["content-type"] == "application/pdf"
        (tmp_path / "doubts-report.pdf").write_bytes(printed.content)
        text = read_pdf(printed.content).all.replace(" ", "")
        assert "2026年度疑点核查报告" in text and "全县" in text and "河口镇" in text and "城关村" in text
        assert "2026-11-2816:30" in text.replace("\n", "")
        mine_only = read_pdf(http.get(f"{D}/report.pdf", params={"year": 2026}, headers=town).content).all
        assert "城关镇（341824100）" in mine_only and "河口镇" not in mine_only
        refused(http.get(f"{D}/report.pdf", params={"year": 2026, "township": "341824200"}, headers=town),
                403, "not_your_township")
        one = read_pdf(http.get(f"{D}/report.pdf", params={"year": 2026, "township": "341824200"},
                                headers=county).content).all
        assert "河口镇" in one and "城关村" not in one


def test_an_answer_the_township_filed_before_the_push_counts_when_pushed(
        server: Server, desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock,
        county_clock: Callable[[str], None], tmp_path: Path) -> None:
    """A township without the server answered on its file first; the county pushes later: the
    answer is in the loop at once, dated when the township made it. The deadline's last day
    ends at midnight in the county."""
    client = enrol(desk, server)
    wrong = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.receipts.void(wrong.number, reason="收错了人", agent=agent, head=head)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=0)
    client.run()
    with server.session() as s:
        service.add_staff(s, "县社保", "county", "county-pass-1", None)
        service.add_staff(s, "城关镇", "township", "township-pass", "341824100")
    with httpx.Client(base_url=server.base) as http:
        county, town = sign_in(http, "县社保", "county-pass-1"), sign_in(http, "城关镇", "township-pass")
        void = next(c for c in http.get(f"{D}/candidates", params={"village_code": OURS}, headers=county).json()
                    if c["label"] == "作废")
        path = tmp_path / "answers.json"
        path.write_text(json.dumps({"format": "daishou-answers/1", "reviewer": "赵审核", "answers": [{
            "village_code": OURS, "device_no": 1, "seq": void["seq"], "code": "void", "ref": void["ref"],
            "day": void["day"], "reason": void["reason"], "verdict": "核实无误", "by": "赵审核",
            "at": (datetime(2026, 11, 24, 11, 0)).isoformat(), "note": ""}]}, ensure_ascii=False), encoding="utf-8")
        code, out = server_cmd(server.url, "import-answers", str(path))
        assert code == 0 and "推送" not in out
        county_clock("2026-11-25T10:00:00")
        http.post(f"{D}/push", json={"village_code": OURS, "keys": [void["key"]]}, headers=county)
        county_clock((datetime(2026, 11, 25) + timedelta(days=30)).isoformat())
        (row,) = http.get(D, headers=county).json()
        assert row["state"] == "按时答复" and row["answers"][0]["answered_on"] == "2026-11-24"

        # the deadline is the county's date: 23:30 on 12-10 is on time, 00:10 on 12-11 is late
        # (both are still 12-10 in UTC)
        county_clock("2026-11-25T10:00:00")
        last, next_day = (http.post(f"{D}/add", json={"village_code": OURS, "reason": "举报"}, headers=county).json()
                          for _ in range(2))
        county_clock("2026-12-10T23:30:00")
        assert http.post(f"{D}/{last['id']}/answer", json={"verdict": "核实无误"}, headers=town).json()["state"] == "按时答复"
        county_clock("2026-12-11T00:10:00")
        assert http.post(f"{D}/{next_day['id']}/answer", json={"verdict": "核实无误"},
                         headers=town).json()["state"] == "逾期答复"

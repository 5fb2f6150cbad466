"""The setup wizard's state machine, without Qt."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.services.desk import Desk
from app.services.setup_flow import (
    RosterSource,
    Step,
    WizardData,
    WizardError,
    WizardFlow,
    write_identity,
)
from tests.gui.conftest import DEMO, FakeClock


def good_data() -> WizardData:
    return WizardData(village_code="341824100201", village_name="示范村", township_code="341824100",
                      device_no="1", config_path=str(DEMO / "county-config.json"),
                      agent_name="李代收", agent_pin="1234", agent_pin_again="1234",
                      head_name="王村长", head_pin="567890", head_pin_again="567890")


def test_walks_every_step_in_order_and_locks_identity_after_users() -> None:
    flow = WizardFlow(good_data())
    seen = [flow.step]
    assert not flow.can_go_back()
    while flow.step is not Step.DONE:
        if flow.step is Step.ROSTER:
            flow.data.roster_source = RosterSource.LATER
        wrote = flow.writes_identity
        flow.advance()
        assert wrote == (seen[-1] is Step.USERS)
        seen.append(flow.step)
    assert seen == list(Step)
    assert flow.back() is Step.PRINTER
    assert flow.back() is Step.ROSTER
    assert not flow.can_go_back()  # the identity is written: no way back to change it
    assert flow.back() is Step.ROSTER


def test_bad_answers_keep_the_step_and_say_why() -> None:
    flow = WizardFlow(WizardData(village_code="3418", township_code="341824100", device_no="0"))
    with pytest.raises(WizardError) as err:
        flow.advance()
    assert flow.step is Step.DEVICE
    text = "；".join(err.value.messages)
    assert "村代码" in text and "设备号" in text and "村名称" in text


def test_village_must_belong_to_township() -> None:
    data = good_data()
    data.township_code = "341824101"
    assert "前9位" in "".join(WizardFlow(data).problems())


@pytest.mark.parametrize(("change", "expected"), [
    ({"agent_pin_again": "1235"}, "不一致"),
    ({"head_pin": "12345", "head_pin_again": "12345"}, "村委会负责人的密码应为 6–12 位数字"),
    ({"head_name": "李代收"}, "两个人"),
    ({"agent_pin": "567890", "agent_pin_again": "567890"}, "不能相同"),
])
def test_users_step_checks_pins_and_two_people(change: dict[str, str], expected: str) -> None:
    data = good_data()
    for key, value in change.items():
        setattr(data, key, value)
    flow = WizardFlow(data, start=Step.USERS)
    assert any(expected in p for p in flow.problems())


def test_roster_step_needs_an_import_or_later_or_a_download_from_the_county() -> None:
    flow = WizardFlow(good_data(), start=Step.ROSTER)
    assert flow.problems()  # file chosen but nothing imported yet
    flow.data.roster_source = RosterSource.SERVER
    assert ("server_url", "请填写县服务器地址") in flow.field_problems()
    flow.data.server_url, flow.data.enrol_code = "http://127.0.0.1:8080", "ABCD-EFGH"
    assert "注册并下载" in "".join(flow.problems())  # not downloaded yet
    flow.data.roster_source = RosterSource.FILE
    flow.data.roster_imported = True
    assert flow.advance() is Step.PRINTER


def test_write_identity_is_resumable(tmp_path: Path) -> None:
    with Desk(tmp_path, clock=FakeClock()) as desk:
        data = good_data()
        write_identity(desk, data)
        write_identity(desk, data)  # a second run after a crash adds nobody twice
        assert desk.setup.device.village_name == "示范村"
        assert [u.name for u in desk.users.list()] == ["李代收", "王村长"]
        assert desk.setup.config.year(2027).medical_fen == 40000


def test_the_townships_administrator_is_made_first_and_adds_the_others(tmp_path: Path) -> None:
    data = good_data()
    data.admin_name, data.admin_pin, data.admin_pin_again = "孙管理", "86420", "86420"
    flow = WizardFlow(data, start=Step.USERS)
    assert [k for k, _m in flow.field_problems()] == ["admin_pin"]  # an administrator's PIN has 6 digits
    data.admin_pin = data.admin_pin_again = "864209"
    assert not flow.field_problems()
    with Desk(tmp_path / "home") as desk:
        write_identity(desk, data)
        with desk.db.read() as conn:
            added = [(str(n), str(b)) for n, b in conn.execute(
                "SELECT json_extract(body, '$.data.name'), json_extract(body, '$.data.by') FROM journal "
                "WHERE kind = 'user' ORDER BY seq")]
        assert added == [("孙管理", "None"), ("李代收", "孙管理"), ("王村长", "孙管理")]
        assert desk.verify().ok

"""A head who takes cash cannot close their own day through a second "head" account they made:
heads and admins are added only by an administrator, and nobody countersigns the cash of the
person who added their account (directly, or through an admin that person added)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.records import Role, UserInfo
from app.services.desk import Desk
from app.services.errors import Refused
from tests.conftest import AGENT_PIN, HEAD_PIN
from tests.core.test_receipts import med
from tests.factories import CONFIG_PATH, VILLAGE, ZHANG_WIFE, write_roster

ADMIN_PIN, SECOND_PIN = "864209", "135791"


def test_a_head_cannot_add_another_head(desk: Desk, head: UserInfo) -> None:
    with pytest.raises(Refused, match="添加村委会负责人需要管理员确认，「王村长」是村委会负责人"):
        desk.users.add("王二", Role.HEAD, SECOND_PIN, by=head)
    assert [u.name for u in desk.users.list()] == ["李代收", "王村长"]


def test_a_head_cannot_make_an_admin_to_make_a_second_head(desk: Desk, head: UserInfo) -> None:
    with pytest.raises(Refused, match="添加管理员需要管理员确认，「王村长」是村委会负责人"):
        desk.users.add("王管理", Role.ADMIN, ADMIN_PIN, by=head)
    assert [u.name for u in desk.users.list()] == ["李代收", "王村长"]


def test_a_head_added_by_an_independent_admin_countersigns(bare_desk: Desk, tmp_path: Path) -> None:
    desk = bare_desk
    desk.setup.init(village_code="341824100201", village_name="示范村", township_code="341824100", device_no=1)
    desk.setup.import_config(CONFIG_PATH.read_text(encoding="utf-8"))
    desk.users.add("孙管理", Role.ADMIN, ADMIN_PIN)  # the township's administrator sets the PC up
    admin = desk.users.authenticate("孙管理", ADMIN_PIN)
    desk.users.add("李代收", Role.AGENT, AGENT_PIN, by=admin)
    desk.users.add("王村长", Role.HEAD, HEAD_PIN, by=admin)
    desk.users.add("王二", Role.HEAD, SECOND_PIN, by=admin)
    head = desk.users.authenticate("王村长", HEAD_PIN)
    desk.roster.import_file(write_roster(tmp_path / "r.csv", VILLAGE), by=head)
    desk.receipts.record(head, [med(ZHANG_WIFE)], cash_fen=40000)
    agent = desk.users.authenticate("李代收", AGENT_PIN)
    second = desk.users.authenticate("王二", SECOND_PIN)
    st = desk.settlements.settle(desk.clock().date(), agent=agent, head=second, counted_fen=40000)
    assert st.head == "王二" and desk.verify().ok


def test_an_agent_cannot_add_an_admin(desk: Desk, agent: UserInfo) -> None:
    with pytest.raises(Refused, match="添加用户需要村委会负责人或管理员确认"):
        desk.users.add("假管理", Role.ADMIN, ADMIN_PIN, by=agent)

"""A roster decides who owes what: once users exist, importing one needs an agent or the head,
and a file that would mark more than a fifth of the village as removed changes nothing until
somebody confirms it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.domain.records import Role, UserInfo
from app.services.desk import Desk
from app.services.errors import Refused
from app.services.roster import RemovalsNeedConfirmation
from tests.conftest import HEAD_PIN
from tests.core.test_cli import Cli, cli  # noqa: F401  (the fixture)
from tests.factories import VILLAGE, ZHANG, ZHANG_WIFE, write_roster


def listed(desk: Desk) -> int:
    with desk.db.read() as conn:
        return int(conn.execute("SELECT COUNT(*) FROM person WHERE removed = 0").fetchone()[0] or 0)


def roster_entries(desk: Desk) -> list[dict[str, object]]:
    with desk.db.read() as conn:
        return [json.loads(b)["data"] for (b,) in conn.execute(
            "SELECT body FROM journal WHERE kind = 'roster' ORDER BY seq")]


def test_an_import_without_a_signed_in_user_is_refused_once_users_exist(desk: Desk, tmp_path: Path) -> None:
    before = roster_entries(desk)
    with pytest.raises(Refused, match="导入征收清册需要代收员或村委会负责人登录确认"):
        desk.roster.import_file(write_roster(tmp_path / "again.csv", VILLAGE))
    assert roster_entries(desk) == before


def test_a_township_reviewer_cannot_import_a_roster(desk: Desk, head: UserInfo, tmp_path: Path) -> None:
    desk.users.add("赵审核", Role.TOWNSHIP, "4321", by=head)
    reviewer = desk.users.authenticate("赵审核", "4321")
    with pytest.raises(Refused, match="赵审核」是.*导入征收清册需要代收员或村委会负责人"):
        desk.roster.import_file(write_roster(tmp_path / "again.csv", VILLAGE), by=reviewer)


def test_the_journal_names_who_imported(desk: Desk, head: UserInfo, tmp_path: Path) -> None:
    desk.roster.import_file(write_roster(tmp_path / "again.csv", VILLAGE), by=head)
    assert roster_entries(desk)[-1]["by"] == "王村长"
    assert roster_entries(desk)[0]["by"] == "李代收"  # the fixture's first import


def test_a_file_removing_more_than_a_fifth_changes_nothing_until_confirmed(
        desk: Desk, agent: UserInfo, tmp_path: Path) -> None:
    half = write_roster(tmp_path / "half.csv", [ZHANG, ZHANG_WIFE])  # 4 of 6 would go
    people_before, entries_before = listed(desk), roster_entries(desk)
    with pytest.raises(RemovalsNeedConfirmation, match=r"会把 4 人（原有 6 人中的 66%）标记为移除") as refused:
        desk.roster.import_file(half, by=agent)
    assert (refused.value.removed, refused.value.listed) == (4, 6)
    assert listed(desk) == people_before and roster_entries(desk) == entries_before
    assert desk.roster.import_file(half, by=agent, allow_removals=True).removed == 4
    assert listed(desk) == 2
    assert desk.verify().ok


def test_a_small_removal_needs_no_confirmation(desk: Desk, agent: UserInfo, tmp_path: Path) -> None:
    one_gone = write_roster(tmp_path / "five.csv", VILLAGE[:-1])  # 1 of 6 is below a fifth
    assert desk.roster.import_file(one_gone, by=agent).removed == 1


def test_cli_import_asks_for_the_pin_and_the_confirmation(cli: Cli, tmp_path: Path) -> None:  # noqa: F811
    half = str(write_roster(tmp_path / "half.csv", [ZHANG]))
    code, _, err = cli("roster", "import", half)
    assert code == 1 and "--by 姓名" in err
    code, _, err = cli("roster", "import", half, "--by", "王村长", stdin=HEAD_PIN + "\n")
    assert code == 1 and "--allow-removals" in err
    done = cli.json("roster", "import", half, "--by", "王村长", "--allow-removals", stdin=HEAD_PIN + "\n")
    assert done["removed"] == 5

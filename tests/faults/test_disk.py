"""The disk or another copy of the program in the way: a one-line Chinese message naming the
cause (exit 4 on the command line), never a traceback or "程序内部错误", and nothing half-written."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from app.domain.records import UserInfo
from app.services.desk import Desk
from app.services.errors import disk_problem
from tests.core.test_cli import Cli
from tests.core.test_receipts import med
from tests.factories import ZHANG, ZHANG_WIFE


def _journal(desk: Desk) -> int:
    with desk.db.read() as conn:
        return int(conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0])


def test_a_ledger_held_by_another_copy_of_the_program_is_named_and_nothing_is_lost(cli: Cli) -> None:
    other = sqlite3.connect(cli.home / "daishou.sqlite3", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another window or command holds the file
    t0 = time.monotonic()
    code, _, err = cli("receipt", "record", "--agent", "李代收", "--line", f"{ZHANG.id_number}:medical:2027",
                       "--cash", "400", stdin="1234\n")
    waited = time.monotonic() - t0
    other.execute("ROLLBACK")
    other.close()
    assert code == 4 and "数据文件正被另一个程序占用" in err and "Error" not in err
    assert waited >= 4  # it waited for the other copy (busy timeout) before giving up
    assert cli.json("receipt", "list") == []
    assert cli("receipt", "record", "--agent", "李代收", "--line", f"{ZHANG.id_number}:medical:2027",
               "--cash", "400", stdin="1234\n")[0] == 0  # and works once the other lets go


def test_a_full_disk_is_named_and_the_receipt_is_not_half_written(desk: Desk, agent: UserInfo) -> None:
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    before = _journal(desk)
    with desk.db._write_lock:
        conn = desk.db._conn()
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full: not one page more
    with pytest.raises(sqlite3.OperationalError) as caught:
        for _ in range(50):  # the free pages inside the file run out within a few receipts
            desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
            desk.receipts.void(desk.receipts.list()[-1].number, reason="测试", agent=agent,
                               head=desk.users.authenticate("王村长", "567890"))
    assert "磁盘已满" in (disk_problem(caught.value) or "")
    assert desk.verify().ok and _journal(desk) >= before


@pytest.mark.parametrize(("error", "says"), [
    (sqlite3.OperationalError("attempt to write a readonly database"), "只读"),
    (OSError(30, "Read-only file system"), "只读"),
    (OSError(28, "No space left on device"), "磁盘已满"),
    (sqlite3.OperationalError("disk I/O error"), "读写磁盘出错"),
    (sqlite3.DatabaseError("database disk image is malformed"), "数据文件已损坏"),
    (sqlite3.OperationalError("unable to open database file"), "该位置是一个文件而不是文件夹"),
])
def test_each_disk_failure_has_its_own_message(error: BaseException, says: str) -> None:
    wrapped = RuntimeError("wrapper")  # as SQLAlchemy wraps it
    wrapped.__cause__ = error
    assert says in (disk_problem(wrapped) or "")


def test_the_window_shows_the_cause_not_an_internal_error(tmp_path: Path) -> None:
    from ui.errors import explain

    what, next_step = explain(sqlite3.OperationalError("database is locked"))
    assert "另一个程序占用" in what and "程序内部错误" not in what and next_step


def test_a_file_where_the_data_folder_should_be_is_named(tmp_path: Path) -> None:
    """`--home` mistyped onto a file (or below one): one Chinese line and exit 4, no traceback,
    and the file is left as it was."""
    import io

    from app.cli import main
    from app.cli.common import Context

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file the agent keeps here", encoding="utf-8")
    for home in (blocker, blocker / "daishou"):
        out, err = io.StringIO(), io.StringIO()
        code = main(["--home", str(home), "init", "--village-code", "341824100201", "--village-name", "示范村",
                     "--township-code", "341824100", "--device-no", "1"],
                    context=Context(stdin=io.StringIO(), stdout=out, stderr=err))
        assert code == 4 and "是一个文件，不是文件夹：请检查 --home 是否写对" in err.getvalue()
        assert "Traceback" not in err.getvalue()
    assert blocker.read_text(encoding="utf-8") == "a file the agent keeps here"

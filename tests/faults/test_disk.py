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


def _raised(tmp_path: Path, what: str) -> BaseException:
    """The error SQLite (or the OS) really raises for `what`, with its error code: the messages
    are recognised by code, not by their English text."""
    path = tmp_path / f"{what}.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit()
    try:
        if what == "readonly":
            sqlite3.connect(f"file:{path}?mode=ro", uri=True).execute("INSERT INTO t VALUES (1)")
        elif what == "damaged":
            path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
            sqlite3.connect(path).execute("SELECT * FROM t")
        elif what == "cannot_open":
            sqlite3.connect(tmp_path / "no such folder" / "daishou.sqlite3")
        elif what == "locked":
            holder = sqlite3.connect(path, isolation_level=None)
            holder.execute("BEGIN EXCLUSIVE")
            sqlite3.connect(path, timeout=0).execute("SELECT * FROM t")
    except (sqlite3.Error, OSError) as exc:
        return exc
    raise AssertionError(f"{what}: SQLite raised nothing")


def _io_error() -> sqlite3.Error:
    """A disk I/O error as SQLite reports a failing USB stick (SQLITE_IOERR_READ)."""
    exc = sqlite3.OperationalError("disk I/O error")
    exc.sqlite_errorcode, exc.sqlite_errorname = sqlite3.SQLITE_IOERR_READ, "SQLITE_IOERR_READ"
    return exc


@pytest.mark.parametrize(("error", "says"), [
    ("readonly", "只读"),
    (OSError(30, "Read-only file system"), "只读"),
    (OSError(28, "No space left on device"), "磁盘已满"),
    (_io_error(), "读写磁盘出错"),
    ("damaged", "数据文件已损坏"),
    ("cannot_open", "该位置是一个文件而不是文件夹"),
    ("locked", "另一个程序占用"),
])
def test_each_disk_failure_has_its_own_message(error: BaseException | str, says: str, tmp_path: Path) -> None:
    if isinstance(error, str):
        error = _raised(tmp_path, error)
    assert disk_problem(sqlite3.OperationalError(str(error))) is None  # the text alone is not enough
    wrapped = RuntimeError("wrapper")  # as SQLAlchemy wraps it
    wrapped.__cause__ = error
    assert says in (disk_problem(wrapped) or "")


def test_the_window_shows_the_cause_not_an_internal_error(tmp_path: Path) -> None:
    from ui.errors import explain

    what, next_step = explain(_raised(tmp_path, "locked"))
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

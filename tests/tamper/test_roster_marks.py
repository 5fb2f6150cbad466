"""The roster decides who owes what. A 已缴 mark set by hand (to take cash and say it was paid by
WeChat), a removal, or a category changed to one the government pays for, made with the sqlite3
shell after the import, is caught by `verify`: each import journals a digest of the roster."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.services.desk import Desk
from tests.factories import VILLAGE, ZHANG, signed_agent, write_roster


@pytest.mark.parametrize("statement", [
    f"UPDATE due SET paid_elsewhere = '微信' WHERE id_number = '{ZHANG.id_number}'",
    f"UPDATE due SET removed = 1 WHERE id_number = '{ZHANG.id_number}'",
    f"UPDATE person SET category = '特困' WHERE id_number = '{ZHANG.id_number}'",
    f"DELETE FROM due WHERE id_number = '{ZHANG.id_number}' AND insurance = 'medical'",
])
def test_a_roster_mark_changed_by_hand_is_caught(desk: Desk, statement: str) -> None:
    assert desk.verify().ok
    conn = sqlite3.connect(desk.db.path, isolation_level=None)
    conn.execute(statement)
    conn.close()
    result = desk.verify()
    assert not result.ok and "征收清册" in (result.reason or "") and "清册被改动" in (result.reason or "")


def test_imports_through_the_program_keep_verify_whole(desk: Desk, tmp_path: Path) -> None:
    desk.roster.import_file(write_roster(tmp_path / "again.csv", VILLAGE[:-1]), by=signed_agent(desk))
    assert desk.verify().ok


def test_the_digest_is_the_one_older_files_journalled(desk: Desk) -> None:
    """Files already carry digests made one row at a time as repr(row) + newline; a faster way of
    computing it must give the same hex, or every older desk would fail verify."""
    import hashlib

    from app.storage.digest import _DUES, _PEOPLE, roster_digest

    conn = sqlite3.connect(desk.db.path)
    h = hashlib.sha256()
    for query in (_DUES, _PEOPLE):
        for row in conn.execute(query):
            h.update(repr(tuple(row)).encode("utf-8"))
            h.update(b"\n")
        h.update(b"--\n")
    conn.row_factory = sqlite3.Row  # the digest does not depend on the connection's row type
    assert roster_digest(conn) == h.hexdigest()
    conn.close()

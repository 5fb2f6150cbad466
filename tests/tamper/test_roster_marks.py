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


def test_the_older_digest_is_the_one_older_files_journalled(desk: Desk) -> None:
    """Older files carry digests made one row at a time as repr(row) + newline; the function
    verify checks them with must give the same hex, or every older desk would fail verify."""
    import hashlib

    from app.storage.digest import _DUES, _PEOPLE, roster_digest_repr

    conn = sqlite3.connect(desk.db.path)
    h = hashlib.sha256()
    for query in (_DUES, _PEOPLE):
        for row in conn.execute(query):
            h.update(repr(tuple(row)).encode("utf-8"))
            h.update(b"\n")
        h.update(b"--\n")
    conn.row_factory = sqlite3.Row  # the digest does not depend on the connection's row type
    assert roster_digest_repr(conn) == h.hexdigest()
    conn.close()


def test_an_import_journals_the_json_digest_of_every_row(desk: Desk) -> None:
    import hashlib
    import json

    from app.storage.digest import roster_digest

    conn = sqlite3.connect(desk.db.path)
    body = json.loads(conn.execute("SELECT body FROM journal WHERE kind = 'roster' "
                                   "ORDER BY seq DESC LIMIT 1").fetchone()[0])["data"]
    h = hashlib.sha256()
    for query in ("SELECT id_number, insurance, year, tier_fen, amount_fen, paid_elsewhere, removed "
                  "FROM due ORDER BY id_number, insurance, year, id",
                  "SELECT id_number, name, category, removed FROM person ORDER BY id_number"):
        for row in conn.execute(query):
            h.update(json.dumps(list(row), ensure_ascii=False, separators=(",", ":")).encode())
            h.update(b"\n")
        h.update(b"--\n")
    assert body["roster_json_sha256"] == h.hexdigest() == roster_digest(conn)
    assert "roster_sha256" not in body
    conn.close()


@pytest.mark.parametrize("statement", [
    f"UPDATE due SET paid_elsewhere = '微信' WHERE id_number = '{ZHANG.id_number}'",
    f"UPDATE person SET category = '特困' WHERE id_number = '{ZHANG.id_number}'",
])
def test_a_roster_journalled_by_an_older_program_is_still_checked(
        desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, statement: str) -> None:
    import app.services.roster as roster_service
    from app.storage.digest import roster_digest_repr

    # The program before December 2026 journalled the repr form under roster_sha256.
    monkeypatch.setattr(roster_service, "ROSTER_DIGEST_KEY", "roster_sha256")
    monkeypatch.setattr(roster_service, "roster_digest", roster_digest_repr)
    desk.roster.import_file(write_roster(tmp_path / "again.csv", VILLAGE), by=signed_agent(desk))
    monkeypatch.undo()
    conn = sqlite3.connect(desk.db.path, isolation_level=None)
    body = conn.execute("SELECT body FROM journal WHERE kind = 'roster' ORDER BY seq DESC LIMIT 1").fetchone()[0]
    assert '"roster_sha256"' in body and "roster_json_sha256" not in body
    assert desk.verify().ok
    conn.execute(statement)
    conn.close()
    result = desk.verify()
    assert not result.ok and "清册被改动" in (result.reason or "")

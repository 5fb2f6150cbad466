"""What the county server leaves behind when attacked or failing: forked batches bounded per
device, a full disk logged and named (not "busy" with nothing in the log), no token, code,
password or key in any log line, and the desk's USB export readable by its owner only."""

from __future__ import annotations

import io
import logging
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import func, select

from app.domain.records import UserInfo
from app.services.desk import Desk
from sync.client import SyncClient
from sync.messages import SyncError
from sync.server import forks, log_safety
from sync.server import models as m
from tests.core.test_receipts import med
from tests.factories import AYGUL, ZHANG, ZHANG_WIFE, FakeClock
from tests.server.conftest import Server
from tests.server.test_forged import Row, ledger, rechain, send  # noqa: F401 - ledger is a fixture
from tests.server.test_sync_flow import enrol


def fork(rows: list[Row], n: int) -> list[Row]:
    """The held ledger rewritten from its first user on: a fork only the county can see."""
    first_user = next(r for r in rows if r[1] == "user")
    return rechain([(a, b, c, d.replace("李代收", f"李代收{n}") if a == first_user[0] else d, e, f)
                    for a, b, c, d, e, f in rows], rows[0][4])


def conflicts(server: Server) -> int:
    with server.session() as s:
        return int(s.exec(select(func.count()).select_from(m.Conflict)).one())


def test_forked_batches_are_bounded_per_device(server: Server, ledger: tuple[SyncClient, list[Row]],  # noqa: F811
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    client, rows = ledger
    client.run()
    monkeypatch.setattr(forks, "MAX_FORKS_PER_DEVICE", 3)
    answers = [send(server, client, fork(rows, n)) for n in range(5)]
    assert [a.status_code for a in answers] == [409] * 5
    assert [a.json().get("status") or a.json().get("code") for a in answers] == ["conflict"] * 3 + ["too_many_forks"] * 2
    assert "乡镇社保所" in answers[3].json()["message"]
    assert conflicts(server) == 3
    # A fork already held is still answered from what is held, and not stored twice.
    again = send(server, client, fork(rows, 0))
    assert again.json()["status"] == "conflict" and again.json()["conflict_id"] == answers[0].json()["conflict_id"]
    assert conflicts(server) == 3


def test_forks_are_bounded_in_bytes_too(server: Server, ledger: tuple[SyncClient, list[Row]],  # noqa: F811
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    client, rows = ledger
    client.run()
    first = send(server, client, fork(rows, 0))
    assert first.json()["status"] == "conflict"
    with server.session() as s:
        size = len(s.exec(select(m.Conflict.batch)).one())
    monkeypatch.setattr(forks, "MAX_FORK_BYTES_PER_DEVICE", size * 2 - 1)  # no room for a second
    refused = send(server, client, fork(rows, 1))
    assert refused.status_code == 409 and refused.json()["code"] == "too_many_forks"
    assert conflicts(server) == 1


def fill_the_disk(server: Server) -> None:
    """From now on the server's database cannot grow by one page: SQLITE_FULL, as on a full disk."""
    with server.session() as s:
        pages = int(s.connection().exec_driver_sql("PRAGMA page_count").scalar_one())
    server.engine.dispose()

    @event.listens_for(server.engine, "connect")
    def _full(dbapi: object, _record: object) -> None:
        dbapi.execute(f"PRAGMA max_page_count = {pages}")  # type: ignore[attr-defined]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_full_disk_is_logged_and_named_and_no_secret_is_logged(
        server: Server, desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock,
        caplog: pytest.LogCaptureFixture) -> None:
    client = enrol(desk, server)
    for person in (ZHANG, ZHANG_WIFE, AYGUL):
        desk.receipts.record(agent, [med(person)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=120000)
    fill_the_disk(server)
    caplog.set_level(logging.INFO)
    with pytest.raises(SyncError) as refused:
        client.run()
    assert refused.value.code == "disk_full" and "磁盘已满" in str(refused.value)
    logged = [r for r in caplog.records if r.name == "daishou.server"]
    assert [r.levelname for r in logged] == ["ERROR"] and "disk_full" in logged[0].getMessage()
    text = "\n".join(logging.Formatter().format(r) for r in caplog.records)  # with the tracebacks
    _, token = client.secrets.load()  # type: ignore[misc]
    check_codes = [r[5][:12] for r in desk.sync.entries(1, desk.sync.newest()) if r[1] == "receipt"]
    assert token not in text and not [c for c in check_codes if c in text], text[-2000:]
    assert "SQLITE_FULL" in text or "full" in text  # what happened is there, the rows are not
    with server.session() as s:
        assert int(s.exec(select(func.count()).select_from(m.Entry)).one()) == 0


def test_the_log_never_carries_a_token_code_password_or_key() -> None:
    log_safety.install()
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    logger = logging.getLogger("test.secrets")
    logger.addHandler(handler)
    try:
        logger.error("GET /receipt?no=341824100201-01-000001&code=3f9a0c1b2d4e HTTP/1.1")
        logger.error("Authorization: Bearer q1w2e3r4t5y6u7i8o9p0-secret-token")
        logger.error("%s", "[parameters: {'number': '341824100201-01-000001', 'check_code': '3f9a0c1b2d4e', "
                           "'token_sha256': 'ab12cd34ef56', 'total_fen': 40000}]")
        logger.error("login %s", {"name": "县社保", "password": "county-pass-1"})
        logger.error("body: {\"code\": \"ABCD-EFGH\", \"public_key\": \"AAAA\"}")
        try:
            raise ValueError("private_pem='-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIItj\n-----END PRIVATE KEY-----\n'")
        except ValueError:
            logger.exception("while signing")
    finally:
        logger.removeHandler(handler)
    text = out.getvalue()
    for secret in ("3f9a0c1b2d4e", "q1w2e3r4t5y6u7i8o9p0", "ab12cd34ef56", "county-pass-1", "ABCD-EFGH",
                   "MC4CAQAwBQYDK2VwBCIEIItj"):
        assert secret not in text, (secret, text)
    # What is not secret stays readable.
    for kept in ("341824100201-01-000001", "40000", "县社保", "while signing", "ValueError", "public_key"):
        assert kept in text, (kept, text)


def test_the_usb_export_is_readable_by_its_owner_only(server: Server, desk: Desk, agent: UserInfo,
                                                      tmp_path: Path) -> None:
    client = enrol(desk, server)
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    old = os.umask(0o022)
    try:
        out = tmp_path / "export.json"
        assert client.export(out) is not None
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_a_database_error_logged_with_its_traceback_carries_no_check_code(db_url: str) -> None:
    """What reached the log before: a receipt the database refused (another device's number),
    logged with the INSERT's parameters, among them the receipt's check code."""
    from sqlalchemy import insert
    from sqlalchemy.exc import IntegrityError

    from sync.server.db import make_engine, migrate, session

    migrate(db_url)
    log_safety.install()
    engine = make_engine(db_url)
    row = {"number": "341824100201-01-000001", "device_id": "341824100201-01", "village_code": "341824100201",
           "day": "2026-11-24", "total_fen": 40000, "check_code": "7c3e9a0b1d2f", "status": "有效"}
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    logger = logging.getLogger("test.secrets.db")
    logger.addHandler(handler)
    try:
        with session(engine) as s:
            s.execute(insert(m.Receipt), [row])
        with pytest.raises(IntegrityError), session(engine) as s:
            try:
                s.execute(insert(m.Receipt), [{**row, "check_code": "5d6e7f8a9b0c"}])
            except IntegrityError:
                logger.exception("upload failed")
                raise
    finally:
        logger.removeHandler(handler)
        engine.dispose()
    text = out.getvalue()
    assert "upload failed" in text and "INSERT INTO receipt" in text  # what failed is there
    assert "5d6e7f8a9b0c" not in text and "7c3e9a0b1d2f" not in text, text


def test_a_full_postgresql_disk_is_named_too() -> None:
    import psycopg.errors
    from sqlalchemy.exc import OperationalError

    from sync.server.storage_errors import is_disk_full

    full = OperationalError("INSERT INTO entry ...", {}, psycopg.errors.DiskFull("could not extend file"))
    assert is_disk_full(full)
    assert not is_disk_full(OperationalError("SELECT 1", {}, psycopg.errors.LockNotAvailable("lock timeout")))

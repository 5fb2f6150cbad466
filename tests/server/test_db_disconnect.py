"""The county's PostgreSQL drops every connection (restarted, or a firewall in between): the next
upload is still accepted. Pooled connections are no longer pinged on every checkout (a round trip
an upload, bench sync), so a dead one is found by the statement that uses it: the device's read
and the upload are run once more on a new connection; a connection idle for long is pinged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text

from sync import protocol as p
from sync.server import db
from sync.server.db import session
from tests.server.conftest import PG_ADMIN, Server, migrated_engine
from tests.server.signed_days import batch, day, enrolled


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    yield from migrated_engine("postgresql", tmp_path)


def _drop_every_connection(engine: Engine) -> int:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        dropped = conn.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                    "WHERE datname = :name AND pid <> pg_backend_pid()"),
                               {"name": engine.url.database}).scalar_one()
    admin.dispose()
    return int(dropped)


def _upload(http: httpx.Client, token: str, sent: p.Batch) -> tuple[int, str]:
    answer = http.post(p.BATCHES, content=sent.model_dump_json(),
                       headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    return answer.status_code, answer.json().get("status", answer.text)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_an_upload_after_the_database_dropped_every_connection_is_accepted(server: Server) -> None:
    villages = ["341824100201", "341824100202"]
    with server.session() as s:
        desks = [enrolled(s, v) for v in villages]
    with httpx.Client(base_url=server.base, timeout=60) as http:
        (first, token1, key1), (second, token2, key2) = desks
        assert _upload(http, token1, batch(first, key1, day(villages[0], 1, 3))) == (200, "accepted")
        assert _drop_every_connection(server.engine) >= 1  # the pool's connections, now dead
        assert _upload(http, token2, batch(second, key2, day(villages[1], 1, 3))) == (200, "accepted")


def test_a_connection_idle_for_long_is_pinged_and_replaced_before_use(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    with session(engine) as s:
        s.execute(text("SELECT 1"))
    assert _drop_every_connection(engine) == 1
    monkeypatch.setattr(db, "IDLE_PING_S", 0.0)  # "long" is now
    with session(engine) as s:  # no retry here: the ping on checkout found it dead
        assert s.execute(text("SELECT 2")).scalar_one() == 2

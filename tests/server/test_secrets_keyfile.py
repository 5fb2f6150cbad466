"""The county server's files as someone else on the machine (or holding a copy of the database)
finds them: the database and its key file readable by the server's account only, and the
signing key not in the database at all (an older database's key moved out on start)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text
from sqlmodel import select

from sync import protocol as p
from sync.server import keyfile, service
from sync.server import models as m
from sync.server.db import make_engine, migrate, session
from tests.server.test_real_server import server_cmd


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """A default umask that makes new files readable by everyone, as most servers have."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def raw_public(key: Ed25519PrivateKey) -> str:
    return p.b64(key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def all_text(url: str) -> str:
    """Every row of every table as text: what a copy of the database hands whoever holds it."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return "\n".join(str(row) for table in m.ServerModel.metadata.sorted_tables
                             for row in conn.execute(text(f'SELECT * FROM "{table.name}"')))
    finally:
        engine.dispose()


def test_init_makes_the_database_and_key_file_the_servers_own(tmp_path: Path, loose_umask: None) -> None:
    db = tmp_path / "county.sqlite3"
    code, out = server_cmd(str(db), "init")
    assert code == 0, out
    key_file = Path(f"{db}.key")
    assert f"签名密钥文件：{key_file}" in out
    assert mode(db) == 0o600 and mode(key_file) == 0o600
    for journal in (Path(f"{db}-wal"), Path(f"{db}-shm")):
        assert not journal.exists() or mode(journal) == 0o600
    # The key is in the file and nowhere in the database.
    loaded = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    assert isinstance(loaded, Ed25519PrivateKey)
    assert f"服务器公钥：{raw_public(loaded)}" in out
    assert "PRIVATE KEY" not in all_text(str(db))
    # The process's own umask is given back (the CLI runs inside this test process).
    assert os.umask(0o022) == 0o022


def test_an_older_database_has_its_key_moved_out_and_its_files_closed(db_url: str, loose_umask: None,
                                                                      tmp_path: Path) -> None:
    migrate(db_url)
    old = Ed25519PrivateKey.generate()  # what the server before this release kept in the table
    pem = old.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    engine = make_engine(db_url)
    try:
        with session(engine) as s:
            s.add(m.ServerKey(id=1, private_pem=pem, public_key=raw_public(old), created_at=service.now()))
    finally:
        engine.dispose()
    if "://" not in db_url:
        os.chmod(db_url, 0o644)
    assert "PRIVATE KEY" in all_text(db_url)

    code, out = server_cmd(db_url, "init")
    assert code == 0, out
    # The devices already trust the old key: the file holds that same key, the table nothing.
    assert f"服务器公钥：{raw_public(old)}" in out
    key_file = keyfile.key_path(db_url)
    assert key_file.read_text() == pem and mode(key_file) == 0o600
    assert "PRIVATE KEY" not in all_text(db_url)
    if "://" not in db_url:
        assert mode(Path(db_url)) == 0o600
    else:
        assert str(key_file).startswith(str(tmp_path))  # the tests' own XDG_DATA_HOME
    engine = make_engine(db_url)
    try:
        with session(engine) as s:
            assert s.exec(select(m.ServerKey)).all() == []
    finally:
        engine.dispose()


def test_a_key_file_that_is_not_the_databases_key_stops_the_server(tmp_path: Path) -> None:
    db = str(tmp_path / "county.sqlite3")
    migrate(db)
    in_db = Ed25519PrivateKey.generate()
    engine = make_engine(db)
    try:
        with session(engine) as s:
            s.add(m.ServerKey(id=1, private_pem=in_db.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption()).decode(), public_key=raw_public(in_db), created_at=service.now()))
    finally:
        engine.dispose()
    other = tmp_path / "other.key"
    other.write_bytes(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    code, out = server_cmd(db, "--key-file", str(other), "init")
    assert code == 1 and "服务器密钥" in out and str(other) in out, out
    assert keyfile.ENV not in os.environ  # the option does not outlive the command


def test_the_key_file_option_puts_the_key_where_it_is_told(tmp_path: Path, loose_umask: None) -> None:
    db = str(tmp_path / "county.sqlite3")
    where = tmp_path / "secrets" / "county.key"
    code, out = server_cmd(db, "--key-file", str(where), "init")
    assert code == 0, out
    assert mode(where) == 0o600 and mode(where.parent) == 0o700
    assert not Path(f"{db}.key").exists()

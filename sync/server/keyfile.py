"""The server's Ed25519 signing key, kept in a file of its own (mode 0600), never in the database:
a copy of the database (a backup, a dump handed to a technician) then signs nothing.

Where: $DAISHOU_SERVER_KEY (or `daishou-server --key-file`); else beside a SQLite database as
`<database>.key`; else, for PostgreSQL, `~/.local/share/daishou-server/<host>-<port>-<db>.key`.
Every worker of one server reads the same file. A database from before keeps its key in the
`server_key` table: the first start moves it out into the file and deletes the row.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlmodel import Session

from sync.server import models as m
from sync.server.db import normalise_url

ENV = "DAISHOU_SERVER_KEY"
_loaded: dict[Path, Ed25519PrivateKey] = {}
_lock = threading.Lock()


class KeyFileError(ValueError):
    """The key file and the database disagree, or the file is not a key: the server must not sign."""


def key_path(url: str) -> Path:
    if os.environ.get(ENV):
        return Path(os.environ[ENV]).expanduser().resolve()
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return Path(parsed.database + ".key")
    home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "daishou-server"
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{parsed.host or 'local'}-{parsed.port or 5432}-{parsed.database}")
    return home / f"{name}.key"


def _pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _read(path: Path) -> Ed25519PrivateKey:
    try:
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except ValueError:
        raise KeyFileError(f"{path} 不是服务器签名密钥文件") from None
    if not isinstance(loaded, Ed25519PrivateKey):
        raise KeyFileError(f"{path} 不是 Ed25519 密钥")
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)  # an older copy made readable by others: close it again
    return loaded


def _write_new(path: Path, key: Ed25519PrivateKey) -> Ed25519PrivateKey:
    """Create the file whole and 0600, or read the one another worker made first."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(_pem(key))
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(temp, path)  # fails if it exists: never overwrites a key
        except FileExistsError:
            return _read(path)
    finally:
        temp.unlink(missing_ok=True)
    return key


def server_key(s: Session) -> Ed25519PrivateKey:
    """The key for this session's database: from the file, moving an older database's key out of
    its table on the way; made new (and written 0600) for a new database."""
    bind = s.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    path = key_path(engine.url.render_as_string(hide_password=False))
    with _lock:
        cached = _loaded.get(path)
        if cached is not None:
            return cached
        row = s.get(m.ServerKey, 1)
        from_db = None
        if row is not None:
            loaded = serialization.load_pem_private_key(row.private_pem.encode(), password=None)
            assert isinstance(loaded, Ed25519PrivateKey)
            from_db = loaded
        if path.exists():
            key = _read(path)
            if from_db is not None and _pem(from_db) != _pem(key):
                raise KeyFileError(f"数据库里的服务器密钥与 {path} 不同：各设备认的是数据库里那把；"
                                   f"请移走 {path} 后重新启动，让服务器把数据库里的密钥移到文件中")
        else:
            key = _write_new(path, from_db or Ed25519PrivateKey.generate())
        if row is not None:
            s.delete(row)  # the file holds it now
            s.flush()
        _loaded[path] = key
        return key


def prepare(engine: Engine) -> Ed25519PrivateKey:
    """At start (`init`, `serve`, each worker): the key read, or moved out of an older database
    in a transaction of its own, before any request is answered."""
    from sync.server.db import session

    with session(engine) as s:
        return server_key(s)


def secure_files(url: str) -> list[Path]:
    """A SQLite database and its -wal/-shm files made 0600 (one created before this release was
    readable by everyone); the paths that were closed."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return []
    closed = []
    for path in (Path(parsed.database + suffix) for suffix in ("", "-wal", "-shm", "-journal")):
        if path.exists() and path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
            closed.append(path)
    return closed

"""A county server on loopback for each test: its database on SQLite or on the PostgreSQL server
at 127.0.0.1:5432 (a throwaway database each time), uvicorn in a thread of the test process."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from sqlalchemy import Engine, create_engine, text
from sqlmodel import Session

from sync.server.app import create_app
from sync.server.db import make_engine, migrate, session

PG_ADMIN = os.environ.get("DAISHOU_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str  # the database URL
    base: str  # http://127.0.0.1:PORT
    engine: Engine

    def session(self) -> AbstractContextManager[Session]:
        return session(self.engine)


def county_at_import(prefix: str) -> FastAPI:
    """A county app on a migrated SQLite file in a folder removed at exit, for a module that
    builds its schemathesis schema when it is imported (before any fixture runs)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, folder, True)
    db = str(folder / "county.sqlite3")
    migrate(db)
    return create_app(db)


def database_url(kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield str(tmp_path / "county.sqlite3")
        return
    name = f"daishou_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def migrated_engine(kind: str, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a throwaway database of `kind` migrated to the head, disposed of afterwards."""
    for url in database_url(kind, tmp_path):
        migrate(url)
        made = make_engine(url)
        try:
            yield made
        finally:
            made.dispose()


@pytest.fixture(autouse=True)
def key_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The server's key file for a PostgreSQL database goes under $XDG_DATA_HOME: the test's own."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from database_url(request.param, tmp_path)


@pytest.fixture
def server(db_url: str) -> Iterator[Server]:
    migrate(db_url)
    port = free_port()
    app = create_app(db_url)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.02)
    yield Server(db_url, f"http://127.0.0.1:{port}", app.state.engine)
    running.should_exit = True
    thread.join(timeout=10)
    app.state.engine.dispose()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    """Debian's chromium, headless, with no name but 127.0.0.1 resolvable: the pages must work
    with no internet, as in a county office."""
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.fail("installer/dev.sh installs chromium and chromium-driver: run it first")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1366,900",
                "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'chromium'}",
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"):  # no internet, as in a county
        options.add_argument(arg)
    web = webdriver.Chrome(service=Service(driver), options=options)
    yield web
    web.quit()

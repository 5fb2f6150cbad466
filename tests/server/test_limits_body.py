"""A body with no Content-Length (chunked) is counted as it is read, on every route: cut with a
413 `too_large` once past the cap, before the server has held it."""

from __future__ import annotations

import asyncio
import socket
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from sync import protocol as p
from sync.server.app import create_app
from sync.server.body_limit import SMALL_BODY_BYTES
from sync.server.db import migrate
from tests.server.conftest import free_port
from tests.server.test_real_server import server_cmd, start_server

MB = 1024 * 1024


def _chunked_post(app: object, path: str, chunks: int, size: int) -> tuple[httpx.Response, int]:
    sent = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(chunks):
            sent += 1
            yield b"x" * size

    async def run() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://county") as http:
            return await http.post(path, content=body(), headers={"Content-Type": "application/json"})

    return asyncio.run(run()), sent


@pytest.mark.parametrize("path, cap", [(p.BATCHES, p.MAX_BODY_BYTES), (f"{p.API}/staff/login", SMALL_BODY_BYTES),
                                       (p.ENROL, SMALL_BODY_BYTES)])
def test_a_chunked_body_past_the_cap_is_cut_with_a_named_code(tmp_path: Path, path: str, cap: int) -> None:
    db = str(tmp_path / "county.sqlite3")
    migrate(db)
    app = create_app(db)
    size = 1 * MB if cap >= MB else 16 * 1024
    total = cap // size + 40  # well past the cap
    answer, sent = _chunked_post(app, path, total, size)
    assert answer.status_code == 413, answer.text
    assert answer.json()["code"] == "too_large" and "请求太大" in answer.json()["message"]
    assert p.TIME_HEADER in answer.headers
    # The server stopped reading one chunk past the cap: the rest was never pulled.
    assert sent == cap // size + 1, sent
    app.state.engine.dispose()


@pytest.fixture
def county(tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    db = str(tmp_path / "county.sqlite3")
    assert server_cmd(db, "init")[0] == 0
    port = free_port()
    proc = start_server(db, port)
    try:
        yield port, proc
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def _peak_rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def _send_chunked(port: int, path: str, total: int) -> tuple[int, bytes]:
    """An unauthenticated chunked upload as a raw socket sends it; what got through and what the
    server answered (it may close the connection under us once it has answered)."""
    sent = 0
    answer = b""
    chunk = b"x" * MB
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n".encode())
        try:
            while sent < total:
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                sent += len(chunk)
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # cut off: the server stopped reading
        try:
            while data := sock.recv(65536):
                answer += data
        except OSError:
            pass
    return sent, answer


@pytest.mark.parametrize("path, bound", [(p.BATCHES, 100 * MB), (f"{p.API}/staff/login", 16 * MB)])
def test_a_200_mb_chunked_upload_does_not_grow_the_server_by_its_size(
        county: tuple[int, subprocess.Popen[bytes]], path: str, bound: int) -> None:
    port, proc = county
    before = _peak_rss(proc.pid)
    sent, answer = _send_chunked(port, path, 200 * MB)
    grown = _peak_rss(proc.pid) - before
    print(f"{path}: sent {sent // MB} MB, peak RSS grew {grown / MB:.1f} MB")
    assert sent < 200 * MB or answer.startswith(b"HTTP/1.1 413"), (sent, answer[:200])
    if answer:
        assert answer.startswith(b"HTTP/1.1 413") and b'"too_large"' in answer, answer[:300]
    assert grown < bound, f"the server grew by {grown / MB:.0f} MB for a cut {sent // MB} MB upload"
    # The server still answers.
    assert httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=10).status_code == 200

"""A fault-injecting HTTP/1.1 proxy on loopback, between the desk's sync client and the server.

Each request is read whole and, by a seeded random draw, one of: passed through; the connection
dropped before the server sees it; passed to the server and the connection dropped before the
answer comes back (the server committed, the desk does not know); delayed; sent to the server
twice (the second answer is the one returned); answered 500 without reaching the server; or the
answer cut off halfway. One request per connection (the proxy answers `Connection: close`).
"""

from __future__ import annotations

import random
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

FAULTS = ("pass", "drop_before", "drop_after", "delay", "duplicate", "error_500", "truncate")


@dataclass
class FaultProxy:
    upstream_port: int
    seed: int = 1
    weights: dict[str, float] = field(default_factory=lambda: {
        "pass": 4, "drop_before": 1, "drop_after": 1, "delay": 1, "duplicate": 1, "error_500": 1, "truncate": 1})
    port: int = 0
    seen: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._lock = threading.Lock()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port = int(self._sock.getsockname()[1])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(timeout=5)

    def _draw(self) -> str:
        with self._lock:
            fault = self._random.choices(list(self.weights), weights=list(self.weights.values()))[0]
            self.seen[fault] += 1
            return fault

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(30)
            try:
                request = _read_message(conn)
            except (OSError, ValueError):
                return
            if request is None:
                return
            fault = self._draw()
            if fault == "drop_before":
                return
            if fault == "error_500":
                body = b'{"code":"injected","message":"injected 500"}'
                conn.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
                             b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
                return
            if fault == "delay":
                time.sleep(self._random.uniform(0.05, 0.4))
            try:
                answer = self._forward(request)
                if fault == "duplicate":
                    answer = self._forward(request)
            except (OSError, ValueError):
                # The server is down (killed), or was killed in the middle of its answer: the
                # client sees a dropped connection either way.
                return
            if fault == "drop_after":
                return
            if fault == "truncate":
                conn.sendall(answer[: max(1, len(answer) // 2)])
                return
            try:
                conn.sendall(answer)
            except OSError:
                return

    def _forward(self, request: bytes) -> bytes:
        with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30) as up:
            up.sendall(request)
            answer = _read_message(up)
            if answer is None:
                raise OSError("upstream closed")
            return answer


def _read_message(sock: socket.socket) -> bytes | None:
    """One HTTP/1.1 message with a Content-Length body (what httpx and uvicorn send here), with
    its Connection header rewritten to close."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None if not data else _fail()
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    length = 0
    kept = [lines[0]]
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        key = name.strip().lower()
        if key == b"content-length":
            length = int(value.strip())
        if key in (b"connection", b"keep-alive"):
            continue
        if key == b"transfer-encoding":
            raise ValueError("chunked bodies are not handled by this proxy")
        kept.append(line)
    kept.append(b"Connection: close")
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return _fail()
        rest += chunk
    return b"\r\n".join(kept) + b"\r\n\r\n" + rest[:length]


def _fail() -> None:
    raise ValueError("connection closed inside a message")

"""A pretend network printer on 127.0.0.1: records what it receives, answers DLE EOT."""

from __future__ import annotations

import socket
import threading

NORMAL = {1: 0x12, 2: 0x12, 4: 0x12}  # the fixed bits only: online, cover shut, paper present
PAPER_OUT = {1: 0x1A, 2: 0x32, 4: 0x72}


def without_status_queries(data: bytes) -> bytes:
    """A job's bytes without the DLE EOT status queries the device adapter sends first."""
    for n in (1, 2, 4):
        data = data.replace(b"\x10\x04" + bytes([n]), b"")
    return data


class LoopbackPrinter:
    """Accepts connections on an ephemeral port until closed; `jobs` holds each one's bytes."""

    def __init__(self, status: dict[int, int] | None = None) -> None:
        self.status = status  # None: a printer that never answers DLE EOT
        self.jobs: list[bytes] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.05)  # so close() is noticed quickly
        self.port = self._server.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._stop = threading.Event()
        self._thread.start()

    @property
    def prints(self) -> list[bytes]:
        """The jobs that printed something (a connection that only asked for status is not one)."""
        return [job for job in map(without_status_queries, self.jobs) if job]

    @property
    def uri(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                received = bytearray()
                while True:
                    try:
                        chunk = conn.recv(65536)
                    except OSError:
                        break
                    if not chunk:
                        break
                    received += chunk
                    self._answer(conn, chunk)
                self.jobs.append(bytes(received))

    def _answer(self, conn: socket.socket, chunk: bytes) -> None:
        if self.status is None:
            return
        i = chunk.find(b"\x10\x04")
        while i != -1:
            n = chunk[i + 2] if i + 2 < len(chunk) else -1
            if n in self.status:
                conn.sendall(bytes([self.status[n]]))
            i = chunk.find(b"\x10\x04", i + 2)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._server.close()

"""A flood of sign-ins and the receipt page timed under it: shared by test_limits_login.py and
the login benchmark."""

from __future__ import annotations

import threading
import time

import httpx

from sync import protocol as p

LOGIN = f"{p.API}/staff/login"


def receipt_page_times(base: str, n: int = 0, *, seconds: float = 0) -> list[float]:
    """The public receipt page asked `n` times, or again and again for `seconds`."""
    times: list[float] = []
    until = time.perf_counter() + seconds
    with httpx.Client(base_url=base, timeout=60) as http:
        while len(times) < n or time.perf_counter() < until:
            started = time.perf_counter()
            assert http.get("/receipt", params={"no": "341824100201-01-000001", "code": "0" * 12}).status_code == 200
            times.append(time.perf_counter() - started)
    return times


class Flood:
    """`clients` unauthenticated sign-ins at once, each from its own address, until stopped;
    `answered` counts the wrong-password answers (each cost the server one scrypt)."""

    def __init__(self, base: str, clients: int, rounds: int) -> None:
        self.stop = threading.Event()
        self.answered: list[int] = []
        self.threads = [threading.Thread(target=self._one, args=(base, i, rounds), daemon=True)
                        for i in range(clients)]
        for t in self.threads:
            t.start()

    def _one(self, base: str, i: int, rounds: int) -> None:
        with httpx.Client(base_url=base, transport=httpx.HTTPTransport(local_address=f"127.0.1.{i + 1}"),
                          timeout=120) as http:
            for r in range(rounds):
                if self.stop.is_set():
                    return
                answer = http.post(LOGIN, json={"name": f"用户{i}-{r}", "password": "guess"})
                if answer.status_code == 401:
                    self.answered.append(1)

    def end(self) -> int:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=300)
        return len(self.answered)

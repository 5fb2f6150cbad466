"""Staff sign-in as an attacker tries it, on SQLite and PostgreSQL: wrong passwords from one
address do not keep the officer out from another, known and unknown names answer alike, a flood
of sign-ins does not starve the public receipt page, enrolment codes cannot be swept, and a
session can be ended and a password changed."""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sync import protocol as p
from sync.server import service
from tests.server.conftest import Server, free_port
from tests.server.limits_helpers import Flood, receipt_page_times
from tests.server.test_real_server import server_cmd, start_server

LOGIN = f"{p.API}/staff/login"


def from_address(server: Server, address: str) -> httpx.Client:
    """A client whose connections come from another loopback address (127.0.0.0/8 is all ours)."""
    return httpx.Client(base_url=server.base, transport=httpx.HTTPTransport(local_address=address), timeout=60)


@pytest.fixture
def officer(server: Server) -> Server:
    with server.session() as s:
        service.add_staff(s, "县社保", "county", "county-pass-1", None)
    return server


def test_wrong_passwords_from_one_address_do_not_keep_the_officer_out(officer: Server) -> None:
    with from_address(officer, "127.0.0.2") as attacker:
        answers = [attacker.post(LOGIN, json={"name": "县社保", "password": f"guess-{i}"}) for i in range(7)]
        assert [a.status_code for a in answers] == [401] * 5 + [429] * 2
        assert answers[-1].json()["code"] == "too_many_attempts"
        # The attacker's address is slowed down even with the right password: no guessing on.
        assert attacker.post(LOGIN, json={"name": "县社保", "password": "county-pass-1"}).status_code == 429
    with from_address(officer, "127.0.0.3") as desk:
        signed_in = desk.post(LOGIN, json={"name": "县社保", "password": "county-pass-1"})
        assert signed_in.status_code == 200, signed_in.text
        assert signed_in.json()["role"] == "county"


def test_a_known_name_and_an_unknown_one_answer_alike(officer: Server) -> None:
    seen: dict[str, list[tuple[int, str, str]]] = {"县社保": [], "不存在的人": []}
    times: dict[str, list[float]] = {"县社保": [], "不存在的人": []}
    with from_address(officer, "127.0.0.4") as http:
        for i in range(7):
            for name in seen:  # taken in turns, so the machine's load weighs on both alike
                started = time.perf_counter()
                answer = http.post(LOGIN, json={"name": name, "password": f"guess-{i}"})
                times[name].append(time.perf_counter() - started)
                seen[name].append((answer.status_code, answer.json()["code"], answer.json()["message"]))
    assert seen["县社保"] == seen["不存在的人"], seen
    assert [status for status, _, _ in seen["县社保"]] == [401] * 5 + [429] * 2
    # The same scrypt for both: an unknown name is not answered at once (without the dummy hash
    # it answers a hundred times faster; the bound leaves room for a busy shared machine).
    ratio = statistics.median(times["不存在的人"][:5]) / statistics.median(times["县社保"][:5])
    assert 0.25 < ratio < 4, times


def test_guessing_enrolment_codes_is_rate_limited(server: Server) -> None:
    with server.session() as s:
        code = service.issue_enrolment_code(s, "341824100201", 1)
    key = p.b64(bytes(32))  # a valid Ed25519 public key encoding is checked only after the code
    with from_address(server, "127.0.0.5") as guesser:
        answers = [guesser.post(p.ENROL, json={"code": f"AAAA-AA{i:02d}", "public_key": key}) for i in range(11)]
        assert [a.status_code for a in answers] == [403] * 10 + [429]
        assert answers[-1].json()["code"] == "too_many_attempts" and "注册码" in answers[-1].json()["message"]
        # Even the right code is not tried from this address now: a sweep cannot go on.
        assert guesser.post(p.ENROL, json={"code": code, "public_key": key}).status_code == 429
    with from_address(server, "127.0.0.6") as desk:
        enrolled = desk.post(p.ENROL, json={"code": code, "public_key": key})
        assert enrolled.status_code == 200, enrolled.text


def _sign_in(http: httpx.Client, password: str = "county-pass-1") -> dict[str, str]:
    answer = http.post(LOGIN, json={"name": "县社保", "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def test_signing_out_ends_the_session(officer: Server) -> None:
    with httpx.Client(base_url=officer.base) as http:
        token = _sign_in(http)
        assert http.get(f"{p.API}/staff/villages", headers=token).status_code == 200
        out = http.post(f"{p.API}/staff/logout", headers=token)
        assert out.status_code == 200 and out.json()["message"] == "已退出登录"
        again = http.get(f"{p.API}/staff/villages", headers=token)
        assert again.status_code == 401 and again.json()["code"] == "bad_token"
        assert http.post(f"{p.API}/staff/logout", headers=token).status_code == 401


def test_changing_the_password_ends_the_other_sessions(officer: Server) -> None:
    with httpx.Client(base_url=officer.base) as http:
        here, elsewhere = _sign_in(http), _sign_in(http)
        wrong = http.post(f"{p.API}/staff/password", headers=here,
                          json={"old_password": "not-it-at-all", "new_password": "county-pass-2"})
        assert wrong.status_code == 401 and wrong.json()["message"] == "原密码不对"
        short = http.post(f"{p.API}/staff/password", headers=here,
                          json={"old_password": "county-pass-1", "new_password": "short"})
        assert short.status_code == 400 and short.json()["code"] == "weak_password"
        changed = http.post(f"{p.API}/staff/password", headers=here,
                            json={"old_password": "county-pass-1", "new_password": "county-pass-2"})
        assert changed.status_code == 200, changed.text
        assert http.get(f"{p.API}/staff/villages", headers=here).status_code == 200
        assert http.get(f"{p.API}/staff/villages", headers=elsewhere).status_code == 401
        assert http.post(LOGIN, json={"name": "县社保", "password": "county-pass-1"}).status_code == 401
        _sign_in(http, "county-pass-2")
        anonymous = http.post(f"{p.API}/staff/password", json={"old_password": "x", "new_password": "county-pass-3"})
        assert anonymous.status_code == 401


# -- a flood of sign-ins against the real server process ----------------------------------------

@pytest.fixture
def county(tmp_path: Path) -> Iterator[str]:
    db = str(tmp_path / "county.sqlite3")
    assert server_cmd(db, "init")[0] == 0
    assert server_cmd(db, "user", "add", "--name", "县社保", "--role", "county", stdin="county-pass-1\n")[0] == 0
    port = free_port()
    proc: subprocess.Popen[bytes] = start_server(db, port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def test_twenty_parallel_sign_ins_do_not_starve_the_receipt_page(county: str) -> None:
    receipt_page_times(county, 3)  # warm up
    bare = statistics.median(receipt_page_times(county, 10))
    flood = Flood(county, 20, 25)
    time.sleep(1)  # the flood is under way
    loaded = receipt_page_times(county, seconds=4)
    answered = len(flood.answered)
    flood.end()
    assert answered >= 5  # the sign-ins were being answered (each a scrypt) while the page was timed
    print(f"receipt page: bare {bare * 1000:.0f} ms, under 20 sign-ins median {statistics.median(loaded) * 1000:.0f} ms,"
          f" worst {max(loaded) * 1000:.0f} ms")
    # Before (scrypt inside a write transaction the page waited for): on this machine the median
    # went from 4 ms to 774 ms (the issue saw 11.6 s); now it stays within a few times bare. The
    # bound leaves room for a busy shared machine and still fails the old code.
    median = statistics.median(loaded)
    assert median < max(0.25, 25 * bare) and max(loaded) < 5.0, (bare, loaded)


def test_sign_ins_past_the_queue_for_scrypt_are_told_to_come_back(officer: Server,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from sync.server import staff_auth

    monkeypatch.setattr(staff_auth, "MAX_WAITING", 0)  # the queue is full
    with httpx.Client(base_url=officer.base) as http:
        answer = http.post(LOGIN, json={"name": "县社保", "password": "county-pass-1"})
    assert answer.status_code == 503 and answer.json()["code"] == "busy"
    assert answer.json()["message"] == "服务器繁忙，请稍后重试"


def test_the_administrator_resets_a_forgotten_password_and_its_sessions_end(officer: Server) -> None:
    with httpx.Client(base_url=officer.base) as http:
        token = _sign_in(http)
        assert server_cmd(officer.url, "user", "password", "--name", "县社保", stdin="short\n") == (
            1, "daishou-server: 密码至少 8 位（weak_password）\n")
        assert server_cmd(officer.url, "user", "password", "--name", "无此人", stdin="county-pass-9\n")[0] == 1
        code, out = server_cmd(officer.url, "user", "password", "--name", "县社保", stdin="county-pass-9\n")
        assert code == 0 and "其登录已全部退出" in out, out
        assert http.get(f"{p.API}/staff/villages", headers=token).status_code == 401
        assert http.post(LOGIN, json={"name": "县社保", "password": "county-pass-1"}).status_code == 401
        _sign_in(http, "county-pass-9")

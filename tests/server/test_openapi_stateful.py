"""A stateful schemathesis run that uploads: desks enrol through the described /enrol, then send
their ledgers in signed batches through the described /batches, honest or as an insider would
change them (a replay, a gap, an entry edited without or with its hash made again, a batch signed
by another key, a forked ledger), with schemathesis' own generated uploads and state reads in
between. A model of what each desk has had accepted says what every answer must be; no answer
is ever a server error, and every refusal names its reason."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import orjson
import schemathesis
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, rule
from schemathesis.checks import not_a_server_error

from app.domain.canonical import canonical_json
from sync import protocol as p
from sync.server import service
from sync.server.db import session
from tests.server.conftest import county_at_import
from tests.server.signed_days import batch, day

app = county_at_import("daishou-stateful-")
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
ENROL, BATCHES, STATE = schema[p.ENROL]["POST"], schema[p.BATCHES]["POST"], schema[p.STATE]["GET"]
RECEIPTS = 30  # a desk's ledger: set-up, 30 receipts, the settlement


@dataclass
class Desk:
    device_id: str
    token: str
    key: Ed25519PrivateKey
    ledger: list[p.Entry]
    held: int = 0  # how far the county holds this desk's ledger (the model)
    forks: int = 0
    sent: list[tuple[int, int]] = field(default_factory=list)  # accepted ranges


def _answer(case: schemathesis.Case[Any], response: Any) -> dict[str, Any]:
    case.validate_response(response, checks=[not_a_server_error])
    assert response.status_code < 500, (case.path, response.status_code, response.text[:300])
    body: dict[str, Any] = response.json()
    if response.status_code >= 400 and body.get("status") != "conflict":  # every refusal names its reason
        assert body.get("code") and body.get("message"), body
    return body


def _rechained(entries: list[p.Entry], change: dict[str, Any] | None = None) -> list[p.Entry]:
    """The entries with the first one's data changed by `change` and every hash made again from
    the first one's predecessor: a whole chain, as an insider with the desk's file makes it."""
    prev, out = entries[0].prev_hash, []
    for n, e in enumerate(entries):
        body = e.body
        if n == 0 and change is not None:
            whole = orjson.loads(body)
            whole["data"] |= change
            body = canonical_json(whole)
        digest = hashlib.sha256((prev + body).encode()).hexdigest()
        out.append(e.model_copy(update={"body": body, "prev_hash": prev, "hash": digest}))
        prev = digest
    return out


class Uploads(RuleBasedStateMachine):
    desks = Bundle("desks")
    enrolled = 0  # desks enrolled in this module's county: each in a village of its own

    @initialize(target=desks, size=st.integers(3, 20))
    def first_desk(self, size: int) -> Desk:
        """A desk that has synced before: its set-up and first receipts are held."""
        desk = self._enrol()
        self.upload(desk, size)
        return desk

    @rule(target=desks)
    def another_desk(self) -> Desk:
        return self._enrol()

    def _enrol(self) -> Desk:
        Uploads.enrolled += 1
        village = f"341824{100 + Uploads.enrolled // 90:03d}{201 + Uploads.enrolled % 90:03d}"
        with session(app.state.engine) as s:  # the county prints a one-time code for the desk
            code = service.issue_enrolment_code(s, village, 1)
        key = Ed25519PrivateKey.generate()
        case = ENROL.Case(body={"code": code, "public_key": p.b64(key.public_key().public_bytes_raw())})
        answer = _answer(case, case.call())
        # every desk's receipts are for the same people: the county flags them, never refuses
        ledger = day(village, 1, RECEIPTS, person=lambda _v, n: f"34182419500101{n:04d}")
        return Desk(answer["device_id"], answer["token"], key, ledger)

    def _send(self, desk: Desk, sent: p.Batch) -> tuple[int, dict[str, Any]]:
        case = BATCHES.Case(body=orjson.loads(sent.model_dump_json()),
                            headers={"Authorization": f"Bearer {desk.token}"})
        response = case.call()
        return response.status_code, _answer(case, response)

    @rule(desk=desks, size=st.integers(1, 20))
    def upload(self, desk: Desk, size: int) -> None:
        if desk.held == len(desk.ledger):
            return
        entries = desk.ledger[desk.held:desk.held + size]
        status, body = self._send(desk, batch(desk.device_id, desk.key, entries))
        assert (status, body["status"], body["held_seq"]) == (200, "accepted", entries[-1].seq), body
        desk.sent.append((entries[0].seq, entries[-1].seq))
        desk.held = entries[-1].seq

    @rule(desk=desks, which=st.integers(0, 100))
    def replay(self, desk: Desk, which: int) -> None:
        if not desk.sent:
            return
        first, last = desk.sent[which % len(desk.sent)]
        status, body = self._send(desk, batch(desk.device_id, desk.key, desk.ledger[first - 1:last]))
        assert (status, body["status"], body["held_seq"]) == (200, "already_held", desk.held), body

    @rule(desk=desks, skip=st.integers(1, 5))
    def gap(self, desk: Desk, skip: int) -> None:
        start = desk.held + skip
        if start >= len(desk.ledger):
            return
        status, body = self._send(desk, batch(desk.device_id, desk.key, desk.ledger[start:start + 3]))
        assert (status, body["code"], body["seq"]) == (409, "gap", desk.held + 1), body

    @rule(desk=desks, change=st.sampled_from([
        {"total_fen": -5_000_000}, {"total_fen": 10**20}, {"total_fen": 40000.5}, {"village_code": "341824199999"},
        {"number": "341824199999-01-000001"}, {"lines": []}, {"receipt_seq": 99}]), rehash=st.booleans())
    def edited_receipt(self, desk: Desk, change: dict[str, Any], rehash: bool) -> None:
        """The next receipt edited: without its hash made again the chain names it; with it, the
        rules the desk and the county keep."""
        start = next((n for n in range(desk.held, len(desk.ledger)) if desk.ledger[n].kind == "receipt"), None)
        if start is None:
            return
        entries = desk.ledger[desk.held:start + 2]
        if rehash:
            entries = [*entries[:start - desk.held], *_rechained(entries[start - desk.held:], change)]
        else:
            edited = orjson.loads(entries[start - desk.held].body)
            edited["data"] |= change
            entries[start - desk.held] = entries[start - desk.held].model_copy(
                update={"body": canonical_json(edited)})
        status, body = self._send(desk, batch(desk.device_id, desk.key, entries))
        assert status in (400, 422) and body["seq"] == start + 1, body
        assert rehash or body["code"] == "bad_hash", body

    @rule(desk=desks)
    def signed_by_another_key(self, desk: Desk) -> None:
        if desk.held == len(desk.ledger):
            return
        status, body = self._send(desk, batch(desk.device_id, Ed25519PrivateKey.generate(),
                                              desk.ledger[desk.held:desk.held + 2]))
        assert (status, body["code"]) == (400, "bad_signature"), body

    @rule(desk=desks, at=st.integers(0, 100))
    def forked(self, desk: Desk, at: int) -> None:
        """A held entry changed and every hash after it made again (the ledger rewritten)."""
        if desk.held < 3 or desk.forks >= 5:
            return
        start = 2 + at % (desk.held - 2)  # a receipt or the settlement, never the set-up
        entries = _rechained(desk.ledger[start:desk.held], {"agent": "改过的人"})
        status, body = self._send(desk, batch(desk.device_id, desk.key, entries))
        assert (status, body["status"], body["held_seq"]) == (409, "conflict", desk.held), body
        desk.forks += 1

    @rule(desk=desks, case=BATCHES.as_strategy())
    def generated_upload(self, desk: Desk, case: schemathesis.Case[Any]) -> None:
        """What schemathesis makes of the described batch, sent with a real desk's token."""
        _answer(case, case.call(headers={"Authorization": f"Bearer {desk.token}"}))

    @rule(desk=desks)
    def state(self, desk: Desk) -> None:
        case = STATE.Case(headers={"Authorization": f"Bearer {desk.token}"})
        assert _answer(case, case.call())["held_seq"] == desk.held


Uploads.TestCase.settings = settings(max_examples=20, stateful_step_count=16, deadline=None,
                                     suppress_health_check=list(HealthCheck))
test_uploads_never_make_the_server_fail = Uploads.TestCase

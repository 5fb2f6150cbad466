"""The desk's sync client: enrol once, then send settled days up and take what the county sends
down. Safe to kill at any point: what the server holds is only recorded locally from its signed
answer, and sending a batch again is `already_held` on the server, never a second copy."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.services.desk import Desk
from app.services.errors import DaishouError, Refused
from app.services.sealing import seal_export
from app.services.sync_state import Ack
from app.training import REFUSAL as TRAINING_REFUSAL
from app.training import is_training
from app.version import version
from sync import protocol as p
from sync import usb_key
from sync.client_lists import apply_debit_lists
from sync.keys import DeviceSecrets
from sync.messages import KIND_LABELS, MESSAGES, SyncError, refused
from sync.usb_file import Binding, UsbFile

MAX_BATCH = 2000  # entries per request: a township season is sent in pieces, each acknowledged


@dataclass
class SyncReport:
    sent: list[list[int]] = field(default_factory=list)  # [first, last] of each accepted batch
    held: int = 0  # the newest sequence the county holds
    received: dict[str, Any] = field(default_factory=dict)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    open_state: str = ""  # "stored", or why the county did not take this desk's open state

    def to_json(self) -> dict[str, Any]:
        return {"sent": self.sent, "held": self.held, "received": self.received, "conflicts": self.conflicts,
                "open_state": self.open_state}


def _raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


class SyncClient:
    def __init__(self, desk: Desk, *, server: str | None = None, transport: httpx.BaseTransport | None = None,
                 timeout: float = 30, retries: int = 3, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.desk = desk
        self.secrets = DeviceSecrets(desk.home)
        state = desk.sync.state()
        self.server = (server or state.get("server_url") or "").rstrip("/")
        self._transport, self._timeout, self._retries, self._sleep, self._clock = (
            transport, timeout, retries, sleep, clock)
        self._http: httpx.Client | None = None  # the round's connection, while one is open
        self.export_note: str | None = None  # why the last USB file is not sealed (app/services/sealing.py)

    @contextmanager
    def _connection(self) -> Iterator[httpx.Client]:
        """One HTTP client (its TLS context and its kept-alive connection) for a whole round.
        Building a client loads the system's certificates: 25 ms of CPU here, more on an old
        laptop, for every request when each made its own."""
        if self._http is not None:
            yield self._http
            return
        with httpx.Client(base_url=self.server, timeout=self._timeout, transport=self._transport) as http:
            self._http = http
            try:
                yield http
            finally:
                self._http = None

    # -- enrolment ---------------------------------------------------------------------------

    def enrol(self, code: str) -> p.EnrolResponse:
        self._refuse_training()
        if not self.server:
            raise SyncError("not_enrolled", "请填写县级服务器地址")
        self.secrets.check()  # before the county spends the one-time code on this PC
        key = Ed25519PrivateKey.generate()
        response = self._request("POST", p.ENROL, json=p.EnrolRequest(code=code, public_key=p.b64(_raw_public(key)))
                                 .model_dump(), token=None)
        answer = p.EnrolResponse.model_validate(response.json())
        local = self.desk.sync.device_id()
        if answer.device_id != local:
            raise Refused(f"这个注册码属于设备 {answer.device_id}，本机是 {local}：请向县里核对村代码和设备号")
        self.secrets.save(key, answer.token)  # raises NoKeyring where there is none: nothing kept
        self.desk.sync.update(server_url=self.server, device_id=answer.device_id,
                              server_public_key=answer.server_public_key, enrolled_at=self._clock().isoformat())
        return answer

    # -- the whole round ---------------------------------------------------------------------

    def run(self) -> SyncReport:
        with self._connection():
            return self._run()

    def _run(self) -> SyncReport:
        key, token = self._credentials()
        report = SyncReport()
        state = p.DeviceState.model_validate(self._request("GET", p.STATE, token=token).json())
        report.open_state = self.report_open_state(key, token)  # first: a forked or refused upload still reports
        if state.held_seq > self.desk.sync.newest():
            raise SyncError("server_ahead", f"县里已保存本机日志到第 {state.held_seq} 条，本机文件却只有 "
                                            f"{self.desk.sync.newest()} 条：已上传的记录在本机被删除了。"
                                            "已停止同步，请联系乡镇社保所核对")
        if state.held_seq and self.desk.sync.hash_at(state.held_seq) != state.held_hash:
            # A forked ledger (this PC set up anew, or its file rewritten): the county keeps what
            # it holds and records this copy as a conflict for township staff to look into.
            first, last = 1, min(self.desk.sync.newest(), MAX_BATCH)
            response = self._request("POST", p.BATCHES, content=self.build_batch(key, first, last).model_dump_json(),
                                     token=token, ok=(200, 409))
            result = p.BatchResult.model_validate(response.json())
            report.conflicts.append({"first_seq": first, "conflict_id": result.conflict_id, "message": result.message})
            raise SyncError("conflict", result.message)
        if state.ack is not None:
            self.desk.sync.keep_ack(_ack(state.ack))
        held = state.held_seq
        known = frozenset(state.kinds) if state.kinds is not None else p.FIRST_KINDS
        self.desk.sync.update(server_kinds=sorted(known))  # for a USB export made offline later
        while (span := self.desk.sync.pending(held)) is not None:
            batch = self._known_part(key, span[0], min(span[1], span[0] + MAX_BATCH - 1), known,
                                     f"已上传到第 {held} 条后暂停，请县里升级服务器后再同步")
            first, last = batch.from_seq, batch.to_seq
            response = self._request("POST", p.BATCHES, content=batch.model_dump_json(), token=token,
                                     ok=(200, 409))
            result = p.BatchResult.model_validate(response.json())
            if result.status is p.BatchStatus.CONFLICT:
                report.conflicts.append({"first_seq": first, "conflict_id": result.conflict_id,
                                         "message": result.message})
                raise SyncError("conflict", result.message)
            assert result.ack is not None
            self.desk.sync.keep_ack(_ack(result.ack))
            if result.status is p.BatchStatus.ACCEPTED:
                report.sent.append([first, last])
            held = result.held_seq
        report.held = held
        report.received = self.pull(token)
        self.desk.sync.update(last_sync=self._clock().isoformat(timespec="seconds"))
        return report

    def open_state(self, key: Ed25519PrivateKey) -> p.OpenState:
        """This desk's open state, signed (app/services/open_state.py gathers it)."""
        from app.services.open_state import open_state

        found = open_state(self.desk)
        unsigned = p.OpenState(device_id=self.desk.sync.device_id(),
                               reported_at=self._clock().isoformat(timespec="microseconds"),  # two attempts in one second are still in order
                               open_since=found.open_since.isoformat() if found.open_since else None,
                               open_days=found.open_days, open_receipts=found.open_receipts,
                               open_cash_fen=found.open_cash_fen, held_fen=found.held_fen,
                               held_since=found.held_since.isoformat() if found.held_since else None,
                               newest_seq=found.newest_seq, signature="")
        return unsigned.model_copy(update={"signature": p.b64(key.sign(p.open_state_signing_bytes(unsigned)))})

    def report_open_state(self, key: Ed25519PrivateKey, token: str) -> str:
        """Send the open state; never stops the round (cash still goes up when the county's
        server predates the endpoint, 404, or refuses the report): says what happened instead."""
        try:
            response = self._request("POST", p.OPEN_STATE, content=self.open_state(key).model_dump_json(),
                                     token=token, ok=(200, 404))
        except SyncError as exc:
            if exc.code in ("unreachable", "token_refused", "clock_off"):
                raise
            return f"县里没有收下本机的未日结情况：{exc}"
        if response.status_code == 404:
            return "县服务器版本较旧，不接收未日结情况"
        return "stored"

    def _known_part(self, key: Ed25519PrivateKey, first: int, last: int, known: frozenset[str],
                    stopped: str) -> p.Batch:
        """The signed batch of first..last, cut before the first entry of a kind the county server
        does not know (it would refuse the whole batch); none of it known: SyncError saying so."""
        batch = self.build_batch(key, first, last)
        stop = next((e for e in batch.entries if e.kind not in known), None)
        if stop is None:
            return batch
        if stop.seq == first:
            raise SyncError("server_too_old", f"县服务器版本较旧，还不认识本机的"
                                              f"「{KIND_LABELS.get(stop.kind, stop.kind)}」记录：{stopped}")
        return self.build_batch(key, first, stop.seq - 1)

    def build_batch(self, key: Ed25519PrivateKey, first: int, last: int) -> p.Batch:
        rows = self.desk.sync.entries(first, last)
        entries = [p.Entry(seq=a, kind=b, recorded_at=c, body=d, prev_hash=e, hash=f) for a, b, c, d, e, f in rows]
        device_id = self.desk.sync.device_id()
        prev = entries[0].prev_hash
        sig = key.sign(p.batch_signing_bytes(device_id, first, last, prev, entries))
        return p.Batch(device_id=device_id, from_seq=first, to_seq=last, prev_hash=prev, entries=entries,
                       signature=p.b64(sig), program_version=version())

    def pull(self, token: str) -> dict[str, Any]:
        """What the county sends down; 入库 confirmations are kept for the window and reports."""
        state = self.desk.sync.state()
        seen = state.get("received", {})
        params = {"roster_version": seen.get("roster_version", 0), "payments_after": seen.get("payments_after", 0),
                  "confirmations_after": seen.get("confirmations_after", 0),
                  "debit_lists_after": seen.get("debit_lists_after", 0)}
        if seen.get("config_sha256"):
            params["config_sha256"] = seen["config_sha256"]
        changes = p.Changes.model_validate_json(self._request("GET", p.CHANGES, token=token, params=params).content)
        applied: dict[str, Any] = {}
        if changes.config is not None and changes.config_sha256:
            self.desk.setup.import_config(changes.config, county_signature=changes.config_signature or "")
            seen["config_sha256"] = changes.config_sha256
            applied["config"] = changes.config_sha256
        if changes.roster is not None:
            result = self.desk.roster.import_county(changes.roster.village_code, changes.roster.version,
                                                    changes.roster.rows, changes.roster.signature)
            seen["roster_version"] = changes.roster.version
            applied["roster"] = {"version": changes.roster.version, "imported": result.imported,
                                 "updated": result.updated, "removed": result.removed,
                                 "rejected": result.rejected_rows}
        if changes.payments:
            seen["payments_after"] = max(x.id for x in changes.payments)
        if changes.debit_lists:  # after the roster: its rows are checked against the roster just taken
            applied["debit_lists"] = apply_debit_lists(self.desk, changes.debit_lists)
            seen["debit_lists_after"] = max(x.id for x in changes.debit_lists)
        self.desk.sync.update(received=seen)
        confirmed = dict(state.get("confirmations", {}))
        for c in changes.confirmations:
            confirmed[c.slip_no] = {"amount_fen": c.amount_fen, "confirmed_on": c.confirmed_on}
        if changes.confirmations:
            seen["confirmations_after"] = max(c.id for c in changes.confirmations)
        self.desk.sync.update(confirmations=confirmed, received=seen)
        return {"confirmations": [c.slip_no for c in changes.confirmations],
                "payments": len(changes.payments), **applied}

    def export(self, out: Path, *, code: str | None = None) -> tuple[int, int] | None:
        """The same signed batches as sync would send, from after what the county last
        acknowledged, written for a USB stick; None when nothing is ready. A desk that is not
        enrolled online signs with its USB key, bound once with the county's code (`code`)."""
        key, binding = self._export_key(code)
        ack = self.desk.sync.state().get("ack") or {}
        span = self.desk.sync.pending(int(ack.get("seq", 0)))
        if span is None:
            return None
        # What the county's server knew at the last sync (nothing known: a village never online
        # sends everything, and an older server's refusal names the kind).
        kinds = self.desk.sync.state().get("server_kinds")
        known = frozenset(kinds) if kinds else None
        batches: list[p.Batch] = []
        first, last = span
        while first <= last:
            end = min(last, first + MAX_BATCH - 1)
            if known is None:
                batch = self.build_batch(key, first, end)
            else:
                try:
                    batch = self._known_part(key, first, end, known,
                                             f"已导出到第 {first - 1} 条为止，请县里升级服务器后再导出")
                except SyncError:
                    if not batches:
                        raise
                    break  # the earlier pieces go; the rest waits for the county's upgrade
            batches.append(batch)
            if batch.to_seq < end:
                break  # cut before a kind the county does not know
            first = end + 1
        tmp = out.with_name(out.name + ".part")
        tmp.unlink(missing_ok=True)
        tmp.touch(mode=0o600)  # the village's names and amounts: for the county, not whoever finds the stick
        tmp.write_text(UsbFile(binding=binding, batches=batches).model_dump_json(), encoding="utf-8")
        self.export_note = seal_export(self.desk.home, self._recipients(), tmp, out)
        return batches[0].from_seq, batches[-1].to_seq

    def _recipients(self) -> dict[str, str]:
        try:
            return self.desk.setup.config.recipients
        except DaishouError:
            return {}

    def usb_ready(self, code: str | None = None) -> str:
        """Before the agent picks where to write: raises SyncError (or BadUsbCode) saying what
        to type when the desk has no key the county could know; returns the device id."""
        self._export_key(code)
        return self.desk.sync.device_id()

    def _export_key(self, code: str | None) -> tuple[Ed25519PrivateKey, Binding | None]:
        """The enrolled key (keyring) when this desk enrolled online; else its USB key, bound
        with the county's code the first time."""
        self._refuse_training()  # the practice village never reaches the county, online or on a stick
        if self.server:
            from keyring.errors import KeyringError

            try:
                found = self.secrets.load()
            except (Refused, KeyringError):  # no usable (or a locked) keyring: the USB key below
                found = None
            if found is not None:
                return found[0], None
        if code:
            usb_key.bind(self.desk, code)
        held = usb_key.bound(self.desk)
        if held is None:
            raise SyncError("usb_not_bound", MESSAGES["usb_not_bound"])
        return held

    # -- the wire ----------------------------------------------------------------------------

    def _refuse_training(self) -> None:
        if is_training(self.desk.home):  # the practice village never reaches the county
            raise SyncError("training", TRAINING_REFUSAL)

    def _credentials(self) -> tuple[Ed25519PrivateKey, str]:
        self._refuse_training()  # before every round and every USB export
        if not self.server:
            raise SyncError("not_enrolled", MESSAGES["not_enrolled"])
        found = self.secrets.load()
        if found is None:
            raise SyncError("not_enrolled", MESSAGES["not_enrolled"])
        return found

    def _request(self, method: str, path: str, *, token: str | None, ok: tuple[int, ...] = (200,),
                 **kwargs: Any) -> httpx.Response:
        headers = {"Content-Type": "application/json"} if "content" in kwargs else {}
        headers[p.VERSION_HEADER] = version()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        delay = 0.5
        for attempt in range(self._retries):
            try:
                with self._connection() as http:
                    response = http.request(method, path, headers=headers, **kwargs)
            except httpx.HTTPError as exc:
                if attempt + 1 == self._retries:
                    raise SyncError("unreachable", MESSAGES["unreachable"].format(detail=type(exc).__name__)) from None
                self._sleep(delay)
                delay *= 2
                continue
            self._check_clock(response)
            if response.status_code in ok:
                return response
            if response.status_code >= 500 and attempt + 1 < self._retries:
                self._sleep(delay)
                delay *= 2
                continue
            raise refused(response)
        raise AssertionError("unreachable")

    def _check_clock(self, response: httpx.Response) -> None:
        told = response.headers.get(p.TIME_HEADER)
        if not told:
            return
        server = datetime.fromisoformat(told)
        skew = abs((self._clock() - server).total_seconds())
        if skew > p.MAX_CLOCK_SKEW_SECONDS:
            raise SyncError("clock_off", f"本机时间与县级服务器相差 {int(skew // 60)} 分钟：请先把电脑的日期和时间"
                                         "调准（误差不超过5分钟），再同步")


def _ack(a: p.Ack) -> Ack:
    return Ack(a.device_id, a.seq, a.hash, a.signed_at, a.signature)

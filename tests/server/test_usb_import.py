"""A village with no network and no OS keyring gets its settled days to the county on a USB stick:
the desk binds its own key with the county's 16-character code, `daishou-server import` binds it
on the first file as an online enrolment would, and the county's overview shows the cash. Every
file an attacker could bring instead is refused with a named code, and nothing of it is stored.
On SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import func, select

from app.cli import main
from app.cli.common import Context
from app.domain.records import UserInfo
from app.services.desk import Desk
from sync import protocol as p
from sync.client import SyncClient
from sync.messages import SyncError
from sync.server import cli as server_cli
from sync.server import models as m
from sync.server import service
from sync.usb_file import binding_proof
from tests.core.test_receipts import med
from tests.factories import AYGUL, ZHANG, ZHANG_WIFE, FakeClock
from tests.server.conftest import Server
from tests.server.test_review_api import county_today, sign_in  # noqa: F401 (county_today: autouse)

DEVICE = "341824100201-01"


@pytest.fixture(autouse=True)
def no_keyring() -> Iterator[None]:
    """The village PC has no OS keyring: the desk must not need one to reach the county."""
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def county(server: Server, *argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = server_cli.main(["--db", server.url, *argv], stdout=out, stderr=err)
    return code, out.getvalue() + err.getvalue()


def usb_code(server: Server, village: str = "341824100201", device_no: str = "1") -> str:
    code, out = county(server, "device", "enrol", "--village-code", village, "--device-no", device_no, "--usb")
    assert code == 0, out
    return out.strip()


def desk_cli(desk: Desk, clock: FakeClock, *argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--home", str(desk.home), *argv],
                context=Context(stdin=io.StringIO(), stdout=out, stderr=err, clock=clock))
    return code, out.getvalue() + err.getvalue()


def a_settled_day(desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock, *people: str) -> int:
    for person in people:
        desk.receipts.record(agent, [med(person)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000 * len(people))
    return 40000 * len(people)


def stored(server: Server) -> tuple[int, int, str | None, int]:
    """Entries held, conflicts kept, the device's bound key, codes used: what a refusal must not change."""
    with server.session() as s:
        entries = int(s.exec(select(func.count()).select_from(m.Entry)).one())
        conflicts = int(s.exec(select(func.count()).select_from(m.Conflict)).one())
        device = s.get(m.Device, DEVICE)
        used = len([c for c in s.exec(select(m.EnrolmentCode)).all() if c.used_at is not None])
        return entries, conflicts, device.public_key if device else None, used


def test_desk_to_usb_file_to_county_import_to_overview(server: Server, desk: Desk, agent: UserInfo, head: UserInfo,
                                                       clock: FakeClock, tmp_path: Path) -> None:
    collected = a_settled_day(desk, agent, head, clock, ZHANG, ZHANG_WIFE)
    stick = tmp_path / "U盘"
    stick.mkdir()
    # Not enrolled, no keyring: the desk says what to type, and writes nothing.
    code, said = desk_cli(desk, clock, "export", "--out", str(stick / "a.json"))
    assert code == 1 and "U盘注册码" in said and "daishou" not in said.split("：", 1)[1]
    assert not (stick / "a.json").exists()
    # An 8-character online code is refused at the desk (80 bits are what stand against guessing offline).
    with server.session() as s:
        short = service.issue_enrolment_code(s, "341824100201", 1)
    code, said = desk_cli(desk, clock, "export", "--out", str(stick / "a.json"), "--code", short)
    assert code == 1 and "16位" in said and not (stick / "a.json").exists()

    typed = usb_code(server)
    assert len(typed) == 19 and typed.count("-") == 3  # XXXX-XXXX-XXXX-XXXX, as printed
    code, said = desk_cli(desk, clock, "export", "--out", str(stick / "a.json"), "--code", typed.lower())
    assert code == 0, said
    text = (stick / "a.json").read_text(encoding="utf-8")
    assert typed.replace("-", "") not in text.upper()  # the code never travels on the stick
    assert oct((desk.home / "usb-signing-key.pem").stat().st_mode & 0o777) == "0o600"

    code, said = county(server, "import", str(stick / "a.json"))
    assert code == 0 and '"status": "accepted"' in said, said
    assert stored(server)[0] == desk.sync.newest() and stored(server)[2] is not None

    # The next days: no code typed again, the bound key signs.
    clock.advance(days=1)
    collected += a_settled_day(desk, agent, head, clock, AYGUL)
    code, said = desk_cli(desk, clock, "export", "--out", str(stick / "b.json"))
    assert code == 0, said
    code, said = county(server, "import", str(stick / "b.json"))
    assert code == 0 and '"status": "accepted"' in said, said
    assert stored(server)[0] == desk.sync.newest()

    with server.session() as s:
        service.add_staff(s, "县社保", "county", "county-pass-1", None)
    with httpx.Client(base_url=server.base) as http:
        rows = {r["code"]: r for r in http.get(f"{p.API}/staff/overview",
                                                headers=sign_in(http, "县社保", "county-pass-1")).json()}
    mine = rows["341824100201"]
    assert (mine["receipts"], mine["collected_fen"], mine["settled_fen"]) == (3, collected, collected)


@pytest.fixture
def usb_file(server: Server, desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock,
             tmp_path: Path) -> Path:
    a_settled_day(desk, agent, head, clock, ZHANG)
    out = tmp_path / "stick.json"
    SyncClient(desk).export(out, code=usb_code(server))
    return out


def forged(path: Path, change: object) -> Path:
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)  # type: ignore[operator]
    out = path.with_name("forged.json")
    out.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return out


def refused(server: Server, path: Path, code: str) -> None:
    before = stored(server)
    status, said = county(server, "import", str(path))
    assert status == 1 and f"（{code}）" in said, said
    assert stored(server) == before


def test_a_file_bound_with_another_villages_code_is_refused(server: Server, desk: Desk, agent: UserInfo,
                                                            head: UserInfo, clock: FakeClock, tmp_path: Path) -> None:
    a_settled_day(desk, agent, head, clock, ZHANG)
    usb_code(server)  # this village's device is registered, with its own code
    out = tmp_path / "other.json"
    SyncClient(desk).export(out, code=usb_code(server, village="341824100202"))  # the neighbour's code
    refused(server, out, "bad_code")


def test_another_villages_records_under_this_device_are_refused(server: Server, usb_file: Path) -> None:
    def other_device(doc: dict) -> None:  # type: ignore[type-arg]
        for batch in doc["batches"]:
            batch["device_id"] = "341824100202-01"
    usb_code(server, village="341824100202")
    refused(server, forged(usb_file, other_device), "wrong_device")


def test_a_replayed_file_stores_nothing_twice_and_a_reused_code_binds_no_second_key(
        server: Server, usb_file: Path, tmp_path: Path) -> None:
    assert county(server, "import", str(usb_file))[0] == 0
    before = stored(server)
    status, said = county(server, "import", str(usb_file))
    assert status == 0 and '"status": "already_held"' in said and stored(server) == before
    # A second PC set up as the same device, binding a new key with the code already spent.
    doc = json.loads(usb_file.read_text(encoding="utf-8"))
    second = tmp_path / "second"
    with server.session() as s:
        spent = s.exec(select(m.EnrolmentCode).where(m.EnrolmentCode.used_at.is_not(None))).one()  # type: ignore[union-attr]
        sha = spent.code_sha256
    key = Ed25519PrivateKey.generate()
    public = base64.b64encode(key.public_key().public_bytes(serialization.Encoding.Raw,
                                                            serialization.PublicFormat.Raw)).decode()
    doc["binding"] = {"device_id": DEVICE, "public_key": public, "proof": binding_proof(sha, DEVICE, public)}
    for batch in doc["batches"]:
        entries = [p.Entry.model_validate(e) for e in batch["entries"]]
        batch["signature"] = p.b64(key.sign(p.batch_signing_bytes(
            DEVICE, batch["from_seq"], batch["to_seq"], batch["prev_hash"], entries)))
    second.write_text(json.dumps(doc), encoding="utf-8")
    refused(server, second, "code_used")


def test_a_tampered_file_is_refused(server: Server, usb_file: Path) -> None:
    def more_cash(doc: dict) -> None:  # type: ignore[type-arg]
        entry = doc["batches"][0]["entries"][-1]
        entry["body"] = entry["body"].replace("40000", "4000")
    refused(server, forged(usb_file, more_cash), "bad_hash")


def test_a_file_signed_by_a_key_the_county_never_bound_is_refused(server: Server, usb_file: Path) -> None:
    usb_code(server)
    refused(server, forged(usb_file, lambda doc: doc.update(binding=None)), "unknown_key")
    assert county(server, "import", str(usb_file))[0] == 0  # the genuine file binds its key
    def resigned(doc: dict) -> None:  # type: ignore[type-arg]
        key = Ed25519PrivateKey.generate()
        doc["binding"] = None
        for batch in doc["batches"]:
            entries = [p.Entry.model_validate(e) for e in batch["entries"]]
            batch["signature"] = p.b64(key.sign(p.batch_signing_bytes(
                DEVICE, batch["from_seq"], batch["to_seq"], batch["prev_hash"], entries)))
    refused(server, forged(usb_file, resigned), "unknown_key")


def test_an_expired_code_binds_nothing(server: Server, desk: Desk, agent: UserInfo, head: UserInfo,
                                       clock: FakeClock, tmp_path: Path) -> None:
    a_settled_day(desk, agent, head, clock, ZHANG)
    code, said = county(server, "device", "enrol", "--village-code", "341824100201", "--device-no", "1", "--usb",
                        "--hours", "0.0001")
    out = tmp_path / "late.json"
    SyncClient(desk).export(out, code=said.strip())
    time.sleep(0.5)
    refused(server, out, "code_expired")


def test_without_a_bound_key_or_code_the_export_says_what_to_do(desk: Desk, tmp_path: Path) -> None:
    with pytest.raises(SyncError) as caught:
        SyncClient(desk).export(tmp_path / "x.json")
    assert caught.value.code == "usb_not_bound" and "F6" in str(caught.value)


def test_a_bare_batch_as_older_desks_wrote_it_is_still_read(server: Server, usb_file: Path, tmp_path: Path) -> None:
    assert county(server, "import", str(usb_file))[0] == 0  # binds the key
    bare = tmp_path / "old.json"
    bare.write_text(json.dumps(json.loads(usb_file.read_text(encoding="utf-8"))["batches"][0]), encoding="utf-8")
    status, said = county(server, "import", str(bare))
    assert status == 0 and '"status": "already_held"' in said, said
    (tmp_path / "junk.json").write_text("{\"entries\": 5}", encoding="utf-8")
    refused(server, tmp_path / "junk.json", "bad_file")

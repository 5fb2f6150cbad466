"""The USB file for the county is sealed when the county's public key is configured (issue 26):
the county imports it with its key file; without the key, or with another, it is refused by name;
a finder of the stick reads nothing. Without the county's key the file stays readable for the
county and the desk says what that means."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyrage

from app.cli import main
from app.cli.common import Context
from app.domain.records import UserInfo
from app.services import sealing
from app.services.desk import Desk
from sync.server import cli as server_cli
from tests.core.test_receipts import med
from tests.factories import CONFIG_PATH, ZHANG, FakeClock
from tests.server.conftest import Server
from tests.server.test_sync_flow import enrol, held_entries


def _export(desk: Desk, out: Path, clock: FakeClock) -> str:
    said = io.StringIO()
    assert main(["--home", str(desk.home), "export", "--out", str(out), "--json"],
                context=Context(stdout=said, stderr=said, clock=clock)) == 0, said.getvalue()
    return said.getvalue()


def test_a_sealed_usb_file_is_imported_with_the_county_key_only(server: Server, desk: Desk, agent: UserInfo,
                                                                head: UserInfo, clock: FakeClock,
                                                                tmp_path: Path) -> None:
    county = pyrage.x25519.Identity.generate()
    data = json.loads(CONFIG_PATH.read_text(encoding="utf-8"))
    data["recipients"] = {"county": str(county.to_public())}
    desk.setup.import_config(json.dumps(data, ensure_ascii=False), by=head)
    enrol(desk, server)
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    out = tmp_path / "usb" / "批次.json"
    out.parent.mkdir()
    assert json.loads(_export(desk, out, clock))["note"] is None
    assert sealing.is_sealed(out) and ZHANG.id_number.encode() not in out.read_bytes()
    assert list(out.parent.iterdir()) == [out]  # no clear copy left beside it

    said = io.StringIO()
    assert server_cli.main(["--db", server.url, "import", str(out)], stdout=said, stderr=said) == 1
    assert "give the county's key file" in said.getvalue() and held_entries(server) == 0
    stranger = tmp_path / "stranger.key"
    stranger.write_text(f"{pyrage.x25519.Identity.generate()}\n", encoding="utf-8")
    said = io.StringIO()
    assert server_cli.main(["--db", server.url, "import", str(out), "--key", str(stranger)],
                           stdout=said, stderr=said) == 1
    assert "不是加密给这把密钥的" in said.getvalue() and held_entries(server) == 0
    key = tmp_path / "county.key"
    key.write_text(f"# 县社保中心\n{county}\n", encoding="utf-8")
    said = io.StringIO()
    assert server_cli.main(["--db", server.url, "import", str(out), "--key", str(key)], stdout=said, stderr=said) == 0
    assert '"status": "accepted"' in said.getvalue() and held_entries(server) == desk.sync.newest()


def test_without_the_county_key_the_file_stays_readable_and_the_desk_says_so(
        server: Server, desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock, tmp_path: Path) -> None:
    enrol(desk, server)
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    out = tmp_path / "批次.json"
    answer = json.loads(_export(desk, out, clock))
    assert answer["note"] == sealing.NO_COUNTY_KEY and not sealing.is_sealed(out)

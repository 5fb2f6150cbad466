"""An update over a village's data folder, through to the county (issue 26): the older program
(taken from git) writes three settled days; this program opens the folder, migrates it, and its
first sync sends every entry the old program wrote — signed-less, as that release made them —
and the county holds them whole, with the receipts as numbered then and the next one following."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import col, select

from app.services.desk import Desk
from sync.server import models as m
from tests.server.conftest import Server
from tests.server.test_sync_flow import enrol
from tests.upgrade.test_from_previous_program import old_village


@pytest.mark.slow
def test_an_updated_village_syncs_what_the_older_program_wrote(server: Server, tmp_path: Path) -> None:
    home, before, _written = old_village("previous commit", tmp_path)
    with Desk(home) as desk:  # this program: migrated on opening
        assert desk.verify().ok, desk.verify().reason
        client = enrol(desk, server)
        client.run()
        newest = desk.sync.newest()
        with server.session() as s:
            device = s.exec(select(m.Device)).one()
            assert (device.held_seq, device.held_hash) == (newest, desk.sync.entries(newest, newest)[0][5])
            held = s.exec(select(m.Receipt.number).order_by(col(m.Receipt.number))).all()
        assert list(held) == sorted(before)  # the county holds them as the old program numbered them

        from tests.core.test_receipts import med
        from tests.factories import AYGUL

        agent = desk.users.authenticate("李代收", "1234")  # an old-release user: given a key now
        after = desk.receipts.record(agent, [med(AYGUL)], cash_fen=40000)
        assert after.number == "341824100201-01-000004"
        assert desk.verify().ok

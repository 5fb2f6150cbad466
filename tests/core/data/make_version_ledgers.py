"""Writes `vN-village.sqlite3` for N = 2..8: a small ledger saved by the program of each schema
version, with that version's own code as it last was (the commit before the one that added
`app/storage/schema/v(N+1).sql`).

    for n in 2 3 4 5 6 7 8; do
      c=$(git log --diff-filter=A --format=%h -1 -- app/storage/schema/v$((n + 1)).sql)
      mkdir -p /tmp/v$n && git archive $c^ | tar -x -C /tmp/v$n
      (cd /tmp/v$n && PYTHONPATH=. python $OLDPWD/tests/core/data/make_version_ledgers.py \\
          $OLDPWD/tests/core/data/v$n-village.sqlite3)
    done

`v3-first-village.sqlite3` is the same made with the first program of schema v3 (`git archive
d23d750`), whose v3 step did not yet create ix_receipt_day_seq (schema v11 does).

Each holds: the village set up (device, configuration, two users, the roster), a receipt, a
receipt voided, the day settled, a second day's receipt settled, a remittance, and an open
third day's receipt. The early versions named defusedxml only on the roster reader's paths;
where it is not installed it is stood in for by the standard library (our own CSV, no XML).
"""

from __future__ import annotations

import inspect
import sqlite3
import sys
import tempfile
import types
import xml.etree.ElementTree as ElementTree
from datetime import datetime
from pathlib import Path
from typing import Any


def _stand_in_for_defusedxml() -> None:
    try:
        import defusedxml  # noqa: F401
    except ImportError:
        package: Any = types.ModuleType("defusedxml")
        package.__path__ = []
        package.DefusedXmlException = type("DefusedXmlException", (ValueError,), {})
        tree: Any = types.ModuleType("defusedxml.ElementTree")
        tree.fromstring, tree.parse, tree.iterparse = ElementTree.fromstring, ElementTree.parse, ElementTree.iterparse
        sys.modules["defusedxml"], sys.modules["defusedxml.ElementTree"] = package, tree


def build(out: Path) -> None:
    import keyring

    try:  # versions before the high-water mark keep nothing in the keyring
        from tests.keyrings import MemoryKeyring

        keyring.set_keyring(MemoryKeyring())
    except ImportError:
        pass
    _stand_in_for_defusedxml()
    import tests.conftest as cf
    from app.services import users
    from app.services.desk import Desk
    from tests.core.test_receipts import med
    from tests.factories import (
        AYGUL,
        CONFIG_PATH,
        VILLAGE,
        ZHANG,
        ZHANG_WIFE,
        FakeClock,
        write_roster,
    )

    users.KDF = "scrypt$1024$8$1"  # cheap PIN hashes: the file is about the ledger
    clock = FakeClock(datetime(2026, 11, 20, 9, 0))
    with tempfile.TemporaryDirectory() as tmp:
        desk = Desk(Path(tmp) / "home", clock=clock)
        if hasattr(cf, "set_up_village"):
            cf.set_up_village(desk, Path(tmp))
        else:  # the versions before the shared set-up
            desk.setup.init(village_code="341824100201", village_name="示范村", township_code="341824100", device_no=1)
            desk.setup.import_config(CONFIG_PATH.read_text(encoding="utf-8"))
            desk.users.add("李代收", "agent", cf.AGENT_PIN)
            desk.users.add("王村长", "head", cf.HEAD_PIN)
            roster = write_roster(Path(tmp) / "roster.csv", VILLAGE)
            if "by" in inspect.signature(desk.roster.import_file).parameters:
                desk.roster.import_file(roster, by=desk.users.authenticate("李代收", cf.AGENT_PIN))
            else:
                desk.roster.import_file(roster)
        agent = desk.users.authenticate("李代收", cf.AGENT_PIN)
        head = desk.users.authenticate("王村长", cf.HEAD_PIN)
        desk.receipts.record(agent, [med(ZHANG)], cash_fen=50000)
        wrong = desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
        desk.receipts.void(wrong.number, reason="收错了人", agent=agent, head=head)
        desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
        clock.next_day()
        desk.receipts.record(agent, [med(AYGUL)], cash_fen=40000)
        desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
        remit: Any = desk.settlements.remit
        if "by" in inspect.signature(remit).parameters:
            remit(amount_fen=80000, slip_no="YH-1", day=clock().date(), by=agent)
        else:
            remit(amount_fen=80000, slip_no="YH-1", day=clock().date())
        clock.next_day()
        desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
        assert desk.verify().ok
        src, dst = sqlite3.connect(desk.db.path), sqlite3.connect(out)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
        desk.close()


if __name__ == "__main__":
    build(Path(sys.argv[1]))

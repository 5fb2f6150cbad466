"""The 公示 covers every channel (003 第四十三条): the village posts everyone's payment the tax
office provides, not only the cash taken at this desk. What the tax office provides reaches the
desk as the roster's paid-elsewhere marks (the channel: 微信, 银行代扣 …); those rows join the
cash rows, masked the same way when drawn. Cash here wins over a mark for the same person and
insurance (the county marks what our own remittance paid in: it is already a cash row).

The tax office's data carries no payment date: the row says so instead of inventing one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.domain.insurance import Insurance
from app.domain.paper import PostingRow
from app.services.roster.people import due_fen
from app.storage import roster

if TYPE_CHECKING:
    from app.services.desk import Desk


def paid_elsewhere_rows(desk: Desk, year: int, *, no_group: str) -> list[PostingRow]:
    """One row per due of `year` the roster marks paid through another channel (not removed,
    not paid in cash here), with its channel and the amount due."""
    config = desk.setup.config
    out = []
    with desk.db.read() as conn:
        cash = roster.cash_of_year(conn, year)
        for person, ins_text, tier, amount, elsewhere, removed in roster.dues_of_year(conn, year):
            if not elsewhere or removed or person.removed or (person.id_number, ins_text) in cash:
                continue
            ins = Insurance(ins_text)
            out.append(PostingRow(person.group or no_group, person.name, person.id_number, person.phone, ins, year,
                                  due_fen(config, person.category, ins, year, tier, amount), None,
                                  channel=elsewhere))
    return out

"""What a receipt needs from the desk beyond its record: the township, the county's phone and
check address, whether a stub is printed, the standard amounts (to show the subsidy) and each
person's category. Read at print time, so a reprint shows the same record with today's county
details."""

from __future__ import annotations

from collections.abc import Iterable

from app.domain.records import Receipt
from app.services.desk import Desk
from app.training import is_training
from printing.receipt_layout import ReceiptContext


def roster_facts(desk: Desk, receipts: Iterable[Receipt]) -> tuple[dict[str, str], dict[tuple[str, int], int]]:
    """What paper shows beside each line: the person's 人员类别 and the county's standard amount
    (to spell out the subsidy); one read of the roster for all the lines."""
    people = desk.roster.people(line.id_number for r in receipts for line in r.lines)
    standard = {("medical", year): yc.medical_fen for year, yc in desk.setup.config.years.items()}
    return {idn: p.category for idn, p in people.items() if p.category}, standard


def receipt_context(desk: Desk, receipt: Receipt) -> ReceiptContext:
    paper = desk.setup.config.paper
    categories, standard = roster_facts(desk, [receipt])
    return ReceiptContext(
        township_name=desk.setup.device.township_name, collection_phone=paper.collection_phone,
        verify_url=paper.verify_url, parts=paper.receipt_parts, standard_fen=standard, categories=categories,
        training=is_training(desk.home))

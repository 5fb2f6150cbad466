"""What a receipt needs from the desk beyond its record: the township, the county's phone and
check address, whether a stub is printed, the standard amounts (to show the subsidy) and each
person's category. Read at print time, so a reprint shows the same record with today's county
details."""

from __future__ import annotations

from app.domain.records import Receipt
from app.services.desk import Desk
from printing.receipt_layout import ReceiptContext


def receipt_context(desk: Desk, receipt: Receipt) -> ReceiptContext:
    config = desk.setup.config
    people = desk.roster.people(line.id_number for line in receipt.lines)
    standard = {("medical", year): yc.medical_fen for year, yc in config.years.items()}
    return ReceiptContext(
        township_name=desk.setup.device.township_name, collection_phone=config.paper.collection_phone,
        verify_url=config.paper.verify_url, parts=config.paper.receipt_parts, standard_fen=standard,
        categories={idn: p.category for idn, p in people.items() if p.category})

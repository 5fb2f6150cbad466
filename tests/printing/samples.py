"""Receipts as the services would return them: ordinary, 生僻字 and minority names."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from app.domain.ids import check_character
from app.domain.insurance import Insurance
from app.domain.records import PayerSignoff, Receipt, ReceiptLine


def id_number(first17: str) -> str:
    return first17 + check_character(first17)


ZHANG = id_number("34182419650312121")
LI = id_number("34182419700815002")
SON = id_number("34182420010101003")
RARE = id_number("34182419881111004")  # 王䶮
RARE_B = id_number("34182419920202005")  # 𠇔
UYGHUR = id_number("65010219900505006")


def receipt(
    payer: str = "张建国",
    payer_id: str = ZHANG,
    members: tuple[tuple[str, str], ...] = (("张建国", ZHANG), ("李秀英", LI), ("张伟", SON)),
    *,
    prints: int = 0,
    number: str = "341824001-1-2025-000123",
) -> Receipt:
    lines = []
    for i, (name, idn) in enumerate(members):
        if i % 2 == 0:
            lines.append(ReceiptLine(idn, name, Insurance.PENSION, 2025, 50000, 50000, 50000))
        else:
            lines.append(ReceiptLine(idn, name, Insurance.MEDICAL, 2025, None, 40000, 40000))
    total = sum(line.amount_fen for line in lines)
    cash = (total // 10000 + 1) * 10000
    return Receipt(
        number=number,
        recorded_at=datetime(2025, 9, 1, 10, 23, 45),
        day=date(2025, 9, 1),
        village_code="341824001",
        village_name="桃花村",
        device_no=1,
        payer_id_number=payer_id,
        payer_name=payer,
        lines=tuple(lines),
        total_fen=total,
        cash_fen=cash,
        change_fen=cash - total,
        agent="王桂兰",
        payer_signoff=PayerSignoff.PAPER,
        signature_sha256=None,
        override_reason=None,
        hash="a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90",
        prints=prints,
    )


ORDINARY = receipt()
RARE_NAMES = receipt("王䶮", RARE, (("王䶮", RARE), ("李𠇔", RARE_B), ("张伟", SON)))
MINORITY = receipt(
    "阿依古丽·买买提", UYGHUR, (("阿依古丽·买买提", UYGHUR), ("买买提·艾力", LI)),
)
REPRINT = replace(ORDINARY, prints=2)

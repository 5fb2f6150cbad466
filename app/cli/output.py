"""How a receipt and a settlement are shown on the command line: JSON for scripts, text for people."""

from __future__ import annotations

from typing import Any

from app.domain.money import fen_in_words, format_fen
from app.domain.records import Receipt, Settlement


def receipt_json(r: Receipt) -> dict[str, Any]:
    return {
        "number": r.number, "time": r.recorded_at.isoformat(), "day": r.day.isoformat(),
        "payer": {"id_number": r.payer_id_number, "name": r.payer_name},
        "lines": [{"id_number": ln.id_number, "name": ln.name, "insurance": ln.insurance.value,
                   "year": ln.year, "tier_fen": ln.tier_fen, "amount_fen": ln.amount_fen,
                   "due_fen": ln.due_fen} for ln in r.lines],
        "total_fen": r.total_fen, "cash_fen": r.cash_fen, "change_fen": r.change_fen,
        "status": r.status, "override_reason": r.override_reason, "hash": r.hash,
        "signoffs": {
            "payer": r.payer_signoff.value, "agent": r.agent,
            "head": ({"name": r.countersign.head, "at": r.countersign.at.isoformat()}
                     if r.countersign else None),
        },
        "void": ({"reason": r.void.reason, "agent": r.void.agent, "head": r.void.head,
                  "at": r.void.at.isoformat()} if r.void else None),
        "prints": r.prints,
        "refund_request": ({"amount_fen": r.refund.amount_fen, "reason": r.refund.reason,
                            "agent": r.refund.agent, "head": r.refund.head, "at": r.refund.at.isoformat()}
                           if r.refund else None),
        "serial": r.serial,
        "paid_on_behalf": ({"voucher": r.paid.voucher, "channel": r.paid.channel, "amount_fen": r.paid.amount_fen,
                            "by": r.paid.agent, "at": r.paid.at.isoformat()} if r.paid else None),
    }


def receipt_text(r: Receipt) -> str:
    out = [f"收据 {r.number}  {r.recorded_at:%Y-%m-%d %H:%M}  缴费人 {r.payer_name}"]
    for ln in r.lines:
        tier = f" {format_fen(ln.tier_fen)}档" if ln.tier_fen else ""
        out.append(f"  {ln.name} {ln.year}年度 {ln.insurance.short_label}{tier}  {format_fen(ln.amount_fen)}")
    out.append(f"  合计 {format_fen(r.total_fen)} 元（{fen_in_words(r.total_fen)}）  "
               f"收 {format_fen(r.cash_fen)}  找 {format_fen(r.change_fen)}")
    if r.void:
        out.append(f"  已作废：{r.void.reason}")
    return "\n".join(out)


def settlement_json(st: Settlement) -> dict[str, Any]:
    return {"date": st.day.isoformat(), "round": st.round_no, "expected_fen": st.expected_fen, "counted_fen": st.counted_fen,
            "difference_fen": st.difference_fen, "reason": st.reason, "receipts": st.receipts,
            "voids": st.voids, "agent": st.agent, "head": st.head, "hash": st.hash,
            "denominations": {str(k): v for k, v in st.denominations.items()}}

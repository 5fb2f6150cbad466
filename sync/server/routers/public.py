"""What anyone may open without signing in: a receipt's check (its QR), and the staff overview
page (which holds no data itself: it asks the staff API after sign-in)."""

from __future__ import annotations

import html
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from app.domain.money import format_fen
from sync import protocol as p
from sync.server import audit, public_contacts
from sync.server.deps import DB
from sync.server.overview_page import OVERVIEW_PAGE
from sync.server.routers.refusals import REFUSALS

router = APIRouter(tags=["public"], responses=REFUSALS)


@router.get(p.VERIFY_RECEIPT, response_model=p.ReceiptCheck)
def receipt(number: str, s: DB, code: Annotated[str, Query(min_length=1, max_length=64)]) -> p.ReceiptCheck:
    return audit.check_receipt(s, number, code)


RECEIPT_FORM = ("<form method=get action=/receipt><p><label>收据号 <input name=no maxlength=40 size=26 required></label></p>"
                "<p><label>校验码 <input name=code maxlength=64 size=26 required></label></p>"
                "<p>收据号和校验码都印在收据上（扫收据上的二维码可直接查验）。</p><button type=submit>查验</button></form>")


@router.get("/receipt", response_class=HTMLResponse)
def receipt_page(s: DB, no: Annotated[str | None, Query(max_length=40)] = None,
                 code: Annotated[str | None, Query(max_length=64)] = None) -> HTMLResponse:
    """Where a receipt's QR leads (the county configuration's verify_url pointing here): a
    page a payer's phone shows, saying whether the county holds this receipt as printed; with no
    receipt number or check code, a form to type them from the paper receipt."""
    if not no or not code:
        body = RECEIPT_FORM
    else:
        found = audit.check_receipt(s, no, code)
        if found.found and found.total_fen is not None:
            body = (f"<p>收据 {html.escape(no)}</p><p>状态：{html.escape(found.status)}</p>"
                    f"<p>金额：￥{format_fen(found.total_fen)}　日期：{html.escape(found.day or '')}</p>"
                    "<p>县级服务器已收到此收据。</p>")
        else:
            body = (f"<p>收据 {html.escape(no)}</p><p>县级服务器没有这张收据（或校验码不符）。"
                    f"当天的收据在日结上传后才能查到；{html.escape(public_contacts.report_sentence(s))}。</p>")
    return HTMLResponse(f"<!doctype html><html lang=zh><meta charset=utf-8>"
                        f"<meta name=viewport content='width=device-width'><title>收据查验</title>"
                        f"<body><h1>收据查验</h1>{body}</body></html>")


@router.get("/overview", response_class=HTMLResponse)
def overview_page() -> HTMLResponse:
    """The county overview for staff in a browser: sign in, then one row per village (what
    was collected, settled, remitted and confirmed, flags, forked ledgers), and a village's
    flags and sample on a click."""
    return HTMLResponse(OVERVIEW_PAGE)

"""缴费证明: what the payer is given once the agent has paid on their behalf in the tax system
(003 第三十条: 向缴费人提供加盖印章的财务收据和缴费证明). A slip on the same thermal printer as
the receipt: who was paid for, what, through which channel, and the voucher number the tax system
gave, which the payer can look up there themselves."""

from __future__ import annotations

from app.domain.ids import mask_id
from app.domain.money import fen_in_words
from app.domain.records import Receipt
from printing.escpos_receipt import ReceiptOptions, items_to_bytes
from printing.receipt_layout import (
    SEAL_NOTE,
    Feed,
    Item,
    ReceiptContext,
    Text,
    columns,
    person_lines,
    spread,
    text_lines,
    yuan,
)

TITLE = "城乡居民社会保险费代为缴费证明"


class NotPaidOnBehalf(ValueError):
    """The receipt has no 代为缴费 record: there is nothing to prove yet."""


def payment_proof_items(receipt: Receipt, width_dots: int, context: ReceiptContext | None = None) -> list[Item]:
    paid = receipt.paid
    if paid is None:
        raise NotPaidOnBehalf(f"收据 {receipt.number} 尚未登记代为缴费，不能打印缴费证明")
    ctx = context or ReceiptContext()
    cols = columns(width_dots)
    rule = Text("-" * cols)
    items: list[Item] = [Text(TITLE, align="center", bold=True, tall=True)]
    for text in (f"收据号：{receipt.number}", f"缴费人：{receipt.payer_name}",
                 f"证件号码：{mask_id(receipt.payer_id_number)}",
                 f"村（社区）：{receipt.village_name}"):
        items += text_lines(text, cols)
    items.append(rule)
    items += person_lines(receipt, cols, ctx)
    items += [
        rule,
        *text_lines(spread("缴费合计：", yuan(paid.amount_fen), cols), cols, bold=True),
        *text_lines(f"大写：{fen_in_words(paid.amount_fen)}", cols),
        *text_lines(f"代缴渠道：{paid.channel}", cols),
        *text_lines(f"缴费凭证号：{paid.voucher}", cols, bold=True),
        *text_lines(f"代缴时间：{paid.at:%Y-%m-%d %H:%M}", cols),
        *text_lines(f"代缴人：{paid.agent}", cols),
        Feed(1),
        *text_lines("以上费款已由代收员代为缴入税务系统，可凭缴费凭证号在税务渠道查询。", cols),
    ]
    if ctx.collection_phone:
        items += text_lines(f"咨询电话：{ctx.collection_phone}", cols)
    items += [Feed(1), Text(f"「{SEAL_NOTE}」", align="center", bold=True)]
    return items


def render_payment_proof(receipt: Receipt, options: ReceiptOptions | None = None,
                         context: ReceiptContext | None = None) -> bytes:
    opts = options or ReceiptOptions()
    return items_to_bytes(payment_proof_items(receipt, opts.width_dots, context), opts)

"""A printer test page: shows at a glance whether width, Chinese mode, ￥, rare-character
raster lines, the QR code and the cutter all work on this printer."""

from __future__ import annotations

from printing.escpos_receipt import ReceiptOptions, items_to_bytes
from printing.receipt_layout import Feed, Item, QrCode, Text, columns, spread, wrap


def test_page_items(options: ReceiptOptions, uri: str) -> list[Item]:
    cols = columns(options.width_dots)
    ruler = "".join(str(i % 10) for i in range(1, cols + 1))
    return [
        Text("打印测试", align="center", bold=True, tall=True),
        Text(f"纸宽：{options.width_dots} 点（{58 if options.width_dots == 384 else 80} mm）"),
        Text(f"每行 {cols} 个字母或 {cols // 2} 个汉字："),
        Text(ruler),
        Text("汉" * (cols // 2)),
        Text(spread("金额：", "￥1,234.56", cols)),
        Text("标点：，。：；（）「」·—"),
        Text("生僻字（应为图像行）：䶮 𠇔"),
        Text("加粗", bold=True),
        Text("居中", align="center"),
        *(Text(line) for line in wrap(f"打印机：{uri}", cols)),
        Feed(1),
        QrCode("DS1|TEST|0.00|000000000000"),
        Text("如以上各行完整清晰，打印机可用", align="center"),
    ]


def render_test_page(options: ReceiptOptions, uri: str) -> bytes:
    return items_to_bytes(test_page_items(options, uri), options)

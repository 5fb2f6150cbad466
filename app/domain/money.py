"""Money is an integer number of fen (分); this module converts at the edges only."""

from __future__ import annotations

import re
from decimal import Decimal

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿", "万亿")


class MoneyError(ValueError):
    """An amount typed by a person that is not a valid amount of money."""


# What a person may type: optional ¥/￥, digits with correctly placed thousands separators (or
# none), at most two decimals, optional 元. Anything else ("4,00", "1e5", "0x10", "٤٠٠") is
# refused rather than guessed at: a mistyped amount must never become a different one.
_AMOUNT = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?|\.\d{1,2}")
# Full-width digits and punctuation come from Chinese input methods; they mean the same.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")
MOST_FEN = 100_000_000  # ¥1,000,000: far above any household's two insurances for a year


def parse_yuan(text: str | int, *, field: str = "金额", allow_zero: bool = True,
               most_fen: int = MOST_FEN) -> int:
    """Parse an amount in yuan ("123", "123.4", "123.45", "￥1,200", "４００元") into fen."""
    raw = str(text).strip().translate(_FULL_WIDTH).lstrip("¥￥").strip()
    if raw.endswith("元"):
        raw = raw[:-1].strip()
    if raw.startswith("-"):
        raise MoneyError(f"{field}不能为负数：{text}")
    if raw.isascii() and re.fullmatch(r"[\d,]*\.\d{3,}", raw):
        raise MoneyError(f"{field}「{text}」最多两位小数（到分）")
    if not raw.isascii() or not _AMOUNT.fullmatch(raw):
        raise MoneyError(f"{field}「{text}」不是有效的金额（例：400 或 1,200.50）")
    fen = int(Decimal(raw.replace(",", "")) * 100)
    if not allow_zero and fen == 0:
        raise MoneyError(f"{field}不能为零")
    if fen > most_fen:
        raise MoneyError(f"{field}「{text}」超过上限 {format_fen(most_fen)} 元，请检查是否多输了位数")
    return fen


def format_fen(fen: int, *, symbol: bool = False) -> str:
    """Format fen as yuan with two decimals: 12345 -> '123.45'."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    text = f"{sign}{yuan:,}.{cents:02d}"
    return f"￥{text}" if symbol else text


def _four_digits(n: int) -> str:
    """Words for 0 < n < 10000 with inner zeros collapsed (1001 -> 壹仟零壹)."""
    out: list[str] = []
    zero_pending = False
    for pos in range(3, -1, -1):
        d = (n // 10**pos) % 10
        if d == 0:
            if out:
                zero_pending = True
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        out.append(_DIGITS[d] + _SMALL_UNITS[pos])
    return "".join(out)


def yuan_in_words(yuan: int) -> str:
    """Integer yuan in financial capitals without the 元 suffix: 10203 -> 壹万零贰佰零叁."""
    if yuan == 0:
        return "零"
    groups = []
    while yuan:
        groups.append(yuan % 10000)
        yuan //= 10000
    out: list[str] = []
    zero_pending = False
    for idx in range(len(groups) - 1, -1, -1):
        g = groups[idx]
        if g == 0:
            zero_pending = bool(out)
            continue
        if out and (zero_pending or g < 1000):
            out.append("零")
        out.append(_four_digits(g) + _BIG_UNITS[idx])
        zero_pending = False
    return "".join(out)


def fen_in_words(fen: int) -> str:
    """Amount in financial capitals as written on receipts: 12300 -> 壹佰贰拾叁元整, 350 -> 叁元伍角."""
    if fen < 0:
        return "负" + fen_in_words(-fen)
    yuan, cents = divmod(fen, 100)
    jiao, fen_part = divmod(cents, 10)
    if fen == 0:
        return "零元整"
    text = ""
    if yuan:
        text = yuan_in_words(yuan) + "元"
    if jiao == 0 and fen_part == 0:
        return text + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen_part:
        text += _DIGITS[fen_part] + "分"
    return text


# Cash that makes no sense for the total is asked about before it is recorded: a slip of the
# finger (50000 typed for 500) would otherwise be recorded, printed and handed back as change.
IMPLAUSIBLE_CHANGE_FEN = 10000  # ¥100: change above this and above the total is suspicious
IMPLAUSIBLE_CASH_RATIO = 10  # cash above ten times the total is suspicious whatever the change


def cash_question(total_fen: int, cash_fen: int) -> str | None:
    """The question to confirm before recording `cash_fen` against `total_fen`, or None.

    Asked when the change is larger than the total and larger than ¥100, or when the cash is
    more than ten times the total ("收 ¥50,000.00，找零 ¥49,600.00，确认？").
    """
    change = cash_fen - total_fen
    if change < 0:
        return None
    if (change > total_fen and change > IMPLAUSIBLE_CHANGE_FEN) \
            or cash_fen > IMPLAUSIBLE_CASH_RATIO * total_fen:
        return f"收 ¥{format_fen(cash_fen)}，找零 ¥{format_fen(change)}，确认？"
    return None

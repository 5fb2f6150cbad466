"""GB 11643 citizen ID numbers (公民身份号码) and the facts derived from them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from operator import mul

from app.domain.quoting import quote

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_DIGITS_OFFSET = ord("0") * sum(_WEIGHTS)  # each ASCII digit's byte is its value plus ord("0")
_SHAPE = re.compile(r"^\d{17}[\dX]$", re.ASCII)  # not Arabic-Indic or other Unicode digits
_SCIENTIFIC = re.compile(r"\d(\.\d+)?E\+?\d+")


class IdNumberError(ValueError):
    """An ID number that is not a valid GB 11643 number; the message says why."""


def check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise ValueError(f"check_character needs 17 ASCII digits, got {first17!r}")
    # The bytes are the digits' codes: one multiply-add each, no int() per character (a
    # township roster checks 100,000 numbers).
    return _CHECK[(sum(map(mul, first17.encode("ascii"), _WEIGHTS)) - _DIGITS_OFFSET) % 11]


@dataclass(frozen=True)
class IdNumber:
    """A valid 18-character ID number; birth date and sex come from it, never typed."""

    value: str

    @property
    def birth_date(self) -> date:
        v = self.value
        return date(int(v[6:10]), int(v[10:12]), int(v[12:14]))

    @property
    def sex(self) -> str:
        """'男' or '女' from the 17th digit (odd is male)."""
        return sex_of(self.value)

    def age_on(self, day: date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    @property
    def masked(self) -> str:
        return mask_id(self.value)

    def __str__(self) -> str:
        return self.value


def parse_id_number(text: str, *, today: date | None = None) -> IdNumber:
    """Validate and normalise (strip, full-width digits, lower-case x) an ID number."""
    return IdNumber(checked_id_number(text, today=today)[0])


def checked_id_number(text: str, *, today: date | None = None) -> tuple[str, date]:
    """parse_id_number's checks, giving (the normal form, the birth date) without building an
    IdNumber: a township roster checks 100,000 of them."""
    raw = str(text).strip()
    if not raw.isascii():  # full-width digits typed with a Chinese input method
        raw = raw.translate(_FULLWIDTH)
    raw = raw.upper().replace(" ", "")
    if not raw:
        raise IdNumberError("证件号码为空")
    if "E" in raw and _SCIENTIFIC.fullmatch(raw):
        raise IdNumberError(
            f"证件号码「{quote(text)}」被 Excel 存成了数字（科学计数法），后几位已丢失；"
            "请把该列设为“文本”格式后重新填写号码"
        )
    if len(raw) != 18:
        raise IdNumberError(f"证件号码「{quote(text)}」应为18位，实际{len(raw)}位")
    if not _SHAPE.match(raw):
        raise IdNumberError(f"证件号码「{quote(text)}」只能是17位数字加一位数字或X")
    try:
        born = date(int(raw[6:10]), int(raw[10:12]), int(raw[12:14]))
    except ValueError:
        raise IdNumberError(f"证件号码「{quote(text)}」中的出生日期 {raw[6:14]} 不存在") from None
    today = today or date.today()
    if born > today:
        raise IdNumberError(f"证件号码「{quote(text)}」中的出生日期 {born.isoformat()} 在未来")
    if born.year < 1890:
        raise IdNumberError(f"证件号码「{quote(text)}」中的出生年份 {born.year} 不合理")
    expected = check_character(raw[:17])
    if raw[17] != expected:
        raise IdNumberError(f"证件号码「{quote(text)}」校验位错误（应为 {expected}），请核对号码")
    return raw, born


def sex_of(value: str) -> str:
    """'男' or '女' from the 17th digit of a valid ID number (odd is male)."""
    return "男" if int(value[16]) % 2 else "女"


def mask_id(value: str) -> str:
    """Public form of an ID number: first 6 and last 4 kept (341824********1234)."""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """Public form of a phone number: 138****5678."""
    digits = value.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


# Seven or more digits in a row (full-width too, spaces or dashes between them, an ID's final X):
# anything that may be an ID or phone number, wherever in a text it was typed.
_NUMBER_RUN = re.compile(r"[0-9０-９](?:[ \-]?[0-9０-９]){6,}[xXｘＸ]?")


def mask_numbers(text: str) -> str:
    """Mask every run of digits that may be an ID or a phone number in free text (a name
    column with "张三 13800138000", a remark): public lists show no full number in any column."""
    def masked(m: re.Match[str]) -> str:
        digits = re.sub(r"[ \-]", "", m.group(0)).translate(_FULLWIDTH)
        return mask_id(digits) if len(digits) >= 15 else mask_phone(digits)

    return _NUMBER_RUN.sub(masked, text)


_FULLWIDTH = str.maketrans("０１２３４５６７８９ｘＸ", "0123456789XX")

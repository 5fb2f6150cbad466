"""Receipt numbers: unique across the county with no network, gap-free per device.

Form: VVVVVVVVVVVV-DD-NNNNNN (village code, device number, sequence), e.g. 341824100201-01-000042.
"""

from __future__ import annotations

import re

_FORM = re.compile(r"^(\d{12})-(\d{2})-(\d{6,})$")


def format_receipt_number(village_code: str, device_no: int, seq: int) -> str:
    return f"{village_code}-{device_no:02d}-{seq:06d}"


def receipt_sequence(number: str) -> int:
    """The per-device sequence of a receipt number (341824100201-01-000042 -> 42): its last run of
    digits, which is also where numbers of other forms (a county's own books) keep theirs."""
    match = _FORM.match(number) or re.search(r"(\d+)$", number)
    if match is None:
        raise ValueError(f"收据号「{number}」没有序号")
    return int(match.groups()[-1])


def validate_village_code(code: str) -> str:
    code = code.strip()
    if not re.fullmatch(r"\d{12}", code):
        raise ValueError(f"村代码「{code}」应为12位统计用区划代码")
    return code


def validate_township_code(code: str) -> str:
    code = code.strip()
    if not re.fullmatch(r"\d{9}(\d{3})?", code):
        raise ValueError(f"乡镇代码「{code}」应为9位（或补足为12位）统计用区划代码")
    return code


def validate_device_no(n: int | str) -> int:
    try:
        value = int(n)
    except (TypeError, ValueError):
        raise ValueError(f"设备号「{n}」应为 1–99 的数字") from None
    if not 1 <= value <= 99:
        raise ValueError(f"设备号「{n}」应为 1–99 的数字")
    return value

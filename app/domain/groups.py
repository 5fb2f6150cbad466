"""Village groups (村民小组) as people write them, and the order lists are printed in.

「第三村民小组」, 「3组」, 「三组」 and 「3」 are the same group; lists go 第一, 第二, … 第十一 —
never 第十一 before 第二 as text sorting would — then groups with other names, and within a
group by household with the 户主 first. The screen, the .xlsx and the PDFs all use this order.
"""

from __future__ import annotations

import re
from functools import lru_cache

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_GROUP = re.compile(r"第?([0-9零〇一二两三四五六七八九十]+)(?:村民)?小?组")


def _cn_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, units = text.partition("十")
        if len(tens) > 1 or len(units) > 1:
            return None
        t = _CN_DIGITS.get(tens, -1) if tens else 1
        u = _CN_DIGITS.get(units, -1) if units else 0
        return t * 10 + u if t >= 0 and u >= 0 else None
    return _CN_DIGITS.get(text) if len(text) == 1 else None


@lru_cache(maxsize=4096)
def group_key(text: str) -> str:
    """「第三村民小组」, 「3组」, 「三组」 and 「3」 are all group 3; other names stay as written."""
    compact = re.sub(r"\s+", "", text)
    match = _GROUP.fullmatch(compact) or re.fullmatch(r"(\d{1,3})", compact)
    number = _cn_number(match.group(1)) if match else None
    return f"#{number}" if number is not None else compact


def group_order(group: str) -> tuple[int, int, str]:
    """Numbered groups by number, then the others by name."""
    key = group_key(group)
    return (0, int(key[1:]), "") if key.startswith("#") else (1, 0, key)


def village_order(group: str, household_no: str, household_head: str, name: str) -> tuple[object, ...]:
    """Group, household, the 户主 first, then name: the order of every list of people."""
    return (group_order(group), household_no, name != household_head, name)

"""续费率 by age band (004 县级3、镇级3: 45–59 周岁 100%, 16–45 周岁 not under 70%): a pure
function the county server (sync/server/progress.py) and the desk's monthly counts both call.

Definition, as Daishou counts it:

- Who: people owing the pension insurance (城乡居民基本养老保险, the insurance whose 续费 004
  speaks of) in the benefit year Y. Their age is their 周岁 on 1 January of Y, from the birth date
  in their 18-digit ID number (the roster carries no other birth date).
- Bands: 16–44 周岁 (004's "16-45周岁", its upper end given to the older band so no one is in two)
  and 45–59 周岁. Younger or older people are in no band.
- 续费率 of a band = among the people of the band who paid for year Y−1 (through any channel:
  cash at a desk, another channel, or paid for by the government), the share who have paid for
  year Y (likewise). A person with no payment for Y−1 is not in the base: without last year's
  data a band's base is 0 and its rate is None (shown as 「无上年数据」), never 0% or 100%.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Band:
    label: str
    low: int  # 周岁, inclusive
    high: int  # 周岁, inclusive
    default_target_pct: float


BANDS = (Band("16–44岁", 16, 44, 70.0), Band("45–59岁", 45, 59, 100.0))


@dataclass(frozen=True)
class Renewal:
    """One band: how many paid last year (the base), how many of them paid this year."""

    band: Band
    base: int
    renewed: int

    @property
    def rate(self) -> float | None:
        return self.renewed / self.base if self.base else None


def birth_date(id_number: str) -> date | None:
    """The birth date in an 18-digit ID number, or None when it holds none."""
    v = id_number.strip()
    if len(v) != 18 or not v[:17].isdigit():
        return None
    try:
        return date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        return None


def age_in_year(born: date, year: int) -> int:
    """周岁 on 1 January of `year`."""
    return year - born.year - (1 if (born.month, born.day) > (1, 1) else 0)


def band_of(id_number: str, year: int) -> Band | None:
    born = birth_date(id_number)
    if born is None:
        return None
    age = age_in_year(born, year)
    return next((b for b in BANDS if b.low <= age <= b.high), None)


def renewal_rates(people: Iterable[tuple[str, bool, bool]], year: int) -> list[Renewal]:
    """`people`: (ID number, paid for year−1, paid for year), one per person owing the pension
    insurance. One Renewal per band, in BANDS order."""
    base = {b.label: 0 for b in BANDS}
    renewed = {b.label: 0 for b in BANDS}
    for id_number, paid_last, paid_now in people:
        if not paid_last:
            continue
        band = band_of(id_number, year)
        if band is None:
            continue
        base[band.label] += 1
        renewed[band.label] += 1 if paid_now else 0
    return [Renewal(b, base[b.label], renewed[b.label]) for b in BANDS]

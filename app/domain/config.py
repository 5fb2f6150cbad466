"""County configuration per benefit year: tiers, the medical amount, subsidies, window.

File format (JSON, UTF-8), documented in README "County configuration":

    {"county": "绩溪县",
     "years": {"2027": {
        "pension_tiers_yuan": [200, 300, 500, 1000],
        "medical_yuan": 400,
        "collection_window": {"start": "2026-09-01", "end": "2026-12-31"},
        "subsidies_yuan": {"特困": {"pension": 200, "medical": 400},
                           "低保": {"pension": 100, "medical": 200}}}},
     "remit_limits": {"amount_yuan": 5000, "days": 1}}

A subsidy is what the government pays (代缴 / 资助) for that category; the person pays the
rest of the tier (pension) or of the medical amount, never less than zero.

`remit_limits` (双限, app/domain/remit_limits.py) is optional: without it the defaults apply, and
a configuration at the defaults is journalled without it, as before the limits existed.

`recipients` is optional too: the age public keys the desk encrypts its backups and USB files to
besides its own, {"township": "age1…", "county": "age1…"} (app/services/sealing.py). A
configuration without them is journalled as before.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.domain.door import DoorConfig, DoorConfigError, parse_door
from app.domain.insurance import Category, Insurance
from app.domain.money import MoneyError, parse_yuan
from app.domain.remit_limits import MAX_DAYS, RemitLimits


class ConfigError(ValueError):
    """A county configuration that cannot be used; the message names the field."""


@dataclass(frozen=True)
class YearConfig:
    year: int
    pension_tiers_fen: tuple[int, ...]
    medical_fen: int
    window_start: date
    window_end: date
    subsidies_fen: dict[tuple[Category, Insurance], int] = field(default_factory=dict)

    def subsidy(self, category: Category, insurance: Insurance) -> int:
        return self.subsidies_fen.get((category, insurance), 0)

    def due_fen(self, category: Category, insurance: Insurance, tier_fen: int | None) -> int:
        """What the person pays in cash for one insurance this year."""
        if insurance is Insurance.PENSION:
            if tier_fen is None:
                raise ConfigError("养老保险需要缴费档次")
            if tier_fen not in self.pension_tiers_fen:
                allowed = "、".join(str(t // 100) for t in self.pension_tiers_fen)
                raise ConfigError(f"{self.year}年没有 {tier_fen // 100} 元档次（可选：{allowed}）")
            base = tier_fen
        else:
            base = self.medical_fen
        return max(0, base - self.subsidy(category, insurance))

    def in_window(self, day: date) -> bool:
        return self.window_start <= day <= self.window_end


RECEIPT_PARTS = ("payer", "both")  # the payer's part only, or it and the stub kept with the 台账


@dataclass(frozen=True)
class Paper:
    """What the county has printed on its paper forms: all optional."""

    report_phone: str = ""  # 监督举报电话, on the 公示
    collection_phone: str = ""  # 咨询电话, on the receipt
    verify_url: str = ""  # 收据查验地址: the receipt's QR leads here with its number and check code
    posting_days: int = 7  # 公示期
    receipt_parts: str = "payer"  # "both": a stub with the payer's signature line, cut off below

    def to_json(self) -> dict[str, Any]:
        defaults = Paper()
        return {k: getattr(self, k) for k in ("report_phone", "collection_phone", "verify_url", "posting_days",
                                              "receipt_parts") if getattr(self, k) != getattr(defaults, k)}


_PHONE = re.compile(r"[0-9０-９()（）\- ]{5,20}")


def _paper(raw: Any) -> Paper:
    if raw is None:
        return Paper()
    if not isinstance(raw, dict):
        raise ConfigError("paper：应为对象")
    out: dict[str, Any] = {}
    for key in ("report_phone", "collection_phone"):
        value = str(raw.get(key) or "").strip()
        if value and not _PHONE.fullmatch(value):
            raise ConfigError(f"paper.{key}：电话「{value[:24]}」只能含数字、空格、括号和连字符")
        out[key] = value
    url = str(raw.get("verify_url") or "").strip()
    if url and not re.fullmatch(r"https?://[^\s]{3,200}", url):
        raise ConfigError(f"paper.verify_url：「{url[:40]}」应以 https:// 开头")
    days = raw.get("posting_days", 7)
    if not isinstance(days, int) or not 1 <= days <= 60:
        raise ConfigError("paper.posting_days：公示期应为 1–60 天")
    parts = raw.get("receipt_parts", "payer")
    if parts not in RECEIPT_PARTS:
        raise ConfigError(f"paper.receipt_parts：应为 {' 或 '.join(RECEIPT_PARTS)}")
    return Paper(out["report_phone"], out["collection_phone"], url, days, parts)


# What happens to the cash after the receipt (DESIGN rule 8): "remit" — the village deposits it
# and the township applies for 解缴 (002); "pay_on_behalf" — the agent pays in the tax system on
# the payer's behalf at once and records the voucher (003 第三十条: 第一时间代为完成缴费).
AFTER_CASH = ("remit", "pay_on_behalf")


@dataclass(frozen=True)
class CountyConfig:
    county: str
    years: dict[int, YearConfig]
    paper: Paper = field(default_factory=Paper)
    after_cash: str = "remit"
    remit_limits: RemitLimits = field(default_factory=RemitLimits)
    recipients: dict[str, str] = field(default_factory=dict)  # "township"/"county" -> age public key
    door: DoorConfig = field(default_factory=DoorConfig)  # optional key "door" (issue 25)

    @property
    def pays_on_behalf(self) -> bool:
        return self.after_cash == "pay_on_behalf"

    def year(self, year: int) -> YearConfig:
        try:
            return self.years[year]
        except KeyError:
            known = "、".join(str(y) for y in sorted(self.years)) or "无"
            raise ConfigError(f"县级配置中没有 {year} 年度（已配置：{known}）") from None

    def to_json(self) -> dict[str, Any]:
        years: dict[str, Any] = {}
        for y, yc in sorted(self.years.items()):
            subs: dict[str, dict[str, float]] = {}
            for (cat, ins), fen in sorted(yc.subsidies_fen.items()):
                subs.setdefault(cat.value, {})[ins.value] = fen / 100
            years[str(y)] = {
                "pension_tiers_yuan": [t / 100 for t in yc.pension_tiers_fen],
                "medical_yuan": yc.medical_fen / 100,
                "collection_window": {
                    "start": yc.window_start.isoformat(),
                    "end": yc.window_end.isoformat(),
                },
                "subsidies_yuan": subs,
            }
        out: dict[str, Any] = {"county": self.county, "years": years}
        if self.after_cash != "remit":
            out["after_cash"] = self.after_cash
        if self.paper.to_json():
            out["paper"] = self.paper.to_json()
        if self.remit_limits != RemitLimits():  # at the defaults: the text journalled before 双限
            out["remit_limits"] = self.remit_limits.to_json()
        if self.recipients:  # absent: the text journalled before recipients existed
            out["recipients"] = dict(sorted(self.recipients.items()))
        if self.door.to_json():  # without the key, as configurations were before it existed
            out["door"] = self.door.to_json()
        return out


def _date(value: Any, where: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{where}：日期「{value}」应为 YYYY-MM-DD") from None


def parse_config(data: dict[str, Any]) -> CountyConfig:
    """Build a CountyConfig from the parsed JSON document, naming the field on any error."""
    if not isinstance(data, dict) or not isinstance(data.get("years"), dict):
        raise ConfigError("配置文件需要 \"years\" 对象")
    years: dict[int, YearConfig] = {}
    for key, raw in data["years"].items():
        where = f"years.{key}"
        year = parse_year(str(key), field=where)
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}：应为对象")
        try:
            tiers = tuple(
                parse_yuan(t, field=f"{where}.pension_tiers_yuan", allow_zero=False)
                for t in raw["pension_tiers_yuan"]
            )
            medical = parse_yuan(raw["medical_yuan"], field=f"{where}.medical_yuan")
            window = raw["collection_window"]
        except KeyError as exc:
            raise ConfigError(f"{where}：缺少字段 {exc.args[0]}") from None
        if not tiers or list(tiers) != sorted(set(tiers)):
            raise ConfigError(f"{where}.pension_tiers_yuan：档次应从小到大且不重复")
        start = _date(window.get("start"), f"{where}.collection_window.start")
        end = _date(window.get("end"), f"{where}.collection_window.end")
        if end < start:
            raise ConfigError(f"{where}.collection_window：结束日期早于开始日期")
        subsidies: dict[tuple[Category, Insurance], int] = {}
        for cat_text, per_ins in (raw.get("subsidies_yuan") or {}).items():
            try:
                cat = Category.parse(cat_text)
            except ValueError as exc:
                raise ConfigError(f"{where}.subsidies_yuan：{exc}") from None
            for ins_text, amount in per_ins.items():
                try:
                    ins = Insurance.parse(ins_text)
                except ValueError as exc:
                    raise ConfigError(f"{where}.subsidies_yuan.{cat_text}：{exc}") from None
                subsidies[(cat, ins)] = parse_yuan(
                    amount, field=f"{where}.subsidies_yuan.{cat_text}.{ins_text}"
                )
        years[year] = YearConfig(year, tiers, medical, start, end, subsidies)
    after_cash = data.get("after_cash", "remit")
    if after_cash not in AFTER_CASH:
        raise ConfigError(f"after_cash：应为 {' 或 '.join(AFTER_CASH)}（收现后解缴，或第一时间代为缴费）")
    try:
        door = parse_door(data.get("door"))
    except DoorConfigError as exc:
        raise ConfigError(str(exc)) from None
    return CountyConfig(str(data.get("county", "")), years, _paper(data.get("paper")), after_cash,
                        _remit_limits(data.get("remit_limits")), _recipients(data.get("recipients")), door)


RECIPIENT_ROLES = ("township", "county")
_AGE_RECIPIENT = re.compile(r"^age1[02-9ac-hj-np-z]{58}$")  # bech32, as age-keygen prints it


def _recipients(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError("recipients：应为对象，如 {\"township\": \"age1…\", \"county\": \"age1…\"}")
    out: dict[str, str] = {}
    for role, key in raw.items():
        if role not in RECIPIENT_ROLES:
            raise ConfigError(f"recipients.{role}：只能是 {' 或 '.join(RECIPIENT_ROLES)}")
        if not isinstance(key, str) or not _AGE_RECIPIENT.match(key.strip()):
            raise ConfigError(f"recipients.{role}：应为 age 公钥（age1 开头的 62 个字符）")
        out[role] = key.strip()
    return out


def _remit_limits(raw: Any) -> RemitLimits:
    """双限: both keys optional, each defaulted on its own."""
    if raw is None:
        return RemitLimits()
    if not isinstance(raw, dict):
        raise ConfigError("remit_limits：应为对象，如 {\"amount_yuan\": 5000, \"days\": 1}")
    default = RemitLimits()
    amount = default.amount_fen
    if raw.get("amount_yuan") is not None:
        try:
            amount = parse_yuan(raw["amount_yuan"], field="remit_limits.amount_yuan", allow_zero=False)
        except MoneyError as exc:
            raise ConfigError(str(exc)) from None
    days = raw.get("days", default.days)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ConfigError(f"remit_limits.days：解缴限期应为 1–{MAX_DAYS} 天的整数")
    return RemitLimits(amount, days)


FIRST_YEAR, LAST_YEAR = 2000, 2100  # benefit years the program accepts anywhere


def parse_year(text: str, *, field: str = "缴费年度") -> int:
    """A benefit year as typed: four ASCII digits within FIRST_YEAR..LAST_YEAR. int() alone would
    take "٢٠٢٧" or " +2027", and a mistyped "20277" must not become a year of its own."""
    raw = text.strip()
    if not (len(raw) == 4 and raw.isascii() and raw.isdigit()):
        raise ConfigError(f"{field}「{text[:20]}」应为四位年份，如 2027")
    year = int(raw)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ConfigError(f"{field} {year} 不在 {FIRST_YEAR}–{LAST_YEAR} 之间")
    return year


def load_config_text(text: str) -> CountyConfig:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"配置文件不是有效的 JSON（第{exc.lineno}行第{exc.colno}列）：{exc.msg}") from None
    return parse_config(data)

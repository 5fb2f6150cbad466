"""The two insurances and the person categories that decide what a person pays."""

from __future__ import annotations

from enum import StrEnum

from app.domain.quoting import quote


class Insurance(StrEnum):
    PENSION = "pension"
    MEDICAL = "medical"

    @property
    def label(self) -> str:
        return _INSURANCE_LABELS[self][0]

    @property
    def short_label(self) -> str:
        return _INSURANCE_LABELS[self][1]

    @classmethod
    def parse(cls, text: str) -> Insurance:
        key = str(text).strip()
        for ins, aliases in _INSURANCE_LABELS.items():
            if key == ins.value or key in aliases:
                return ins
        raise ValueError(f"未知险种「{quote(text)}」（应为 养老 或 医疗）")


_INSURANCE_LABELS: dict[Insurance, tuple[str, ...]] = {
    Insurance.PENSION: (
        "城乡居民基本养老保险", "养老", "居民养老", "居民养老保险", "城乡居民养老保险", "城乡养老",
    ),
    Insurance.MEDICAL: (
        "城乡居民基本医疗保险", "医疗", "居民医保", "医保", "居民医疗保险", "城乡居民医疗保险",
        "城乡医保",
    ),
}


class Category(StrEnum):
    """人员类别: decides whether and how much the government pays (代缴 / 资助)."""

    GENERAL = "一般"
    NEWBORN = "新生儿"
    EXTREME_POVERTY = "特困"
    DIBAO = "低保"
    SEVERE_DISABILITY = "重度残疾"
    POVERTY_MONITORED = "脱贫/监测"
    ORPHAN = "孤儿"
    ENTITLED = "优抚"
    FAMILY_PLANNING = "计生特扶"
    STUDENT = "学生"

    @classmethod
    def parse(cls, text: str | None) -> Category:
        key = (text or "").strip()
        if not key:
            return cls.GENERAL
        for cat in cls:
            if key == cat.value or key == cat.name.lower():
                return cat
        for alias, cat in _CATEGORY_ALIASES.items():
            if key == alias:
                return cat
        known = "、".join(c.value for c in cls)
        raise ValueError(f"未知人员类别「{quote(text)}」（可用：{known}）")


_CATEGORY_ALIASES: dict[str, Category] = {
    "普通": Category.GENERAL,
    "一般人员": Category.GENERAL,
    "特困人员": Category.EXTREME_POVERTY,
    "特困供养": Category.EXTREME_POVERTY,
    "低保对象": Category.DIBAO,
    "低保户": Category.DIBAO,
    "重残": Category.SEVERE_DISABILITY,
    "重度残疾人": Category.SEVERE_DISABILITY,
    "脱贫": Category.POVERTY_MONITORED,
    "监测": Category.POVERTY_MONITORED,
    "脱贫人口": Category.POVERTY_MONITORED,
    "监测对象": Category.POVERTY_MONITORED,
    "防返贫监测对象": Category.POVERTY_MONITORED,
    "孤儿/事实无人抚养儿童": Category.ORPHAN,
    "优抚对象": Category.ENTITLED,
    "计生特扶对象": Category.FAMILY_PLANNING,
    "中小学生": Category.STUDENT,
    "在校学生": Category.STUDENT,
}

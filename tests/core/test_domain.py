"""Values a clerk types or reads: money, ID numbers, names, the county configuration."""

from __future__ import annotations

import json
from datetime import date

import pytest

from app.domain.config import ConfigError, load_config_text
from app.domain.ids import IdNumberError, mask_id, mask_phone, parse_id_number
from app.domain.insurance import Category, Insurance
from app.domain.money import MoneyError, fen_in_words, format_fen, parse_yuan
from app.domain.names import InvalidNameError, parse_name
from tests.factories import CONFIG_PATH, make_id


@pytest.mark.parametrize(("fen", "words"), [
    (12300, "壹佰贰拾叁元整"),
    (350, "叁元伍角"),
    (305, "叁元零伍分"),
    (5, "伍分"),
    (0, "零元整"),
    (100000, "壹仟元整"),
    (1020300, "壹万零贰佰零叁元整"),
    (100000000, "壹佰万元整"),
    (1000010000, "壹仟万零壹佰元整"),
    (4000000, "肆万元整"),
    (10010000, "壹拾万零壹佰元整"),
    (12345678, "壹拾贰万叁仟肆佰伍拾陆元柒角捌分"),
])
def test_amounts_in_financial_capitals(fen: int, words: str) -> None:
    assert fen_in_words(fen) == words


@pytest.mark.parametrize(("text", "fen"), [("123", 12300), ("123.4", 12340), ("0.05", 5),
                                           ("￥1,200", 120000), ("500元", 50000),
                                           ("４００", 40000), ("１，２００．５", 120050)])
def test_yuan_typed_by_a_clerk_becomes_fen(text: str, fen: int) -> None:
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(("text", "message"), [("12.345", "最多两位小数"), ("-5", "不能为负数"),
                                               ("abc", "不是有效的金额"), ("nan", "不是有效的金额"),
                                               # A misplaced separator, an exponent or another
                                               # script's digits are never read as some amount.
                                               ("4,00", "不是有效的金额"), ("40,0000", "不是有效的金额"),
                                               ("1e5", "不是有效的金额"), ("٤٠٠", "不是有效的金额"),
                                               ("0x10", "不是有效的金额"), ("", "不是有效的金额"),
                                               ("1000000.01", "超过上限"), ("50000000", "超过上限")])
def test_bad_amounts_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(MoneyError, match=message):
        parse_yuan(text)


def test_format_fen_keeps_two_decimals() -> None:
    assert format_fen(123456) == "1,234.56"
    assert format_fen(-1000) == "-10.00"


def test_id_number_derives_birth_date_sex_and_age() -> None:
    idn = parse_id_number(make_id(date(1980, 3, 1), 7, male=False))
    assert idn.birth_date == date(1980, 3, 1)
    assert idn.sex == "女"
    assert idn.age_on(date(2026, 2, 28)) == 45
    assert idn.age_on(date(2026, 3, 1)) == 46


def test_lower_case_x_is_accepted_and_stored_upper() -> None:
    first = "11010519491231002"
    from app.domain.ids import check_character

    assert check_character(first) == "X"
    assert parse_id_number(first + "x").value == first + "X"


@pytest.mark.parametrize(("text", "message"), [
    ("34182419800301001", "应为18位"),
    ("34182419800230001X", "出生日期 19800230 不存在"),
    ("341824203001010011", "在未来"),
    ("3.41824198003E+17", "被 Excel 存成了数字"),
    ("34182419800301A011", "只能是17位数字"),
    # Arabic-Indic digits are decimal digits to Python's \\d; an ID number is ASCII only.
    ("\u0663\u0664182419800301001X", "只能是17位数字"),
])
def test_bad_id_numbers_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(IdNumberError, match=message):
        parse_id_number(text, today=date(2026, 11, 20))


def test_full_width_digits_typed_with_a_chinese_input_method_are_accepted() -> None:
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "11010519491231002") + "ｘ"
    assert parse_id_number(f" {full_width} ").value == "11010519491231002X"


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014"])
def test_check_character_of_the_standards_own_examples(number: str) -> None:
    from app.domain.ids import check_character

    # GB 11643-1999's worked examples.
    assert check_character(number[:17]) == number[17]


@pytest.mark.parametrize("first17", ["1101051949123100", "1101051949123100Ｘ", "11010519491231００2"])
def test_check_character_refuses_anything_but_17_ascii_digits(first17: str) -> None:
    from app.domain.ids import check_character

    with pytest.raises(ValueError, match="17 ASCII digits"):
        check_character(first17)


def test_wrong_check_character_names_the_right_one() -> None:
    good = make_id(date(1980, 3, 1), 1)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(IdNumberError, match=f"校验位错误（应为 {good[17]}）"):
        parse_id_number(bad)


def test_public_forms_hide_the_middle() -> None:
    assert mask_id("341824198003010011") == "341824********0011"
    assert mask_phone("13812345678") == "138****5678"


def test_names_keep_rare_characters_and_unify_middle_dots() -> None:
    assert parse_name(" 王䶮 ") == "王䶮"
    assert parse_name("𠇔明") == "𠇔明"  # outside the BMP
    for dot in "·・•":
        assert parse_name(f"阿依古丽{dot}买买提") == "阿依古丽·买买提"


@pytest.mark.parametrize(("text", "message"), [("张3", "数字"), ("", "为空"), ("·张", "间隔号"),
                                               ("张#", "不能用于姓名")])
def test_names_that_cannot_be_names_are_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidNameError, match=message):
        parse_name(text)


def test_insurance_and_category_aliases() -> None:
    assert Insurance.parse("居民医保") is Insurance.MEDICAL
    assert Insurance.parse("城乡居民基本养老保险") is Insurance.PENSION
    assert Category.parse("低保对象") is Category.DIBAO
    assert Category.parse("") is Category.GENERAL
    with pytest.raises(ValueError, match="未知人员类别「富豪」"):
        Category.parse("富豪")


def test_due_amount_follows_category_and_tier() -> None:
    config = load_config_text(CONFIG_PATH.read_text(encoding="utf-8"))
    y = config.year(2027)
    assert y.due_fen(Category.GENERAL, Insurance.MEDICAL, None) == 40000
    assert y.due_fen(Category.DIBAO, Insurance.MEDICAL, None) == 12000  # 400 - 280
    assert y.due_fen(Category.EXTREME_POVERTY, Insurance.MEDICAL, None) == 0
    assert y.due_fen(Category.GENERAL, Insurance.PENSION, 50000) == 50000
    assert y.due_fen(Category.DIBAO, Insurance.PENSION, 20000) == 10000
    with pytest.raises(ConfigError, match="没有 250 元档次"):
        y.due_fen(Category.GENERAL, Insurance.PENSION, 25000)
    with pytest.raises(ConfigError, match="没有 2030 年度"):
        config.year(2030)


def test_config_errors_name_the_field() -> None:
    data = json.loads(CONFIG_PATH.read_text(encoding="utf-8"))
    del data["years"]["2027"]["medical_yuan"]
    with pytest.raises(ConfigError, match="years.2027：缺少字段 medical_yuan"):
        load_config_text(json.dumps(data))
    data = json.loads(CONFIG_PATH.read_text(encoding="utf-8"))
    data["years"]["2027"]["pension_tiers_yuan"] = [300, 200]
    with pytest.raises(ConfigError, match="从小到大"):
        load_config_text(json.dumps(data))
    with pytest.raises(ConfigError, match="不是有效的 JSON"):
        load_config_text("{")


def test_config_round_trips_through_its_json_form() -> None:
    config = load_config_text(CONFIG_PATH.read_text(encoding="utf-8"))
    assert load_config_text(json.dumps(config.to_json())) == config

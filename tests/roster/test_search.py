"""One search box: names, pinyin with surname readings, ID tails, phones, groups; exact first."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.services.desk import Desk
from app.services.roster.pinyin import name_keys
from tests.factories import signed_agent
from tests.roster.factory import person_id, row, write_csv

PEOPLE = [
    ("张三丰", "第一村民小组", "0001", "13800001111"),
    ("张三", "第一村民小组", "0002", ""),
    ("李张三", "第二村民小组", "0003", ""),
    ("单雄信", "第二村民小组", "0004", ""),
    ("曾国藩", "第三村民小组", "0005", ""),
    ("解缙", "第三村民小组", "0005", ""),
    ("尉迟恭", "3组", "0006", ""),
    ("万俟卨", "第三村民小组", "0007", ""),
    ("覃文", "第三村民小组", "0008", ""),
    ("阿依古丽·买买提", "第二村民小组", "0009", "13912345678"),
    ("王䶮", "第一村民小组", "0001", ""),
]


@pytest.fixture
def village(desk: Desk, tmp_path: Path) -> Desk:
    rows = [row(person_id(100 + i), name, "医疗", group=group, household=hh, phone=phone,
                head="张三丰" if hh == "0001" else name)
            for i, (name, group, hh, phone) in enumerate(PEOPLE)]
    assert desk.roster.import_file(write_csv(tmp_path / "v.csv", rows), by=signed_agent(desk)).rejected == ()
    return desk


def names(desk: Desk, query: str) -> list[str]:
    return [p.name for p in desk.roster.search(query)]


@pytest.mark.parametrize(("query", "expected"), [
    ("张三", ["张三", "张三丰", "李张三"]),  # exact, then start, then any part
    ("张", ["张三丰", "张三", "李张三"]),
    ("三丰", ["张三丰"]),
    ("zsf", ["张三丰"]),
    ("zs", ["张三", "张三丰"]),
    ("zhangsanf", ["张三丰"]),
    ("shanxiongxin", ["单雄信"]),
    ("sxx", ["单雄信"]),
    ("zengguofan", ["曾国藩"]),
    ("xiejin", ["解缙"]),
    ("yuchigong", ["尉迟恭"]),
    ("ycg", ["尉迟恭"]),
    ("moqixie", ["万俟卨"]),
    ("qinwen", ["覃文"]),
    ("tanwen", ["覃文"]),
    ("阿依古丽", ["阿依古丽·买买提"]),
    ("阿依古丽•买买提", ["阿依古丽·买买提"]),  # another middle dot, as phones type it
    ("䶮", ["王䶮"]),
    ("13912345678", ["阿依古丽·买买提"]),
    ("5678", ["阿依古丽·买买提"]),  # 尾号: the last 4 of a phone
    ("1111", ["张三丰"]),
    ("ZSF", ["张三丰"]),
])
def test_kinds_of_query(village: Desk, query: str, expected: list[str]) -> None:
    assert names(village, query) == expected


def test_id_full_and_tails(village: Desk) -> None:
    idn = person_id(103)
    assert names(village, idn) == ["单雄信"]
    assert names(village, idn.lower()) == ["单雄信"]
    assert "单雄信" in names(village, idn[-4:])
    assert names(village, idn[-6:]) == ["单雄信"]


def test_groups_by_name_or_number(village: Desk) -> None:
    assert names(village, "第二村民小组") == ["李张三", "单雄信", "阿依古丽·买买提"]
    assert names(village, "二组") == names(village, "第二村民小组")
    # 「3组」 and 「第三村民小组」 are the same group; households stay together (0005 ...).
    assert names(village, "3组") == ["解缙", "曾国藩", "尉迟恭", "万俟卨", "覃文"]


def test_household_shows_together_head_first(village: Desk) -> None:
    family = village.roster.household(person_id(110))  # 王䶮
    assert [p.name for p in family] == ["王䶮", "张三丰"]
    assert [p.name for p in village.roster.household(person_id(100))] == ["张三丰", "王䶮"]


def test_results_carry_what_is_due(village: Desk) -> None:
    (zhang,) = village.roster.search("zsf")
    assert [(d.year, d.due_fen, d.paid) for d in zhang.dues] == [(2027, 40000, False)]


def test_limit_and_nonsense(village: Desk) -> None:
    assert names(village, "张")[:2] == [p.name for p in village.roster.search("张", limit=2)]
    assert village.roster.search("   ") == []
    assert village.roster.search("!!") == []


@pytest.mark.parametrize(("name", "initials", "full"), [
    ("单雄信", "sxx", "shanxiongxin"), ("曾国藩", "zgf", "zengguofan"), ("解缙", "xj", "xiejin"),
    ("仇英", "qy", "qiuying"), ("区英", "oy", "ouying"), ("朴槿", "pj", "piaojin"),
    ("查良镛", "zly", "zhaliangyong"), ("盖聂", "gn", "genie"), ("尉迟恭", "ycg", "yuchigong"),
    ("万俟卨", "mqx", "moqixie"), ("覃文", "qw", "qinwen"),
])
def test_surname_table_overrides_pypinyin(name: str, initials: str, full: str) -> None:
    keys = name_keys(name)
    assert keys[0][0] == initials and keys[1][0] == full


def test_sorting_in_steps_gives_the_same_order_as_sorted() -> None:
    import random

    from app.services.roster.search import sorted_in_steps

    rnd = random.Random(7)
    items = [(f"{rnd.randrange(1000):03d}", i) for i in range(20_000)]  # many equal keys: stable?
    assert sorted_in_steps(items) == sorted(items)
    assert sorted_in_steps(items, key=lambda e: e[0]) == sorted(items, key=lambda e: e[0])


def test_a_temporary_list_is_emptied_in_steps() -> None:
    from app.services.roster.search import release_in_steps

    items = [(str(i), i) for i in range(20_000)]
    kept = items[123]
    release_in_steps(items)
    assert items == [] and kept == ("123", 123)

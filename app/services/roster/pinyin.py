"""Pinyin keys for searching names, with the surname readings pypinyin gets wrong.

pypinyin reads a character as it is most often read in running text; a surname is often read
differently (单 dan -> shan, 曾 ceng -> zeng, 解 jie -> xie ...). Agents type what they hear, so
the surname is looked up in a table first; where a surname has two living readings (覃 qin/tan,
盖 ge/gai, 乐 yue/le) both are indexed, the usual one first.
"""

from __future__ import annotations

import os
from functools import lru_cache

# Compound surnames first: they are matched before the single-character table. One
# syllable per character, space separated, so the initials come out right (尉迟 -> yc).
COMPOUND_SURNAMES: dict[str, tuple[str, ...]] = {
    "尉迟": ("yu chi",),
    "万俟": ("mo qi",),
    "长孙": ("zhang sun",),
    "令狐": ("ling hu",),
    "澹台": ("tan tai",),
    "单于": ("chan yu",),
    "欧阳": ("ou yang",),
    "司马": ("si ma",),
    "诸葛": ("zhu ge",),
    "上官": ("shang guan",),
    "皇甫": ("huang fu",),
    "公孙": ("gong sun",),
    "慕容": ("mu rong",),
    "宇文": ("yu wen",),
    "东方": ("dong fang",),
    "夏侯": ("xia hou",),
    "轩辕": ("xuan yuan",),
    "呼延": ("hu yan",),
    "端木": ("duan mu",),
    "南宫": ("nan gong",),
}

SURNAMES: dict[str, tuple[str, ...]] = {
    "单": ("shan",),
    "曾": ("zeng",),
    "解": ("xie",),
    "仇": ("qiu",),
    "覃": ("qin", "tan"),
    "区": ("ou",),
    "朴": ("piao", "pu"),
    "查": ("zha",),
    "盖": ("ge", "gai"),
    "乐": ("yue", "le"),
    "尉": ("wei", "yu"),
    "繁": ("po",),
    "黑": ("he",),
    "秘": ("bi",),
    "种": ("chong",),
    "员": ("yun",),
    "召": ("shao",),
    "折": ("she",),
    "翟": ("zhai",),
    "缪": ("miao",),
    "谌": ("shen", "chen"),
    "隗": ("wei",),
    "那": ("na",),
    "么": ("yao",),
    "句": ("gou",),
    "祭": ("zhai",),
    "莘": ("shen",),
    "冼": ("xian",),
    "洗": ("xian",),
    "厍": ("she",),
    "逄": ("pang",),
    "阚": ("kan",),
    "牟": ("mou",),
    "柏": ("bai",),
    "宿": ("su",),
    "蔺": ("lin",),
    "贲": ("ben",),
    "郇": ("huan",),
    "訾": ("zi",),
    "睢": ("sui",),
    "眭": ("sui",),
    "过": ("guo",),
    "褚": ("chu",),
    "薄": ("bo",),
    "任": ("ren",),
    "华": ("hua",),
    "纪": ("ji",),
    "殷": ("yin",),
    "车": ("che",),
    "大": ("da",),
    "都": ("du",),
    "沈": ("shen",),
    "石": ("shi",),
    "叶": ("ye",),
    "重": ("chong",),
    "佴": ("nai",),
    "阿": ("a",),
}

# pypinyin without its phrase dictionary: 0.04 s to load instead of 0.13 s, and tens of MB less.
# Names are read one character at a time, and a character alone is read from the
# single-character dictionary either way (the phrase dictionary has no one-character entry;
# tests/roster/test_pinyin.py compares every character both ways). pypinyin reads the switch
# when it is first imported. Set here, while the program starts on its main thread: setenv in
# a running program races the other threads' getenv.
os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")

SEPARATOR = "|"  # between alternative keys in PersonRow.pinyin_initials / pinyin_full


_READINGS: dict[str, str] = {}  # character -> toneless reading, filled as names are read


def _char_reading(ch: str) -> str:
    """Toneless reading of one character; '' for characters pypinyin does not know (𠇔)."""
    reading = _READINGS.get(ch)
    if reading is None:
        reading = _READINGS[ch] = _read_char(ch)
    return reading


def _read_char(ch: str) -> str:
    if ch.isascii():
        return ch.lower() if ch.isalpha() else ""
    # Imported here, so commands that never read a name (cash, verify, receipt list) do not
    # pay for it; without its phrase dictionary (the switch below).
    from pypinyin import Style, pinyin

    reading = pinyin(ch, style=Style.NORMAL, errors="ignore")
    if not reading or not reading[0]:
        return ""
    word = reading[0][0]
    return word if word.isascii() and word.isalpha() else ""


def _spellings(table: dict[str, tuple[str, ...]]) -> dict[str, tuple[tuple[str, str], ...]]:
    """Each surname's readings as (initials, full): 'yu chi' -> ('yc', 'yuchi'), worked out once."""
    return {surname: tuple(("".join(x[0] for x in reading.split()), "".join(reading.split()))
                           for reading in readings)
            for surname, readings in table.items()}


_COMPOUND_SPELLINGS = _spellings(COMPOUND_SURNAMES)
_SURNAME_SPELLINGS = _spellings(SURNAMES)


def name_keys(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(initials keys, full pinyin keys) for a name: 张三丰 -> (('zsf',), ('zhangsanfeng',)).

    Several keys when the surname has several readings, the usual one first. Characters
    without a known reading (rare characters) and the middle dot add nothing.
    """
    spellings = _COMPOUND_SPELLINGS.get(name[:2])
    if spellings is not None:
        given = name[2:]
    else:
        spellings = _SURNAME_SPELLINGS.get(name[:1], ())
        given = name[1:] if spellings else name
    known = _READINGS.get  # a township's 100,000 names: a dictionary lookup per character
    rest = []
    for ch in given:
        reading = known(ch)
        if reading is None:
            reading = _char_reading(ch)
        if reading:
            rest.append(reading)
    rest_full = "".join(rest)
    rest_initials = "".join([r[0] for r in rest])
    if not spellings:
        return (rest_initials,), (rest_full,)
    initials: list[str] = []
    full: list[str] = []
    for surname_initials, surname_full in spellings:
        first = surname_initials + rest_initials
        if first not in initials:
            initials.append(first)
        full.append(surname_full + rest_full)
    return tuple(initials), tuple(full)


@lru_cache(maxsize=16384)  # a township repeats its common names
def encoded_name_keys(name: str) -> tuple[str, str]:
    """name_keys as stored in person.pinyin_initials and person.pinyin_full."""
    initials, full = name_keys(name)
    return encode_keys(initials), encode_keys(full)


def encode_keys(keys: tuple[str, ...]) -> str:
    return SEPARATOR.join(keys)


def decode_keys(text: str) -> tuple[str, ...]:
    return tuple(k for k in text.split(SEPARATOR) if k) if text else ()

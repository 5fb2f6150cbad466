"""The search keys read each character without pypinyin's phrase dictionary (it costs 0.09 s and
tens of MB at the first name): every character must read exactly as with it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from app.services.roster.pinyin import _read_char

_READ_ALL = """
import json, sys
from pypinyin import Style, pinyin
from pypinyin.constants import PHRASES_DICT, PINYIN_DICT
assert PHRASES_DICT, "the phrase dictionary did not load"
chars = [chr(c) for c in sorted(PINYIN_DICT)]
out = {}
for ch in chars:
    r = pinyin(ch, style=Style.NORMAL, errors="ignore")
    out[ch] = r[0][0] if r and r[0] else ""
json.dump(out, sys.stdout)
"""


def test_every_character_reads_as_it_does_with_the_phrase_dictionary() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYPINYIN_NO_PHRASES"}
    done = subprocess.run([sys.executable, "-c", _READ_ALL], env=env, capture_output=True,
                          text=True, check=True)
    with_phrases = json.loads(done.stdout)
    assert len(with_phrases) > 40_000  # the whole single-character dictionary
    differ = {}
    for ch, reading in with_phrases.items():
        expected = reading if reading.isascii() and reading.isalpha() else ""
        if _read_char(ch) != expected:
            differ[ch] = (_read_char(ch), expected)
    assert differ == {}


def test_the_desk_reads_names_without_loading_the_phrase_dictionary() -> None:
    code = ("from app.services.roster.pinyin import name_keys; import sys\n"
            "assert name_keys('张三丰') == (('zsf',), ('zhangsanfeng',))\n"
            "from pypinyin.constants import PHRASES_DICT\n"
            "print(len(PHRASES_DICT))")
    env = {k: v for k, v in os.environ.items() if k != "PYPINYIN_NO_PHRASES"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "0"

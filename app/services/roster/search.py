"""One search box over the roster, answered from memory in well under a millisecond.

SQLite cannot answer this fast enough: `LIKE 'x%'` skips the index and FTS5's trigram tokenizer
finds nothing for two-character queries, while most names are two or three characters. So the
index is built in memory from the person table (about a second for a township's 100,000
people) and rebuilt when the roster version moves. People are numbered in display order (on the
roster before removed, then group, household, name), so ranking a set of hits is sorting ints.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from app.domain.groups import group_key, group_order
from app.domain.names import normalize_name
from app.domain.records import Person
from app.services.roster.pinyin import decode_keys
from app.storage.batches import let_others_run
from app.storage.roster import PERSON_COLUMNS, person_from_row

_ID = re.compile(r"\d{17}[\dX]")
_DIGITS = re.compile(r"\d+X?")
_LETTERS = re.compile(r"[a-z]+")
_END = "\U0010ffff"
T = TypeVar("T")


def _order(p: Person, initials: str) -> tuple[object, ...]:
    return (p.removed, group_order(p.group), p.household_key, p.household_head != p.name, initials, p.name,
            p.id_number)


_SORT_CHUNK = 4096


def sorted_in_steps(items: Iterable[T], key: Callable[[T], Any] | None = None) -> list[T]:
    """sorted(), but never one long C call: a 100,000-item sort holds the GIL for a few hundred
    milliseconds and the desk's GUI thread freezes with it. Chunks are sorted (a few ms each)
    and merged by heapq.merge, a Python generator the interpreter can switch away from."""
    items = list(items)
    if len(items) <= _SORT_CHUNK:
        return sorted(items, key=key)  # type: ignore[type-var, arg-type]
    chunks = [sorted(items[i:i + _SORT_CHUNK], key=key)  # type: ignore[type-var, arg-type]
              for i in range(0, len(items), _SORT_CHUNK)]
    return list(heapq.merge(*chunks, key=key))  # type: ignore[arg-type]


def release_in_steps(items: list[Any]) -> None:
    """Empty a big temporary list a few thousand items at a time. Left to the end of its
    function, 200,000 tuples are freed in one C call that holds the GIL for 10 ms and more
    (with the function's other locals, longer) while the searches typed meanwhile wait."""
    while items:
        del items[-_SORT_CHUNK:]
        let_others_run()


def _plain(postings: defaultdict[str, list[int]]) -> dict[str, list[int]]:
    """The defaultdict, no longer adding keys on lookup. Not copied into a dict: a copy of
    100,000 keys is one C call that holds the GIL for milliseconds while searches wait."""
    postings.default_factory = None
    return postings


class _Sorted:
    """Keys sorted with the person each belongs to: prefix lookups by bisection."""

    def __init__(self, pairs: Iterable[tuple[str, int]]) -> None:
        ordered = sorted_in_steps(pairs)
        self.keys = [k for k, _ in ordered]
        self.people = [i for _, i in ordered]
        release_in_steps(ordered)

    def prefix(self, q: str) -> list[int]:
        lo = bisect_left(self.keys, q)
        hi = bisect_left(self.keys, q + _END, lo)
        return self.people[lo:hi]


class SearchIndex:
    def __init__(self, entries: Sequence[tuple[Person, str, str]], version: int) -> None:
        """entries: (person, pinyin initials keys, full pinyin keys) as stored in the table."""
        self.version = version
        ordered = sorted_in_steps(entries, key=lambda e: _order(e[0], e[1]))
        self.people = [e[0] for e in ordered]
        self.by_id = {p.id_number: i for i, p in enumerate(self.people)}
        by_name: defaultdict[str, list[int]] = defaultdict(list)
        tails: defaultdict[str, list[int]] = defaultdict(list)
        phones: defaultdict[str, list[int]] = defaultdict(list)
        phone_tails: defaultdict[str, list[int]] = defaultdict(list)  # the last 4 digits of a phone
        chars: defaultdict[str, list[int]] = defaultdict(list)
        groups: defaultdict[str, list[int]] = defaultdict(list)
        exact_pinyin: defaultdict[str, list[int]] = defaultdict(list)
        pinyin_pairs: list[tuple[str, int]] = []
        for i, (p, initials, full) in enumerate(ordered):
            by_name[p.name].append(i)
            tails[p.id_number[-4:]].append(i)
            tails[p.id_number[-6:]].append(i)
            if p.phone:
                phones[p.phone].append(i)
                if len(p.phone) > 4:
                    phone_tails[p.phone[-4:]].append(i)
            for ch in set(p.name):
                chars[ch].append(i)
            if p.group:
                groups[group_key(p.group)].append(i)
            for key in {*decode_keys(initials), *decode_keys(full)}:
                exact_pinyin[key].append(i)
                pinyin_pairs.append((key, i))
        self._by_name, self._tails, self._phones = _plain(by_name), _plain(tails), _plain(phones)
        self._chars, self._groups = _plain(chars), _plain(groups)
        self._exact_pinyin = _plain(exact_pinyin)
        self._names = _Sorted((p.name, i) for i, p in enumerate(self.people))
        self._pinyin = _Sorted(pinyin_pairs)
        release_in_steps(pinyin_pairs)
        self._ids = _Sorted((p.id_number, i) for i, p in enumerate(self.people))
        self._phone_tails = _plain(phone_tails)
        self._phone_prefix = _Sorted((p.phone, i) for i, p in enumerate(self.people) if p.phone)

    def __len__(self) -> int:
        return len(self.people)

    def find(self, query: str, limit: int = 50) -> list[Person]:
        """Exact matches first, then prefixes, then any part; each tier in display order."""
        q = re.sub(r"\s+", "", unicodedata.normalize("NFKC", query))
        if not q or limit <= 0:
            return []
        out: list[int] = []
        seen: set[int] = set()
        for tier in self._tiers(q):
            need = limit - len(out)
            for i in heapq.nsmallest(need + len(seen), tier) if len(tier) > need else sorted(tier):
                if i not in seen:
                    seen.add(i)
                    out.append(i)
                    if len(out) == limit:
                        return [self.people[j] for j in out]
        return [self.people[j] for j in out]

    def _tiers(self, q: str) -> Iterable[Sequence[int]]:
        upper = q.upper()
        if _ID.fullmatch(upper):
            i = self.by_id.get(upper)
            yield [i] if i is not None else []
        elif _DIGITS.fullmatch(upper):
            if len(upper) in (4, 6):
                yield self._tails.get(upper, [])  # the last 4 or 6 characters of the ID
            if len(upper) == 4:
                yield self._phone_tails.get(upper, [])  # "尾号 5678": the last 4 of the phone
            if len(upper) <= 3:
                yield self._groups.get(group_key(upper), [])
            yield self._phones.get(upper, [])
            if len(upper) >= 3 and upper.isdigit():
                yield self._phone_prefix.prefix(upper)
            if len(upper) >= 6:
                yield self._ids.prefix(upper)
        elif _LETTERS.fullmatch(q.lower()):
            low = q.lower()
            yield self._exact_pinyin.get(low, [])
            yield self._pinyin.prefix(low)
        else:
            name = normalize_name(q)
            key = group_key(name)
            if key.startswith("#") or key in self._groups:
                yield self._groups.get(key, [])
            yield self._by_name.get(name, [])
            yield self._names.prefix(name)
            yield self._containing(name)

    def _containing(self, q: str) -> Sequence[int]:
        postings = [self._chars.get(ch, []) for ch in set(q)]
        if not postings:
            return []
        shortest = min(postings, key=len)
        if len(q) == 1:
            return shortest
        return [i for i in shortest if q in self.people[i].name]


# -- before the index is built ---------------------------------------------------------------
# A township's index takes a couple of seconds to build at start; the first search must not wait
# for it. Until it is ready the box is answered by one scan of the person table (tens of
# milliseconds at 100,000 people, the SQL running outside the GIL): the same kinds of query,
# exact matches first, then display order. Groups asked by number and the finer ranking come
# with the index.

_FINDABLE = ("(removed = 0 OR id_number IN (SELECT id_number FROM receipt_line) "
             "OR id_number IN (SELECT id_number FROM due WHERE paid_elsewhere IS NOT NULL))")


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def scan(conn: Any, query: str, limit: int = 50) -> list[Person]:
    """What SearchIndex.find answers, by one SQL statement over `conn` (a sqlite3 connection)."""
    q = re.sub(r"\s+", "", unicodedata.normalize("NFKC", query))
    if not q or limit <= 0:
        return []
    upper = q.upper()
    where: list[str] = []
    exact: list[str] = []  # what ranks first, with its own parameters
    params: list[object] = []
    params_exact: list[object] = []
    if _ID.fullmatch(upper):
        where.append("id_number = ?")
        params.append(upper)
    elif _DIGITS.fullmatch(upper):
        if len(upper) in (4, 6):
            where.append(f"substr(id_number, -{len(upper)}) = ?")
            params.append(upper)
        if len(upper) == 4:
            where.append("(length(phone) > 4 AND substr(phone, -4) = ?)")
            params.append(upper)
        where.append("phone = ?")
        params.append(upper)
        if len(upper) >= 3 and upper.isdigit():
            where.append("phone LIKE ? ESCAPE '\\'")
            params.append(_like(upper) + "%")
        if len(upper) >= 6:
            where.append("id_number LIKE ? ESCAPE '\\'")
            params.append(_like(upper) + "%")
        exact = ["id_number LIKE ? ESCAPE '\\'"]
        params_exact = ["%" + _like(upper)]
    elif _LETTERS.fullmatch(q.lower()):
        low = _like(q.lower())
        where.append("('|' || pinyin_initials) LIKE ? ESCAPE '\\' OR ('|' || pinyin_full) LIKE ? ESCAPE '\\'")
        params += ["%|" + low + "%", "%|" + low + "%"]
        exact = ["('|' || pinyin_initials || '|' || pinyin_full || '|') LIKE ? ESCAPE '\\'"]
        params_exact = ["%|" + low + "|%"]
    else:
        name = normalize_name(q)
        where.append("instr(name, ?) > 0")
        params.append(name)
        exact = ["name = ?", "substr(name, 1, ?) = ?"]
        params_exact = [name, len(name), name]
    rank = "".join(f"({e}) DESC, " for e in exact)
    sql = (f"SELECT {PERSON_COLUMNS} FROM person WHERE ({' OR '.join(where)}) AND {_FINDABLE} "
           f"ORDER BY {rank}removed, group_name, household_no, household_head != name, name, id_number "
           "LIMIT ?")
    rows = conn.execute(sql, (*params, *params_exact, limit)).fetchall()
    return [person_from_row(r) for r in rows]

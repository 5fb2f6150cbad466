"""The typed JSON object every journal entry's data is, and the marker of an absent field.

Split from app/domain/entries.py (which re-exports these names) so that modules defining the
kinds of one concern (app/domain/door_entries.py) can build on it without an import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar, Final, TypeVar


class Absent:
    """The marker of a field an entry does not have (not the same as a JSON null)."""

    _instance: ClassVar[Absent | None] = None

    def __new__(cls) -> Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False


ABSENT: Final = Absent()

_P = TypeVar("_P", bound="Part")


class EntryError(ValueError):
    """An entry's data does not fit its kind's definition (a field missing or unknown)."""


@dataclass(frozen=True, slots=True)
class Part:
    """A typed JSON object: a journal entry's data, or an object nested in it."""

    # field name -> the Part class of that field (an object, or each item of a list)
    NESTED: ClassVar[dict[str, type[Part]]] = {}

    def to_data(self) -> dict[str, Any]:
        """The entry's data exactly as it is journalled (absent fields left out)."""
        out: dict[str, Any] = {}
        for name in _names(type(self)):
            value = getattr(self, name)
            if value is ABSENT:
                continue
            if isinstance(value, Part):
                value = value.to_data()
            elif isinstance(value, tuple):
                value = [v.to_data() if isinstance(v, Part) else v for v in value]
            out[name] = value
        return out

    @classmethod
    def from_data(cls: type[_P], data: dict[str, Any]) -> _P:
        """The typed form of journalled data; EntryError names a missing or unknown field."""
        if not isinstance(data, dict):
            raise EntryError(f"{cls.__name__}: not an object")
        required, optional = _shape(cls)
        unknown = data.keys() - required - optional
        if unknown:
            raise EntryError(f"{cls.__name__}: unknown field {sorted(unknown)[0]}")
        missing = required - data.keys()
        if missing:
            raise EntryError(f"{cls.__name__}: missing field {sorted(missing)[0]}")
        values: dict[str, Any] = {}
        for name, value in data.items():
            nested = cls.NESTED.get(name)
            if isinstance(value, list):
                value = tuple(nested.from_data(v) for v in value) if nested else tuple(value)
            elif nested is not None and value is not None:
                value = nested.from_data(value)
            values[name] = value
        return cls(**values)


_NAMES: dict[type[Part], tuple[str, ...]] = {}
_SHAPES: dict[type[Part], tuple[frozenset[str], frozenset[str]]] = {}


def _names(cls: type[Part]) -> tuple[str, ...]:
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


def _shape(cls: type[Part]) -> tuple[frozenset[str], frozenset[str]]:
    """(required, optional) field names."""
    shape = _SHAPES.get(cls)
    if shape is None:
        optional = frozenset(f.name for f in fields(cls) if f.default is ABSENT)
        shape = _SHAPES[cls] = (frozenset(_names(cls)) - optional, optional)
    return shape


@dataclass(frozen=True, slots=True)
class Entry(Part):
    """The data of one journal entry; KIND is what the journal's `kind` column says."""

    KIND: ClassVar[str] = ""

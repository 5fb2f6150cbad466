"""An in-memory keyring for the tests: the real program uses the OS keyring, which a CI machine
does not have. Set for every test by tests/conftest.py; a test can empty or replace it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from keyring.backend import KeyringBackend


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.values.pop((service, username), None)


LEDGER_MARKS = "daishou-ledger-mark"  # app/storage/highwater.py SERVICE


def forget_ledger_marks() -> None:
    """The OS keyring as a PC that never held a ledger has it: no high-water mark (a test that
    copies one village's file into several folders puts each copy on a PC of its own)."""
    import keyring

    kr = keyring.get_keyring()
    if isinstance(kr, MemoryKeyring):
        for key in [k for k in kr.values if k[0] == LEDGER_MARKS]:
            del kr.values[key]


@contextmanager
def another_pc() -> Iterator[None]:
    """What runs inside is done on another PC: an OS keyring of its own, this one's put back after."""
    import keyring

    before = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        yield
    finally:
        keyring.set_keyring(before)

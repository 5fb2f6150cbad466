"""What every command group shares: the data home, PIN input, output, errors."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from app.domain.money import MoneyError, parse_yuan
from app.logs import start_logging
from app.services.desk import Desk
from app.services.errors import InvalidInput
from app.storage.database import Clock, default_home, system_clock


@dataclass
class Context:
    """What a command runs with; tests pass their own streams and clock."""

    stdin: IO[str] = field(default_factory=lambda: sys.stdin)
    stdout: IO[str] = field(default_factory=lambda: sys.stdout)
    stderr: IO[str] = field(default_factory=lambda: sys.stderr)
    clock: Clock = system_clock
    _desk: Desk | None = None

    def desk(self, args: argparse.Namespace) -> Desk:
        if self._desk is None:
            home = Path(args.home) if args.home else default_home()
            # Only `init` and the window (whose setup wizard starts a new village) may create a
            # data folder; every other command needs the ledger there.
            self._desk = Desk(home, clock=self.clock,
                              create=getattr(args, "command", None) in ("init", "gui"))
            start_logging(home)  # after Desk: a mistyped --home gets no logs folder either
        return self._desk

    def close(self) -> None:
        if self._desk is not None:
            self._desk.close()
            self._desk = None

    def read_pin(self, who: str) -> str:
        """One PIN per line on stdin, in the order the users are named on the command line."""
        if self.stdin.isatty():
            return getpass.getpass(f"「{who}」的 PIN：")
        line = self.stdin.readline()
        if not line:
            raise InvalidInput(f"没有从标准输入读到「{who}」的 PIN（每行一个，按用户出现的顺序）")
        return line.rstrip("\r\n")

    def emit(self, args: argparse.Namespace, payload: Any, human: str | Callable[[], str]) -> None:
        if getattr(args, "json", False):
            self.stdout.write(json.dumps(payload, ensure_ascii=False, default=str) + "\n")
        else:
            self.stdout.write((human() if callable(human) else human) + "\n")


Handler = Callable[[argparse.Namespace, Context], int | None]


def json_flag() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    return parent


def yuan(text: str, field: str = "金额") -> int:
    try:
        return parse_yuan(text, field=field)
    except MoneyError as exc:
        raise InvalidInput(str(exc)) from None


def iso_day(text: str, field: str = "日期") -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{field}「{text}」应为 YYYY-MM-DD") from None

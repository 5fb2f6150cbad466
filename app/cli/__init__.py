"""`daishou`: the headless command line over the same services the window uses.

Exit 0 on success; non-zero with a one-line reason on stderr otherwise (1 refused or invalid,
2 usage, 3 not initialised, 4 data file problem).
"""

from __future__ import annotations

import argparse
import sys

from app.cli import core, door_cmd, monthly_cmd, restore_cmd, review_cmd, roster_cmd
from app.cli.common import Context
from app.services.errors import DaishouError, NotInitialised, disk_problem
from app.storage.db import StorageError
from app.version import version_line


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse prints the whole usage; county scripts want one line on stderr.
        self.exit(2, f"daishou: 参数错误：{message}\n")


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """Every command; or, when `argv` names one of app's own, just app's: the plug-ins (and
    the printing, Qt or network modules they import) are not loaded for `cash` or `verify`."""
    parser = _Parser(prog="daishou", description="代收：城乡居民两险现金代收台")
    parser.add_argument("--home", help="data folder (default: $DAISHOU_HOME or the user data folder)")
    parser.add_argument("--version", action="version", version=version_line(), help="程序版本")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    core.register(sub)
    roster_cmd.register(sub)
    review_cmd.register(sub)
    restore_cmd.register(sub)
    door_cmd.register(sub)  # issue 25
    monthly_cmd.register(sub)  # issue 25: what the township counts
    if argv is not None and _command(argv) in sub.choices:
        return parser
    from importlib.metadata import entry_points

    # Printing, the window and sync live outside app/ and plug in here by entry point.
    for ep in entry_points(group="daishou.commands"):
        try:
            register = ep.load()
        except ImportError as exc:
            sub.add_parser(ep.name, help=f"(unavailable: {exc})")
            continue
        register(sub)
    return parser


def _command(argv: list[str]) -> str | None:
    """The command word of a command line (after --home), or None before an option such as --help."""
    words = iter(argv)
    for word in words:
        if word == "--home":
            next(words, None)
        elif not word.startswith("--home="):
            return None if word.startswith("-") else word
    return None


def main(argv: list[str] | None = None, *, context: Context | None = None) -> int:
    ctx = context or Context()
    argv = sys.argv[1:] if argv is None else argv
    if _command(argv) is None and "--version" in argv:  # answered without loading the plug-ins
        ctx.stdout.write(version_line() + "\n")
        return 0
    args = build_parser(argv).parse_args(argv)
    try:
        result = args.handler(args, ctx)
        return int(result or 0)
    except NotInitialised as exc:
        ctx.stderr.write(f"daishou: {exc.message}\n")
        return 3
    except DaishouError as exc:
        command = f"（命令行：{exc.command}）" if exc.command else ""
        ctx.stderr.write(f"daishou: {exc.message}{command}\n")
        return 1
    except StorageError as exc:
        ctx.stderr.write(f"daishou: {exc}\n")
        return 4
    except KeyboardInterrupt:
        ctx.stderr.write("daishou: 已取消\n")
        return 130
    except Exception as exc:  # the disk or another copy of the program in the way
        problem = disk_problem(exc)
        if problem is None:
            raise
        ctx.stderr.write(f"daishou: {problem}\n")
        return 4
    finally:
        ctx.close()


if __name__ == "__main__":
    sys.exit(main())

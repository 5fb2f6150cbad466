"""Files that leave the PC, sealed with age (pyrage) so a finder of the USB stick cannot read them.

A backup copy holds the whole village's ID and phone numbers; a USB export holds the days sent
to the county. Both are encrypted to several recipients at once, never to a passphrase:

- the desk's own key: an age X25519 identity kept in the OS keyring, keyed by the data folder
  (made on first use). It lets this PC restore its own backups. Where the PC has no keyring
  there is no desk key: files are sealed to the township and county only, and restoring one
  needs the township's key file (`note` says so wherever a file is written);
- the township's and the county's public keys from the county configuration's optional
  `recipients` section: the township opens a village's file for review with its key file, the
  county imports a USB file with its own.

With no recipient at all (no keyring and no `recipients` configured) a file is written in the
clear, as before, and `note` says that a finder can read it.

A key file is the text `age-keygen` writes (lines `AGE-SECRET-KEY-1…`, comments with `#`);
`daishou review --key FILE` and the review window take the township's this way.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyrage

from app.services.errors import InvalidInput

KEYRING_SERVICE = "daishou-desk-age"
AGE_MAGIC = b"age-encryption.org/"
SUFFIX = ".age"
NO_KEYRING = ("本机没有可用的系统密钥库，没有本机密钥：备份和U盘文件只加密给乡镇和县里，"
              "本机恢复备份时需要乡镇的密钥文件")
NO_COUNTY_KEY = ("县级配置中没有县里的公钥：导出的U盘文件未加密（县里要能打开它），"
                 "拾到U盘的人可以读出其中的收据；请向县里索取含公钥的配置")
IN_THE_CLEAR = ("本机没有系统密钥库，县级配置中也没有乡镇、县里的公钥：备份和U盘文件未加密，"
                "拾到U盘的人可以读出全村的身份证号和电话；请向县里索取含公钥的配置")


@dataclass(frozen=True)
class Recipients:
    keys: tuple[Any, ...]  # pyrage.x25519.Recipient
    note: str | None  # why the desk's own key is missing, or why nothing is encrypted


def is_sealed(path: Path) -> bool:
    with Path(path).open("rb") as f:
        return f.read(len(AGE_MAGIC)) == AGE_MAGIC


class DeskKey:
    """The desk's age identity in the OS keyring, keyed by the data folder like the ledger's mark."""

    def __init__(self, home: Path) -> None:
        self.key = str(Path(home).resolve())
        self.problem: str | None = None

    def _keyring(self) -> Any:
        try:
            import keyring
            from keyring.backends import fail

            if isinstance(keyring.get_keyring(), fail.Keyring):
                raise RuntimeError("no backend")
            return keyring
        except Exception:
            self.problem = NO_KEYRING
            return None

    def identity(self, *, create: bool) -> Any | None:
        kr = self._keyring()
        if kr is None:
            return None
        try:
            text = kr.get_password(KEYRING_SERVICE, self.key)
            if text:
                return pyrage.x25519.Identity.from_str(text)
            if not create:
                return None
            made = pyrage.x25519.Identity.generate()
            kr.set_password(KEYRING_SERVICE, self.key, str(made))
            return made
        except Exception:  # a keyring that refuses, or a damaged entry
            self.problem = NO_KEYRING
            return None


def recipients(home: Path, configured: dict[str, str]) -> Recipients:
    desk = DeskKey(home)
    own = desk.identity(create=True)
    keys = [own.to_public()] if own is not None else []
    keys += [pyrage.x25519.Recipient.from_str(k) for _, k in sorted(configured.items())]
    if not keys:
        return Recipients((), IN_THE_CLEAR)
    return Recipients(tuple(keys), desk.problem)


def seal_export(home: Path, configured: dict[str, str], part: Path, out: Path) -> str | None:
    """The USB file for the county: sealed when the county's public key is configured (to the
    county, the township and this desk), else placed in the clear; returns the note to show.
    Called by the export writer (sync/client.py) with the file it wrote under a temporary name."""
    if "county" not in configured:
        part.replace(out)
        return NO_COUNTY_KEY
    to = recipients(home, configured)
    try:
        seal(part, out, to)
    finally:
        part.unlink(missing_ok=True)
    return to.note


def seal(plain: Path, out: Path, to: Recipients) -> Path:
    """Encrypt `plain` to `out` (0600) through a temporary name; `plain` is left as it was."""
    part = out.with_name(out.name + ".sealing")
    try:
        pyrage.encrypt_file(str(plain), str(part), list(to.keys))
        _owner_only(part)
        part.replace(out)
    finally:
        part.unlink(missing_ok=True)
    return out


def unseal(sealed: Path, out: Path, identities: Sequence[Any]) -> None:
    """Decrypt to `out`, or a named refusal; nothing is left at `out` when it cannot be opened."""
    part = out.with_name(out.name + ".part")
    try:
        if not identities:
            raise InvalidInput(f"{sealed.name} 是加密文件，没有可用的密钥打开它")
        pyrage.decrypt_file(str(sealed), str(part), list(identities))
        _owner_only(part)
        part.replace(out)
    except pyrage.DecryptError:
        raise InvalidInput(f"{sealed.name} 不是加密给这把密钥的（或已损坏）：无法打开。"
                           "本机的备份用本机打开，村里的文件用乡镇的密钥文件打开") from None
    except OSError as exc:
        if "decrypt" not in str(exc):  # the disk, not the file's content
            raise
        raise InvalidInput(f"{sealed.name} 已损坏或被改动（加密内容校验不符）：无法打开") from None
    finally:
        part.unlink(missing_ok=True)


def desk_identities(home: Path) -> list[Any]:
    found = DeskKey(home).identity(create=False)
    return [found] if found is not None else []


def read_key_file(path: Path) -> list[Any]:
    """The identities in an age key file (the township's); a named refusal for anything else."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"无法读取密钥文件 {path}：{exc}") from None
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            found.append(pyrage.x25519.Identity.from_str(line))
        except Exception:
            raise InvalidInput(f"密钥文件 {path.name} 第 {number} 行不是 age 私钥（AGE-SECRET-KEY-1…）") from None
    if not found:
        raise InvalidInput(f"密钥文件 {path.name} 中没有 age 私钥")
    return found


@contextlib.contextmanager
def opened(path: Path, identities: Sequence[Any], scratch: Path) -> Iterator[Path]:
    """The plain file: `path` itself when it is not sealed, else a decrypted copy in `scratch`
    (removed afterwards)."""
    if not is_sealed(path):
        yield path
        return
    scratch.mkdir(parents=True, exist_ok=True)
    plain = scratch / f"{os.getpid()}-{Path(path).name.removesuffix(SUFFIX)}"
    try:
        unseal(path, plain, identities)
        yield plain
    finally:
        for extra in ("", "-wal", "-shm", "-journal"):
            Path(f"{plain}{extra}").unlink(missing_ok=True)


def _owner_only(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.chmod(0o600)

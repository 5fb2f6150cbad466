"""The device's private key and token, in the OS keyring only (Windows Credential Manager, the
Secret Service on Linux). Where there is no real keyring — none at all, or one that stores
secrets in a plain file (keyrings.alt) — sync is off and the desk works offline; a secret is
never written to a plain file."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.services.errors import Refused

SERVICE = "daishou-sync"
NO_KEYRING = ("本机没有可用的系统密钥库（Windows 凭据管理器或 Secret Service），设备密钥无法安全保存："
              "同步已关闭，收款照常离线进行；已日结的数据请在设置（F6）中按“导出到U盘”交县里")
LOCKED = ("系统密钥库已锁定或打不开，设备密钥无法{verb}：请先解锁（Windows 重新登录本机账户；"
          "Linux 在「密码和密钥」中解锁登录密钥环）后再{then}")
UNSPENT = "；注册码没有用掉，可以再用"


class NoKeyring(Refused):
    code = "no_keyring"


class KeyringLocked(NoKeyring):
    """A keyring is there but refuses (locked, or its service not running): said in one line,
    never a traceback, and asked before the county spends the one-time code."""

    code = "keyring_locked"


@contextmanager
def _usable(verb: str, then: str) -> Iterator[None]:
    from keyring.errors import KeyringError

    try:
        yield
    except KeyringError as exc:  # KeyringLocked, InitError, PasswordSetError …
        raise KeyringLocked(LOCKED.format(verb=verb, then=then)) from exc


def _keyring() -> Any:
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        raise NoKeyring(NO_KEYRING) from None
    backend = keyring.get_keyring()
    names = [type(b).__module__ for b in getattr(backend, "backends", [backend])]
    if isinstance(backend, fail.Keyring) or not names or all(
            n.startswith(("keyrings.alt", "keyring.backends.null", "keyring.backends.fail")) for n in names):
        raise NoKeyring(NO_KEYRING)
    return keyring


class DeviceSecrets:
    """The secrets of one data folder's device."""

    def __init__(self, home: Path) -> None:
        self.key = str(Path(home).resolve())

    def check(self) -> None:
        """Raises NoKeyring where secrets cannot be kept: asked before the county is asked, so
        the one-time enrolment code is not used up by a PC that could not keep its key. A
        keyring that is there but locked only says so when written to: a probe is written and
        removed again."""
        kr = _keyring()
        with _usable("保存", "注册" + UNSPENT):
            kr.set_password(SERVICE, f"{self.key}#probe", "1")
            kr.delete_password(SERVICE, f"{self.key}#probe")

    def save(self, private_key: Ed25519PrivateKey, token: str) -> None:
        kr = _keyring()
        raw = private_key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                        serialization.NoEncryption())
        with _usable("保存", "注册"):
            kr.set_password(SERVICE, f"{self.key}#key", base64.b64encode(raw).decode())
            kr.set_password(SERVICE, f"{self.key}#token", token)

    def load(self) -> tuple[Ed25519PrivateKey, str] | None:
        kr = _keyring()
        with _usable("读取", "同步"):
            raw = kr.get_password(SERVICE, f"{self.key}#key")
            token = kr.get_password(SERVICE, f"{self.key}#token")
        if not raw or not token:
            return None
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(raw)), str(token)

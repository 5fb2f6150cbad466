"""The key a desk with no OS keyring signs its USB files with, and the export for the stick.

Where the key lives, and what that costs: without a keyring there is no place on the PC that
keeps a secret from whoever can read the data folder. The key is a file of its own in the data
folder (`usb-signing-key.pem`, readable by this user only), never in the ledger database, so the
backups that leave the PC on the stick do not carry it. Whoever copies the data folder can sign
files as this device; what they can make the county take is still only a chain that continues
the one it holds and passes the same rules, with every sign-off signed by a key only that
person's PIN unlocks. A desk that does have a keyring keeps using its enrolled key instead.

The key is made the first time the agent binds it with the county's code (not at `init`: a desk
that syncs online never needs it).
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.services.desk import Desk
from app.services.errors import Refused
from sync import protocol as p
from sync.usb_file import Binding, binding_proof, code_problem, code_sha256

KEY_FILE = "usb-signing-key.pem"


class BadUsbCode(Refused):
    code = "bad_usb_code"


def _raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_path(desk: Desk) -> Path:
    return desk.home / KEY_FILE


def load_key(desk: Desk) -> Ed25519PrivateKey | None:
    path = key_path(desk)
    if not path.exists():
        return None
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} 不是本机的U盘签名密钥")
    return key


def _make_key(desk: Desk) -> Ed25519PrivateKey:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path = key_path(desk)
    tmp = path.with_name(path.name + ".part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)
    return key


def bind(desk: Desk, code: str) -> Binding:
    """Bind this desk's USB key to the county's one-time code for this device: only the proof is
    kept (in the sync state, beside the acknowledgements), never the code."""
    problem = code_problem(code)
    if problem is not None:
        raise BadUsbCode(problem)
    key = load_key(desk) or _make_key(desk)
    device_id = desk.sync.device_id()
    public = p.b64(_raw_public(key))
    binding = Binding(device_id=device_id, public_key=public,
                      proof=binding_proof(code_sha256(code), device_id, public))
    desk.sync.update(usb_binding=binding.model_dump())
    return binding


def bound(desk: Desk) -> tuple[Ed25519PrivateKey, Binding] | None:
    """The USB key and its binding, when the agent bound one for this device; else None."""
    stored = desk.sync.state().get("usb_binding")
    key = load_key(desk)
    if not stored or key is None:
        return None
    binding = Binding.model_validate(stored)
    if binding.public_key != p.b64(_raw_public(key)) or binding.device_id != desk.sync.device_id():
        return None  # the key file was replaced, or the desk is another device now: bind again
    return key, binding

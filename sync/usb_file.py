"""The file a desk with no network writes for a USB stick, shared by the desk and the county.

A desk that never reached the county has no token and, without an OS keyring, no enrolled key.
It signs with a key of its own (`sync.usb_key`) and binds that key to the county's registration
the way an online enrolment does: with the county's one-time code for that device. The code itself
never goes on the stick; the file carries a proof, HMAC-SHA256 keyed by SHA-256 of the code over
the device and its public key. The county keeps only SHA-256 of each code, so it can check the
proof, and it binds the key on the first import exactly as `enrol` binds it online: the code is
then used up, and a file from any other key is refused.

Whoever copies a stick may try codes offline against the proof: that is why a code for a USB
desk is 16 characters (80 bits, `USB_CODE_LENGTH`), not the 8 an online enrolment types while the
server counts failed tries.
"""

from __future__ import annotations

import hashlib
import hmac

from pydantic import BaseModel, Field

from sync.protocol import Batch

USB_FORMAT = "daishou-usb-1"
USB_CODE_LENGTH = 16
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # the county's alphabet (sync.server.service)


class Binding(BaseModel):
    """Ties `public_key` to the county's one-time code for `device_id` without revealing it."""

    device_id: str
    public_key: str  # base64 of the raw Ed25519 public key
    proof: str  # hex HMAC-SHA256, see binding_proof


class UsbFile(BaseModel):
    format: str = USB_FORMAT
    binding: Binding | None = None  # None: the device enrolled online, its key is known already
    batches: list[Batch] = Field(min_length=1, max_length=1000)


def normalise_code(code: str) -> str:
    return code.strip().upper().replace("-", "").replace(" ", "")


def code_problem(code: str) -> str | None:
    """What is wrong with a code typed for a USB binding, in words for the agent; None when fine."""
    plain = normalise_code(code)
    if not plain:
        return "请填写县里给本机的U盘注册码（16位，如 ABCD-EFGH-JKLM-NPQR）"
    if len(plain) != USB_CODE_LENGTH or any(c not in CODE_ALPHABET for c in plain):
        return (f"U盘注册码是16位字母和数字（如 ABCD-EFGH-JKLM-NPQR），这里填的是{len(plain)}位："
                "请核对县里给的注册码；8位的联网注册码不能用于U盘导出")
    return None


def binding_proof(code_sha256_hex: str, device_id: str, public_key: str) -> str:
    """HMAC-SHA256 keyed by SHA-256 of the normalised code (what the county stores) over the
    device and its key: it proves knowledge of the code for this device and this key only."""
    message = f"{USB_FORMAT}|{device_id}|{public_key}".encode()
    return hmac.new(bytes.fromhex(code_sha256_hex), message, hashlib.sha256).hexdigest()


def code_sha256(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()

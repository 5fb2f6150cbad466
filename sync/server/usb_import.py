"""`daishou-server import`: a file a desk wrote for a USB stick, through the same checks as an
upload, in one transaction (a refusal stores nothing: no entry, no binding, no used code).

A desk that never went online binds its key here, on the first import, as `enrol` binds one
online: the file's proof must match a one-time code the county issued for that very device,
unused and unexpired; the code is then used up. After that only files signed by the bound key
are taken (`sync.usb_file` says why the code itself never travels on the stick).
"""

from __future__ import annotations

import hmac
import json

from pydantic import ValidationError
from sqlmodel import Session, select

from sync import protocol as p
from sync.server import models as m
from sync.server import service
from sync.server.service import ServerRefusal
from sync.usb_file import Binding, UsbFile, binding_proof


def read_file(raw: str) -> UsbFile:
    """The USB envelope, or a bare batch as older desks wrote it."""
    try:
        doc = json.loads(raw)
        if isinstance(doc, dict) and "batches" in doc:
            return UsbFile.model_validate(doc)
        return UsbFile(batches=[p.Batch.model_validate(doc)])
    except (ValueError, ValidationError):
        raise ServerRefusal(400, "bad_file", "这不是代收程序导出的U盘文件（或文件已损坏）") from None


def import_file(s: Session, raw: str) -> list[p.BatchResult]:
    """Every batch of the file in order; a refusal raises ServerRefusal and the caller's
    transaction rolls back everything the file did."""
    usb = read_file(raw)
    device_id = usb.batches[0].device_id
    if any(b.device_id != device_id for b in usb.batches):
        raise ServerRefusal(400, "mixed_devices", "文件里有不止一台设备的记录")
    device = s.get(m.Device, device_id)
    if device is None:
        raise ServerRefusal(404, "unknown_device", f"县里没有登记设备 {device_id}")
    if usb.binding is not None and usb.binding.public_key != device.public_key:
        _bind(s, device, usb.binding)
    elif device.public_key is None:
        raise ServerRefusal(403, "unknown_key", f"设备 {device_id} 还没有在县里绑定密钥，文件里也没有注册证明："
                                                "请让村里在导出时填写县里给的U盘注册码")
    results = []
    for batch in usb.batches:
        try:
            service.check_signature(device, batch)
        except ServerRefusal as exc:
            if exc.code == "bad_signature" and usb.binding is None:
                raise ServerRefusal(403, "unknown_key", f"文件不是用县里为设备 {device_id} 绑定的密钥签的："
                                                        "不予导入") from None
            raise
        results.append(service.accept_batch(s, device, batch, raw=raw))
        if results[-1].status is p.BatchStatus.CONFLICT:
            break
    return results


def _bind(s: Session, device: m.Device, binding: Binding) -> None:
    if binding.device_id != device.id:
        raise ServerRefusal(400, "wrong_device", f"文件的注册证明属于设备 {binding.device_id}，记录却是设备 {device.id} 的")
    try:
        p.unb64(binding.public_key)
    except ValueError:
        raise ServerRefusal(400, "bad_key", "设备公钥格式不对") from None
    codes = s.exec(select(m.EnrolmentCode).where(m.EnrolmentCode.device_id == device.id)).all()
    match = next((c for c in codes if hmac.compare_digest(
        binding_proof(c.code_sha256, device.id, binding.public_key), binding.proof)), None)
    if match is None:
        if device.public_key is not None:
            raise ServerRefusal(403, "unknown_key", f"文件不是用县里为设备 {device.id} 绑定的密钥签的，"
                                                    "其注册证明也不对应县里为该设备发的注册码：不予导入")
        raise ServerRefusal(403, "bad_code", f"文件的注册证明不对应县里为设备 {device.id} 发的任何注册码"
                                             "（别的村、别的设备的注册码，或抄错了）：不予导入")
    if match.used_at is not None:
        raise ServerRefusal(403, "code_used", f"设备 {device.id} 的这个注册码已经用过：请县里重新发注册码，"
                                              "村里在导出时重新填写")
    if match.expires_at < service.now():
        raise ServerRefusal(403, "code_expired", f"设备 {device.id} 的注册码已过期：请县里重新发注册码")
    device.public_key = binding.public_key
    device.token_sha256 = None  # an online token of an older key no longer speaks for the device
    device.enrolled_at = service.now()
    match.used_at = service.now()
    s.add(device)
    s.add(match)
    s.flush()

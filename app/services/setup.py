"""The device identity (village, township, device number) and the county configuration."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import datetime
from functools import cached_property

from app.domain.canonical import canonical_json
from app.domain.config import ConfigError, CountyConfig, load_config_text
from app.domain.entries import ABSENT, Absent, ConfigEntry, DeviceEntry
from app.domain.printer_settings import PrinterSettings
from app.domain.receipt_numbers import (
    validate_device_no,
    validate_township_code,
    validate_village_code,
)
from app.domain.records import Device, Role, UserInfo
from app.services import sync_state
from app.services.errors import InvalidInput, NotInitialised, Refused
from app.services.signoff import require_pin
from app.storage import journal, users
from app.storage import settings as store
from app.storage.database import Clock, Database

CONFIG_KEY = "county_config"


class Setup:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def init(self, *, village_code: str, village_name: str, township_code: str,
             device_no: int | str, township_name: str = "") -> Device:
        try:
            device = Device(
                validate_village_code(village_code),
                village_name.strip(),
                validate_township_code(township_code),
                township_name.strip(),
                validate_device_no(device_no),
            )
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
        if not device.village_name:
            raise InvalidInput("村名称不能为空")
        if not device.village_code.startswith(device.township_code[:9]):
            raise InvalidInput(
                f"村代码 {device.village_code} 不属于乡镇 {device.township_code}（前9位应相同）"
            )
        with self._db.write() as conn:
            if store.device(conn) is not None:
                raise Refused("本机已经初始化，村代码和设备号不能更改（收据号依赖它们）")
            store.insert_device(conn, device, self._clock())
            journal.append(conn, self._clock().isoformat(), device_entry(device))
        self.__dict__.pop("device", None)
        return device

    @cached_property
    def device(self) -> Device:
        with self._db.read() as conn:
            device = store.device(conn)
        if device is None:
            raise NotInitialised("本机尚未初始化：请先完成设置向导", command="daishou init")
        return device

    @property
    def initialised(self) -> bool:
        with self._db.read() as conn:
            return store.device(conn) is not None

    def import_config(self, text: str, *, by: UserInfo | None = None,
                      county_signature: str | None = None) -> CountyConfig:
        """Import the county configuration. It decides every amount due, so once a village head
        or an administrator exists one of them confirms it (`by`, signed in); at setup, before
        any user exists, nobody can. A configuration the county server sent down and signed for
        this device (`county_signature`) needs no local PIN: the county decides it."""
        try:
            config = load_config_text(text)
        except ConfigError as exc:
            raise InvalidInput(f"县级配置有误：{exc}") from None
        value = canonical_json(config.to_json())
        with self._db.write() as conn:
            authorities = users.names_with_role(conn, Role.HEAD.value, Role.ADMIN.value)
            county = county_signature is not None and sync_state.county_signed(
                conn, "config", text, county_signature)
            if county_signature is not None and not county:
                raise Refused("县级配置的县级服务器签名不对，未导入")
            if authorities and not county:
                if by is None or by.role not in (Role.HEAD, Role.ADMIN):
                    raise Refused("导入县级配置会改变应收金额，需要村委会负责人或管理员输入密码确认")
                require_pin(by)
            store.put(conn, CONFIG_KEY, value)
            journal.append(conn, self._clock().isoformat(),
                           config_entry(value, by="县级服务器" if county else (by.name if by else None)))
        self.__dict__.pop("config", None)
        return config

    @cached_property
    def config(self) -> CountyConfig:
        raw = self.get_setting(CONFIG_KEY)
        if raw is None:
            raise NotInitialised("尚未导入县级配置（档次、医保金额、代缴标准）：请在设置向导中导入乡镇社保中心提供的配置文件",
                                 command="daishou config import 文件")
        return load_config_text(raw)

    def get_setting(self, key: str) -> str | None:
        with self._db.read() as conn:
            return store.get(conn, key)

    def set_setting(self, key: str, value: str) -> None:
        if key == CONFIG_KEY:
            raise InvalidInput("县级配置只能用 config import 导入（它决定应收金额，须记入账本）")
        with self._db.write() as conn:
            store.put(conn, key, value)

    def settings(self) -> dict[str, str]:
        with self._db.read() as conn:
            return store.all_settings(conn)

    def printer(self) -> PrinterSettings:
        """The receipt printer as saved (PrinterSettings() when none is)."""
        return PrinterSettings.from_settings(self.settings())

    def save_printer(self, printer: PrinterSettings) -> None:
        """All four printer settings in one transaction."""
        with self._db.write() as conn:
            for key, value in printer.to_settings().items():
                store.put(conn, key, value)


def device_entry(device: Device) -> DeviceEntry:
    """What the journal holds of this PC's identity (receipt numbers depend on it)."""
    return DeviceEntry(device.village_code, device.village_name, device.township_code, device.township_name,
                       device.device_no)


def config_entry(value: str, *, by: str | None | Absent = ABSENT) -> ConfigEntry:
    """The county configuration as imported (it decides every amount due), with its hash; an
    entry adopted from a file of before configurations were journalled names nobody."""
    return ConfigEntry(value, hashlib.sha256(value.encode("utf-8")).hexdigest(), by)


def adopt_legacy_setup(conn: sqlite3.Connection, at: datetime) -> None:
    """A file from before the device and the configuration were journalled gets their entries
    once (called at sign-in, like the users')."""
    kinds = {kind for kind in ("device", "config") if journal.has_kind(conn, kind)}
    device = store.device(conn)
    if device is not None and "device" not in kinds:
        journal.append(conn, at.isoformat(), device_entry(device))
    config = store.get(conn, CONFIG_KEY)
    if config is not None and "config" not in kinds:
        journal.append(conn, at.isoformat(), config_entry(config))

"""The device identity (village, township, device number) and the county configuration."""

from __future__ import annotations

from functools import cached_property

from sqlmodel import select

from app.domain.canonical import canonical_json
from app.domain.config import ConfigError, CountyConfig, load_config_text
from app.domain.receipt_numbers import (
    validate_device_no,
    validate_township_code,
    validate_village_code,
)
from app.domain.records import Device
from app.services.database import Clock, Database
from app.services.errors import InvalidInput, NotInitialised, Refused
from app.storage.tables import DeviceRow, SettingRow

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
        with self._db.write() as s:
            if s.get(DeviceRow, 1) is not None:
                raise Refused("本机已经初始化，村代码和设备号不能更改（收据号依赖它们）")
            s.add(DeviceRow(id=1, village_code=device.village_code, village_name=device.village_name,
                            township_code=device.township_code, township_name=device.township_name,
                            device_no=device.device_no, created_at=self._clock()))
        self.__dict__.pop("device", None)
        return device

    @cached_property
    def device(self) -> Device:
        with self._db.read() as s:
            row = s.get(DeviceRow, 1)
            if row is None:
                raise NotInitialised("本机尚未初始化：请先运行 daishou init 或设置向导")
            return Device(row.village_code, row.village_name, row.township_code,
                          row.township_name, row.device_no)

    @property
    def initialised(self) -> bool:
        with self._db.read() as s:
            return s.get(DeviceRow, 1) is not None

    def import_config(self, text: str) -> CountyConfig:
        try:
            config = load_config_text(text)
        except ConfigError as exc:
            raise InvalidInput(f"县级配置有误：{exc}") from None
        self.set_setting(CONFIG_KEY, canonical_json(config.to_json()))
        self.__dict__.pop("config", None)
        return config

    @cached_property
    def config(self) -> CountyConfig:
        raw = self.get_setting(CONFIG_KEY)
        if raw is None:
            raise NotInitialised("尚未导入县级配置（档次、医保金额、代缴标准）：请运行 daishou config import")
        return load_config_text(raw)

    def get_setting(self, key: str) -> str | None:
        with self._db.read() as s:
            row = s.get(SettingRow, key)
            return row.value if row else None

    def set_setting(self, key: str, value: str) -> None:
        with self._db.write() as s:
            row = s.get(SettingRow, key)
            if row is None:
                s.add(SettingRow(key=key, value=value))
            else:
                row.value = value
                s.add(row)

    def settings(self) -> dict[str, str]:
        with self._db.read() as s:
            return {r.key: r.value for r in s.exec(select(SettingRow)).all()}

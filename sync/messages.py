"""What the desk's sync says when it cannot do its work (sync/client.py): the window's words
(MESSAGES), the command line's step (COMMANDS), and a county refusal read as what the county
refused and what the agent does next, never 「网络」."""

from __future__ import annotations

import httpx

from app.services.errors import DaishouError
from sync import protocol as p


class SyncError(DaishouError):
    """Sync could not be done; the message says what to do. `code` names the case."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, command=COMMANDS.get(code))
        self.code = code


# What the window says (MESSAGES) names the window's way; the command line adds its own (COMMANDS).
MESSAGES = {
    "not_enrolled": "本机尚未注册到县级服务器：请向县里索取注册码，在「设置 F6」填写县服务器地址和注册码，按「注册本机」",
    "token_refused": "县级服务器不认本机的凭证（可能已在别处重新注册）：请向县里索取新的注册码重新注册",
    "unreachable": "连不上县级服务器（{detail}）：收款照常进行，联网后会自动补传；或在设置（F6）中按“导出到U盘”",
    "usb_not_bound": "第一次导出到U盘：请在设置（F6）的“注册码”一栏填写县里给本机的U盘注册码（16位），再按“导出到U盘”",
}
COMMANDS = {
    "not_enrolled": "daishou enrol --server 地址 --code 注册码",
    "unreachable": "daishou export --out 文件",
}

# What the agent does when the county refuses an upload by one of its own rules (the server's
# named code; the server's message says what it found). Sending the same again cannot help.
COUNTY_REFUSED = "县里拒收了本次上传：{message}。{advice}"
ADVICE = {
    "foreign_number": "本机账本写了别的村或别的设备号的收据，请停止收款，立即联系乡镇社保所核查这台电脑",
    "foreign_serial": "本机登记的统一票据号段属于别的村，请停止使用这本票据，立即联系乡镇社保所核查",
    "foreign_device": "本机账本的设立记录不是县里注册的这台电脑，请停止收款，立即联系乡镇社保所核查",
    "bad_amount": "账本里有不合理的金额（负数、小数或过大），请联系乡镇社保所核查本机账本",
    "no_setup": "本机账本缺少设立记录（设备与县级配置），请联系县里重新设置这台电脑",
    "not_due": "收取的金额与县里清册的应缴金额不符且没有填写原因，请联系乡镇社保所核对处理后再同步",
    "beyond_county_config": "收据金额超出县里发布的县级配置，请联系乡镇社保所核对处理后再同步",
    "paid_twice": "同一人同一年度同一险种收了两次，请联系乡镇社保所，按规定作废多收的收据后再同步",
    "slip_reused": "解缴单号重复使用，请联系乡镇社保所核对解缴单后再同步",
}
CHAIN_ADVICE = "本机账本没有通过县里的核对，请联系乡镇社保所核查这台电脑；收款记录都保存在本机，不会丢失"


# Names of the journal kinds newer servers know, for the message when an older one does not.
KIND_LABELS = {"month_close": "月结", "ledger_scan": "台账扫描件", "paid_on_behalf": "代为缴费",
               "receipt_book": "统一票据登记", "serial_spoiled": "作废票据", "posting_evidence": "公示佐证"}


def refused(response: httpx.Response) -> SyncError:
    """The county's refusal as the agent reads it: a named county rule with what to do, a
    credential the county no longer takes, or the server's own words."""
    try:
        refusal = p.Refusal.model_validate(response.json())
    except ValueError:
        return SyncError("unreachable", MESSAGES["unreachable"].format(detail=f"HTTP {response.status_code}"))
    if refusal.code in ("no_token", "bad_token"):
        return SyncError("token_refused", MESSAGES["token_refused"])
    if response.status_code == 422 and refusal.code != "invalid_request":  # a county rule, named
        advice = ADVICE.get(refusal.code, CHAIN_ADVICE)
        return SyncError(refusal.code, COUNTY_REFUSED.format(message=refusal.message.rstrip("。"), advice=advice))
    return SyncError(refusal.code, refusal.message)

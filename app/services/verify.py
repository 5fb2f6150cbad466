"""Recompute the journal's hash chain and every table derived from it."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.domain.canonical import GENESIS_HASH


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    first_bad_seq: int | None
    reason: str | None

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.entries, "first_bad_seq": self.first_bad_seq,
                "reason": self.reason}


class _Bad(Exception):
    def __init__(self, seq: int | None, reason: str) -> None:
        super().__init__(reason)
        self.seq, self.reason = seq, reason


def verify_database(path: Path) -> VerifyResult:
    """Read-only check of a database file; plain sqlite3 so it is fast over 100,000 entries."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    entries = 0
    try:
        entries = int(conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0])
        expected = _replay_chain(conn)
        _compare_projections(conn, expected)
    except _Bad as bad:
        return VerifyResult(False, entries, bad.seq, bad.reason)
    finally:
        conn.close()
    return VerifyResult(True, entries, None, None)


def _replay_chain(conn: sqlite3.Connection) -> dict[str, dict[tuple[Any, ...], int | None]]:
    prev = GENESIS_HASH
    want: dict[str, dict[tuple[Any, ...], int | None]] = defaultdict(dict)
    receipts: dict[str, dict[str, Any]] = {}
    voided: set[str] = set()
    settled: set[str] = set()
    receipt_seq = 0
    sha = hashlib.sha256
    for n, (seq, kind, at, body, prev_hash, digest) in enumerate(conn.execute(
            "SELECT seq, kind, recorded_at, body, prev_hash, hash FROM journal ORDER BY seq"), start=1):
        if seq != n:
            raise _Bad(n, f"日志第 {n} 条缺失（下一条是第 {seq} 条）")
        if prev_hash != prev:
            raise _Bad(seq, f"第 {seq} 条的前一哈希与第 {seq - 1} 条的哈希不符")
        if sha((prev + body).encode("utf-8")).hexdigest() != digest:
            raise _Bad(seq, f"第 {seq} 条的内容与其哈希不符（记录被修改）")
        entry = json.loads(body)
        if entry.get("seq") != seq or entry.get("kind") != kind or entry.get("recorded_at") != at:
            raise _Bad(seq, f"第 {seq} 条的序号、类型或时间与内容不符")
        d = entry["data"]
        prev = digest
        if kind == "receipt":
            receipt_seq += 1
            if d["receipt_seq"] != receipt_seq:
                raise _Bad(seq, f"收据序号不连续：应为 {receipt_seq}，实为 {d['receipt_seq']}")
            if d["day"] in settled:
                raise _Bad(seq, f"收据 {d['number']} 记在已日结的 {d['day']}")
            if sum(ln["amount_fen"] for ln in d["lines"]) != d["total_fen"] or \
                    d["cash_fen"] - d["total_fen"] != d["change_fen"]:
                raise _Bad(seq, f"收据 {d['number']} 的合计或找零与明细不符")
            receipts[d["number"]] = d
            p = d["payer"]
            want["receipt"][(d["number"], d["receipt_seq"], seq, d["day"], p["id_number"], p["name"],
                             d["agent"], d["total_fen"], d["cash_fen"], d["change_fen"],
                             d["payer_signoff"], d["signature_sha256"], d["override_reason"])] = seq
            for i, ln in enumerate(d["lines"], start=1):
                want["receipt_line"][(d["number"], i, ln["id_number"], ln["name"], ln["insurance"],
                                      ln["year"], ln["tier_fen"], ln["amount_fen"], ln["due_fen"])] = seq
            if d["signature_sha256"]:
                want["signature"][(d["signature_sha256"],)] = seq
        elif kind == "void":
            r = receipts.get(d["number"])
            if r is None or d["number"] in voided or r["day"] in settled:
                raise _Bad(seq, f"作废记录指向不存在、已作废或已日结的收据 {d['number']}")
            voided.add(d["number"])
            want["void"][(d["number"], seq, d["day"], d["reason"], d["agent"], d["head"])] = seq
        elif kind == "settlement":
            valid = [r for r in receipts.values() if r["day"] == d["day"] and r["number"] not in voided]
            if sum(r["total_fen"] for r in valid) != d["expected_fen"] or d["day"] in settled:
                raise _Bad(seq, f"{d['day']} 的日结应收金额与当日收据不符")
            settled.add(d["day"])
            want["settlement"][(d["day"], seq, d["expected_fen"], d["counted_fen"], d["difference_fen"],
                                d["reason"], d["receipts"], d["voids"], d["agent"], d["head"])] = seq
        elif kind == "remittance":
            want["remittance"][(seq, d["slip_no"], d["amount_fen"], d["day"])] = seq
        else:
            raise _Bad(seq, f"第 {seq} 条的类型「{kind}」未知")
    return want


_QUERIES = {
    "receipt": "SELECT number, receipt_seq, journal_seq, day, payer_id_number, payer_name, agent, "
               "total_fen, cash_fen, change_fen, payer_signoff, signature_sha256, override_reason FROM receipt",
    "receipt_line": "SELECT receipt_number, line_no, id_number, name, insurance, year, tier_fen, "
                    "amount_fen, due_fen FROM receipt_line",
    "void": "SELECT receipt_number, journal_seq, day, reason, agent, head FROM void",
    "settlement": "SELECT day, journal_seq, expected_fen, counted_fen, difference_fen, reason, receipts, "
                  "voids, agent, head FROM settlement",
    "remittance": "SELECT journal_seq, slip_no, amount_fen, day FROM remittance",
}

_LABELS = {"receipt": "收据", "receipt_line": "收据明细", "void": "作废", "settlement": "日结",
           "remittance": "解缴", "signature": "签名图像"}


def _compare_projections(conn: sqlite3.Connection,
                         want: dict[str, dict[tuple[Any, ...], int | None]]) -> None:
    problems: list[tuple[int, str]] = []
    for table, query in _QUERIES.items():
        have = {tuple(r) for r in conn.execute(query)}
        expected = want.get(table, {})
        for row in expected.keys() - have:
            seq = int(expected[row] or 0)
            problems.append((seq, f"{_LABELS[table]}表与日志第 {seq} 条不符或缺失：{row[0]}"))
        for row in have - expected.keys():
            problems.append((_seq_of(table, row), f"{_LABELS[table]}表有日志中没有的记录：{row[0]}"))
    for digest, png in conn.execute("SELECT sha256, png FROM signature"):
        if hashlib.sha256(png).hexdigest() != digest:
            problems.append((0, f"签名图像 {digest[:12]} 与其哈希不符"))
    for (digest,), sig_seq in want.get("signature", {}).items():
        if conn.execute("SELECT 1 FROM signature WHERE sha256 = ?", (digest,)).fetchone() is None:
            problems.append((sig_seq or 0, f"日志第 {sig_seq} 条的签名图像缺失"))
    if problems:
        seq, reason = min(problems, key=lambda p: (p[0] == 0, p[0]))
        raise _Bad(seq or None, reason)


def _seq_of(table: str, row: tuple[Any, ...]) -> int:
    index = {"receipt": 2, "void": 1, "settlement": 1, "remittance": 0}.get(table)
    value = row[index] if index is not None else 0
    return int(value) if isinstance(value, int) else 0

"""Core figures: receipt latency against a bare sqlite3 INSERT+COMMIT, verify over 100,000 entries."""

from __future__ import annotations

import hashlib
import sqlite3
import statistics
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import orjson

from app.domain.canonical import GENESIS_HASH, canonical_json
from app.domain.countersign import new_signer, seal, signing_bytes, stretch, unseal
from app.domain.insurance import Insurance
from app.services.desk import Desk
from app.services.receipts import LineRequest
from app.storage.db import connect_raw, open_database
from app.storage.journal import entry_hash
from tests.factories import CONFIG_PATH, Resident, county_ack, make_id, signed_agent, write_roster

RECEIPTS = 300  # a round
ROUNDS = 5
VERIFY_ENTRIES = 100_000
VERIFY_RUNS = 3  # verify and its baselines each run this many times; the median is printed
UNACKNOWLEDGED = 1_000  # the newest entries not yet acknowledged by the county (a day or two of a busy desk)


def _pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def _people(n: int) -> list[Resident]:
    out, seen = [], set()
    i = 0
    while len(out) < n:
        idn = make_id(date(1950 + i % 50, 1 + i % 12, 1 + i % 28), (i // 600) % 100)
        i += 1
        if idn not in seen:
            seen.add(idn)
            out.append(Resident(idn, "张三", pension_tier=None, household=f"{i:06d}"))
    return out


def _setup(home: Path, people: list[Resident], tmp: Path) -> Desk:
    desk = Desk(home)
    desk.setup.init(village_code="341824100201", village_name="示范村", township_code="341824100",
                    device_no=1)
    desk.setup.import_config(CONFIG_PATH.read_text(encoding="utf-8"))
    desk.users.add("李代收", "agent", "1234")
    desk.roster.import_file(write_roster(tmp / "roster.csv", people), by=signed_agent(desk))
    return desk


class BareInsertCommit:
    """The floor for a durable write: one INSERT and COMMIT in WAL mode with synchronous=FULL."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("CREATE TABLE t (seq INTEGER PRIMARY KEY, body TEXT, hash TEXT)")
        self.body = "x" * 700  # about the size of one receipt's journal entry
        self.n = 0
        # Until its WAL first reaches the checkpoint (1,000 pages) and starts over, every commit
        # also grows the file, and fsync then costs about twice as much (0.25 against 0.13 ms
        # here). The desk's WAL is past that after the roster import: compare both steady.
        for _ in range(1_200):
            self.once()

    def once(self) -> float:
        self.n += 1
        t0 = time.perf_counter()
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("INSERT INTO t VALUES (?, ?, ?)", (self.n, self.body, "h" * 64))
        self.conn.execute("COMMIT")
        return time.perf_counter() - t0


class BareReceiptRows(BareInsertCommit):
    """The floor for this schema: the rows one receipt is (its journal entry, the receipt, one
    line) inserted bare into a database of the desk's own frozen schema, with every index and
    trigger, in one BEGIN IMMEDIATE..COMMIT; no rule checked, nothing read first. What the desk
    adds on top of this is its own cost; what this adds on top of one row is the schema's."""

    def __init__(self, path: Path) -> None:
        open_database(path)
        self.conn = connect_raw(path)
        self.body = "x" * 700
        self.n = 0
        self.prev = GENESIS_HASH
        for _ in range(1_200):
            self.once()

    def once(self) -> float:
        self.n += 1
        n = self.n
        number = f"341824100201-01-{n:06d}"
        idn = make_id(date(1950 + n % 50, 1 + n % 12, 1 + n % 28), n % 100)
        digest = hashlib.sha256(str(n).encode()).hexdigest()  # random, like an entry's hash
        t0 = time.perf_counter()
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("INSERT INTO journal VALUES (?, 'receipt', '2026-11-20T09:00:00', ?, ?, ?)",
                          (n, self.body, self.prev, digest))
        self.conn.execute("INSERT INTO receipt (number, receipt_seq, journal_seq, day, recorded_at, "
                          "payer_id_number, payer_name, agent, total_fen, cash_fen, change_fen, payer_signoff, "
                          "signature_sha256, override_reason) VALUES (?, ?, ?, '2026-11-20', "
                          "'2026-11-20 09:00:00.000000', ?, '张三', '李代收', 40000, 40000, 0, 'paper', NULL, NULL)",
                          (number, n, n, idn))
        self.conn.execute("INSERT INTO receipt_line VALUES (?, 1, ?, '张三', 'medical', 2027, NULL, 40000, 40000)",
                          (number, idn))
        self.conn.execute("COMMIT")
        took = time.perf_counter() - t0
        self.prev = digest
        return took


def receipt_latency(tmp: Path) -> dict[str, Any]:
    """Receipts and bare commits interleaved (one of each in turn) so both see the same disk and
    the same neighbours, both with a WAL in its steady state; the ratio is the median over
    ROUNDS rounds of each round's p50 ratio."""
    people = _people(RECEIPTS * ROUNDS)
    desk = _setup(tmp / "home", people, tmp)
    agent = desk.users.authenticate("李代收", "1234")
    bare = BareInsertCommit(tmp / "bare.sqlite3")
    rows = BareReceiptRows(tmp / "rows.sqlite3")
    ratios, row_ratios, all_rec, all_bare, all_rows = [], [], [], [], []
    for r in range(ROUNDS):
        rec, base, same = [], [], []
        for p in people[r * RECEIPTS:(r + 1) * RECEIPTS]:
            t0 = time.perf_counter()
            desk.receipts.record(agent, [LineRequest(p.id_number, Insurance.MEDICAL, 2027)], cash_fen=40000)
            rec.append(time.perf_counter() - t0)
            base.append(bare.once())
            same.append(rows.once())
        ratios.append(_pct(rec, 0.5) / _pct(base, 0.5))
        row_ratios.append(_pct(rec, 0.5) / _pct(same, 0.5))
        all_rec += rec
        all_bare += base
        all_rows += same
    desk.close()
    bare.conn.close()
    rows.conn.close()
    p50, p95 = _pct(all_rec, 0.5), _pct(all_rec, 0.95)
    b50, b95 = _pct(all_bare, 0.5), _pct(all_bare, 0.95)
    return {"receipts": len(all_rec), "rounds": ROUNDS, "record_p50_ms": round(p50 * 1e3, 3),
            "record_p95_ms": round(p95 * 1e3, 3), "bare_insert_commit_p50_ms": round(b50 * 1e3, 3),
            "bare_insert_commit_p95_ms": round(b95 * 1e3, 3),
            "round_ratios_p50": [round(x, 2) for x in ratios],
            "ratio_p50_median_of_rounds": round(statistics.median(ratios), 2),
            "ratio_p95": round(p95 / b95, 2), "goal_ratio": 2,
            "bare_receipt_rows_commit_p50_ms": round(_pct(all_rows, 0.5) * 1e3, 3),
            "bare_receipt_rows_ratio_to_one_row": round(_pct(all_rows, 0.5) / b50, 2),
            "round_ratios_to_receipt_rows_p50": [round(x, 2) for x in row_ratios],
            "ratio_to_receipt_rows_median_of_rounds": round(statistics.median(row_ratios), 2)}


def _bulk_journal(desk: Desk, people: list[Resident], n: int) -> None:
    """Write n genuine receipt entries (same format as Receipts.record) in one transaction."""
    conn = sqlite3.connect(desk.db.path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    last = conn.execute("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
    first, prev = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)  # after the users' entries
    day = date(2026, 11, 20)
    at = datetime(2026, 11, 20, 9, 0).isoformat()
    journal, receipts, lines = [], [], []
    signer = signed_agent(desk).signer  # each receipt carries its agent's signature, as recorded
    assert signer is not None
    for rseq in range(1, n + 1):
        seq = first + rseq - 1
        p = people[rseq % len(people)]
        number = f"341824100201-01-{rseq:06d}"
        line = {"id_number": p.id_number, "name": p.name, "insurance": "medical", "year": 2027,
                "tier_fen": None, "amount_fen": 40000, "due_fen": 40000}
        data = {"number": number, "receipt_seq": rseq, "day": day.isoformat(), "village_code": "341824100201",
                "device_no": 1, "payer": {"id_number": p.id_number, "name": p.name}, "lines": [line],
                "total_fen": 40000, "cash_fen": 40000, "change_fen": 0, "agent": "李代收",
                "payer_signoff": "paper", "signature_sha256": None, "override_reason": None}
        data["sigs"] = {"李代收": signer.sign(signing_bytes(seq, "receipt", at, data))}
        body = canonical_json({"seq": seq, "kind": "receipt", "recorded_at": at, "data": data})
        digest = entry_hash(prev, body)
        journal.append((seq, "receipt", at, body, prev, digest))
        receipts.append((number, rseq, seq, day.isoformat(), at, p.id_number, p.name, "李代收", 40000, 40000, 0,
                         "paper", None, None))
        lines.append((number, 1, p.id_number, p.name, "medical", 2027, None, 40000, 40000))
        prev = digest
    conn.executemany("INSERT INTO journal VALUES (?, ?, ?, ?, ?, ?)", journal)
    conn.executemany("INSERT INTO receipt (number, receipt_seq, journal_seq, day, recorded_at, payer_id_number, "
                     "payer_name, agent, total_fen, cash_fen, change_fen, payer_signoff, signature_sha256, "
                     "override_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", receipts)
    conn.executemany("INSERT INTO receipt_line VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", lines)
    conn.execute("COMMIT")
    # A season's receipts were committed one by one, the log checkpointed as it went; one
    # transaction of 100,000 would leave them all in a 128 MB write-ahead log, read through its
    # index (about a third slower), which no desk ever has.
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def verify_speed(tmp: Path) -> dict[str, Any]:
    """`verify` of a season that went up to the county as it was recorded: all but the newest
    UNACKNOWLEDGED entries acknowledged (kept in the keyring as the sync keeps it), so their
    signatures are not checked again, and the rules replayed only after the state the first
    verify saved there; the first verify (every rule walked) and `verify --full` (every rule,
    every signature and SQLite's whole integrity check) once each; and the stages alone."""
    import keyring

    from tests.keyrings import MemoryKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())  # a desk with an OS keyring, as every Windows PC has
    try:
        return _verify_speed(tmp)
    finally:
        keyring.set_keyring(previous)


def _timed(run: Any) -> tuple[float, float, Any]:
    """(wall s, CPU s of all threads, result) of one call."""
    t0, c0 = time.perf_counter(), time.process_time()
    result = run()
    return time.perf_counter() - t0, time.process_time() - c0, result


def _read_hash(path: Path) -> None:
    """The bare baseline: every journal body read and hashed with the hash before it."""
    conn = sqlite3.connect(path)
    for _seq, body, prev in conn.execute("SELECT seq, CAST(body AS BLOB), prev_hash FROM journal ORDER BY seq"):
        hashlib.sha256(prev.encode() + body).hexdigest()
    conn.close()


def _verify_speed(tmp: Path) -> dict[str, Any]:
    people = _people(2000)
    desk = _setup(tmp / "big", people, tmp)
    _bulk_journal(desk, people, VERIFY_ENTRIES)
    county_ack(desk, desk.sync.newest() - UNACKNOWLEDGED)
    # The first verify after the acknowledgement walks every rule and saves the state there
    # (app/storage/verify_state.py); the later ones replay rules only after it.
    first_wall, first_cpu, first = _timed(desk.verify)
    # verify and the bare read-and-hash alternated, so both see the same neighbours: the ratio is
    # the median of each pair's
    runs, cpu, hashes, hash_cpu, ratios = [], [], [], [], []
    for _ in range(VERIFY_RUNS):
        wall, used, result = _timed(desk.verify)
        runs.append(wall)
        cpu.append(used)
        wall, used, _ = _timed(lambda: _read_hash(desk.db.path))
        hashes.append(wall)
        hash_cpu.append(used)
        ratios.append(runs[-1] / wall)
    took, hashed = statistics.median(runs), statistics.median(hashes)
    took_full, full_cpu, full = _timed(lambda: desk.verify(full=True))
    stages = verify_stages(desk.db.path, result.acknowledged)
    desk.close()
    return {"verify_entries": result.entries, "verify_ok": first.ok and result.ok and full.ok,
            "verify_s": round(took, 3), "verify_runs_s": [round(x, 3) for x in runs],
            "verify_rules_replayed_after_seq": result.rules_from,
            "verify_signatures_checked_after_seq": result.acknowledged,
            "bare_read_hash_s": round(hashed, 3), "bare_read_hash_runs_s": [round(x, 3) for x in hashes],
            "verify_ratio_to_read_hash": round(statistics.median(ratios), 2),
            # CPU seconds (all threads): what a shared machine's neighbours do not move as much
            "verify_cpu_s": round(statistics.median(cpu), 3),
            "bare_read_hash_cpu_s": round(statistics.median(hash_cpu), 3),
            "verify_cpu_ratio_to_read_hash": round(statistics.median(cpu) / statistics.median(hash_cpu), 2),
            "verify_first_after_ack_s": round(first_wall, 3), "verify_first_after_ack_cpu_s": round(first_cpu, 3),
            "verify_first_rules_replayed_after_seq": first.rules_from,
            "verify_full_s": round(took_full, 3), "verify_full_cpu_s": round(full_cpu, 3),
            "verify_full_ratio_to_read_hash": round(took_full / hashed, 2),
            "verify_stages": stages, "goal_verify_s": 0.6}


def verify_stages(path: Path, acknowledged: int) -> dict[str, Any]:
    """Where verify's time goes: each part alone, one after the other (in verify they overlap on
    two cores), as [wall s, CPU s], the median of VERIFY_RUNS, beside the bare read and
    read-and-hash of the journal."""
    from app.storage import verify, verify_receipts, verify_tables

    def snapshot(check: Any) -> Any:
        conn = verify._snapshot(path)
        try:
            return check(conn)
        finally:
            conn.close()

    def read() -> None:
        conn = sqlite3.connect(path)
        for _ in conn.execute("SELECT seq, kind, recorded_at, CAST(body AS BLOB), prev_hash, hash FROM journal"):
            pass
        conn.close()

    def parse() -> None:
        conn = sqlite3.connect(path)
        for _seq, body, prev in conn.execute("SELECT seq, CAST(body AS BLOB), prev_hash FROM journal ORDER BY seq"):
            hashlib.sha256(prev.encode() + body).hexdigest()
            orjson.loads(body)
        conn.close()

    saved = snapshot(lambda c: verify._walk_chain(c, acknowledged, None, acknowledged))[1]
    assert saved is not None
    saved_rows = snapshot(lambda c: verify_receipts.compare_receipt_rows(c, keep_at=acknowledged)).digest
    parts = {
        "bare_read": read,
        "bare_read_hash": lambda: _read_hash(path),
        "bare_read_hash_parse": parse,
        "rules_every_entry": lambda: snapshot(lambda c: verify._walk_chain(c, acknowledged, None, 0)),
        "rules_after_saved_state": lambda: snapshot(lambda c: verify._walk_chain(c, acknowledged, saved, 0)),
        "receipt_tables_sql": lambda: snapshot(verify_receipts.compare_receipt_rows),
        "receipt_tables_after_saved_digest": lambda: snapshot(lambda c: verify_receipts.compare_receipt_rows(
            c, saved_at=saved.seq, saved_digest=saved_rows)),
        "quick_check": lambda: snapshot(lambda c: c.execute("PRAGMA quick_check").fetchall()),
        "rows_without_entry_images_triggers": lambda: snapshot(
            lambda c: verify_tables.rows_without_entries(c) + verify_tables.compare_signatures(c)
            + verify_tables.trigger_checks(c)),
        "integrity_check_full_only": lambda: snapshot(lambda c: c.execute("PRAGMA integrity_check").fetchall()),
    }
    out: dict[str, Any] = {}
    for name, run in parts.items():
        samples = [_timed(run)[:2] for _ in range(VERIFY_RUNS)]
        out[name] = [round(statistics.median(s[0] for s in samples), 3),
                     round(statistics.median(s[1] for s in samples), 3)]
    return out


def pin_guess_cost() -> dict[str, Any]:
    """What one guess at a PIN in a stolen file costs (the scrypt cost every new hash is made
    with), beside one bare sha256 of the same PIN: the goal is at least 100 ms a guess."""
    import os

    from app.services.users import KDF, hash_pin

    salt = os.urandom(16)
    times, bare = [], []
    for _ in range(5):
        t0 = time.perf_counter()
        hash_pin("135790", salt)
        times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        hashlib.sha256(salt + b"135790").digest()
        bare.append(time.perf_counter() - t0)
    guess = statistics.median(times)
    # A guess at the PIN against the sealed signing key in the journal: one scrypt run (the same
    # cost, it gives the PIN hash and the sealing key at once) and one AES-GCM open.
    signer = new_signer("王村长")
    sealed = seal(signer, stretch("135790", salt, KDF), salt, KDF)
    unlocks = []
    for _ in range(5):
        t0 = time.perf_counter()
        unseal(sealed, stretch("135790", salt, KDF), "王村长", signer.public_hex)
        unlocks.append(time.perf_counter() - t0)
    unlock = statistics.median(unlocks)
    return {"pin_kdf": KDF, "pin_guess_ms": round(guess * 1e3, 1), "key_unlock_guess_ms": round(unlock * 1e3, 1),
            "key_unlock_ratio_to_sha256": round(unlock / statistics.median(bare)),
            "six_digit_key_space_hours": round(10**6 * unlock / 3600, 1),
            "bare_sha256_us": round(statistics.median(bare) * 1e6, 2),
            "six_digit_pin_space_hours": round(10**6 * guess / 3600, 1), "goal_pin_guess_ms": 100}


def main() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        out = pin_guess_cost()
        out |= receipt_latency(tmp)
        out |= verify_speed(tmp)
    out["median_of_ratios_note"] = "figures vary on a shared machine; compare ratios, not absolutes"
    return out

"""The destruction ledger: every destruction is also written outside the database, so that restoring a
backup taken before it cannot bring the person back (``reapply_destructions`` reads the ledger).

One JSON line per destroyed person, appended to ``DESTRUCTION_LEDGER_DIR/destructions.jsonl`` and never
rewritten. A line names no one: its number, the keyed hash of the person's id, the reason and the time.
Each line also carries a keyed hash (HMAC-SHA256) of its content and of the line before it, so a line
changed, removed, reordered or inserted breaks the chain from there on and ``verify`` names where.

Lines are written and synced before the purge's transaction commits: a crash in between leaves a line
for someone still on file (re-applying finishes their destruction), never a destruction without one.
"""

import fcntl
import hashlib
import hmac
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings

FILE_NAME = "destructions.jsonl"
START = "0" * 64  # what the first line chains to
TAIL_BYTES = 8192  # more than one line: where appending looks for the last line


class LedgerError(Exception):
    """The ledger has been altered: the line named does not follow from the ones before it."""

    def __init__(self, line: int, why: str):
        super().__init__(f"Destruction ledger line {line}: {why}")
        self.line = line


@dataclass(frozen=True)
class Entry:
    subject_hash: str
    reason: str
    destroyed_at: str  # ISO 8601


@dataclass(frozen=True)
class Verified:
    entries: list[Entry]
    last_mac: str  # note it down: a ledger cut short after this line still verifies


def path() -> Path:
    return Path(settings.DESTRUCTION_LEDGER_DIR) / FILE_NAME


def retention_secret() -> bytes:
    """The key of destruction records' hashes and of the ledger's chain: RETENTION_HASH_KEY, else the
    secret key (keep it when rotating DJANGO_SECRET_KEY)."""
    return (getattr(settings, "RETENTION_HASH_KEY", "") or settings.SECRET_KEY).encode()


def _key() -> bytes:
    return hmac.new(retention_secret(), b"destruction-ledger", hashlib.sha256).digest()


def _body(number: int, entry: Entry) -> dict[str, object]:
    return {
        "n": number,
        "subject": entry.subject_hash,
        "reason": entry.reason,
        "at": entry.destroyed_at,
    }


def _mac(key: bytes, previous: str, body: dict[str, object]) -> str:
    message = previous + json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def _last_line(ledger: IO[bytes]) -> tuple[int, str]:
    """The last line's number and chain hash (0 and ``START`` for an empty ledger)."""
    size = ledger.seek(0, os.SEEK_END)
    ledger.seek(max(0, size - TAIL_BYTES))
    lines = ledger.read().splitlines()
    if not lines or not lines[-1].strip():
        return 0, START
    last = json.loads(lines[-1])
    return int(last["n"]), str(last["mac"])


def append(entries: Iterable[Entry]) -> None:
    """Add lines for these destructions, chained to the last line, and sync them to disk. An exclusive
    lock on the file keeps two writers (the nightly purge, an erasure in the admin) from forking it;
    the lines go in one unbuffered write, so a process killed mid-way leaves them all or none."""
    entries = list(entries)
    if not entries:
        return
    path().parent.mkdir(parents=True, exist_ok=True)
    with open(path(), "a+b", buffering=0) as ledger:
        fcntl.flock(ledger, fcntl.LOCK_EX)  # released when the file closes
        number, previous = _last_line(ledger)
        key, lines = _key(), []
        for entry in entries:
            number += 1
            body = _body(number, entry)
            previous = _mac(key, previous, body)
            lines.append(json.dumps({**body, "mac": previous}, sort_keys=True) + "\n")
        data = "".join(lines).encode()
        if ledger.write(data) != len(data):
            raise OSError(f"the destruction ledger took part of {len(data)} bytes: the disk may be full")
        os.fsync(ledger.fileno())


def verify() -> Verified:
    """Every entry of the ledger, checked line by line; ``LedgerError`` at the first that does not
    follow. A missing ledger is an empty one (nothing destroyed yet, or a new directory)."""
    if not path().exists():
        return Verified([], START)
    entries, previous, key = [], START, _key()
    with open(path(), encoding="utf-8") as ledger:
        for number, line in enumerate(ledger, start=1):
            try:
                fields = json.loads(line)
                entry = Entry(str(fields["subject"]), str(fields["reason"]), str(fields["at"]))
            except (ValueError, KeyError, TypeError) as error:
                raise LedgerError(number, "not a ledger entry") from error
            if fields.get("n") != number:
                raise LedgerError(number, f"numbered {fields.get('n')!r}: lines removed or reordered")
            if not hmac.compare_digest(str(fields.get("mac", "")), _mac(key, previous, _body(number, entry))):
                raise LedgerError(number, "its hash does not match: changed, or not written by this service")
            entries.append(entry)
            previous = fields["mac"]
    return Verified(entries, previous)

"""Opening the database: WAL, busy timeout, migrations. Timestamps are ISO-8601 UTC text."""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from bot.errors import ConfigError, StoreBusy
from bot.store.migrations import MIGRATIONS

# Readers wait this long for a writer before giving up with StoreBusy (milliseconds).
BUSY_TIMEOUT_MS = 5000


def open_db(path: str | Path, *, migrate: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the database at `path`, in WAL mode, fully migrated."""
    path = Path(path)
    try:
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        # check_same_thread=False: a connection is used by one thread at a time, but the Telegram
        # front end hands work to a pool, so the thread that opens it may not be the one using it.
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    except (OSError, sqlite3.Error) as exc:
        # A --db/BRIEFBOT_DB that names a directory or an unwritable place: a setting to fix.
        raise ConfigError(f"cannot open the database {path}: {exc}") from exc
    db = sqlite_utils.Database(conn)
    try:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys = ON")
        # NORMAL is durable enough in WAL mode (a power cut can lose the last commit, never
        # corrupt).
        db.execute("PRAGMA synchronous = NORMAL")
        if migrate:
            if db.journal_mode != "wal" and str(path) != ":memory:":
                db.enable_wal()
            if MIGRATIONS.pending(db):
                MIGRATIONS.apply(db)
    except sqlite3.DatabaseError as exc:
        conn.close()
        if is_busy(exc):
            raise StoreBusy(str(exc)) from exc
        if not isinstance(exc, sqlite3.OperationalError) or _unusable(exc):
            # "file is not a database", a read-only file: the path is wrong, not the code.
            raise ConfigError(f"cannot use {path} as the database: {exc}") from exc
        raise
    return db


def _unusable(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "unable to open" in text or "readonly" in text or "read-only" in text


def is_busy(exc: BaseException) -> bool:
    """True for SQLite's 'database is locked' / 'busy' errors."""
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def to_iso(value: dt.datetime) -> str:
    """Aware or naive (taken as UTC) datetime -> 'YYYY-MM-DDTHH:MM:SSZ', which sorts as text."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_iso(text: str) -> dt.datetime:
    """The inverse of to_iso (accepts any ISO form Python reads)."""
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite3.Connection]:
    """One IMMEDIATE transaction; inside a caller's transaction it joins it.

    IMMEDIATE takes the write lock before the first read. A deferred transaction (sqlite-utils'
    `atomic`) that reads, then writes after another connection committed, fails at once with
    "database is locked" (SQLite cannot upgrade a stale snapshot, and no busy timeout helps);
    with several writers (a poll, a CLI ingest, an admin's /ingest) every read-then-write needs
    this.
    """
    conn = db.conn
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.rollback()
        raise
    conn.commit()

"""What the benchmarks share: the machine line, percentiles, the raw sqlite3 + FTS5 baseline."""

from __future__ import annotations

import hashlib
import os
import platform
import sqlite3
import statistics
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Bump when the corpus or the ingest output changes shape, so cached databases are rebuilt.
CORPUS_VERSION = 1

# The store's tokenizer, so the baseline indexes the same tokens.
TOKENIZE = "porter unicode61 remove_diacritics 2"


def machine() -> str:
    """One line: cores, CPU, memory, Python, SQLite, sqlite-utils."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f", {int(line.split()[1]) / 1024 / 1024:.0f} GB RAM"
                break
    except OSError:
        pass
    try:
        su = metadata.version("sqlite-utils")
    except metadata.PackageNotFoundError:
        su = "?"
    return (
        f"machine: {cores} cores ({cpu}){mem}, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, sqlite-utils {su}"
    )


def code_fingerprint() -> str:
    """A hash of everything that decides what ingest stores: a cached database built by other
    code (another sentence splitter, another schema) must not be measured as if it were current."""
    digest = hashlib.blake2b(str(CORPUS_VERSION).encode(), digest_size=4)
    files = [ROOT / "bench" / "corpus.py"]
    for package in ("ingest", "analysis", "store"):
        files.extend(sorted((ROOT / "bot" / package).glob("*.py")))
    for file in files:
        digest.update(file.name.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def cached_db_path(n: int, seed: int) -> Path:
    """Where bench/query.py keeps (and bench/ingest.py leaves) the pipeline's database."""
    return OUT / f"query-{n}-seed{seed}-{code_fingerprint()}.db"


def drop_stale(path: Path) -> None:
    """Remove cached databases of the same size and seed built by other code (they are big)."""
    stem = path.name.rsplit("-", 1)[0]
    for old in OUT.glob(f"{stem}-*.db*"):
        if not old.name.startswith(path.name):
            old.unlink(missing_ok=True)


def finish_db(db: Any) -> None:
    """What a deployment does after a heavy ingest: merge FTS segments, gather statistics."""
    for table in ("articles_fts", "sentences_fts"):
        db.execute(f"INSERT INTO {table}({table}) VALUES('optimize')")
    db.execute("ANALYZE")


def percentiles(samples_ms: Sequence[float]) -> tuple[float, float, float]:
    """p50, p95, p99 (inclusive method: exact for small samples, no extrapolation)."""
    if len(samples_ms) < 2:
        only = samples_ms[0] if samples_ms else float("nan")
        return only, only, only
    q = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return statistics.median(samples_ms), q[94], q[98]


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


# ----------------------------------------------------------------------------- raw baseline

RAW_ARTICLES_SCHEMA = f"""
CREATE TABLE articles (
    id INTEGER PRIMARY KEY, url TEXT, outlet TEXT, title TEXT, body TEXT,
    published_at TEXT, fetched_at TEXT, language TEXT, content_hash TEXT
);
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, body, content='articles', content_rowid='id', tokenize='{TOKENIZE}'
);
CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END;
CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, body)
    VALUES ('delete', old.id, old.title, old.body);
END;
CREATE TRIGGER articles_au AFTER UPDATE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, body)
    VALUES ('delete', old.id, old.title, old.body);
    INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END;
"""

RAW_SENTENCES_SCHEMA = f"""
CREATE TABLE sentences (
    id INTEGER PRIMARY KEY, article_id INTEGER, position INTEGER, text TEXT
);
CREATE VIRTUAL TABLE sentences_fts USING fts5(
    text, content='sentences', content_rowid='id', tokenize='{TOKENIZE}'
);
CREATE TRIGGER sentences_ai AFTER INSERT ON sentences BEGIN
    INSERT INTO sentences_fts(rowid, text) VALUES (new.id, new.text);
END;
"""


def raw_connect(path: Path, *, sentences: bool) -> sqlite3.Connection:
    """A fresh baseline database: plain tables, FTS5 external content, triggers, WAL."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.executescript(RAW_ARTICLES_SCHEMA + (RAW_SENTENCES_SCHEMA if sentences else ""))
    return conn


def raw_insert(conn: sqlite3.Connection, rows: list[tuple], sentences: list[list[str]] | None):
    """One transaction: executemany the article rows (and their sentences)."""
    conn.execute("BEGIN")
    if sentences is None:
        conn.executemany(
            "INSERT INTO articles (url, outlet, title, body, published_at, fetched_at, language,"
            " content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    else:
        cur = conn.cursor()
        sentence_rows = []
        for row, texts in zip(rows, sentences, strict=True):
            cur.execute(
                "INSERT INTO articles (url, outlet, title, body, published_at, fetched_at,"
                " language, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            article_id = cur.lastrowid
            sentence_rows.extend((article_id, pos, text) for pos, text in enumerate(texts))
        conn.executemany(
            "INSERT INTO sentences (article_id, position, text) VALUES (?, ?, ?)", sentence_rows
        )
    conn.execute("COMMIT")

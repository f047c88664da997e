"""What the benchmarks share: the machine line, percentiles, the raw sqlite3 + FTS5 baseline,
a local feed server and a writer that times its calls (bench/ingest.py --feeds,
bench/poll_latency.py)."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import os
import platform
import sqlite3
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

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


# ----------------------------------------------------------------------------- feeds

T = TypeVar("T")
# A poll brings recent news: feed entries are dated over the days before the corpus ends.
FEED_WINDOW = dt.timedelta(days=2)


def local_poll_settings() -> Any:
    """The bot's poll settings, but no politeness delay and the local server allowed (the
    per-host limit stays 2: every bench feed is on 127.0.0.1, as no real outlet would be)."""
    from bot.ingest.fetch import FetchPolicy
    from bot.ingest.poll import PollSettings

    return PollSettings(delay=0, policy=FetchPolicy(allow_hosts=frozenset({"127.0.0.1"})))


def add_site_feeds(db_path: Path, feeds: Sequence[tuple[str, str]], *, now: dt.datetime) -> None:
    """Follow (url, outlet) feeds in the database at db_path, before any writer opens it."""
    from bot.models import FeedSpec
    from bot.store import feeds as store_feeds
    from bot.store import open_db

    db = open_db(db_path)
    try:
        for url, outlet in feeds:
            store_feeds.add_feed(db, FeedSpec(url=url, outlet=outlet, language="en"), now=now)
    finally:
        db.conn.close()


class FeedServer:
    """Serves `documents` (url path -> (content type, bytes)) on 127.0.0.1 from an aiohttp
    server on its own thread and event loop, so that serving costs the poll's loop nothing (in
    production the outlets' servers are elsewhere); the bytes are prepared beforehand, so the
    thread takes little of the GIL either. Feeds get an ETag and answer If-None-Match with 304
    while `honour_validators` is set; `hits` counts requests by kind ("feed", "page", "304")."""

    def __init__(self) -> None:
        self.documents: dict[str, tuple[str, bytes]] = {}
        self.honour_validators = True
        self.hits: Counter[str] = Counter()
        self.base_url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def cpu_seconds(self) -> float:
        """CPU time the server's thread has used (the GIL it took from the process)."""
        if self._thread is None or self._thread.ident is None:
            return 0.0
        return time.clock_gettime(time.pthread_getcpuclockid(self._thread.ident))

    def start(self) -> str:
        """Start serving; returns the base url (http://127.0.0.1:<free port>)."""
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._main, args=(ready,), name="bench-feeds", daemon=True
        )
        self._thread.start()
        ready.wait(10)
        return self.base_url

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def _main(self, ready: threading.Event) -> None:
        from aiohttp import web

        loop = self._loop = asyncio.new_event_loop()
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        port = runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(runner.cleanup())
            loop.close()

    async def _handle(self, request: Any) -> Any:
        from aiohttp import web

        found = self.documents.get(request.path)
        if found is None:
            self.hits["404"] += 1
            raise web.HTTPNotFound()
        content_type, body = found
        if content_type == "text/html":
            self.hits["page"] += 1
            return web.Response(body=body, content_type=content_type, charset="utf-8")
        etag = f'"{hashlib.blake2b(body, digest_size=8).hexdigest()}"'
        if self.honour_validators and request.headers.get("If-None-Match") == etag:
            self.hits["304"] += 1
            return web.Response(status=304, headers={"ETag": etag})
        self.hits["feed"] += 1
        return web.Response(
            body=body, content_type=content_type, charset="utf-8", headers={"ETag": etag}
        )


def timed_call(db: Any, fn: Callable[..., T], *args: Any) -> tuple[T, float]:
    """fn(db, *args) and the seconds it took, measured where it ran (thread or child process)."""
    t0 = time.perf_counter()
    result = fn(db, *args)
    return result, time.perf_counter() - t0


def warm_writer(db: Any) -> None:
    """Load what the first poll would load in the writer (the catalog's tagger, story filing),
    so a measurement starts from a writer in its steady state, as a running bot's is."""
    from bot.ingest import pipeline

    pipeline.default_tagger()
    pipeline.file_stories(db, [])


class TimedWriter:
    """A bot.ingest.writer writer that sums the seconds its calls spent working (`busy`, by
    function name in `by_fn`) and sets `started` at the first call after `arm()`."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.busy = 0.0
        self.by_fn: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self.started: asyncio.Event | None = None
        self.first_call: float | None = None

    def arm(self) -> asyncio.Event:
        """Reset the counters; the event is set when the next call begins (a poll under way)."""
        self.busy = 0.0
        self.by_fn.clear()
        self.calls.clear()
        self.first_call = None
        self.started = asyncio.Event()
        return self.started

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        if self.started is not None and not self.started.is_set():
            self.first_call = time.perf_counter()
            self.started.set()
        result, seconds = await self.inner.run(timed_call, fn, *args)
        name = getattr(fn, "__name__", str(fn))
        self.busy += seconds
        self.by_fn[name] += seconds
        self.calls[name] += 1
        return result

    async def close(self) -> None:
        await self.inner.close()

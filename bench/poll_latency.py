"""Reply latency while a large poll is analysed and indexed: /status beside raw sqlite3 FTS5.

    .venv/bin/python bench/poll_latency.py                      # ~2 minutes
    .venv/bin/python bench/poll_latency.py --size 3000 --entries 2000 --samples 200

The database is the bench corpus (bench/corpus.py, with its Beijing-Pyongyang rail stories) built
through the real ingest pipeline and cached as bench/query.py caches it. The poll is a second
corpus, dated over the two days before the first ends, dealt into local RSS/Atom feeds served by
aiohttp on 127.0.0.1 from a thread (bench/common.py FeedServer); about half the entries are
teasers whose pages are fetched and extracted. The poll's articles carry no rail stories, and
those the situation's matcher would still mark (random words do, now and then) are left out, so
/status has the same work before and after the poll: what changes is only what runs beside it.

`/status beijing-pyongyang` goes through `Router.handle` as the Telegram front end calls it: from
an asyncio loop, via `asyncio.to_thread`, while the Poller runs on the same loop (the replies
share it with the poll's network I/O). After each /status comes the raw baseline, also via
`asyncio.to_thread`: a plain sqlite3 connection running FTS5 MATCH 'beijing pyongyang train', top
10 by bm25 with the article rows joined (bench/query.py's RAW_SQL); then a pause (--pause) as
between users' messages. For each writer, on its own copy of the database:
  (a)  idle, --samples calls, nothing else running: the reference for the ratios below it;
  (b)  during a poll of every feed with a ThreadWriter: analysis and writes in a thread of this
       process, competing for the GIL with the replies and the event loop; or
  (c)  during the same poll with a ProcessWriter: analysis and writes in a child process (what
       the Telegram bot uses), warmed up first as a running bot's is;
  then idle again after the poll: if it differs from (a), the machine's speed drifted (this
  bench runs on shared machines) or the added articles matter; read the ratios with that.
During a poll, sampling starts at the poll's first writer call (its first feed fetched) and stops
when the poll returns; only calls that began and ended inside that window count, and the report
says how many did and how long the poll took.

Milliseconds as the loop saw them (call to await returning: the thread hop and the loop's delay
in noticing included): p50, p95, max. "thread wall/cpu" is the time inside the worker thread and
the CPU it used there, p50 and p95: wall well above CPU means waiting for the GIL (or a core).
Ratios: to (a) of the same writer, and /status to the raw query in the same condition. Nothing
is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import shutil
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from common import (  # also puts the repo on sys.path
    FEED_WINDOW,
    OUT,
    FeedServer,
    TimedWriter,
    add_site_feeds,
    local_poll_settings,
    machine,
    percentiles,
    warm_writer,
)
from corpus import END, feed_site, generate
from query import RAW_SQL, database

from bot.commands import Router
from bot.config import Settings
from bot.ingest import pipeline
from bot.ingest.poll import Poller
from bot.ingest.writer import ProcessWriter, ThreadWriter
from bot.models import ChatContext, PollSummary, RawArticle
from bot.store import feeds as store_feeds

NOW = END  # the corpus ends here: "now" for the replies and the poll's clock
STATUS = "/status beijing-pyongyang"
RAW_MATCH = "beijing pyongyang train"
WARMUP = 5


@dataclasses.dataclass
class Sample:
    start: float  # perf_counter on the loop, when the call was made
    end: float  # when the await returned
    work: float  # seconds inside the worker thread
    cpu: float  # CPU seconds the worker thread used meanwhile (work - cpu: waiting for the GIL
    # or for a core)

    @property
    def ms(self) -> float:
        return 1000 * (self.end - self.start)


@dataclasses.dataclass
class Condition:
    name: str
    status: list[Sample]
    raw: list[Sample]
    poll_seconds: float | None = None
    window: tuple[float, float] | None = None  # first writer call .. poll returned
    summary: PollSummary | None = None
    writer_busy: float = 0.0
    loop_cpu: float = 0.0
    server_cpu: float = 0.0
    dropped: int = 0  # status calls that straddled the window's edges
    facts: str = ""  # what the database held when the condition ended
    reference: Condition | None = None  # the idle run the ratios are to (None: itself)

    def inside(self, samples: list[Sample]) -> list[Sample]:
        if self.window is None:
            return samples
        lo, hi = self.window
        return [s for s in samples if s.start >= lo and s.end <= hi]


class RawQuery:
    """The baseline: one read-only sqlite3 connection per thread on the condition's database."""

    def __init__(self, path: Path) -> None:
        self.uri = f"file:{path}?mode=ro"
        self._local = threading.local()

    def __call__(self) -> list[tuple]:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = sqlite3.connect(self.uri, uri=True)
        return conn.execute(RAW_SQL, [RAW_MATCH]).fetchall()


def off_situation(n: int, seed: int) -> tuple[list[RawArticle], int]:
    """n recent articles the situation's own matcher (the one ingest marks with) does not
    find about it, so /status has the same work before and after the poll; and how many were
    left out. Without rail stories a few still are, by chance: random words put "train" next
    to "Pyongyang" now and then."""
    from bot.analysis.sentences import split_sentences

    key = STATUS.split()[1]
    tagger = pipeline.default_tagger()
    kept: list[RawArticle] = []
    dropped = 0
    records = generate(
        n + n // 5, seed=seed, start=NOW - FEED_WINDOW, end=NOW, rail_share=0.0
    )  # a fifth more than needed: enough to replace the few left out
    for raw in records:
        if key in tagger.situations_of(raw.title, split_sentences(raw.body)):
            dropped += 1
        elif len(kept) < n:
            kept.append(raw)
    return kept, dropped


def db_facts(path: Path) -> str:
    """What decides /status's and the raw query's work: articles, those marked about the
    situation, the raw MATCH's hits; and the size of the WAL file (not checkpointed yet)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        about = conn.execute(
            "SELECT count(*) FROM situation_articles WHERE situation = ?",
            [STATUS.split()[1]],
        ).fetchone()[0]
        hits = conn.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", [RAW_MATCH]
        ).fetchone()[0]
    conn.close()
    wal = Path(f"{path}-wal")
    wal_mb = wal.stat().st_size / 1e6 if wal.exists() else 0.0
    return (
        f"{articles:,} articles, {about} about the situation, {hits} raw MATCH hits,"
        f" WAL {wal_mb:.1f} MB"
    )


def timed(fn: Callable[[], Any]) -> Callable[[], tuple[float, float]]:
    """fn as a call that returns the seconds it took in its thread, and its CPU seconds."""

    def call() -> tuple[float, float]:
        t0, c0 = time.perf_counter(), time.thread_time()
        fn()
        return time.perf_counter() - t0, time.thread_time() - c0

    return call


async def sample_pairs(
    status: Callable[[], tuple[float, float]],
    raw: Callable[[], tuple[float, float]],
    *,
    pause: float,
    count: int | None = None,
    until: Callable[[], bool] | None = None,
) -> tuple[list[Sample], list[Sample]]:
    """/status then the raw query via asyncio.to_thread, `pause` seconds between pairs (users
    take turns with the poll; back to back, the replies would be a load of their own), `count`
    times or until `until()` says stop."""
    status_samples: list[Sample] = []
    raw_samples: list[Sample] = []
    while (count is None or len(status_samples) < count) and not (until and until()):
        for fn, out in ((status, status_samples), (raw, raw_samples)):
            t0 = time.perf_counter()
            work, cpu = await asyncio.to_thread(fn)
            out.append(Sample(t0, time.perf_counter(), work, cpu))
        await asyncio.sleep(pause)
    return status_samples, raw_samples


def status_call(router: Router) -> Callable[[], Any]:
    ctx = ChatContext(now=NOW, chat_type="console")
    return lambda: router.handle(STATUS, ctx)


async def idle(name: str, path: Path, *, samples: int, pause: float) -> Condition:
    router = Router(Settings(db_path=path))
    status, raw = timed(status_call(router)), timed(RawQuery(path))
    await sample_pairs(status, raw, pause=0, count=WARMUP)
    got = await sample_pairs(status, raw, pause=pause, count=samples)
    return Condition(name, *got, facts=db_facts(path))


async def during_poll(
    name: str, path: Path, *, process: bool, server: FeedServer, pause: float
) -> Condition:
    router = Router(Settings(db_path=path))
    status, raw = timed(status_call(router)), timed(RawQuery(path))
    inner = ProcessWriter(path) if process else ThreadWriter(path)
    writer = TimedWriter(inner)
    poller = Poller(writer, local_poll_settings(), clock=lambda: NOW, quiet=True)
    try:
        # A running bot's writer has its caches loaded (a child process: spawned, imported).
        await writer.run(warm_writer)
        await sample_pairs(status, raw, pause=0, count=WARMUP)
        feeds = await writer.run(store_feeds.list_feeds)
        started = writer.arm()
        ended: list[float] = []
        cpu0, server0 = time.thread_time(), server.cpu_seconds()
        t0 = time.perf_counter()
        task = asyncio.create_task(poller.poll(feeds))
        task.add_done_callback(lambda _: ended.append(time.perf_counter()))
        await started.wait()  # the first feed is fetched and handed to the writer
        got = await sample_pairs(status, raw, pause=pause, until=task.done)
        summary = await task
        # The loop runs on this thread: its CPU is the poll's network side (and the replies'
        # hand-offs); the server's thread is the bench's own load on this process.
        loop_cpu, server_cpu = time.thread_time() - cpu0, server.cpu_seconds() - server0
    finally:
        await writer.close()
    assert writer.first_call is not None
    condition = Condition(
        name,
        *got,
        poll_seconds=ended[0] - t0,
        window=(writer.first_call, ended[0]),
        summary=summary,
        writer_busy=writer.busy,
        loop_cpu=loop_cpu,
        server_cpu=server_cpu,
        facts=db_facts(path),
    )
    condition.dropped = len(got[0]) - len(condition.inside(got[0]))
    return condition


@dataclasses.dataclass
class Stats:
    """Milliseconds: as the loop saw them (p50, p95, max), and inside the thread (wall and CPU,
    p50 and p95)."""

    n: int
    p50: float
    p95: float
    top: float
    thread: str
    waited: float = 0.0  # p50 wall - p50 CPU inside the thread

    @classmethod
    def of(cls, samples: list[Sample]) -> Stats:
        if not samples:
            return cls(0, float("nan"), float("nan"), float("nan"), "")
        p50, p95, _ = percentiles([s.ms for s in samples])
        w50, w95, _ = percentiles([1000 * s.work for s in samples])
        c50, c95, _ = percentiles([1000 * s.cpu for s in samples])
        thread = f"{w50:5.1f}/{c50:<5.1f} {w95:5.1f}/{c95:<5.1f}"
        return cls(len(samples), p50, p95, max(s.ms for s in samples), thread, w50 - c50)


def report(conditions: list[Condition]) -> None:
    print(
        f"  {'':34} {'n':>4} {'p50':>6} {'p95':>6} {'max':>6}  {'thread wall/cpu p50, p95':>24}"
        f"  {'p50/idle':>8} {'p95/idle':>8}  {'p50/raw':>7} {'p95/raw':>7}"
    )
    for c in conditions:
        status, raw = Stats.of(c.inside(c.status)), Stats.of(c.inside(c.raw))
        idle = c.reference or c
        idle_status, idle_raw = Stats.of(idle.status), Stats.of(idle.raw)
        for label, st, base, versus in (
            (f"/status  {c.name}", status, idle_status, raw),
            (f"raw FTS5 {c.name}", raw, idle_raw, None),
        ):
            to_raw = f"  {st.p50 / versus.p50:6.1f}x {st.p95 / versus.p95:6.1f}x" if versus else ""
            print(
                f"  {label:34} {st.n:4} {st.p50:6.1f} {st.p95:6.1f} {st.top:6.1f}  {st.thread:>24}"
                f"  {st.p50 / base.p50:7.2f}x {st.p95 / base.p95:7.2f}x{to_raw}"
            )
    for c in conditions:
        st = Stats.of(c.status)
        if c.window is None and st.waited > max(1.0, 0.1 * st.p50):
            print(
                f"  note: {c.name.strip()}: /status waited {st.waited:.1f} ms (p50) inside its"
                " thread with nothing of ours beside it: another process had the CPU, and the"
                " runs around it are suspect; run again on a quiet machine"
            )
    print("  databases at the end of each condition:")
    for c in conditions:
        print(f"    {c.name}: {c.facts}")
    print("  polls:")
    for c in conditions:
        if c.summary is None or c.poll_seconds is None or c.window is None:
            continue
        s = c.summary
        print(
            f"    {c.name}: {c.poll_seconds:.1f} s, {s.new_articles:,} articles added"
            f" ({s.duplicates} duplicates, {len(s.errors)} feed errors), writer busy"
            f" {c.writer_busy:.1f} s; CPU in this process meanwhile: event loop"
            f" {c.loop_cpu:.1f} s, feed server {c.server_cpu:.1f} s; sampled for"
            f" {c.window[1] - c.window[0]:.1f} s from its first writer call:"
            f" {len(c.inside(c.status))} /status calls inside, {c.dropped} straddling the end"
            " dropped"
        )


def run_all(
    base: Path,
    workdir: Path,
    server: FeedServer,
    feeds: list[tuple[str, str]],
    *,
    samples: int,
    pause: float,
) -> list[Condition]:
    """For each writer, on its own copy of the database: idle, during the poll, idle again.
    Each run has its own event loop (whose thread pool, and the read connections its threads
    opened, end with it)."""
    copies = {}
    for key in ("thread", "process"):
        copies[key] = workdir / f"{key}.db"
        shutil.copyfile(base, copies[key])
        add_site_feeds(copies[key], feeds, now=NOW)
    reply = Router(Settings(db_path=copies["thread"])).handle(
        STATUS, ChatContext(now=NOW, chat_type="console")
    )
    model = getattr(reply, "model", None)
    print(
        f"  {STATUS} answers {getattr(reply, 'kind', reply)!r}: state"
        f" {getattr(model, 'state', '?')}, {len(getattr(model, 'timeline', []))} timeline"
        f" entries, {len(getattr(model, 'sources', []))} sources"
    )
    conditions: list[Condition] = []

    def measure(step: Coroutine[Any, Any, Condition], reference: Condition | None) -> Condition:
        t0 = time.perf_counter()
        condition = asyncio.run(step)
        condition.reference = reference
        conditions.append(condition)
        print(f"  {condition.name}: {time.perf_counter() - t0:.0f} s", flush=True)
        return condition

    for key, process, name in (("thread", False, "(b)"), ("process", True, "(c)")):
        path = copies[key]
        writer = "ProcessWriter" if process else "ThreadWriter"
        before = measure(idle(f"(a) idle, before {name}", path, samples=samples, pause=pause), None)
        measure(
            during_poll(f"{name} {writer} poll", path, process=process, server=server, pause=pause),
            before,
        )
        measure(idle(f"    idle, after {name}", path, samples=samples, pause=pause), before)
    return conditions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=3000, help="articles in the database")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--entries", type=int, default=2000, help="feed entries in the poll")
    parser.add_argument("--feed-count", type=int, default=20)
    parser.add_argument("--full-text-share", type=float, default=0.5)
    parser.add_argument("--samples", type=int, default=200, help="idle /status calls")
    parser.add_argument(
        "--pause", type=float, default=0.04, help="seconds between two /status + raw pairs"
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached database")
    args = parser.parse_args(argv)
    print(machine())
    print(f"\n{args.size:,} articles (seed {args.seed}); {STATUS!r} as of {NOW:%Y-%m-%d}")
    base = database(args.size, args.seed, rebuild=args.rebuild)
    records, left_out = off_situation(args.entries, args.seed + 1)
    server = FeedServer()
    site = feed_site(
        records,
        server.start(),
        feeds=args.feed_count,
        full_text_share=args.full_text_share,
        seed=args.seed,
    )
    server.documents = site.documents
    print(
        f"  poll: {site.entries:,} entries in {args.feed_count} feeds on {server.base_url},"
        f" {site.teasers:,} of them teasers (pages fetched and extracted); {left_out} generated"
        " articles about the situation left out"
    )
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(dir=OUT, prefix="poll-latency-") as tmp:
            conditions = run_all(
                base, Path(tmp), server, site.feeds, samples=args.samples, pause=args.pause
            )
    finally:
        server.stop()
    report(conditions)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

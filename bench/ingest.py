"""Ingest throughput: the real pipeline beside raw sqlite3 + FTS5, on the synthetic corpus.

    .venv/bin/python bench/ingest.py                 # 10k and 100k articles
    .venv/bin/python bench/ingest.py --sizes 10000
    .venv/bin/python bench/ingest.py --feeds         # 1,000 entries over 20 local feeds
    .venv/bin/python bench/ingest.py --feeds --entries 2000 --feed-count 20 --full-text-share 0.5

For each size, chunk by chunk (the corpus is generated outside the timers), it times:
  pipeline   bot.ingest.ingest_records: normalise, dedup, sentences, events, entity tagging,
             store (batches of 500), with the time spent in each analysis step measured inside
             the same run
  no tagging the same call with a tagger that knows no names (build_tagger([])): the pipeline's
             rate without entity tagging, into its own database
  store      bot.store.articles.add_articles alone, on the articles the pipeline prepared
  raw        sqlite3 executemany into a plain table + FTS5 external content + triggers, the
             same rows, one transaction per batch; once articles only, once with the sentences
             and a sentence FTS5 index as the store keeps them
and prints articles/s, each as a ratio to raw. Each variant writes its own fresh database.

--feeds measures collection instead: the corpus's articles, dated over the two days before the
corpus ends, are dealt into local RSS/Atom feeds (bench/corpus.py feed_site) served by an aiohttp
server on 127.0.0.1 (bench/common.py FeedServer). A share of the entries carry the whole article;
the others only a teaser, so their article pages (HTML with navigation and footer) are fetched and
extracted through trafilatura. One real Poller poll (ThreadWriter, no politeness delay, the
default per-host limit of 2 connections: every feed is on one host here) indexes them all into a
fresh database: fetch -> parse -> page fetch/extract -> analyse -> index. It prints articles/s
through the whole poll beside
  pipeline   ingest_records on the same records, as if they came from files (no feed work)
  raw        sqlite3 executemany of the stored title/body into a plain table + FTS5, one
             transaction (once articles only, once with the sentences as the store keeps them)
with the poll's time split: seconds the writer was busy (and on what: parsing feeds, extracting
pages, analysing and indexing) and the rest, when the writer waited on the network. Then the
steady state: a second poll where every feed answers 304 (conditional GET), and a third where
the server ignores the validators, so every entry is parsed again and found known.
Wall time includes the event loop's own work (httpx, the fetcher's checks); nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import functools
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import (  # also puts the repo on sys.path
    FEED_WINDOW,
    OUT,
    FeedServer,
    TimedWriter,
    add_site_feeds,
    cached_db_path,
    drop_stale,
    finish_db,
    local_poll_settings,
    machine,
    rate,
    raw_connect,
    raw_insert,
    warm_writer,
)
from corpus import END, chunks, feed_site, generate

from bot.analysis.entities import EntityTagger, build_tagger
from bot.ingest import feeds as feed_docs
from bot.ingest import ingest_records, pipeline, poll
from bot.ingest.writer import ThreadWriter
from bot.models import IngestSummary, PollSummary, PreparedArticle
from bot.store import feeds as store_feeds
from bot.store import open_db, to_iso
from bot.store.articles import add_articles

NOW = END  # as bench/query.py, so the pipeline's database can serve it
BATCH = 500
CHUNK = 5000


class Probe:
    """Times calls to pipeline internals during the real run; keeps what _analyse_all returns."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.prepared: list[PreparedArticle] = []
        self._undo: list[tuple[Any, str, Any]] = []

    def wrap(self, owner: Any, name: str, label: str, keep: bool = False) -> None:
        real: Callable[..., Any] = getattr(owner, name)

        @functools.wraps(real)
        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                result = real(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - t0
            if keep:  # _Batcher._analyse_all: a PreparedArticle, or why one failed
                self.prepared.extend(r for r in result if not isinstance(r, str))
            return result

        setattr(owner, name, timed)
        self._undo.append((owner, name, real))

    def restore(self) -> None:
        for owner, name, real in reversed(self._undo):
            setattr(owner, name, real)
        self._undo.clear()


def run(n: int, *, seed: int, workdir: Path, keep: bool) -> None:
    seconds: dict[str, float] = {
        "pipeline": 0.0,
        "untagged": 0.0,
        "store": 0.0,
        "raw": 0.0,
        "raw+sentences": 0.0,
    }
    no_tags = build_tagger([])  # tags nothing: the pipeline without entity tagging
    pipeline.default_tagger()  # the catalog's tagger, compiled outside the timers
    summary = IngestSummary()
    pipeline_db = open_db(workdir / "pipeline.db")
    store_db = open_db(workdir / "store.db")
    untagged_db = open_db(workdir / "untagged.db")
    raw_a = raw_connect(workdir / "raw_articles.db", sentences=False)
    raw_s = raw_connect(workdir / "raw_sentences.db", sentences=True)
    probe = Probe()
    probe.wrap(pipeline, "_normalise", "normalise + hash")
    probe.wrap(pipeline._Batcher, "_analyse_all", "analysis", keep=True)
    probe.wrap(pipeline.analysis_sentences, "split_sentences", "split_sentences")
    probe.wrap(pipeline.analysis_events, "extract_events", "extract_events")
    probe.wrap(EntityTagger, "tag_article", "tag entities")
    probe.wrap(EntityTagger, "situations_of", "mark situations")
    probe.wrap(pipeline, "file_stories", "file stories")
    generated = stored = words = sentences = 0
    gen_seconds = 0.0
    start = time.perf_counter()
    try:
        for chunk in chunks(n, CHUNK, seed=seed):
            gen_seconds += time.perf_counter() - start
            generated += len(chunk)
            words += sum(len(r.body.split()) for r in chunk)

            probe.prepared.clear()
            t0 = time.perf_counter()
            s = ingest_records(pipeline_db, chunk, now=NOW, batch_size=BATCH)
            seconds["pipeline"] += time.perf_counter() - t0
            summary.added += s.added
            summary.duplicates += s.duplicates
            summary.skipped.update(s.skipped)
            # The same chunk without tagging; the step times and prepared articles reported
            # below stay those of the tagged run.
            step_seconds, kept_prepared = dict(probe.seconds), list(probe.prepared)
            t0 = time.perf_counter()
            ingest_records(untagged_db, chunk, now=NOW, batch_size=BATCH, tagger=no_tags)
            seconds["untagged"] += time.perf_counter() - t0
            probe.seconds, probe.prepared = step_seconds, kept_prepared

            # The same prepared articles, in the order the pipeline wrote them.
            prepared = sorted(probe.prepared, key=lambda a: a.published_at)
            kept: list[PreparedArticle] = []
            t0 = time.perf_counter()
            for i in range(0, len(prepared), BATCH):
                batch = prepared[i : i + BATCH]
                ids = add_articles(store_db, batch)
                kept.extend(a for a, new in zip(batch, ids, strict=True) if new is not None)
            seconds["store"] += time.perf_counter() - t0
            stored += len(kept)
            sentences += sum(len(a.sentences) for a in kept)

            rows = [
                (
                    a.url,
                    a.outlet,
                    a.title,
                    a.body,
                    to_iso(a.published_at),
                    to_iso(a.fetched_at),
                    a.language,
                    a.content_hash,
                )
                for a in kept
            ]
            t0 = time.perf_counter()
            for i in range(0, len(rows), BATCH):
                raw_insert(raw_a, rows[i : i + BATCH], None)
            seconds["raw"] += time.perf_counter() - t0

            t0 = time.perf_counter()
            for i in range(0, len(rows), BATCH):
                texts = [a.sentences for a in kept[i : i + BATCH]]
                raw_insert(raw_s, rows[i : i + BATCH], texts)
            seconds["raw+sentences"] += time.perf_counter() - t0
            start = time.perf_counter()
    finally:
        probe.restore()

    events = pipeline_db.execute("SELECT count(*) FROM events").fetchone()[0]
    for conn in (store_db.conn, untagged_db.conn, raw_a, raw_s):
        conn.close()
    if keep:
        finish_db(pipeline_db)
    pipeline_db.conn.close()
    sizes = {p.stem: p.stat().st_size / 1e6 for p in workdir.glob("*.db")}
    if keep:
        # The same database bench/query.py would build: save it the wait.
        target = cached_db_path(n, seed)
        drop_stale(target)
        (workdir / "pipeline.db").replace(target)

    raw_rate = rate(stored, seconds["raw"])
    raw_s_rate = rate(stored, seconds["raw+sentences"])
    print(
        f"\n{n:,} articles (seed {seed}): {words / generated:.0f} words and "
        f"{sentences / max(stored, 1):.1f} sentences per article; {summary.added:,} added, "
        f"{summary.duplicates:,} duplicates, {len(summary.skipped)} skipped, {events:,} events; "
        f"corpus generated in {gen_seconds:.1f} s (not timed)"
    )
    print(f"  {'':42} {'articles/s':>10} {'seconds':>8} {'vs raw':>7} {'vs raw+sent':>11}")
    for label, key, count in (
        ("pipeline: ingest_records (everything)", "pipeline", generated),
        ("pipeline without entity tagging", "untagged", generated),
        ("store only: add_articles (no analysis)", "store", stored),
        ("raw sqlite3 + FTS5 (articles)", "raw", stored),
        ("raw sqlite3 + FTS5 (articles + sentences)", "raw+sentences", stored),
    ):
        r = rate(count, seconds[key])
        print(
            f"  {label:42} {r:10,.0f} {seconds[key]:8.1f} {r / raw_rate:6.2f}x "
            f"{r / raw_s_rate:10.2f}x"
        )
    total = seconds["pipeline"]
    print("  inside the pipeline run:")
    steps = ("split_sentences", "extract_events", "tag entities", "mark situations")
    for label in ("normalise + hash", "analysis", *steps, "file stories"):
        spent = probe.seconds.get(label, 0.0)
        indent = "  " if label in steps else ""
        print(
            f"    {indent + label:36} {spent:8.1f} s {spent / total:6.0%} of pipeline time "
            f"{1000 * spent / max(generated, 1):7.2f} ms/article"
        )
    rest = total - probe.seconds.get("normalise + hash", 0.0) - probe.seconds.get("analysis", 0)
    print(
        f"    {'pipeline without analysis (rest)':36} {rest:8.1f} s "
        f"-> {rate(generated, rest):,.0f} articles/s"
    )
    extraction = probe.seconds.get("extract_events", 0.0)
    print(
        f"  event extraction adds {extraction / max(total - extraction, 1e-9):.0%} to the rest of"
        " the pipeline's time (issue 4 allows 30%)"
    )
    filing = probe.seconds.get("file stories", 0.0)
    print(
        f"  story filing adds {filing / max(total - filing, 1e-9):.0%} to the rest of the"
        " pipeline's time (issue 5 allows 30%)"
    )
    print(
        f"  database size: pipeline {sizes.get('pipeline', 0):.0f} MB, raw articles "
        f"{sizes.get('raw_articles', 0):.0f} MB, raw articles+sentences "
        f"{sizes.get('raw_sentences', 0):.0f} MB"
    )
    if keep:
        print(f"  kept the pipeline's database for bench/query.py: {cached_db_path(n, seed)}")


# ----------------------------------------------------------------------------- --feeds


@dataclasses.dataclass
class PollRun:
    summary: PollSummary
    seconds: float
    busy: float  # seconds the writer spent working
    steps: dict[str, float]  # the probe's seconds, this poll only
    hits: dict[str, int]  # requests the server answered, by kind
    loop_cpu: float  # CPU seconds of the event loop's thread (fetching: httpx, the checks)
    server_cpu: float  # CPU seconds of the feed server's thread (the bench's own cost)


async def timed_poll(
    poller: poll.Poller, writer: TimedWriter, server: FeedServer, probe: Probe
) -> PollRun:
    """One poll of every feed (due or not), timed from the first request to the last write."""
    feeds = await writer.run(store_feeds.list_feeds)  # fresh rows: the stored ETags
    writer.arm()
    probe.seconds.clear()
    hits = dict(server.hits)
    cpu0, server0 = time.thread_time(), server.cpu_seconds()
    t0 = time.perf_counter()
    summary = await poller.poll(feeds)
    seconds = time.perf_counter() - t0
    loop_cpu, server_cpu = time.thread_time() - cpu0, server.cpu_seconds() - server0
    served = {k: v - hits.get(k, 0) for k, v in server.hits.items() if v - hits.get(k, 0)}
    return PollRun(summary, seconds, writer.busy, dict(probe.seconds), served, loop_cpu, server_cpu)


async def three_polls(db_path: Path, server: FeedServer, probe: Probe) -> list[PollRun]:
    writer = TimedWriter(ThreadWriter(db_path))
    poller = poll.Poller(writer, local_poll_settings(), clock=lambda: NOW, quiet=True)
    try:
        await writer.run(warm_writer)  # the tagger and the connection, outside the timers
        runs = [await timed_poll(poller, writer, server, probe)]
        runs.append(await timed_poll(poller, writer, server, probe))  # every feed: 304
        server.honour_validators = False  # every feed again in full: all entries known
        runs.append(await timed_poll(poller, writer, server, probe))
        server.honour_validators = True
    finally:
        await writer.close()
    return runs


def run_feeds(
    entries: int, *, feed_count: int, full_text_share: float, seed: int, workdir: Path
) -> None:
    t0 = time.perf_counter()
    records = list(generate(entries, seed=seed, start=NOW - FEED_WINDOW, end=NOW))
    server = FeedServer()
    base = server.start()
    site = feed_site(records, base, feeds=feed_count, full_text_share=full_text_share, seed=seed)
    server.documents = site.documents
    feed_bytes = sum(len(b) for t, b in site.documents.values() if t != "text/html")
    gen_seconds = time.perf_counter() - t0
    db_path = workdir / "feeds.db"
    add_site_feeds(db_path, site.feeds, now=NOW)
    pipeline.default_tagger()  # compiled outside the timers, as in file mode

    probe = Probe()
    probe.wrap(feed_docs, "parse_feed", "parse feeds")
    probe.wrap(poll, "_read_page", "extract pages")
    probe.wrap(pipeline, "ingest_records", "analyse + index")
    probe.wrap(pipeline._Batcher, "_analyse_all", "analysis")
    probe.wrap(pipeline, "file_stories", "file stories")
    seconds: dict[str, float] = {}
    try:
        first, not_modified, known = asyncio.run(three_polls(db_path, server, probe))
    finally:
        probe.restore()
        server.stop()
    steps = first.steps

    # The pipeline alone on the same records, as files would bring them.
    db = open_db(workdir / "records.db")
    t0 = time.perf_counter()
    ingest_records(db, records, now=NOW, batch_size=BATCH)
    seconds["pipeline"] = time.perf_counter() - t0
    db.conn.close()

    # Raw sqlite3 + FTS5 on exactly what the poll stored.
    db = open_db(db_path)
    rows = db.execute(
        "SELECT url, outlet, title, body, published_at, fetched_at, language, content_hash"
        " FROM articles ORDER BY id"
    ).fetchall()
    texts: dict[int, list[str]] = {}
    for article_id, text in db.execute(
        "SELECT article_id, text FROM sentences ORDER BY article_id, position"
    ):
        texts.setdefault(article_id, []).append(text)
    ids = [r[0] for r in db.execute("SELECT id FROM articles ORDER BY id")]
    sources = dict(
        db.execute("SELECT text_source, count(*) FROM articles GROUP BY text_source").fetchall()
    )
    db.conn.close()
    raw_a = raw_connect(workdir / "raw_articles.db", sentences=False)
    t0 = time.perf_counter()
    raw_insert(raw_a, rows, None)
    seconds["raw"] = time.perf_counter() - t0
    raw_s = raw_connect(workdir / "raw_sentences.db", sentences=True)
    t0 = time.perf_counter()
    raw_insert(raw_s, rows, [texts.get(i, []) for i in ids])
    seconds["raw+sentences"] = time.perf_counter() - t0
    raw_a.close()
    raw_s.close()

    stored = len(rows)
    s1 = first.summary
    print(
        f"\n{entries:,} entries in {feed_count} feeds ({(feed_count + 1) // 2} RSS,"
        f" {feed_count // 2} Atom; {feed_bytes / 1e6:.1f} MB) on {base}, dated over the"
        f" {FEED_WINDOW.days} days to {NOW:%Y-%m-%d}; {site.teasers:,} teasers whose pages are"
        f" fetched and extracted ({full_text_share:.0%} full text); corpus and documents built"
        f" in {gen_seconds:.1f} s (not timed)"
    )
    print(
        f"  poll 1: {s1.new_articles:,} articles added, {s1.duplicates:,} duplicates,"
        f" {len(s1.skipped)} skipped, {len(s1.errors)} feed errors; stored texts from "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(sources.items()))
        + f"; requests served: {fmt_hits(first.hits)}"
    )
    raw_rate = rate(stored, seconds["raw"])
    print(f"  {'':48} {'articles/s':>10} {'seconds':>8} {'vs raw':>8}")
    for label, count, spent in (
        ("poll 1: fetch, parse, pages, analyse, index", stored, first.seconds),
        ("pipeline alone: ingest_records, same records", len(records), seconds["pipeline"]),
        ("raw sqlite3 + FTS5 (articles), one transaction", stored, seconds["raw"]),
        ("raw sqlite3 + FTS5 (articles + sentences)", stored, seconds["raw+sentences"]),
    ):
        r = rate(count, spent)
        print(f"  {label:48} {r:10,.0f} {spent:8.2f} {r / raw_rate:7.3f}x")
    wall = first.seconds
    print(f"  inside poll 1 ({wall:.2f} s wall):")
    rows_out = [
        ("writer busy (parse, extract, analyse, store)", first.busy, 0),
        ("parse feeds (feedparser)", steps.get("parse feeds", 0.0), 1),
        ("extract pages (trafilatura)", steps.get("extract pages", 0.0), 1),
        ("analyse + index (ingest_records)", steps.get("analyse + index", 0.0), 1),
        ("analysis (sentences, events, tags)", steps.get("analysis", 0.0), 2),
        ("file stories", steps.get("file stories", 0.0), 2),
        (
            "the rest: dedup, entries, feed health",
            first.busy
            - sum(steps.get(k, 0.0) for k in ("parse feeds", "extract pages", "analyse + index")),
            1,
        ),
        ("writer idle: waiting on the network", max(wall - first.busy, 0.0), 0),
        ("event loop thread CPU (fetching, meanwhile)", first.loop_cpu, 0),
        ("feed server thread CPU (the bench's own)", first.server_cpu, 0),
    ]
    for label, spent, depth in rows_out:
        print(
            f"    {'  ' * depth + label:48} {spent:8.2f} s {spent / wall:6.0%} of wall"
            f" {1000 * spent / max(stored, 1):7.2f} ms/article"
        )
    print("  steady state (the same feeds again):")
    for name, run in (("poll 2: validators honoured", not_modified), ("poll 3: ignored", known)):
        s = run.summary
        print(
            f"    {name:34} {run.seconds:6.2f} s wall, writer busy {run.busy:5.2f} s;"
            f" {s.not_modified} not modified, {s.new_articles} new, {s.duplicates:,} known"
            f" entries; served {fmt_hits(run.hits)}"
        )
    parsed = known.steps.get("parse feeds", 0.0)
    print(
        f"    poll 3 spends {parsed:.2f} s parsing the unchanged feeds again"
        f" ({1000 * parsed / max(feed_count, 1):.0f} ms per feed); a 304 is never parsed"
    )


def fmt_hits(hits: dict[str, int]) -> str:
    return ", ".join(f"{v:,} {k}" for k, v in sorted(hits.items())) or "nothing"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="10000,100000",
        help="comma-separated corpus sizes (default 10000,100000)",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--no-keep",
        dest="keep",
        action="store_false",
        help="do not keep the pipeline's database for bench/query.py",
    )
    parser.add_argument(
        "--feeds", action="store_true", help="poll local RSS/Atom feeds instead (see above)"
    )
    parser.add_argument("--entries", type=int, default=1000, help="feed entries in all")
    parser.add_argument("--feed-count", type=int, default=20, help="feeds to deal them into")
    parser.add_argument(
        "--full-text-share",
        type=float,
        default=0.5,
        help="share of entries carrying the whole article (the rest: teaser + page)",
    )
    args = parser.parse_args(argv)
    if args.feeds:
        print(machine())
        OUT.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=OUT, prefix="ingest-feeds-") as tmp:
            run_feeds(
                args.entries,
                feed_count=args.feed_count,
                full_text_share=args.full_text_share,
                seed=args.seed,
                workdir=Path(tmp),
            )
        return 0
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    print(machine())
    print(f"batches of {BATCH}, WAL, synchronous=NORMAL, databases under {OUT}")
    OUT.mkdir(parents=True, exist_ok=True)
    for n in sizes:
        with tempfile.TemporaryDirectory(dir=OUT, prefix="ingest-") as tmp:
            run(n, seed=args.seed, workdir=Path(tmp), keep=args.keep)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

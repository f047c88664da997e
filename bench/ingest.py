"""Ingest throughput: the real pipeline beside raw sqlite3 + FTS5, on the synthetic corpus.

    .venv/bin/python bench/ingest.py                 # 10k and 100k articles
    .venv/bin/python bench/ingest.py --sizes 10000

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
"""

from __future__ import annotations

import argparse
import functools
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import (  # also puts the repo on sys.path
    OUT,
    cached_db_path,
    drop_stale,
    finish_db,
    machine,
    rate,
    raw_connect,
    raw_insert,
)
from corpus import END, chunks

from bot.analysis.entities import EntityTagger, build_tagger
from bot.ingest import ingest_records, pipeline
from bot.models import IngestSummary, PreparedArticle
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
    args = parser.parse_args(argv)
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

"""Query latency: /search, /brief dprk and /status beijing-pyongyang beside raw sqlite3 FTS5.

    .venv/bin/python bench/query.py                    # 10k and 100k articles
    .venv/bin/python bench/query.py --sizes 10000 --reps 200

The database for each size is built once through the real ingest pipeline from the synthetic
corpus (bench/corpus.py) and cached under bench/out/ (gitignored); --rebuild builds it again.
Each engine call is paired with the raw baseline in the same loop, on the same database file:
a plain sqlite3 connection running the same FTS5 MATCH expression the engine starts from, top
10 by bm25 with the article rows joined. p50/p95/p99 in milliseconds, and the ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import sys
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
    percentiles,
    rate,
)
from corpus import END, chunks

from bot.ingest import ingest_records
from bot.store import fts, open_db

NOW = END  # the corpus ends here: "now" for every query
BUILD_CHUNK = 5000
SEARCHES = [
    "train",
    "pyongyang",
    "train tickets",
    "beijing pyongyang",
    '"passenger train" dandong',
    "north korea",
    "sanctions OR strike",
    "tourists -flights",
]
RAW_SQL = (
    "SELECT a.id, a.title, a.url, a.outlet, a.published_at"
    " FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid"
    " WHERE articles_fts MATCH ? ORDER BY bm25(articles_fts) LIMIT 10"
)


def database(n: int, seed: int, *, rebuild: bool, given: Path | None = None) -> Path:
    """The cached benchmark database for (n, seed), built through bot.ingest if needed."""
    if given is not None:
        print(f"  using {given} as given ({given.stat().st_size / 1e6:.0f} MB)")
        return given
    path = cached_db_path(n, seed)
    if not path.exists():
        stale = [p.name for p in OUT.glob(path.name.rsplit("-", 1)[0] + "-*.db")]
        if stale:
            print(f"  ingest code changed since {', '.join(stale)} was built: rebuilding")
    if path.exists() and not rebuild:
        print(f"  using cached {path.name} ({path.stat().st_size / 1e6:.0f} MB; --rebuild to redo)")
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    drop_stale(path)
    tmp = path.with_suffix(".building")
    for p in (path, tmp):
        for suffix in ("", "-wal", "-shm"):
            Path(str(p) + suffix).unlink(missing_ok=True)
    db = open_db(tmp)
    t0 = time.perf_counter()
    added = 0
    try:
        for chunk in chunks(n, BUILD_CHUNK, seed=seed):
            added += ingest_records(db, chunk, now=NOW).added
            if sys.stdout.isatty():
                print(f"\r  building {path.name}: {added:,} articles", end="", flush=True)
        finish_db(db)
    finally:
        db.conn.close()  # the last close checkpoints the WAL into the file
    seconds = time.perf_counter() - t0
    tmp.rename(path)
    print(
        f"\r  built {path.name}: {added:,} articles in {seconds:.0f} s ({rate(n, seconds):,.0f}/s)"
    )
    return path


def measure(
    name: str,
    engine: Callable[[], Any],
    raw: Callable[[], Any],
    reps: int,
    rows: list[tuple[str, list[float], list[float]]],
    notes: list[str],
) -> None:
    try:
        for _ in range(3):  # warm caches and lazy loads on both sides
            engine()
            raw()
    except Exception as exc:  # an engine mid-rewrite must not hide the other figures
        notes.append(f"{name} failed: {type(exc).__name__}: {exc}")
        return
    engine_ms: list[float] = []
    raw_ms: list[float] = []
    for _ in range(reps):
        t0 = time.perf_counter()
        engine()
        t1 = time.perf_counter()
        raw()
        t2 = time.perf_counter()
        engine_ms.append((t1 - t0) * 1000)
        raw_ms.append((t2 - t1) * 1000)
    rows.append((name, engine_ms, raw_ms))


def run(n: int, *, seed: int, reps: int, rebuild: bool, given: Path | None = None) -> None:
    print(f"\n{n:,} articles (seed {seed}), as of {NOW:%Y-%m-%d %H:%M} UTC, {reps} calls each")
    path = database(n, seed, rebuild=rebuild, given=given)
    db = open_db(path)
    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    sentences = db.execute("SELECT count(*) FROM sentences").fetchone()[0]
    print(f"  {articles:,} articles, {sentences:,} sentences")

    def raw_top10(match: str) -> Callable[[], list[tuple]]:
        return lambda: raw.execute(RAW_SQL, [match]).fetchall()

    rows: list[tuple[str, list[float], list[float]]] = []
    notes: list[str] = []

    from bot.briefing.search import search

    turn = iter(range(10**9))

    def next_search() -> Any:
        return search(db, SEARCHES[next(turn) % len(SEARCHES)])

    raw_turn = iter(range(10**9))
    matches = [fts.user_query(q) for q in SEARCHES]

    def next_raw() -> Any:
        return raw.execute(RAW_SQL, [matches[next(raw_turn) % len(matches)]]).fetchall()

    measure(
        f"search ({len(SEARCHES)} queries, round robin)", next_search, next_raw, reps, rows, notes
    )

    if rows and rows[0][0].startswith("search"):
        # Round robin after 3 warm-up calls: sample k ran SEARCHES[(k + 3) % len(SEARCHES)].
        _, engine_ms, raw_ms = rows[0]
        parts = []
        for q, query in enumerate(SEARCHES):
            e = [ms for k, ms in enumerate(engine_ms) if (k + 3) % len(SEARCHES) == q]
            r = [ms for k, ms in enumerate(raw_ms) if (k + 3) % len(SEARCHES) == q]
            if e and r:
                parts.append(f"{query} {percentiles(e)[0]:.1f}/{percentiles(r)[0]:.1f}")
        notes.append("search p50 engine/raw ms per query: " + "; ".join(parts))

    try:
        from bot.briefing.brief import build_brief
        from bot.briefing.topics import Catalog, situation_match, topic_match
    except ImportError as exc:
        notes.append(f"brief/status skipped: {exc}")
    else:
        t0 = time.perf_counter()
        catalog = Catalog.load()
        catalog.warm()
        notes.append(f"topics catalog loaded and warmed in {time.perf_counter() - t0:.2f} s")
        topic = catalog.resolve_topic("dprk")
        since = NOW - dt.timedelta(days=7)
        measure(
            "brief dprk (7d)",
            lambda: build_brief(db, topic, since=since, until=NOW, now=NOW),
            raw_top10(topic_match(topic)),
            reps,
            rows,
            notes,
        )
        count = raw.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", [topic_match(topic)]
        ).fetchone()[0]
        notes.append(f"dprk MATCH hits {count:,} articles in all; the raw baseline ranks them all")
        try:
            from bot.briefing.status import build_status
        except ImportError as exc:
            notes.append(f"status skipped: {exc}")
        else:
            sit = catalog.resolve_situation("beijing-pyongyang")
            measure(
                "status beijing-pyongyang",
                lambda: build_status(db, sit, as_of=NOW),
                raw_top10(situation_match(sit)),
                reps,
                rows,
                notes,
            )

    print(
        f"  {'':36} {'engine p50/p95/p99 ms':>24}   {'raw FTS5 p50/p95/p99 ms':>24}"
        f"   {'ratio p50':>9} {'ratio p95':>9}"
    )
    for name, engine_ms, raw_ms in rows:
        e = percentiles(engine_ms)
        r = percentiles(raw_ms)
        print(
            f"  {name:36} {e[0]:7.2f} {e[1]:7.2f} {e[2]:8.2f}   {r[0]:7.2f} {r[1]:7.2f} {r[2]:8.2f}"
            f"   {e[0] / r[0]:8.1f}x {e[1] / r[1]:8.1f}x"
        )
    for note in notes:
        print(f"  note: {note}")
    raw.close()
    db.conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated corpus sizes")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--reps", type=int, default=100, help="timed calls per workload")
    parser.add_argument("--rebuild", action="store_true", help="rebuild cached databases")
    parser.add_argument(
        "--db",
        type=Path,
        help="measure this database (e.g. one built by older code) instead of the cache",
    )
    args = parser.parse_args(argv)
    print(machine())
    if args.db is not None:
        count = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True).execute(
            "SELECT count(*) FROM articles"
        )
        run(count.fetchone()[0], seed=args.seed, reps=args.reps, rebuild=False, given=args.db)
        return 0
    for n in (int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()):
        run(n, seed=args.seed, reps=args.reps, rebuild=args.rebuild)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Daily-brief fan-out through the fake Bot API with Telegram's flood limits emulated.

    .venv/bin/python bench/fanout.py                       # 1,000 subscriptions: ~40 s
    .venv/bin/python bench/fanout.py --subscriptions 10000 # the issue's figure: ~6 min

N subscriptions over 50 topics (a tenth of the chats hold two topics; one in twenty is a group),
all at 08:00 UTC, on a database with three fresh articles per topic. The real Application (real
router, store, templates, TelegramRateLimiter) runs one delivery run at 08:00 against
tests/fakebotapi.py on 127.0.0.1, which answers 429 to any message over ~30/s overall, 1/s per
chat (burst 3) or 20/min per group. Printed: achieved messages/s against the configured limit,
messages lost and duplicated (both must be 0), renders against distinct briefs (must be equal),
429s the server had to give, peak traced memory during the run.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import random
import tempfile
import time
import tracemalloc
from pathlib import Path

from common import machine  # also puts the repo on sys.path

from bot import commands
from bot.briefing.topics import default_catalog
from bot.config import Settings
from bot.errors import NotFound
from bot.ingest.pipeline import ingest_paths
from bot.store import open_db
from bot.store import subscriptions as store_subs
from bot.tg import app as tgapp
from tests.fakebotapi import FakeBotAPI, FloodLimits

RUN_AT = dt.datetime(2026, 3, 11, 8, 0, tzinfo=dt.UTC)
OVERALL_LIMIT = 30.0
COUNTRIES = [
    "France", "Germany", "Japan", "Brazil", "Canada", "Mexico", "India", "Italy", "Spain",
    "Egypt", "Kenya", "Nigeria", "Peru", "Chile", "Norway", "Sweden", "Finland", "Poland",
    "Ukraine", "Turkey", "Iran", "Iraq", "Israel", "Jordan", "Lebanon", "Syria", "Qatar",
    "Vietnam", "Thailand", "Indonesia", "Malaysia", "Philippines", "Australia", "Argentina",
    "Colombia", "Venezuela", "Cuba", "Ghana", "Ethiopia", "Morocco", "Algeria", "Greece",
    "Portugal", "Ireland", "Austria", "Hungary", "Romania", "Serbia", "Pakistan", "Mongolia",
    "Nepal", "Kazakhstan", "Georgia", "Armenia", "Belgium",
]  # fmt: skip


def topics(count: int) -> list[tuple[str, str]]:
    """(name, topic key) for `count` countries the catalog resolves to distinct topics."""
    catalog = default_catalog()
    out: dict[str, str] = {}
    for name in COUNTRIES:
        try:
            key = catalog.resolve_topic(name).key
        except NotFound:
            continue
        if key not in out.values():
            out[name] = key
        if len(out) == count:
            break
    return list(out.items())


def build_db(path: Path, names: list[str], folder: Path) -> None:
    lines = []
    for i, name in enumerate(names):
        for j in range(3):
            published = RUN_AT - dt.timedelta(hours=2 + 5 * j, minutes=i)
            lines.append(
                json.dumps(
                    {
                        "url": f"https://news{j}.example.org/{i}/{j}",
                        "title": f"{name}: parliament votes on budget {j}",
                        "body": (
                            f"Lawmakers in {name} voted on the {2026 + j} budget on Tuesday, "
                            f"officials in {name} said. The vote in {name} followed weeks of "
                            f"debate over spending number {j}. "
                        )
                        * 3,
                        "published_at": published.isoformat(),
                        "source": f"Outlet {j}",
                    }
                )
            )
    corpus = folder / "corpus.jsonl"
    corpus.write_text("\n".join(lines), encoding="utf-8")
    db = open_db(path)
    try:
        ingest_paths(db, [corpus], now=RUN_AT - dt.timedelta(hours=1))
    finally:
        db.conn.close()


def subscribe_all(
    path: Path, api: FakeBotAPI, keys: list[tuple[str, str]], n: int, rng: random.Random
) -> dict[int, int]:
    """n subscriptions; returns chat id -> how many briefs it should get."""
    db = open_db(path)
    expected: dict[int, int] = {}
    created = RUN_AT - dt.timedelta(days=1)
    made = 0
    try:
        db.conn.execute("BEGIN")
        while made < n:
            group = rng.random() < 0.05
            chat = api.group() if group else api.private_chat()
            store_subs.upsert_chat(db, chat["id"], chat["type"], chat.get("title"), now=created)
            how_many = 2 if rng.random() < 0.1 and made + 2 <= n else 1
            for name, key in rng.sample(keys, how_many):
                store_subs.subscribe(
                    db, chat["id"], kind="brief", key=key, query=name, now=created,
                    local_time="08:00",
                )  # fmt: skip
                made += 1
            expected[chat["id"]] = how_many
        db.conn.commit()
    finally:
        db.conn.close()
    return expected


async def run(n: int, topic_count: int, seed: int) -> None:
    rng = random.Random(seed)
    folder = Path(tempfile.mkdtemp(prefix="fanout-"))
    path = folder / "fanout.db"
    keys = topics(topic_count)
    t0 = time.perf_counter()
    build_db(path, [name for name, _ in keys], folder)
    print(f"{machine()}")
    print(f"setup: {len(keys)} topics, {3 * len(keys)} articles in {time.perf_counter() - t0:.1f}s")
    async with FakeBotAPI() as api:
        api.limits = FloodLimits(per_second=OVERALL_LIMIT, per_group_minute=20)
        expected = subscribe_all(path, api, keys, n, rng)
        groups = sum(1 for c in expected if c < 0)
        print(f"subscriptions: {n} in {len(expected)} chats ({groups} groups)")
        now = [RUN_AT - dt.timedelta(minutes=5)]
        settings = Settings(token=api.token, api_url=api.api_url, db_path=path)
        router = commands.Router(settings)
        app = tgapp.build_application(settings, router, clock=lambda: now[0], tick_seconds=None)
        await tgapp.start(app, poll_timeout=1)
        scheduler = app.bot_data["scheduler"]
        while scheduler.last is None:
            await asyncio.sleep(0.05)
        now[0] = RUN_AT
        tracemalloc.start()
        started = time.perf_counter()
        report = await scheduler.tick()
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        await tgapp.stop(app)
        router.close()
        got: dict[int, int] = {}
        for s in api.sent:
            if s.method == "sendMessage":
                got[s.chat_id] = got.get(s.chat_id, 0) + 1
        lost = sum(max(0, want - got.get(c, 0)) for c, want in expected.items())
        dup = sum(max(0, got.get(c, 0) - want) for c, want in expected.items())
        db = open_db(path)
        statuses = dict(db.execute("SELECT status, count(*) FROM deliveries GROUP BY 1").fetchall())
        db.conn.close()
        sent = sum(got.values())
        print(f"delivery run: {elapsed:.1f}s, {sent} messages")
        print(
            f"achieved: {sent / elapsed:.1f} messages/s (configured limit {OVERALL_LIMIT:.0f}/s"
            f" overall, 1/s per chat, 20/min per group)"
        )
        print(f"lost: {lost}   duplicates: {dup}   ledger: {statuses}")
        print(f"renders: {report.renders}   distinct briefs (groups): {report.groups}")
        print(f"429s from the fake server: {api.limits.refused}   failed: {report.failed}")
        print(f"peak traced memory during the run: {peak / 1e6:.1f} MB")
        ok = lost == 0 and dup == 0 and report.renders == report.groups
        print("OK" if ok else "FAILED")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscriptions", type=int, default=1000)
    parser.add_argument("--topics", type=int, default=50)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(args.subscriptions, args.topics, args.seed))


if __name__ == "__main__":
    main()

"""End to end: feeds followed and polled by the real Application, answered through Telegram.

The bot runs against the strict fake Bot API; its feeds are served by an aiohttp server on
127.0.0.1 (allowed through BRIEFBOT_ALLOW_HOSTS, as an intranet would be). The periodic feed job is
off (`poll_check_seconds=None`): tests run a poll with `bot_data["feeds"].run(bot)`, at a clock
they chose, exactly as the job would.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from telegram.ext import Application

from bot import commands
from bot.config import Settings
from bot.ingest.poll import Poller
from bot.ingest.writer import ThreadWriter
from bot.models import FeedSpec
from bot.store import feeds as store_feeds
from bot.store import open_db
from bot.tg import app as tgapp
from bot.tg.feeds import FeedPolling
from tests.fakebotapi import FakeBotAPI, Sent

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

# Two days after the seed: its plan (trains from 12 March) is overdue, with no report it happened.
LATER = dt.datetime(2026, 3, 13, 12, 0, tzinfo=dt.UTC)

ARRIVED = """<p>PYONGYANG, March 13 (Rail Daily) - The first passenger train from Beijing in six
years arrived in Pyongyang on Thursday, March 12, 2026, resuming the international passenger
service between the two capitals, China Railway said in a statement.</p>
<p>The K27 train left Beijing on Wednesday evening and reached Pyongyang railway station on
Thursday afternoon after a stop in Dandong, the operator said. Passenger trains between Beijing
and Pyongyang will run four times a week.</p>
<p>The service had been suspended since January 2020, when North Korea closed its borders at the
start of the pandemic. Freight trains between the two countries returned earlier.</p>"""


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def rss(items: list[dict[str, str]], title: str = "Rail Daily") -> str:
    body = "".join(
        f"<item><title>{i['title']}</title><link>{i['link']}</link><guid>{i['link']}</guid>"
        f"<pubDate>{i['date']}</pubDate>"
        f"<content:encoded><![CDATA[{i['html']}]]></content:encoded></item>"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>{title}</title><link>/</link><language>en</language>{body}"
        "</channel></rss>"
    )


class FeedSite:
    """Feeds on 127.0.0.1: `docs[path] = (status, body)`; every request is counted."""

    def __init__(self) -> None:
        self.docs: dict[str, tuple[int, str]] = {}
        self.hits: dict[str, int] = {}
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.hits[request.path] = self.hits.get(request.path, 0) + 1
        status, body = self.docs.get(request.path, (404, "not found"))
        return web.Response(status=status, text=body, content_type="application/rss+xml")


@pytest.fixture
async def site() -> AsyncIterator[FeedSite]:
    feeds = FeedSite()
    app = web.Application()
    app.router.add_get("/{tail:.*}", feeds.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = tcp._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    feeds.url = f"http://127.0.0.1:{port}"
    try:
        yield feeds
    finally:
        await runner.cleanup()


def settings_for(api: FakeBotAPI, db_path: Path, admin: int) -> Settings:
    return Settings(
        token=api.token,
        api_url=api.api_url,
        db_path=db_path,
        admins=frozenset({admin}),
        allow_hosts=frozenset({"127.0.0.1"}),
        fetch_delay=0.0,
        poll_minutes=30.0,
    )


@asynccontextmanager
async def running(
    settings: Settings, clock: Clock, poller: Poller | None = None
) -> AsyncIterator[Application]:
    router = commands.Router(settings)
    app = tgapp.build_application(
        settings, router, clock=clock, tick_seconds=None, poller=poller, poll_check_seconds=None
    )
    await tgapp.start(app, poll_timeout=1)
    try:
        yield app
    finally:
        await tgapp.stop(app)
        router.close()


async def ask(api: FakeBotAPI, chat: dict[str, Any], text: str, timeout: float = 20) -> Sent:
    api.send(chat, text)
    [reply] = await api.wait_sent(chat, timeout=timeout)
    return reply


async def test_a_polled_feed_article_changes_the_status(
    fake_api: FakeBotAPI, seeded_db_path: Path, site: FeedSite
) -> None:
    admin = fake_api.user("Admin")
    chat = fake_api.private_chat(admin)
    reader = fake_api.private_chat()
    clock = Clock(LATER)
    site.docs["/rail.xml"] = (200, rss([]))
    settings = settings_for(fake_api, seeded_db_path, admin["id"])
    # The production writer: a child process does the parsing, analysis and writes.
    async with running(settings, clock) as app:
        before = await ask(fake_api, reader, "/status beijing-pyongyang")
        assert "Suspended" in before.text and "overdue" in before.text.lower()

        added = await ask(fake_api, chat, f"/addfeed {site.url}/rail.xml Rail Daily")
        assert "Following" in added.text and "Rail Daily" in added.text
        refused = await ask(fake_api, reader, f"/addfeed {site.url}/other.xml")
        assert "Only the bot's admins" in refused.text

        site.docs["/rail.xml"] = (
            200,
            rss(
                [
                    {
                        "title": "First Beijing–Pyongyang passenger train in six years arrives",
                        "link": f"{site.url}/2026/03/13/train-arrives",
                        "date": "Fri, 13 Mar 2026 08:00:00 +0900",
                        "html": ARRIVED,
                    }
                ]
            ),
        )
        polling: FeedPolling = app.bot_data["feeds"]
        summary = await polling.run(app.bot)
        assert summary is not None and summary.new_articles == 1, summary

        after = await ask(fake_api, reader, "/status beijing-pyongyang")
        assert "Operating" in after.html and "Rail Daily" in after.html
        assert "overdue" not in after.text.lower()

        health = await ask(fake_api, chat, "/feeds")
        assert "Rail Daily" in health.text and "1 article" in health.text


async def test_admins_are_told_once_when_a_failing_feed_is_switched_off(
    fake_api: FakeBotAPI, seeded_db_path: Path, site: FeedSite
) -> None:
    admin = fake_api.user("Admin")
    chat = fake_api.private_chat(admin)
    clock = Clock(LATER)
    site.docs["/broken.xml"] = (503, "down for maintenance")
    settings = settings_for(fake_api, seeded_db_path, admin["id"])
    settings = Settings(**{**settings.__dict__, "feed_fail_days": 1.0})
    poller = Poller(ThreadWriter(seeded_db_path), settings.poll_settings(), clock=clock)
    async with running(settings, clock, poller) as app:
        added = await ask(fake_api, chat, f"/addfeed {site.url}/rail.xml")
        assert "Could not follow" in added.text and "HTTP 404" in added.text
        site.docs["/broken.xml"] = (200, rss([]))
        added = await ask(fake_api, chat, f"/addfeed {site.url}/broken.xml Broken Wire")
        assert "Following" in added.text
        site.docs["/broken.xml"] = (503, "down for maintenance")
        polling: FeedPolling = app.bot_data["feeds"]
        for hours in (0, 13, 26, 40):  # due again each time: backoff is hours, not days
            clock.now = LATER + dt.timedelta(hours=hours)
            await polling.run(app.bot)
        [told] = await fake_api.wait_sent(chat)
        assert "switched off" in told.text
        assert "Broken Wire" in told.text and "HTTP 503" in told.text
        assert not fake_api.unread(chat), "told more than once"
        health = await ask(fake_api, chat, "/feeds")
        assert "1 off" in health.text


async def test_status_is_answered_while_a_large_poll_is_indexed(
    fake_api: FakeBotAPI, seeded_db_path: Path, site: FeedSite
) -> None:
    """The bot's one event loop serves the poll's network work and the replies; the poll's
    analysis and writes run in the writer process. A /status sent mid-poll is answered before
    the poll ends (latency figures: bench/poll_latency.py)."""
    reader = fake_api.private_chat()
    clock = Clock(LATER)
    settings = settings_for(fake_api, seeded_db_path, 1)
    feeds, per_feed = 12, 100
    for f in range(feeds):
        items = [
            {
                "title": f"Port {f} report {i}: harbour cranes idle as dock strike enters day {i}",
                "link": f"{site.url}/news/{f}/{i}",
                "date": "Fri, 13 Mar 2026 08:00:00 +0000",
                "html": " ".join(
                    f"<p>Dock workers at harbour {f}-{i} stayed away for a {k}th shift on"
                    f" Friday, union {f} official number {i} said, as talks over pay for"
                    f" {f * i + k} crane operators stalled again.</p>"
                    for k in range(8)
                ),
            }
            for i in range(per_feed)
        ]
        site.docs[f"/f{f}.xml"] = (200, rss(items, title=f"Port Wire {f}"))
    db = open_db(seeded_db_path)
    try:  # many /addfeed in a row would meet the per-chat command limit: added in the store
        for f in range(feeds):
            store_feeds.add_feed(db, FeedSpec(f"{site.url}/f{f}.xml"), now=LATER)
    finally:
        db.conn.close()
    async with running(settings, clock) as app:
        started = time.perf_counter()
        idle = await ask(fake_api, reader, "/status beijing-pyongyang")
        idle_seconds = time.perf_counter() - started

        polling: FeedPolling = app.bot_data["feeds"]
        poll = asyncio.create_task(polling.run(app.bot))
        db = open_db(seeded_db_path)
        try:  # wait until the writer has stored part of the poll
            base = db.execute("SELECT count(*) FROM articles").fetchone()[0]
            for _ in range(3000):
                if db.execute("SELECT count(*) FROM articles").fetchone()[0] > base:
                    break
                await asyncio.sleep(0.01)
        finally:
            db.conn.close()
        assert not poll.done(), "the poll ended before the test could ask mid-poll"
        started = time.perf_counter()
        busy = await ask(fake_api, reader, "/status beijing-pyongyang")
        busy_seconds = time.perf_counter() - started
        answered_mid_poll = not poll.done()
        summary = await poll
        print(f"/status idle {idle_seconds * 1000:.0f} ms, mid-poll {busy_seconds * 1000:.0f} ms")
        assert busy.text == idle.text
        assert answered_mid_poll, "the reply waited for the poll to finish"
        assert summary is not None and summary.new_articles == feeds * per_feed


async def test_a_switch_off_by_another_poller_is_told_by_the_bot_once(
    fake_api: FakeBotAPI, seeded_db_path: Path, site: FeedSite
) -> None:
    """`briefbot feeds poll` from cron switched a feed off: the running bot tells the admins at
    its next feed run, once, and not again after that."""
    admin = fake_api.user("Admin")
    chat = fake_api.private_chat(admin)
    clock = Clock(LATER)
    db = open_db(seeded_db_path)
    try:
        feed, _ = store_feeds.add_feed(db, FeedSpec(f"{site.url}/gone.xml", "Cron Wire"), now=LATER)
        for days in (0, 3, 8):  # failing for a week: switched off by this (CLI) poller
            store_feeds.record_failure(
                db,
                feed.id,
                now=LATER + dt.timedelta(days=days),
                error="HTTP 410 Gone",
                max_failing=dt.timedelta(days=7),
            )
    finally:
        db.conn.close()
    settings = settings_for(fake_api, seeded_db_path, admin["id"])
    poller = Poller(ThreadWriter(seeded_db_path), settings.poll_settings(), clock=clock)
    async with running(settings, clock, poller) as app:
        polling: FeedPolling = app.bot_data["feeds"]
        await polling.run(app.bot)
        [told] = await fake_api.wait_sent(chat)
        assert "Cron Wire" in told.text and "HTTP 410" in told.text
        await polling.run(app.bot)
        await polling.run(app.bot)
        assert not fake_api.unread(chat), "told more than once"

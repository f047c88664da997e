"""End to end: subscriptions delivered through the real Application and the strict fake Bot API.

The bot runs its real router, store and templates on a copy of the seeded database; the clock is
a test's to move. The scheduler's periodic tick is off (`tick_seconds=None`): it runs once at
start-up, as in production, and the tests then call `tick()` after moving the clock, so every
run of the delivery protocol happens at a time the test chose. Each test reads what the fake
server received and what the delivery ledger says.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot import commands
from bot.config import Settings
from bot.ingest.pipeline import ingest_paths
from bot.store import open_db
from bot.store import subscriptions as store_subs
from bot.tg import app as tgapp
from bot.tg.jobs import Scheduler
from tests.fakebotapi import FakeBotAPI, FloodLimits, Sent

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

UTC = dt.UTC
# The seed article is dated 2026-03-11 00:00 UTC; 06:00 in Berlin that morning.
MORNING = dt.datetime(2026, 3, 11, 5, 0, tzinfo=UTC)
EIGHT_BERLIN = dt.datetime(2026, 3, 11, 7, 0, tzinfo=UTC)
EIGHT_UTC = dt.datetime(2026, 3, 11, 8, 0, tzinfo=UTC)


class Clock:
    """The bot's clock: tests set `now`."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@asynccontextmanager
async def running(
    api: FakeBotAPI, db_path: Path, clock: Clock
) -> AsyncIterator[tuple[Application, Scheduler]]:
    """The real bot over `db_path`, polling `api`, its start-up delivery run finished."""
    settings = Settings(token=api.token, api_url=api.api_url, db_path=db_path)
    router = commands.Router(settings)
    app = tgapp.build_application(settings, router, clock=clock, tick_seconds=None)
    await tgapp.start(app, poll_timeout=1)
    scheduler: Scheduler = app.bot_data["scheduler"]
    try:
        for _ in range(1000):  # the start-up run (JobQueue, first=0) must be over
            if scheduler.last is not None:
                break
            await asyncio.sleep(0.01)
        assert scheduler.last is not None, "no start-up delivery run"
        yield app, scheduler
    finally:
        await tgapp.stop(app)
        router.close()


async def tick(app: Application, clock: Clock, when: dt.datetime) -> Any:
    clock.now = when
    return await app.bot_data["scheduler"].tick()


def briefs_to(api: FakeBotAPI, chat: dict[str, Any] | int) -> list[Sent]:
    """Scheduled messages in a chat: daily briefs, "nothing new" lines and alerts."""
    return [
        s
        for s in api.sent_to(chat)
        if s.method == "sendMessage" and "reply_to_message" not in s.message
        and ("📰" in s.text or "Beijing" in s.text)
    ]  # fmt: skip


def ledger(db_path: Path) -> list[tuple[Any, ...]]:
    db = open_db(db_path)
    try:
        return db.execute(
            "SELECT s.chat_id, d.local_date, d.status, d.attempts FROM deliveries d"
            " JOIN subscriptions s ON s.id = d.subscription_id ORDER BY s.id, d.local_date"
        ).fetchall()
    finally:
        db.conn.close()


def chat_row(db_path: Path, chat_id: int) -> Any:
    db = open_db(db_path)
    try:
        return store_subs.get_chat(db, chat_id)
    finally:
        db.conn.close()


def sends_to(api: FakeBotAPI, chat_id: int) -> list[Any]:
    return [c for c in api.calls_to("sendMessage") if c.params.get("chat_id") == chat_id]


async def ask(api: FakeBotAPI, chat: dict[str, Any], text: str, **kw: Any) -> list[Sent]:
    """Send `text` (as `user`, in `thread_id`) and collect its whole reply: an unknown command
    sent after it is always answered, and replies in a chat come in order."""
    api.send(chat, text, **kw)
    api.send(chat, f"/zzzping@{api.username}")
    got: list[Sent] = []
    while True:
        [message] = await api.wait_sent(chat, timeout=20)
        if "zzzping" in message.text:
            return got
        got.append(message)


async def subscribe(api: FakeBotAPI, chat: dict[str, Any], text: str, **kw: Any) -> str:
    reply = await ask(api, chat, text, **kw)
    assert len(reply) == 1, [r.text for r in reply]
    return reply[0].text


# ===================================================================== the daily brief


async def test_private_brief_arrives_at_eight_local_once(
    fake_api: FakeBotAPI, seeded_db_path: Path
) -> None:
    clock = Clock(MORNING)
    async with running(fake_api, seeded_db_path, clock) as (app, scheduler):
        chat = fake_api.private_chat()
        answer = await subscribe(fake_api, chat, "/subscribe dprk 08:00 Europe/Berlin")
        assert "Subscribed" in answer and "08:00" in answer
        await tick(app, clock, EIGHT_BERLIN - dt.timedelta(minutes=1))
        assert briefs_to(fake_api, chat) == []  # 07:59 in Berlin
        await tick(app, clock, EIGHT_BERLIN)
        [brief] = await fake_api.wait_sent(chat)
        assert "📰" in brief.text and "korea" in brief.text.lower()
        assert "reply_to_message" not in brief.message
        for minutes in (1, 5, 90):  # later runs the same day send nothing
            await tick(app, clock, EIGHT_BERLIN + dt.timedelta(minutes=minutes))
        assert scheduler.renders == 1
        # The next morning: the only article was sent yesterday; one line says so.
        await tick(app, clock, EIGHT_BERLIN + dt.timedelta(days=1))
        [line] = await fake_api.wait_sent(chat)
        assert "nothing new since" in line.text and "Europe/Berlin" in line.text
    assert len(briefs_to(fake_api, chat)) == 2
    rows = ledger(seeded_db_path)
    assert [(r[1], r[2]) for r in rows] == [("2026-03-11", "sent"), ("2026-03-12", "sent")]
    assert fake_api.refused() == [] and fake_api.html_warnings == []


async def test_quiet_subscription_stays_silent_when_nothing_is_new(
    fake_api: FakeBotAPI, seeded_db_path: Path
) -> None:
    clock = Clock(MORNING)
    async with running(fake_api, seeded_db_path, clock) as (app, _scheduler):
        chat = fake_api.private_chat()
        await subscribe(fake_api, chat, "/subscribe dprk 08:00 Europe/Berlin quiet")
        await tick(app, clock, EIGHT_BERLIN)
        await fake_api.wait_sent(chat)
        await tick(app, clock, EIGHT_BERLIN + dt.timedelta(days=1))
    assert len(briefs_to(fake_api, chat)) == 1
    assert [r[2] for r in ledger(seeded_db_path)] == ["sent", "skipped"]


async def test_group_subscriptions_need_an_admin(
    fake_api: FakeBotAPI, seeded_db_path: Path
) -> None:
    clock = Clock(MORNING)
    async with running(fake_api, seeded_db_path, clock) as (app, _scheduler):
        group = fake_api.group("Desk")  # its default user created it
        member = fake_api.join(group, fake_api.user("Bob"))
        refusal = await subscribe(fake_api, group, "/subscribe@BriefTestBot dprk", user=member)
        assert "admin" in refusal.lower()
        assert store_subs.list_for_chat(open_db(seeded_db_path), group["id"]) == []
        answer = await subscribe(fake_api, group, "/subscribe@BriefTestBot dprk")
        assert "Subscribed" in answer
        await tick(app, clock, EIGHT_UTC)  # the group has no timezone set: UTC
        [brief] = await fake_api.wait_sent(group)
    assert "📰" in brief.text
    # One administrators lookup served both commands (cached).
    assert len(fake_api.calls_to("getChatAdministrators")) == 1


async def test_forum_thread_subscription_is_delivered_to_the_thread(
    fake_api: FakeBotAPI, seeded_db_path: Path
) -> None:
    clock = Clock(MORNING)
    async with running(fake_api, seeded_db_path, clock) as (app, _scheduler):
        forum = fake_api.group("Desk", forum=True)
        await subscribe(fake_api, forum, "/subscribe@BriefTestBot dprk", thread_id=42)
        await tick(app, clock, EIGHT_UTC)
        [brief] = await fake_api.wait_sent(forum)
    assert brief.params["message_thread_id"] == 42
    assert brief.message["message_thread_id"] == 42 and brief.message["is_topic_message"]


async def test_subscribe_button_confirms_below_the_brief(
    fake_api: FakeBotAPI, seeded_db_path: Path
) -> None:
    clock = Clock(MORNING)
    async with running(fake_api, seeded_db_path, clock) as (_app, _scheduler):
        chat = fake_api.private_chat()
        [brief] = await ask(fake_api, chat, "/brief dprk")
        data = next(
            b["callback_data"]
            for row in brief.buttons
            for b in row
            if b.get("callback_data", "").startswith("sub:")
        )
        query = fake_api.press(brief, data)
        [confirmation] = await fake_api.wait_sent(chat)
        await fake_api.wait_answered(query)
    assert confirmation.method == "sendMessage"  # a new message: the brief stays as it was
    assert confirmation.message_id != brief.message_id and "Subscribed" in confirmation.text
    assert fake_api.messages[(chat["id"], brief.message_id)]["text"] == brief.text


# ===================================================================== exactly once


async def test_restart_between_schedule_and_send_sends_once(
    fake_api: FakeBotAPI, seeded_db_path: Path
) -> None:
    clock = Clock(MORNING)
    async with running(fake_api, seeded_db_path, clock) as (_app, _scheduler):
        chat = fake_api.private_chat()
        await subscribe(fake_api, chat, "/subscribe dprk 08:00 Europe/Berlin")
    # Down at 08:00; back at 10:30 the same day: the start-up run sends the missed brief.
    clock.now = EIGHT_BERLIN + dt.timedelta(hours=2, minutes=30)
    async with running(fake_api, seeded_db_path, clock) as (app, scheduler):
        [brief] = await fake_api.wait_sent(chat)
        assert scheduler.last is not None and scheduler.last.sent == 1
        await tick(app, clock, clock.now + dt.timedelta(minutes=1))
    # A second start the same day sends nothing twice.
    clock.now += dt.timedelta(hours=1)
    async with running(fake_api, seeded_db_path, clock) as (app, scheduler):
        assert scheduler.last is not None and scheduler.last.claimed == 0
    assert len(briefs_to(fake_api, chat)) == 1 and "📰" in brief.text


async def test_a_brief_missed_on_a_past_day_is_not_sent(
    fake_api: FakeBotAPI, seeded_db_path: Path
) -> None:
    clock = Clock(MORNING)
    async with running(fake_api, seeded_db_path, clock):
        chat = fake_api.private_chat()
        await subscribe(fake_api, chat, "/subscribe dprk 08:00 Europe/Berlin")
    # Down from before 08:00 until after midnight in Berlin: that day is over.
    clock.now = dt.datetime(2026, 3, 11, 23, 30, tzinfo=UTC)  # 00:30 on the 12th in Berlin
    async with running(fake_api, seeded_db_path, clock):
        pass
    assert briefs_to(fake_api, chat) == [] and ledger(seeded_db_path) == []


async def test_crash_mid_fan_out_then_restart_sends_the_rest_once(
    fake_api: FakeBotAPI, seeded_db_path: Path
) -> None:
    clock = Clock(MORNING)
    chats = [fake_api.private_chat() for _ in range(3)]
    async with running(fake_api, seeded_db_path, clock) as (app, scheduler):
        for chat in chats:
            await subscribe(fake_api, chat, "/subscribe dprk 08:00 Europe/Berlin")
        slow = chats[2]
        # The third send hangs (and would fail): the process dies while it is in flight.
        fake_api.fail("sendMessage", 500, chat_id=slow["id"], delay=3.0)
        clock.now = EIGHT_BERLIN
        run = asyncio.create_task(scheduler.tick())
        await fake_api.wait_sent(chats[0])
        await fake_api.wait_sent(chats[1])
        # Both recorded as sent, the third in flight: the process dies (no graceful drain).
        await _until(lambda: [r[2] for r in ledger(seeded_db_path)].count("sent") == 2)
        run.cancel()
        with pytest.raises(asyncio.CancelledError):
            await run
    states = {r[0]: r[2] for r in ledger(seeded_db_path)}
    assert states == {chats[0]["id"]: "sent", chats[1]["id"]: "sent", slow["id"]: "claimed"}
    # Restarted within the lease: the in-flight claim may still be someone's; nothing is sent.
    clock.now = EIGHT_BERLIN + dt.timedelta(minutes=5)
    async with running(fake_api, seeded_db_path, clock) as (_app, scheduler):
        assert scheduler.last is not None and scheduler.last.claimed == 0
    # After the lease: the abandoned claim is taken over and sent, once.
    clock.now = EIGHT_BERLIN + store_subs.LEASE + dt.timedelta(minutes=1)
    async with running(fake_api, seeded_db_path, clock) as (app, _scheduler):
        [late] = await fake_api.wait_sent(slow)
        await tick(app, clock, clock.now + dt.timedelta(minutes=1))
    assert "📰" in late.text
    assert [len(briefs_to(fake_api, c)) for c in chats] == [1, 1, 1]
    assert {r[2] for r in ledger(seeded_db_path)} == {"sent"}


@pytest.mark.parametrize(
    ("zone", "local_time", "created", "slot"),
    [
        # Spring forward: 02:30 does not exist in Berlin on 2026-03-29; it runs at 03:00 CEST.
        ("Europe/Berlin", "02:30", dt.datetime(2026, 3, 28, 12, tzinfo=UTC),
         dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        # Fall back: 02:30 happens twice in Berlin on 2026-10-25; the first one, CEST.
        ("Europe/Berlin", "02:30", dt.datetime(2026, 10, 24, 12, tzinfo=UTC),
         dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        # New York springs forward on 2026-03-08: 08:00 is now EDT, 12:00 UTC (13:00 before).
        ("America/New_York", "08:00", dt.datetime(2026, 3, 7, 12, tzinfo=UTC),
         dt.datetime(2026, 3, 8, 12, 0, tzinfo=UTC)),
        # ...and falls back on 2026-11-01: 01:30 happens twice; the first one, EDT.
        ("America/New_York", "01:30", dt.datetime(2026, 10, 31, 12, tzinfo=UTC),
         dt.datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),
    ],
)  # fmt: skip
async def test_daylight_saving_days_deliver_once_at_the_right_instant(
    fake_api: FakeBotAPI,
    seeded_db_path: Path,
    zone: str,
    local_time: str,
    created: dt.datetime,
    slot: dt.datetime,
) -> None:
    clock = Clock(created)
    async with running(fake_api, seeded_db_path, clock) as (app, _scheduler):
        chat = fake_api.private_chat()
        await subscribe(fake_api, chat, f"/subscribe dprk {local_time} {zone}")
        await tick(app, clock, slot - dt.timedelta(minutes=1))
        assert briefs_to(fake_api, chat) == []
        await tick(app, clock, slot)
        await fake_api.wait_sent(chat)
        # Every minute of the next two hours (the repeated hour of a fall-back included).
        for minutes in range(1, 121, 7):
            await tick(app, clock, slot + dt.timedelta(minutes=minutes))
    assert len(briefs_to(fake_api, chat)) == 1


# ===================================================================== Telegram's failures


async def test_a_chat_that_blocks_the_bot_is_deactivated(
    fake_api: FakeBotAPI, seeded_db_path: Path
) -> None:
    clock = Clock(MORNING)
    async with running(fake_api, seeded_db_path, clock) as (app, _scheduler):
        blocked, other = fake_api.private_chat(), fake_api.private_chat()
        for chat in (blocked, other):
            await subscribe(fake_api, chat, "/subscribe dprk 08:00 Europe/Berlin")
        fake_api.block(blocked)
        before = len(sends_to(fake_api, blocked["id"]))
        await tick(app, clock, EIGHT_BERLIN)
        await fake_api.wait_sent(other)
        assert not chat_row(seeded_db_path, blocked["id"]).active
        await tick(app, clock, EIGHT_BERLIN + dt.timedelta(days=1))
        await fake_api.wait_sent(other)
    # One try, refused; none the next day.
    assert [c.status for c in sends_to(fake_api, blocked["id"])][before:] == [403]
    assert ("2026-03-11", "skipped") in [(r[1], r[2]) for r in ledger(seeded_db_path)]


async def test_my_chat_member_removes_and_restores_a_chat(
    fake_api: FakeBotAPI, seeded_db_path: Path
) -> None:
    clock = Clock(MORNING)
    async with running(fake_api, seeded_db_path, clock) as (app, _scheduler):
        group = fake_api.group("Desk")
        await subscribe(fake_api, group, "/subscribe@BriefTestBot dprk")
        fake_api.bot_membership(group, "member", "kicked")
        await _until(lambda: not chat_row(seeded_db_path, group["id"]).active)
        before = len(sends_to(fake_api, group["id"]))
        await tick(app, clock, EIGHT_UTC)
        assert len(sends_to(fake_api, group["id"])) == before  # not even tried
        fake_api.bot_membership(group, "left", "member")  # added back
        await _until(lambda: chat_row(seeded_db_path, group["id"]).active)
        await tick(app, clock, EIGHT_UTC + dt.timedelta(minutes=1))
        [brief] = await fake_api.wait_sent(group)
    assert "📰" in brief.text


async def test_a_migrated_group_gets_its_brief_at_the_new_id(
    fake_api: FakeBotAPI, seeded_db_path: Path
) -> None:
    clock = Clock(MORNING)
    async with running(fake_api, seeded_db_path, clock) as (app, _scheduler):
        group = fake_api.group("Desk", supergroup=False)
        await subscribe(fake_api, group, "/subscribe@BriefTestBot dprk")
        new = fake_api.migrate(group)
        before = len(sends_to(fake_api, group["id"]))
        await tick(app, clock, EIGHT_UTC)
        [brief] = await fake_api.wait_sent(new)
        await tick(app, clock, EIGHT_UTC + dt.timedelta(days=1))
        [second] = await fake_api.wait_sent(new)
    assert "📰" in brief.text and "nothing new" in second.text
    db = open_db(seeded_db_path)
    assert len(store_subs.list_for_chat(db, new["id"])) == 1
    assert store_subs.list_for_chat(db, group["id"]) == []
    assert store_subs.get_chat(db, group["id"]).migrated_to == new["id"]
    # One refused send to the old id (the migration), none the day after.
    assert [c.status for c in sends_to(fake_api, group["id"])][before:] == [400]


async def test_flood_control_429_is_honoured(fake_api: FakeBotAPI, seeded_db_path: Path) -> None:
    clock = Clock(MORNING)
    async with running(fake_api, seeded_db_path, clock) as (app, _scheduler):
        chat = fake_api.private_chat()
        await subscribe(fake_api, chat, "/subscribe dprk 08:00 Europe/Berlin")
        fake_api.fail("sendMessage", 429, retry_after=1, chat_id=chat["id"])
        before = len(sends_to(fake_api, chat["id"]))
        loop = asyncio.get_running_loop()
        started = loop.time()
        report = await tick(app, clock, EIGHT_BERLIN)
        assert loop.time() - started >= 1.0  # waited retry_after, not hammered
        await fake_api.wait_sent(chat)
    assert report.sent == 1
    assert [c.status for c in sends_to(fake_api, chat["id"])][before:] == [429, 200]


async def test_server_errors_are_retried_then_sent(
    fake_api: FakeBotAPI, seeded_db_path: Path
) -> None:
    clock = Clock(MORNING)
    async with running(fake_api, seeded_db_path, clock) as (app, scheduler):
        scheduler.retry_delays = (0.05, 0.05, 0.05)
        chat = fake_api.private_chat()
        await subscribe(fake_api, chat, "/subscribe dprk 08:00 Europe/Berlin")
        fake_api.fail("sendMessage", 500, times=3, chat_id=chat["id"])
        report = await tick(app, clock, EIGHT_BERLIN)
        assert report.sent == 1
        await fake_api.wait_sent(chat)
        # More 5xx than one run's retries: the claim fails, a later run the same day sends.
        await subscribe(fake_api, chat, "/subscribe china 09:00 Europe/Berlin")
        fake_api.fail("sendMessage", 502, times=50, chat_id=chat["id"])
        report = await tick(app, clock, EIGHT_BERLIN + dt.timedelta(hours=1))
        assert report.failed == 1 and report.sent == 0
        fake_api._faults.clear()
        report = await tick(app, clock, EIGHT_BERLIN + dt.timedelta(hours=1, minutes=1))
        assert report.claimed == 0  # retry_at not reached yet
        report = await tick(app, clock, EIGHT_BERLIN + dt.timedelta(hours=1, minutes=6))
        assert report.sent == 1
    assert [r[2] for r in ledger(seeded_db_path)] == ["sent", "sent"]
    assert len([s for s in fake_api.sent_to(chat) if "📰" in s.text]) == 2


async def test_one_render_per_shared_brief_under_emulated_flood_limits(
    fake_api: FakeBotAPI, seeded_db_path: Path
) -> None:
    """Twelve chats (three groups among them) on one topic at one time: one brief, rendered
    once, sent to each exactly once while the fake refuses whatever breaks Telegram's limits."""
    clock = Clock(MORNING)
    fake_api.limits = FloodLimits(per_second=30, per_group_minute=20)
    async with running(fake_api, seeded_db_path, clock) as (app, scheduler):
        chats = [fake_api.private_chat() for _ in range(9)] + [fake_api.group() for _ in range(3)]
        for chat in chats:
            await subscribe(fake_api, chat, "/subscribe@BriefTestBot dprk 08:00 Europe/Berlin")
        renders = scheduler.renders
        report = await tick(app, clock, EIGHT_BERLIN)
    assert report.sent == 12 and scheduler.renders - renders == 1
    assert [len(briefs_to(fake_api, c)) for c in chats] == [1] * 12
    assert fake_api.limits.refused == 0  # the bot's limiter kept within every limit


# ===================================================================== status alerts


async def test_a_status_change_alerts_once(
    fake_api: FakeBotAPI, seeded_db_path: Path, tmp_path: Path
) -> None:
    clock = Clock(dt.datetime(2026, 3, 11, 12, tzinfo=UTC))
    async with running(fake_api, seeded_db_path, clock) as (app, _scheduler):
        chat = fake_api.private_chat()
        await subscribe(fake_api, chat, "/subscribe status beijing-pyongyang")
        # The first evaluation records the state the subscription was made in: no alert.
        report = await tick(app, clock, clock.now + dt.timedelta(minutes=1))
        assert report.alerts == 0 and fake_api.unread(chat) == []
        # The next day a report says the first train arrived: one alert.
        day = dt.datetime(2026, 3, 12, 15, tzinfo=UTC)
        _ingest(seeded_db_path, tmp_path / "a1.txt", "Xinhua", day)
        report = await tick(app, clock, day)
        [alert] = await fake_api.wait_sent(chat)
        assert report.alerts == 1
        # Later reports repeat the same change: no second alert.
        _ingest(seeded_db_path, tmp_path / "a2.txt", "Yonhap", day + dt.timedelta(hours=3))
        report = await tick(app, clock, day + dt.timedelta(hours=4))
        assert report.alerts == 0
    assert "Beijing" in alert.text and "operating" in alert.text.lower()
    assert fake_api.unread(chat) == []


def _ingest(db_path: Path, path: Path, outlet: str, when: dt.datetime) -> None:
    path.write_text(
        f"date {when.date().isoformat()} The first passenger train from Beijing arrived in"
        f" Pyongyang on Thursday, {outlet} reported.\n"
        "The first passenger train from Beijing arrived in Pyongyang on Thursday, March 12,"
        " resuming passenger train services between China and North Korea that had been"
        f" suspended since 2020, {outlet} reported. Passengers said the journey was smooth.\n",
        encoding="utf-8",
    )
    db = open_db(db_path)
    try:
        ingest_paths(db, [path], now=when)
    finally:
        db.conn.close()


async def _until(condition: Any, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def test_a_brief_that_fails_to_build_fails_alone_and_is_retried(
    fake_api: FakeBotAPI, seeded_db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.briefing import digest

    real = digest.build_group_brief
    broken = {"china"}

    def build(db: Any, catalog: Any, group: Any, now: dt.datetime) -> Any:
        if group.key.topic in broken:
            raise RuntimeError("a bug in one topic's brief")
        return real(db, catalog, group, now)

    monkeypatch.setattr(digest, "build_group_brief", build)
    clock = Clock(MORNING)
    async with running(fake_api, seeded_db_path, clock) as (app, _scheduler):
        one, two = fake_api.private_chat(), fake_api.private_chat()
        await subscribe(fake_api, one, "/subscribe china 08:00 Europe/Berlin")
        await subscribe(fake_api, two, "/subscribe dprk 08:00 Europe/Berlin")
        await tick(app, clock, EIGHT_BERLIN)
        [brief] = await fake_api.wait_sent(two)  # the other topic's brief still went out
        assert "📰" in brief.text
        assert briefs_to(fake_api, one) == []
        statuses = {(r[0], r[2]) for r in ledger(seeded_db_path)}
        assert (one["id"], "failed") in statuses and (two["id"], "sent") in statuses
        broken.clear()  # fixed: the next run after the retry time sends it, once
        await tick(app, clock, EIGHT_BERLIN + dt.timedelta(minutes=10))
        [late] = await fake_api.wait_sent(one)
        assert "📰" in late.text
        await tick(app, clock, EIGHT_BERLIN + dt.timedelta(minutes=20))
    assert len(briefs_to(fake_api, one)) == 1 and len(briefs_to(fake_api, two)) == 1

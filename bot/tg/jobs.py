"""Scheduled deliveries: daily briefs and status alerts, sent exactly once through Telegram.

One `Scheduler` per Application. A JobQueue job kicks it every minute and once at start-up (the
"rebuild from the database": PTB does not persist jobs, and nothing here needs it to, because
every tick reads what is due from the subscriptions and the delivery ledger). A tick follows the
protocol in bot.store.subscriptions' docstring:

    plan (due, grouped by shared brief) -> per group: claim, build and render ONCE -> send to
    every claimed chat through the rate limiter -> mark_sent / mark_failed / mark_skipped

then re-evaluates status alerts (cheap when nothing changed: bot.briefing.digest.AlertEvaluator).

All database and brief work runs on one worker thread with its own connection (`DbWorker`), never
on the event loop: one writer keeps the ledger's writes in order (a migration submitted by the
ChatMigrated hook lands before the mark_sent that follows it) and SQLite needs no more.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import sqlite_utils
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import ContextTypes

from bot.briefing import digest, schedule
from bot.briefing.topics import Catalog
from bot.ingest.writer import ThreadWriter
from bot.models import Reply, Subscription
from bot.store import subscriptions as store_subs
from bot.tg.delivery import Renderer, Sender, Target

log = logging.getLogger(__name__)

T = TypeVar("T")
Clock = Callable[[], dt.datetime]

TICK_SECONDS = 60
# Concurrent sends in a fan-out. The rate limiter decides the pace; this only bounds how many
# messages wait on it at once (memory) and lets other chats go while one chat's bucket refills.
SEND_CONCURRENCY = 64
# Jobs prepared ahead of the senders: enough to keep them busy while the next group's brief is
# built, few enough that a claim never waits in the queue for long (see the lease).
QUEUE_SIZE = 512
# Backoff between tries of one send on a 5xx or a timeout, within the run.
RETRY_DELAYS = (1.0, 2.0, 4.0)
# After those, the claim is released for a later run (mark_failed retry_at).
RETRY_LATER = dt.timedelta(minutes=5)
# On shutdown, how long sends already in flight may take to finish and be recorded.
DRAIN_SECONDS = 10.0


class DbWorker(ThreadWriter):
    """One thread, one connection: blocking store work off the event loop, in order (the
    collection writer's thread, plus fire-and-forget submits for the ChatEvents hooks)."""

    def submit(self, fn: Callable[..., Any], *args: Any) -> concurrent.futures.Future[Any]:
        """Fire and forget (from sync code on the loop, like ChatEvents hooks); errors logged."""
        future = self._executor.submit(self._call, fn, args)
        future.add_done_callback(_log_failure)
        return future


def _log_failure(future: concurrent.futures.Future[Any]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("store update failed", exc_info=future.exception())


class StoreChatEvents:
    """ChatEvents backed by the store: what Telegram says about a chat changes its row.

    Forbidden (blocked, kicked) stops deliveries to the chat; ChatMigrated moves its
    subscriptions to the new supergroup. Both are hooks called on the event loop, so the write
    is queued on the DB worker rather than done here.
    """

    def __init__(self, worker: DbWorker, clock: Clock) -> None:
        self.worker = worker
        self.clock = clock

    def chat_forbidden(self, chat_id: int, reason: str) -> None:
        log.info("chat %s is closed to the bot (%s); deactivated", chat_id, reason)
        self.worker.submit(_deactivate, chat_id, self.clock())

    def chat_migrated(self, old_chat_id: int, new_chat_id: int) -> None:
        log.info("chat %s migrated to supergroup %s; subscriptions moved", old_chat_id, new_chat_id)
        self.worker.submit(_migrate, old_chat_id, new_chat_id, self.clock())

    def chat_member(self, chat_id: int, chat_type: str, title: str | None, present: bool) -> None:
        """my_chat_member: the bot was removed or blocked (present False), or added back."""
        if present:
            self.worker.submit(_reactivate, chat_id, chat_type, title, self.clock())
        else:
            self.worker.submit(_deactivate, chat_id, self.clock())


def _deactivate(db: sqlite_utils.Database, chat_id: int, now: dt.datetime) -> bool:
    return store_subs.deactivate_chat(db, chat_id, now=now)


def _migrate(db: sqlite_utils.Database, old: int, new: int, now: dt.datetime) -> None:
    store_subs.migrate_chat(db, old, new, now=now)


def _reactivate(
    db: sqlite_utils.Database, chat_id: int, chat_type: str, title: str | None, now: dt.datetime
) -> None:
    store_subs.upsert_chat(db, chat_id, chat_type, title, now=now)


# ----------------------------------------------------------------------------- the fan-out


@dataclass
class SendJob:
    """One claimed delivery and the chunks to send (shared with the rest of its group)."""

    subscription: Subscription
    claim: store_subs.Claim
    chunks: list[str]
    kind: str
    article_ids: frozenset[int]
    started: bool = False


Outcome = Literal["sent", "failed", "gone", "skipped"]


@dataclass
class TickReport:
    """What one tick did (tests and the bench read it)."""

    groups: int = 0
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    gone: int = 0
    skipped: int = 0
    renders: int = 0
    alerts: int = 0
    errors: list[str] = field(default_factory=list)


class Scheduler:
    """Daily briefs and status alerts for one bot (see the module docstring)."""

    def __init__(
        self,
        worker: DbWorker,
        sender: Sender,
        render: Renderer,
        catalog: Callable[[], Catalog],
        *,
        clock: Clock,
        concurrency: int = SEND_CONCURRENCY,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
    ) -> None:
        self.worker = worker
        self.sender = sender
        self.render = render
        self.catalog = catalog
        self.clock = clock
        self.concurrency = concurrency
        self.retry_delays = retry_delays
        self.alerts = digest.AlertEvaluator()
        self.bot: Bot | None = None
        # Renders since start: one per distinct brief (or "nothing new" line per timezone);
        # tests and bench/fanout.py check it follows the groups, never the number of chats.
        self.renders = 0
        self.last: TickReport | None = None
        self._lock = asyncio.Lock()
        self._draining = False
        self._task: asyncio.Task[TickReport] | None = None

    # ------------------------------------------------------------------- running

    async def job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The JobQueue callback: start a tick in the background unless one is running.

        The tick is not awaited here: Application.stop waits for running jobs, and a fan-out of
        thousands of messages must not hold a shutdown; `close` cancels it instead.
        """
        self.bot = context.bot
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.tick(), name="briefbot-deliveries")
            self._task.add_done_callback(_log_task)

    async def tick(self, bot: Bot | None = None) -> TickReport:
        """One run of the protocol at `clock()`; ticks never overlap."""
        if bot is not None:
            self.bot = bot
        if self.bot is None:
            raise RuntimeError("the scheduler has no bot yet")
        async with self._lock:
            report = TickReport()
            now = self.clock()
            await self._briefs(now, report)
            await self._alerts(now, report)
            self.last = report
            if report.claimed or report.alerts:
                log.info(
                    "deliveries at %s: %d claimed, %d sent, %d failed, %d gone, %d skipped,"
                    " %d renders, %d alerts",
                    now.isoformat(timespec="minutes"), report.claimed, report.sent,
                    report.failed, report.gone, report.skipped, report.renders, report.alerts,
                )  # fmt: skip
            return report

    async def close(self, grace: float = DRAIN_SECONDS) -> None:
        """Stop a running tick, then the worker. Sends in flight finish and are recorded (a
        brief that arrived but was never marked would go out again after the lease); queued
        ones are released for the next start. Past `grace` seconds the run is cancelled."""
        self._draining = True
        task = self._task
        if task is not None and not task.done():
            try:
                await asyncio.wait_for(asyncio.shield(task), grace)
            except TimeoutError:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.worker.close()

    # ------------------------------------------------------------------- briefs

    async def _briefs(self, now: dt.datetime, report: TickReport) -> None:
        groups = await self.worker.run(digest.plan_briefs, now)
        report.groups = len(groups)
        if not groups:
            return
        queue: asyncio.Queue[SendJob | None] = asyncio.Queue(QUEUE_SIZE)
        waiting: list[SendJob] = []
        senders = min(self.concurrency, sum(len(g.members) for g in groups))
        try:
            async with asyncio.TaskGroup() as tasks:
                for _ in range(senders):
                    tasks.create_task(self._sender(queue, report))
                for group in groups:
                    if self._draining:
                        break
                    try:
                        jobs = await self.worker.run(self._prepare, group, now, report)
                    except Exception as exc:  # a busy database: this group waits for a tick
                        log.warning("could not prepare the %s brief: %s", group.key, exc)
                        report.errors.append(f"prepare: {exc}")
                        continue
                    # Known before any put can be cancelled, so a stop releases them all.
                    waiting.extend(jobs)
                    for job in jobs:
                        await queue.put(job)
                for _ in range(senders):
                    await queue.put(None)  # each sender stops at one None, after the jobs
        finally:
            # Stopping (gracefully, or cancelled): claims whose send never started go back to
            # the pool at once, so the next start sends them without waiting out the lease. A
            # send that had started may have arrived: its claim stays, and the lease decides.
            unsent = [j for j in waiting if not j.started]
            if unsent:
                await asyncio.shield(self.worker.run(_release, unsent))

    def _prepare(
        self, db: sqlite_utils.Database, group: digest.BriefGroup, now: dt.datetime,
        report: TickReport,
    ) -> list[SendJob]:  # fmt: skip
        """On the worker: claim the group, build and render its brief once, make the jobs.

        Claims are stamped with the clock, not the tick's start, so a long fan-out does not
        eat into their lease. A brief that fails to build or render (a bug, one bad topic)
        fails its own claims, for a retry later, and never the rest of the run.
        """
        claims = digest.claim_group(db, group, now, at=self.clock())
        report.claimed += len(claims)
        if not claims:
            return []
        try:
            return self._jobs(db, group, now, report, claims)
        except Exception as exc:
            log.exception("the %s brief failed", group.key)
            retry = self.clock() + RETRY_LATER
            for _sub, claim in claims:
                store_subs.mark_failed(db, claim, f"brief failed: {exc}", retry_at=retry)
            report.errors.append(f"brief: {exc}")
            return []

    def _jobs(
        self, db: sqlite_utils.Database, group: digest.BriefGroup, now: dt.datetime,
        report: TickReport, claims: list[tuple[Subscription, store_subs.Claim]],
    ) -> list[SendJob]:  # fmt: skip
        built = digest.build_group_brief(db, self.catalog(), group, now)
        if built.brief is None:
            for _sub, claim in claims:
                store_subs.mark_skipped(db, claim, "topic no longer resolves")
            report.skipped += len(claims)
            return []
        jobs: list[SendJob] = []
        if built.nothing_new:
            empty: dict[str, list[str]] = {}  # one line per timezone, rendered once each
            for sub, claim in claims:
                if sub.quiet:
                    store_subs.mark_skipped(db, claim, "quiet: nothing new")
                    report.skipped += 1
                    continue
                zone = sub.effective_timezone
                if zone not in empty:
                    self.renders += 1
                    report.renders += 1
                    empty[zone] = self._render(
                        Reply(
                            "digest_empty",
                            {
                                "title": built.brief.topic.title,
                                "since": schedule.to_local(group.key.since, zone),
                                "local_now": schedule.to_local(now, zone),
                                "timezone": zone,
                            },
                        )
                    )
                jobs.append(SendJob(sub, claim, empty[zone], "digest_empty", frozenset()))
            return jobs
        chunks = self._render(Reply("brief", built.brief))
        self.renders += 1
        report.renders += 1
        return [SendJob(sub, claim, chunks, "brief", built.article_ids) for sub, claim in claims]

    def _render(self, reply: Reply) -> list[str]:
        return [c for c in self.render(reply, "html") if c.strip()]

    async def _sender(self, queue: asyncio.Queue[SendJob | None], report: TickReport) -> None:
        while (job := await queue.get()) is not None:
            if self._draining:
                continue  # left unstarted: released when the run ends
            job.started = True
            sub = job.subscription
            try:
                outcome, error, retry_at = await self._send(sub, job.chunks, job.kind)
            except Exception as exc:  # an answer _send does not know: retry later, go on
                log.exception("sending to chat %s failed", sub.chat_id)
                outcome, error, retry_at = "failed", str(exc), self.clock() + RETRY_LATER
            setattr(report, outcome, getattr(report, outcome) + 1)
            if error:
                report.errors.append(error)
            # Shielded: a message that went out is recorded even if the run is being stopped
            # (otherwise its claim would outlive the lease and the brief go out twice).
            settle = self.worker.run(_settle, job, outcome, error, retry_at, self.clock())
            await asyncio.shield(settle)

    async def _send(
        self, sub: Subscription, chunks: list[str], kind: str
    ) -> tuple[Outcome, str, dt.datetime | None]:
        """Send every chunk (resuming after the last one sent on a retry); never raises for
        Telegram's answers, only says what happened."""
        assert self.bot is not None
        target = Target(sub.chat_id, sub.thread_id)
        next_chunk = 0
        for attempt in range(len(self.retry_delays) + 1):
            try:
                while next_chunk < len(chunks):
                    # ChatMigrated is handled inside: the hook moves the subscription and the
                    # chunk goes to the new id (target follows it for the remaining chunks).
                    await self.sender.send_chunks(
                        self.bot, target, Reply(kind), [chunks[next_chunk]]
                    )
                    next_chunk += 1
                return "sent", "", None
            except RetryAfter as exc:
                # The limiter already waited and retried; still flooded: a later run.
                wait = exc.retry_after
                seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
                later = self.clock() + max(RETRY_LATER, dt.timedelta(seconds=seconds))
                return "failed", f"flood control: {exc.message}", later
            except Forbidden as exc:
                return "gone", exc.message, None
            except BadRequest as exc:
                if "chat not found" in exc.message.lower():
                    return "gone", exc.message, None
                # Our request is wrong for this chat (a deleted forum topic, say): retrying
                # would fail the same way every time. Logged loudly, done for the day.
                log.error("brief to chat %s refused: %s", sub.chat_id, exc.message)
                return "skipped", exc.message, None
            except (TimedOut, NetworkError) as exc:  # 5xx, timeouts, connection trouble
                if attempt == len(self.retry_delays):
                    return "failed", str(exc), self.clock() + RETRY_LATER
                log.info("send to chat %s failed (%s); retrying", sub.chat_id, exc)
                await asyncio.sleep(self.retry_delays[attempt])
        raise AssertionError("unreachable")

    # ------------------------------------------------------------------- alerts

    async def _alerts(self, now: dt.datetime, report: TickReport) -> None:
        pending = await self.worker.run(self._evaluate, now)
        rendered: dict[int, list[str]] = {}  # by status object: one render per situation
        for alert in pending:
            chunks = rendered.get(id(alert.status))
            if chunks is None:
                chunks = rendered[id(alert.status)] = self._render(Reply("status", alert.status))
            sub = alert.subscription
            outcome, _error, _retry = await self._send(sub, chunks, "status")
            if outcome == "failed":
                await self.worker.run(_release_alert, sub.id, alert.change_keys)
                report.failed += 1
                continue
            if outcome == "gone":
                await self.worker.run(_deactivate, sub.chat_id, self.clock())
            # Sent, or impossible to send: either way this change is done for this chat.
            await self.worker.run(_alert_sent, sub.id, alert.change_keys, self.clock())
            report.alerts += outcome == "sent"

    def _evaluate(self, db: sqlite_utils.Database, now: dt.datetime) -> list[digest.PendingAlert]:
        self.alerts.catalog = self.catalog()
        return self.alerts.evaluate(db, now)


def _settle(
    db: sqlite_utils.Database,
    job: SendJob,
    outcome: Outcome,
    error: str,
    retry_at: dt.datetime | None,
    now: dt.datetime,
) -> None:
    """Record what a send did, in the ledger."""
    if outcome == "sent":
        store_subs.mark_sent(db, job.claim, now=now, article_ids=job.article_ids)
    elif outcome == "failed":
        store_subs.mark_failed(db, job.claim, error, retry_at=retry_at)
    else:
        if outcome == "gone":
            store_subs.deactivate_chat(db, job.subscription.chat_id, now=now)
        store_subs.mark_skipped(db, job.claim, error)


def _release(db: sqlite_utils.Database, jobs: list[SendJob]) -> None:
    for job in jobs:
        store_subs.mark_failed(db, job.claim, "not sent: shutting down", retry_at=None)


def _release_alert(db: sqlite_utils.Database, sub_id: int, keys: list[str]) -> None:
    for key in keys:
        store_subs.release_alert(db, sub_id, key)


def _alert_sent(db: sqlite_utils.Database, sub_id: int, keys: list[str], now: dt.datetime) -> None:
    for key in keys:
        store_subs.mark_alert_sent(db, sub_id, key, now=now)


def _log_task(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("a delivery run failed", exc_info=task.exception())

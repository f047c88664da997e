"""Scheduled feed polling inside the Telegram bot, and telling the admins when a feed is lost.

A JobQueue job looks every minute for feeds whose next poll is due (each feed's own schedule,
jittered and backed off in bot.store.feeds) and polls them in the background: the job returns at
once, so a long poll never holds the JobQueue or a shutdown. The CPU half of polling runs in a
child process (bot.ingest.writer.ProcessWriter), so replies keep their usual latency meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import sqlite_utils
from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.admin import feed_model
from bot.ingest.poll import Poller, due_feeds
from bot.models import Feed, PollSummary, Reply
from bot.store import feeds as store_feeds
from bot.tg.delivery import Sender, Target
from bot.tg.jobs import DbWorker

log = logging.getLogger(__name__)

# How often due feeds are looked for; each feed's own interval is set by BRIEFBOT_POLL_MINUTES.
CHECK_SECONDS = 60


class FeedPolling:
    """The feed job: poll what is due, then message the bot admins about switched-off feeds."""

    def __init__(
        self, poller: Poller, sender: Sender, admins: frozenset[int], reader: DbWorker
    ) -> None:
        self.poller = poller
        self.sender = sender
        self.admins = admins
        # Which feeds are due is read here, on the delivery worker's connection, so a bot that
        # follows no feed never starts the writer process at all.
        self.reader = reader
        self._task: asyncio.Task[PollSummary | None] | None = None

    async def job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The JobQueue callback: start a poll in the background unless one is running."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run(context.bot), name="briefbot-poll")

    async def run(self, bot: Bot) -> PollSummary | None:
        summary = None
        try:
            due = await self.reader.run(due_feeds, self.poller.clock())
            if due:
                summary = await self.poller.poll(due)
            # Every switch-off not yet told, whoever polled (this bot, or a `briefbot feeds
            # poll` from cron): read from the store, so each is told once, after a restart too.
            untold = await self.reader.run(_untold)
        except Exception:  # a broken poll must not end the schedule
            log.exception("scheduled feed poll failed")
            return summary
        for feed in untold:
            await self.tell_admins(bot, feed)
        return summary

    async def tell_admins(self, bot: Bot, feed: Feed) -> None:
        """Message every bot admin; marked told once tried (a failed send is logged, not
        retried every minute)."""
        if not self.admins:
            log.warning("feed %s switched off; BRIEFBOT_ADMINS would be told", feed.url)
        reply = Reply("feed_deactivated", {"feed": feed_model(feed, self.poller.clock())})
        for admin in sorted(self.admins):
            try:
                await self.sender.send(bot, Target(admin), reply)
            except TelegramError as exc:  # an admin who never started the bot, say
                log.warning("could not tell admin %s about feed %s: %s", admin, feed.id, exc)
        await self.reader.run(_told, feed.id)

    async def close(self) -> None:
        """Stop a running poll (its current batch is written whole or not at all) and the
        writer process."""
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.poller.writer.close()


def _untold(db: sqlite_utils.Database) -> list[Feed]:
    return store_feeds.untold_switch_offs(db)


def _told(db: sqlite_utils.Database, feed_id: int) -> None:
    store_feeds.mark_told(db, feed_id)

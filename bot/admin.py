"""The bot admins' commands: which feeds are followed, and indexing one article by its URL.

    /addfeed <url> [outlet name]   follow a feed (a web page is searched for its feed link)
    /feeds                         followed feeds and their health at a glance
    /removefeed <id|url|name>      stop following a feed (its articles stay indexed)
    /ingest <url>                  fetch, extract and index one article now

Feeds are shared by every chat, so these are for the bot's admins (BRIEFBOT_ADMINS) and the
local console only; a group's own admins manage its subscriptions, not the bot's sources.

The router calls these from a worker thread (never on the event loop), so the network work runs
in a short event loop of its own here; the writes use the router's connection, like a
subscription does. Scheduled polls run elsewhere (bot.ingest.poll).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import sqlite_utils

from bot.config import Settings
from bot.errors import IngestError
from bot.ingest import poll
from bot.ingest.fetch import Fetcher, check_url
from bot.models import ChatContext, Feed, FeedSpec, Reply
from bot.store import feeds as store_feeds

T = TypeVar("T")

ADMIN_COMMANDS: list[tuple[str, str]] = [
    ("addfeed", "Follow an RSS or Atom feed (admins)"),
    ("feeds", "Followed feeds and their health (admins)"),
    ("removefeed", "Stop following a feed (admins)"),
    ("ingest", "Index one article by its URL (admins)"),
]
MAX_NAME = 80


class AdminCommands:
    """Feed and URL commands; every method returns the Reply to show."""

    def __init__(
        self,
        settings: Settings,
        db: Callable[[], sqlite_utils.Database],
        situation_name: Callable[[str], str] | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.situation_name = situation_name or (lambda key: key)

    def commands(self) -> dict[str, Callable[[str, ChatContext], Reply]]:
        guarded = {
            "addfeed": self.addfeed,
            "feeds": self.feeds,
            "removefeed": self.removefeed,
            "ingest": self.ingest,
        }
        return {name: self._admins_only(name, fn) for name, fn in guarded.items()}

    def allowed(self, ctx: ChatContext) -> bool:
        """The console's user runs the bot; in Telegram only the configured bot admins."""
        if ctx.chat_type == "console":
            return True
        return ctx.user_id is not None and ctx.user_id in self.settings.admins

    def _admins_only(
        self, name: str, fn: Callable[[str, ChatContext], Reply]
    ) -> Callable[[str, ChatContext], Reply]:
        def run(args: str, ctx: ChatContext) -> Reply:
            if not self.allowed(ctx):
                return Reply("error", {"code": "admin_only", "message": "", "limit": None,
                                       "command": name})  # fmt: skip
            return fn(args, ctx)

        return run

    # ------------------------------------------------------------------------- commands

    def addfeed(self, args: str, ctx: ChatContext, *, language: str | None = None) -> Reply:
        """`language` (ISO 639-1; `briefbot feeds add --language`) is the admin's word on the
        feed's language and wins over the one the feed document declares."""
        if not args.split():
            return Reply("usage", {"command": "addfeed"})
        url = args.split()[0]
        try:
            url, name = _url_and_rest(args)
            found = _run(self._check(url, ctx.now))
        except IngestError as exc:
            return _failed("addfeed", url, str(exc))
        # The outlet is fixed now, once: its articles are cited under one name at every poll.
        outlet = name or poll.outlet_name(found.title, found.site or found.url)
        spec = FeedSpec(url=found.url, outlet=outlet, language=language or found.language)
        feed, created = store_feeds.add_feed(self.db(), spec, now=ctx.now, added_by=ctx.user_id)
        if found.title and not feed.title:
            store_feeds.update_feed_meta(
                self.db(), feed.id, title=found.title, language=found.language
            )
            feed = store_feeds.get_feed(self.db(), feed.id) or feed
        return Reply(
            "feed_added",
            {
                "feed": feed_model(feed, ctx.now),
                "created": created,
                "entries": found.entries,
                "asked": url if found.via_page else None,
                "polling": self.settings.poll_minutes > 0,
            },
        )

    def feeds(self, args: str, ctx: ChatContext) -> Reply:
        db = self.db()
        listed = store_feeds.list_feeds(db)
        return Reply(
            "feeds",
            {
                "feeds": [feed_model(f, ctx.now) for f in listed],
                "counts": store_feeds.feed_health_counts(db),
                "polling": self.settings.poll_minutes > 0,
                "interval_minutes": self.settings.poll_minutes,
            },
        )

    def removefeed(self, args: str, ctx: ChatContext) -> Reply:
        text = args.strip()
        if not text:
            return Reply("usage", {"command": "removefeed"})
        db = self.db()
        found = store_feeds.find_feeds(db, text)
        if len(found) != 1:
            return Reply(
                "feed_removed",
                {
                    "feed": None,
                    "query": text,
                    "candidates": [feed_model(f, ctx.now) for f in found[:10]],
                },
            )
        store_feeds.remove_feed(db, found[0].id)
        return Reply(
            "feed_removed",
            {"feed": feed_model(found[0], ctx.now), "query": text, "candidates": []},
        )

    def ingest(self, args: str, ctx: ChatContext) -> Reply:
        if not args.split():
            return Reply("usage", {"command": "ingest"})
        url = args.split()[0]
        try:
            url, _ = _url_and_rest(args)
            raw = _run(self._fetch(url, ctx.now))
        except IngestError as exc:
            return _failed("ingest", url, str(exc))
        result = poll.ingest_article(self.db(), raw, ctx.now)
        return Reply("ingested", ingested_model(result, self.situation_name))

    # ------------------------------------------------------------------------- network

    def _fetcher(self) -> Fetcher:
        # One request at a time from a person: no politeness delay to wait out.
        return Fetcher(self.settings.poll_settings().policy, per_host=2, delay=0.0)

    async def _check(self, url: str, now: dt.datetime) -> poll.Discovered:
        async with self._fetcher() as fetcher:
            return await poll.check_feed(fetcher, url, now=now)

    async def _fetch(self, url: str, now: dt.datetime) -> Any:
        async with self._fetcher() as fetcher:
            return await poll.fetch_article(fetcher, url, now=now)


# ----------------------------------------------------------------------------- models


def feed_model(feed: Feed, now: dt.datetime) -> dict[str, Any]:
    """A feed as the templates show it."""
    return {
        "id": feed.id,
        "name": feed.name,
        "url": feed.url,
        "health": feed.health,
        "articles": feed.articles,
        "error_count": feed.error_count,
        "last_error": feed.last_error,
        "last_success_at": feed.last_success_at,
        "last_error_at": feed.last_error_at,
        "failing_since": feed.failing_since,
        "next_poll_at": feed.next_poll_at if feed.active else None,
        "language": feed.language,
        "now": now,
    }


def ingested_model(
    result: poll.Ingested, situation_name: Callable[[str], str] = str
) -> dict[str, Any]:
    return {
        "url": result.url,
        "added": result.added,
        "title": result.title,
        "outlet": result.outlet,
        "published_at": result.published_at,
        "date_estimated": result.date_estimated,
        "story_outlets": result.story_outlets,
        "story_size": result.story_size,
        "situations": [{"key": k, "name": situation_name(k)} for k in result.situations],
        "reason": result.reason,
    }


def _failed(command: str, url: str, reason: str) -> Reply:
    return Reply(
        "error", {"code": "fetch", "message": reason, "limit": None, "command": command, "url": url}
    )


def _url_and_rest(args: str) -> tuple[str, str]:
    """'<url> [name words]' -> (url, name); a bare 'example.com/feed' gets https://.

    Raises FetchError (an IngestError) for what is not an http(s) URL."""
    words = args.split()
    url = words[0].strip("<>")
    if "://" not in url and "." in url.split("/", 1)[0]:
        url = "https://" + url
    return check_url(url), " ".join(words[1:])[:MAX_NAME].strip()


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end from synchronous code, in a loop of its own.

    The router runs in worker threads (no loop there); a caller that has a running loop in this
    thread (a test) gets the coroutine run on a fresh thread instead of an error.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()

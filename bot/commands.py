"""The one command router every front end shares: message text or button data -> Reply.

Front ends (Telegram, console, CLI) build a ChatContext, call `Router.handle` or `Router.callback`
in a worker thread, and render what comes back. The router parses, resolves names, calls one
engine function and wraps the model in a Reply; it holds no SQL, no wording (templates/) and never
imports telegram.

Reply models of the kinds the router makes itself are plain dicts (see the `_reply_*` helpers);
brief, status, timeline and search carry the engines' dataclasses.

Button data (Telegram allows 1-64 bytes) is stateless where it fits:
  b:<topic key>:<from>-<to>:<page>   brief page; window bounds as base-36 Unix seconds
  s:<page>:<query>                   search page
  t:<situation key>                  full timeline;   st:<situation key>   back to the status
  r:<command>:<text>                 re-run /brief, /status, /timeline, /subscribe or /timezone
                                     with a suggestion that a "not found", "I know several X" or
                                     "unknown timezone" reply offered
  sub:b:<topic key>                  subscribe this chat (thread) to the topic's daily brief with
  sub:s:<situation key>              the defaults, or to the situation's alerts ("Subscribe")
  u:<subscription id>                end that subscription ("Remove" under /subscriptions)
Subscription changes in groups are for chat admins and bot admins (`_may_change`); reading the
list is for everyone. The subscription rows themselves live in bot.store.subscriptions.

Data that would not fit (a long query or key) is kept in a small in-memory table and the button
carries `k:<token>`; after a restart such a button answers None ("expired"), like malformed data.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import re
import sqlite3
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import sqlite_utils
from rapidfuzz import process

from bot.admin import ADMIN_COMMANDS, AdminCommands
from bot.briefing import brief as brief_engine
from bot.briefing import schedule
from bot.briefing import search as search_engine
from bot.briefing import status as status_engine
from bot.briefing.topics import DEFAULT_PATH as DEFAULT_TOPICS
from bot.briefing.topics import Catalog, default_catalog
from bot.config import Settings
from bot.errors import BarePlace, NotFound, QueryError, StoreBusy, UserError
from bot.models import Button, ChatContext, Reply, Subscription
from bot.render import button_label
from bot.store import articles as store_articles
from bot.store import entities as store_entities
from bot.store import open_db
from bot.store import subscriptions as store_subs

log = logging.getLogger(__name__)

# (name, short description): the Telegram command menu (setMyCommands) and /help, in this order.
COMMANDS: list[tuple[str, str]] = [
    ("brief", "Top stories on a topic"),
    ("status", "Current state of a situation"),
    ("timeline", "Every dated change of a situation"),
    ("search", "Full-text search of the indexed articles"),
    ("topics", "Topics and situations I follow"),
    ("sources", "Outlets I have indexed"),
    ("subscribe", "A daily brief or status alerts in this chat"),
    ("unsubscribe", "Stop a subscription"),
    ("subscriptions", "This chat's subscriptions"),
    ("timezone", "This chat's timezone for daily briefs"),
    ("help", "Every command, with examples"),
    ("start", "What I do"),
]
# The admin commands check their arguments themselves, after checking who asks: a usage hint
# would tell anyone how to use what they may not.
NEEDS_ARGS = frozenset({"search", "brief", "status", "timeline", "subscribe", "unsubscribe"})
MAX_ARGS = 500  # characters; real queries are short, and FTS/resolution cost grows with length
BRIEF_PER_PAGE = 5
SEARCH_PER_PAGE = 5
MAX_PAGE = 1000
CALLBACK_LIMIT = 64  # bytes, Telegram's limit on callback_data
_STASH_SIZE = 4096
# What a NotFound from each command failed to find (the notfound template words it).
_WHAT = {"brief": "topic", "status": "situation", "timeline": "situation", "subscribe": "topic"}
GROUP_CHATS = frozenset({"group", "supergroup", "channel"})
# /topics lists the entities most articles mentioned over these last days.
TOP_ENTITY_DAYS = 7
TOP_ENTITIES = 10

_COMMAND = re.compile(
    r"/(?P<name>[A-Za-z0-9_]{1,64})(?:@(?P<bot>[A-Za-z0-9_]{1,64}))?(?:\s+(?P<args>.*))?", re.S
)
# Looks like a brief period (7d, 5x, 2026-13-01, a..b) even when it is not a valid one.
_PERIOD = re.compile(r"\d+\s*[a-z]*|\d{4}-\d{2}-\d{2}(?:\.\.\d{4}-\d{2}-\d{2})?|\S*\.\.\S*", re.I)
_BRIEF_DATA = re.compile(
    r"b:(?P<key>[^:]+):(?P<since>[0-9a-z]{1,8})-(?P<until>[0-9a-z]{1,8}):"
    r"(?P<page>\d{1,4})"
)
_SEARCH_DATA = re.compile(r"s:(?P<page>\d{1,4}):(?P<query>.+)", re.S)
_RETRY_DATA = re.compile(
    r"r:(?P<command>brief|status|timeline|subscribe|timezone):(?P<args>.+)", re.S
)
_SUBSCRIBE_DATA = re.compile(r"sub:(?P<kind>[bs]):(?P<key>.+)", re.S)
_REMOVE_DATA = re.compile(r"u:(?P<id>\d{1,18})")
# "/subscribe status beijing-pyongyang": the words that ask for a situation's alerts.
_STATUS_WORDS = frozenset({"status", "alert", "alerts"})
_ALL_WORDS = frozenset({"all", "everything"})


class Router:
    """Text and button presses in, Reply models out; one read connection per thread."""

    def __init__(self, settings: Settings, catalog: Catalog | None = None) -> None:
        self.settings = settings
        self._catalog = catalog
        self._local = threading.local()
        self._lock = threading.Lock()  # the first connection's migration, and the stash
        self._catalog_lock = threading.Lock()
        self._migrated = False
        self._stash: OrderedDict[str, str] = OrderedDict()
        self._commands: dict[str, Callable[[str, ChatContext], Reply]] = {
            "start": self._start,
            "help": self._help,
            "search": self._search,
            "brief": self._brief,
            "status": self._status,
            "timeline": self._timeline,
            "topics": self._topics,
            "sources": self._sources,
            "subscribe": self._subscribe,
            "unsubscribe": self._unsubscribe,
            "subscriptions": self._subscriptions,
            "timezone": self._timezone,
        }
        # Feeds and single URLs: the bot admins' commands (bot/admin.py).
        self._admin = AdminCommands(settings, self.db, self._situation_name)
        self._commands.update(self._admin.commands())

    # ------------------------------------------------------------------------- plumbing

    @property
    def catalog(self) -> Catalog:
        """Topics and situations, loaded on first use."""
        if self._catalog is None:
            with self._catalog_lock:
                if self._catalog is None:
                    path = self.settings.seeds_dir / "topics.toml"
                    if path.resolve() == DEFAULT_TOPICS.resolve() or not path.exists():
                        self._catalog = default_catalog()  # shared: the gazetteer is costly
                    else:
                        self._catalog = Catalog.load(path)
        return self._catalog

    def warm(self) -> None:
        """Load the catalog, its gazetteer and the brief's clustering now (the Telegram front end
        calls it at start-up, off the event loop)."""
        self.catalog.warm()
        brief_engine.warm()

    def db(self) -> sqlite_utils.Database:
        """This thread's connection (sqlite3 connections must stay on the thread that made them)."""
        db = getattr(self._local, "db", None)
        if db is None:
            with self._lock:
                # Migrate once, on the first connection, so threads do not race to upgrade.
                db = open_db(self.settings.db_path, migrate=not self._migrated)
                self._migrated = True
            self._local.db = db
        return db

    @property
    def command_names(self) -> frozenset[str]:
        """The commands this router answers (the console accepts them without the slash)."""
        return frozenset(self._commands)

    def article_count(self) -> int:
        """How many articles the index holds (the console banner shows it)."""
        return store_articles.count_articles(self.db())

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.conn.close()
            self._local.db = None

    # ------------------------------------------------------------------------- entry points

    def handle(self, text: str, ctx: ChatContext) -> Reply | None:
        """Answer a message; None when it is not a command for this bot."""
        text = (text or "").strip()
        match = _COMMAND.fullmatch(text)
        if match is None:
            if not text or ctx.chat_type in GROUP_CHATS:
                return None  # in groups people talk; only commands are for us
            return Reply("hint", {})
        name, bot = match.group("name").lower(), match.group("bot")
        mine = (ctx.bot_username or "").lstrip("@").lower()
        if bot and mine and bot.lower() != mine:
            return None  # /brief@OtherBot
        fn = self._commands.get(name)
        if fn is None:
            if ctx.chat_type in GROUP_CHATS and not bot:
                return None  # probably another bot's command
            return _reply_notfound("command", name, "", _closest(name, self._commands))
        args = clean_args(match.group("args") or "")
        if len(args) > MAX_ARGS:
            return _reply_error("too_long", limit=MAX_ARGS)
        if name in NEEDS_ARGS and not args:
            return Reply("usage", {"command": name})
        return self._guard(name, lambda: fn(args, ctx))

    def callback(self, data: str, ctx: ChatContext) -> Reply | None:
        """Answer a button press; None for data that is malformed or has expired."""
        data = data or ""
        if data.startswith("k:"):
            with self._lock:
                stored = self._stash.get(data[2:])
            if stored is None:
                return None
            data = stored
        try:
            name, action = self._parse_callback(data, ctx)
        except (ValueError, OverflowError, OSError):
            log.info("ignoring malformed button data %r", data[:64])
            return None
        return self._guard(name, action)

    def _parse_callback(self, data: str, ctx: ChatContext) -> tuple[str, Callable[[], Reply]]:
        """(command, what to run) for button data; ValueError (or overflow) when malformed."""
        if m := _BRIEF_DATA.fullmatch(data):
            key, page = m.group("key"), _page(m.group("page"))
            since, until = _from_b36(m.group("since")), _from_b36(m.group("until"))
            if since >= until:
                raise ValueError("empty window")
            return "brief", lambda: self._brief_page(key, since, until, page, ctx)
        if m := _SEARCH_DATA.fullmatch(data):
            query, page = m.group("query"), _page(m.group("page"))
            return "search", lambda: self._search_page(query, page)
        if m := _RETRY_DATA.fullmatch(data):
            name, args = m.group("command"), clean_args(m.group("args"))
            if not args or len(args) > MAX_ARGS:
                raise ValueError("bad retry")
            fn = self._commands[name]
            return name, lambda: fn(args, ctx)
        if m := _SUBSCRIBE_DATA.fullmatch(data):
            kind, key = m.group("kind"), m.group("key")
            return "subscribe", lambda: self._subscribe_button(kind, key, ctx)
        if m := _REMOVE_DATA.fullmatch(data):
            sub_id = int(m.group("id"))
            return "unsubscribe", lambda: self._remove_button(sub_id, ctx)
        if data.startswith("t:") and len(data) > 2:
            return "timeline", lambda: self._timeline(data[2:], ctx, from_button=True)
        if data.startswith("st:") and len(data) > 3:
            return "status", lambda: self._status(data[3:], ctx)
        raise ValueError("unknown button")

    def _guard(self, name: str, fn: Callable[[], Reply]) -> Reply:
        """Known failures become replies; anything else is a bug and propagates."""
        try:
            return fn()
        except NotFound as exc:
            # A command may say what it was looking for (/subscribe: a topic or a situation)
            # and which buttons to offer (its retries keep the time and timezone typed).
            what = getattr(exc, "what", None) or _WHAT.get(name, name)
            suggestions = list(exc.suggestions)[:3]
            buttons = getattr(exc, "buttons", None)
            return _reply_notfound(
                what,
                getattr(exc, "query", None) or "",
                name,
                suggestions,
                message=str(exc),
                buttons=buttons
                if buttons is not None
                else self._suggestion_buttons(name, suggestions),
            )
        except schedule.TimezoneNotFound as exc:
            return self._timezone_error(name, exc)
        except QueryError as exc:
            return _reply_error("query", str(exc))
        except UserError as exc:
            return _reply_error("user", str(exc))
        except StoreBusy:
            return Reply("busy", {})
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                log.warning("database busy answering /%s: %s", name, exc)
                return Reply("busy", {})
            raise

    # ------------------------------------------------------------------------- commands

    def _start(self, args: str, ctx: ChatContext) -> Reply:
        db = self.db()
        return Reply(
            "start",
            {
                "articles": store_articles.count_articles(db),
                "outlets": len(store_articles.list_sources(db)),
                "commands": _commands_model(),
            },
        )

    def _help(self, args: str, ctx: ChatContext) -> Reply:
        wanted = args.lstrip("/").split("@")[0].lower() if args else ""
        # The admins' commands are listed to the admins only (they work for nobody else).
        admin = self._admin.allowed(ctx)
        return Reply(
            "help",
            {
                "commands": _commands_model() + (_admin_commands_model() if admin else []),
                "command": wanted if wanted in self._commands else None,
                "bot_username": ctx.bot_username,
            },
        )

    def _search(self, args: str, ctx: ChatContext) -> Reply:
        return self._search_page(args, 1)

    def _search_page(self, query: str, page: int) -> Reply:
        result = search_engine.search(self.db(), query, page=page, per_page=SEARCH_PER_PAGE)
        row: list[Button] = []
        if result.page > 1:
            row.append(Button(button_label("prev"), self._data(f"s:{result.page - 1}:{query}")))
        if result.page < result.pages:
            row.append(Button(button_label("next"), self._data(f"s:{result.page + 1}:{query}")))
        return Reply("search", result, [row] if row else [])

    def _brief(self, args: str, ctx: ChatContext) -> Reply:
        topic_text, period = split_period(args, now=ctx.now)
        try:
            topic = self._resolve_topic(topic_text)
        except NotFound:
            if period is None:
                raise
            # "/brief g 20" style names that merely end like a period: try the whole text.
            # (Its suggestions come from the whole text, so their buttons keep the period.)
            topic, period = self._resolve_topic(args), None
        since, until = brief_engine.parse_window(period, now=ctx.now)
        return self._brief_reply(topic, since, until, 1, ctx)

    def _brief_page(
        self, key: str, since: dt.datetime, until: dt.datetime, page: int, ctx: ChatContext
    ) -> Reply:
        return self._brief_reply(self._resolve_topic(key), since, until, page, ctx)

    def _brief_reply(
        self, topic: Any, since: dt.datetime, until: dt.datetime, page: int, ctx: ChatContext
    ) -> Reply:
        brief = brief_engine.build_brief(
            self.db(),
            topic,
            since=since,
            until=until,
            now=ctx.now,
            page=page,
            per_page=BRIEF_PER_PAGE,
        )
        # In a fallback Brief.window_* hold the dates the stories cover; the template also says
        # what was asked for. A bridge until Brief carries the requested window itself.
        if brief.fallback and brief.requested_from is None:
            brief.requested_from, brief.requested_to = since, until
        shown = (brief.page - 1) * BRIEF_PER_PAGE + len(brief.stories)
        buttons: list[list[Button]] = []
        if brief.stories and brief.total_stories > shown:
            window = f"{_to_b36(since)}-{_to_b36(until)}"
            data = self._data(f"b:{topic.key}:{window}:{brief.page + 1}")
            buttons.append([Button(button_label("more"), data)])
        buttons.append([Button(button_label("subscribe"), self._data(f"sub:b:{topic.key}"))])
        return Reply("brief", brief, buttons, link_preview=False)

    def _status(self, args: str, ctx: ChatContext) -> Reply:
        situation, others = self._situation_for(args, ctx)
        status = status_engine.build_status(self.db(), situation, as_of=ctx.now)
        buttons = []
        if status.timeline:
            buttons.append([Button(button_label("timeline"), self._data(f"t:{situation.key}"))])
        buttons.append([Button(button_label("subscribe"), self._data(f"sub:s:{situation.key}"))])
        # A place alone answered with its best-covered situation: offer the others it is in.
        buttons += self._suggestion_buttons("status", others)
        return Reply("status", status, buttons, link_preview=False)

    def _timeline(self, args: str, ctx: ChatContext, from_button: bool = False) -> Reply:
        situation, _others = self._situation_for(args, ctx)
        status = status_engine.build_status(self.db(), situation, as_of=ctx.now)
        # Pressed under a status message (which it replaces): offer the way back.
        buttons = [[Button(button_label("status"), self._data(f"st:{situation.key}"))]]
        return Reply("timeline", status, buttons if from_button else [], link_preview=False)

    def _topics(self, args: str, ctx: ChatContext) -> Reply:
        since = ctx.now - dt.timedelta(days=TOP_ENTITY_DAYS)
        top = store_entities.top_entities(self.db(), since=since, until=ctx.now, limit=TOP_ENTITIES)
        return Reply(
            "topics",
            {
                "topics": self.catalog.topics(),
                "situations": self.catalog.situations(),
                "entities": [self._entity_model(key, n) for key, n in top],
                "days": TOP_ENTITY_DAYS,
            },
        )

    def _sources(self, args: str, ctx: ChatContext) -> Reply:
        db = self.db()
        return Reply(
            "sources",
            {
                "sources": store_articles.list_sources(db),
                "articles": store_articles.count_articles(db),
                "as_of": ctx.now,
            },
        )

    # ------------------------------------------------------------------------- subscriptions

    def _subscribe(self, args: str, ctx: ChatContext) -> Reply:
        """/subscribe <topic> [time] [timezone] [quiet]  |  /subscribe status <situation>."""
        if (refusal := self._refusal(ctx, "subscribe")) is not None:
            return refusal
        words = args.split(" ")
        if words[0].lower() in _STATUS_WORDS and len(words) > 1:
            return self._subscribe_status(" ".join(words[1:]), ctx)
        request = parse_subscribe_args(args)
        topic, request = self._subscribe_topic(request)
        zone = None
        if request.tz_text is not None:
            try:
                zone = schedule.resolve_timezone(request.tz_text)
            except schedule.TimezoneNotFound as exc:
                # Its buttons re-run the whole command with the suggested zone in place.
                exc.retry = {  # type: ignore[attr-defined]
                    name: request.as_args(tz=name) for name in exc.suggestions
                }
                raise
        self._touch_chat(ctx)
        sub, outcome = store_subs.subscribe(
            self.db(),
            self._chat_id(ctx),
            kind="brief",
            key=topic.key,
            query=request.topic,
            now=ctx.now,
            thread_id=ctx.thread_id,
            local_time=schedule.format_time(request.time) if request.time else None,
            timezone=zone,
            quiet=True if request.quiet else None,
            created_by=ctx.user_id,
        )
        return self._subscribed_reply(sub, outcome, topic.title, ctx)

    def _subscribe_topic(self, request: SubscribeArgs) -> tuple[Any, SubscribeArgs]:
        """The topic of a /subscribe, and the request as finally read.

        "/subscribe dprk seoul" names no topic "dprk seoul": when the words do not resolve and
        their tail is a timezone ("seoul", "new york"), that tail is the timezone.
        """
        try:
            return self._resolve_topic(request.topic), request
        except NotFound as exc:
            if request.tz_text is None:
                for alternative in request.timezone_tails():
                    try:
                        return self._resolve_topic(alternative.topic), alternative
                    except NotFound:
                        continue
            exc.buttons = [  # type: ignore[attr-defined]
                [
                    Button(
                        self.catalog.option_label(option),
                        self._data(f"r:subscribe:{request.as_args(topic=option)}"),
                    )
                ]
                for option in list(exc.suggestions)[:3]
            ]
            raise

    def _subscribe_status(self, text: str, ctx: ChatContext) -> Reply:
        request = parse_subscribe_args(text)
        if request.time is not None or request.tz_text is not None:
            raise UserError(
                "Status alerts come whenever the situation changes, so they take no time or"
                f" timezone: /subscribe status {request.topic}"
            )
        text = request.topic  # "quiet" means nothing for alerts either: read past it
        try:
            situation = self._resolve_situation(text)
        except NotFound as exc:
            # The notfound reply words it for a situation and suggests "/subscribe status X".
            options = list(exc.suggestions)[:3]
            exc.what = "situation"  # type: ignore[attr-defined]
            exc.suggestions = [f"status {option}" for option in options]
            exc.buttons = [  # type: ignore[attr-defined]
                [
                    Button(
                        self.catalog.option_label(option),
                        self._data(f"r:subscribe:status {option}"),
                    )
                ]
                for option in options
            ]
            raise
        return self._subscribe_situation(situation, text, ctx)

    def _subscribe_situation(self, situation: Any, query: str, ctx: ChatContext) -> Reply:
        self._touch_chat(ctx)
        sub, outcome = store_subs.subscribe(
            self.db(),
            self._chat_id(ctx),
            kind="status",
            key=situation.key,
            query=query,
            now=ctx.now,
            thread_id=ctx.thread_id,
            created_by=ctx.user_id,
        )
        return self._subscribed_reply(sub, outcome, situation.title, ctx)

    def _subscribe_button(self, kind: str, key: str, ctx: ChatContext) -> Reply:
        """ "Subscribe" under a brief or a status: the defaults (08:00, the chat's timezone)."""
        if (refusal := self._refusal(ctx, "subscribe", new_message=True)) is not None:
            return refusal
        if kind == "s":
            reply = self._subscribe_situation(self._resolve_situation(key), key, ctx)
        else:
            topic = self._resolve_topic(key)
            self._touch_chat(ctx)
            sub, outcome = store_subs.subscribe(
                self.db(),
                self._chat_id(ctx),
                kind="brief",
                key=topic.key,
                query=key,
                now=ctx.now,
                thread_id=ctx.thread_id,
                created_by=ctx.user_id,
            )
            reply = self._subscribed_reply(sub, outcome, topic.title, ctx)
        reply.new_message = True  # the brief or status stays; the confirmation comes below it
        return reply

    def _unsubscribe(self, args: str, ctx: ChatContext) -> Reply:
        """/unsubscribe <topic|status situation|all>.

        From the main chat it acts on the whole chat; from a forum topic, on that topic's
        subscriptions (the /subscriptions list removes any one of them anywhere).
        """
        if (refusal := self._refusal(ctx, "unsubscribe")) is not None:
            return refusal
        db, chat_id = self.db(), self._chat_id(ctx)
        whole_chat = ctx.thread_id is None
        everything = args.lower() in _ALL_WORDS
        if everything:
            removed = store_subs.unsubscribe(db, chat_id, ctx.thread_id, all_threads=whole_chat)
        else:
            kind: str | None = None
            text = args
            words = args.split(" ")
            if words[0].lower() in _STATUS_WORDS and len(words) > 1:
                kind, text = "status", " ".join(words[1:])
            current = store_subs.list_for_chat(db, chat_id, ctx.thread_id, all_threads=whole_chat)
            removed = []
            for sub in self._matching(current, text, kind):
                removed += store_subs.unsubscribe(
                    db, chat_id, all_threads=True, subscription_id=sub.id
                )
        return Reply(
            "unsubscribed",
            {
                "removed": [self._subscription_model(s, ctx) for s in removed],
                "query": args,
                "all": everything,
                "thread_id": ctx.thread_id,
            },
        )

    def _matching(
        self, subs: list[Subscription], text: str, kind: str | None
    ) -> list[Subscription]:
        """The subscriptions `text` names: by key or as typed, else by what it resolves to."""
        subs = [s for s in subs if kind is None or s.kind == kind]
        folded = text.casefold()
        direct = [s for s in subs if folded in (s.key.casefold(), s.query.casefold())]
        if direct or not subs:
            return direct
        keys: set[tuple[str, str]] = set()
        for sub_kind, resolve in (
            ("brief", self.catalog.resolve_topic),
            ("status", self.catalog.resolve_situation),
        ):
            if kind in (None, sub_kind) and any(s.kind == sub_kind for s in subs):
                with contextlib.suppress(NotFound):
                    keys.add((sub_kind, resolve(text).key))
        return [s for s in subs if (s.kind, s.key) in keys]

    def _subscriptions(self, args: str, ctx: ChatContext) -> Reply:
        """/subscriptions: everyone may read them; the Remove buttons check who presses."""
        return self._list_reply(ctx)

    def _remove_button(self, sub_id: int, ctx: ChatContext) -> Reply:
        """ "Remove" under /subscriptions: end it, and show the list as it now stands."""
        if (refusal := self._refusal(ctx, "unsubscribe", new_message=True)) is not None:
            return refusal
        db, chat_id = self.db(), self._chat_id(ctx)
        sub = store_subs.get_subscription(db, sub_id)
        removed = None
        # Only this chat's: a button can be pressed long after, or (forged) from elsewhere.
        if sub is not None and sub.chat_id == chat_id and sub.active:
            gone = store_subs.unsubscribe(db, chat_id, all_threads=True, subscription_id=sub_id)
            removed = gone[0] if gone else None
        return self._list_reply(ctx, removed=removed, pressed=True)

    def _list_reply(
        self, ctx: ChatContext, *, removed: Subscription | None = None, pressed: bool = False
    ) -> Reply:
        db, chat_id = self.db(), self._chat_id(ctx)
        subs = store_subs.list_for_chat(db, chat_id)
        chat = store_subs.get_chat(db, chat_id)
        buttons = [
            [
                Button(
                    button_label("remove", name=_button_name(sub)),
                    self._data(f"u:{sub.id}"),
                )
            ]
            for sub in subs
        ]
        return Reply(
            "subscriptions",
            {
                "subscriptions": [self._subscription_model(s, ctx) for s in subs],
                "timezone": chat.timezone if chat else store_subs.DEFAULT_TIMEZONE,
                "thread_id": ctx.thread_id,
                "can_change": self._may_change(ctx),
                "removed": self._subscription_model(removed, ctx) if removed else None,
                # A Remove pressed for one that was already gone (by another admin, say).
                "already_gone": pressed and removed is None,
            },
            buttons,
        )

    def _timezone(self, args: str, ctx: ChatContext) -> Reply:
        """/timezone shows the chat's timezone; /timezone <zone> sets it (admins, in groups)."""
        db, chat_id = self.db(), self._chat_id(ctx)
        if not args:
            chat = store_subs.get_chat(db, chat_id)
            zone = chat.timezone if chat else store_subs.DEFAULT_TIMEZONE
            return self._timezone_reply(zone, False, ctx)
        if (refusal := self._refusal(ctx, "timezone")) is not None:
            return refusal
        try:
            zone = schedule.resolve_timezone(args)
        except schedule.TimezoneNotFound as exc:
            exc.retry = {name: name for name in exc.suggestions}  # type: ignore[attr-defined]
            raise
        self._touch_chat(ctx)
        store_subs.set_timezone(db, chat_id, zone, now=ctx.now)
        return self._timezone_reply(zone, True, ctx)

    def _timezone_reply(self, zone: str, changed: bool, ctx: ChatContext) -> Reply:
        subs = store_subs.list_for_chat(self.db(), self._chat_id(ctx))
        own = [s for s in subs if s.kind == "brief" and s.timezone and s.timezone != zone]
        return Reply(
            "timezone",
            {
                "timezone": zone,
                "changed": changed,
                "local_now": schedule.to_local(ctx.now, zone),
                "following": sum(1 for s in subs if s.kind == "brief" and not s.timezone),
                "own": [self._subscription_model(s, ctx) for s in own],
                "can_change": self._may_change(ctx),
            },
        )

    def _timezone_error(self, command: str, exc: schedule.TimezoneNotFound) -> Reply:
        """An unknown timezone: the reason, close names, a button re-running with each."""
        retry: dict[str, str] = getattr(exc, "retry", None) or {}
        buttons = [
            [Button(name, self._data(f"r:{command}:{args}"))]
            for name, args in retry.items()
            if command in ("subscribe", "timezone")
        ]
        return Reply(
            "error",
            {
                "code": "timezone",
                "message": str(exc),
                "limit": None,
                "query": exc.query,
                "suggestions": list(exc.suggestions),
                "command": command,
            },
            buttons,
        )

    def _subscribed_reply(
        self, sub: Subscription, outcome: str, title: str, ctx: ChatContext
    ) -> Reply:
        model = self._subscription_model(sub, ctx)
        model.update({"outcome": outcome, "title": title})
        return Reply("subscribed", model)

    def _subscription_model(self, sub: Subscription, ctx: ChatContext) -> dict[str, Any]:
        """A subscription as the templates show it, with its next run on its own clock."""
        zone = sub.effective_timezone
        next_run = None
        if sub.kind == "brief" and sub.local_time:
            next_run = schedule.to_local(schedule.next_run(sub.local_time, zone, ctx.now), zone)
        return {
            "id": sub.id,
            "kind": sub.kind,
            "key": sub.key,
            "query": sub.query,
            "local_time": sub.local_time,
            "timezone": zone,
            "own_timezone": sub.timezone is not None,
            "quiet": sub.quiet,
            "thread_id": sub.thread_id,
            "here": sub.thread_id == ctx.thread_id,
            "next_run": next_run,
            "local_now": schedule.to_local(ctx.now, zone),
        }

    def _may_change(self, ctx: ChatContext) -> bool:
        """Anyone in a private chat (or the console); in groups chat admins and bot admins."""
        if ctx.chat_type not in GROUP_CHATS:
            return True
        return ctx.is_admin or (ctx.user_id is not None and ctx.user_id in self.settings.admins)

    def _refusal(
        self, ctx: ChatContext, command: str, *, new_message: bool = False
    ) -> Reply | None:
        """The polite one-liner for someone who may not change this group's subscriptions."""
        if self._may_change(ctx):
            return None
        reply = _reply_error("admin_only", command=command)
        reply.new_message = new_message  # under a button: keep the message that carried it
        return reply

    @staticmethod
    def _chat_id(ctx: ChatContext) -> int:
        if ctx.chat_id is None:
            raise UserError("Subscriptions belong to a chat; there is none here.")
        return ctx.chat_id

    def _touch_chat(self, ctx: ChatContext) -> None:
        """Record the chat (a command from it also proves the bot can reach it again)."""
        store_subs.upsert_chat(
            self.db(), self._chat_id(ctx), ctx.chat_type, ctx.chat_title, now=ctx.now
        )

    # ------------------------------------------------------------------------- helpers

    def _situation_name(self, key: str) -> str:
        """A declared situation's display name (its key when the catalog no longer has it)."""
        for situation in self.catalog.situations():
            if situation.key == key:
                return situation.title
        return key

    def _entity_model(self, key: str, articles: int) -> dict[str, Any]:
        """A tagged entity as /topics lists it: its name, and what to type to brief it."""
        entity = self.catalog.entity(key)
        if entity is None:  # tagged by an older gazetteer: still worth showing by its key
            return {"key": key, "name": key, "articles": articles}
        try:
            # The entity's declared topic when it has one ("dprk" for north-korea).
            brief_key = self.catalog.resolve_topic(key).key
        except NotFound:
            brief_key = key
        return {"key": brief_key, "name": entity.name, "articles": articles}

    def _resolve_topic(self, text: str) -> Any:
        return self._resolve(self.catalog.resolve_topic, text)

    def _resolve_situation(self, text: str) -> Any:
        return self._resolve(self.catalog.resolve_situation, text)

    @staticmethod
    def _resolve(resolve: Callable[[str], Any], text: str) -> Any:
        """Resolve a name; a NotFound carries what was typed, for the notfound reply."""
        try:
            return resolve(text)
        except NotFound as exc:
            exc.query = text  # type: ignore[attr-defined]
            raise

    def _situation_for(self, text: str, ctx: ChatContext) -> tuple[Any, list[str]]:
        """The situation meant, and for a bare place the other declared situations it is in."""
        try:
            return self._resolve_situation(text), []
        except BarePlace as exc:
            if not exc.suggestions:
                raise
            declared = [self.catalog.resolve_situation(key) for key in exc.suggestions]
            best = status_engine.best_covered(self.db(), declared, as_of=ctx.now)
            return best, [sit.key for sit in declared if sit.key != best.key]

    def _suggestion_buttons(self, command: str, suggestions: list[str]) -> list[list[Button]]:
        """One button per suggestion, re-running the command with it as typed."""
        if command not in ("brief", "status", "timeline", "subscribe"):
            return []
        return [
            [Button(self.catalog.option_label(option), self._data(f"r:{command}:{option}"))]
            for option in suggestions
        ]

    def _data(self, data: str) -> str:
        """Button data as given when it fits Telegram's 64 bytes, else a token for the stash."""
        if len(data.encode("utf-8")) <= CALLBACK_LIMIT:
            return data
        token = hashlib.blake2b(data.encode("utf-8"), digest_size=12).hexdigest()
        with self._lock:
            self._stash[token] = data
            self._stash.move_to_end(token)
            while len(self._stash) > _STASH_SIZE:
                self._stash.popitem(last=False)
        return f"k:{token}"


# ----------------------------------------------------------------------------- parsing


@dataclass
class SubscribeArgs:
    """/subscribe's words: the topic first, then in any order a time, a timezone, "quiet"."""

    topic: str
    time: dt.time | None = None
    tz_text: str | None = None
    quiet: bool = False

    def as_args(self, *, topic: str | None = None, tz: str | None = None) -> str:
        """The arguments again, with the topic or timezone replaced (for retry buttons)."""
        parts = [topic or self.topic]
        if self.time is not None:
            parts.append(schedule.format_time(self.time))
        if tz or self.tz_text:
            parts.append(tz or self.tz_text or "")
        if self.quiet:
            parts.append("quiet")
        return " ".join(parts)

    def timezone_tails(self) -> list[SubscribeArgs]:
        """Readings whose last one or two topic words are a timezone ("dprk new york")."""
        words = self.topic.split(" ")
        out = []
        for n in (2, 1):
            if len(words) <= n:
                continue
            tail = " ".join(words[-n:])
            try:
                schedule.resolve_timezone(tail)
            except schedule.TimezoneNotFound:
                continue
            out.append(replace(self, topic=" ".join(words[:-n]), tz_text=tail))
        return out


def parse_subscribe_args(args: str) -> SubscribeArgs:
    """Split /subscribe's arguments; raises BadTime (a UserError) for an unreadable time.

    The topic runs up to the first word that can only be an option (a time like 08:00 or 8am,
    an Area/City zone, UTC+9, "quiet"); every word after that is an option, and those that are
    neither a time nor "quiet" make up the timezone ("08:00 new york").
    """
    args = re.sub(r"(\d)\s+([ap]\.?m\.?)(?=\s|$)", r"\1\2", args, flags=re.I)  # "8 am"
    words = args.split(" ")
    start = next((i for i in range(1, len(words)) if _is_option(words[i])), len(words))
    request = SubscribeArgs(" ".join(words[:start]))
    zone_words: list[str] = []
    for word in words[start:]:
        if word.lower() == "quiet":
            request.quiet = True
        elif schedule.looks_like_time(word):
            if request.time is not None:
                raise UserError("One time of day per subscription, please.")
            request.time = schedule.parse_local_time(word)
        else:
            zone_words.append(word)
    if zone_words:
        request.tz_text = " ".join(zone_words)
    return request


def _is_option(word: str) -> bool:
    return (
        word.lower() == "quiet" or schedule.looks_like_time(word) or schedule.looks_like_zone(word)
    )


def _button_name(sub: Subscription) -> str:
    """What a Remove button names: the topic as typed, or "status <situation>"."""
    name = sub.query if len(sub.query) <= 40 else sub.query[:39] + "…"
    return f"status {name}" if sub.kind == "status" else name


def clean_args(text: str) -> str:
    """Arguments as one line: control characters dropped, whitespace runs collapsed."""
    text = "".join(ch for ch in text if ch.isspace() or unicodedata.category(ch) != "Cc")
    return " ".join(text.split())


def split_period(args: str, *, now: dt.datetime) -> tuple[str, str | None]:
    """'north korea last 3 days' -> ('north korea', 'last 3 days'); a lone word is all topic.

    The brief engine's own window parser decides what a period is, so the two never disagree.
    """
    args = re.sub(r"\s*\.\.\s*", "..", args)
    words = args.split(" ")
    for n in (4, 3, 2, 1):
        if len(words) <= n:
            continue
        tail = " ".join(words[-n:])
        try:
            brief_engine.parse_window(tail, now=now)
        except UserError:
            continue
        return " ".join(words[:-n]), tail
    head, _, last = args.rpartition(" ")
    if head and _PERIOD.fullmatch(last):
        return head, last  # looks like a period but is not one: parse_window will say why
    return args, None


def _closest(name: str, choices: dict[str, Any]) -> list[str]:
    found = process.extract(name, list(choices), limit=3, score_cutoff=60)
    return [choice for choice, _, _ in found]


def _page(text: str) -> int:
    page = int(text)
    if not 1 <= page <= MAX_PAGE:
        raise ValueError("page out of range")
    return page


_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def _to_b36(when: dt.datetime) -> str:
    n = max(0, int(when.timestamp()))
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = _B36[r] + out
        if n == 0:
            return out


def _from_b36(text: str) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(text, 36), tz=dt.UTC)


def _commands_model() -> list[dict[str, str]]:
    return [{"name": name, "description": description} for name, description in COMMANDS]


def _admin_commands_model() -> list[dict[str, str]]:
    return [{"name": name, "description": text} for name, text in ADMIN_COMMANDS]


def _reply_error(
    code: str, message: str = "", *, limit: int | None = None, command: str | None = None
) -> Reply:
    return Reply("error", {"code": code, "message": message, "limit": limit, "command": command})


def _reply_notfound(
    what: str,
    query: str,
    command: str,
    suggestions: list[str],
    *,
    message: str = "",
    buttons: list[list[Button]] | None = None,
) -> Reply:
    return Reply(
        "notfound",
        {
            "what": what,
            "query": query,
            "command": command,
            "suggestions": suggestions,
            "message": message,
        },
        buttons or [],
    )

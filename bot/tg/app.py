"""Build and run the Telegram Application: the only place that wires PTB together."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

from telegram import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseRateLimiter,
    CallbackQueryHandler,
    ChatMemberHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot.config import Settings
from bot.errors import ConfigError
from bot.ingest.poll import Poller
from bot.ingest.writer import ProcessWriter
from bot.tg.concurrency import PerChatUpdateProcessor
from bot.tg.delivery import ChatEvents, LoggingChatEvents, Renderer, Sender
from bot.tg.errors import ErrorHandler
from bot.tg.feeds import CHECK_SECONDS, FeedPolling
from bot.tg.handlers import AdminCache, Clock, Handlers, RouterLike, utc_now
from bot.tg.jobs import TICK_SECONDS, DbWorker, Scheduler, StoreChatEvents
from bot.tg.logsafe import protect_token
from bot.tg.ratelimit import ChatRateLimiter, TelegramRateLimiter

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
# Long-poll length: Telegram holds getUpdates open this long when there is nothing to deliver.
POLL_TIMEOUT = 30
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")


def file_url(api_url: str) -> str:
    """The file-download base matching `api_url` (`.../bot` -> `.../file/bot`)."""
    base = api_url.rstrip("/")
    return (base[: -len("/bot")] if base.endswith("/bot") else base) + "/file/bot"


def _default_request() -> HTTPXRequest:
    # Replies are small; a slow Telegram should fail fast into the error path, not hang a chat.
    return HTTPXRequest(
        connection_pool_size=32,
        connect_timeout=10.0,
        read_timeout=15.0,
        write_timeout=15.0,
        pool_timeout=5.0,
    )


def _default_get_updates_request() -> HTTPXRequest:
    # PTB adds the long-poll `timeout` to this read timeout for getUpdates.
    return HTTPXRequest(
        connection_pool_size=1, connect_timeout=10.0, read_timeout=10.0, pool_timeout=5.0
    )


def menu_commands(commands: Sequence[tuple[str, str]]) -> list[BotCommand]:
    """COMMANDS as Telegram accepts them (lower-case names, 1-256 character descriptions)."""
    out: list[BotCommand] = []
    for name, description in commands:
        name = name.lstrip("/")
        if not _COMMAND_NAME.match(name):
            log.warning("command %r cannot appear in Telegram's menu; skipped", name)
            continue
        description = " ".join(description.split()) or name
        if len(description) > 256:
            description = description[:255] + "…"
        out.append(BotCommand(name, description))
    return out[:100]


async def publish_commands(app: Application, commands: Sequence[tuple[str, str]]) -> None:
    """setMyCommands for private chats and groups; a failure costs the menu, not the bot."""
    menu = menu_commands(commands)
    for scope in (BotCommandScopeAllPrivateChats(), BotCommandScopeAllGroupChats()):
        try:
            await app.bot.set_my_commands(menu, scope=scope)
        except TelegramError as exc:
            log.warning("could not set the command menu (%s): %s", scope.type, exc)


def _load_render() -> Renderer:
    from bot.render import render

    return render


def _load_commands() -> list[tuple[str, str]]:
    from bot.commands import COMMANDS

    return list(COMMANDS)


def build_application(
    settings: Settings,
    router: RouterLike,
    *,
    render: Renderer | None = None,
    commands: Sequence[tuple[str, str]] | None = None,
    events: ChatEvents | None = None,
    limiter: ChatRateLimiter | None = None,
    clock: Clock = utc_now,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    rate_limiter: BaseRateLimiter | None = None,
    deliveries: bool | None = None,
    tick_seconds: float | None = TICK_SECONDS,
    admins: AdminCache | None = None,
    poller: Poller | None = None,
    poll_check_seconds: float | None = CHECK_SECONDS,
) -> Application:
    """The bot, wired: handlers, error handler, rate limiting, per-chat ordering, command menu,
    and scheduled deliveries (daily briefs, status alerts).

    Deliveries run when `deliveries` is True, or when it is None and the router is the real one
    (it has the topic catalog; a test's stub router has no database to deliver from). The
    scheduler ticks at start-up and every `tick_seconds` (None: at start-up only; tests then
    call `app.bot_data["scheduler"].tick()` with their own clock).

    Feeds are polled on the same terms as deliveries, when `settings.poll_minutes` is above 0
    (every `poll_check_seconds` the due feeds are polled; each feed's own interval is
    poll_minutes). `poller` lets a test supply its own (a thread writer, a fake clock); with
    `poll_check_seconds` None nothing polls on its own (tests call `bot_data["feeds"].run`).

    Keyword arguments exist for tests; production passes settings and router only.
    """
    if not settings.token:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set")
    # Before building: PTB logs its base URL (token included) while constructing the Bot.
    protect_token(settings.token)
    render = render or _load_render()
    menu = list(commands) if commands is not None else _load_commands()
    if deliveries is None:
        deliveries = hasattr(router, "catalog")
    worker = DbWorker(settings.db_path) if deliveries else None
    store_events = StoreChatEvents(worker, clock) if worker is not None else None
    events = events or store_events or LoggingChatEvents()

    async def post_init(app: Application) -> None:
        log.info("connected to Telegram as @%s", app.bot.username)
        await publish_commands(app, menu)
        warm = getattr(router, "warm", None)
        if warm is not None:
            # The gazetteer and the clustering library load now, in a worker thread, rather
            # than inside the first user's /brief; a broken topics file fails here, at start-up.
            await asyncio.to_thread(warm)

    app = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.api_url)
        .base_file_url(file_url(settings.api_url))
        .request(request or _default_request())
        .get_updates_request(get_updates_request or _default_get_updates_request())
        .rate_limiter(rate_limiter or TelegramRateLimiter(max_retries=3))
        .concurrent_updates(PerChatUpdateProcessor(max_concurrent_updates=64))
        .post_init(post_init)
        .post_stop(_close_scheduler)
        .build()
    )
    sender = Sender(render, events)
    handlers = Handlers(
        settings,
        router,
        sender,
        limiter or ChatRateLimiter(),
        clock,
        admins=admins,
        membership=store_events,
    )
    # Commands everywhere; plain text only in private chats (in groups it is people talking).
    wanted = (
        filters.UpdateType.MESSAGE & filters.TEXT & (filters.COMMAND | filters.ChatType.PRIVATE)
    )
    app.add_handler(MessageHandler(wanted, handlers.on_message))
    app.add_handler(CallbackQueryHandler(handlers.on_callback))
    app.add_handler(ChatMemberHandler(handlers.on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_error_handler(ErrorHandler(sender, events))
    app.bot_data["sender"] = sender
    if worker is not None:
        catalog = getattr(router, "catalog", None)
        scheduler = Scheduler(
            worker,
            sender,
            render,
            (lambda: router.catalog) if catalog is not None else _default_catalog,  # type: ignore[attr-defined]
            clock=clock,
        )
        app.bot_data["scheduler"] = scheduler
        assert app.job_queue is not None, "install python-telegram-bot[job-queue]"
        if poller is not None or settings.poll_minutes > 0:
            poller = poller or Poller(ProcessWriter(settings.db_path), settings.poll_settings())
            polling = FeedPolling(poller, sender, settings.admins, worker)
            app.bot_data["feeds"] = polling
            if poll_check_seconds:
                # first=5: after start-up's own work (the catch-up deliveries, the warm-up).
                app.job_queue.run_repeating(polling.job, interval=poll_check_seconds, first=5)
        # first=0: the start-up run, which sends what was due while the bot was down.
        if tick_seconds:
            app.job_queue.run_repeating(scheduler.job, interval=tick_seconds, first=0)
        else:
            app.job_queue.run_once(scheduler.job, when=0)
    return app


def _default_catalog() -> Any:
    from bot.briefing.topics import default_catalog

    return default_catalog()


async def _close_scheduler(app: Application) -> None:
    """Stop a running fan-out and a running poll, close their connections (idempotent)."""
    scheduler = app.bot_data.get("scheduler")
    if scheduler is not None:
        await scheduler.close()
    polling = app.bot_data.get("feeds")
    if polling is not None:
        await polling.close()


async def start(app: Application, *, poll_timeout: int = POLL_TIMEOUT) -> None:
    """Start polling inside a running event loop, in Application.run_polling's order."""
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    assert app.updater is not None

    def polling_error(exc: TelegramError) -> None:
        # As run_polling does: errors while fetching updates go to the error handler.
        app.create_task(app.process_error(update=None, error=exc))

    await app.updater.start_polling(
        timeout=poll_timeout,
        allowed_updates=ALLOWED_UPDATES,
        drop_pending_updates=False,
        error_callback=polling_error,
    )
    await app.start()


async def stop(app: Application) -> None:
    """Undo `start`: stop fetching, let running handlers finish, close connections."""
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    # As run_polling does after stop (our `start` runs post_init by hand, so this does too).
    await _close_scheduler(app)
    await app.shutdown()


def run_polling(
    settings: Settings, *, router_factory: Callable[[Settings], RouterLike] | None = None
) -> None:
    """Run the bot until interrupted (SIGINT/SIGTERM), long-polling Telegram."""
    protect_token(settings.token)
    if router_factory is None:
        from bot.commands import Router

        router_factory = Router
    app = build_application(settings, router_factory(settings))
    try:
        app.run_polling(
            timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False
        )
    except InvalidToken:
        # PTB's message quotes the token; ours does not.
        raise ConfigError("Telegram rejected TELEGRAM_BOT_TOKEN (check the token)") from None

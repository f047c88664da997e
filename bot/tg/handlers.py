"""Telegram handlers: parse the update, call the router in a worker thread, send what it answers.

Thin on purpose (DESIGN.md rule 1): no SQL and no rules here. The router is synchronous SQLite
work, so it runs via asyncio.to_thread and the event loop keeps serving other chats meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from typing import Protocol

from telegram import Bot, Chat, Message, MessageEntity, Update, User
from telegram.constants import ChatAction, ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.models import ChatContext, Reply
from bot.tg.delivery import Sender, Target
from bot.tg.ratelimit import ChatRateLimiter, Verdict

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
# A reply slower than this shows "typing…" (an extra API call: not worth it for fast replies).
TYPING_AFTER = 0.8


class RouterLike(Protocol):
    """What bot.commands.Router offers the front ends."""

    def handle(self, text: str, ctx: ChatContext) -> Reply | None: ...

    def callback(self, data: str, ctx: ChatContext) -> Reply | None: ...


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def command_target(message: Message) -> str | None:
    """The bot a leading `/command@name` is addressed to (lower case), or None if unaddressed."""
    entities = message.entities or ()
    first = entities[0] if entities else None
    if first is None or first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
        return None
    _, _, name = message.parse_entity(first).partition("@")
    return name.lower() or None


def thread_of(message: Message) -> int | None:
    """The forum topic to answer in; replies elsewhere stay in the main chat."""
    return message.message_thread_id if message.is_topic_message else None


class Handlers:
    """The bot's handlers, bound to one router, sender and rate limiter."""

    def __init__(
        self,
        settings: Settings,
        router: RouterLike,
        sender: Sender,
        limiter: ChatRateLimiter,
        clock: Clock = utc_now,
    ) -> None:
        self.settings = settings
        self.router = router
        self.sender = sender
        self.limiter = limiter
        self.clock = clock

    def chat_context(self, chat: Chat, user: User | None, bot: Bot) -> ChatContext:
        user_id = user.id if user else None
        return ChatContext(
            now=self.clock(),
            chat_id=chat.id,
            user_id=user_id,
            chat_type=chat.type,
            bot_username=bot.username,
            is_admin=user_id is not None and user_id in self.settings.admins,
        )

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A command (any chat) or plain text (private chat): route it and reply."""
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None or not message.text:
            return
        addressee = command_target(message)
        if addressee is not None and addressee != (context.bot.username or "").lower():
            return  # `/brief@OtherBot`: not ours to answer
        quote = message.message_id if chat.type != ChatType.PRIVATE else None
        target = Target(chat.id, thread_of(message), quote)
        if not await self._admit(context.bot, target):
            return
        ctx = self.chat_context(chat, update.effective_user, context.bot)
        reply = await self._route(context.bot, target, self.router.handle, message.text, ctx)
        if reply is not None:
            await self.sender.send(context.bot, target, reply)

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An inline button press: route its data, update the message, answer the query."""
        query, chat = update.callback_query, update.effective_chat
        if query is None:
            return
        toast: str | None = None
        try:
            if chat is None or not query.data:
                return
            if self.limiter.check(chat.id) is not Verdict.ALLOW:
                toast = "Slow down a little, please."
                return
            ctx = self.chat_context(chat, query.from_user, context.bot)
            reply = await asyncio.to_thread(self.router.callback, query.data, ctx)
            if reply is None:
                toast = "This button has expired."
            elif isinstance(query.message, Message):
                await self.sender.edit(context.bot, query.message, reply)
            else:  # too old for Telegram to show us: answer with a new message
                await self.sender.send(context.bot, Target(chat.id), reply)
        finally:
            # Always answer, or the button spins for the user; twice is an error, so only here.
            with contextlib.suppress(TelegramError):
                await query.answer(toast)

    async def _admit(self, bot: Bot, target: Target) -> bool:
        verdict = self.limiter.check(target.chat_id)
        if verdict is Verdict.WARN:
            retry_in = round(self.limiter.retry_in(target.chat_id))
            log.info("chat %s is over its command budget", target.chat_id)
            await self.sender.notice(bot, target, "slow_down", {"retry_in": retry_in})
        return verdict is Verdict.ALLOW

    async def _route(
        self,
        bot: Bot,
        target: Target,
        fn: Callable[[str, ChatContext], Reply | None],
        text: str,
        ctx: ChatContext,
    ) -> Reply | None:
        task = asyncio.ensure_future(asyncio.to_thread(fn, text, ctx))
        done, _ = await asyncio.wait({task}, timeout=TYPING_AFTER)
        if not done:
            with contextlib.suppress(TelegramError):
                await bot.send_chat_action(
                    target.chat_id, ChatAction.TYPING, message_thread_id=target.thread_id
                )
        return await task

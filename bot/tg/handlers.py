"""Telegram handlers: parse the update, call the router in a worker thread, send what it answers.

Thin on purpose (DESIGN.md rule 1): no SQL and no rules here. The router is synchronous SQLite
work, so it runs via asyncio.to_thread and the event loop keeps serving other chats meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Protocol

from telegram import Bot, Chat, ChatMember, Message, MessageEntity, Update, User
from telegram.constants import ChatAction, ChatMemberStatus, ChatType
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
# How long a group's administrator list is trusted. Short: a demoted admin loses the right to
# change subscriptions within minutes; long enough that a burst of commands costs one call.
ADMINS_TTL = 300.0
GROUP_TYPES = frozenset({ChatType.GROUP, ChatType.SUPERGROUP, ChatType.CHANNEL})
# What the bot's own membership says about whether it can still write to the chat.
_PRESENT = frozenset(
    {ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER,
     ChatMemberStatus.RESTRICTED}
)  # fmt: skip


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


class MembershipEvents(Protocol):
    """Who hears that the bot was added to, removed from, blocked or unblocked in a chat."""

    def chat_member(
        self, chat_id: int, chat_type: str, title: str | None, present: bool
    ) -> None: ...


class AdminCache:
    """Each group's administrators (user ids), fetched with getChatAdministrators and kept
    ADMINS_TTL seconds; `clock` is monotonic seconds."""

    def __init__(self, ttl: float = ADMINS_TTL, clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self.clock = clock
        self._admins: dict[int, tuple[float, frozenset[int]]] = {}

    async def is_admin(self, bot: Bot, chat_id: int, user_id: int) -> bool:
        now = self.clock()
        cached = self._admins.get(chat_id)
        if cached is None or now - cached[0] > self.ttl:
            try:
                members: tuple[ChatMember, ...] = await bot.get_chat_administrators(chat_id)
            except Exception as exc:  # no answer is "not an admin", never a failed command
                log.warning("could not read the administrators of chat %s: %s", chat_id, exc)
                return False
            if len(self._admins) > 4096:
                self._admins.clear()
            cached = (now, frozenset(m.user.id for m in members))
            self._admins[chat_id] = cached
        return user_id in cached[1]


class Handlers:
    """The bot's handlers, bound to one router, sender and rate limiter."""

    def __init__(
        self,
        settings: Settings,
        router: RouterLike,
        sender: Sender,
        limiter: ChatRateLimiter,
        clock: Clock = utc_now,
        admins: AdminCache | None = None,
        membership: MembershipEvents | None = None,
    ) -> None:
        self.settings = settings
        self.router = router
        self.sender = sender
        self.limiter = limiter
        self.clock = clock
        self.admins = admins or AdminCache()
        self.membership = membership

    def chat_context(
        self,
        chat: Chat,
        user: User | None,
        bot: Bot,
        *,
        thread_id: int | None = None,
        is_chat_admin: bool = False,
    ) -> ChatContext:
        user_id = user.id if user else None
        return ChatContext(
            now=self.clock(),
            chat_id=chat.id,
            user_id=user_id,
            chat_type=chat.type,
            bot_username=bot.username,
            is_admin=is_chat_admin or (user_id is not None and user_id in self.settings.admins),
            thread_id=thread_id,
            chat_title=chat.title,
        )

    async def _context(
        self,
        chat: Chat,
        user: User | None,
        bot: Bot,
        thread_id: int | None,
        sender_chat: Chat | None = None,
    ) -> ChatContext:
        """The ChatContext, with `is_admin` looked up for groups (only they ask for it)."""
        admin = False
        if chat.type in GROUP_TYPES:
            if sender_chat is not None and sender_chat.id == chat.id:
                admin = True  # an anonymous administrator posts as the group itself
            elif user is not None and user.id not in self.settings.admins:
                admin = await self.admins.is_admin(bot, chat.id, user.id)
        return self.chat_context(chat, user, bot, thread_id=thread_id, is_chat_admin=admin)

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
        ctx = await self._context(
            chat, update.effective_user, context.bot, target.thread_id, message.sender_chat
        )
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
            message = query.message if isinstance(query.message, Message) else None
            thread = thread_of(message) if message is not None else None
            ctx = await self._context(chat, query.from_user, context.bot, thread)
            reply = await asyncio.to_thread(self.router.callback, query.data, ctx)
            if reply is None:
                toast = "This button has expired."
            elif message is not None and not reply.new_message:
                await self.sender.edit(context.bot, message, reply)
            else:
                # A confirmation below the message (the Subscribe under a brief must not erase
                # the brief), or a message too old for Telegram to show us.
                await self.sender.send(context.bot, Target(chat.id, thread), reply)
        finally:
            # Always answer, or the button spins for the user; twice is an error, so only here.
            with contextlib.suppress(TelegramError):
                await query.answer(toast)

    async def on_my_chat_member(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The bot's own membership changed: removed or blocked stops deliveries; added or
        unblocked resumes them (the subscriptions were kept)."""
        change, chat = update.my_chat_member, update.effective_chat
        if change is None or chat is None or self.membership is None:
            return
        was = change.old_chat_member.status in _PRESENT
        now = change.new_chat_member.status in _PRESENT
        if was != now:
            log.info("bot %s chat %s", "added to" if now else "removed from", chat.id)
            self.membership.chat_member(chat.id, chat.type, chat.title or chat.full_name, now)

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

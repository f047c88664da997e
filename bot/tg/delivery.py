"""Send a rendered Reply to a chat: chunks, buttons, link previews, threads, Telegram's failures.

Every message the bot sends goes through here (command replies now, scheduled briefs later), so
the fallbacks live in one place:
- Telegram rejects a chunk's HTML ("can't parse entities") or length: that chunk is re-sent as plain
  text (a template bug must cost formatting, not the answer) and the bug is logged loudly.
- A chat moved to a supergroup (ChatMigrated): the hook hears of it and the send is retried there.
- A plain server error (5xx): retried once. Timeouts are not retried: the message may have arrived.
- RetryAfter is retried by PTB's AIORateLimiter before it ever reaches this module.
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, NetworkError

from bot.models import Button, Reply
from bot.tg.textutil import TELEGRAM_LIMIT, html_to_plain, split_plain

log = logging.getLogger(__name__)

Renderer = Callable[[Reply, str], list[str]]
MAX_CALLBACK_BYTES = 64
# Used when the notice's template is missing or broken: a notice must always get through.
FALLBACK_TEXT = {
    "apology": "Sorry, something went wrong on my side. Please try again in a moment.",
    "slow_down": "You are sending commands faster than I can answer. Please wait a little.",
}
SERVER_ERROR_RETRY_DELAY = 0.5


class ChatEvents(Protocol):
    """What the Telegram layer tells the rest of the bot about chats (the store will listen)."""

    def chat_forbidden(self, chat_id: int, reason: str) -> None: ...

    def chat_migrated(self, old_chat_id: int, new_chat_id: int) -> None: ...


class LoggingChatEvents:
    """Default hook until the store keeps chats: log, so an operator can see it."""

    def chat_forbidden(self, chat_id: int, reason: str) -> None:
        log.warning(
            "chat %s is closed to the bot (%s); it should be marked inactive", chat_id, reason
        )

    def chat_migrated(self, old_chat_id: int, new_chat_id: int) -> None:
        log.info("chat %s migrated to supergroup %s", old_chat_id, new_chat_id)


@dataclass
class Target:
    """Where a reply goes: a chat, optionally a forum thread and a message to reply to."""

    chat_id: int
    thread_id: int | None = None
    reply_to: int | None = None


def keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    """Inline keyboard from reply buttons; a button Telegram would reject is dropped and logged."""
    out: list[list[InlineKeyboardButton]] = []
    for row in rows:
        buttons: list[InlineKeyboardButton] = []
        for b in row:
            if b.url:
                buttons.append(InlineKeyboardButton(b.text, url=b.url))
            elif b.callback and len(b.callback.encode()) <= MAX_CALLBACK_BYTES:
                buttons.append(InlineKeyboardButton(b.text, callback_data=b.callback))
            else:
                # One bad button must not cost the whole message (BUTTON_DATA_INVALID).
                log.error("dropping button %r: callback data missing or over 64 bytes", b.text)
        if buttons:
            out.append(buttons)
    return InlineKeyboardMarkup(out) if out else None


def is_format_error(exc: BadRequest) -> bool:
    """Telegram refused the text itself (our HTML or our length), not the request."""
    text = exc.message.lower()
    return "can't parse entities" in text or "message is too long" in text


def is_empty_error(exc: BadRequest) -> bool:
    return (
        "text is empty" in exc.message.lower() or "message must be non-empty" in exc.message.lower()
    )


def is_not_modified(exc: BadRequest) -> bool:
    return "message is not modified" in exc.message.lower()


async def _with_server_retry(call: Callable[[], Awaitable[Message]]) -> Message:
    try:
        return await call()
    except NetworkError as exc:
        # Only a bare NetworkError (5xx): BadRequest and TimedOut subclass it but mean otherwise.
        if type(exc) is not NetworkError:
            raise
        log.warning("Telegram server error (%s); retrying once", exc)
        await asyncio.sleep(SERVER_ERROR_RETRY_DELAY)
        return await call()


class Sender:
    """Sends and edits rendered replies for one bot."""

    def __init__(self, render: Renderer, events: ChatEvents | None = None) -> None:
        self.render = render
        self.events: ChatEvents = events or LoggingChatEvents()

    async def send(self, bot: Bot, target: Target, reply: Reply) -> list[Message]:
        """Render `reply` and send every chunk; buttons go on the last one."""
        chunks = [c for c in self.render(reply, "html") if c.strip()]
        return await self.send_chunks(bot, target, reply, chunks)

    async def notice(
        self, bot: Bot, target: Target, kind: str, model: object = None
    ) -> list[Message]:
        """Send a short notice of our own (apology, slow down), with a built-in text as fallback."""
        reply = Reply(kind, model)
        try:
            chunks = [c for c in self.render(reply, "html") if c.strip()]
        except Exception:
            log.warning(
                "could not render the %r notice; using the built-in text", kind, exc_info=True
            )
            chunks = []
        if not chunks:
            chunks = [html.escape(FALLBACK_TEXT.get(kind, FALLBACK_TEXT["apology"]))]
        return await self.send_chunks(bot, target, reply, chunks)

    async def send_chunks(
        self, bot: Bot, target: Target, reply: Reply, chunks: list[str]
    ) -> list[Message]:
        sent: list[Message] = []
        markup = keyboard(reply.buttons)
        preview = LinkPreviewOptions(is_disabled=not reply.link_preview)
        for i, chunk in enumerate(chunks):
            last = i == len(chunks) - 1
            quote = target.reply_to if i == 0 else None
            sent.extend(
                await self._send_one(
                    bot, target, chunk, markup if last else None, preview, quote, reply.kind
                )
            )
        return sent

    async def _send_one(
        self,
        bot: Bot,
        target: Target,
        chunk: str,
        markup: InlineKeyboardMarkup | None,
        preview: LinkPreviewOptions,
        quote: int | None,
        kind: str,
    ) -> list[Message]:
        async def send(text: str, parse_mode: str | None, with_markup: bool) -> Message:
            return await _with_server_retry(
                lambda: bot.send_message(
                    chat_id=target.chat_id,
                    text=text,
                    parse_mode=parse_mode,
                    link_preview_options=preview,
                    reply_markup=markup if with_markup else None,
                    message_thread_id=target.thread_id,
                    reply_parameters=(
                        ReplyParameters(quote, allow_sending_without_reply=True) if quote else None
                    ),
                )
            )

        try:
            try:
                return [await send(chunk, ParseMode.HTML, True)]
            except BadRequest as exc:
                if is_empty_error(exc):
                    log.error("reply %r rendered an empty chunk; skipped", kind)
                    return []
                if not is_format_error(exc):
                    raise
                log.error(
                    "Telegram rejected the %r reply as HTML (%s); sending plain text", kind, exc
                )
                pieces = split_plain(html_to_plain(chunk), TELEGRAM_LIMIT)
                return [
                    await send(piece, None, j == len(pieces) - 1) for j, piece in enumerate(pieces)
                ]
        except ChatMigrated as exc:
            self.events.chat_migrated(target.chat_id, exc.new_chat_id)
            target.chat_id, target.thread_id = exc.new_chat_id, None
            return await self._send_one(bot, target, chunk, markup, preview, None, kind)

    async def edit(self, bot: Bot, message: Message, reply: Reply) -> list[Message]:
        """Replace `message` with `reply` when it fits one message; otherwise send it anew."""
        chunks = [c for c in self.render(reply, "html") if c.strip()]
        target = Target(
            message.chat.id, message.message_thread_id if message.is_topic_message else None
        )
        if len(chunks) != 1:
            return await self.send_chunks(bot, target, reply, chunks)
        markup = keyboard(reply.buttons)
        preview = LinkPreviewOptions(is_disabled=not reply.link_preview)

        async def edit(text: str, parse_mode: str | None) -> Message:
            result = await _with_server_retry(
                lambda: bot.edit_message_text(
                    text=text,
                    chat_id=message.chat.id,
                    message_id=message.message_id,
                    parse_mode=parse_mode,
                    link_preview_options=preview,
                    reply_markup=markup,
                )
            )
            return result if isinstance(result, Message) else message

        try:
            return [await edit(chunks[0], ParseMode.HTML)]
        except BadRequest as exc:
            if is_not_modified(exc):
                return [message]  # the same page pressed twice: nothing to do
            if is_format_error(exc):
                log.error("Telegram rejected the %r edit as HTML (%s); plain text", reply.kind, exc)
                pieces = split_plain(html_to_plain(chunks[0]))
                if len(pieces) == 1:
                    return [await edit(pieces[0], None)]
            # Too old, deleted, or not ours to edit: a new message still answers the press.
            log.info("could not edit message %s (%s); sending a new one", message.message_id, exc)
            return await self.send_chunks(bot, target, reply, chunks)

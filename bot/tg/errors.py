"""The one error handler: log what went wrong (never the token), tell the chat briefly (never a
traceback), and turn Telegram's own errors into what they mean for the bot."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import ContextTypes

from bot.tg.delivery import ChatEvents, Sender, Target
from bot.tg.handlers import thread_of

log = logging.getLogger(__name__)


def describe(update: object) -> str:
    """Enough to find the update in logs, without the user's whole message."""
    if update is None:
        return "polling"
    if not isinstance(update, Update):
        return type(update).__name__
    chat = update.effective_chat
    parts = [f"update {update.update_id}"]
    if chat is not None:
        parts.append(f"chat {chat.id} ({chat.type})")
    message = update.effective_message
    if update.callback_query is not None:
        parts.append(f"button {update.callback_query.data!r}")
    elif message is not None and message.text:
        parts.append(f"command {message.text.split(maxsplit=1)[0][:40]!r}")
    return ", ".join(parts)


class ErrorHandler:
    """Registered with Application.add_error_handler; one instance per application."""

    def __init__(self, sender: Sender, events: ChatEvents) -> None:
        self.sender = sender
        self.events = events

    async def __call__(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        err = context.error
        where = describe(update)
        chat = update.effective_chat if isinstance(update, Update) else None
        if isinstance(err, Forbidden):
            # Blocked by the user or removed from the group: nobody to apologise to.
            if chat is not None:
                self.events.chat_forbidden(chat.id, err.message)
            else:
                log.warning("forbidden while handling %s: %s", where, err.message)
            return
        if isinstance(err, RetryAfter):
            log.warning("flood control outlasted our retries while handling %s: %s", where, err)
            return
        if isinstance(err, Conflict):
            log.error("another process is polling with this bot token: %s", err.message)
            return
        if isinstance(err, InvalidToken):
            log.critical("Telegram rejected the bot token")
            return
        if isinstance(err, NetworkError) and not isinstance(err, BadRequest):
            # TimedOut included: the message may even have arrived, and an apology would not.
            log.warning("network trouble while handling %s: %s", where, err)
            return
        if isinstance(err, TelegramError):
            log.error("Telegram refused a request while handling %s: %s", where, err, exc_info=err)
        else:
            log.error("error while handling %s", where, exc_info=err)
        await self._apologise(update, context)

    async def _apologise(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        message = update.effective_message
        thread = thread_of(message) if isinstance(message, Message) else None
        target = Target(update.effective_chat.id, thread)
        try:
            await self.sender.notice(context.bot, target, "apology")
        except Exception as exc:  # the error path must end here, not loop back into it
            log.warning("could not send the apology to chat %s: %s", target.chat_id, exc)

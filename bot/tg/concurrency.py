"""Updates from different chats run concurrently; updates from one chat run in order.

PTB's `concurrent_updates=True` alone lets two commands from the same chat answer out of order
(the second may be cheaper), which reads as a bug in a chat. Serialising per chat keeps the
conversation ordered while one slow chat still cannot block the others. A chat that queues more
than `max_pending_per_chat` updates has the excess dropped, so it cannot hold every slot of the
global semaphore while it waits on its own lock.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)


def chat_key(update: object) -> int | None:
    """The chat an update belongs to (None: no chat, e.g. an inline query)."""
    if isinstance(update, Update) and update.effective_chat is not None:
        return update.effective_chat.id
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across chats, sequential within a chat."""

    def __init__(self, max_concurrent_updates: int = 64, max_pending_per_chat: int = 8) -> None:
        super().__init__(max_concurrent_updates)
        self.max_pending_per_chat = max_pending_per_chat
        self._locks: dict[int, asyncio.Lock] = {}
        self._pending: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        if key is None:
            await coroutine
            return
        if self._pending.get(key, 0) >= self.max_pending_per_chat:
            log.warning("chat %s has %d updates queued; dropping one", key, self._pending[key])
            if asyncio.iscoroutine(coroutine):
                coroutine.close()
            return
        self._pending[key] = self._pending.get(key, 0) + 1
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                await coroutine
        finally:
            self._pending[key] -= 1
            if not self._pending[key]:
                # Nobody else holds or awaits this lock: forget the chat.
                del self._pending[key]
                self._locks.pop(key, None)

    async def initialize(self) -> None:
        """Nothing to allocate."""

    async def shutdown(self) -> None:
        """Nothing to free."""

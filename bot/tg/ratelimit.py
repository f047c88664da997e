"""Rate limits both ways: what one chat may ask of the bot, and what the bot may send.

`ChatRateLimiter` is a per-chat command budget, so one chat typing fast cannot starve the others.
`TelegramRateLimiter` (at the end) keeps what the bot sends within Telegram's flood limits.

PTB's AIORateLimiter protects Telegram's limits on what we *send*; this protects our workers from
what one chat *asks*. A token bucket per chat: a burst of `burst` commands, refilled at
`per_minute` a minute. The first refused command of a streak earns a polite "slow down"; the rest
of the streak is dropped silently (answering each one would itself be a flood).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from enum import Enum
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"  # refused; tell the chat once
    DROP = "drop"  # refused; already told


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class ChatRateLimiter:
    """Token bucket per chat id; `clock` is monotonic seconds (injectable for tests)."""

    # Forget idle chats once this many are tracked (a full bucket carries no state worth keeping).
    PRUNE_AT = 4096

    def __init__(
        self,
        per_minute: float = 20,
        burst: int = 8,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_minute <= 0 or burst < 1:
            raise ValueError("per_minute must be > 0 and burst >= 1")
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.clock = clock
        self._buckets: dict[int, _Bucket] = {}

    def check(self, chat_id: int) -> Verdict:
        """Spend one token for `chat_id` if it has one."""
        now = self.clock()
        bucket = self._buckets.get(chat_id)
        if bucket is None:
            if len(self._buckets) >= self.PRUNE_AT:
                self._prune(now)
            bucket = self._buckets[chat_id] = _Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            bucket.warned = False
            return Verdict.ALLOW
        if bucket.warned:
            return Verdict.DROP
        bucket.warned = True
        return Verdict.WARN

    def retry_in(self, chat_id: int) -> float:
        """Seconds until `chat_id` may send one more command."""
        bucket = self._buckets.get(chat_id)
        if bucket is None or bucket.tokens >= 1.0:
            return 0.0
        return (1.0 - bucket.tokens) / self.rate

    def _prune(self, now: float) -> None:
        for chat_id, bucket in list(self._buckets.items()):
            if bucket.tokens + (now - bucket.updated) * self.rate >= self.burst:
                del self._buckets[chat_id]


# ----------------------------------------------------------------------------- outgoing messages

# Bot API methods that post to a chat: these count against Telegram's flood limits. Reads
# (getChatAdministrators, getUpdates) and answerCallbackQuery do not, and must not queue behind
# a group's 20-a-minute budget: an admin check would otherwise wait minutes during a fan-out.
SENDING_METHODS = frozenset(
    {
        "sendmessage", "editmessagetext", "editmessagereplymarkup", "sendphoto",
        "senddocument", "sendchataction", "forwardmessage", "copymessage",
    }
)  # fmt: skip


class TelegramRateLimiter(AIORateLimiter):
    """PTB's AIORateLimiter (~30 messages/s overall, 20/min per group, RetryAfter retried)
    plus the one limit it leaves out: about one message a second in any one chat.

    The per-chat bucket holds `chat_burst` messages, so a reply split into three chunks still
    goes out at once (Telegram tolerates short bursts), while a fan-out that queues several
    briefs for one chat spreads them a second apart. Only sending methods are limited.
    """

    PRUNE_AT = 1024

    def __init__(
        self,
        *,
        overall_max_rate: float = 30,
        overall_time_period: float = 1,
        group_max_rate: float = 20,
        group_time_period: float = 60,
        chat_max_rate: float = 1,
        chat_burst: int = 3,
        max_retries: int = 3,
    ) -> None:
        super().__init__(
            overall_max_rate=overall_max_rate,
            overall_time_period=overall_time_period,
            group_max_rate=group_max_rate,
            group_time_period=group_time_period,
            max_retries=max_retries,
        )
        self.overall_max_rate = overall_max_rate / overall_time_period if overall_max_rate else 0.0
        self.chat_max_rate = chat_max_rate
        self.chat_burst = max(1, chat_burst)
        self._chat_limiters: dict[int | str, AsyncLimiter] = {}
        self._prune_at = self.PRUNE_AT

    def _chat_limiter(self, chat_id: int | str) -> AsyncLimiter:
        limiter = self._chat_limiters.get(chat_id)
        if limiter is None:
            if len(self._chat_limiters) >= self._prune_at:
                # Forget chats whose bucket has drained: they carry no state worth keeping.
                for key, old in list(self._chat_limiters.items()):
                    if old.has_capacity(old.max_rate):
                        del self._chat_limiters[key]
                # A fan-out to thousands of chats keeps most buckets busy: scan again only
                # when the table has doubled, so pruning stays linear overall.
                self._prune_at = max(self.PRUNE_AT, 2 * len(self._chat_limiters))
            limiter = AsyncLimiter(self.chat_burst, self.chat_burst / self.chat_max_rate)
            self._chat_limiters[chat_id] = limiter
        return limiter

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if endpoint.lower() not in SENDING_METHODS:
            return await callback(*args, **kwargs)
        chat_id = data.get("chat_id")
        if chat_id is None or not self.chat_max_rate:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        # The chat's own bucket first: waiting on it must not hold a slot of the overall rate.
        async with self._chat_limiter(chat_id):
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )

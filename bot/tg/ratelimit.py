"""Per-chat command budget, so one chat typing fast cannot starve the others.

PTB's AIORateLimiter protects Telegram's limits on what we *send*; this protects our workers from
what one chat *asks*. A token bucket per chat: a burst of `burst` commands, refilled at
`per_minute` a minute. The first refused command of a streak earns a polite "slow down"; the rest
of the streak is dropped silently (answering each one would itself be a flood).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum


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

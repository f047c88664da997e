"""Settings: the one place that reads the environment."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import ConfigError

if TYPE_CHECKING:
    from bot.ingest.poll import PollSettings

DEFAULT_API_URL = "https://api.telegram.org/bot"
DEFAULT_DB = "./data/briefbot.db"
# Project root: seeds/ and templates/ live beside bot/.
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Everything configurable, read once from the environment."""

    token: str | None = None
    db_path: Path = Path(DEFAULT_DB)
    api_url: str = DEFAULT_API_URL
    admins: frozenset[int] = field(default_factory=frozenset)
    log_level: str = "INFO"
    seeds_dir: Path = ROOT / "seeds"
    templates_dir: Path = ROOT / "templates"
    # Feeds: minutes between polls of one feed (0: no scheduled polling), days a feed may fail
    # before it is deactivated, seconds between two requests to one host, and the hosts or
    # addresses that may be fetched although they are not public (tests, intranets).
    poll_minutes: float = 30.0
    feed_fail_days: float = 7.0
    fetch_delay: float = 1.0
    allow_hosts: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip() or None
        admins: set[int] = set()
        for part in env.get("BRIEFBOT_ADMINS", "").replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            try:
                admins.add(int(part))
            except ValueError:
                raise ConfigError(
                    f"BRIEFBOT_ADMINS must list numeric Telegram user ids, got {part!r}"
                ) from None
        level = env.get("BRIEFBOT_LOG_LEVEL", "INFO").strip().upper() or "INFO"
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ConfigError(
                f"BRIEFBOT_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {level!r}"
            )
        return cls(
            poll_minutes=_number(env, "BRIEFBOT_POLL_MINUTES", 30.0),
            feed_fail_days=_number(env, "BRIEFBOT_FEED_FAIL_DAYS", 7.0, minimum=0.01),
            fetch_delay=_number(env, "BRIEFBOT_FETCH_DELAY", 1.0),
            allow_hosts=frozenset(
                h.strip()
                for h in env.get("BRIEFBOT_ALLOW_HOSTS", "").replace(";", ",").split(",")
                if h.strip()
            ),
            token=token,
            db_path=Path(env.get("BRIEFBOT_DB", "").strip() or DEFAULT_DB),
            api_url=normalise_api_url(env.get("TELEGRAM_API_URL", "")),
            admins=frozenset(admins),
            log_level=level,
        )

    def poll_settings(self) -> PollSettings:
        """How feeds are polled and fetched (bot.ingest.poll)."""
        from bot.ingest.fetch import FetchPolicy
        from bot.ingest.poll import PollSettings

        # from_env normalises the hosts (IDNA, brackets) and says which entry is malformed.
        policy = FetchPolicy.from_env({"BRIEFBOT_ALLOW_HOSTS": ",".join(sorted(self.allow_hosts))})
        return PollSettings(
            interval=dt.timedelta(minutes=self.poll_minutes or 30.0),
            max_failing=dt.timedelta(days=self.feed_fail_days),
            delay=self.fetch_delay,
            policy=policy,
        )

    def with_db(self, db: str | Path | None) -> Settings:
        """A copy using `db` when given (the CLI's --db wins over BRIEFBOT_DB)."""
        return self if db is None else replace(self, db_path=Path(db))


def _number(env: Mapping[str, str], name: str, default: float, minimum: float = 0.0) -> float:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {text!r}") from None
    if not value >= minimum or value == float("inf"):
        raise ConfigError(f"{name} must be at least {minimum:g}, got {text!r}")
    return value


def normalise_api_url(url: str) -> str:
    """Accept `https://host`, `https://host/` or `https://host/bot`: PTB wants the `/bot` prefix."""
    url = url.strip()
    if not url:
        return DEFAULT_API_URL
    url = url.rstrip("/")
    if not url.endswith("/bot"):
        url += "/bot"
    return url

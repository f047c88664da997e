"""Settings: the one place that reads the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.errors import ConfigError

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
            token=token,
            db_path=Path(env.get("BRIEFBOT_DB", "").strip() or DEFAULT_DB),
            api_url=normalise_api_url(env.get("TELEGRAM_API_URL", "")),
            admins=frozenset(admins),
            log_level=level,
        )

    def with_db(self, db: str | Path | None) -> Settings:
        """A copy using `db` when given (the CLI's --db wins over BRIEFBOT_DB)."""
        return self if db is None else replace(self, db_path=Path(db))


def normalise_api_url(url: str) -> str:
    """Accept `https://host`, `https://host/` or `https://host/bot`: PTB wants the `/bot` prefix."""
    url = url.strip()
    if not url:
        return DEFAULT_API_URL
    url = url.rstrip("/")
    if not url.endswith("/bot"):
        url += "/bot"
    return url

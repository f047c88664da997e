"""Keep the bot token out of every log line, whoever logs it and whichever handler prints it.

The Bot API URL embeds the token (`.../bot<TOKEN>/sendMessage`): httpx logs request URLs at INFO,
PTB logs its base URL at DEBUG while building the Bot and quotes the token in `InvalidToken`.
bot.logs puts a redacting filter on the handler it installs; a handler added later (pytest's
caplog, an operator's own logging config) would not have it, and logger filters miss records of
child loggers. So the same redaction also runs where every record is born: the record factory.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from bot.logs import NOISY_LOGGERS, REDACTED, redactor

__all__ = ["REDACTED", "protect_token"]

_lock = threading.Lock()
_installed = False


def protect_token(token: str | None) -> None:
    """Register `token` for redaction in every log record and quieten URL-logging libraries."""
    global _installed
    for name in NOISY_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level < logging.WARNING:  # NOTSET included
            logger.setLevel(logging.WARNING)
    redactor().add(token)
    with _lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            redactor().filter(record)
            return record

        logging.setLogRecordFactory(factory)
        _installed = True

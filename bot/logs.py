"""Logging for every entry point: one stderr handler, quiet HTTP libraries, no token leaks."""

from __future__ import annotations

import logging
import re
import sys
from typing import IO

REDACTED = "<redacted>"
# The Bot API puts the token in the URL path (/bot123456:AA.../sendMessage); a token is
# <bot id>:<35-character secret>. Both forms are hidden even when we were never told the token.
_TOKEN_PATTERNS = (
    re.compile(r"bot\d+:[A-Za-z0-9_-]+"),
    re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}"),
)
NOISY_LOGGERS = ("httpx", "httpcore", "hpack")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactTokens(logging.Filter):
    """Replaces bot tokens in a record's message, arguments and traceback text."""

    def __init__(self, secrets: set[str] | None = None) -> None:
        super().__init__()
        self.secrets: set[str] = set(secrets or ())

    def add(self, token: str | None) -> None:
        """Also hide this token (and its secret half, which survives URL-encoding of ':')."""
        token = (token or "").strip()
        if token:
            self.secrets.add(token)
            _, _, secret = token.partition(":")
            if len(secret) >= 8:
                self.secrets.add(secret)

    def redact(self, text: str) -> str:
        """`text` with every token replaced."""
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        for pattern in _TOKEN_PATTERNS:
            text = pattern.sub(REDACTED, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact in place (every handler sees the cleaned record) and keep it."""
        try:
            message = record.getMessage()
        except Exception:  # a malformed logging call: let logging report it its own way
            return True
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


_handler: logging.Handler | None = None
_filter = RedactTokens()


def setup_logging(
    level: str = "INFO", token: str | None = None, stream: IO[str] | None = None
) -> None:
    """Configure the root logger once (later calls update the level and the secrets)."""
    global _handler
    _filter.add(token)
    root = logging.getLogger()
    if _handler is None or _handler not in root.handlers:
        _handler = logging.StreamHandler(stream or sys.stderr)
        _handler.setFormatter(logging.Formatter(FORMAT))
        _handler.addFilter(_filter)
        root.addHandler(_handler)
    elif stream is not None and isinstance(_handler, logging.StreamHandler):
        _handler.setStream(stream)
    root.setLevel(level)
    for name in NOISY_LOGGERS:
        # httpx logs every request URL at INFO, and the Bot API URL contains the token.
        logging.getLogger(name).setLevel(logging.WARNING)


def redactor() -> RedactTokens:
    """The filter installed on the root handler (tests inspect it)."""
    return _filter

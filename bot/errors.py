"""A small exception tree. Front ends map these to short replies; anything else is a bug."""

from __future__ import annotations


class BriefbotError(Exception):
    """Base of every error briefbot raises on purpose."""


class ConfigError(BriefbotError):
    """The environment or a seed file is misconfigured."""


class UserError(BriefbotError):
    """The user asked for something we cannot do; the message is safe to show them."""


class QueryError(UserError):
    """A search query that cannot be turned into a full-text query."""


class NotFound(UserError):
    """An unknown topic or situation; `suggestions` are close names we do know."""

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.suggestions = suggestions or []


class BarePlace(NotFound):
    """A place alone where a situation was asked; `suggestions`: declared situations it is in."""


class StoreBusy(BriefbotError):
    """The database stayed locked past the busy timeout."""


class IngestError(BriefbotError):
    """One input could not be read; the message says why (ingest reports it and goes on)."""

"""The local console chat: the same router as Telegram, over stdin/stdout (also when piped)."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import sys
from collections.abc import Callable
from typing import IO, Protocol

from bot.models import Button, ChatContext, Reply
from bot.render import render

log = logging.getLogger(__name__)

QUIT = frozenset({"quit", "exit", "/quit", "/exit", "q"})


class ConsoleRouter(Protocol):
    """What the console needs from bot.commands.Router."""

    def handle(self, text: str, ctx: ChatContext) -> Reply | None: ...

    def callback(self, data: str, ctx: ChatContext) -> Reply | None: ...

    def article_count(self) -> int: ...

    @property
    def command_names(self) -> frozenset[str]: ...


def run_console(
    router: ConsoleRouter,
    *,
    stdin: IO[str],
    stdout: IO[str],
    now: dt.datetime | None = None,
) -> int:
    """Read commands line by line, print text replies; `quit` or end of input returns 0.

    `now` fixes the clock for every message (tests, --as-of); None reads the real clock once per
    message. Typing the number shown beside a button presses it.
    """
    interactive = _isatty(stdin)
    commands = set(router.command_names)
    if interactive:
        _write(stdout, _safe_render(Reply("banner", {"articles": _count(router)})))
    read = _line_reader(stdin, stdout, interactive)
    buttons: list[Button] = []
    try:
        while True:
            line = read()
            if line is None:
                break
            line = line.strip()
            if not line:
                continue
            if line.lower() in QUIT:
                break
            ctx = ChatContext(
                now=now or dt.datetime.now(dt.UTC), chat_id=0, user_id=0, chat_type="console"
            )
            reply = _answer(router, line, ctx, buttons, commands)
            if reply is None:
                continue
            _write(stdout, _safe_render(reply))
            buttons = [b for row in reply.buttons for b in row if b.callback]
            if buttons and interactive:
                labels = [b.text for b in buttons]
                _write(stdout, _safe_render(Reply("buttons", {"labels": labels})))
    except KeyboardInterrupt:
        stdout.write("\n")
    stdout.flush()
    return 0


def _line_reader(stdin: IO[str], stdout: IO[str], interactive: bool) -> Callable[[], str | None]:
    """A function returning the next line, or None at end of input; prompts when interactive."""
    if interactive and stdin is sys.stdin and stdout is sys.stdout:
        # A real terminal: input() with readline gives line editing and history.
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401

        def prompt() -> str | None:
            try:
                return input("> ")
            except EOFError:
                stdout.write("\n")
                return None

        return prompt

    def plain() -> str | None:
        if interactive:
            stdout.write("> ")
            stdout.flush()
        return stdin.readline() or None

    return plain


def _answer(
    router: ConsoleRouter, line: str, ctx: ChatContext, buttons: list[Button], commands: set[str]
) -> Reply | None:
    try:
        if line.isdigit() and 1 <= int(line) <= len(buttons):
            data = buttons[int(line) - 1].callback or ""
            reply = router.callback(data, ctx)
            return reply or Reply("error", {"code": "button", "message": "", "limit": None})
        first = line.split(maxsplit=1)[0].lower()
        if not line.startswith("/") and first in commands:
            line = "/" + line  # "status x" is as good as "/status x" at a console
        return router.handle(line, ctx)
    except Exception:
        # The Telegram error handler's console twin: log the bug, answer briefly, keep going.
        log.exception("console command %r failed", line[:80])
        return Reply("apology", {})


def _safe_render(reply: Reply) -> str:
    try:
        return "\n".join(render(reply, "text"))
    except Exception:
        log.exception("could not render a %r reply", reply.kind)
        return "\n".join(render(Reply("apology", {}), "text"))


def _write(stdout: IO[str], text: str) -> None:
    stdout.write(text.rstrip("\n") + "\n\n")
    stdout.flush()


def _isatty(stream: IO[str]) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # closed stream
        return False


def _count(router: ConsoleRouter) -> int:
    try:
        return router.article_count()
    except Exception:
        log.warning("could not count articles", exc_info=True)
        return 0

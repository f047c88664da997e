"""The console front end: piped and interactive input, buttons by number, errors kept local."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

from bot.config import ROOT
from bot.console import run_console
from bot.models import Button, ChatContext, Reply

NOW = dt.datetime(2026, 3, 11, 12, tzinfo=dt.UTC)


class FakeRouter:
    """Records what it is asked; answers with a message echoing it."""

    command_names = frozenset({"help", "status", "brief"})

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, ChatContext]] = []

    def handle(self, text: str, ctx: ChatContext) -> Reply | None:
        self.seen.append(("handle", text, ctx))
        if text == "/boom":
            raise RuntimeError("bug")
        if text == "/silent":
            return None
        buttons = [[Button("More ›", "b:x:1-2:2"), Button("Link", url="https://x.org")]]
        return Reply("message", {"text": f"you said {text}"}, buttons)

    def callback(self, data: str, ctx: ChatContext) -> Reply | None:
        self.seen.append(("callback", data, ctx))
        return Reply("message", {"text": f"pressed {data}"}) if data.startswith("b:") else None

    def article_count(self) -> int:
        return 7


class TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(lines: str, router: FakeRouter, tty: bool = False, now: dt.datetime | None = NOW) -> str:
    stdin = TTY(lines) if tty else io.StringIO(lines)
    stdout = io.StringIO()
    assert run_console(router, stdin=stdin, stdout=stdout, now=now) == 0
    return stdout.getvalue()


def test_piped_lines_answered_in_order_until_quit() -> None:
    router = FakeRouter()
    out = run("/help\n\n   \nstatus beijing-pyongyang\nhello there\nquit\n/help\n", router)
    assert [t for _, t, _ in router.seen] == ["/help", "/status beijing-pyongyang", "hello there"]
    assert out.index("you said /help") < out.index("you said /status beijing-pyongyang")
    assert "briefbot console" not in out and "> " not in out  # no banner or prompt when piped
    assert all(ctx.now == NOW and ctx.chat_type == "console" for _, _, ctx in router.seen)


def test_eof_ends_cleanly() -> None:
    assert run("/help", FakeRouter()).strip() == "you said /help"
    assert run("", FakeRouter()) == ""


def test_interactive_banner_prompt_and_buttons() -> None:
    router = FakeRouter()
    out = run("/brief dprk\n1\n2\n9\n", router, tty=True)
    assert out.startswith("briefbot console — 7 articles indexed")
    assert "> " in out
    assert "[1] More ›" in out and "[2] Link" not in out  # URL buttons cannot be pressed here
    # "1" pressed the More button; "2" then had no button (the last reply had none) so it is text.
    assert router.seen[1][:2] == ("callback", "b:x:1-2:2")
    assert "pressed b:x:1-2:2" in out
    assert router.seen[2][1] == "2"


def test_expired_button_is_explained() -> None:
    router = FakeRouter()
    router.callback = lambda data, ctx: None  # type: ignore[method-assign]
    out = run("/brief dprk\n1\n", router, tty=True)
    assert "That button no longer works" in out


def test_errors_become_an_apology_and_the_console_goes_on() -> None:
    router = FakeRouter()
    out = run("/boom\n/silent\n/help\n", router)
    assert "Sorry, something went wrong" in out
    assert "you said /help" in out
    assert "silent" not in out


def test_real_clock_when_now_is_none() -> None:
    router = FakeRouter()
    before = dt.datetime.now(dt.UTC)
    run("/help\n", router, now=None)
    assert router.seen[0][2].now >= before


def test_keyboard_interrupt_exits_zero() -> None:
    class Interrupting(io.StringIO):
        def readline(self, *args: object) -> str:
            raise KeyboardInterrupt

    assert run_console(FakeRouter(), stdin=Interrupting(), stdout=io.StringIO()) == 0


def test_piped_briefbot_run_answers_status(seeded_db_path: Path) -> None:
    """`echo "/status beijing-pyongyang" | briefbot run` with no token: the console, no telegram."""
    code = (
        "import sys; from bot.cli import main; rc = main(['run', '--db', sys.argv[1]]);"
        "assert 'telegram' not in sys.modules, 'console path imported telegram'; sys.exit(rc)"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(seeded_db_path.parent),
        "PYTHONPATH": str(ROOT),
        "BRIEFBOT_POLL_MINUTES": "0",  # the default feeds are real outlets: tests stay offline
    }
    proc = subprocess.run(
        [sys.executable, "-c", code, str(seeded_db_path)],
        input="/status beijing-pyongyang\n/brief dprk\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Beijing–Pyongyang" in proc.stdout
    assert "North Korea" in proc.stdout
    assert "Traceback" not in proc.stderr

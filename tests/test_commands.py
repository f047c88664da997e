"""The router: command parsing, addressing, errors as replies, buttons and their callbacks."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from bot.briefing import search as search_engine
from bot.commands import (
    CALLBACK_LIMIT,
    COMMANDS,
    MAX_ARGS,
    Router,
    clean_args,
    split_period,
)
from bot.config import Settings
from bot.errors import StoreBusy
from bot.models import ChatContext, Reply
from bot.render import check_html, render

NOW = dt.datetime(2026, 3, 11, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def router(seeded_db_path: Path) -> Router:
    r = Router(Settings(db_path=seeded_db_path))
    yield r  # type: ignore[misc]
    r.close()


def ctx(chat_type: str = "private", bot: str | None = "BriefBot", now: dt.datetime = NOW) -> Any:
    return ChatContext(now=now, chat_id=1, user_id=2, chat_type=chat_type, bot_username=bot)


def buttons(reply: Reply) -> list[str]:
    return [b.callback or "" for row in reply.buttons for b in row]


def renders(reply: Reply) -> None:
    for chunk in render(reply, "html"):
        check_html(chunk)
    render(reply, "text")


# ----------------------------------------------------------------------------- parsing


def test_commands_list_is_menu_ready() -> None:
    names = [n for n, _ in COMMANDS]
    assert set(names) == {"start", "help", "search", "brief", "status", "timeline", "topics",
                          "sources", "subscribe", "unsubscribe", "subscriptions",
                          "timezone"}  # fmt: skip
    for name, description in COMMANDS:
        assert name.islower() and 1 <= len(description) <= 256


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("/help", "help"),
        ("/HELP", "help"),
        ("/Help@BriefBot", "help"),
        ("/help@briefbot", "help"),
        ("  /help  ", "help"),
        ("/start", "start"),
        ("/topics", "topics"),
        ("/sources", "sources"),
        ("/search", "usage"),
        ("/brief", "usage"),
        ("/status   ", "usage"),
        ("/timeline@BriefBot", "usage"),
        ("/nonsense", "notfound"),
        ("hello", "hint"),
    ],
)
def test_private_chat(router: Router, text: str, kind: str) -> None:
    reply = router.handle(text, ctx())
    assert reply is not None and reply.kind == kind
    renders(reply)


@pytest.mark.parametrize("text", ["/help@OtherBot", "/brief@other_bot dprk", "/nonsense@OtherBot"])
def test_commands_for_other_bots_are_ignored(router: Router, text: str) -> None:
    assert router.handle(text, ctx("group")) is None
    assert router.handle(text, ctx("private")) is None


def test_groups_ignore_chatter_and_foreign_commands(router: Router) -> None:
    assert router.handle("hello everyone", ctx("group")) is None
    assert router.handle("hello everyone", ctx("supergroup")) is None
    assert router.handle("/someotherbotscommand", ctx("group")) is None
    reply = router.handle("/someotherbotscommand@BriefBot", ctx("group"))
    assert reply is not None and reply.kind == "notfound"
    reply = router.handle("/help", ctx("group"))
    assert reply is not None and reply.kind == "help"


def test_empty_input(router: Router) -> None:
    assert router.handle("", ctx()) is None
    assert router.handle("   ", ctx()) is None


def test_unknown_command_suggests(router: Router) -> None:
    reply = router.handle("/brif dprk", ctx())
    assert reply is not None and reply.kind == "notfound"
    assert reply.model["what"] == "command" and "brief" in reply.model["suggestions"]
    assert "/brief" in render(reply)[0]


def test_console_has_no_bot_name(router: Router) -> None:
    reply = router.handle("/help@AnyBot", ctx("console", bot=None))
    assert reply is not None and reply.kind == "help"


def test_help_for_one_command(router: Router) -> None:
    reply = router.handle("/help /brief", ctx())
    assert reply is not None and reply.model["command"] == "brief"
    assert "/brief dprk" in render(reply, "text")[0]


def test_too_long(router: Router) -> None:
    reply = router.handle("/search " + "x" * (MAX_ARGS + 1), ctx())
    assert reply is not None and reply.kind == "error" and reply.model["code"] == "too_long"
    assert str(MAX_ARGS) in render(reply)[0]
    reply = router.handle("/search " + "x" * (MAX_ARGS - 1), ctx())
    assert reply is not None and reply.kind == "search"


def test_clean_args() -> None:
    assert clean_args("  a\n\tb  \x00c\u200dd\x07e  ") == "a b c\u200dde"
    assert clean_args("北朝鮮  😀") == "北朝鮮 😀"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("dprk", ("dprk", None)),
        ("dprk 7d", ("dprk", "7d")),
        ("north korea 24h", ("north korea", "24h")),
        ("dprk 2 weeks", ("dprk", "2 weeks")),
        ("dprk last 3 days", ("dprk", "last 3 days")),
        ("dprk this week", ("dprk", "this week")),
        ("dprk today", ("dprk", "today")),
        ("dprk 2026-03-01..2026-03-13", ("dprk", "2026-03-01..2026-03-13")),
        ("dprk 2026-03-01 .. 2026-03-13", ("dprk", "2026-03-01..2026-03-13")),
        ("dprk 2026-03-01 to 2026-03-10", ("dprk", "2026-03-01 to 2026-03-10")),
        ("dprk 5x", ("dprk", "5x")),
        ("7d", ("7d", None)),
        ("kim jong un", ("kim jong un", None)),
        ("korean war", ("korean war", None)),
    ],
)
def test_split_period(args: str, expected: tuple[str, str | None]) -> None:
    assert split_period(args, now=NOW) == expected


# ----------------------------------------------------------------------------- search


@pytest.mark.parametrize(
    "query",
    ['"unbalanced', "NEAR(", "*", "AND", "OR OR", "-", '"', "a:b", "😀", "北朝鮮", "^x", "((("],
)
def test_hostile_search_queries_get_a_reply(router: Router, query: str) -> None:
    reply = router.handle(f"/search {query}", ctx())
    assert reply is not None and reply.kind in {"search", "error"}
    if reply.kind == "error":
        assert reply.model["code"] == "query"
    renders(reply)


def test_an_unsearchable_query_is_explained_in_one_plain_sentence(router: Router) -> None:
    reply = router.handle('/search "', ctx())
    assert reply is not None and reply.kind == "error"
    [text] = render(reply, "text")
    assert text.splitlines()[0] == "There is nothing to search for in that query."
    assert "Try plain words" in text
    reply = router.handle("/search -tourists", ctx())
    assert reply is not None
    assert render(reply, "text")[0].startswith("Say what to look for, not only what to leave out.")


def test_search_finds_the_seed(router: Router) -> None:
    reply = router.handle("/search train tickets", ctx())
    assert reply is not None and reply.kind == "search"
    assert reply.model.total >= 1
    assert "<b>" in render(reply)[0]


def test_search_paging_buttons(router: Router, monkeypatch: pytest.MonkeyPatch) -> None:
    real = search_engine.search

    def many(db: Any, text: str, *, page: int = 1, per_page: int = 5) -> Any:
        result = real(db, text, page=1, per_page=per_page)
        result.total, result.page = 23, page
        return result

    monkeypatch.setattr(search_engine, "search", many)
    reply = router.handle("/search train", ctx())
    assert reply is not None and buttons(reply) == ["s:2:train"]
    reply = router.callback("s:2:train", ctx())
    assert reply is not None and reply.kind == "search" and reply.model.page == 2
    assert buttons(reply) == ["s:1:train", "s:3:train"]
    # A query too long for 64 bytes travels through the stash.
    long = "train " + "ü" * 80
    reply = router.handle(f"/search {long}", ctx())
    assert reply is not None
    [data] = buttons(reply)
    assert data.startswith("k:") and len(data.encode()) <= CALLBACK_LIMIT
    again = router.callback(data, ctx())
    assert again is not None and again.model.page == 2 and again.model.query == long


# ----------------------------------------------------------------------------- brief


def test_brief_dprk(router: Router) -> None:
    reply = router.handle("/brief dprk", ctx())
    assert reply is not None and reply.kind == "brief", reply
    assert reply.link_preview is False
    assert reply.model.stories, "the seed article is about North Korea"
    renders(reply)


def test_brief_more_button_round_trip(router: Router, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.briefing import brief as brief_engine

    real = brief_engine.build_brief
    calls: list[dict[str, Any]] = []

    def padded(db: Any, topic: Any, **kw: Any) -> Any:
        calls.append(kw)
        b = real(db, topic, **kw)
        b.total_stories = 12
        return b

    monkeypatch.setattr(brief_engine, "build_brief", padded)
    reply = router.handle("/brief north korea 3d", ctx())
    assert reply is not None and reply.kind == "brief"
    [data, subscribe] = buttons(reply)
    assert subscribe == "sub:b:dprk"
    assert data.startswith("b:") and data.endswith(":2") and len(data.encode()) <= CALLBACK_LIMIT
    more = router.callback(data, ctx(now=NOW + dt.timedelta(hours=1)))
    assert more is not None and more.kind == "brief"
    assert calls[1]["page"] == 2 and calls[1]["now"] == NOW + dt.timedelta(hours=1)
    # Page 2 covers the same window as page 1, to the second.
    assert calls[1]["since"] == calls[0]["since"].replace(microsecond=0)
    assert calls[1]["until"] == calls[0]["until"].replace(microsecond=0)


def test_brief_unknown_topic(router: Router) -> None:
    reply = router.handle("/brief zzqx", ctx())
    assert reply is not None and reply.kind == "notfound"
    assert reply.model["what"] == "topic" and reply.model["command"] == "brief"
    renders(reply)


def test_brief_bad_period(router: Router) -> None:
    reply = router.handle("/brief dprk 99zz", ctx())
    assert reply is not None and reply.kind in {"error", "notfound"}
    renders(reply)


# ----------------------------------------------------------------------------- status


def test_status_and_timeline_buttons(router: Router) -> None:
    reply = router.handle("/status beijing-pyongyang", ctx())
    assert reply is not None and reply.kind == "status"
    renders(reply)
    if reply.model.timeline:
        [data, subscribe] = buttons(reply)
        assert data == "t:beijing-pyongyang" and subscribe == "sub:s:beijing-pyongyang"
        timeline = router.callback(data, ctx())
        assert timeline is not None and timeline.kind == "timeline"
        [back] = buttons(timeline)
        status = router.callback(back, ctx())
        assert status is not None and status.kind == "status"


def test_timeline_command(router: Router) -> None:
    reply = router.handle("/timeline beijing-pyongyang", ctx())
    assert reply is not None and reply.kind == "timeline" and not reply.buttons
    renders(reply)


def test_status_unknown(router: Router) -> None:
    reply = router.handle("/status atlantis-lemuria", ctx())
    assert reply is not None and reply.kind == "notfound" and reply.model["what"] == "situation"


# ----------------------------------------------------------------------------- callbacks


@pytest.mark.parametrize(
    "data",
    ["", "x", "b:", "b:dprk:zz-zz:0", "b:dprk:2-1:1", "b:dprk:1-2:99999", "s:abc:q", "s:0:q",
     "s:2:", "t:", "st:", "k:unknown", "k:", "b:dprk:!!-1:1", "b:dprk:1-zzzzzzzz:1"],
)  # fmt: skip
def test_malformed_callbacks_are_refused(router: Router, data: str) -> None:
    assert router.callback(data, ctx()) is None


def test_callback_for_unknown_key_is_a_reply_not_a_crash(router: Router) -> None:
    reply = router.callback("t:zzqx-qqzz", ctx())
    assert reply is not None and reply.kind == "notfound"


# ----------------------------------------------------------------------------- failures


@pytest.mark.parametrize(
    "exc", [StoreBusy("locked"), sqlite3.OperationalError("database is locked")]
)
def test_busy(router: Router, monkeypatch: pytest.MonkeyPatch, exc: Exception) -> None:
    def busy(*args: Any, **kwargs: Any) -> Any:
        raise exc

    monkeypatch.setattr(search_engine, "search", busy)
    reply = router.handle("/search x", ctx())
    assert reply is not None and reply.kind == "busy"
    renders(reply)


def test_bugs_propagate(router: Router, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise sqlite3.OperationalError("no such table: nope")

    monkeypatch.setattr(search_engine, "search", broken)
    with pytest.raises(sqlite3.OperationalError):
        router.handle("/search x", ctx())


def test_one_connection_per_thread(router: Router) -> None:
    mine = router.db()
    assert router.db() is mine
    theirs: list[Any] = []

    def work() -> None:
        theirs.append(router.db())
        router.handle("/sources", ctx())
        router.close()

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert theirs and theirs[0] is not mine


def test_unicode_and_odd_input(router: Router) -> None:
    for text in [
        "/brief 북한",
        "/brief Пхеньян",
        "/status 😀",
        "/search \u202etxet",
        "/brief \x00",
    ]:
        reply = router.handle(text, ctx())
        assert reply is not None
        renders(reply)


# ----------------------------------------------------------------------------- suggestion buttons


@pytest.mark.parametrize("command", ["brief", "status"])
def test_ambiguous_names_get_a_button_per_place(router: Router, command: str) -> None:
    args = "valencia" if command == "brief" else "valencia marathon"
    reply = router.handle(f"/{command} {args}", ctx())
    assert reply is not None and reply.kind == "notfound"
    assert "several Valencia" in reply.model["message"]
    labels = [b.text for row in reply.buttons for b in row]
    if command == "brief":
        assert labels == ["Valencia, Venezuela", "Valencia, Spain"]
    else:
        assert labels == ["Valencia (Venezuela) marathon", "Valencia (Spain) marathon"]
    renders(reply)
    for data in buttons(reply):
        assert len(data.encode("utf-8")) <= CALLBACK_LIMIT
        assert data.startswith(f"r:{command}:")


def test_pressing_an_ambiguity_button_answers_for_that_place(router: Router) -> None:
    reply = router.handle("/brief hyderabad", ctx())
    assert reply is not None
    data = {b.text: b.callback for row in reply.buttons for b in row}["Hyderabad, Pakistan"]
    assert data is not None
    answer = router.callback(data, ctx())
    assert answer is not None and answer.kind == "brief"
    assert answer.model.topic.title == "Hyderabad, Pakistan"


def test_did_you_mean_gets_buttons_too(router: Router) -> None:
    reply = router.handle("/brief north kroea", ctx())
    assert reply is not None and reply.kind == "notfound" and reply.buttons
    answer = router.callback(buttons(reply)[0], ctx())
    assert answer is not None and answer.kind == "brief"


def test_long_suggestions_go_through_the_stash(router: Router) -> None:
    words = " ".join(["marathon"] * 8)
    reply = router.handle(f"/brief valencia {words}", ctx())
    assert reply is not None and reply.kind == "notfound"
    for data in buttons(reply):
        assert data.startswith("k:") and len(data.encode("utf-8")) <= CALLBACK_LIMIT
        answer = router.callback(data, ctx())
        assert answer is not None and answer.kind == "brief"


def test_malformed_retry_data_is_ignored(router: Router) -> None:
    assert router.callback("r:search:x", ctx()) is None
    assert router.callback("r:brief:", ctx()) is None

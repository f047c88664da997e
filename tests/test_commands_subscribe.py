"""/subscribe, /unsubscribe, /subscriptions, /timezone and their buttons, through the router."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.commands import CALLBACK_LIMIT, COMMANDS, Router, parse_subscribe_args
from bot.config import Settings
from bot.console import run_console
from bot.errors import UserError
from bot.models import ChatContext, Reply
from bot.render import check_html, render
from bot.store import subscriptions as store

NOW = dt.datetime(2026, 3, 11, 12, 0, tzinfo=dt.UTC)
USER, ADMIN, BOT_ADMIN = 2, 3, 99
PRIVATE, GROUP, FORUM = 1, -100, -1001


@pytest.fixture
def router(seeded_db_path: Path) -> Iterator[Router]:
    r = Router(Settings(db_path=seeded_db_path, admins=frozenset({BOT_ADMIN})))
    yield r
    r.close()


def private(**kw: Any) -> ChatContext:
    fields: dict[str, Any] = {
        "now": NOW,
        "chat_id": PRIVATE,
        "user_id": USER,
        "chat_type": "private",
        "bot_username": "BriefBot",
    }
    fields.update(kw)
    return ChatContext(**fields)


def group(user: int = USER, *, admin: bool = False, **kw: Any) -> ChatContext:
    fields: dict[str, Any] = {
        "now": NOW,
        "chat_id": GROUP,
        "user_id": user,
        "chat_type": "group",
        "bot_username": "BriefBot",
        "is_admin": admin,
    }
    fields.update(kw)
    return ChatContext(**fields)


def ask(router: Router, text: str, ctx: ChatContext) -> Reply:
    reply = router.handle(text, ctx)
    assert reply is not None, text
    renders(reply)
    return reply


def press(router: Router, data: str, ctx: ChatContext) -> Reply:
    reply = router.callback(data, ctx)
    assert reply is not None, data
    renders(reply)
    return reply


def renders(reply: Reply) -> str:
    for chunk in render(reply, "html"):
        check_html(chunk)
    return render(reply, "text")[0]


def callbacks(reply: Reply) -> list[str]:
    return [b.callback or "" for row in reply.buttons for b in row]


def stored(router: Router, chat: int) -> list[store.Subscription]:
    return store.list_for_chat(router.db(), chat)


# ----------------------------------------------------------------------------- menu


def test_commands_are_in_the_menu_and_help(router: Router) -> None:
    names = [name for name, _ in COMMANDS]
    for name in ("subscribe", "unsubscribe", "subscriptions", "timezone"):
        assert name in names and name in router.command_names
        text = renders(ask(router, f"/help {name}", private()))
        assert f"/{name}" in text
    assert ask(router, "/subscribe", private()).kind == "usage"
    assert ask(router, "/unsubscribe", private()).kind == "usage"


# ----------------------------------------------------------------------------- private chat


def test_subscribe_in_a_private_chat(router: Router) -> None:
    reply = ask(router, "/subscribe dprk 08:00 Asia/Seoul quiet", private())
    assert reply.kind == "subscribed" and reply.model["outcome"] == "created"
    assert reply.model["title"] == "North Korea"
    [sub] = stored(router, PRIVATE)
    assert (sub.kind, sub.key, sub.query) == ("brief", "dprk", "dprk")
    assert (sub.local_time, sub.timezone, sub.quiet) == ("08:00", "Asia/Seoul", True)
    assert sub.thread_id is None and sub.created_by == USER
    # 12:00 UTC is 21:00 in Seoul: the first brief is tomorrow at 08:00 there.
    assert reply.model["next_run"] == dt.datetime(
        2026, 3, 12, 8, 0, tzinfo=reply.model["next_run"].tzinfo
    )
    text = renders(reply)
    assert "08:00" in text and "Asia/Seoul" in text and "tomorrow" in text
    chat = store.get_chat(router.db(), PRIVATE)
    assert chat is not None and chat.type == "private" and chat.timezone == "UTC"


def test_subscribe_defaults_and_same_topic_by_another_name(router: Router) -> None:
    first = ask(router, "/subscribe dprk", private())
    assert first.model["local_time"] == "08:00" and first.model["timezone"] == "UTC"
    assert not first.model["own_timezone"]
    again = ask(router, "/subscribe north korea", private())
    assert again.model["outcome"] == "unchanged" and again.model["id"] == first.model["id"]
    moved = ask(router, "/subscribe dprk 9am", private())
    assert moved.model["outcome"] == "updated" and moved.model["local_time"] == "09:00"
    assert len(stored(router, PRIVATE)) == 1


@pytest.mark.parametrize(
    ("text", "time", "zone"),
    [
        ("/subscribe dprk 20h", "20:00", None),
        ("/subscribe dprk 8:30 pm", "20:30", None),
        ("/subscribe north korea 07:15 europe/berlin", "07:15", "Europe/Berlin"),
        ("/subscribe dprk Asia/Seoul 6am", "06:00", "Asia/Seoul"),
        ("/subscribe dprk 08:00 new york", "08:00", "America/New_York"),
        ("/subscribe dprk UTC+9", "08:00", "Etc/GMT-9"),
    ],
)
def test_subscribe_reads_times_and_zones(
    router: Router, text: str, time: str, zone: str | None
) -> None:
    reply = ask(router, text, private())
    assert reply.kind == "subscribed", renders(reply)
    [sub] = stored(router, PRIVATE)
    assert (sub.key, sub.local_time, sub.timezone) == ("dprk", time, zone)


def test_a_city_after_the_topic_is_a_timezone_when_the_words_name_no_topic(
    router: Router,
) -> None:
    parsed = parse_subscribe_args("dprk 08:00 seoul quiet")
    assert (parsed.topic, parsed.tz_text, parsed.quiet) == ("dprk", "seoul", True)
    assert parsed.as_args(tz="Asia/Seoul") == "dprk 08:00 Asia/Seoul quiet"
    with pytest.raises(UserError):
        parse_subscribe_args("dprk 08:00 09:00")


def test_subscribe_status(router: Router) -> None:
    reply = ask(router, "/subscribe status beijing-pyongyang", private())
    assert reply.kind == "subscribed" and reply.model["kind"] == "status"
    [sub] = stored(router, PRIVATE)
    assert (sub.kind, sub.key, sub.local_time) == ("status", "beijing-pyongyang", None)
    assert "status" in renders(reply)
    # Another spelling of the same situation is the same subscription.
    again = ask(router, "/subscribe status china-dprk", private())
    assert again.model["outcome"] == "unchanged"
    # Alerts have no time of day.
    timed = ask(router, "/subscribe status beijing-pyongyang 08:00 Asia/Seoul", private())
    assert timed.kind == "error" and "no time" in timed.model["message"]


def test_unknown_topic_gets_the_notfound_reply(router: Router) -> None:
    reply = ask(router, "/subscribe zzqx", private())
    assert reply.kind == "notfound" and reply.model["what"] == "topic"
    assert reply.model["command"] == "subscribe"
    assert stored(router, PRIVATE) == []
    typo = ask(router, "/subscribe north kroea 07:00", private())
    assert typo.kind == "notfound" and typo.model["suggestions"]
    # Its buttons subscribe with the suggestion, keeping the time typed.
    data = callbacks(typo)[0]
    assert data.startswith("r:subscribe:") and len(data.encode()) <= CALLBACK_LIMIT
    done = press(router, data, private())
    assert done.kind == "subscribed" and done.model["local_time"] == "07:00"


def test_unknown_situation_suggests_subscribe_status(router: Router) -> None:
    reply = ask(router, "/subscribe status pyongyang", private())
    assert reply.kind == "notfound" and reply.model["what"] == "situation"
    assert "status beijing-pyongyang" in reply.model["suggestions"]
    assert "/subscribe status beijing-pyongyang" in renders(reply)
    data = callbacks(reply)[0]
    done = press(router, data, private())
    assert done.kind == "subscribed" and done.model["kind"] == "status"


@pytest.mark.parametrize("time", ["25:00", "13pm", "8:61"])
def test_bad_time(router: Router, time: str) -> None:
    reply = ask(router, f"/subscribe dprk {time}", private())
    assert reply.kind == "error" and reply.model["code"] == "user"
    assert time in reply.model["message"]
    assert stored(router, PRIVATE) == []


def test_bad_timezone_with_suggestion(router: Router) -> None:
    reply = ask(router, "/subscribe dprk 08:00 Europe/Berlni", private())
    assert reply.kind == "error" and reply.model["code"] == "timezone"
    assert reply.model["suggestions"] == ["Europe/Berlin"]
    assert "Europe/Berlin" in renders(reply)
    assert stored(router, PRIVATE) == []
    [data] = callbacks(reply)
    done = press(router, data, private())
    assert done.kind == "subscribed" and done.model["timezone"] == "Europe/Berlin"
    assert done.model["local_time"] == "08:00"


# ----------------------------------------------------------------------------- groups


def test_group_admins_only(router: Router) -> None:
    for text in (
        "/subscribe dprk",
        "/unsubscribe all",
        "/timezone Europe/Berlin",
        "/subscribe status beijing-pyongyang",
    ):
        reply = ask(router, text, group())
        assert reply.kind == "error" and reply.model["code"] == "admin_only", text
        assert "admin" in renders(reply)
        assert len(renders(reply).splitlines()) == 1
    assert stored(router, GROUP) == []
    assert store.get_chat(router.db(), GROUP) is None  # refused: nothing written
    reply = ask(router, "/subscribe dprk", group(ADMIN, admin=True))
    assert reply.kind == "subscribed"
    # A bot admin (Settings.admins) may too, without being a chat admin.
    reply = ask(router, "/subscribe status beijing-pyongyang", group(BOT_ADMIN))
    assert reply.kind == "subscribed"
    assert len(stored(router, GROUP)) == 2
    chat = store.get_chat(router.db(), GROUP)
    assert chat is not None and chat.type == "group"


def test_everyone_may_read_the_list_and_the_timezone(router: Router) -> None:
    ask(router, "/subscribe dprk", group(ADMIN, admin=True))
    listing = ask(router, "/subscriptions", group())
    assert listing.kind == "subscriptions" and len(listing.model["subscriptions"]) == 1
    assert listing.model["can_change"] is False
    assert "admins" in renders(listing)
    zone = ask(router, "/timezone", group())
    assert zone.kind == "timezone" and zone.model["timezone"] == "UTC"
    # A non-admin pressing Remove is refused, in a new message, and nothing changes.
    refused = press(router, callbacks(listing)[0], group())
    assert refused.model["code"] == "admin_only" and refused.new_message
    assert len(stored(router, GROUP)) == 1


def test_forum_thread_is_stored(router: Router) -> None:
    admin = group(ADMIN, admin=True, chat_id=FORUM, chat_type="supergroup")
    in_thread = group(ADMIN, admin=True, chat_id=FORUM, chat_type="supergroup", thread_id=42)
    ask(router, "/subscribe dprk", in_thread)
    ask(router, "/subscribe dprk", admin)  # the main chat's is another subscription
    subs = stored(router, FORUM)
    assert sorted((s.thread_id or 0) for s in subs) == [0, 42]
    reply = ask(router, "/subscriptions", in_thread)
    marks = {s["thread_id"]: s["here"] for s in reply.model["subscriptions"]}
    assert marks == {42: True, None: False}
    assert "topic thread" in renders(reply)
    # From the thread, /unsubscribe acts on the thread only.
    gone = ask(router, "/unsubscribe all", in_thread)
    assert [s["thread_id"] for s in gone.model["removed"]] == [42]
    assert [s.thread_id for s in stored(router, FORUM)] == [None]


# ----------------------------------------------------------------------------- unsubscribe


def test_unsubscribe_by_name_and_all(router: Router) -> None:
    ask(router, "/subscribe dprk", private())
    ask(router, "/subscribe china 07:00", private())
    ask(router, "/subscribe status beijing-pyongyang", private())
    assert len(stored(router, PRIVATE)) == 3
    gone = ask(router, "/unsubscribe north korea", private())  # resolves to the key dprk
    assert [s["key"] for s in gone.model["removed"]] == ["dprk"]
    nothing = ask(router, "/unsubscribe dprk", private())
    assert nothing.model["removed"] == [] and "/subscriptions" in renders(nothing)
    gone = ask(router, "/unsubscribe status china-dprk", private())
    assert [s["kind"] for s in gone.model["removed"]] == ["status"]
    everything = ask(router, "/unsubscribe all", private())
    assert [s["query"] for s in everything.model["removed"]] == ["china"]
    assert stored(router, PRIVATE) == []
    empty = ask(router, "/unsubscribe all", private())
    assert empty.model["removed"] == [] and "nothing to stop" in renders(empty)


def test_remove_button_round_trip(router: Router) -> None:
    ask(router, "/subscribe dprk", private())
    ask(router, "/subscribe status beijing-pyongyang", private())
    listing = ask(router, "/subscriptions", private())
    data = callbacks(listing)
    assert len(data) == 2 and all(d.startswith("u:") for d in data)
    assert all(len(d.encode()) <= CALLBACK_LIMIT for d in data)
    labels = [b.text for row in listing.buttons for b in row]
    assert any("dprk" in label for label in labels)
    after = press(router, data[0], private())
    # The list as it now stands (the message it was pressed on is replaced by it).
    assert after.kind == "subscriptions" and not after.new_message
    assert after.model["removed"]["id"] == int(data[0][2:])
    assert len(after.model["subscriptions"]) == 1 and len(callbacks(after)) == 1
    assert "Removed" in renders(after)
    # Pressed again (an old message): already gone, nothing else touched.
    again = press(router, data[0], private())
    assert again.model["already_gone"] and len(stored(router, PRIVATE)) == 1
    # Another chat's button does nothing here.
    other = press(router, data[1], private(chat_id=777))
    assert other.model["already_gone"] and len(stored(router, PRIVATE)) == 1
    assert router.callback("u:notanumber", private()) is None


def test_empty_list(router: Router) -> None:
    reply = ask(router, "/subscriptions", private())
    assert reply.model["subscriptions"] == [] and not reply.buttons
    assert "/subscribe dprk" in renders(reply)


# ----------------------------------------------------------------------------- timezone


def test_timezone_set_and_show(router: Router) -> None:
    shown = ask(router, "/timezone", private())
    assert shown.model["timezone"] == "UTC" and not shown.model["changed"]
    ask(router, "/subscribe dprk", private())
    ask(router, "/subscribe china 07:00 Asia/Seoul", private())
    changed = ask(router, "/timezone Europe/Berlin", private())
    assert changed.model["changed"] and changed.model["timezone"] == "Europe/Berlin"
    assert changed.model["following"] == 1 and len(changed.model["own"]) == 1
    assert "13:00" in renders(changed)  # 12:00 UTC is 13:00 in Berlin in March
    chat = store.get_chat(router.db(), PRIVATE)
    assert chat is not None and chat.timezone == "Europe/Berlin"
    zones = {s.key: s.effective_timezone for s in stored(router, PRIVATE)}
    assert zones == {"dprk": "Europe/Berlin", "china": "Asia/Seoul"}
    assert ask(router, "/timezone seoul", private()).model["timezone"] == "Asia/Seoul"


def test_timezone_typo(router: Router) -> None:
    reply = ask(router, "/timezone Europe/Berlni", private())
    assert reply.kind == "error" and reply.model["code"] == "timezone"
    [data] = callbacks(reply)
    assert data == "r:timezone:Europe/Berlin"
    done = press(router, data, private())
    assert done.kind == "timezone" and done.model["timezone"] == "Europe/Berlin"


# ----------------------------------------------------------------------------- Subscribe buttons


def test_subscribe_button_on_a_brief(router: Router) -> None:
    brief = ask(router, "/brief dprk", private())
    data = [d for d in callbacks(brief) if d.startswith("sub:")]
    assert data == ["sub:b:dprk"]
    done = press(router, data[0], private())
    assert done.kind == "subscribed" and done.new_message  # the brief stays
    assert (done.model["local_time"], done.model["timezone"]) == ("08:00", "UTC")
    [sub] = stored(router, PRIVATE)
    assert (sub.kind, sub.key, sub.timezone) == ("brief", "dprk", None)
    again = press(router, data[0], private())
    assert again.model["outcome"] == "unchanged"


def test_subscribe_button_follows_the_chat_timezone_and_thread(router: Router) -> None:
    ctx = group(ADMIN, admin=True, chat_id=FORUM, chat_type="supergroup", thread_id=9)
    ask(router, "/timezone Asia/Seoul", ctx)
    status = ask(router, "/status beijing-pyongyang", ctx)
    [data] = [d for d in callbacks(status) if d.startswith("sub:")]
    assert data == "sub:s:beijing-pyongyang"
    done = press(router, data, ctx)
    assert done.model["kind"] == "status" and done.model["thread_id"] == 9
    brief = ask(router, "/brief dprk", ctx)
    [data] = [d for d in callbacks(brief) if d.startswith("sub:")]
    done = press(router, data, ctx)
    assert done.model["timezone"] == "Asia/Seoul" and not done.model["own_timezone"]
    assert (
        press(router, data, group(chat_id=FORUM, chat_type="supergroup")).model["code"]
        == "admin_only"
    )


def test_long_topic_keys_go_through_the_stash(router: Router) -> None:
    brief = ask(router, "/brief pyongyang " + " ".join(["marathon"] * 8), private())
    data = brief.buttons[-1][0].callback or ""  # Subscribe is the last row
    assert data.startswith("k:") and len(data.encode()) <= CALLBACK_LIMIT
    done = press(router, data, private())
    assert done.kind == "subscribed"


# ----------------------------------------------------------------------------- console


def test_console_runs_the_new_commands(router: Router) -> None:
    lines = "\n".join(
        [
            "/subscribe dprk 8am Asia/Seoul",
            "subscriptions",
            "timezone Europe/Berlin",
            "/unsubscribe all",
            "/subscriptions",
        ]
    )
    out = io.StringIO()
    assert run_console(router, stdin=io.StringIO(lines + "\n"), stdout=out, now=NOW) == 0
    text = out.getvalue()
    assert "Subscribed: North Korea" in text
    assert "Subscriptions in this chat" in text
    assert "timezone is now Europe/Berlin" in text
    assert "Stopped" in text and "No subscriptions in this chat" in text
    assert "Sorry" not in text

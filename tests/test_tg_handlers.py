"""Handler-level tests: the real Application and handlers, PTB's HTTP layer swapped for a recorder.

Like PTB's own OfflineRequest: no sockets, every Bot API call is recorded and answered with canned
JSON, so each test can say exactly what the bot asked Telegram to do. The router and renderer are
small stubs here; tests/test_e2e_telegram.py runs the real ones.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import itertools
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from telegram import Update
from telegram.request import BaseRequest, RequestData

from bot.config import Settings
from bot.errors import ConfigError
from bot.models import Button, ChatContext, Reply
from bot.tg import app as tgapp
from bot.tg import handlers as tghandlers
from bot.tg.concurrency import PerChatUpdateProcessor
from bot.tg.logsafe import REDACTED, protect_token
from bot.tg.ratelimit import ChatRateLimiter
from bot.tg.textutil import html_to_plain, split_plain, utf16_len
from tests.fakebotapi import DEFAULT_TOKEN, command_entities

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

JSON = dict[str, Any]
BOT = {"id": 4839574812, "is_bot": True, "first_name": "Briefbot", "username": "BriefTestBot"}
USER = {"id": 501, "is_bot": False, "first_name": "Ada", "username": "ada"}
PRIVATE = {"id": 501, "type": "private", "first_name": "Ada"}
GROUP = {"id": -1001234, "type": "supergroup", "title": "Analysts"}
FORUM = {"id": -1005678, "type": "supergroup", "title": "Desk", "is_forum": True}
FIXED_NOW = dt.datetime(2026, 3, 11, 12, 0, tzinfo=dt.UTC)


# ----------------------------------------------------------------------------- fakes


@dataclass
class Call:
    endpoint: str
    params: JSON


class RecordingRequest(BaseRequest):
    """A BaseRequest that answers from memory and records every call."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.failures: dict[str, list[tuple[int, JSON]]] = {}
        self._ids = itertools.count(1000)

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def fail(self, endpoint: str, status: int, description: str, **parameters: Any) -> None:
        body: JSON = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        self.failures.setdefault(endpoint, []).append((status, body))

    def to(self, endpoint: str) -> list[JSON]:
        return [c.params for c in self.calls if c.endpoint == endpoint]

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        params = json.loads(json.dumps(request_data.parameters)) if request_data else {}
        self.calls.append(Call(endpoint, params))
        if self.failures.get(endpoint):
            status, body = self.failures[endpoint].pop(0)
            return status, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": self._result(endpoint, params)}).encode()

    def _result(self, endpoint: str, params: JSON) -> Any:
        if endpoint == "getMe":
            return BOT
        if endpoint in ("sendMessage", "editMessageText"):
            chat = next(
                (c for c in (PRIVATE, GROUP, FORUM) if c["id"] == params["chat_id"]),
                {"id": params["chat_id"], "type": "private", "first_name": "X"},
            )
            message = {
                "message_id": params.get("message_id") or next(self._ids),
                "from": BOT,
                "chat": chat,
                "date": 1773230400,
                "text": params["text"],
            }
            if "reply_markup" in params:
                message["reply_markup"] = params["reply_markup"]
            return message
        return True


@dataclass
class StubRouter:
    """Answers every command with a `message` reply; records what it was asked."""

    answer: Callable[[str, ChatContext], Reply | None] | None = None
    seen: list[tuple[str, ChatContext]] = field(default_factory=list)
    pressed: list[tuple[str, ChatContext]] = field(default_factory=list)

    def handle(self, text: str, ctx: ChatContext) -> Reply | None:
        self.seen.append((text, ctx))
        if self.answer is not None:
            return self.answer(text, ctx)
        return Reply("message", {"text": f"you said {text}"})

    def callback(self, data: str, ctx: ChatContext) -> Reply | None:
        self.pressed.append((data, ctx))
        if data == "expired":
            return None
        return Reply("message", {"text": f"page {data}"}, [[Button("Next", "next")]])


def stub_render(reply: Reply, fmt: str) -> list[str]:
    """`message` replies: each paragraph of the text is one chunk, bold, escaped."""
    if reply.kind not in ("message", "slow_down", "apology"):
        raise LookupError(reply.kind)
    text = (reply.model or {}).get("text", reply.kind)
    if fmt == "text":
        return [text]
    return [f"<b>{html.escape(part)}</b>" for part in text.split("\n\n")]


class Events:
    def __init__(self) -> None:
        self.forbidden: list[tuple[int, str]] = []
        self.migrated: list[tuple[int, int]] = []

    def chat_forbidden(self, chat_id: int, reason: str) -> None:
        self.forbidden.append((chat_id, reason))

    def chat_migrated(self, old_chat_id: int, new_chat_id: int) -> None:
        self.migrated.append((old_chat_id, new_chat_id))


@dataclass
class Harness:
    app: Any
    request: RecordingRequest
    router: StubRouter
    events: Events
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def sent(self) -> list[JSON]:
        return self.request.to("sendMessage")

    async def message(
        self, text: str, chat: JSON = PRIVATE, *, thread: int | None = None, user: JSON = USER
    ) -> None:
        message: JSON = {
            "message_id": next(self.ids),
            "from": user,
            "chat": chat,
            "date": 1773230400,
            "text": text,
        }
        if entities := command_entities(text):
            message["entities"] = entities
        if thread is not None:
            message["message_thread_id"] = thread
            message["is_topic_message"] = True
        await self.update({"message": message})

    async def press(self, data: str, chat: JSON = PRIVATE, message_id: int = 77) -> None:
        bot_message = {
            "message_id": message_id,
            "from": BOT,
            "chat": chat,
            "date": 1773230400,
            "text": "old page",
        }
        query = {
            "id": "q1",
            "from": USER,
            "message": bot_message,
            "chat_instance": "ci",
            "data": data,
        }
        await self.update({"callback_query": query})

    async def update(self, body: JSON) -> None:
        data = {"update_id": next(self.ids), **body}
        await self.app.process_update(Update.de_json(data, self.app.bot))


def make_settings(**overrides: Any) -> Settings:
    base: JSON = {"token": DEFAULT_TOKEN, "api_url": "http://127.0.0.1:9/bot"}
    base.update(overrides)
    return Settings(**base)


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    async with make_harness() as h:
        yield h


class make_harness:
    """Async context manager: an initialised Application over a RecordingRequest."""

    def __init__(self, settings: Settings | None = None, **kwargs: Any) -> None:
        self.request = RecordingRequest()
        self.router = StubRouter()
        self.events = Events()
        self.app = tgapp.build_application(
            settings or make_settings(admins=frozenset({501})),
            self.router,
            render=kwargs.pop("render", stub_render),
            commands=kwargs.pop("commands", [("help", "Every command")]),
            events=self.events,
            clock=lambda: FIXED_NOW,
            request=self.request,
            get_updates_request=RecordingRequest(),
            **kwargs,
        )

    async def __aenter__(self) -> Harness:
        await self.app.initialize()
        return Harness(self.app, self.request, self.router, self.events)

    async def __aexit__(self, *exc: object) -> None:
        await self.app.shutdown()


# ----------------------------------------------------------------------------- commands


async def test_private_command_is_routed_rendered_and_sent(harness: Harness) -> None:
    await harness.message("/help")
    [(text, ctx)] = harness.router.seen
    assert text == "/help"
    assert ctx == ChatContext(
        now=FIXED_NOW,
        chat_id=501,
        user_id=501,
        chat_type="private",
        bot_username="BriefTestBot",
        is_admin=True,
    )
    [sent] = harness.sent()
    assert sent["chat_id"] == 501
    assert sent["text"] == "<b>you said /help</b>"
    assert sent["parse_mode"] == "HTML"
    assert sent["link_preview_options"] == {"is_disabled": True}
    assert "reply_parameters" not in sent  # no quoting in a private chat
    assert "reply_markup" not in sent


async def test_is_admin_only_for_configured_admins() -> None:
    async with make_harness(make_settings(admins=frozenset({42}))) as h:
        await h.message("/help")
    assert h.router.seen[0][1].is_admin is False


async def test_private_plain_text_reaches_the_router(harness: Harness) -> None:
    await harness.message("north korea trains")
    assert [t for t, _ in harness.router.seen] == ["north korea trains"]


async def test_group_plain_text_is_not_for_the_bot(harness: Harness) -> None:
    await harness.message("did anyone see the train news?", GROUP)
    assert harness.router.seen == []
    assert harness.sent() == []


async def test_group_command_addressed_to_us_is_answered_as_a_reply(harness: Harness) -> None:
    await harness.message("/brief@BriefTestBot dprk", GROUP)
    [(text, ctx)] = harness.router.seen
    assert text == "/brief@BriefTestBot dprk"
    assert ctx.chat_type == "supergroup" and ctx.chat_id == GROUP["id"]
    [sent] = harness.sent()
    assert sent["chat_id"] == GROUP["id"]
    assert sent["reply_parameters"]["allow_sending_without_reply"] is True


async def test_addressee_match_ignores_case(harness: Harness) -> None:
    await harness.message("/brief@brieftestbot dprk", GROUP)
    assert len(harness.sent()) == 1


async def test_command_for_another_bot_is_ignored(harness: Harness) -> None:
    await harness.message("/brief@OtherBot dprk", GROUP)
    await harness.message("/start@OtherBot")
    assert harness.router.seen == []
    assert harness.sent() == []


async def test_router_none_sends_nothing(harness: Harness) -> None:
    harness.router.answer = lambda text, ctx: None
    await harness.message("/unknown", GROUP)
    assert harness.sent() == []


async def test_forum_topic_reply_stays_in_the_topic(harness: Harness) -> None:
    await harness.message("/help@BriefTestBot", FORUM, thread=12)
    [sent] = harness.sent()
    assert sent["message_thread_id"] == 12


async def test_long_reply_sends_every_chunk_with_buttons_on_the_last(harness: Harness) -> None:
    harness.router.answer = lambda text, ctx: Reply(
        "message",
        {"text": "one\n\ntwo\n\nthree"},
        [[Button("More", "b:dprk:1"), Button("Site", url="https://example.org/")]],
        link_preview=True,
    )
    await harness.message("/brief dprk", GROUP)
    sent = harness.sent()
    assert [s["text"] for s in sent] == ["<b>one</b>", "<b>two</b>", "<b>three</b>"]
    assert [("reply_markup" in s) for s in sent] == [False, False, True]
    assert sent[-1]["reply_markup"] == {
        "inline_keyboard": [
            [
                {"text": "More", "callback_data": "b:dprk:1"},
                {"text": "Site", "url": "https://example.org/"},
            ]
        ]
    }
    # Only the first chunk quotes the command; previews follow the reply's wish.
    assert ["reply_parameters" in s for s in sent] == [True, False, False]
    assert all(s["link_preview_options"] == {"is_disabled": False} for s in sent)


async def test_button_with_oversized_data_is_dropped_not_fatal(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    harness.router.answer = lambda text, ctx: Reply(
        "message", {"text": "hi"}, [[Button("Bad", "x" * 65), Button("Good", "ok")]]
    )
    await harness.message("/help")
    [sent] = harness.sent()
    assert sent["reply_markup"] == {"inline_keyboard": [[{"text": "Good", "callback_data": "ok"}]]}
    assert "over 64 bytes" in caplog.text


async def test_slow_router_shows_typing(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tghandlers, "TYPING_AFTER", 0.01)
    release = threading.Event()

    def slow(text: str, ctx: ChatContext) -> Reply:
        release.wait(5)
        return Reply("message", {"text": "done"})

    harness.router.answer = slow
    task = asyncio.create_task(harness.message("/brief dprk"))
    while not harness.request.to("sendChatAction"):
        await asyncio.sleep(0.005)
    release.set()
    await task
    assert harness.request.to("sendChatAction") == [{"chat_id": 501, "action": "typing"}]
    assert [s["text"] for s in harness.sent()] == ["<b>done</b>"]


# ----------------------------------------------------------------------------- errors


async def test_router_crash_gets_the_apology_never_a_traceback(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    def boom(text: str, ctx: ChatContext) -> Reply:
        raise RuntimeError("database exploded at /srv/secret/path")

    harness.router.answer = boom
    with caplog.at_level(logging.ERROR):
        await harness.message("/brief dprk")
    [sent] = harness.sent()
    # stub_render raises for "apology"? no: it knows it; the reply is the template's, short.
    assert sent["text"] == "<b>apology</b>"
    assert "Traceback" not in sent["text"] and "secret" not in sent["text"]
    assert "database exploded" in caplog.text  # the log has it
    assert "command '/brief'" in caplog.text


async def test_apology_falls_back_to_builtin_text_when_rendering_fails() -> None:
    def broken_render(reply: Reply, fmt: str) -> list[str]:
        raise ValueError("template bug")

    async with make_harness(render=broken_render) as h:
        await h.message("/help")
    [sent] = h.sent()
    assert sent["text"].startswith("Sorry, something went wrong")


async def test_html_rejected_by_telegram_is_resent_as_plain_text(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    harness.request.fail(
        "sendMessage", 400, 'Bad Request: can\'t parse entities: Unsupported start tag "br"'
    )
    harness.router.answer = lambda text, ctx: Reply(
        "message", {"text": "trains & <planes>"}, [[Button("More", "m")]]
    )
    await harness.message("/search trains")
    first, second = harness.sent()
    assert first["parse_mode"] == "HTML"
    assert second["text"] == "trains & <planes>"
    assert "parse_mode" not in second
    assert second["reply_markup"] == {"inline_keyboard": [[{"text": "More", "callback_data": "m"}]]}
    assert "sending plain text" in caplog.text


async def test_forbidden_marks_the_chat_and_does_not_apologise(harness: Harness) -> None:
    harness.request.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    await harness.message("/help")
    assert harness.events.forbidden == [(501, "Forbidden: bot was blocked by the user")]
    assert len(harness.sent()) == 1  # the refused reply; no apology after it


async def test_chat_migration_is_followed(harness: Harness) -> None:
    harness.request.fail(
        "sendMessage", 400, "Bad Request: group chat was upgraded", migrate_to_chat_id=-100999
    )
    await harness.message("/help@BriefTestBot", GROUP)
    first, second = harness.sent()
    assert first["chat_id"] == GROUP["id"] and second["chat_id"] == -100999
    assert harness.events.migrated == [(GROUP["id"], -100999)]


async def test_retry_after_is_honoured_by_the_rate_limiter(harness: Harness) -> None:
    harness.request.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await harness.message("/help")
    assert loop.time() - started >= 1.0
    assert [s["text"] for s in harness.sent()] == ["<b>you said /help</b>"] * 2


async def test_server_error_is_retried_once(harness: Harness) -> None:
    harness.request.fail("sendMessage", 502, "Bad Gateway")
    await harness.message("/help")
    assert len(harness.sent()) == 2


async def test_repeated_server_errors_are_logged_without_apology(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    for _ in range(2):
        harness.request.fail("sendMessage", 500, "Internal Server Error")
    await harness.message("/help")
    assert len(harness.sent()) == 2
    assert "network trouble" in caplog.text


# ----------------------------------------------------------------------------- callbacks


async def test_button_press_edits_the_message_and_answers(harness: Harness) -> None:
    await harness.press("b:dprk:2")
    [(data, ctx)] = harness.router.pressed
    assert data == "b:dprk:2" and ctx.chat_id == 501 and ctx.user_id == 501
    [edit] = harness.request.to("editMessageText")
    assert edit["message_id"] == 77 and edit["text"] == "<b>page b:dprk:2</b>"
    assert edit["reply_markup"] == {
        "inline_keyboard": [[{"text": "Next", "callback_data": "next"}]]
    }
    assert harness.request.to("answerCallbackQuery") == [{"callback_query_id": "q1"}]
    assert harness.sent() == []


async def test_expired_button_answers_with_a_toast(harness: Harness) -> None:
    await harness.press("expired")
    [answer] = harness.request.to("answerCallbackQuery")
    assert answer["text"] == "This button has expired."
    assert harness.request.to("editMessageText") == []


async def test_same_page_pressed_twice_is_fine(harness: Harness) -> None:
    harness.request.fail(
        "editMessageText",
        400,
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message",
    )
    await harness.press("b:dprk:2")
    assert harness.sent() == []
    assert len(harness.request.to("answerCallbackQuery")) == 1


async def test_uneditable_message_gets_a_new_one(harness: Harness) -> None:
    harness.request.fail("editMessageText", 400, "Bad Request: message to edit not found")
    await harness.press("b:dprk:2")
    [sent] = harness.sent()
    assert sent["text"] == "<b>page b:dprk:2</b>"


async def test_callback_crash_answers_once_and_apologises(harness: Harness) -> None:
    def boom(data: str, ctx: ChatContext) -> Reply:
        raise RuntimeError("bug")

    harness.router.callback = boom  # type: ignore[method-assign]
    await harness.press("b:dprk:2")
    assert len(harness.request.to("answerCallbackQuery")) == 1
    assert [s["text"] for s in harness.sent()] == ["<b>apology</b>"]


# ----------------------------------------------------------------------------- rate limit


async def test_chat_over_budget_is_told_once_then_ignored() -> None:
    clock = [0.0]
    limiter = ChatRateLimiter(per_minute=20, burst=3, clock=lambda: clock[0])
    async with make_harness(limiter=limiter) as h:
        for i in range(6):
            await h.message(f"/search {i}")
        texts = [s["text"] for s in h.sent()]
        assert texts[:3] == [f"<b>you said /search {i}</b>" for i in range(3)]
        assert texts[3:] == ["<b>slow_down</b>"]
        assert len(h.router.seen) == 3
        # Another chat is unaffected.
        await h.message("/help@BriefTestBot", GROUP)
        assert len(h.router.seen) == 4
        clock[0] += 3.0  # one token back (20/min)
        await h.message("/search again")
        assert h.sent()[-1]["text"] == "<b>you said /search again</b>"


def test_rate_limiter_refills_and_warns_once_per_streak() -> None:
    t = [0.0]
    limiter = ChatRateLimiter(per_minute=60, burst=2, clock=lambda: t[0])
    verdicts = [limiter.check(1).value for _ in range(4)]
    assert verdicts == ["allow", "allow", "warn", "drop"]
    assert limiter.retry_in(1) == pytest.approx(1.0)
    t[0] = 1.0
    assert limiter.check(1).value == "allow"
    assert limiter.check(1).value == "warn"  # a new streak is warned again
    assert limiter.check(2).value == "allow"


def test_rate_limiter_forgets_idle_chats() -> None:
    t = [0.0]
    limiter = ChatRateLimiter(per_minute=60, burst=1, clock=lambda: t[0])
    limiter.PRUNE_AT = 3
    for chat in range(3):
        limiter.check(chat)
    t[0] = 10.0
    limiter.check(99)
    assert set(limiter._buckets) == {99}


# ----------------------------------------------------------------------------- set-up


async def test_command_menu_for_private_chats_and_groups() -> None:
    commands = [("brief", "Top stories"), ("Bad-Name", "skipped"), ("help", "x" * 300)]
    async with make_harness(commands=commands) as h:
        assert h.app.post_init is not None
        await h.app.post_init(h.app)
    calls = h.request.to("setMyCommands")
    assert [c["scope"] for c in calls] == [
        {"type": "all_private_chats"},
        {"type": "all_group_chats"},
    ]
    menu = calls[0]["commands"]
    assert [c["command"] for c in menu] == ["brief", "help"]
    assert len(menu[1]["description"]) == 256


async def test_command_menu_failure_does_not_stop_the_bot(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with make_harness() as h:
        h.request.fail("setMyCommands", 400, "Bad Request: BOT_COMMAND_INVALID")
        assert h.app.post_init is not None
        await h.app.post_init(h.app)
    assert "could not set the command menu" in caplog.text


def test_no_token_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN"):
        tgapp.build_application(Settings(token=None), StubRouter(), render=stub_render, commands=[])


def test_file_url_follows_the_api_url() -> None:
    assert tgapp.file_url("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"
    assert tgapp.file_url("http://127.0.0.1:8081/bot/") == "http://127.0.0.1:8081/file/bot"


async def test_application_uses_the_configured_api_url() -> None:
    app = tgapp.build_application(
        make_settings(api_url="http://127.0.0.1:8081/bot"),
        StubRouter(),
        render=stub_render,
        commands=[],
        request=RecordingRequest(),
        get_updates_request=RecordingRequest(),
    )
    assert app.bot.base_url == f"http://127.0.0.1:8081/bot{DEFAULT_TOKEN}"
    assert app.bot.base_file_url == f"http://127.0.0.1:8081/file/bot{DEFAULT_TOKEN}"
    assert app.bot.rate_limiter is not None


# ----------------------------------------------------------------------------- plumbing


def _update(update_id: int, chat: JSON) -> Update:
    message = {"message_id": update_id, "date": 1773230400, "chat": chat, "text": "/x"}
    return Update.de_json({"update_id": update_id, "message": message}, None)


async def test_updates_run_concurrently_across_chats_in_order_within_one() -> None:
    processor = PerChatUpdateProcessor(max_concurrent_updates=8, max_pending_per_chat=2)
    gate = asyncio.Event()
    done: list[str] = []

    async def work(name: str, wait: bool = False) -> None:
        if wait:
            await gate.wait()
        done.append(name)

    tasks = [
        asyncio.create_task(processor.process_update(_update(1, PRIVATE), work("a1", wait=True))),
        asyncio.create_task(processor.process_update(_update(2, PRIVATE), work("a2"))),
        # A third update queued behind the same chat is over its cap: dropped, not awaited.
        asyncio.create_task(processor.process_update(_update(3, PRIVATE), work("a3"))),
        asyncio.create_task(processor.process_update(_update(4, GROUP), work("g1"))),
    ]
    while "g1" not in done:
        await asyncio.sleep(0)
    assert done == ["g1"]  # the other chat did not wait for the blocked one
    gate.set()
    await asyncio.gather(*tasks)
    assert done == ["g1", "a1", "a2"]
    assert processor._locks == {} and processor._pending == {}


def test_redaction_reaches_handlers_added_after_start_up() -> None:
    token = "6000000001:QQredactionTestSecretForHandlers42"
    protect_token(token)
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("briefbot.test.redaction")
    logger.propagate = False
    handler = Keep()
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        logger.debug("POST https://api.telegram.org/bot%s/getMe", token)
        try:
            raise RuntimeError(f"The token `{token}` was rejected by the server.")
        except RuntimeError:
            logger.exception("start-up failed")
    finally:
        logger.removeHandler(handler)
    formatter = logging.Formatter("%(message)s")
    output = "\n".join(formatter.format(r) for r in records)
    assert "QQredactionTestSecret" not in output
    assert output.count(REDACTED) >= 2
    assert logging.getLogger("httpx").level >= logging.WARNING


def test_plain_text_fallback_helpers() -> None:
    html_chunk = 'Trains <b>resume</b> &amp; <a href="https://x.org/a?b=1&amp;c=2">read</a><br>'
    assert html_to_plain(html_chunk) == "Trains resume & read (https://x.org/a?b=1&c=2)"
    assert html_to_plain('<a href="https://x.org/">https://x.org/</a>') == "https://x.org/"
    pieces = split_plain(("word " * 50 + "\n\n") * 40, limit=600)
    assert all(utf16_len(p) <= 600 for p in pieces) and len(pieces) > 1
    assert split_plain("😀" * 5, limit=4) == ["😀😀", "😀😀", "😀"]  # never half a surrogate pair
    assert split_plain("   ") == []

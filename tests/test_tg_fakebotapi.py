"""The fake Bot API must be at least as strict as Telegram, or the e2e tests prove nothing.

These tests pin its HTML parser (Telegram's HTML parse mode rules), its length counting (UTF-16
after entity parsing) and its protocol (tokens, body encodings, long polling, errors), talking to
it with plain httpx rather than through the bot.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from tests.fakebotapi import (
    DEFAULT_TOKEN,
    FakeBotAPI,
    HtmlError,
    command_entities,
    parse_html,
    strip_message,
    utf16_len,
)

# ----------------------------------------------------------------------------- HTML parse mode


@pytest.mark.parametrize(
    ("source", "text", "entities"),
    [
        ("plain", "plain", []),
        ("<b>bold</b> x", "bold x", [{"type": "bold", "offset": 0, "length": 4}]),
        ("<strong>s</strong>", "s", [{"type": "bold", "offset": 0, "length": 1}]),
        ("<i>i</i><em>e</em>", "ie", [{"type": "italic", "offset": 0, "length": 1},
                                      {"type": "italic", "offset": 1, "length": 1}]),
        ("<u>u</u><ins>n</ins>", "un", [{"type": "underline", "offset": 0, "length": 1},
                                        {"type": "underline", "offset": 1, "length": 1}]),
        ("<s>a</s><strike>b</strike><del>c</del>", "abc",
         [{"type": "strikethrough", "offset": i, "length": 1} for i in range(3)]),
        ('<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler>', "xy",
         [{"type": "spoiler", "offset": 0, "length": 1},
          {"type": "spoiler", "offset": 1, "length": 1}]),
        ('<a href="https://example.org/?a=1&amp;b=2">link</a>', "link",
         [{"type": "text_link", "offset": 0, "length": 4, "url": "https://example.org/?a=1&b=2"}]),
        ("<code>x &lt; y</code>", "x < y", [{"type": "code", "offset": 0, "length": 5}]),
        ('<pre><code class="language-python">1</code></pre>', "1",
         [{"type": "pre", "offset": 0, "length": 1, "language": "python"}]),
        ("<blockquote>q</blockquote>", "q", [{"type": "blockquote", "offset": 0, "length": 1}]),
        ("<blockquote expandable>q</blockquote>", "q",
         [{"type": "expandable_blockquote", "offset": 0, "length": 1}]),
        ("<b>a <i>b</i></b>", "a b", [{"type": "bold", "offset": 0, "length": 3},
                                      {"type": "italic", "offset": 2, "length": 1}]),
        ("&lt;&gt;&amp;&quot;&#65;&#x42;", '<>&"AB', []),
        ("a > b", "a > b", []),  # Telegram lets a bare '>' through
        ("<B>caps</B>", "caps", [{"type": "bold", "offset": 0, "length": 4}]),
        ("😀<b>x</b>", "😀x", [{"type": "bold", "offset": 2, "length": 1}]),  # UTF-16 offsets
        ("<b></b>x", "x", []),  # empty entities vanish
    ],
)  # fmt: skip
def test_valid_html(source: str, text: str, entities: list[dict[str, Any]]) -> None:
    assert parse_html(source) == (text, entities)


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("<br>", 'Unsupported start tag "br"'),
        ("a<br/>b", 'Unsupported start tag "br"'),
        ("<p>x</p>", 'Unsupported start tag "p"'),
        ("<div>x</div>", 'Unsupported start tag "div"'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x</b>", "Unexpected end tag"),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
        ('<span class="bold">x</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("a < b", 'Unsupported start tag ""'),
        ("<b x", "Unclosed start tag"),
        ("x</b", "Unclosed end tag"),
        ("AT&T", 'Unescaped "&"'),
        ("&nbsp;", 'Unsupported HTML entity "&nbsp;"'),
        ("&#0;", "Invalid numeric HTML entity"),
        ('<a href="x&y">z</a>', 'Unescaped "&"'),
        ('<tg-emoji emoji-id="">x</tg-emoji>', "Custom emoji identifier"),
    ],
)
def test_invalid_html(source: str, error: str) -> None:
    with pytest.raises(HtmlError, match=error.replace("(", r"\(")):
        parse_html(source)


def test_error_offsets_are_utf8_bytes() -> None:
    # é is 2 bytes and 😀 is 4 in UTF-8: '<' starts at byte 6 (character 2, UTF-16 unit 3).
    with pytest.raises(HtmlError, match=r"at byte offset 6$"):
        parse_html("é😀<p>")


def test_things_telegram_drops_are_reported_as_warnings() -> None:
    warnings: list[str] = []
    text, entities = parse_html('<a href="">x</a> <code><b>y</b></code>', warnings)
    assert text == "x y"
    assert entities == [{"type": "code", "offset": 2, "length": 1}]
    assert any("href" in w for w in warnings)
    assert any("inside code/pre" in w for w in warnings)


def test_utf16_counting() -> None:
    assert utf16_len("abc") == 3
    assert utf16_len("😀") == 2
    assert utf16_len("한국") == 2
    assert utf16_len("𠀀") == 2  # CJK extension B, outside the BMP


def test_strip_moves_entities() -> None:
    text, entities = strip_message("\n  <x>  ", [{"type": "bold", "offset": 3, "length": 3}])
    assert text == "<x>"
    assert entities == [{"type": "bold", "offset": 0, "length": 3}]


def test_command_entities() -> None:
    assert command_entities("/brief@BriefTestBot dprk") == [
        {"type": "bot_command", "offset": 0, "length": 19}
    ]
    assert command_entities("😀 /help") == [{"type": "bot_command", "offset": 3, "length": 5}]
    assert command_entities("a/b and /x-y") == [{"type": "bot_command", "offset": 8, "length": 2}]
    assert command_entities("no commands") == []


# ----------------------------------------------------------------------------- protocol


async def call(api: FakeBotAPI, method: str, token: str | None = None, **kw: Any) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.post(f"{api.root_url}/bot{token or api.token}/{method}", **kw)


async def test_wrong_token_is_401(fake_api: FakeBotAPI) -> None:
    r = await call(fake_api, "getMe", token="1:wrong")
    assert r.status_code == 401
    assert r.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_unknown_method_is_404(fake_api: FakeBotAPI) -> None:
    r = await call(fake_api, "sendTelepathy")
    assert r.status_code == 404 and r.json()["ok"] is False


async def test_get_me_is_a_bot_with_a_username(fake_api: FakeBotAPI) -> None:
    me = (await call(fake_api, "getMe")).json()["result"]
    assert me["is_bot"] is True and me["username"] == "BriefTestBot"
    assert me["id"] == int(DEFAULT_TOKEN.split(":")[0])


@pytest.mark.parametrize("encoding", ["json", "form", "multipart"])
async def test_send_message_accepts_every_body_encoding(
    fake_api: FakeBotAPI, encoding: str
) -> None:
    chat = fake_api.private_chat()
    markup = {"inline_keyboard": [[{"text": "More", "callback_data": "m:2"}]]}
    fields = {"chat_id": chat["id"], "text": "<b>hi</b>", "parse_mode": "HTML"}
    if encoding == "json":
        r = await call(fake_api, "sendMessage", json={**fields, "reply_markup": markup})
    else:
        form = {k: str(v) for k, v in fields.items()} | {"reply_markup": json.dumps(markup)}
        if encoding == "form":
            r = await call(fake_api, "sendMessage", data=form)
        else:
            r = await call(fake_api, "sendMessage", files={k: (None, v) for k, v in form.items()})
    message = r.json()["result"]
    assert message["text"] == "hi"
    assert message["entities"] == [{"type": "bold", "offset": 0, "length": 2}]
    assert message["chat"] == {"id": chat["id"], "type": "private", "first_name": "Ada"}
    assert message["from"]["is_bot"] is True
    assert isinstance(message["date"], int)
    assert message["reply_markup"] == markup
    [sent] = await fake_api.wait_sent(chat)
    assert sent.html == "<b>hi</b>" and sent.text == "hi"


@pytest.mark.parametrize(
    ("fields", "description"),
    [
        ({"text": "<b>x"}, "Bad Request: can't parse entities: Can't find end tag"),
        ({"text": ""}, "Bad Request: message text is empty"),
        ({"text": "<b> </b>"}, "Bad Request: message text is empty"),
        ({"text": "x" * 4097}, "Bad Request: message is too long"),
        ({"text": "😀" * 2049}, "Bad Request: message is too long"),
        ({"chat_id": 12345}, "Bad Request: chat not found"),
        (
            {"reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": "d" * 65}]]}},
            "Bad Request: BUTTON_DATA_INVALID",
        ),
        (
            {"reply_markup": {"inline_keyboard": [[{"text": "x"}]]}},
            "Bad Request: can't parse inline keyboard button",
        ),
        (
            {"reply_markup": {"inline_keyboard": [[{"text": "x", "url": "javascript:1"}]]}},
            "Bad Request: BUTTON_URL_INVALID",
        ),
        ({"reply_parameters": {"message_id": 999}}, "Bad Request: message to be replied not found"),
        ({"message_thread_id": 5}, "Bad Request: message thread not found"),
    ],
)
async def test_send_message_is_rejected_like_telegram(
    fake_api: FakeBotAPI, fields: dict[str, Any], description: str
) -> None:
    chat = fake_api.private_chat()
    body = {"chat_id": chat["id"], "text": "ok", "parse_mode": "HTML", **fields}
    r = await call(fake_api, "sendMessage", json=body)
    assert r.status_code == 400
    assert r.json()["ok"] is False and r.json()["error_code"] == 400
    assert r.json()["description"].startswith(description)
    assert fake_api.sent == []


async def test_exactly_4096_utf16_units_after_parsing_is_accepted(fake_api: FakeBotAPI) -> None:
    chat = fake_api.private_chat()
    # Markup does not count; emoji count twice.
    text = "<b>" + "😀" * 2000 + "</b>" + "&amp;" * 96
    r = await call(
        fake_api, "sendMessage", json={"chat_id": chat["id"], "text": text, "parse_mode": "HTML"}
    )
    assert r.status_code == 200
    assert utf16_len(r.json()["result"]["text"]) == 4096


async def test_get_updates_long_polls_and_honours_offset(fake_api: FakeBotAPI) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    r = await call(fake_api, "getUpdates", json={"timeout": 1})
    assert r.json() == {"ok": True, "result": []}
    assert loop.time() - started >= 0.9  # never an immediate empty answer

    chat = fake_api.private_chat()
    poll = asyncio.create_task(call(fake_api, "getUpdates", json={"timeout": 5}))
    await asyncio.sleep(0)  # the poll is waiting before the message arrives
    fake_api.send(chat, "/help")
    [update] = (await poll).json()["result"]
    assert update["message"]["text"] == "/help"
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 5}]
    # Unconfirmed updates come again; offset confirms them.
    again = (await call(fake_api, "getUpdates", json={"timeout": 0})).json()["result"]
    assert again == [update]
    after = await call(fake_api, "getUpdates", json={"offset": update["update_id"] + 1})
    assert after.json()["result"] == []


async def test_a_second_poller_ends_the_first_with_409(fake_api: FakeBotAPI) -> None:
    first = asyncio.create_task(call(fake_api, "getUpdates", json={"timeout": 5}))
    await fake_api._wait(lambda: fake_api._poll_generation > 0, 5, "the first poll")
    second = asyncio.create_task(call(fake_api, "getUpdates", json={"timeout": 0}))
    r = await first
    assert r.status_code == 409
    assert r.json()["description"].startswith("Conflict: terminated by other getUpdates")
    await second


async def test_allowed_updates_filter(fake_api: FakeBotAPI) -> None:
    chat = fake_api.private_chat()
    fake_api.send(chat, "hello")
    r = await call(
        fake_api, "getUpdates", json={"timeout": 0, "allowed_updates": ["callback_query"]}
    )
    assert r.json()["result"] == []


async def test_scripted_faults(fake_api: FakeBotAPI) -> None:
    chat = fake_api.private_chat()
    body = {"chat_id": chat["id"], "text": "x"}
    fake_api.fail("sendMessage", 429, retry_after=3)
    fake_api.fail("sendMessage", 403)
    fake_api.fail("sendMessage", 500)
    r429 = await call(fake_api, "sendMessage", json=body)
    assert r429.status_code == 429
    assert r429.json()["parameters"] == {"retry_after": 3}
    assert (
        (await call(fake_api, "sendMessage", json=body))
        .json()["description"]
        .startswith("Forbidden")
    )
    assert (await call(fake_api, "sendMessage", json=body)).status_code == 500
    assert (await call(fake_api, "sendMessage", json=body)).status_code == 200
    fake_api.delay("sendMessage", 0.2)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert (await call(fake_api, "sendMessage", json=body)).status_code == 200
    assert loop.time() - started >= 0.2


async def test_blocked_chat_is_403(fake_api: FakeBotAPI) -> None:
    chat = fake_api.private_chat()
    fake_api.block(chat)
    r = await call(fake_api, "sendMessage", json={"chat_id": chat["id"], "text": "x"})
    assert r.status_code == 403
    assert r.json()["description"] == "Forbidden: bot was blocked by the user"


async def test_edit_and_callback_rules(fake_api: FakeBotAPI) -> None:
    chat = fake_api.private_chat()
    sent = (await call(fake_api, "sendMessage", json={"chat_id": chat["id"], "text": "one"})).json()
    message_id = sent["result"]["message_id"]
    edit = {"chat_id": chat["id"], "message_id": message_id, "text": "two"}
    assert (await call(fake_api, "editMessageText", json=edit)).json()["result"]["text"] == "two"
    same = await call(fake_api, "editMessageText", json=edit)
    assert same.json()["description"].startswith("Bad Request: message is not modified")
    missing = await call(fake_api, "editMessageText", json={**edit, "message_id": 999})
    assert missing.json()["description"] == "Bad Request: message to edit not found"
    user_message = fake_api.send(chat, "mine")
    theirs = {**edit, "message_id": user_message["message_id"], "text": "x"}
    assert (await call(fake_api, "editMessageText", json=theirs)).json()["description"] == (
        "Bad Request: message can't be edited"
    )

    query = fake_api.press(sent["result"], "page:2")
    ok = await call(fake_api, "answerCallbackQuery", json={"callback_query_id": query})
    assert ok.json() == {"ok": True, "result": True}
    twice = await call(fake_api, "answerCallbackQuery", json={"callback_query_id": query})
    assert "query is too old" in twice.json()["description"]


async def test_set_my_commands_validates(fake_api: FakeBotAPI) -> None:
    good = {"commands": [{"command": "brief", "description": "Top stories"}],
            "scope": {"type": "all_private_chats"}}  # fmt: skip
    assert (await call(fake_api, "setMyCommands", json=good)).status_code == 200
    assert fake_api.commands == {"all_private_chats": good["commands"]}
    bad = {"commands": [{"command": "Brief!", "description": "x"}]}
    r = await call(fake_api, "setMyCommands", json=bad)
    assert r.json()["description"] == "Bad Request: BOT_COMMAND_INVALID"

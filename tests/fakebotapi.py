"""A strict fake of the Telegram Bot API on 127.0.0.1, for end-to-end tests of the real bot.

The bot under test runs its real python-telegram-bot Application, long-polling this server through
TELEGRAM_API_URL. The fake is as strict as Telegram where a bug would hide (HTML parse mode, the
4096 UTF-16 unit limit, empty texts, button data, unknown chats, wrong tokens, answered callback
queries, unchanged edits) and, on purpose, stricter in one place: a named HTML entity other than
&lt; &gt; &amp; &quot; or a bare `&` is rejected (Telegram lets them through as text), because
in our templates either means something was not escaped.

Tests drive it from the user's side:

    async with FakeBotAPI() as api:
        settings = Settings(token=api.token, api_url=api.api_url, ...)
        chat = api.private_chat()
        api.send(chat, "/help")
        [reply] = await api.wait_sent(chat)
        api.fail("sendMessage", 429, retry_after=1)     # script faults
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

DEFAULT_TOKEN = "4839574812:AAFD39kkdpWt3ywyRZergyOLMaJhac60qc"
JSON = dict[str, Any]

# ----------------------------------------------------------------------------- text rules


def utf16_len(text: str) -> int:
    """Message length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


class HtmlError(ValueError):
    """The text is not valid Telegram HTML; the message follows Telegram's wording."""


_ENTITY_TYPE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z][a-zA-Z0-9]*));")
_TAG_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_END_TAG = re.compile(r"</([a-zA-Z][a-zA-Z0-9-]*)\s*>")
_ATTR_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:.-]*")
_URL = re.compile(r"^(?:https?://[^\s/$.?#][^\s]*|tg://[^\s]+|mailto:[^\s]+)$", re.I)


@dataclass
class _Open:
    name: str
    attrs: dict[str, str]
    start: int  # UTF-16 offset in the plain text
    byte_offset: int
    language: str | None = None  # for <pre>, from an inner <code class="language-x">
    dropped: bool = False  # Telegram keeps the text but not this entity


def _byte_offset(src: str, index: int) -> int:
    return len(src[:index].encode("utf-8"))


def _decode_entities(src: str, start: int, end: int, where: int) -> str:
    """Decode &...; in src[start:end] (attribute values follow the same rules as text)."""
    out: list[str] = []
    i = start
    while i < end:
        amp = src.find("&", i, end)
        if amp < 0:
            out.append(src[i:end])
            break
        out.append(src[i:amp])
        char, i = _entity_at(src, amp, where)
        out.append(char)
    return "".join(out)


def _entity_at(src: str, i: int, where: int | None = None) -> tuple[str, int]:
    m = _ENTITY.match(src, i)
    at = _byte_offset(src, i if where is None else where)
    if m is None:
        raise HtmlError(f'Unescaped "&" at byte offset {at} (write &amp;)')
    decimal, hexa, name = m.groups()
    if name is not None:
        if name not in _NAMED_ENTITIES:
            raise HtmlError(f'Unsupported HTML entity "&{name};" at byte offset {at}')
        return _NAMED_ENTITIES[name], m.end()
    code = int(decimal) if decimal is not None else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise HtmlError(f"Invalid numeric HTML entity at byte offset {at}")
    return chr(code), m.end()


def parse_html(src: str, warnings: list[str] | None = None) -> tuple[str, list[JSON]]:
    """Telegram HTML -> (plain text, entities with UTF-16 offsets); raises HtmlError.

    Things Telegram accepts but silently drops (a link without a usable href, entities nested in
    code/pre, a blockquote in a blockquote) are appended to `warnings` instead.
    """
    warns = warnings if warnings is not None else []
    out: list[str] = []
    units = 0
    stack: list[_Open] = []
    entities: list[JSON] = []
    i, n = 0, len(src)

    def emit(text: str) -> None:
        nonlocal units
        out.append(text)
        units += utf16_len(text)

    while i < n:
        ch = src[i]
        if ch == "&":
            char, i = _entity_at(src, i)
            emit(char)
            continue
        if ch != "<":
            nxt = min((j for j in (src.find("<", i), src.find("&", i)) if j >= 0), default=n)
            emit(src[i:nxt])
            i = nxt
            continue
        at = _byte_offset(src, i)
        if src.startswith("</", i):
            m = _END_TAG.match(src, i)
            if m is None:
                raise HtmlError(f"Unclosed end tag at byte offset {at}")
            name = m.group(1).lower()
            if not stack:
                raise HtmlError(f'Unexpected end tag "</{name}>" at byte offset {at}')
            if stack[-1].name != name:
                raise HtmlError(
                    f'Unmatched end tag at byte offset {at}, expected "</{stack[-1].name}>", '
                    f'found "</{name}>"'
                )
            tag = stack.pop()
            entity = _close(tag, units, stack, warns)
            if entity is not None:
                entities.append(entity)
            i = m.end()
            continue
        m = _TAG_NAME.match(src, i + 1)
        if m is None:
            raise HtmlError(f'Unsupported start tag "" at byte offset {at} (write &lt;)')
        name = m.group(0).lower()
        if name not in _ENTITY_TYPE:
            raise HtmlError(f'Unsupported start tag "{name}" at byte offset {at}')
        attrs, i = _attributes(src, m.end(), at)
        keep = _check_open(name, attrs, stack, at, warns)
        stack.append(_Open(name, attrs, units, at, dropped=not keep))
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _attributes(src: str, i: int, at: int) -> tuple[dict[str, str], int]:
    attrs: dict[str, str] = {}
    n = len(src)
    while True:
        while i < n and src[i].isspace():
            i += 1
        if i >= n:
            raise HtmlError(f"Unclosed start tag at byte offset {at}")
        if src[i] == ">":
            return attrs, i + 1
        m = _ATTR_NAME.match(src, i)
        if m is None:
            raise HtmlError(f"Empty attribute name in the tag at byte offset {at}")
        key = m.group(0).lower()
        i = m.end()
        value = ""
        if i < n and src[i] == "=":
            i += 1
            if i < n and src[i] in "\"'":
                quote = src[i]
                end = src.find(quote, i + 1)
                if end < 0:
                    raise HtmlError(f"Unclosed start tag at byte offset {at}")
                value = _decode_entities(src, i + 1, end, i)
                i = end + 1
            else:
                start = i
                while i < n and not src[i].isspace() and src[i] != ">":
                    i += 1
                if start == i:
                    raise HtmlError(f"Expected equal sign in declaration of an attribute at {at}")
                value = _decode_entities(src, start, i, start)
        attrs[key] = value


def _check_open(
    name: str, attrs: dict[str, str], stack: list[_Open], at: int, warns: list[str]
) -> None:
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise HtmlError(f'Tag "span" must have class "tg-spoiler" at byte offset {at}')
    if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
        raise HtmlError(f"Custom emoji identifier must be non-empty at byte offset {at}")
    inside = {t.name for t in stack}
    if name == "code" and stack and stack[-1].name == "pre":
        language = attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1].language = language[len("language-") :]
        return True
    if inside & {"code", "pre"}:
        warns.append(f"<{name}> at byte offset {at} is inside code/pre: Telegram drops it")
        return False
    if name == "blockquote" and "blockquote" in inside:
        warns.append(f"nested <blockquote> at byte offset {at}: Telegram drops it")
        return False
    return True


def _close(tag: _Open, units: int, stack: list[_Open], warns: list[str]) -> JSON | None:
    length = units - tag.start
    kind = _ENTITY_TYPE[tag.name]
    if tag.name == "code" and stack and stack[-1].name == "pre":
        return None  # the language of the enclosing <pre>, not an entity of its own
    if length <= 0 or tag.dropped:
        return None
    entity: JSON = {"type": kind, "offset": tag.start, "length": length}
    if kind == "text_link":
        href = tag.attrs.get("href", "").strip()
        if not _URL.match(href):
            warns.append(f"<a> at byte offset {tag.byte_offset} has no usable href {href!r}")
            return None
        entity["url"] = href
    elif kind == "pre" and tag.language:
        entity["language"] = tag.language
    elif kind == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = tag.attrs["emoji-id"]
    return entity


def strip_message(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Telegram trims leading and trailing whitespace and moves the entities with the text."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    out = []
    for e in entities:
        start = max(0, e["offset"] - lead)
        end = min(size, e["offset"] - lead + e["length"])
        if end > start:
            out.append({**e, "offset": start, "length": end - start})
    return stripped, out


_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])")


def command_entities(text: str) -> list[JSON]:
    """bot_command entities as Telegram computes them for a user's message (UTF-16 offsets)."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_len(text[: m.start()]),
            "length": utf16_len(m.group(0)),
        }
        for m in _COMMAND.finditer(text)
    ]


# ----------------------------------------------------------------------------- the server


class ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class ApiCall:
    """One request the bot made, as the fake understood it."""

    method: str
    params: JSON
    status: int = 200
    description: str | None = None
    # The client had hung up before the answer (a long poll PTB cancelled while stopping).
    abandoned: bool = False


@dataclass
class Sent:
    """A message the bot sent or edited."""

    method: str  # sendMessage | editMessageText | editMessageReplyMarkup
    chat_id: int
    message: JSON  # what the API returned (plain text + entities)
    params: JSON  # what the bot sent (raw HTML text, parse_mode, reply_markup, ...)

    @property
    def text(self) -> str:
        return str(self.message.get("text", ""))

    @property
    def html(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def buttons(self) -> list[list[JSON]]:
        return list(self.message.get("reply_markup", {}).get("inline_keyboard", []))

    @property
    def message_id(self) -> int:
        return int(self.message["message_id"])


@dataclass
class _Fault:
    method: str
    times: int
    status: int | None = None
    description: str = ""
    retry_after: int | None = None
    delay: float = 0.0
    chat_id: int | None = None


class _Bucket:
    """A leaky bucket: holds `capacity` messages, drains `rate` a second."""

    def __init__(self, capacity: float, rate: float) -> None:
        self.capacity, self.rate = capacity, rate
        self.level, self.at = 0.0, time.monotonic()

    def wait(self, now: float) -> float:
        """Seconds until one more message fits (0: it fits now)."""
        self.level = max(0.0, self.level - (now - self.at) * self.rate)
        self.at = now
        return (
            0.0 if self.level + 1 <= self.capacity else (self.level + 1 - self.capacity) / self.rate
        )

    def add(self) -> None:
        self.level += 1


@dataclass
class FloodLimits:
    """Telegram's flood limits, emulated: a message over any of them is refused with 429 and
    the retry_after that would make it fit. `slack` messages of tolerance per bucket absorb
    the clock skew between the bot's limiter and this server (a real bot sees the same)."""

    per_second: float = 30.0
    per_chat_second: float = 1.0
    chat_burst: float = 3.0
    per_group_minute: float = 20.0
    slack: float = 1.0
    refused: int = 0
    _overall: _Bucket | None = None
    _chats: dict[int, _Bucket] = field(default_factory=dict)
    _groups: dict[int, _Bucket] = field(default_factory=dict)

    def check(self, chat_id: int) -> int | None:
        """None: allowed (and counted); else the retry_after to answer."""
        now = time.monotonic()
        if self._overall is None:
            self._overall = _Bucket(self.per_second + self.slack, self.per_second)
        buckets = [self._overall]
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Bucket(
                self.chat_burst + self.slack, self.per_chat_second
            )
        buckets.append(chat)
        if chat_id < 0:
            group = self._groups.get(chat_id)
            if group is None:
                group = self._groups[chat_id] = _Bucket(
                    self.per_group_minute + self.slack, self.per_group_minute / 60
                )
            buckets.append(group)
        wait = max(b.wait(now) for b in buckets)
        if wait > 0:
            self.refused += 1
            return max(1, int(wait + 0.999))
        for b in buckets:
            b.add()
        return None


_FLOOD_METHODS = {"sendmessage", "editmessagetext", "editmessagereplymarkup"}


@dataclass
class _CallbackQuery:
    id: str
    update: JSON
    answered: bool = False
    answer: JSON = field(default_factory=dict)


_INT_PARAMS = {
    "chat_id",
    "message_id",
    "offset",
    "limit",
    "timeout",
    "message_thread_id",
    "cache_time",
    "user_id",
    "reply_to_message_id",
}
_BOOL_PARAMS = {
    "drop_pending_updates",
    "disable_notification",
    "protect_content",
    "show_alert",
    "disable_web_page_preview",
    "allow_sending_without_reply",
}
_JSON_PARAMS = {
    "reply_markup",
    "link_preview_options",
    "reply_parameters",
    "allowed_updates",
    "commands",
    "scope",
    "entities",
}
_CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


class FakeBotAPI:
    """The Bot API for one bot, on 127.0.0.1 at a random port."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        username: str = "BriefTestBot",
        first_name: str = "Briefbot",
    ) -> None:
        self.token = token
        self.bot_user: JSON = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": first_name,
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.port = 0
        self.calls: list[ApiCall] = []
        self.sent: list[Sent] = []
        self.html_warnings: list[str] = []
        self.chat_actions: list[JSON] = []
        self.commands: dict[str, list[JSON]] = {}
        self.callback_queries: dict[str, _CallbackQuery] = {}
        self.blocked: dict[int, str] = {}
        self.chats: dict[int, JSON] = {}
        self.messages: dict[tuple[int, int], JSON] = {}
        self.updates: list[JSON] = []
        self.allowed_updates: list[str] | None = None
        self._faults: list[_Fault] = []
        # chat id -> user id -> ChatMember status ("creator", "administrator", "member", ...)
        self.members: dict[int, dict[int, str]] = {}
        self.users: dict[int, JSON] = {}
        # Old group id -> the supergroup it became (sending to the old id answers 400 with
        # migrate_to_chat_id, as Telegram does).
        self.migrated: dict[int, int] = {}
        self.limits: FloodLimits | None = None
        self._threads: dict[int, set[int]] = {}
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._update_ids = itertools.count(500_000)
        self._user_ids = itertools.count(100_001)
        self._group_ids = itertools.count(1)
        self._query_ids = itertools.count(9_000_000_001)
        self._read: dict[int | None, int] = {}
        self._signal = asyncio.Event()
        self._poll_generation = 0
        self._runner: web.AppRunner | None = None

    # ------------------------------------------------------------------- lifecycle

    @property
    def root_url(self) -> str:
        """What TELEGRAM_API_URL would hold (Settings.from_env adds `/bot`)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """The base URL PTB wants (`.../bot`, the token follows)."""
        return f"{self.root_url}/bot"

    @property
    def username(self) -> str:
        return str(self.bot_user["username"])

    async def start(self) -> FakeBotAPI:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        # No access log: it would print request paths, tokens included, into the captured logs.
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def close(self) -> None:
        # End any long poll still waiting, so shutting the server down does not wait for it.
        self._poll_generation += 1
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotAPI:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _notify(self) -> None:
        # Waiters hold the old event; setting it wakes them all, the new one serves the next wait.
        self._signal.set()
        self._signal = asyncio.Event()

    async def _wait(self, ready: Callable[[], bool], timeout: float, what: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not ready():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"fake Bot API: timed out after {timeout}s waiting for {what}")
            signal = self._signal
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(signal.wait(), remaining)

    # ------------------------------------------------------------------- the user's side

    def user(self, first_name: str = "Ada", username: str | None = None, **extra: Any) -> JSON:
        """A new human user."""
        user: JSON = {"id": next(self._user_ids), "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        user["language_code"] = "en"
        user.update(extra)
        self.users[user["id"]] = user
        return user

    def private_chat(self, user: JSON | None = None) -> JSON:
        """The private chat between `user` (a new one if None) and the bot."""
        user = user or self.user()
        chat: JSON = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        if "username" in user:
            chat["username"] = user["username"]
        chat["_user"] = user
        return self._register(chat)

    def group(
        self, title: str = "Analysts", *, supergroup: bool = True, forum: bool = False
    ) -> JSON:
        """A group the bot is a member of."""
        n = next(self._group_ids)
        chat: JSON = {
            "id": -1_001_000_000_000 - n if supergroup else -400_000_000 - n,
            "type": "supergroup" if supergroup else "group",
            "title": title,
        }
        if forum:
            chat["is_forum"] = True
        chat["_user"] = self.user("Grace", "grace")
        # The user who writes in it by default created it: an administrator.
        self.members[chat["id"]] = {chat["_user"]["id"]: "creator"}
        return self._register(chat)

    def join(self, chat: JSON, user: JSON, status: str = "member") -> JSON:
        """`user` is in the group with `status` (member, administrator, creator)."""
        if status not in ("member", "administrator", "creator", "restricted"):
            raise ValueError(status)
        self.members.setdefault(chat["id"], {})[user["id"]] = status
        return user

    def migrate(self, chat: JSON) -> JSON:
        """A basic group becomes a supergroup: a new id; the old one answers 400 with
        migrate_to_chat_id from now on. Returns the new chat."""
        if chat["type"] != "group":
            raise ValueError("only a basic group migrates")
        new: JSON = {
            "id": -1_002_000_000_000 - next(self._group_ids),
            "type": "supergroup",
            "title": chat["title"],
            "_user": chat["_user"],
        }
        self.members[new["id"]] = dict(self.members.get(chat["id"], {}))
        self.migrated[chat["id"]] = new["id"]
        return self._register(new)

    def bot_membership(self, chat: JSON, old: str, new: str, *, by: JSON | None = None) -> None:
        """A my_chat_member update: the bot's status in `chat` went from `old` to `new`
        ("member", "administrator", "left", "kicked"); kicked or left also blocks sends."""
        user = by or chat["_user"]
        self._push(
            {
                "my_chat_member": {
                    "chat": _public(chat),
                    "from": user,
                    "date": int(time.time()),
                    "old_chat_member": _member(self.bot_user, old),
                    "new_chat_member": _member(self.bot_user, new),
                }
            }
        )
        if new in ("left", "kicked"):
            self.block(chat)
        else:
            self.blocked.pop(chat["id"], None)

    def _register(self, chat: JSON) -> JSON:
        self.chats[chat["id"]] = chat
        self._message_ids.setdefault(chat["id"], itertools.count(1))
        return chat

    def block(self, chat: JSON) -> None:
        """From now on the chat refuses the bot (user blocked it / bot kicked from the group)."""
        reason = (
            "bot was blocked by the user"
            if chat["type"] == "private"
            else f"bot was kicked from the {chat['type']} chat"
        )
        self.blocked[chat["id"]] = reason

    def send(
        self,
        chat: JSON,
        text: str,
        *,
        user: JSON | None = None,
        thread_id: int | None = None,
        entities: list[JSON] | None = None,
    ) -> JSON:
        """A user writes `text` in `chat`; the bot receives it with its next getUpdates."""
        message: JSON = {
            "message_id": next(self._message_ids[chat["id"]]),
            "from": user or chat["_user"],
            "chat": _public(chat),
            "date": int(time.time()),
            "text": text,
        }
        found = command_entities(text) if entities is None else entities
        if found:
            message["entities"] = found
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            if chat.get("is_forum"):
                message["is_topic_message"] = True
                self._threads.setdefault(chat["id"], set()).add(thread_id)
        self.messages[(chat["id"], message["message_id"])] = message
        self._push({"message": message})
        return message

    def press(self, sent: Sent | JSON, data: str, *, user: JSON | None = None) -> str:
        """A user presses a button carrying `data` under a bot message; returns the query id."""
        message = sent.message if isinstance(sent, Sent) else sent
        chat = self.chats[message["chat"]["id"]]
        current = self.messages.get((chat["id"], message["message_id"]), message)
        query_id = str(next(self._query_ids))
        query: JSON = {
            "id": query_id,
            "from": user or chat["_user"],
            "message": current,
            "chat_instance": str(abs(chat["id"]) * 7),
            "data": data,
        }
        self.callback_queries[query_id] = _CallbackQuery(query_id, query)
        self._push({"callback_query": query})
        return query_id

    def _push(self, update: JSON) -> None:
        self.updates.append({"update_id": next(self._update_ids), **update})
        self._notify()

    # ------------------------------------------------------------------- faults

    def fail(
        self,
        method: str,
        status: int = 500,
        description: str | None = None,
        *,
        times: int = 1,
        retry_after: int | None = None,
        chat_id: int | None = None,
        delay: float = 0.0,
    ) -> None:
        """The next `times` calls of `method` (to `chat_id`, if given) fail with `status`,
        after `delay` seconds (a request that hangs, then fails)."""
        if description is None:
            description = {
                400: "Bad Request",
                403: "Forbidden: bot was blocked by the user",
                429: f"Too Many Requests: retry after {retry_after}",
                500: "Internal Server Error",
                502: "Bad Gateway",
            }.get(status, "Error")
        if status == 429 and retry_after is None:
            raise ValueError("a 429 needs retry_after")
        self._faults.append(
            _Fault(method.lower(), times, status, description, retry_after, delay, chat_id)
        )

    def delay(
        self, method: str, seconds: float, *, times: int = 1, chat_id: int | None = None
    ) -> None:
        """The next `times` calls of `method` take `seconds` longer, then succeed."""
        self._faults.append(_Fault(method.lower(), times, delay=seconds, chat_id=chat_id))

    def _take_fault(self, method: str, params: JSON) -> _Fault | None:
        for fault in self._faults:
            if fault.method == method.lower() and fault.chat_id in (None, params.get("chat_id")):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    # ------------------------------------------------------------------- what the bot did

    def sent_to(self, chat: JSON | int) -> list[Sent]:
        chat_id = chat if isinstance(chat, int) else chat["id"]
        return [s for s in self.sent if s.chat_id == chat_id]

    def refused(self) -> list[ApiCall]:
        """Calls answered with an error, except long polls nobody was waiting for any more."""
        return [c for c in self.calls if c.status != 200 and not c.abandoned]

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    async def wait_sent(
        self, chat: JSON | int | None = None, count: int = 1, *, timeout: float = 10.0
    ) -> list[Sent]:
        """The next `count` messages the bot sends or edits (in `chat`), not returned before."""
        chat_id = chat if isinstance(chat, int) or chat is None else chat["id"]

        def unread() -> list[Sent]:
            seen = self._read.get(chat_id, 0)
            mine = [s for s in self.sent if chat_id is None or s.chat_id == chat_id]
            return mine[seen:]

        await self._wait(
            lambda: len(unread()) >= count, timeout, f"{count} message(s) to {chat_id}"
        )
        got = unread()[:count]
        self._read[chat_id] = self._read.get(chat_id, 0) + count
        return got

    def unread(self, chat: JSON | int) -> list[Sent]:
        """Messages sent to `chat` that wait_sent has not returned yet."""
        chat_id = chat if isinstance(chat, int) else chat["id"]
        return self.sent_to(chat_id)[self._read.get(chat_id, 0) :]

    async def wait_call(
        self, method: str, count: int = 1, *, timeout: float = 10.0, status: int | None = None
    ) -> list[ApiCall]:
        """Wait until `method` has been called `count` times (with `status`, if given)."""

        def matching() -> list[ApiCall]:
            return [c for c in self.calls_to(method) if status is None or c.status == status]

        await self._wait(lambda: len(matching()) >= count, timeout, f"{count} {method} call(s)")
        return matching()

    async def wait_answered(self, query_id: str, *, timeout: float = 10.0) -> JSON:
        """The answerCallbackQuery the bot gave to `query_id`."""
        query = self.callback_queries[query_id]
        await self._wait(lambda: query.answered, timeout, f"an answer to query {query_id}")
        return query.answer

    # ------------------------------------------------------------------- HTTP

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return _error(ApiError(401, "Unauthorized"))
        try:
            params = await _read_params(request)
        except ApiError as exc:
            self.calls.append(ApiCall(method, {}, exc.status, exc.description))
            self._notify()
            return _error(exc)
        fault = self._take_fault(method, params)
        try:
            if (
                self.limits is not None
                and method.lower() in _FLOOD_METHODS
                and isinstance(params.get("chat_id"), int)
            ):
                retry = self.limits.check(params["chat_id"])
                if retry is not None:
                    raise ApiError(
                        429, f"Too Many Requests: retry after {retry}", {"retry_after": retry}
                    )
            if fault is not None:
                if fault.delay:
                    await asyncio.sleep(fault.delay)
                if fault.status is not None:
                    parameters = {"retry_after": fault.retry_after} if fault.retry_after else None
                    raise ApiError(fault.status, fault.description, parameters)
            handler = _METHODS.get(method.lower())
            if handler is None:
                raise ApiError(404, "Not Found")
            result = handler(self, params)
            if asyncio.iscoroutine(result):
                result = await result
        except ApiError as exc:
            gone = request.transport is None or request.transport.is_closing()
            self.calls.append(ApiCall(method, params, exc.status, exc.description, gone))
            self._notify()
            return _error(exc)
        self.calls.append(ApiCall(method, params))
        self._notify()
        return web.json_response({"ok": True, "result": result})

    # ------------------------------------------------------------------- methods

    def _get_me(self, params: JSON) -> JSON:
        return dict(self.bot_user)

    def _delete_webhook(self, params: JSON) -> bool:
        if params.get("drop_pending_updates"):
            self.updates.clear()
        return True

    def _get_webhook_info(self, params: JSON) -> JSON:
        return {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }

    async def _get_updates(self, params: JSON) -> list[JSON]:
        offset = params.get("offset")
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(int(params.get("timeout") or 0), 0)
        if params.get("allowed_updates") is not None:
            self.allowed_updates = list(params["allowed_updates"]) or None
        if offset is not None:
            if offset < 0:
                self.updates = self.updates[offset:]
            else:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
        # A newer getUpdates ends this one with 409, as Telegram does for two pollers.
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()

        def deliverable() -> list[JSON]:
            allowed = self.allowed_updates
            return [u for u in self.updates if allowed is None or _update_type(u) in allowed]

        with_timeout = float(timeout)
        try:
            await self._wait(
                lambda: bool(deliverable()) or generation != self._poll_generation,
                with_timeout,
                "updates",
            )
        except TimeoutError:
            return []
        if generation != self._poll_generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot "
                "instance is running",
            )
        return deliverable()[:limit]

    def _set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("commands must be a list of at most 100 BotCommand")
        for c in commands:
            if not isinstance(c, dict) or not _COMMAND_NAME.match(str(c.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(c.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[_scope_key(params.get("scope"))] = commands
        return True

    def _get_my_commands(self, params: JSON) -> list[JSON]:
        return self.commands.get(_scope_key(params.get("scope")), [])

    def _delete_my_commands(self, params: JSON) -> bool:
        self.commands.pop(_scope_key(params.get("scope")), None)
        return True

    def _chat(self, params: JSON) -> JSON:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request("chat not found")
        if chat["id"] in self.migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self.migrated[chat["id"]]},
            )
        if chat["id"] in self.blocked:
            raise ApiError(403, f"Forbidden: {self.blocked[chat['id']]}")
        return chat

    def _thread(self, chat: JSON, params: JSON) -> int | None:
        thread = params.get("message_thread_id")
        if thread is None:
            return None
        if chat["type"] == "private" or (
            chat.get("is_forum") and thread not in self._threads.get(chat["id"], set())
        ):
            raise bad_request("message thread not found")
        return int(thread)

    def _text(self, params: JSON) -> tuple[str, list[JSON]]:
        text = params.get("text")
        if not isinstance(text, str) or not text:
            raise bad_request("message text is empty")
        parse_mode = params.get("parse_mode")
        if parse_mode:
            if str(parse_mode).lower() != "html":
                raise bad_request(f"unsupported parse_mode {parse_mode!r} (the fake knows HTML)")
            try:
                plain, entities = parse_html(text, self.html_warnings)
            except HtmlError as exc:
                raise bad_request(f"can't parse entities: {exc}") from None
        else:
            plain, entities = text, list(params.get("entities") or [])
        plain, entities = strip_message(plain, entities)
        if not plain:
            raise bad_request("message text is empty")
        if utf16_len(plain) > 4096:
            raise bad_request("message is too long")
        return plain, entities

    def _send_message(self, params: JSON) -> JSON:
        chat = self._chat(params)
        plain, entities = self._text(params)
        markup = _check_markup(params.get("reply_markup"))
        thread = self._thread(chat, params)
        reply_to = self._reply_target(chat, params)
        message: JSON = {
            "message_id": next(self._message_ids[chat["id"]]),
            "from": dict(self.bot_user),
            "chat": _public(chat),
            "date": int(time.time()),
            "text": plain,
        }
        if entities:
            message["entities"] = entities
        if markup:
            message["reply_markup"] = markup
        if params.get("link_preview_options"):
            message["link_preview_options"] = params["link_preview_options"]
        if thread is not None and chat.get("is_forum"):
            message["message_thread_id"] = thread
            message["is_topic_message"] = True
        if reply_to is not None:
            message["reply_to_message"] = {
                k: v for k, v in reply_to.items() if k != "reply_to_message"
            }
        self.messages[(chat["id"], message["message_id"])] = message
        self.sent.append(Sent("sendMessage", chat["id"], copy.deepcopy(message), params))
        return message

    def _reply_target(self, chat: JSON, params: JSON) -> JSON | None:
        reply = params.get("reply_parameters") or {}
        if not isinstance(reply, dict):
            raise bad_request("can't parse reply parameters JSON object")
        message_id = reply.get("message_id", params.get("reply_to_message_id"))
        if message_id is None:
            return None
        allow = reply.get("allow_sending_without_reply", params.get("allow_sending_without_reply"))
        found = self.messages.get((chat["id"], int(message_id)))
        if found is None and not allow:
            raise bad_request("message to be replied not found")
        return found

    def _stored_bot_message(self, params: JSON) -> tuple[JSON, JSON]:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self._chat(params)
        message = self.messages.get((chat["id"], params.get("message_id") or 0))
        if message is None:
            raise bad_request("message to edit not found")
        if message["from"]["id"] != self.bot_user["id"]:
            raise bad_request("message can't be edited")
        return chat, message

    def _edit_message_text(self, params: JSON) -> JSON:
        chat, message = self._stored_bot_message(params)
        plain, entities = self._text(params)
        markup = _check_markup(params.get("reply_markup"))
        if (
            plain == message["text"]
            and entities == message.get("entities", [])
            and markup == message.get("reply_markup")
        ):
            raise bad_request(_NOT_MODIFIED)
        message["text"] = plain
        message["edit_date"] = int(time.time())
        for key, value in (("entities", entities), ("reply_markup", markup)):
            if value:
                message[key] = value
            else:
                message.pop(key, None)
        self.sent.append(Sent("editMessageText", chat["id"], copy.deepcopy(message), params))
        return message

    def _edit_message_reply_markup(self, params: JSON) -> JSON:
        chat, message = self._stored_bot_message(params)
        markup = _check_markup(params.get("reply_markup"))
        if markup == message.get("reply_markup"):
            raise bad_request(_NOT_MODIFIED)
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        message["edit_date"] = int(time.time())
        self.sent.append(Sent("editMessageReplyMarkup", chat["id"], copy.deepcopy(message), params))
        return message

    def _answer_callback_query(self, params: JSON) -> bool:
        query = self.callback_queries.get(str(params.get("callback_query_id", "")))
        if query is None or query.answered:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        if len(str(params.get("text") or "")) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        query.answer = {k: v for k, v in params.items() if k != "callback_query_id"}
        return True

    def _get_chat_administrators(self, params: JSON) -> list[JSON]:
        chat = self._chat(params)
        if chat["type"] == "private":
            raise bad_request("there are no administrators in the private chat")
        return [
            _member(self.users[uid], status)
            for uid, status in self.members.get(chat["id"], {}).items()
            if status in ("creator", "administrator")
        ]

    def _get_chat_member(self, params: JSON) -> JSON:
        chat = self._chat(params)
        user_id = params.get("user_id")
        if not isinstance(user_id, int):
            raise bad_request("wrong parameter user_id in request")
        if user_id == self.bot_user["id"]:
            return _member(self.bot_user, "member")
        if chat["type"] == "private":
            if user_id != chat["id"]:
                raise bad_request("user not found")
            return _member(chat["_user"], "member")
        user = self.users.get(user_id)
        if user is None:
            raise bad_request("PARTICIPANT_ID_INVALID")
        return _member(user, self.members.get(chat["id"], {}).get(user_id, "left"))

    def _send_chat_action(self, params: JSON) -> bool:
        chat = self._chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._thread(chat, params)
        self.chat_actions.append({"chat_id": chat["id"], **params})
        return True


_METHODS: dict[str, Callable[[FakeBotAPI, JSON], Any]] = {
    "getme": FakeBotAPI._get_me,
    "deletewebhook": FakeBotAPI._delete_webhook,
    "getwebhookinfo": FakeBotAPI._get_webhook_info,
    "getupdates": FakeBotAPI._get_updates,
    "setmycommands": FakeBotAPI._set_my_commands,
    "getmycommands": FakeBotAPI._get_my_commands,
    "deletemycommands": FakeBotAPI._delete_my_commands,
    "sendmessage": FakeBotAPI._send_message,
    "editmessagetext": FakeBotAPI._edit_message_text,
    "editmessagereplymarkup": FakeBotAPI._edit_message_reply_markup,
    "answercallbackquery": FakeBotAPI._answer_callback_query,
    "sendchataction": FakeBotAPI._send_chat_action,
    "getchatadministrators": FakeBotAPI._get_chat_administrators,
    "getchatmember": FakeBotAPI._get_chat_member,
}

_ADMIN_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
}
_RESTRICTED = {
    "is_member": True,
    "can_send_messages": True,
    "can_send_audios": True,
    "can_send_documents": True,
    "can_send_photos": True,
    "can_send_videos": True,
    "can_send_video_notes": True,
    "can_send_voice_notes": True,
    "can_send_polls": True,
    "can_send_other_messages": True,
    "can_add_web_page_previews": True,
    "can_change_info": False,
    "can_invite_users": False,
    "can_pin_messages": False,
    "can_manage_topics": False,
    "until_date": 0,
}


def _member(user: JSON, status: str) -> JSON:
    """A ChatMember of the given status, with the fields Telegram always sends for it."""
    out: JSON = {"status": status, "user": {k: v for k, v in user.items() if k in _USER_FIELDS}}
    if status == "creator":
        out["is_anonymous"] = False
    elif status == "administrator":
        out.update(_ADMIN_RIGHTS)
    elif status == "restricted":
        out.update(_RESTRICTED)
    elif status == "kicked":
        out["until_date"] = 0
    elif status not in ("member", "left"):
        raise ValueError(f"unknown member status {status!r}")
    return out


_USER_FIELDS = {"id", "is_bot", "first_name", "last_name", "username", "language_code"}


def _public(chat: JSON) -> JSON:
    return {k: v for k, v in chat.items() if not k.startswith("_")}


def _update_type(update: JSON) -> str:
    return next(k for k in update if k != "update_id")


def _scope_key(scope: Any) -> str:
    if not scope:
        return "default"
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("can't parse BotCommandScope JSON object")
    return str(scope["type"])


def _check_markup(markup: Any) -> JSON | None:
    """Validate an inline keyboard the way Telegram does; other keyboards pass through."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return markup
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise bad_request("can't parse inline keyboard markup JSON object")
    clean: list[list[JSON]] = []
    for row in rows:
        out = []
        for button in row:
            if not isinstance(button, dict) or not str(button.get("text", "")).strip():
                raise bad_request("can't parse inline keyboard button: Text must be non-empty")
            actions = [a for a in _BUTTON_ACTIONS if a in button]
            if len(actions) != 1:
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the "
                    "inline keyboard"
                )
            if "callback_data" in button:
                data = str(button["callback_data"]).encode("utf-8")
                if not 1 <= len(data) <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
            if "url" in button and not _URL.match(str(button["url"])):
                raise bad_request("BUTTON_URL_INVALID")
            out.append(button)
        if out:
            clean.append(out)
    return {"inline_keyboard": clean} if clean else None


async def _read_params(request: web.Request) -> JSON:
    raw: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except json.JSONDecodeError:
                raise bad_request("can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise bad_request("the request body must be a JSON object")
            raw.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            raw.update({k: v for k, v in form.items() if isinstance(v, str)})
        else:
            raise bad_request(f"unsupported content type {request.content_type}")
    return _coerce(raw)


def _coerce(raw: Mapping[str, Any]) -> JSON:
    """Form and query values arrive as strings; give them the types the Bot API defines."""
    out: JSON = {}
    for key, value in raw.items():
        if key in _JSON_PARAMS and isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                raise bad_request(f"can't parse {key} JSON object") from None
        elif key in _INT_PARAMS and isinstance(value, str):
            try:
                value = int(value)
            except ValueError:
                if key != "chat_id":  # "@channelusername" is a valid chat_id
                    raise bad_request(f"wrong parameter {key} in request") from None
        elif key in _BOOL_PARAMS and isinstance(value, str):
            value = value.lower() in ("true", "1")
        out[key] = value
    return out


def _error(exc: ApiError) -> web.Response:
    body: JSON = {"ok": False, "error_code": exc.status, "description": exc.description}
    if exc.parameters:
        body["parameters"] = exc.parameters
    return web.json_response(body, status=exc.status)

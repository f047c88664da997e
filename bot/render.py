"""Reply models to Telegram HTML chunks, console text or JSON, through the templates/ (Jinja2).

Each `Reply.kind` names `templates/<kind>.html.j2` (Telegram HTML, autoescaped) and
`templates/<kind>.txt.j2` (console text, not escaped). The template sees the reply model as `m` and
the reply itself as `reply`. Wording lives in the templates; the filters here only format values.

Telegram accepts a message only if its HTML uses the few tags it knows, balanced and properly
nested, with every other `<`, `>` and `&` escaped, and if it is at most 4096 UTF-16 code units.
`split_message` cuts long HTML into chunks that each satisfy that, and `check_html` is the strict
validator the tests hold every template to (`render` logs any chunk that fails it).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import html as htmllib
import json
import logging
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import jinja2

from bot.config import Settings
from bot.models import DateRef, Reply, to_jsonable

log = logging.getLogger(__name__)

TELEGRAM_LIMIT = 4096
MAX_ENTITIES = 100
# Longest href we turn into a link: a chunk must re-open the <a> it splits, so a huge URL could
# leave no room for text; real article URLs are far shorter.
MAX_URL = 2048

STATE_EMOJI = {"operating": "🟢", "suspended": "🔴", "cancelled": "⛔", "unknown": "❔"}

# Tag -> attributes Telegram accepts on it (values checked separately).
ALLOWED_TAGS: dict[str, frozenset[str]] = {
    "b": frozenset(), "strong": frozenset(), "i": frozenset(), "em": frozenset(),
    "u": frozenset(), "ins": frozenset(), "s": frozenset(), "strike": frozenset(),
    "del": frozenset(), "a": frozenset({"href"}), "code": frozenset({"class"}),
    "pre": frozenset(), "blockquote": frozenset({"expandable"}), "tg-spoiler": frozenset(),
    "span": frozenset({"class"}),
}  # fmt: skip
_STYLE_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "tg-spoiler", "span"}
)


# ----------------------------------------------------------------------------- filters


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def safe_url(url: object) -> bool:
    """True for an absolute http(s) URL short enough and clean enough to link."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL:
        return False
    if any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.netloc)


def host(url: object) -> str:
    """The host of a URL without a leading www., or '' when there is none."""
    if not isinstance(url, str):
        return ""
    try:
        name = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return name.removeprefix("www.")


def short_date(value: dt.datetime | dt.date | None, now: dt.datetime | None = None) -> str:
    """'3 Mar' in the year of `now`, '3 Mar 2025' otherwise (or when `now` is unknown)."""
    if value is None:
        return ""
    day = value.date() if isinstance(value, dt.datetime) else value
    label = f"{day.day} {day.strftime('%b')}"
    if now is None or now.year != day.year:
        label += f" {day.year}"
    return label


def iso_date(value: dt.datetime | dt.date | None) -> str:
    """YYYY-MM-DD (UTC for datetimes)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = _utc(value).date()
    return value.isoformat()


def age(value: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """Relative age against `now`: 'just now', '5m ago', '2h ago', '3d ago', then '3 Mar'."""
    if value is None:
        return ""
    if now is None:
        return short_date(value)
    seconds = (_utc(now) - _utc(value)).total_seconds()
    if seconds < -60:  # from the future (clock skew, or --as-of before it): just say when
        return short_date(value, now)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)}m ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h ago"
    if seconds < 7 * 86400:
        return f"{int(seconds // 86400)}d ago"
    return short_date(value, now)


def when_local(value: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """A local wall-clock moment against local `now`: 'today 08:00', 'tomorrow 08:00',
    'Sat 28 Mar 08:00' (both aware; compared on `value`'s own calendar)."""
    if value is None:
        return ""
    clock = value.strftime("%H:%M")
    if now is not None and value.tzinfo is not None:
        today = now.astimezone(value.tzinfo).date()
        days = (value.date() - today).days
        if days == 0:
            return f"today {clock}"
        if days == 1:
            return f"tomorrow {clock}"
    return f"{value.strftime('%a')} {short_date(value.date(), now)} {clock}"


def dateref(value: DateRef | None) -> str:
    """A reported date at its own precision: '2020', 'March 2020', '2026-03-12'."""
    return value.label() if value is not None else ""


def on_date(value: DateRef | None) -> str:
    """The date with its preposition: 'in 2020', 'in March 2020', 'on 2026-03-12'."""
    if value is None:
        return ""
    return ("on " if value.precision == "day" else "in ") + value.label()


def state_emoji(state: str) -> str:
    """The marker for a situation state."""
    return STATE_EMOJI.get(state, STATE_EMOJI["unknown"])


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 outlet', '3 outlets' (or the given plural form)."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {word}"


def clip(text: object, limit: int = 300) -> str:
    """Shorten to at most `limit` characters, at a word boundary when one is near, with '…'."""
    text = "" if text is None else str(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip() + "…"


def by_date(entries: Iterable[Any], newest_first: bool = False) -> list[Any]:
    """Timeline entries ordered by their date (undated ones by their earliest source)."""

    def key(entry: Any) -> tuple[dt.date, dt.datetime]:
        published = min(
            (s.published_at for s in getattr(entry, "sources", []) or []),
            default=dt.datetime.min.replace(tzinfo=dt.UTC),
        )
        published = _utc(published)
        when = entry.date.value if getattr(entry, "date", None) else published.date()
        return when, published

    return sorted(entries, key=key, reverse=newest_first)


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


FILTERS = {
    "age": age,
    "short_date": short_date,
    "iso_date": iso_date,
    "dateref": dateref,
    "on_date": on_date,
    "state_emoji": state_emoji,
    "plural": plural,
    "clip": clip,
    "safe_url": safe_url,
    "host": host,
    "by_date": by_date,
    "when_local": when_local,
}


# ----------------------------------------------------------------------------- environment


def _autoescape(name: str | None) -> bool:
    return name is not None and name.endswith(".html.j2")


@functools.lru_cache(maxsize=4)
def environment(templates_dir: Path | None = None) -> jinja2.Environment:
    """The one Jinja2 environment over the templates (built once per directory)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir or Settings().templates_dir)),
        autoescape=_autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
    )
    env.filters.update(FILTERS)
    return env


def render(reply: Reply, fmt: Literal["html", "text"] = "html") -> list[str]:
    """Render a reply: Telegram HTML chunks (each valid, ≤ 4096 UTF-16 units) or one text block."""
    if fmt not in ("html", "text"):
        raise ValueError(f"unknown format {fmt!r}")
    ext = "html" if fmt == "html" else "txt"
    template = environment().get_template(f"{reply.kind}.{ext}.j2")
    out = template.render(m=reply.model, reply=reply).strip()
    out = re.sub(r"[ \t]+\n", "\n", out)
    out = re.sub(r"\n{3,}", "\n\n", out)  # templates with optional sections leave gaps
    if fmt == "text":
        return [out]
    chunks = split_message(out)
    for chunk in chunks:
        try:
            check_html(chunk)
        except ValueError as exc:
            # A template bug. Tests hold every template to check_html; in production the chunk
            # still goes out and the Telegram layer falls back to plain text if it is refused.
            log.error("template %s.html.j2 produced invalid Telegram HTML: %s", reply.kind, exc)
    return chunks


def render_json(reply: Reply) -> str:
    """The reply's model as pretty JSON (for `--format json`)."""
    return json.dumps(to_jsonable(reply.model), ensure_ascii=False, indent=2)


def button_label(key: str, **fields: object) -> str:
    """A button caption from templates/_labels.j2 (wording stays in templates); `fields` fill
    its {placeholders} ("✖ {name}")."""
    labels = environment().get_template("_labels.j2").module.LABELS  # type: ignore[attr-defined]
    label = str(labels[key])
    return label.format(**fields) if fields else label


# ----------------------------------------------------------------------------- splitting

_TOKEN = re.compile(
    r"<(?P<close>/?)(?P<name>[A-Za-z][A-Za-z0-9-]*)(?P<attrs>(?:\s[^<>]*)?)>"
    r"|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
)
_ATTR = re.compile(
    r"""([A-Za-z][A-Za-z0-9_-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?"""
)

_TEXT, _OPEN, _CLOSE = 0, 1, 2
_Stack = tuple[tuple[str, str], ...]  # open tags: (name, the opening tag as written)
# Boundary classes, best first: paragraph, line, sentence, word, anywhere; -1 = never (inside a
# grapheme cluster).
_PARA, _LINE, _SENTENCE, _WORD, _ANY, _NEVER = 4, 3, 2, 1, 0, -1
_SENTENCE_END = frozenset(".!?…")
_CJK_SENTENCE_END = frozenset("。！？")
_CLOSERS_AFTER_END = frozenset("\"'”’»)]")


def _glues(prev: str, nxt: str) -> bool:
    """True when a cut between these two characters would break a grapheme cluster."""
    if not prev or not nxt:
        return False
    if prev == "\r" and nxt == "\n":
        return True
    if prev == "\u200d" or nxt == "\u200d":
        return True
    code = ord(nxt)
    if unicodedata.combining(nxt) or unicodedata.category(nxt) in {"Mn", "Me", "Mc"}:
        return True
    if 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:  # variation selectors
        return True
    return 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F  # skin tones, tag sequences


class _Atoms:
    """HTML cut into tags, entities and single characters, with the open-tag stack at each gap."""

    def __init__(self, html: str, max_tag: int) -> None:
        self.raw: list[str] = []
        self.kind: list[int] = []
        self.char: list[str] = []  # decoded character for text atoms, '' for tags
        self.stack: list[_Stack] = [()]  # stack before atom i (len N+1)
        stack: _Stack = ()
        pos = 0
        for match in _TOKEN.finditer(html):
            self._text(html[pos : match.start()], stack)
            pos = match.end()
            token = match.group(0)
            name = (match.group("name") or "").lower()
            if not name:  # an entity
                self._add(token, _TEXT, htmllib.unescape(token)[-1:] or "?", stack)
            elif name not in ALLOWED_TAGS:
                self._text(token, stack)  # not a Telegram tag: show it as text
            elif match.group("close"):
                names = [n for n, _ in stack]
                if name not in names:
                    continue  # a stray closer (or one of a tag we unwrapped): drop it
                while stack and stack[-1][0] != name:  # close what it skips (mis-nesting)
                    inner = stack[-1][0]
                    stack = stack[:-1]
                    self._add(f"</{inner}>", _CLOSE, "", stack)
                stack = stack[:-1]
                self._add(f"</{name}>", _CLOSE, "", stack)
            elif utf16_len(token) > max_tag:
                pass  # e.g. a monstrous href: keep the text, lose the link
            else:
                stack = (*stack, (name, token))
                self._add(token, _OPEN, "", stack)
        self._text(html[pos:], stack)
        while stack:
            inner = stack[-1][0]
            stack = stack[:-1]
            self._add(f"</{inner}>", _CLOSE, "", stack)

    def _add(self, raw: str, kind: int, char: str, stack_after: _Stack) -> None:
        self.raw.append(raw)
        self.kind.append(kind)
        self.char.append(char)
        self.stack.append(stack_after)

    def _text(self, text: str, stack: _Stack) -> None:
        for ch in text:
            raw = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}.get(ch, ch)
            self._add(raw, _TEXT, ch, stack)


def _openers(stack: _Stack) -> str:
    return "".join(tag for _, tag in stack)


def _closers(stack: _Stack) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))


def split_message(
    html: str, limit: int = TELEGRAM_LIMIT, max_entities: int = MAX_ENTITIES
) -> list[str]:
    """Cut Telegram HTML into chunks of at most `limit` UTF-16 units, tags balanced in each.

    Cuts prefer a blank line, then a line break, then a sentence end, then a space, and only then
    any character (never inside a tag, an entity, a surrogate pair or a grapheme cluster); tags
    open at a cut are closed at the end of the chunk and re-opened at the start of the next.
    Whitespace at a cut is dropped; chunks without visible text are not returned. A chunk also
    holds at most `max_entities` tags, since Telegram shows only about 100 entities a message.
    """
    if limit < 64:
        raise ValueError("limit too small to hold tags and text")
    atoms = _Atoms(html, max_tag=limit // 4)
    n = len(atoms.raw)
    cum = [0] * (n + 1)
    visible = [0] * (n + 1)  # non-whitespace text atoms before i
    opens = [0] * (n + 1)  # opening tags before i
    for i in range(n):
        cum[i + 1] = cum[i] + utf16_len(atoms.raw[i])
        opens[i + 1] = opens[i] + (1 if atoms.kind[i] == _OPEN else 0)
        is_visible = atoms.kind[i] == _TEXT and not atoms.char[i].isspace()
        visible[i + 1] = visible[i] + (1 if is_visible else 0)
    open_len = [utf16_len(_openers(s)) for s in atoms.stack]
    close_len = [sum(len(name) + 3 for name, _ in s) for s in atoms.stack]

    # Candidate cuts: the gaps between consecutive text atoms. A cut goes after the closing tags
    # that follow the earlier text and before any opening tag, so no chunk ends in an empty element.
    cuts: list[int] = []
    classes: list[int] = []
    text_idx = [i for i in range(n) if atoms.kind[i] == _TEXT]
    for k in range(len(text_idx) - 1):
        a, b = text_idx[k], text_idx[k + 1]
        cut = a + 1
        while cut < b and atoms.kind[cut] == _CLOSE:
            cut += 1
        prev, nxt = atoms.char[a], atoms.char[b]
        before = atoms.char[text_idx[k - 1]] if k else ""
        if _glues(prev, nxt):
            cls = _NEVER
        elif prev == "\n" and before == "\n":
            cls = _PARA
        elif prev == "\n":
            cls = _LINE
        elif prev in _CJK_SENTENCE_END:
            cls = _SENTENCE
        elif prev.isspace():
            j = k - 1
            while j >= 0 and atoms.char[text_idx[j]] in _CLOSERS_AFTER_END:
                j -= 1
            cls = _SENTENCE if j >= 0 and atoms.char[text_idx[j]] in _SENTENCE_END else _WORD
        else:
            cls = _ANY
        cuts.append(cut)
        classes.append(cls)

    chunks: list[str] = []
    start = 0
    while True:
        while start < n and atoms.kind[start] == _TEXT and atoms.char[start].isspace():
            start += 1
        if start >= n or visible[n] == visible[start]:
            break
        head = open_len[start] - cum[start]
        # Entities in a chunk: the tags re-opened at its start plus those opened inside it.
        tags = len(atoms.stack[start]) - opens[start]
        if head + cum[n] + close_len[n] <= limit and tags + opens[n] <= max_entities:
            chunks.append(_chunk(atoms, start, n))
            break
        best: dict[int, int] = {}
        for idx in range(bisect.bisect_right(cuts, start), len(cuts)):
            cut = cuts[idx]
            if head + cum[cut] > limit or tags + opens[cut] > max_entities:
                break
            if head + cum[cut] + close_len[cut] <= limit and visible[cut] > visible[start]:
                best[classes[idx]] = cut
        if not best:
            raise ValueError("cannot split: open tags leave no room for text")
        end = best[max(best)]
        chunks.append(_chunk(atoms, start, end))
        start = end
    return chunks


def _chunk(atoms: _Atoms, start: int, end: int) -> str:
    """Atoms [start, end) with the tags open at `start` re-opened and those open at `end` closed."""
    body = list(range(start, end))
    # Drop whitespace at the end of the chunk (it may sit before closing tags).
    keep_tail: list[int] = []
    while body:
        i = body[-1]
        if atoms.kind[i] == _CLOSE:
            keep_tail.append(body.pop())
        elif atoms.kind[i] == _TEXT and atoms.char[i].isspace():
            body.pop()
        else:
            break
    body.extend(reversed(keep_tail))
    return (
        _openers(atoms.stack[start])
        + "".join(atoms.raw[i] for i in body)
        + _closers(atoms.stack[end])
    )


# ----------------------------------------------------------------------------- validation


def check_html(html: str, limit: int = TELEGRAM_LIMIT) -> None:
    """Raise ValueError unless `html` is a message Telegram's HTML parse mode would accept."""
    if utf16_len(html) > limit:
        raise ValueError(f"message is {utf16_len(html)} UTF-16 units, over {limit}")
    stack: list[str] = []
    text_seen = False
    pos = 0
    for match in _TOKEN.finditer(html):
        _check_text(html[pos : match.start()])
        text_seen = text_seen or bool(html[pos : match.start()].strip())
        pos = match.end()
        name = (match.group("name") or "").lower()
        if not name:
            entity = match.group(0)
            if not entity.startswith("&#") and entity not in {"&lt;", "&gt;", "&amp;", "&quot;"}:
                raise ValueError(f"unsupported entity {entity}")
            text_seen = True
            continue
        if name not in ALLOWED_TAGS:
            raise ValueError(f"tag <{name}> is not allowed")
        if match.group("close"):
            if not stack or stack[-1] != name:
                raise ValueError(f"</{name}> does not close the innermost open tag {stack}")
            stack.pop()
            continue
        attrs = _parse_attrs(match.group("attrs") or "")
        extra = set(attrs) - ALLOWED_TAGS[name]
        if extra:
            raise ValueError(f"<{name}> has attributes {sorted(extra)}")
        if name == "a" and not safe_url(htmllib.unescape(attrs.get("href") or "")):
            raise ValueError(f"<a> needs an http(s) href, got {attrs.get('href')!r}")
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise ValueError("<span> is only allowed as class=tg-spoiler")
        language = attrs.get("class")
        if name == "code" and language and not language.startswith("language-"):
            raise ValueError("<code class> must be language-*")
        _check_nesting(name, stack)
        stack.append(name)
    _check_text(html[pos:])
    text_seen = text_seen or bool(html[pos:].strip())
    if stack:
        raise ValueError(f"unclosed tags {stack}")
    if not text_seen:
        raise ValueError("message has no text")


def _check_text(text: str) -> None:
    for bad in "<>&":
        if bad in text:
            raise ValueError(f"unescaped {bad!r} in {text[:40]!r}")


def _parse_attrs(attrs: str) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    rest = attrs.strip().rstrip("/").strip()
    while rest:
        match = _ATTR.match(rest)
        if not match:
            raise ValueError(f"malformed attributes {attrs!r}")
        value = match.group(2) if match.group(2) is not None else match.group(3)
        if value is None:
            value = match.group(4)
        found[match.group(1).lower()] = value
        rest = rest[match.end() :].lstrip()
    return found


def _check_nesting(name: str, stack: list[str]) -> None:
    """Telegram's nesting rules: code/pre hold only text (pre may wrap one code), links don't nest,
    blockquotes don't nest; style tags go anywhere else."""
    if not stack:
        return
    parent = stack[-1]
    if parent == "pre" and name == "code":
        return
    if "code" in stack or "pre" in stack:
        raise ValueError(f"<{name}> inside <{parent}>")
    if name in {"code", "pre"} and any(t not in _STYLE_TAGS and t != "blockquote" for t in stack):
        raise ValueError(f"<{name}> inside {stack}")
    if name == "a" and "a" in stack:
        raise ValueError("nested links")
    if name == "blockquote" and "blockquote" in stack:
        raise ValueError("nested blockquotes")

"""Feeds: RSS/Atom documents to entries, OPML in and out, feed discovery, the default feed list.

parse_feed turns one fetched document into a ParsedFeed. Before feedparser sees it:

- a document that declares XML entities in its prolog is refused: entity expansion (billion
  laughs) and external entities (XXE) are attacks, and no real feed needs them. The prolog is
  read by expat itself (what feedparser's strict parser sees) and by a scan that skips comments,
  processing instructions and CDATA (for a prolog expat gives up on);
- the bytes are decoded here, not by feedparser, whose fallback chain would silently turn a
  mislabelled document into mojibake. The charset comes from the BOM, else the XML declaration,
  else the HTTP header, else UTF-8; bytes that do not decode are a FeedError naming the byte.
  Legacy labels are read as the superset browsers use (EUC-KR as CP949, GB2312 as GB18030), and a
  document labelled Latin-1/ASCII whose bytes are valid UTF-8 is read as UTF-8 (the usual
  mislabel; Latin-1 itself never fails to decode, so it could not be caught as an error).

feedparser then gets clean UTF-8 with `sanitize_html=False`: its sanitizer costs ~3 s on a 5 MB
document and we only want plain text, so scripts and styles are dropped here before the HTML
becomes text. It still resolves relative links (against the feed url and Atom's xml:base) and
still falls back to its lenient parser for documents that are not well-formed, so a truncated
feed yields the entries before the break.
"""

from __future__ import annotations

import calendar
import codecs
import contextlib
import datetime as dt
import email.utils
import functools
import hashlib
import io
import re
import time
import tomllib
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin
from xml.parsers import expat
from zoneinfo import ZoneInfo

import feedparser

from bot.errors import IngestError
from bot.ingest.readers import (
    CHARSET_SUPERSETS,
    clean_url,
    first_sentence,
    html_to_text,
    make_title,
    parse_date,
)
from bot.models import FeedEntry, FeedSpec, ParsedFeed

MAX_ENTRIES = 500  # a feed is a window on recent news; more than this is a dump or a bug
MAX_ENTRY_CHARS = 200_000  # ~30,000 words: a book, a page of scraped junk, not a news article
# Below this the text is a teaser and the article page is fetched. Teasers (RSS descriptions,
# WordPress excerpts, the Guardian's standfirsts) run 80-650 characters; 700 is about four
# sentences, the least a wire story carries in full.
FULL_TEXT_MIN_CHARS = 700
# An entry dated later than this after the fetch is not trusted (the fetch time stands in, as an
# estimate). A future date is a time-zone error (a Seoul time read as UTC is 9 hours ahead) or a
# post scheduled ahead of time, and either would sort the story above today's news. A quarter of
# an hour allows for a publisher's clock running fast.
FUTURE_TOLERANCE = dt.timedelta(minutes=15)
TITLE_MAX_CHARS = 300
KEY_MAX_CHARS = 300  # longer guids and links are stored as their SHA-1


class FeedError(IngestError):
    """A feed or OPML document that cannot be used; str(exc) says why, briefly."""


# ----------------------------------------------------------------------------- bytes -> text

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DECLARED = re.compile(rb"""^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_XML_DECL = re.compile(r"^\s*<\?xml\s[^>]*\?>")  # not <?xml-stylesheet?>
# Characters XML 1.0 forbids: one stray \x0b or \x1a sends expat's strict parse to the fallback.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# What browsers read these labels as: publishers use the supersets' extra characters.
# Legacy labels are read as the supersets browsers use (one table for feeds and pages).
_SUPERSETS = CHARSET_SUPERSETS
_SINGLE_BYTE = frozenset({"ascii", "iso8859-1", "cp1252"})


def _xml_text(data: bytes, charset: str | None = None) -> str:
    """An XML document's bytes -> text without BOM or XML declaration; FeedError if undecodable."""
    codec, label = _xml_codec(data, charset)
    try:
        text = _decode(data, codec)
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        raise FeedError(
            f"not valid {label} (invalid byte 0x{bad:02x} at offset {exc.start})"
        ) from None
    # The declaration goes: the text is re-encoded as UTF-8, which the old one may deny.
    return _NOT_XML.sub("", _XML_DECL.sub("", text.lstrip("\ufeff"), count=1)).lstrip()


def _xml_codec(data: bytes, charset: str | None) -> tuple[str, str]:
    """(codec, label for errors): BOM, UTF-16 without BOM, declaration, header, UTF-8."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, codec.upper().removesuffix("-SIG")
    if data.startswith(b"<\x00?\x00"):
        return "utf-16-le", "UTF-16"
    if data.startswith(b"\x00<\x00?"):
        return "utf-16-be", "UTF-16"
    declared = _DECLARED.match(data[:1024])
    for name in (declared.group(1).decode("ascii") if declared else None, charset):
        codec = _codec(name)
        # A declaration readable as ASCII cannot be in UTF-16/32: it is wrong, skip it.
        if codec and not codec.startswith(("utf-16", "utf-32")):
            return codec, "UTF-8" if codec == "utf-8" else str(name).upper()
    return "utf-8", "UTF-8"


def _codec(name: str | None) -> str | None:
    try:
        codec = codecs.lookup(name.strip()).name if name else None
    except LookupError:
        return None
    return _SUPERSETS.get(codec, codec) if codec else None


def _decode(data: bytes, codec: str) -> str:
    if codec in _SINGLE_BYTE:
        for attempt in ("utf-8", "cp1252"):  # cp1252: Windows' Latin-1, with curly quotes
            with contextlib.suppress(UnicodeDecodeError):
                return data.decode(attempt)
        return data.decode("latin-1")
    return data.decode(codec)


# ----------------------------------------------------------------------------- documents

_ENTITY_DECL = re.compile(r"<!ENTITY", re.IGNORECASE)
_ATTACK = "a possible entity-expansion attack"
# What holds no markup for the entity scan. An unclosed one runs to the end (`\Z`): else each
# would rescan the rest of the document, quadratic time on hostile input.
_INERT = re.compile(r"<!--.*?(?:-->|\Z)|<\?.*?(?:\?>|\Z)|<!\[CDATA\[.*?(?:\]\]>|\Z)", re.DOTALL)
# A feed's root start tag, with any namespace prefix: where the prolog certainly ends.
_ROOT_TAG = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?(?:rss|feed|rdf)[\s>/]", re.IGNORECASE)
_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
    rb"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])",
    re.IGNORECASE | re.DOTALL,
)
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:rdf)[\s>]", re.IGNORECASE)
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_UTF8_XML = "application/xml; charset=utf-8"  # what feedparser is told: we decoded it already


def looks_like_html(data: bytes, content_type: str | None) -> bool:
    """A web page rather than a feed: its markup says so, or the server does and nothing denies it.

    The markup comes first: servers label feeds text/html often enough.
    """
    head = data[:4096]
    if _HTML_START.match(head):
        return True
    if _FEED_ROOT.search(head):
        return False
    kind = (content_type or "").split(";")[0].strip().lower()
    return kind in _HTML_TYPES


def parse_feed(
    data: bytes,
    *,
    url: str,
    content_type: str | None = None,
    charset: str | None = None,
    fetched_at: dt.datetime,
) -> ParsedFeed:
    """One fetched RSS 2.0 / RSS 1.0 / Atom document -> its metadata and usable entries.

    Raises FeedError when the document as a whole is unusable; a bad entry is a problem instead.
    """
    fetched_at = parse_date(fetched_at) or fetched_at
    if not data.strip():
        raise FeedError("not a feed (the document is empty)")
    if looks_like_html(data, content_type):
        raise FeedError("this is a web page, not a feed")
    head = data.removeprefix(codecs.BOM_UTF8).lstrip()[:1024]
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<"))
    if not utf16 and (b"\x00" in head or b"<" not in head):
        raise FeedError("not a feed (binary data, or text without XML markup)")
    text = _xml_text(data, charset)
    if _expat_sees_entities(text) or _scan_sees_entities(text):
        raise FeedError(f"refused: the feed declares XML entities ({_ATTACK})")
    doc = feedparser.parse(
        io.BytesIO(text.encode("utf-8")),  # never a str: feedparser would try it as a path or url
        response_headers={"content-location": url, "content-type": _UTF8_XML},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    if not doc.entries and not doc.get("version"):
        error = doc.get("bozo_exception")
        why = f"not well-formed XML: {error}" if error else "no RSS or Atom document found"
        raise FeedError(f"not a feed ({why})")
    meta = doc.feed
    language = _language(meta.get("language"))
    parsed = ParsedFeed(
        title=_title(meta.get("title"), meta.get("title_detail")) or None,
        link=clean_url(meta.get("link")),
        language=language,
    )
    if len(doc.entries) > MAX_ENTRIES:
        extra = f"entries {MAX_ENTRIES + 1}-{len(doc.entries)}"
        parsed.problems.append((extra, f"beyond the first {MAX_ENTRIES} entries of the feed"))
    entries: list[FeedEntry] = []
    for index, raw in enumerate(doc.entries[:MAX_ENTRIES], start=1):
        try:
            entries.append(_entry(raw, language, fetched_at))
        except FeedError as exc:
            parsed.problems.append((_label(raw, index), str(exc)))
    parsed.problems.extend(_rekey_shared_guids(entries))
    seen: set[str] = set()
    for entry in entries:
        if entry.key not in seen:  # a feed repeating an entry: the first is the one it ranks
            seen.add(entry.key)
            parsed.entries.append(entry)
    return parsed


class _Prolog(Exception):
    """Stops expat: the answer is known."""


def _expat_sees_entities(text: str) -> bool:
    """Whether expat, as feedparser's strict parser runs it, reads an entity declaration before
    the root element. Only the prolog is parsed: the first start tag ends it. Nothing tricks
    this by hiding markup from a pattern (a "<rss " in a comment or in the DOCTYPE's system id):
    it is the parser's own reading. False also when expat fails first: see _scan_sees_entities."""
    parser = expat.ParserCreate()
    found = False

    def entity(*_: Any) -> None:
        nonlocal found
        found = True
        raise _Prolog

    def start(*_: Any) -> None:
        raise _Prolog

    parser.EntityDeclHandler = entity
    parser.StartElementHandler = start
    # _Prolog: the root element (or a declaration) was reached, which ends the reading; an
    # ExpatError: not well-formed before the root, and feedparser falls back to its loose parser.
    with contextlib.suppress(_Prolog, expat.ExpatError):
        for at in range(0, len(text), 65536):  # a chunk at a time: the prolog is near the start
            parser.Parse(text[at : at + 65536], False)
        parser.Parse("", True)
    return found


def _scan_sees_entities(text: str) -> bool:
    """Whether "<!ENTITY" occurs before the feed's root start tag (anywhere, if there is none),
    outside comments, processing instructions and CDATA sections: without them, a "<a" inside
    one cannot pass for the end of the prolog. This covers prologs expat gives up on."""
    at = 0
    while True:
        inert = _INERT.search(text, at)
        stop = inert.start() if inert else len(text)
        root = _ROOT_TAG.search(text, at, stop)
        if _ENTITY_DECL.search(text, at, root.start() if root else stop):
            return True
        if root or inert is None:
            return False
        at = inert.end()


def _rekey_shared_guids(entries: list[FeedEntry]) -> list[tuple[str, str]]:
    """Entries sharing a guid but not a link are keyed by link; returns one problem a guid.

    A CMS bug gives every item one guid (the site's homepage, say): keyed by it, five stories
    would be one. The same guid with the same link is a repeated entry, and stays one.
    """
    counts = Counter(e.key for e in entries if e.key.startswith("guid:"))
    links: dict[str, set[str]] = {}
    for entry in entries:
        if counts[entry.key] > 1 and entry.link:
            links.setdefault(entry.key, set()).add(entry.link)
    shared = {key for key, found in links.items() if len(found) > 1}
    for entry in entries:
        if entry.key in shared:
            entry.key = entry_key(None, entry.link, entry.title, entry.text)
    return [
        (key.removeprefix("guid:")[:200], f"guid repeated by {counts[key]} entries; keyed by link")
        for key in counts  # in the feed's order
        if key in shared
    ]


# ----------------------------------------------------------------------------- entries

# An unclosed <script> runs to the end (as in a browser): without `\Z`, every unclosed tag
# would rescan the rest of the document, quadratic time on hostile input.
_SCRIPTS = re.compile(r"<(script|style|noscript|template)\b.*?(?:</\1\s*>|\Z)", re.I | re.S)
# WordPress (Yoast) appends this to every excerpt and article; it is no part of the story.
_WP_FOOTER = re.compile(r"\n?The post [^\n]{1,300} appeared first on [^\n]{1,200}$")
# How a summary says there is more: an ellipsis, "[…]", "Continue reading", "Read more".
_TEASER_END = re.compile(
    r"(?:…|\.\.\.|\[(?:…|\.\.\.)\]|continue reading|read more|read the full \w+)\W*$",
    re.IGNORECASE,
)


def _entry(raw: dict[str, Any], feed_language: str | None, fetched_at: dt.datetime) -> FeedEntry:
    title = _title(raw.get("title"), raw.get("title_detail"))
    text = _entry_text(raw)
    if not title and not text:
        raise FeedError("no title and no text")
    if len(text) > MAX_ENTRY_CHARS:
        raise FeedError(
            f"entry too large ({len(text):,} characters; the limit is {MAX_ENTRY_CHARS:,})"
        )
    title = title or make_title(first_sentence(text))
    link = _entry_link(raw)
    detail_language = (raw.get("title_detail") or {}).get("language")  # Atom's xml:lang
    language = _language(raw.get("language")) or _language(detail_language) or feed_language
    # The feed's language says where it is published, so which clock a bare time is on.
    published_at, estimated = _entry_date(raw, fetched_at, feed_language or language)
    author = (raw.get("author_detail") or {}).get("name") or raw.get("author") or ""
    return FeedEntry(
        key=entry_key(raw.get("id"), link, title, text),
        title=title,
        link=link,
        text=text,
        # Long enough and not cut short ("…", "Continue reading"), whichever element it came from:
        # content:encoded usually carries the article, and some feeds put it in the description.
        full_text=len(text) >= FULL_TEXT_MIN_CHARS and not _TEASER_END.search(text[-200:]),
        published_at=published_at,
        date_estimated=estimated,
        author=" ".join(author.split()) or None,
        language=language,
    )


def _entry_text(raw: dict[str, Any]) -> str:
    """The longest of the content elements (content:encoded, atom:content) and the summary."""
    summary_type = (raw.get("summary_detail") or {}).get("type", "text/html")
    texts = [_to_text(c.get("value"), c.get("type")) for c in raw.get("content") or []]
    texts.append(_to_text(raw.get("summary"), summary_type))
    return max(texts, key=len)


def _to_text(value: Any, content_type: str | None) -> str:
    if not isinstance(value, str) or not value.strip():
        return ""
    if "html" in (content_type or "text/html"):
        value = html_to_text(_SCRIPTS.sub(" ", value))
    lines = (" ".join(line.split()) for line in value.splitlines())
    return _WP_FOOTER.sub("", "\n".join(line for line in lines if line))


def _title(value: Any, detail: dict[str, Any] | None) -> str:
    """Plain text: HTML titles (RSS titles are HTML to feedparser) lose tags and entities."""
    if not isinstance(value, str) or not value.strip():
        return ""
    if "html" in ((detail or {}).get("type") or ""):
        value = html_to_text(value)
    return make_title(value, TITLE_MAX_CHARS)


def _entry_link(raw: dict[str, Any]) -> str | None:
    link = clean_url(raw.get("link"))
    for item in raw.get("links") or []:
        if link:
            break
        if item.get("rel", "alternate") == "alternate":
            link = clean_url(item.get("href"))
    if not link and raw.get("guidislink"):  # an RSS guid that is a permalink
        link = clean_url(raw.get("id"))
    return link


def _entry_date(
    raw: dict[str, Any], fetched_at: dt.datetime, language: str | None
) -> tuple[dt.datetime, bool]:
    """Published, else updated (Atom, dc:date), else the fetch time, estimated; the fetch time
    too, estimated, for a date in the future (FUTURE_TOLERANCE says why)."""
    for name in ("published", "updated", "created"):
        # dict.get: FeedParserDict.get("updated") falls back to "published", with a warning.
        text = dict.get(raw, name)
        text = text.strip() if isinstance(text, str) and len(text) < 100 else ""
        value = _read_date(text, _from_struct(dict.get(raw, f"{name}_parsed")), language)
        if value is not None:
            if value - fetched_at > FUTURE_TOLERANCE:
                return fetched_at, True
            return value, False
    return fetched_at, True


# Zone abbreviations feedparser does not know: it reads the time as UTC. IST is India's here:
# Irish and Israeli feeds write offsets, and this bot reads Asian news.
_ZONE_OFFSETS = {
    "KST": 9 * 60,
    "JST": 9 * 60,
    "HKT": 8 * 60,
    "SGT": 8 * 60,
    "PHT": 8 * 60,
    "ICT": 7 * 60,
    "IST": 5 * 60 + 30,
}
# CST is US Central to feedparser and RFC 822; a Chinese feed means China Standard Time.
_ZH_ZONE_OFFSETS = {"CST": 8 * 60}
_ZONE_TOKEN = re.compile(r"(?<=[\d\s])\(?([A-Za-z]{3})\)?$")
# The zone a time without one is on, by the feed's language; other feeds' are read as UTC.
_LOCAL_ZONES = {"ko": "Asia/Seoul", "ja": "Asia/Tokyo", "zh": "Asia/Shanghai"}
# Korean sites write 2026.11.24 15:10 (and 2026/11/24); feedparser reads that as 2026-11-01.
_DOTTED_DATE = re.compile(
    r"(\d{4})[./](\d{1,2})[./](\d{1,2})\.?(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)
_ISO_SHAPED = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_RFC822_SHAPED = re.compile(r"(?:[A-Za-z]{2,9},?\s+)?\d{1,2}[\s-]+[A-Za-z]{3,9}[\s-]+\d{2,4}\b")
# A time of day that ends the string: nothing, so no zone, follows it ("+09:00" is no time).
_TIME_LAST = re.compile(r"(?:^|[\sT])\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?$")


def _read_date(text: str, parsed: dt.datetime | None, language: str | None) -> dt.datetime | None:
    """An entry's date string -> aware UTC, or None. `parsed` is feedparser's reading, right for
    most forms; read here instead: zone abbreviations it does not know, times with no zone at all
    (on the clock of the feed's country), and the dotted form it half reads. A string in neither
    RFC 822 nor ISO 8601 shape is cross-checked with readers.parse_date."""
    if not text:
        return parsed
    token = _ZONE_TOKEN.search(text)
    minutes = _zone_minutes(token.group(1), language) if token else None
    if token and minutes is not None:
        wall = _wall_clock(text[: token.start()].rstrip())
        if wall is not None and wall[1]:
            return _to_utc(wall[0], dt.timezone(dt.timedelta(minutes=minutes)))
    wall = _wall_clock(text)
    if wall is not None:
        value, has_time = wall
        zone = _LOCAL_ZONES.get(language or "") if has_time else None
        # A date alone stays midnight UTC: it names a day, and as midnight in Seoul it would
        # show as the day before.
        return _to_utc(value, ZoneInfo(zone) if zone else dt.UTC)
    if _DOTTED_DATE.fullmatch(text):
        return None  # an impossible date (2026.02.30): not feedparser's half reading of it
    if _ISO_SHAPED.match(text) or _RFC822_SHAPED.match(text):
        return parsed or parse_date(text)
    ours = parse_date(text)
    if ours is not None and (parsed is None or ours.date() != parsed.date()):
        return ours  # feedparser read part of it: a day it invented
    return parsed


def _zone_minutes(abbreviation: str, language: str | None) -> int | None:
    zone = abbreviation.upper()
    if zone in _ZONE_OFFSETS:
        return _ZONE_OFFSETS[zone]
    return _ZH_ZONE_OFFSETS.get(zone) if language == "zh" else None


def _wall_clock(text: str) -> tuple[dt.datetime, bool] | None:
    """A date or date-time with no zone at all, as written: (naive value, has a time of day).
    Only forms read for certain: ISO 8601, RFC 822 ending in its time, and the dotted form."""
    dotted = _DOTTED_DATE.fullmatch(text)
    if dotted:
        year, month, day, hour, minute, second = (int(g or 0) for g in dotted.groups())
        try:
            return dt.datetime(year, month, day, hour, minute, second), bool(dotted.group(4))
        except ValueError:
            return None
    if _ISO_SHAPED.match(text):
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
        return (value, len(text) > 10) if value.tzinfo is None else None
    if _RFC822_SHAPED.match(text) and _TIME_LAST.search(text):
        try:
            value = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        return (value, True) if value.tzinfo is None else None
    return None


def _to_utc(value: dt.datetime, zone: dt.tzinfo) -> dt.datetime | None:
    """A naive date-time on `zone`'s clock -> aware UTC; None below year 1 (0001-01-01 05:00 in
    Seoul is in year 0)."""
    try:
        return value.replace(tzinfo=zone).astimezone(dt.UTC)
    except OverflowError:
        return None


def _from_struct(value: Any) -> dt.datetime | None:
    """feedparser's *_parsed: a struct_time already converted to UTC."""
    if not isinstance(value, time.struct_time):
        return None
    try:
        return dt.datetime.fromtimestamp(calendar.timegm(value), dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _label(raw: dict[str, Any], index: int) -> str:
    """What to call a skipped entry in a report: its link, else its title, else its position."""
    title = _title(raw.get("title"), raw.get("title_detail"))
    return clean_url(raw.get("link")) or make_title(title, 80) or f"entry {index}"


def entry_key(guid: str | None, link: str | None, title: str, text: str) -> str:
    """The per-feed identity of an entry: its guid, else its link, else a hash of its words.

    The guid comes first: publishers fix typos in titles and move urls, the guid stays.
    """
    guid = guid.strip() if isinstance(guid, str) else ""
    if guid:
        return _capped("guid:", guid)
    url = clean_url(link)
    if url:
        return _capped("link:", url)
    words = " ".join(f"{title}\n{text}".split()).casefold()
    return "hash:" + hashlib.sha1(words.encode("utf-8")).hexdigest()


def _capped(prefix: str, value: str) -> str:
    if len(prefix) + len(value) <= KEY_MAX_CHARS:
        return prefix + value
    return f"{prefix}sha1:{hashlib.sha1(value.encode('utf-8')).hexdigest()}"


def _language(value: Any) -> str | None:
    """'en-US', 'EN', 'ko_KR', 'kor' -> 'en', 'en', 'ko', 'ko'; None for what is no language."""
    return _language_code(value) if isinstance(value, str) else None


@functools.lru_cache(maxsize=256)
def _language_code(value: str) -> str | None:
    import pycountry

    match = re.fullmatch(r"\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*\s*", value)
    if not match:
        return None
    code = match.group(1).lower()
    found = pycountry.languages.get(**{"alpha_2" if len(code) == 2 else "alpha_3": code})
    return getattr(found, "alpha_2", None)


# ----------------------------------------------------------------------------- discovery

_FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml"})


def discover_feeds(html: bytes, base_url: str) -> list[str]:
    """The feeds a page announces (<link rel="alternate" type=RSS|Atom>), absolute, in order."""
    from lxml import etree
    from lxml import html as lxml_html

    if not html.strip():
        return []
    try:
        tree = lxml_html.document_fromstring(html)
    except (ValueError, etree.ParserError):
        return []
    found: list[str] = []
    with contextlib.suppress(ValueError):  # urljoin on a malformed url: what was found stands
        base = urljoin(base_url, "".join(tree.xpath("//head/base/@href")[:1]).strip())
        for link in tree.iter("link"):
            rel = (link.get("rel") or "").lower().split()
            kind = (link.get("type") or "").split(";")[0].strip().lower()
            href = (link.get("href") or "").strip()
            url = clean_url(urljoin(base, href)) if href else None
            if "alternate" in rel and kind in _FEED_TYPES and url and url not in found:
                found.append(url)
    return found


# ----------------------------------------------------------------------------- OPML

_DTD = re.compile(r"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def read_opml(data: bytes) -> list[FeedSpec]:
    """Every outline with an http(s) xmlUrl, at any depth (categories nest), deduplicated."""
    text = _xml_text(data)
    if _DTD.search(text):
        raise FeedError(f"refused: the OPML has a DOCTYPE or entity declarations ({_ATTACK})")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise FeedError(f"not valid OPML: {exc}") from None
    if _local(root.tag) != "opml":
        raise FeedError(f"not OPML (the document is <{_local(root.tag)}>)")
    body = next((child for child in root if _local(child.tag) == "body"), None)
    if body is None:
        raise FeedError("not OPML (no <body>)")
    specs: list[FeedSpec] = []
    seen: set[str] = set()
    for outline in body.iter():
        attrs = {key.lower(): value for key, value in outline.attrib.items()}
        url = clean_url(attrs.get("xmlurl"))
        if _local(outline.tag) != "outline" or not url or url in seen:
            continue
        seen.add(url)
        # write_opml puts the url in `text` when there is no outlet name: that is no name.
        names = (attrs.get("text", "").strip(), attrs.get("title", "").strip())
        outlet = next((n for n in names if n and n != attrs["xmlurl"].strip()), None)
        specs.append(FeedSpec(url=url, outlet=outlet, language=_language(attrs.get("language"))))
    return specs


def write_opml(
    specs: Iterable[FeedSpec], *, title: str = "briefbot feeds", created: dt.datetime | None = None
) -> str:
    """OPML 2.0 with a `language` attribute on outlines that have one (read_opml reads it)."""
    created = created or dt.datetime.now(dt.UTC)
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = email.utils.format_datetime(
        created.astimezone(dt.UTC), usegmt=True
    )
    body = ET.SubElement(root, "body")
    for spec in specs:
        outlet = _NOT_XML.sub("", spec.outlet or "")  # a control character would break the XML
        attrs = {"type": "rss", "text": outlet or spec.url}
        if outlet:
            attrs["title"] = outlet
        attrs["xmlUrl"] = spec.url
        if spec.language:
            attrs["language"] = spec.language
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]


# ----------------------------------------------------------------------------- seeds/feeds.toml

_SPEC_KEYS = ("url", "outlet", "language")


def load_feed_specs(path: Path) -> list[FeedSpec]:
    """`[[feed]]` tables: url, outlet, optional language. FeedError names the file and entry."""
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FeedError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise FeedError(f"{path}: invalid TOML: {exc}") from None
    unknown = sorted(set(doc) - {"feed"})
    if unknown:
        raise FeedError(f"{path}: unknown table {unknown[0]!r} (feeds are [[feed]] tables)")
    tables = doc.get("feed", [])
    if not isinstance(tables, list):
        raise FeedError(f"{path}: 'feed' must be [[feed]] tables")
    specs: list[FeedSpec] = []
    for number, table in enumerate(tables, start=1):
        try:
            spec = _spec(table)
            if any(spec.url == other.url for other in specs):
                raise FeedError(f"duplicate url {spec.url}")
        except FeedError as exc:
            raise FeedError(f"{path}: feed {number}: {exc}") from None
        specs.append(spec)
    return specs


def _spec(table: Any) -> FeedSpec:
    if not isinstance(table, dict):
        raise FeedError("not a table")
    unknown = sorted(set(table) - set(_SPEC_KEYS))
    if unknown:
        raise FeedError(f"unknown key {unknown[0]!r} (expected {', '.join(_SPEC_KEYS)})")
    url = clean_url(table.get("url"))
    if not url:
        raise FeedError(f"url must be an http(s) url, not {table.get('url')!r}")
    outlet = table.get("outlet")
    if not isinstance(outlet, str) or not outlet.strip():
        raise FeedError("outlet must be a non-empty string")
    language = table.get("language")
    if language is not None and _language(language) != language:  # "EN", "en-US", "kor": no
        raise FeedError(f"language must be an ISO 639-1 code such as 'en', not {language!r}")
    return FeedSpec(url=url, outlet=outlet.strip(), language=language)

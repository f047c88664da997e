"""Readers: one input file -> RawArticles, or an IngestError saying why the file was skipped.

Formats (chosen by extension; see `reader_for`):

- the seed dump format, in any text file: a first line ``date YYYY-MM-DD <first sentence>``
  (a leading space or byte-order mark is tolerated), then the body. The first sentence is the
  article's lead: it becomes the title (trimmed to ~120 characters at a word boundary) and stays
  the first sentence of the body.
- plain text and markdown (.txt, .text, .md, .markdown): optional ``---`` front matter or
  ``Title:`` / ``Date:`` / ``Source:`` / ``URL:`` header lines, a markdown ``# heading`` as the
  title. A text file without any date is skipped ("no publication date"): guessing a date would
  put the article in the wrong window of every brief.
- HTML (.html, .htm, .xhtml): main text through trafilatura; title, date, outlet and canonical
  url from the page's metadata.
- JSON (.json: one object, a list, or {"articles": [...]}) and JSON Lines (.jsonl, .ndjson):
  keys url, title, body|text|content, published_at|published|date, source|outlet. A bad record is
  reported on its own (see `read_file_detailed`) and the file's other records are kept.

Encodings: UTF-8 (with or without BOM) and UTF-16 with a BOM are read as such. Bytes that are not
valid UTF-8 are read as cp1252 (a superset of printable latin-1, what legacy Windows and old
scrapers write) only when the result looks like Western text: no C1 control characters, at most
15% non-ASCII characters, and no UTF-8-read-as-cp1252 mojibake. Anything else (Shift-JIS, KOI8-R,
corrupt UTF-8) is reported as undecodable rather than indexed as gibberish. NUL bytes or many
control characters mean a binary file.

Dates become aware UTC datetimes. A date without a time is midnight UTC; a time without an offset
is taken as UTC. dateparser is only the fallback, set so that it never fills a missing part from
today's date (no relative dates, all of day, month and year required).
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import email.utils
import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bot.errors import IngestError
from bot.models import RawArticle

TITLE_LIMIT = 120

TEXT_EXTENSIONS = frozenset({".txt", ".text", ".md", ".markdown"})
HTML_EXTENSIONS = frozenset({".html", ".htm", ".xhtml"})
JSON_EXTENSIONS = frozenset({".json"})
JSONL_EXTENSIONS = frozenset({".jsonl", ".ndjson"})
SUPPORTED_EXTENSIONS = TEXT_EXTENSIONS | HTML_EXTENSIONS | JSON_EXTENSIONS | JSONL_EXTENSIONS

# A problem with one record of a multi-record file: (label such as "file.jsonl:3", reason).
Problem = tuple[str, str]


# ----------------------------------------------------------------------------- entry points


def read_file(path: Path) -> list[RawArticle]:
    """Read one file. Raises IngestError when nothing in it can be used.

    For files holding several records, records that are bad on their own are dropped here;
    use `read_file_detailed` to learn which and why.
    """
    articles, problems = read_file_detailed(path)
    if not articles and problems:
        raise IngestError(_summarise_problems(problems))
    return articles


def read_file_detailed(path: Path) -> tuple[list[RawArticle], list[Problem]]:
    """Read one file: the good articles, and a (label, reason) for each bad record.

    Raises IngestError when the file as a whole is unusable (empty, binary, undecodable,
    unsupported type, no date in a single-article file, malformed JSON document).
    """
    path = Path(path)
    reader = reader_for(path)
    if reader is None:
        raise IngestError(f"unsupported file type {path.suffix or '(no extension)'!r}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read file: {exc.strerror or exc}") from None
    return reader(data, str(path))


def reader_for(path: Path) -> Callable[[bytes, str], tuple[list[RawArticle], list[Problem]]] | None:
    suffix = path.suffix.lower()
    if suffix in TEXT_EXTENSIONS:
        return _single(read_text_bytes)
    if suffix in HTML_EXTENSIONS:
        return _single(read_html_bytes)
    if suffix in JSON_EXTENSIONS:
        return read_json_bytes
    if suffix in JSONL_EXTENSIONS:
        return read_jsonl_bytes
    return None


def _single(
    fn: Callable[[bytes, str], RawArticle],
) -> Callable[[bytes, str], tuple[list[RawArticle], list[Problem]]]:
    def read(data: bytes, source: str) -> tuple[list[RawArticle], list[Problem]]:
        return [fn(data, source)], []

    return read


def _summarise_problems(problems: list[Problem]) -> str:
    if len(problems) == 1:
        return problems[0][1]
    first = problems[0]
    return f"no usable records ({len(problems)} bad; first: {first[0]}: {first[1]})"


# ----------------------------------------------------------------------------- bytes -> text

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Signatures of common binary formats that can hide behind a text extension.
_MAGIC = (
    b"%PDF",
    b"PK\x03\x04",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"\x1f\x8b",
    b"SQLite format 3",
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_C1 = re.compile(r"[\x80-\x9f]")
# UTF-8 bytes read as cp1252 ("Ã©" for "é", "â€™" for "’"): the file is UTF-8 with damage in it.
_MOJIBAKE = re.compile(
    r"Ã[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u2013-\u203a\u20ac\u2122]"
    r"|â€|Â[\u00a0-\u00bf]"
)
_CP1252_MAX_NON_ASCII = 0.15
_BINARY_CONTROL_RATIO = 0.05


def decode_bytes(data: bytes) -> str:
    """Bytes to text with newlines normalised to \\n, or IngestError (empty/binary/undecodable)."""
    if not data.strip():
        raise IngestError("empty file")
    text = None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                raise IngestError(
                    f"undecodable: invalid {encoding.upper()} after its byte-order mark"
                ) from None
            break
    if text is None:
        if data.startswith(_MAGIC) or b"\x00" in data:
            raise IngestError("binary file")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = _decode_legacy(data, exc)
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise IngestError("empty file")
    sample = text[:8192]
    if "\x00" in sample or len(_CONTROL.findall(sample)) > _BINARY_CONTROL_RATIO * len(sample):
        raise IngestError("binary file")
    return text


def _decode_legacy(data: bytes, exc: UnicodeDecodeError) -> str:
    reason = f"undecodable: not UTF-8 (invalid byte 0x{data[exc.start]:02x} at offset {exc.start})"
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise IngestError(reason) from None
    non_ascii = sum(1 for ch in text if ord(ch) > 127)
    if _C1.search(text) or non_ascii > _CP1252_MAX_NON_ASCII * len(text) or _MOJIBAKE.search(text):
        raise IngestError(reason)
    return text


# ----------------------------------------------------------------------------- dates

_ISO_HEAD = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?"
    r"(?:\s*(?:UTC|GMT|Z))?$"
)
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
# Common English forms, tried before dateparser (whose first call loads every locale: seconds).
_FORMATS = (
    "%B %d %Y",  # March 11, 2026 (commas removed)
    "%b %d %Y",
    "%d %B %Y",  # 11 March 2026
    "%d %b %Y",
    "%A %B %d %Y",  # Wednesday, March 11, 2026
    "%A %d %B %Y",
    "%Y/%m/%d",
    "%B %d %Y %H:%M",
    "%d %B %Y %H:%M",
)
# Languages dateparser tries: those of the region the bot follows and of the big wires. Letting
# it detect among all ~200 locales costs seconds on the first call for no gain here.
DATE_LANGUAGES = ("en", "ko", "zh", "ja", "ru", "fr", "de", "es", "pt", "it", "uk", "vi")
_DATEPARSER_SETTINGS: dict[str, Any] = {
    # All three parts must be present, so today's date never fills a gap ("March 2026", "Tuesday").
    "STRICT_PARSING": True,
    # No "yesterday", "3 days ago": those are relative to the clock.
    "PARSERS": ["timestamp", "custom-formats", "absolute-time"],
    "TIMEZONE": "UTC",
    "TO_TIMEZONE": "UTC",
    "RETURN_AS_TIMEZONE_AWARE": True,
}


def parse_date(value: Any) -> dt.datetime | None:
    """A publication date in any common form -> aware UTC datetime, or None if unparseable."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return _as_utc(value)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if isinstance(value, int | float):
        # Epoch seconds; values past the year 5000 in seconds are milliseconds.
        seconds = value / 1000 if abs(value) > 1e11 else value
        try:
            return dt.datetime.fromtimestamp(seconds, dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    with contextlib.suppress(ValueError):
        return _as_utc(dt.datetime.fromisoformat(text))
    head = _ISO_HEAD.match(text)
    if head:
        # "2026-3-11", "2026-03-11 08:00 UTC", "2026-03-11T08:00:00.123456789Z": the parts we trust.
        year, month, day, hour, minute, second = (int(g or 0) for g in head.groups())
        try:
            return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
        except ValueError:
            return None
    with contextlib.suppress(TypeError, ValueError, IndexError):
        return _as_utc(email.utils.parsedate_to_datetime(text))  # RFC 2822, as in RSS
    dotted = _DOTTED.fullmatch(text)
    if dotted:
        # dd.mm.yyyy is day-first wherever it is written; dateparser would read it month-first.
        day, month, year = (int(g) for g in dotted.groups())
        try:
            return dt.datetime(year, month, day, tzinfo=dt.UTC)
        except ValueError:
            return None
    cleaned = " ".join(text.replace(",", " ").split())
    for fmt in _FORMATS:
        with contextlib.suppress(ValueError):
            return dt.datetime.strptime(cleaned, fmt).replace(tzinfo=dt.UTC)
    return _dateparser(text)


def _dateparser(text: str) -> dt.datetime | None:
    import dateparser  # slow to import; only the odd date needs it

    try:
        parsed = dateparser.parse(
            text, languages=list(DATE_LANGUAGES), settings=_DATEPARSER_SETTINGS
        )
    except Exception:  # dateparser raises assorted errors on odd input; unparseable is the answer
        return None
    return _as_utc(parsed) if parsed else None


def _as_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


# ----------------------------------------------------------------------------- shared helpers


def outlet_from_url(url: str | None) -> str | None:
    """'https://www.theguardian.com/world/...' -> 'theguardian.com'."""
    if not url:
        return None
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    return host.removeprefix("www.")


_TRACKING_PARAMS = ("utm_", "fbclid=", "gclid=", "mc_cid=", "mc_eid=", "ocid=", "cmpid=")


def clean_url(url: Any) -> str | None:
    """Strip whitespace, the #fragment and campaign tags (utm_*, fbclid…: the same page either
    way); None for non-urls."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or any(ch.isspace() for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    query = parts.query
    if query:
        # Campaign tags name how a reader arrived, not the article: the same story linked from
        # two feeds, or one feed on two days, must have one url.
        kept = [
            pair for pair in query.split("&")
            if not pair.lower().startswith(_TRACKING_PARAMS) and pair
        ]  # fmt: skip
        query = "&".join(kept)
    return urlunsplit(parts._replace(query=query, fragment=""))


_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")


def first_sentence(text: str) -> str:
    """A cheap first-sentence cut for titles (the real splitter runs later, on the body)."""
    text = " ".join(text.split())
    match = _SENTENCE_END.search(text)
    return text[: match.start()].strip() if match else text


def make_title(text: str, limit: int = TITLE_LIMIT) -> str:
    """Collapse whitespace; trim to `limit` characters at a word boundary with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:–-") + "…"


def _first(record: dict[str, Any], keys: Iterable[str]) -> Any:
    for key in keys:
        value = record.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


# ----------------------------------------------------------------------------- seed dump format

_SEED_FIRST_LINE = re.compile(
    r"^[\ufeff\s]*date\s+"
    r"(\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?)"
    r"(?:\s+(.*))?$",
    re.IGNORECASE,
)


def is_seed_format(text: str) -> bool:
    first = text.lstrip("\ufeff \t\n").split("\n", 1)[0]
    return bool(_SEED_FIRST_LINE.match(first))


def parse_seed_text(text: str, source: str | None = None) -> RawArticle:
    """`date YYYY-MM-DD <first sentence>` then the body."""
    stripped = text.lstrip("\ufeff \t\n")
    first, _, rest = stripped.partition("\n")
    match = _SEED_FIRST_LINE.match(first)
    if not match:
        raise IngestError("not in the seed format (first line 'date YYYY-MM-DD ...')")
    published = parse_date(match.group(1))
    if published is None:
        raise IngestError(f"invalid date {match.group(1)!r} in the first line")
    lead = (match.group(2) or "").strip()
    rest = rest.strip()
    body = f"{lead}\n{rest}".strip() if lead else rest
    if not body:
        raise IngestError("no article text after the date line")
    title = make_title(first_sentence(lead or body))
    return RawArticle(title=title, body=body, published_at=published, source_path=source)


# ----------------------------------------------------------------------------- text & markdown

_HEADER_KEYS = {
    "title": "title",
    "headline": "title",
    "date": "date",
    "published": "date",
    "published_at": "date",
    "published-at": "date",
    "pubdate": "date",
    "source": "outlet",
    "outlet": "outlet",
    "publisher": "outlet",
    "site": "outlet",
    "url": "url",
    "link": "url",
    "canonical": "url",
    "language": "language",
    "lang": "language",
    # Recognised so that they do not end the header block; not stored.
    "author": "",
    "authors": "",
    "by": "",
    "byline": "",
    "tags": "",
    "keywords": "",
    "section": "",
    "category": "",
    "categories": "",
    "summary": "",
    "description": "",
    "id": "",
}
_HEADER_LINE = re.compile(r"^([A-Za-z][A-Za-z_-]*)\s*:\s*(.*)$")
_MD_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
_MD_SETEXT = re.compile(r"^(=+|-+)\s*$")
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_CODE = re.compile(r"`([^`]+)`")


def read_text_bytes(data: bytes, source: str | None = None) -> RawArticle:
    return parse_text(decode_bytes(data), source)


def parse_text(text: str, source: str | None = None) -> RawArticle:
    """Plain text or markdown: seed format, or header/front matter + (heading) + body."""
    if is_seed_format(text):
        return parse_seed_text(text, source)
    meta, lines = _split_header(text.strip("\n").split("\n"))
    title = meta.get("title", "")
    body_lines: list[str] = []
    for i, line in enumerate(lines):
        heading = _MD_HEADING.match(line)
        setext = i + 1 < len(lines) and line.strip() and _MD_SETEXT.match(lines[i + 1])
        if heading or setext:
            if not title and not any(b.strip() for b in body_lines):
                title = heading.group(1) if heading else line.strip()
                if setext:
                    lines[i + 1] = ""
                continue
            if setext:
                lines[i + 1] = ""
            line = heading.group(1) if heading else line  # a subheading stays as a line of text
        body_lines.append(_strip_markdown(line))
    body = "\n".join(body_lines).strip()
    if not body:
        raise IngestError("no article text")
    if title:
        body = drop_repeated_title(title, body)
    else:
        title, body = _title_from_body(body)
    published = None
    if "date" in meta:
        published = parse_date(meta["date"])
        if published is None:
            raise IngestError(f"unparseable publication date {meta['date']!r}")
    if published is None:
        raise IngestError("no publication date")
    url = clean_url(meta.get("url"))
    return RawArticle(
        title=make_title(_strip_markdown(title)),
        body=body,
        published_at=published,
        url=url,
        outlet=meta.get("outlet") or outlet_from_url(url),
        language=meta.get("language") or None,
        source_path=source,
    )


def _split_header(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """Front matter between `---` lines, or leading `Key: value` lines with known keys."""
    meta: dict[str, str] = {}
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start < len(lines) and lines[start].strip() == "---":
        for end in range(start + 1, len(lines)):
            if lines[end].strip() in ("---", "..."):
                for line in lines[start + 1 : end]:
                    _header_item(line, meta)
                return meta, lines[end + 1 :]
        return meta, lines  # no closing fence: not front matter
    i = start
    while i < len(lines):
        if not _header_item(lines[i], meta):
            break
        i += 1
    if i == start:
        return {}, lines
    return meta, lines[i:]


def _header_item(line: str, meta: dict[str, str]) -> bool:
    match = _HEADER_LINE.match(line.strip())
    if not match:
        return False
    key = match.group(1).lower()
    if key not in _HEADER_KEYS:
        return False
    field = _HEADER_KEYS[key]
    value = match.group(2).strip().strip("\"'")
    if field and value and field not in meta:
        meta[field] = value
    return True


def _strip_markdown(line: str) -> str:
    line = re.sub(r"^\s{0,3}>\s?", "", line)  # blockquote marker
    line = _MD_IMAGE.sub(r"\1", line)
    line = _MD_LINK.sub(r"\1", line)
    line = _MD_EMPHASIS.sub(r"\2", line)
    return _MD_CODE.sub(r"\1", line)


def _title_from_body(body: str) -> tuple[str, str]:
    """A short first line standing alone, without a full stop, is a headline; else the lead."""
    first, _, rest = body.partition("\n")
    candidate = first.strip()
    if (
        rest.strip()
        and len(candidate) <= 150
        and not candidate.endswith((".", "!", "?", ":", ";", ","))
        and (rest.startswith("\n") or len(candidate.split()) <= 20)
    ):
        return candidate, rest.strip()
    return first_sentence(body), body


# ----------------------------------------------------------------------------- HTML


def read_html_bytes(
    data: bytes,
    source: str | None = None,
    *,
    require_date: bool = True,
    charset: str | None = None,
) -> RawArticle:
    return parse_html(decode_html(data, charset), source, require_date=require_date)


# Legacy East Asian labels name a subset of what pages really use (browsers decode them as the
# superset): a Korean page labelled EUC-KR holds CP949-only syllables such as 똠.
CHARSET_SUPERSETS = {
    "euc_kr": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "big5": "big5hkscs",
}


def superset_codec(name: str) -> str | None:
    """The Python codec to decode text labelled `name` with, or None for an unknown label."""
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    return CHARSET_SUPERSETS.get(codec.replace("-", "_"), codec)


def decode_html(data: bytes, charset: str | None = None) -> str:
    """HTML bytes to text: BOM, then the page's declared charset, then the HTTP header's
    (`charset`), then the text rules above."""
    if not data.strip():
        raise IngestError("empty file")
    if not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        declared = re.search(
            rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", data[:16384], re.IGNORECASE
        )
        name = declared.group(1).decode("ascii") if declared else (charset or "")
        if name:
            name = superset_codec(name) or ""
            # UTF-8 and the Latin-1 family go to decode_bytes: it tries UTF-8 first, which is
            # what a page labelled ISO-8859-1 by a server default usually is.
            plain = ("utf-8", "utf-16", "utf-32", "ascii", "latin-1", "iso8859-1", "cp1252")
            if name and codecs.lookup(name).name not in plain:
                if b"\x00" in data:
                    raise IngestError("binary file")
                try:
                    return data.decode(name).replace("\r\n", "\n")
                except UnicodeDecodeError:
                    raise IngestError(
                        f"undecodable: not valid {name} as the page declares"
                    ) from None
    return decode_bytes(data)


HTML_MIN_WORDS = 8
_HTML_DATE_PARAMS = {
    "original_date": True,
    "extensive_search": False,  # never guess a date from free text or the file's age
    "max_date": "2999-12-31",  # the default is today's date: domain code never reads the clock
}
_META_DATE_XPATHS = (
    '//meta[@property="article:published_time"]/@content',
    '//meta[@name="article:published_time"]/@content',
    '//meta[@itemprop="datePublished"]/@content',
    '//meta[@name="pubdate" or @name="publishdate" or @name="date" or @name="dc.date"'
    ' or @name="DC.date.issued" or @name="sailthru.date" or @name="parsely-pub-date"]/@content',
    '//*[@itemprop="datePublished"]/@datetime',
    "//article//time/@datetime",
    "//time[@pubdate]/@datetime",
)


def parse_html(html: str, source: str | None = None, *, require_date: bool = True) -> RawArticle:
    """Main text and metadata through trafilatura; the date from page metadata, with time.

    A file without a date is refused (`require_date`); a fetched page may come without one,
    because its caller knows another date (the feed entry's, or the fetch time)."""
    import trafilatura
    from lxml import etree
    from lxml import html as lxml_html

    try:
        tree = lxml_html.document_fromstring(html)
    except (ValueError, etree.ParserError) as exc:
        raise IngestError(f"unparseable HTML: {exc}") from None
    # Metadata first: extraction prunes the tree it is given.
    published_meta = _html_published(tree)
    language = _html_language(tree)
    doc = trafilatura.bare_extraction(
        tree,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        date_extraction_params=dict(_HTML_DATE_PARAMS),
    )
    if doc is None:
        raise IngestError("no article text found in the HTML")
    meta = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    body = (meta.get("text") or "").strip()
    # A few words are a menu or a cookie notice that survived extraction, not an article.
    if len(body.split()) < HTML_MIN_WORDS:
        raise IngestError("no article text found in the HTML")
    published = published_meta or parse_date(meta.get("date"))
    if published is None and require_date:
        raise IngestError("no publication date")
    url = clean_url(meta.get("url"))
    outlet = (meta.get("sitename") or "").strip() or outlet_from_url(url) or None
    title = (meta.get("title") or "").strip() or first_sentence(body)
    body = drop_repeated_title(title, body)
    return RawArticle(
        title=make_title(title),
        body=body,
        published_at=published,
        url=url,
        outlet=outlet,
        language=language or meta.get("language") or None,
        source_path=source,
    )


def _html_published(tree: Any) -> dt.datetime | None:
    """The publication datetime from metadata (trafilatura's date keeps the day only)."""
    for xpath in _META_DATE_XPATHS:
        for value in tree.xpath(xpath):
            parsed = parse_date(str(value))
            if parsed is not None:
                return parsed
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            data = json.loads(script)
        except ValueError:
            continue
        for node in _walk_json(data):
            parsed = parse_date(node.get("datePublished"))
            if parsed is not None:
                return parsed
    return None


def drop_repeated_title(title: str, body: str) -> str:
    """Pages repeat the headline as the first line of the text; keep it once, as the title.

    Left in, a headline (no full stop) would run into the first sentence of the body.
    """
    first, _, rest = body.partition("\n")
    if rest.strip() and _fold(first) == _fold(title):
        return rest.strip()
    return body


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold().rstrip(".")


def _walk_json(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from _walk_json(value)
    elif isinstance(data, list):
        for value in data:
            yield from _walk_json(value)


def _html_language(tree: Any) -> str | None:
    lang = tree.get("lang") or ""
    lang = lang.split("-")[0].strip().lower()
    return lang or None


# ----------------------------------------------------------------------------- JSON & JSON Lines

_URL_KEYS = ("url", "link", "canonical_url", "href")
_TITLE_KEYS = ("title", "headline", "name")
_BODY_KEYS = ("body", "text", "content", "article", "full_text", "description", "summary")
_DATE_KEYS = (
    "published_at",
    "published",
    "date",
    "pubDate",
    "pub_date",
    "datePublished",
    "created_at",
)
_OUTLET_KEYS = ("source", "outlet", "publisher", "site_name", "sitename", "site")
_LANGUAGE_KEYS = ("language", "lang")
_LIST_KEYS = ("articles", "items", "records", "data", "results")
_HTML_TAG = re.compile(r"<(p|div|br|span|a|em|strong|b|i|ul|li|h[1-6])\b[^>]*>", re.IGNORECASE)


def read_json_bytes(data: bytes, source: str) -> tuple[list[RawArticle], list[Problem]]:
    text = decode_bytes(data)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(f"invalid JSON: {exc.msg} (line {exc.lineno})") from None
    if isinstance(doc, dict):
        nested = next((doc[k] for k in _LIST_KEYS if isinstance(doc.get(k), list)), None)
        if nested is not None and not _first(doc, _BODY_KEYS):
            records: list[Any] = nested
            labels = [f"{source}[{i}]" for i in range(len(records))]
        else:
            records, labels = [doc], [source]
    elif isinstance(doc, list):
        records = doc
        labels = [f"{source}[{i}]" for i in range(len(records))]
    else:
        raise IngestError("JSON is neither an article object nor a list of them")
    if not records:
        raise IngestError("empty JSON list")
    return _records(zip(labels, records, strict=True), source)


def read_jsonl_bytes(data: bytes, source: str) -> tuple[list[RawArticle], list[Problem]]:
    text = decode_bytes(data)
    pairs: list[tuple[str, Any]] = []
    problems: list[Problem] = []
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        label = f"{source}:{lineno}"
        try:
            pairs.append((label, json.loads(line)))
        except json.JSONDecodeError as exc:
            problems.append((label, f"invalid JSON: {exc.msg}"))
    articles, bad = _records(pairs, source)
    # Both kinds of problem in line order, so the report reads like the file.
    return articles, sorted(problems + bad, key=lambda p: _label_order(p[0]))


def _records(
    pairs: Iterable[tuple[str, Any]], source: str
) -> tuple[list[RawArticle], list[Problem]]:
    articles: list[RawArticle] = []
    problems: list[Problem] = []
    for label, record in pairs:
        try:
            # The record's own label ("file.jsonl:3") says where it came from.
            articles.append(parse_record(record, label))
        except IngestError as exc:
            problems.append((label, str(exc)))
    return articles, problems


def _label_order(label: str) -> tuple[int, str]:
    match = re.search(r"(?::(\d+)|\[(\d+)\])$", label)
    return (int(match.group(1) or match.group(2)) if match else 0, label)


def parse_record(record: Any, source: str | None = None) -> RawArticle:
    """One JSON object -> RawArticle (IngestError says what is missing)."""
    if not isinstance(record, dict):
        raise IngestError(f"record is a JSON {type(record).__name__}, not an object")
    url = clean_url(_first(record, _URL_KEYS))
    title = _as_text(_first(record, _TITLE_KEYS))
    body = _as_text(_first(record, _BODY_KEYS))
    if body and _HTML_TAG.search(body):
        body = html_to_text(body)
    if not body and not title:
        raise IngestError("no title or body text")
    if not body:
        body = title  # a headline-only record (some feeds) is still searchable
    elif title:
        body = drop_repeated_title(title, body)
    raw_date = _first(record, _DATE_KEYS)
    if raw_date is None:
        raise IngestError("no publication date")
    published = parse_date(raw_date)
    if published is None:
        raise IngestError(f"unparseable publication date {raw_date!r}")
    outlet_value = _first(record, _OUTLET_KEYS)
    if isinstance(outlet_value, dict):  # NewsAPI style: "source": {"id": ..., "name": ...}
        outlet_value = _first(outlet_value, ("name", "title", "id"))
    outlet = _as_text(outlet_value) or outlet_from_url(url)
    language = _as_text(_first(record, _LANGUAGE_KEYS)) or None
    return RawArticle(
        title=make_title(title or first_sentence(body)),
        body=body,
        published_at=published,
        url=url,
        outlet=outlet or None,
        language=language,
        source_path=source,
    )


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(_as_text(v) for v in value if v is not None).strip()
    if isinstance(value, dict):
        return _as_text(_first(value, ("text", "value", "name")))
    return str(value).strip()


def html_to_text(html: str) -> str:
    """An HTML fragment (a feed's content) -> text with one line per block."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        fragment = lxml_html.fragment_fromstring(html, create_parent="div")
    except (ValueError, etree.ParserError):
        return re.sub(r"<[^>]+>", " ", html).strip()
    for br in fragment.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for block in fragment.iter("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"):
        block.tail = "\n" + (block.tail or "")
    lines = (" ".join(line.split()) for line in fragment.text_content().split("\n"))
    return "\n".join(line for line in lines if line)

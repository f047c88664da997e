"""Plain-text helpers for the fallback path: HTML chunk -> plain text, and UTF-16-aware splitting.

Telegram counts message length in UTF-16 code units, so an emoji or a CJK extension character can
count twice; Python's len() counts code points.
"""

from __future__ import annotations

import html
import re

TELEGRAM_LIMIT = 4096

_LINK = re.compile(r"""<a\s[^>]*?href\s*=\s*(["'])(.*?)\1[^>]*>(.*?)</a\s*>""", re.I | re.S)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_BREAKS = ("\n\n", "\n", ". ", "; ", ", ", " ")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


def html_to_plain(chunk: str) -> str:
    """Telegram HTML (possibly malformed) as readable plain text; links keep their URL."""

    def link(m: re.Match[str]) -> str:
        url, label = html.unescape(m.group(2)), _TAG.sub("", m.group(3))
        label_text = html.unescape(label).strip()
        return label if not url or label_text == url else f"{label} ({html.escape(url)})"

    text = _LINK.sub(link, chunk)
    return html.unescape(_TAG.sub("", text))


def split_plain(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split `text` into pieces of at most `limit` UTF-16 units, at the most natural boundary."""
    text = text.strip()
    if not text:
        return []
    pieces: list[str] = []
    while utf16_len(text) > limit:
        head = _prefix_within(text, limit)
        cut = -1
        for sep in _BREAKS:
            at = head.rfind(sep)
            # A boundary in the first half would make a stub; look for a weaker one instead.
            if at > len(head) // 2:
                cut = at + len(sep)
                break
        if cut <= 0:
            cut = len(head)
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return pieces


def _prefix_within(text: str, limit: int) -> str:
    """The longest prefix of `text` of at most `limit` UTF-16 units, never halving a character."""
    units = 0
    for i, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit:
            return text[:i]
    return text

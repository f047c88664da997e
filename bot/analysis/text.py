"""Normalising article text and hashing its content for de-duplication."""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Characters that render as nothing or as a plain space but defeat regexes and FTS tokenising.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES = re.compile(r"[^\S\n]+")  # any whitespace except newline (incl. NBSP, thin space)
_BLANK_RUN = re.compile(r"\n{3,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# An apostrophe-like mark between letters ("China’s", "don’t") or closing a plural possessive
# ("countries’ borders"). Only these are rewritten: they are never quotation marks, so turning
# them into ASCII ' changes no meaning and lets regexes match "China's" once. Opening and
# closing quotation marks stay as the outlet wrote them (they carry who said what).
_APOSTROPHE = re.compile(r"(?<=\w)[\u2019\u02bc\u2018`´](?=\w)|(?<=s)\u2019(?=\s)")
_WORD = re.compile(r"\w+", re.UNICODE)


def normalise_text(s: str) -> str:
    """Unicode NFC, one space between words, paragraph breaks kept (at most one blank line)."""
    s = unicodedata.normalize("NFC", s).translate(_INVISIBLE)
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    s = s.replace("\u2028", "\n").replace("\u2029", "\n\n")
    s = _CONTROL.sub("", s)
    s = _APOSTROPHE.sub("'", s)
    s = _SPACES.sub(" ", s)
    s = "\n".join(line.strip() for line in s.split("\n"))
    s = _BLANK_RUN.sub("\n\n", s)
    return s.strip()


def _fold(s: str) -> str:
    # NFKD then dropping combining marks: "São" and "Sao", "ﬁ" and "fi" hash alike.
    decomposed = unicodedata.normalize("NFKD", s.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def content_hash(title: str, body: str) -> str:
    """Hash of the case-folded words of title and body.

    Punctuation, quote styles, whitespace, case and accents do not count, so syndicated copies
    that differ only in typography hash the same; any change of wording does not.
    """
    words = [*_WORD.findall(_fold(title)), "\x00", *_WORD.findall(_fold(body))]
    return hashlib.blake2b(" ".join(words).encode("utf-8"), digest_size=16).hexdigest()

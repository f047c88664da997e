"""Building FTS5 MATCH expressions. Every piece of user text reaches FTS5 through here.

Each term is emitted as an FTS5 string ("..." with inner quotes doubled), so operators such as
NEAR, AND, NOT, column filters (`title:`), `^` and `*` typed by a user are plain words to FTS5.
The only syntax we pass through on purpose: "quoted phrases", a leading `-` to exclude a word,
`OR` between terms, and a trailing `*` for a prefix of at least two letters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.errors import QueryError

# unicode61 splits on anything that is not a letter or digit: a term with none of them
# matches nothing and FTS5 rejects an empty phrase in some positions.
_WORD = re.compile(r"\w", re.UNICODE)
# Longest query we accept from a user, in terms: FTS5 cost grows with the term count.
MAX_TERMS = 32


def quote(term: str) -> str:
    """One FTS5 string literal: a word or a phrase, matched as tokens in order."""
    return '"' + term.replace('"', '""') + '"'


def any_of(phrases: Iterable[str]) -> str:
    """`"a" OR "b c"` over the phrases that contain something searchable ("" if none)."""
    seen: dict[str, str] = {}  # case-folded -> first spelling seen (FTS5 matching ignores case)
    for phrase in phrases:
        phrase = " ".join(phrase.split())
        if _WORD.search(phrase):
            seen.setdefault(phrase.casefold(), phrase)
    parts = [quote(p) for p in seen.values()]
    if len(parts) > 1:
        return "(" + " OR ".join(parts) + ")"
    return parts[0] if parts else ""


def all_of(*exprs: str) -> str:
    """Every non-empty expression must match."""
    parts = [e for e in exprs if e]
    if len(parts) == 1:
        return parts[0]
    return " AND ".join(f"({e})" if not _is_grouped(e) else e for e in parts)


def not_(expr: str) -> str:
    """`NOT (expr)`, to append to a positive expression: FTS5's NOT is binary (`a NOT b`)."""
    return f"NOT ({expr})" if expr else ""


def exclude(expr: str, excluded: str) -> str:
    """`expr` without the documents matching `excluded`."""
    if not excluded:
        return expr
    return f"({expr}) {not_(excluded)}"


_SIMPLE = re.compile(r'^(?:"(?:[^"]|"")*"\*?|\((?:"(?:[^"]|"")*"|\s+OR\s+)+\))$')


def _is_grouped(expr: str) -> bool:
    """A lone term or a parenthesised OR of terms needs no extra parentheses."""
    return bool(_SIMPLE.match(expr))


_TOKEN = re.compile(r'(-?)"([^"]*)("?)|(\S+)')


def user_query(text: str) -> str:
    """Turn what a user typed into a safe MATCH expression.

    Words are ANDed; `OR` between two terms makes them alternatives; `"a phrase"` stays a phrase
    (an unbalanced quote runs to the end); `-word` excludes; `word*` is a prefix. Everything
    else is literal. Raises QueryError when nothing searchable remains.
    """
    groups: list[list[str]] = []  # AND of OR-groups
    excluded: list[str] = []
    pending_or = False
    for match in _TOKEN.finditer(text):
        neg, phrase, _closed, bare = match.groups()
        if bare is not None:
            if bare == "OR":
                pending_or = bool(groups)
                continue
            neg = "-" if bare.startswith("-") and len(bare) > 1 else ""
            bare = bare[1:] if neg else bare
            term = _bare_term(bare)
        else:
            term = quote(" ".join(phrase.split())) if _WORD.search(phrase) else None
        if term is None:
            continue
        if neg:
            excluded.append(term)
        elif pending_or and groups:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = False
        if len(groups) + len(excluded) > MAX_TERMS:
            raise QueryError(f"That query is too long: use at most {MAX_TERMS} words.")
    if not groups:
        if excluded:
            raise QueryError("Say what to look for, not only what to leave out.")
        raise QueryError("There is nothing to search for in that query.")
    positive = " AND ".join(g[0] if len(g) == 1 else "(" + " OR ".join(g) + ")" for g in groups)
    if excluded:
        positive = exclude(positive, " OR ".join(excluded))
    return positive


def _bare_term(word: str) -> str | None:
    """A typed word as an FTS5 term; `word*` keeps its prefix star when the stem is a real word."""
    prefix = word.endswith("*")
    stem = word.rstrip("*")
    # Keep letters and digits runs only: "N.Korea" -> "N Korea" as a phrase, which is exactly
    # how unicode61 tokenises the indexed text.
    tokens = re.findall(r"\w+", stem, re.UNICODE)
    if not tokens:
        return None
    term = quote(" ".join(tokens))
    if prefix and len(tokens) == 1 and len(tokens[0]) >= 2:
        term += "*"
    return term

"""Resolving the dates a news sentence gives, against the article's publication date.

Cheap regexes find candidate expressions; each is resolved deterministically (weekday and
relative forms in particular, which dateparser gets wrong in news: "on Tuesday" in a past-tense
sentence, "after six years"). dateparser (~10 ms a call) runs only on the rare numeric forms the
rules leave over ("03/12/2026").

Precision is day, month or year (bot.models.Precision). A week has no precision of its own, so
"this week", "next week", "last week", "two weeks ago" and "this weekend" resolve to the smallest
calendar period that contains the whole week (or weekend): its month, or its year when the week
straddles two months, precision widening once more when it straddles two years. That never
claims more than the text says, a day of that week is always compatible with it, and a plan made
for "this week" is never called overdue before the week is certainly over.

Durations are not dates: "after six years", "for two months", "six years after their
suspension" give no DateRef here; `find_durations` reports them so callers that know the anchor
(events.py) can turn "six years after their suspension" into a year.

Tense decides direction for expressions that name no year: a weekday or a month name alone
looks back from the publication date in a past-tense context and forward in a future one.
The context is read locally around each expression (the verb governing "said on Tuesday" is
not the one governing "leaving on Thursday"); `tense_hint` ("past" | "future") fills in when the
local context says nothing.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from bot.models import DateRef

Tense = Literal["past", "future"]

# ----------------------------------------------------------------------------- vocabulary

_MONTHS: dict[str, int] = {}
for _i, _name in enumerate(calendar.month_name):
    if _name:
        _MONTHS[_name.lower()] = _i
        _MONTHS[_name[:3].lower()] = _i
_MONTHS["sept"] = 9
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_WEEKDAYS.update({name[:3].lower(): i for i, name in enumerate(calendar.day_name)})
_WEEKDAYS.update({"tues": 1, "wed": 2, "thur": 3, "thurs": 3})

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "a couple of": 2, "a dozen": 12,
}  # fmt: skip

_MON = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_MON_DOT = _MON + r"\.?"
_WD = r"(?:mon|tue(?:s)?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?"
_WD_FULL = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?!\d|:|\.\d)"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_NUM = (
    r"(?:\d{1,3}|a couple of|a dozen|"
    + "|".join(sorted((w for w in _NUMBER_WORDS if " " not in w), key=len, reverse=True))
    + ")"
)
_UNIT = r"(?:day|week|fortnight|month|year|decade)s?"
_PART = r"(?:morning|afternoon|evening|night)"
_MOD = r"(?:(?:the\s+)?(?:early|late|mid|end\s+of|beginning\s+of|start\s+of|middle\s+of)[\s-]+)"

# One alternation, longest forms first: at any position the first alternative that matches
# wins, and finditer never returns overlapping matches.
_CANDIDATES = re.compile(
    r"\b(?:"
    # 2026-03-12
    r"(?P<iso>(?:19|20)\d\d-[01]\d-[0-3]\d)(?!\d)"
    # [Thursday,] March 12[th][, 2026]
    rf"|(?P<md>(?:(?P<md_wd>{_WD_FULL}),?\s+)?(?P<md_mon>{_MON_DOT})\s+(?P<md_day>{_DAY})"
    rf"(?:,?\s+(?P<md_year>{_YEAR})(?!\d))?)"
    # [Thursday,] [the] 12[th] [of] March[,] [2026]
    rf"|(?P<dm>(?:(?P<dm_wd>{_WD_FULL}),?\s+)?(?:the\s+)?(?P<dm_day>{_DAY})\s+(?:of\s+)?"
    rf"(?P<dm_mon>{_MON})\b\.?(?:,?\s+(?P<dm_year>{_YEAR})(?!\d))?)"
    # [early] January [of] 2020
    rf"|(?P<my>{_MOD}?(?P<my_mon>{_MON})\.?,?\s+(?:of\s+)?(?P<my_year>{_YEAR})(?![\d,]\d))"
    # October of next year, March this year
    rf"|(?P<myrel>(?P<myrel_mon>{_MON})\.?\s+(?:of\s+)?(?P<myrel_mod>this|last|next)\s+year)"
    # 03/12/2026, 12.03.2026 (left to dateparser)
    r"|(?P<numeric>[0-3]?\d[/.][01]?\d[/.](?:19|20)?\d\d)(?![\d/.]\d)"
    # yesterday, today, tonight, this morning, last night
    rf"|(?P<deictic>yesterday|today|tonight|tomorrow|this\s+{_PART}|last\s+night)\b"
    # N days/weeks/months/years ago
    rf"|(?P<ago>(?P<ago_n>{_NUM})\s+(?P<ago_unit>{_UNIT})\s+ago)\b"
    # [the] [end of] this/last/next week|weekend|month|year
    rf"|(?P<rel>{_MOD}?(?P<rel_mod>this|last|next|the\s+coming"
    rf"|earlier\s+this|later\s+this|early\s+this|early\s+next|late\s+last|late\s+this)"
    rf"\s+(?P<rel_unit>week(?:end)?|month|year|quarter|decade|spring|summer|autumn|fall|winter))\b"
    # in two weeks / in six months (a future offset; "first time in six years" is excluded below)
    rf"|(?P<in>in\s+(?P<in_n>{_NUM})\s+(?P<in_unit>{_UNIT}))\b(?!\s+(?:ago|of|since|after|before|time))"
    # [last|next|this|on] Tuesday [morning]
    rf"|(?P<wd>(?:(?P<wd_mod>last|next|this|coming|past|previous)\s+)?(?P<wd_day>{_WD_FULL})"
    rf"(?:'s)?(?:\s+{_PART})?)\b"
    # [in|since|early|last] March (month name alone)
    rf"|(?P<mon>(?:(?P<mon_mod>last|next|this|since|in|until|by|from|during|of|before|after"
    rf"|early|late|mid|end\s+of|beginning\s+of|start\s+of|middle\s+of)[\s-]+)?(?:the\s+)?"
    rf"(?P<mon_name>{_MON})\b(?!\.?\s*\d)(?!-\w)(?!\s+(?:of\s+)?(?:this|last|next)\s+year))"
    # [since|in|early] 2020
    rf"|(?P<year>(?:(?P<year_mod>since|early|late|mid|end\s+of|beginning\s+of|start\s+of)[\s-]+)?"
    rf"(?P<year_val>{_YEAR}))(?!s\b|\d|[,.]\d|%|-\d|–\d|/\d)"
    r")",
    re.IGNORECASE,
)

# Words after a bare number that make it a quantity rather than a year ("2020 passengers").
_QUANTITY_AFTER = re.compile(
    r"\s*(?:people|persons|passengers|tourists|workers|troops|soldiers|jobs|cars|vehicles|units"
    r"|tons|tonnes|km|kilometres|kilometers|miles|metres|meters|feet|ft|m|kg|mw|gw|yuan|won|"
    r"dollars|euros|rubles|roubles|barrels|flights|trains|trips|visitors|seats|tickets|"
    r"employees|staff|dealerships|shares|points|votes|cases|deaths|hours|minutes|pounds)\b",
    re.IGNORECASE,
)
_CURRENCY_BEFORE = re.compile(
    r"(?:[$€£¥₩]|\b(?:no|number|route|flight|train|room|at|about|some"
    r"|nearly|almost|over|around|than)\.?)\s*$",
    re.IGNORECASE,
)

# Durations: never dates. "after six years", "for two months", "six years after", "the past
# nine days", "over a decade", "a six-year hiatus".
_DURATION = re.compile(
    rf"\b(?:(?P<pre>after|for|over|within|nearly|almost|about|around|more\s+than|less\s+than"
    rf"|the\s+past|the\s+last|the\s+next|the\s+first\s+time\s+in|first\s+time\s+in|in\s+the\s+past"
    rf"|in\s+the\s+last|in\s+over|in\s+more\s+than|in\s+nearly|in\s+almost)\s+)?"
    rf"(?P<n>{_NUM})[\s-]+(?P<unit>day|week|fortnight|month|year|decade)s?"
    rf"(?P<post>\s+(?:after|later|earlier|before|since|of|long|old|-?long))?\b",
    re.IGNORECASE,
)

# ----------------------------------------------------------------------------- tense cues

# Nearest cue before an expression decides; these are read within the same clause.
_FUTURE_CUE = re.compile(
    r"\b(?:will|won't|shall|should|must|(?-i:may)|might|could(?!\s+(?:not\s+)?have\b)"
    r"|is\s+to|are\s+to|was\s+to|were\s+to|set\s+to"
    r"|scheduled|slated|due\s+to|expected\s+to|expects?|plans?|planned|planning|aims?\s+to"
    r"|going\s+to|would|intends?\s+to|to\s+(?:be|resume|restart|reopen|open|start|begin|launch|run"
    r"|operate|leave|depart|arrive|take|hold|hit|go|close|stop|end|return)|upcoming|coming|next"
    r"|leaves|departs|arrives|opens|starts|begins|resumes|runs|reopens|returns|launches"
    r"|takes\s+effect|is\s+leaving|are\s+leaving|'ll)\b",
    re.IGNORECASE,
)
_PAST_CUE = re.compile(
    # After "be" a participle is no past: "would be held in October".
    r"\b(?<!\bbe\s)(?:said|says|told|tells|reported|announced|confirmed|stated|added|noted"
    r"|wrote|was|were|had|did|been|ago|last|earlier|previously|already|began|left|ran|took|held|went|came|saw"
    r"|fell|rose|grew|lost|won|made|[a-z]{2,}ed)\b",
    re.IGNORECASE,
)
# Prepositions right before an expression point one way whatever the verb ("since Monday",
# "until Friday", "as early as March").
_FUTURE_PREP = re.compile(
    r"\b(?:until|till|starting|beginning|as\s+early\s+as|no\s+later\s+than"
    r"|by)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_PAST_PREP = re.compile(
    r"\b(?:since|as\s+recently\s+as|as\s+late\s+as)\s+(?:the\s+)?$", re.IGNORECASE
)
_CLAUSE_STOP = re.compile(
    r"[;:()\[\]\"“”]|\s[-–—]\s|,\s+(?:but|while|though|although|whereas)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class DateMatch:
    """A date expression found in a sentence: where it is and what it resolves to."""

    start: int
    end: int
    ref: DateRef
    # "since 2020": the start of a state that still holds; "until May": an end.
    relation: Literal["at", "since", "until"] = "at"


@dataclass(frozen=True)
class Duration:
    """A length of time named in a sentence ("six years"), with its position."""

    start: int
    end: int
    amount: int
    unit: Literal["day", "week", "month", "year"]
    text: str
    # The word before or after that says how it relates: "after", "for", "ago"-less "since" ...
    pre: str = ""
    post: str = ""


# ----------------------------------------------------------------------------- helpers


def _as_date(published: dt.datetime | dt.date) -> dt.date:
    return published.date() if isinstance(published, dt.datetime) else published


def _number(text: str) -> int | None:
    text = " ".join(text.lower().split())
    if text.isdigit():
        return int(text)
    return _NUMBER_WORDS.get(text)


def _add_months(d: dt.date, months: int) -> dt.date:
    total = d.year * 12 + (d.month - 1) + months
    year, month = divmod(total, 12)
    return dt.date(year, month + 1, min(d.day, calendar.monthrange(year, month + 1)[1]))


def _container(first: dt.date, last: dt.date, text: str) -> DateRef:
    """The smallest calendar period (month, else year) holding every day from first to last."""
    if (first.year, first.month) == (last.year, last.month):
        return DateRef(first.replace(day=1), "month", text)
    if first.year == last.year:
        return DateRef(dt.date(first.year, 1, 1), "year", text)
    # A week across New Year: the year most of its days fall in (ISO week-numbering rule).
    thursday = first + dt.timedelta(days=(3 - first.weekday()) % 7)
    return DateRef(dt.date(thursday.year, 1, 1), "year", text)


def _week_ref(anchor: dt.date, text: str) -> DateRef:
    monday = anchor - dt.timedelta(days=anchor.weekday())
    return _container(monday, monday + dt.timedelta(days=6), text)


def period_end(ref: DateRef) -> dt.date:
    """Last day of the period a DateRef names."""
    v = ref.value
    if ref.precision == "day":
        return v
    if ref.precision == "month":
        return v.replace(day=calendar.monthrange(v.year, v.month)[1])
    return dt.date(v.year, 12, 31)


def period_start(ref: DateRef) -> dt.date:
    """First day of the period a DateRef names."""
    v = ref.value
    if ref.precision == "day":
        return v
    if ref.precision == "month":
        return v.replace(day=1)
    return dt.date(v.year, 1, 1)


def _clause_bounds(sentence: str, start: int, end: int) -> tuple[int, int]:
    lo, hi = 0, len(sentence)
    for m in _CLAUSE_STOP.finditer(sentence):
        if m.end() <= start:
            lo = m.end()
        elif m.start() >= end:
            hi = m.start()
            break
    return lo, hi


def local_tense(sentence: str, start: int, end: int, hint: Tense | None = None) -> Tense | None:
    """Past or future for the expression at [start, end), from the nearest verb cue around it."""
    lo, hi = _clause_bounds(sentence, start, end)
    before = sentence[max(lo, start - 70) : start]
    if _PAST_PREP.search(before):
        return "past"
    if _FUTURE_PREP.search(before):
        return "future"
    best: tuple[int, Tense] | None = None
    for regex, tense in ((_FUTURE_CUE, "future"), (_PAST_CUE, "past")):
        for m in regex.finditer(before):
            if best is None or m.start() > best[0] or (m.start() == best[0] and tense == "future"):
                best = (m.start(), tense)  # type: ignore[assignment]
    if best is not None:
        return best[1]
    after = sentence[end : min(hi, end + 50)]
    first: tuple[int, Tense] | None = None
    for regex, tense in ((_FUTURE_CUE, "future"), (_PAST_CUE, "past")):
        m = regex.search(after)
        if m and (first is None or m.start() < first[0]):
            first = (m.start(), tense)  # type: ignore[assignment]
    if first is not None:
        return first[1]
    return hint


# ----------------------------------------------------------------------------- resolvers


def _weekday(pub: dt.date, weekday: int, mod: str, tense: Tense | None) -> dt.date:
    back = (pub.weekday() - weekday) % 7  # days since the last such weekday (0 = today)
    ahead = (weekday - pub.weekday()) % 7
    mod = mod.lower()
    if mod == "last" or mod == "past" or mod == "previous":
        return pub - dt.timedelta(days=back or 7)
    if mod == "next" or mod == "coming":
        return pub + dt.timedelta(days=ahead or 7)
    if tense == "future":
        return pub + dt.timedelta(days=ahead)
    # News reports what happened: with no future cue, "on Tuesday" is the latest Tuesday,
    # the publication day itself included (Guardian style names today's weekday).
    return pub - dt.timedelta(days=back)


def _month_day(
    pub: dt.date, month: int, day: int, year: int | None, weekday: int | None, tense: Tense | None
) -> dt.date | None:
    if year is not None:
        try:
            return dt.date(year, month, day)
        except ValueError:
            return None
    options: list[tuple[float, dt.date]] = []
    for y in (pub.year - 1, pub.year, pub.year + 1):
        try:
            d = dt.date(y, month, day)
        except ValueError:
            continue
        delta = (d - pub).days
        # The nearest occurrence, pushed the way the tense points: a month-and-day is almost
        # always within months of publication, so distance dominates and tense breaks ties.
        cost = abs(delta) + (120 if (tense == "future" and delta < -1) else 0)
        cost += 120 if (tense == "past" and delta > 1) else 0
        if weekday is not None and d.weekday() != weekday:
            cost += 400
        options.append((cost, d))
    return min(options)[1] if options else None


def _month_only(pub: dt.date, month: int, mod: str, tense: Tense | None) -> dt.date:
    mod = " ".join(mod.lower().split())
    this_year = dt.date(pub.year, month, 1)
    last = this_year if month < pub.month else dt.date(pub.year - 1, month, 1)
    nxt = this_year if month > pub.month else dt.date(pub.year + 1, month, 1)
    if mod == "last":
        return last
    if mod == "next":
        return nxt
    if mod in {"this"} or month == pub.month:
        return this_year
    if mod == "since":
        return last
    if mod in {"until", "by"}:
        return nxt
    if tense == "future":
        return nxt
    if tense == "past":
        return last
    # No cue: the nearer of the two.
    return last if (pub.month - month) % 12 <= (month - pub.month) % 12 else nxt


def _relative(pub: dt.date, mod: str, unit: str, text: str) -> DateRef | None:
    mod = " ".join(mod.lower().split())
    unit = unit.lower()
    step = 0
    if mod in {"last", "late last"}:
        step = -1
    elif mod in {"next", "the coming", "early next"}:
        step = 1
    if unit == "week":
        return _week_ref(pub + dt.timedelta(days=7 * step), text)
    if unit == "weekend":
        saturday = pub + dt.timedelta(days=(5 - pub.weekday()) % 7)
        if step == -1 or (step == 0 and pub.weekday() == 0):
            saturday -= dt.timedelta(days=7)
        elif step == 1 and pub.weekday() < 5:
            saturday += dt.timedelta(days=7)
        return _container(saturday, saturday + dt.timedelta(days=1), text)
    if unit == "month":
        return DateRef(_add_months(pub.replace(day=1), step), "month", text)
    if unit == "year":
        return DateRef(dt.date(pub.year + step, 1, 1), "year", text)
    # quarters, seasons and decades have no precision of ours; widen to the year when safe.
    if unit in {"quarter", "spring", "summer", "autumn", "fall"}:
        return DateRef(dt.date(pub.year + step, 1, 1), "year", text)
    return None


def _ago(pub: dt.date, n: int, unit: str, text: str, sign: int = -1) -> DateRef | None:
    unit = unit.lower().rstrip("s")
    if unit == "day":
        return DateRef(pub + dt.timedelta(days=sign * n), "day", text)
    if unit in {"week", "fortnight"}:
        # "a week ago" is a point (TimeML reads it as the day seven days back); "in two weeks"
        # is the same offset forward.
        days = 7 * n * (2 if unit == "fortnight" else 1)
        return DateRef(pub + dt.timedelta(days=sign * days), "day", text)
    if unit == "month":
        return DateRef(_add_months(pub.replace(day=1), sign * n), "month", text)
    if unit == "year":
        return DateRef(dt.date(pub.year + sign * n, 1, 1), "year", text)
    if unit == "decade":
        return DateRef(dt.date(pub.year + sign * 10 * n, 1, 1), "year", text)
    return None


@lru_cache(maxsize=1)
def _dateparser() -> object:
    import dateparser  # imported lazily: it costs ~0.5 s and most sentences never need it

    return dateparser


def _numeric(text: str, pub: dt.date, tense: Tense | None) -> DateRef | None:
    parts = re.split(r"[/.]", text)
    first, second = int(parts[0]), int(parts[1])
    # Unambiguous forms are read directly; dateparser settles the rest with its locale rules.
    if first > 12 >= second or second > 12 >= first:
        day, month = (first, second) if first > 12 else (second, first)
        year = int(parts[2])
        year += 2000 if year < 100 else 0
        try:
            return DateRef(dt.date(year, month, day), "day", text)
        except ValueError:
            return None
    settings = {
        "RELATIVE_BASE": dt.datetime.combine(pub, dt.time(12)),
        "PREFER_DATES_FROM": "future" if tense == "future" else "past",
        "REQUIRE_PARTS": ["day", "month", "year"],
    }
    parsed = _dateparser().parse(text, languages=["en"], settings=settings)  # type: ignore[attr-defined]
    return DateRef(parsed.date(), "day", text) if parsed else None


# ----------------------------------------------------------------------------- API


# A wire dateline opening a story: "YEREVAN, Feb 10 (Reuters) - ", "NEW DELHI (PTI) - ",
# "MARGARA, Armenia (AFP) - ", "Frankfurt (dpa) - ". Its date is when the story was filed,
# never when anything in it happened.
_DATELINE = re.compile(
    r"^\s*(?P<place>[A-Z][\w'’.&-]*(?:\s+[A-Z][\w'’.&-]*){0,3})"
    r"(?:\s*,\s*[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,2})?"
    rf"(?:\s*,?\s*(?P<date>(?i:{_MON_DOT}\s+{_DAY}|{_DAY}\s+{_MON_DOT})(?:,?\s+{_YEAR})?))?"
    r"\s*(?P<agency>\([^()]{1,40}\))?\s*(?:[-–—]{1,2}|:)\s+"
)


def dateline_end(sentence: str) -> int:
    """Where a wire dateline at the start of `sentence` ends (0 when there is none)."""
    m = _DATELINE.match(sentence)
    if m is None:
        return 0
    place = m.group("place")
    # A dateline's place is in capitals, or an agency in brackets follows it: "ANKARA - ",
    # "Yerevan (Reuters) - ", never an ordinary "Flights - " heading.
    if not (m.group("agency") or (place.upper() == place and sum(c.isalpha() for c in place) > 2)):
        return 0
    if m.group(0).rstrip().endswith(":") and not m.group("agency"):
        return 0
    return m.end()


def find_dates(
    sentence: str, *, published: dt.datetime | dt.date, tense_hint: str | None = None
) -> list[DateMatch]:
    """Every date expression in `sentence`, resolved, with its character span."""
    pub = _as_date(published)
    hint: Tense | None = tense_hint if tense_hint in ("past", "future") else None  # type: ignore[assignment]
    out: list[DateMatch] = []
    skip = dateline_end(sentence)
    for lo, hi in _windows(sentence):
        for m in _CANDIDATES.finditer(sentence, max(lo, skip), max(hi, skip)):
            resolved = _resolve(sentence, m, pub, hint)
            if resolved is not None:
                out.append(resolved)
    return out


# Every date expression contains one of these tokens. The full pattern (a long alternation
# whose optional lead words, "in", "the", "this", could start anywhere) runs only in windows
# around them: most sentences have few, and the cost falls by an order of magnitude.
_TOKENS = re.compile(r"[A-Za-z]+|\d+")
_ANCHOR_WORDS = frozenset(
    [
        "yesterday",
        "today",
        "tonight",
        "tomorrow",
        "night",
        "morning",
        "afternoon",
        "evening",
        "day",
        "days",
        "week",
        "weeks",
        "weekend",
        "month",
        "months",
        "year",
        "years",
        "quarter",
        "decade",
        "decades",
        "spring",
        "summer",
        "autumn",
        "fall",
        "winter",
        "fortnight",
        "fortnights",
    ]
)
_ANCHOR_CAPITALS = frozenset(
    [
        "jan",
        "feb",
        "mar",
        "apr",
        "may",
        "jun",
        "jul",
        "aug",
        "sep",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
    ]
)


def _windows(sentence: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for tok in _TOKENS.finditer(sentence):
        word = tok.group(0)
        if not (
            word[0].isdigit()
            or word.lower() in _ANCHOR_WORDS
            or (word[0].isupper() and word[:3].lower() in _ANCHOR_CAPITALS)
        ):
            continue
        lo, hi = max(0, tok.start() - 48), min(len(sentence), tok.end() + 32)
        if spans and lo <= spans[-1][1]:
            spans[-1] = (spans[-1][0], hi)
        else:
            spans.append((lo, hi))
    return spans


def resolve_dates(
    sentence: str, *, published: dt.datetime | dt.date, tense_hint: str | None = None
) -> list[DateRef]:
    """The dates `sentence` names, in order, each at its precision (day, month, year)."""
    return [m.ref for m in find_dates(sentence, published=published, tense_hint=tense_hint)]


def find_durations(sentence: str) -> list[Duration]:
    """Lengths of time in `sentence` ("after six years", "six years after"): never dates."""
    out: list[Duration] = []
    for m in _DURATION.finditer(sentence):
        if re.match(r"\s+ago\b", sentence[m.end() :], re.IGNORECASE):
            continue
        n = _number(m.group("n"))
        if n is None:
            continue
        unit = m.group("unit").lower()
        if unit == "fortnight":
            unit, n = "week", 2 * n
        if unit == "decade":
            unit, n = "year", 10 * n
        pre = " ".join((m.group("pre") or "").lower().split())
        post = " ".join((m.group("post") or "").lower().split())
        out.append(Duration(m.start(), m.end(), n, unit, m.group(0), pre, post))  # type: ignore[arg-type]
    return out


def _resolve(sentence: str, m: re.Match[str], pub: dt.date, hint: Tense | None) -> DateMatch | None:
    kind = m.lastgroup if m.lastgroup else ""
    # lastgroup is the last *closed* group; find the outer alternative that matched.
    for name in (
        "iso",
        "md",
        "dm",
        "my",
        "myrel",
        "numeric",
        "deictic",
        "ago",
        "rel",
        "in",
        "wd",
        "mon",
        "year",
    ):
        if m.group(name) is not None:
            kind = name
            break
    start, end = m.span()
    text = m.group(0)
    relation: Literal["at", "since", "until"] = "at"

    def tense() -> Tense | None:
        return local_tense(sentence, start, end, hint)

    ref: DateRef | None = None
    if kind == "iso":
        try:
            ref = DateRef(dt.date.fromisoformat(text), "day", text)
        except ValueError:
            return None
    elif kind in {"md", "dm"}:
        p = kind + "_"
        month = _MONTHS[_month_key(m.group(p + "mon"))]
        day = int(re.match(r"\d+", m.group(p + "day")).group(0))  # type: ignore[union-attr]
        year = int(m.group(p + "year")) if m.group(p + "year") else None
        wd = _WEEKDAYS.get(m.group(p + "wd").lower()) if m.group(p + "wd") else None
        mon_word = m.group(p + "mon")
        if (
            mon_word.lower().rstrip(".") in {"may", "mar", "march", "jun", "sun", "sat"}
            and mon_word[0].islower()
        ):
            return None  # "may 5" in lower case is not a date we trust
        d = _month_day(pub, month, day, year, wd, None if year else tense())
        if d is None:
            return None
        ref = DateRef(d, "day", text)
    elif kind == "my":
        ref = DateRef(
            dt.date(int(m.group("my_year")), _MONTHS[_month_key(m.group("my_mon"))], 1),
            "month",
            text,
        )
    elif kind == "myrel":
        step = {"this": 0, "last": -1, "next": 1}[m.group("myrel_mod").lower()]
        month = _MONTHS[_month_key(m.group("myrel_mon"))]
        ref = DateRef(dt.date(pub.year + step, month, 1), "month", text)
    elif kind == "numeric":
        ref = _numeric(text, pub, tense())
    elif kind == "deictic":
        word = " ".join(text.lower().split())
        offset = {"yesterday": -1, "tomorrow": 1, "last night": -1}.get(word, 0)
        ref = DateRef(pub + dt.timedelta(days=offset), "day", text)
    elif kind == "ago":
        n = _number(m.group("ago_n"))
        ref = _ago(pub, n, m.group("ago_unit"), text) if n else None
    elif kind == "rel":
        ref = _relative(pub, m.group("rel_mod"), m.group("rel_unit"), text)
    elif kind == "in":
        # "in six years" is an offset only in a future context; elsewhere it is a duration
        # ("the first time in six years", "its deepest recession in a decade"), whatever the
        # tense: "opens for the first time in three decades" is no date thirty years on.
        if local_tense(sentence, start, end, hint) != "future" or re.search(
            r"\b(?:first|last|only)\b(?:\s+[\w'-]+){0,3}\s+$|\b(?:\w{3,}est|most|least|worst|best)"
            r"\b(?:\s+[\w'-]+){0,3}\s+$",
            sentence[max(0, start - 40) : start],
            re.IGNORECASE,
        ):
            return None
        n = _number(m.group("in_n"))
        ref = _ago(pub, n, m.group("in_unit"), text, sign=1) if n else None
    elif kind == "wd":
        if re.search(
            r"\b(?:black|cyber|super|good|easter|bloody|ash|palm|holy|boxing)\s+$",
            sentence[max(0, start - 8) : start],
            re.IGNORECASE,
        ):
            return None  # a named day ("Black Monday"), not a date relative to publication
        d = _weekday(pub, _WEEKDAYS[m.group("wd_day").lower()], m.group("wd_mod") or "", tense())
        ref = DateRef(d, "day", text)
    elif kind == "mon":
        name = m.group("mon_name")
        mod = (m.group("mon_mod") or "").lower()
        key = _month_key(name)
        # Month words that are also ordinary words ("may", "march", "sat") need a capital, and
        # the ambiguous ones also a preposition or modifier in front.
        if name[0].islower() or (len(name) <= 3 and name.lower() != "may"):
            return None
        if name.lower() in {"may", "march"} and not mod:
            return None
        if mod in {"of", "from", "after", "before", "by"} and name.lower() in {"may", "march"}:
            return None
        ref = DateRef(_month_only(pub, _MONTHS[key], mod, tense()), "month", text)
        relation = "since" if mod == "since" else "until" if mod in {"until", "by"} else "at"
    elif kind == "year":
        digits = m.start("year_val")
        if digits == start and _CURRENCY_BEFORE.search(sentence[max(0, start - 12) : start]):
            return None
        if _QUANTITY_AFTER.match(sentence, end) or (digits and sentence[digits - 1] in "$€£#"):
            return None
        year = int(m.group("year_val"))
        if year > pub.year + 30:
            return None  # a number, not a year we report on
        ref = DateRef(dt.date(year, 1, 1), "year", text)
        relation = "since" if (m.group("year_mod") or "").lower() == "since" else "at"
    if ref is None:
        return None
    before = sentence[max(0, start - 8) : start].lower()
    if relation == "at" and re.search(r"\bsince\s+$", before):
        relation = "since"
    elif relation == "at" and re.search(r"\b(?:until|till|through)\s+$", before):
        relation = "until"
    return DateMatch(start, end, ref, relation)


def _month_key(word: str) -> str:
    word = word.lower().rstrip(".")
    return word if word in _MONTHS else word[:3]

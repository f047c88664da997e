"""When daily briefs run: local wall-clock times in IANA timezones, across daylight saving.

Pure functions over `now=` (stdlib zoneinfo; no clock, no database, no telegram):

- `parse_local_time("8am")` -> 08:00; `resolve_timezone("seoul")` -> "Asia/Seoul";
- `scheduled_at(day, "08:00", tz)`: the one UTC instant a brief runs on a local date. A wall time
  that does not exist that day (spring forward, 02:30 in Berlin on 2026-03-29) runs at the first
  valid instant after it (03:00 CEST); one that happens twice (fall back) runs at the first;
- `next_run`, `local_date`, and `due`: is today's brief due now, or missed earlier today while
  the bot was down (sent once, late, on the same local day; never for a day that has passed).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.errors import UserError

# Areas of the canonical IANA zone names; "US/Eastern", "Etc/GMT+5" and the like are legacy or
# fixed-offset names, matched exactly but never offered for a bare city.
_AREAS = frozenset(
    {"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe",
     "Indian", "Pacific"}
)  # fmt: skip
# What people type for UTC.
_UTC_ALIASES = frozenset({"utc", "gmt", "z", "zulu", "universal", "utc+0", "gmt+0", "utc0"})
# A UTC offset in whole hours: "UTC+9", "GMT-5", "+09:00", "-0500".
_OFFSET = re.compile(r"(?:utc|gmt)?\s*(?P<sign>[+-])\s*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?", re.I)
_TIME = re.compile(
    r"(?P<h>\d{1,2})(?:[:.h](?P<m>\d{2}))?\s*(?P<suffix>am|a\.m\.|pm|p\.m\.|h)?", re.I
)
# Area/City[/More]: "Europe/Berlin", "america/argentina/buenos_aires", "Etc/GMT-9".
_ZONE_PATH = re.compile(r"[a-z]+(?:/[a-z0-9_+-]+)+")
SUGGESTION_CUTOFF = 75
SUGGESTION_SPREAD = 8  # points below the best suggestion still worth offering


class TimezoneNotFound(UserError):
    """A timezone we cannot resolve; `suggestions` are close IANA names."""

    def __init__(self, message: str, query: str, suggestions: list[str]) -> None:
        super().__init__(message)
        self.query = query
        self.suggestions = suggestions


class BadTime(UserError):
    """A local time we cannot read."""


class Schedulable(Protocol):
    """What `due` needs of a subscription (bot.models.Subscription has it)."""

    local_time: str | None
    created_at: dt.datetime

    @property
    def effective_timezone(self) -> str: ...


# ----------------------------------------------------------------------------- parsing


def parse_local_time(text: str) -> dt.time:
    """'08:00', '8:00', '8', '8am', '8:30 pm', '12am' (midnight), '20h', '20h30', '8.30'."""
    match = _TIME.fullmatch((text or "").strip())
    if match is None:
        raise BadTime(f"I can't read “{text}” as a time of day. Try 08:00, 8am or 20h.")
    hour, minute = int(match.group("h")), int(match.group("m") or 0)
    suffix = (match.group("suffix") or "").lower().replace(".", "")
    if suffix in ("am", "pm"):
        if not 1 <= hour <= 12:
            raise BadTime(f"“{text}”: with am/pm the hour is 1 to 12.")
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        raise BadTime(f"“{text}” is not a time of day: hours go 0-23, minutes 0-59.")
    return dt.time(hour, minute)


def looks_like_time(text: str) -> bool:
    """Whether a word is meant as a time ("8am", "08:00", "20h"), valid or not ("25:00").

    A bare number is not: "/subscribe g 20" names a topic. Callers parse it to learn if valid.
    """
    match = _TIME.fullmatch(text.strip())
    return match is not None and bool(match.group("m") or match.group("suffix"))


def looks_like_zone(text: str) -> bool:
    """Whether a word can only be meant as a timezone: an Area/City path, UTC/GMT, an offset.

    (A bare city like "Seoul" could as well be part of a topic; callers decide by position.)
    """
    low = text.strip().lower()
    return (
        low in _UTC_ALIASES
        or _OFFSET.fullmatch(low) is not None
        or _ZONE_PATH.fullmatch(low) is not None
    )


def format_time(value: dt.time) -> str:
    """The stored form: 'HH:MM'."""
    return value.strftime("%H:%M")


# ----------------------------------------------------------------------------- timezones


@functools.cache
def _zones() -> tuple[dict[str, str], dict[str, list[str]]]:
    """(lower-case name -> IANA name, lower-case city -> canonical IANA names), built once."""
    names = zoneinfo.available_timezones()
    exact = {name.lower(): name for name in names}
    cities: dict[str, list[str]] = {}
    for name in names:
        parts = name.split("/")
        if len(parts) < 2 or parts[0] not in _AREAS:
            continue
        city = parts[-1].replace("_", " ").lower()
        cities.setdefault(city, []).append(name)
    for found in cities.values():
        # Deeper names first: America/Argentina/Buenos_Aires is canonical, America/Buenos_Aires
        # its old alias; then alphabetical, so the choice never depends on set order.
        found.sort(key=lambda n: (-n.count("/"), n))
    return exact, cities


def resolve_timezone(text: str) -> str:
    """User text -> an IANA zone name; raises TimezoneNotFound with suggestions.

    Accepts an exact IANA name in any case ("europe/berlin"), UTC/GMT, a whole-hour offset
    ("UTC+9" -> "Etc/GMT-9": the Etc names' signs are inverted), and a city as the last part
    of a zone name ("Seoul", "new york", "Buenos Aires").
    """
    raw = (text or "").strip()
    norm = " ".join(raw.split()).lower()
    if not norm:
        raise TimezoneNotFound("Which timezone? For example: Europe/Berlin", raw, [])
    exact, cities = _zones()
    if norm in _UTC_ALIASES:
        return "UTC"
    if norm.replace(" ", "_") in exact:
        return exact[norm.replace(" ", "_")]
    if (match := _OFFSET.fullmatch(norm)) is not None:
        return _offset_zone(raw, match)
    city = norm.replace("_", " ")
    if city in cities:
        return cities[city][0]
    raise TimezoneNotFound(f"I don't know the timezone “{raw}”.", raw, suggest_timezones(raw))


def suggest_timezones(text: str, limit: int = 3) -> list[str]:
    """Close IANA names for a typo: "Europe/Berlni" -> Europe/Berlin, "Seol" -> Asia/Seoul."""
    from rapidfuzz import fuzz, process  # on a miss only

    norm = " ".join((text or "").split()).lower().replace(" ", "_")
    if len(norm) < 3:
        return []
    exact, cities = _zones()
    canonical = [name for name in exact.values() if name.split("/")[0] in _AREAS]
    scored: dict[str, float] = {}
    # Whole names when the user typed a path, city parts always ("berlni", "new yrok").
    if "/" in norm:
        choices = {name.lower(): name for name in canonical}
        for choice, score, _ in process.extract(
            norm, list(choices), scorer=fuzz.ratio, limit=limit, score_cutoff=SUGGESTION_CUTOFF
        ):
            scored[choices[choice]] = max(score, scored.get(choices[choice], 0))
    city_query = norm.rsplit("/", 1)[-1].replace("_", " ")
    for city, score, _ in process.extract(
        city_query, list(cities), scorer=fuzz.ratio, limit=limit, score_cutoff=SUGGESTION_CUTOFF
    ):
        name = cities[city][0]
        scored[name] = max(score, scored.get(name, 0))
    if not scored:
        return []
    # Only the near-best: "Europe/Berlni" should offer Berlin, not also Dublin and Helsinki.
    best = max(scored.values())
    ranked = sorted(scored.items(), key=lambda item: (-item[1], item[0]))
    return [name for name, score in ranked if score >= best - SUGGESTION_SPREAD][:limit]


def _offset_zone(raw: str, match: re.Match[str]) -> str:
    hours, minutes = int(match.group("h")), int(match.group("m") or 0)
    sign = match.group("sign")
    if minutes:
        raise TimezoneNotFound(
            f"“{raw}”: offsets with minutes need a named timezone (like Asia/Kolkata).", raw, []
        )
    if hours == 0:
        return "UTC"
    if (sign == "+" and hours > 14) or (sign == "-" and hours > 12):
        raise TimezoneNotFound(f"“{raw}” is not a UTC offset that exists.", raw, [])
    # POSIX style: Etc/GMT-9 is nine hours *ahead* of UTC.
    return f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"


# ----------------------------------------------------------------------------- times


def to_local(now: dt.datetime, tz: str) -> dt.datetime:
    """`now` on the wall clock of `tz` (aware)."""
    return _aware(now).astimezone(ZoneInfo(tz))


def local_date(now: dt.datetime, tz: str) -> dt.date:
    """The calendar date at `now` in `tz` (what a delivery is keyed by)."""
    return _aware(now).astimezone(ZoneInfo(tz)).date()


def scheduled_at(day: dt.date, local_time: str | dt.time, tz: str) -> dt.datetime:
    """The UTC instant `local_time` happens on `day` in `tz`.

    Skipped by a spring-forward gap: the first valid instant after it (the end of the gap).
    Repeated by a fall-back: the first of the two (fold=0).
    """
    zone = ZoneInfo(tz)
    wall = dt.datetime.combine(day, _time(local_time))
    first = wall.replace(tzinfo=zone, fold=0).astimezone(dt.UTC)
    if _wall(first, zone) == wall:
        return first
    # In a gap: fold=0 reads the wall time with the offset from before the gap, fold=1 with the
    # one after, so the transition lies between the two readings: bisect for it, in whole
    # seconds (transitions fall on them). Before it the wall clock reads earlier than `wall`.
    other = wall.replace(tzinfo=zone, fold=1).astimezone(dt.UTC)
    lo = int(min(first, other).timestamp())
    hi = int(max(first, other).timestamp())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _wall(dt.datetime.fromtimestamp(mid, dt.UTC), zone) >= wall:
            hi = mid
        else:
            lo = mid
    return dt.datetime.fromtimestamp(hi, dt.UTC)


def next_run(local_time: str | dt.time, tz: str, now: dt.datetime) -> dt.datetime:
    """The first instant strictly after `now` at which the brief runs (aware, UTC)."""
    now = _aware(now)
    today = local_date(now, tz)
    for offset in range(0, 3):  # today, or tomorrow; a third day only for the weirdest zones
        when = scheduled_at(today + dt.timedelta(days=offset), local_time, tz)
        if when > now:
            return when
    raise AssertionError("unreachable: a local time recurs every day")


def due(
    sub: Schedulable,
    now: dt.datetime,
    last_delivery_date: dt.date | None,
    *,
    tz: str | None = None,
) -> bool:
    """Whether today's brief for `sub` should be sent now.

    True once its local time has come today (or came earlier today while the bot was down: a
    missed brief goes out late, once, the same local day), unless today's is already done
    (`last_delivery_date` is the local date of the last 'sent' or 'skipped' delivery). A brief
    missed on a day that has ended is not sent: the next one covers it. A subscription made
    after today's time starts tomorrow.
    """
    if sub.local_time is None:
        return False  # status subscriptions alert on change, not by the clock
    zone = tz or sub.effective_timezone
    now = _aware(now)
    today = local_date(now, zone)
    if last_delivery_date is not None and last_delivery_date >= today:
        return False
    slot = scheduled_at(today, sub.local_time, zone)
    return slot <= now and _aware(sub.created_at) <= slot


# ----------------------------------------------------------------------------- helpers


def _time(value: str | dt.time) -> dt.time:
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(value)


def _wall(instant: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    return instant.astimezone(zone).replace(tzinfo=None, fold=0)


def _aware(value: dt.datetime) -> dt.datetime:
    """Naive datetimes are UTC (as everywhere in briefbot)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value

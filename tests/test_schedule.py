"""Scheduling: local times across daylight saving, missed briefs, reading times and timezones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from bot.briefing.schedule import (
    BadTime,
    TimezoneNotFound,
    due,
    local_date,
    looks_like_time,
    looks_like_zone,
    next_run,
    parse_local_time,
    resolve_timezone,
    scheduled_at,
    suggest_timezones,
)

UTC = dt.UTC
JAN_1 = dt.datetime(2026, 1, 1, tzinfo=UTC)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


@dataclass
class Sub:
    local_time: str | None
    timezone: str
    created_at: dt.datetime = JAN_1

    @property
    def effective_timezone(self) -> str:
        return self.timezone


# ----------------------------------------------------------------------------- DST


@pytest.mark.parametrize(
    ("tz", "day", "wall", "expected"),
    [
        # Europe/Berlin springs forward 2026-03-29 at 02:00 CET -> 03:00 CEST: 02:30 does not
        # exist and runs at the first valid instant after it, 03:00 CEST = 01:00 UTC.
        ("Europe/Berlin", dt.date(2026, 3, 29), "02:30", utc(2026, 3, 29, 1, 0)),
        ("Europe/Berlin", dt.date(2026, 3, 29), "08:00", utc(2026, 3, 29, 6, 0)),
        ("Europe/Berlin", dt.date(2026, 3, 28), "08:00", utc(2026, 3, 28, 7, 0)),
        # Falls back 2026-10-25 at 03:00 CEST -> 02:00 CET: 02:30 happens twice; the first.
        ("Europe/Berlin", dt.date(2026, 10, 25), "02:30", utc(2026, 10, 25, 0, 30)),
        ("Europe/Berlin", dt.date(2026, 10, 25), "08:00", utc(2026, 10, 25, 7, 0)),
        # America/New_York springs forward 2026-03-08 at 02:00 EST -> 03:00 EDT.
        ("America/New_York", dt.date(2026, 3, 8), "02:30", utc(2026, 3, 8, 7, 0)),
        ("America/New_York", dt.date(2026, 3, 8), "08:00", utc(2026, 3, 8, 12, 0)),
        ("America/New_York", dt.date(2026, 3, 7), "08:00", utc(2026, 3, 7, 13, 0)),
        # Falls back 2026-11-01 at 02:00 EDT -> 01:00 EST: 01:30 twice (first: EDT); 02:30 once.
        ("America/New_York", dt.date(2026, 11, 1), "01:30", utc(2026, 11, 1, 5, 30)),
        ("America/New_York", dt.date(2026, 11, 1), "02:30", utc(2026, 11, 1, 7, 30)),
        ("America/New_York", dt.date(2026, 11, 1), "08:00", utc(2026, 11, 1, 13, 0)),
        # A half-hour shift: Lord Howe springs 02:00 -> 02:30 on 2026-10-04.
        ("Australia/Lord_Howe", dt.date(2026, 10, 4), "02:15", utc(2026, 10, 3, 15, 30)),
    ],
)
def test_scheduled_at_across_dst(tz: str, day: dt.date, wall: str, expected: dt.datetime) -> None:
    assert scheduled_at(day, wall, tz) == expected


@pytest.mark.parametrize(
    ("tz", "before", "wall", "expected"),
    [
        ("Europe/Berlin", utc(2026, 3, 28, 12), "02:30", utc(2026, 3, 29, 1, 0)),
        ("Europe/Berlin", utc(2026, 3, 28, 12), "08:00", utc(2026, 3, 29, 6, 0)),
        ("Europe/Berlin", utc(2026, 10, 24, 12), "02:30", utc(2026, 10, 25, 0, 30)),
        ("Europe/Berlin", utc(2026, 10, 24, 12), "08:00", utc(2026, 10, 25, 7, 0)),
        ("America/New_York", utc(2026, 3, 7, 18), "02:30", utc(2026, 3, 8, 7, 0)),
        ("America/New_York", utc(2026, 3, 7, 18), "08:00", utc(2026, 3, 8, 12, 0)),
        ("America/New_York", utc(2026, 10, 31, 18), "02:30", utc(2026, 11, 1, 7, 30)),
        ("America/New_York", utc(2026, 10, 31, 18), "08:00", utc(2026, 11, 1, 13, 0)),
    ],
)
def test_next_run_on_dst_days(
    tz: str, before: dt.datetime, wall: str, expected: dt.datetime
) -> None:
    when = next_run(wall, tz, before)
    assert when == expected and when.tzinfo is not None
    # And the run after it is the next local day's, whatever the offset did.
    after = next_run(wall, tz, when)
    assert local_date(after, tz) == local_date(when, tz) + dt.timedelta(days=1)


def test_next_run_is_strictly_after_now() -> None:
    at = utc(2026, 6, 1, 6, 0)  # 08:00 in Berlin (CEST)
    assert next_run("08:00", "Europe/Berlin", at) == utc(2026, 6, 2, 6, 0)
    assert next_run("08:00", "Europe/Berlin", at - dt.timedelta(seconds=1)) == at


def test_a_repeated_hour_runs_once() -> None:
    """Fall-back day in Berlin: between the two 02:30s the next run is the next day's."""
    first = utc(2026, 10, 25, 0, 30)  # 02:30 CEST
    second = utc(2026, 10, 25, 1, 30)  # 02:30 CET, the same wall time again
    assert next_run("02:30", "Europe/Berlin", first) == utc(2026, 10, 26, 1, 30)
    assert next_run("02:30", "Europe/Berlin", second) == utc(2026, 10, 26, 1, 30)
    sub = Sub("02:30", "Europe/Berlin")
    assert due(sub, first, None)
    # Once today's is done, the second 02:30 is not another day.
    assert not due(sub, second, dt.date(2026, 10, 25))


def test_local_date() -> None:
    late = utc(2026, 3, 10, 23, 30)
    assert local_date(late, "UTC") == dt.date(2026, 3, 10)
    assert local_date(late, "Asia/Seoul") == dt.date(2026, 3, 11)
    assert local_date(late, "America/New_York") == dt.date(2026, 3, 10)
    assert local_date(dt.datetime(2026, 3, 10, 23, 30), "Asia/Seoul") == dt.date(2026, 3, 11)


# ----------------------------------------------------------------------------- due


def test_due_at_and_after_its_time() -> None:
    sub = Sub("08:00", "Europe/Berlin")
    eight = utc(2026, 3, 11, 7, 0)  # 08:00 CET
    assert not due(sub, eight - dt.timedelta(minutes=1), None)
    assert due(sub, eight, None)
    assert due(sub, eight, dt.date(2026, 3, 10))  # yesterday's was sent: today's is due
    assert not due(sub, eight, dt.date(2026, 3, 11))  # today's is done


def test_missed_brief_is_sent_late_the_same_local_day() -> None:
    """Down at 08:00, back at 10:00: due, once."""
    sub = Sub("08:00", "Europe/Berlin")
    back = utc(2026, 3, 11, 9, 0)  # 10:00 CET
    assert due(sub, back, dt.date(2026, 3, 10))
    assert not due(sub, back, dt.date(2026, 3, 11))
    late_evening = utc(2026, 3, 11, 22, 30)  # 23:30 CET: still the same local day
    assert due(sub, late_evening, dt.date(2026, 3, 10))


def test_missed_brief_is_not_sent_the_next_day() -> None:
    """Down all of the 11th, back at 07:00 on the 12th: nothing for the 11th; the 12th at 08:00."""
    sub = Sub("08:00", "Europe/Berlin")
    back = utc(2026, 3, 12, 6, 0)  # 07:00 CET on the 12th
    assert not due(sub, back, dt.date(2026, 3, 10))
    assert due(sub, utc(2026, 3, 12, 7, 0), dt.date(2026, 3, 10))


def test_due_follows_the_local_day_not_utc() -> None:
    # 08:00 in Seoul is 23:00 UTC the day before.
    sub = Sub("08:00", "Asia/Seoul")
    assert due(sub, utc(2026, 3, 10, 23, 0), dt.date(2026, 3, 10))
    assert not due(sub, utc(2026, 3, 10, 23, 0), dt.date(2026, 3, 11))
    assert not due(sub, utc(2026, 3, 10, 22, 59), dt.date(2026, 3, 10))


def test_subscribed_after_todays_time_starts_tomorrow() -> None:
    sub = Sub("08:00", "UTC", created_at=utc(2026, 3, 11, 10, 0))
    assert not due(sub, utc(2026, 3, 11, 10, 5), None)
    assert due(sub, utc(2026, 3, 12, 8, 0), None)
    early = Sub("08:00", "UTC", created_at=utc(2026, 3, 11, 7, 0))
    assert due(early, utc(2026, 3, 11, 8, 0), None)


def test_due_on_dst_days() -> None:
    berlin = Sub("02:30", "Europe/Berlin")
    # Spring forward: 02:30 does not exist; due from 03:00 CEST (01:00 UTC).
    assert not due(berlin, utc(2026, 3, 29, 0, 59), dt.date(2026, 3, 28))
    assert due(berlin, utc(2026, 3, 29, 1, 0), dt.date(2026, 3, 28))
    ny = Sub("08:00", "America/New_York")
    assert not due(ny, utc(2026, 3, 8, 11, 59), dt.date(2026, 3, 7))
    assert due(ny, utc(2026, 3, 8, 12, 0), dt.date(2026, 3, 7))
    assert not due(ny, utc(2026, 11, 1, 12, 30), dt.date(2026, 10, 31))  # 07:30 EST
    assert due(ny, utc(2026, 11, 1, 13, 0), dt.date(2026, 10, 31))


def test_due_timezone_override_and_status() -> None:
    sub = Sub("08:00", "UTC")
    assert due(sub, utc(2026, 3, 11, 7, 0), None, tz="Europe/Berlin")
    assert not due(sub, utc(2026, 3, 11, 7, 0), None)
    assert not due(Sub(None, "UTC"), utc(2026, 3, 11, 12), None)


# ----------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08:00", dt.time(8, 0)),
        ("8:00", dt.time(8, 0)),
        ("8am", dt.time(8, 0)),
        ("8 am", dt.time(8, 0)),
        ("8AM", dt.time(8, 0)),
        ("8:30pm", dt.time(20, 30)),
        ("8p.m.", dt.time(20, 0)),
        ("12am", dt.time(0, 0)),
        ("12pm", dt.time(12, 0)),
        ("20h", dt.time(20, 0)),
        ("20h30", dt.time(20, 30)),
        ("8.30", dt.time(8, 30)),
        ("0:00", dt.time(0, 0)),
        ("23:59", dt.time(23, 59)),
        ("7", dt.time(7, 0)),
    ],
)
def test_parse_local_time(text: str, expected: dt.time) -> None:
    assert parse_local_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "25:00", "8:60", "13pm", "0am", "noon", "", "8:5"])
def test_parse_local_time_rejects(text: str) -> None:
    with pytest.raises(BadTime):
        parse_local_time(text)


def test_what_looks_like_a_time_or_a_zone() -> None:
    assert looks_like_time("08:00") and looks_like_time("8am") and looks_like_time("25:00")
    assert not looks_like_time("20")  # a bare number may be part of a topic ("g 20")
    assert not looks_like_time("dprk")
    for zone in ("Europe/Berlin", "asia/seoul", "UTC", "gmt", "UTC+9", "+09:00", "Etc/GMT-9"):
        assert looks_like_zone(zone), zone
    for word in ("seoul", "dprk", "china-dprk", "08:00"):
        assert not looks_like_zone(word), word


# ----------------------------------------------------------------------------- timezones


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("ASIA/SEOUL", "Asia/Seoul"),
        ("America/New_York", "America/New_York"),
        ("america/new york", "America/New_York"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
        ("GMT", "UTC"),
        ("Z", "UTC"),
        ("Seoul", "Asia/Seoul"),
        ("seoul", "Asia/Seoul"),
        ("Berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("New_York", "America/New_York"),
        ("Buenos Aires", "America/Argentina/Buenos_Aires"),  # canonical, not the old alias
        ("Pyongyang", "Asia/Pyongyang"),
        ("UTC+9", "Etc/GMT-9"),  # the Etc names' signs are inverted
        ("GMT-5", "Etc/GMT+5"),
        ("+09:00", "Etc/GMT-9"),
        ("UTC+0", "UTC"),
    ],
)
def test_resolve_timezone(text: str, expected: str) -> None:
    assert resolve_timezone(text) == expected


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("Europe/Berlni", "Europe/Berlin"),
        ("Berln", "Europe/Berlin"),
        ("Seol", "Asia/Seoul"),
        ("Amerika/New_York", "America/New_York"),
        ("new yrok", "America/New_York"),
        ("Asia/Tokio", "Asia/Tokyo"),
    ],
)
def test_typos_get_suggestions(text: str, suggestion: str) -> None:
    with pytest.raises(TimezoneNotFound) as info:
        resolve_timezone(text)
    assert info.value.suggestions[0] == suggestion
    assert info.value.query == text
    assert suggest_timezones(text)[0] == suggestion


def test_suggestions_are_only_the_near_best() -> None:
    assert suggest_timezones("Europe/Berlni") == ["Europe/Berlin"]


@pytest.mark.parametrize("text", ["", "xx", "Mars/Olympus_Mons", "UTC+5:30", "UTC+15"])
def test_unknown_timezones(text: str) -> None:
    with pytest.raises(TimezoneNotFound):
        resolve_timezone(text)


def test_a_brief_moved_later_leaves_no_hours_unbriefed() -> None:
    from bot.briefing.digest import window_start
    from bot.models import Subscription

    sub = Subscription(
        id=1, chat_id=1, thread_id=None, kind="brief", key="dprk", query="dprk",
        local_time="20:00", timezone="UTC", quiet=False, active=True,
        created_at=utc(2026, 3, 1, 0, 0),
    )  # fmt: skip
    now = utc(2026, 3, 11, 20, 0)
    # Yesterday's brief went out at 08:00; since then it was moved to 20:00.
    sent = utc(2026, 3, 10, 8, 0)
    assert window_start(sub, now, dt.date(2026, 3, 10), sent) == sent
    # Unmoved, the window starts at yesterday's slot, as before.
    assert window_start(sub, now, dt.date(2026, 3, 10), utc(2026, 3, 10, 20, 1)) == utc(
        2026, 3, 10, 20, 0
    )

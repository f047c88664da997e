"""bot.briefing.status on the pattern an outside probe exposed, in articles of our own.

Four outlets cover one resumption: a plan with a date ("will restart on May 7 for the first
time since February 2020"), a ministry declining to comment on "reports that the train would
restart this week", a hedged video report that also says travellers were seen leaving the
train, and an official report that the first train left "on Thursday". The rules they pin:

1. reports of one change whose dates agree at their precision ("this week" = May 2026 holds
   May 7) merge into one entry; an unconfirmed report is a caveat, never an entry of its own;
2. "travellers were seen leaving the train" is people moving, not the service, and an undated
   restatement joins its article's dated change: no undated entry;
3. each entry leads with its most direct evidence (a report whose own verb names the change,
   from the newest, most authoritative source), and keeps every source;
4. confidence rises clearly with independent outlets and official attribution;
5. once a report confirms the change, the plan is fulfilled (no upcoming) and the caveats
   about the plan (declined to comment, state media silent) are history;
6. "before that: operating" without a date only when a report implies it ("restart").
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.briefing.status import build_status
from bot.ingest import ingest_records
from bot.models import RawArticle, Situation, Status
from bot.store import open_db


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def _a(outlet: str, published: str, title: str, body: str, slug: str) -> RawArticle:
    url = f"https://{outlet.lower().replace(' ', '')}.example/{slug}"
    return RawArticle(title=title, body=body, published_at=at(published), url=url, outlet=outlet)


KUNMING_HANOI = Situation(
    key="kunming-hanoi",
    title="Kunming–Hanoi passenger rail",
    entities=[["Kunming", "China", "Chinese"], ["Hanoi", "Vietnam", "Vietnamese"]],
    facets=["train", "trains", "rail", "railway", "passenger service", "Lao Cai", "T8701"],
)
# 2026-05-04 is a Monday; Thursday May 7 is the planned (and actual) first run.
ARTICLES = [
    _a(
        "VnExpress",
        "2026-05-04 08:00",
        "Hanoi-Kunming passenger trains to return this week",
        "Passenger trains between Hanoi and Kunming will restart on May 7 for the first time "
        "since February 2020, according to ticket agents in Lao Cai.\n\n"
        "The route was suspended when the two countries shut their land borders early in the "
        "pandemic.\n\n"
        "Seats on the first train sold out within hours on Monday, the agents said.",
        "trains-return",
    ),
    _a(
        "AFP",
        "2026-05-05 11:00",
        "China silent on Kunming-Hanoi train plans",
        "A spokeswoman for China's foreign ministry declined to comment on Tuesday on reports "
        "that the Kunming-Hanoi passenger train would restart this week, saying she was not "
        "aware of the arrangements.\n\n"
        "Vietnamese state media has not mentioned the date.",
        "ministry-silent",
    ),
    _a(
        "SCMP",
        "2026-05-09 07:00",
        "Videos show Hanoi train reaching Kunming",
        "A passenger train from Hanoi arrived at Kunming South station on Friday, videos shared "
        "on Chinese social media appeared to show.\n\n"
        "Travellers were filmed leaving the train with suitcases and boxes of fruit.",
        "videos",
    ),
    _a(
        "Xinhua",
        "2026-05-10 09:00",
        "China-Vietnam passenger rail service resumes",
        "The T8701 passenger train left Kunming for Hanoi on Thursday morning, restoring rail "
        "passenger services between China and Vietnam, which were halted in February 2020.\n\n"
        "The train runs twice a week, officials at China Railway Kunming Group said.",
        "resumes",
    ),
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    db = open_db(tmp_path_factory.mktemp("probe") / "probe.db")
    summary = ingest_records(db, ARTICLES, now=at("2026-06-01 00:00"))
    assert summary.added == len(ARTICLES)
    yield db
    db.conn.close()


def status(db, when: str) -> Status:  # type: ignore[no-untyped-def]
    return build_status(db, KUNMING_HANOI, as_of=at(when))


def label(ref) -> str | None:  # type: ignore[no-untyped-def]
    return ref.label() if ref is not None else None


def timeline(st: Status) -> list[tuple[str | None, str, str]]:
    return [(label(e.date), e.state, e.modality) for e in st.timeline]


def test_declined_comment_merges_into_the_plan(db) -> None:  # type: ignore[no-untyped-def]
    st = status(db, "2026-05-05 18:00")
    assert (st.state, label(st.since)) == ("suspended", "February 2020")
    # "Restart" implies the trains ran before, though nothing dates it.
    assert st.previous is not None and (st.previous.state, st.previous.since) == ("operating", None)
    assert st.upcoming is not None
    assert (st.upcoming.state, label(st.upcoming.date), st.upcoming.overdue) == (
        "operating",
        "2026-05-07",
        False,
    )
    # "This week" (May 2026) and "May 7" are one change; the declined comment is no entry.
    assert timeline(st) == [
        ("February 2020", "suspended", "reported"),
        ("2026-05-07", "operating", "planned"),
    ]
    [planned] = [e for e in st.timeline if e.state == "operating"]
    assert [s.outlet for s in planned.sources] == ["VnExpress", "AFP"]
    # The plan's own sources are those who say it is coming, not those who would not comment.
    assert {s.outlet for s in st.upcoming.sources} == {"VnExpress"}
    kinds = {c.kind: c.text for c in st.caveats}
    assert "declined to comment" in kinds["unconfirmed"]
    assert "has not mentioned" in kinds["silent"]


def test_plan_date_passes_without_a_report(db) -> None:  # type: ignore[no-untyped-def]
    st = status(db, "2026-05-08 12:00")
    assert st.state == "suspended"
    assert st.upcoming is not None and st.upcoming.overdue is True
    assert not any(e.state == "operating" and e.modality == "reported" for e in st.timeline)


def test_hedged_videos_join_the_planned_change(db) -> None:  # type: ignore[no-untyped-def]
    st = status(db, "2026-05-09 12:00")
    # Videos that "appeared to show" the arrival are not yet a report that it happened.
    assert st.state == "suspended"
    assert timeline(st) == [
        ("February 2020", "suspended", "reported"),
        ("2026-05-07", "operating", "planned"),
    ]
    assert any(c.kind == "hedged" and "appeared to show" in c.text for c in st.caveats)
    # Travellers leaving the train are people, not the service: no undated change.
    assert not any("Travellers" in s.sentence for e in st.timeline for s in e.sources)


def test_official_report_confirms_the_change(db) -> None:  # type: ignore[no-untyped-def]
    before = status(db, "2026-05-05 18:00")
    st = status(db, "2026-05-11 12:00")
    assert (st.state, label(st.since)) == ("operating", "2026-05-07")
    assert st.previous is not None
    assert (st.previous.state, label(st.previous.since)) == ("suspended", "February 2020")
    assert st.upcoming is None  # the plan is fulfilled
    assert timeline(st) == [
        ("February 2020", "suspended", "reported"),
        ("2026-05-07", "operating", "reported"),
    ]
    suspended, operating = st.timeline
    # The report that it happened leads, the plan follows; every outlet stays listed.
    assert operating.sources[0].outlet == "Xinhua"
    assert operating.sources[0].sentence.startswith("The T8701 passenger train left Kunming")
    assert {s.outlet for s in operating.sources} == {"Xinhua", "VnExpress", "SCMP", "AFP"}
    assert operating.sources[-1].outlet == "AFP"  # the declined comment comes last
    # "Were halted in February 2020" and "was suspended" before "the first time since".
    leads = [s.sentence for s in suspended.sources]
    assert "halted in February 2020" in leads[0]
    assert leads.index(next(s for s in leads if "route was suspended" in s)) < leads.index(
        next(s for s in leads if "first time since" in s)
    )
    # Caveats about the plan are history now; the hedge on the videos may stay.
    kinds = {c.kind for c in st.caveats}
    assert "unconfirmed" not in kinds and "silent" not in kinds
    # Independent outlets and an official source: clearly more sure than before.
    assert st.confidence >= 0.55
    assert st.confidence >= before.confidence + 0.15


def test_no_undated_entry_for_a_repeat(db) -> None:  # type: ignore[no-untyped-def]
    st = status(db, "2026-05-11 12:00")
    assert all(e.date is not None for e in st.timeline)
    runs = [s for e in st.timeline for s in e.sources if "runs twice a week" in s.sentence]
    assert len(runs) == 1  # joined the dated resumption of its own article

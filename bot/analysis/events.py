"""State changes reported in one news sentence: trigger lexicon, modality, negation, date, source.

Classical and explainable: every Event carries its trigger, the exact words of the sentence that
made it, so a reader (and bot.briefing.status) can find them again.

States describe the thing a situation tracks: `operating` (runs, is open, goes ahead, is in
force), `suspended` (halted, closed, postponed, on hold), `cancelled` (called off, scrapped).

Restrictions (sanctions, bans, embargoes, strikes, curfews, lockdowns, blockades, boycotts,
tariffs) are things too: "the ban was lifted" is the *ban* cancelled, "sanctions were reimposed"
is the sanctions operating (in force). Such events keep the restriction's own perspective and
their trigger spans the restriction noun ("lifted the ban"), so a caller tracking a service
rather than the restriction can turn them round with `service_state` (a ban in force is a
service suspended; a ban lifted, a service operating).

Ordinary verbs ("run", "close", "open", "leave") count only in a clause that names a service,
route, crossing or event. Movement verbs (leave, depart, arrive, land) count only when the
service moves: "the K27 left Beijing", not "passengers were seen leaving the train" or "the
delegation arrived by train" (people as subject, a vehicle as object, or "by train").

Negation, decided per trigger:
- "no longer runs" is a change: to the opposite state (suspended), not negated;
- "no trains have run since 2020" / "have not run since 2020" is the opposite state since then;
- "has yet to resume", "not yet resumed", "did not resume", "will not resume" keep the trigger's
  state with negated=True: the change did not (or will not) happen by publication. They are
  counter-evidence, never a change.

Modality: denied > unconfirmed > hedged > planned > reported. Denial and non-confirmation
apply when their cue governs the trigger (comes before it: "denied that flights were
suspended"); a cue after the trigger in another clause ("..., though officials did not confirm")
leaves the report as reported and shows up in `caveat_cues` instead. A reported event dated
after publication is a plan.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from bot.analysis.dates import (
    DateMatch,
    Duration,
    dateline_end,
    find_dates,
    find_durations,
    local_tense,
    period_start,
)
from bot.models import Attribution, AttributionKind, DateRef, Event, Modality, State

# ----------------------------------------------------------------------------- lexicon


@dataclass(frozen=True)
class _Lemma:
    name: str
    state: State
    pattern: str
    # Gated lemmas are ordinary verbs ("run", "close", "stop", "open"): they count only when
    # the clause names a service, route, crossing or event they can apply to.
    gated: bool = False
    # The first four letters (or the whole word, if shorter) of every word the pattern can
    # start with: a dictionary lookup per word finds the few patterns worth trying.
    keys: str = ""
    # Words that must come right before ("was held", "went ahead", "in force"): keyed on the
    # rarer last word, so common words like "was" and "in" never send us looking.
    before: str = ""


_L = _Lemma

# Events a government, city or organiser holds (a race, a summit, an election): the object of
# an active "hold", "host" or "stage", a few determiners, names and adjectives away.
_EVENT_NOUNS = (
    r"(?:half-)?marathons?|races?|festivals?|summits?|elections?|referend(?:um|a|ums)|polls?"
    r"|concerts?|match(?:es)?|games|tournaments?|championships?|fairs?|exhibitions?|expos?"
    r"|parades?|olympics|contests?|competitions?|carnivals?|galas?|grand\s+prix|derby|finals?"
    r"|cup|rall(?:y|ies)|shows?|celebrations?|ceremon(?:y|ies)|events?|edition|biennale"
)
_EVENT_OBJECT = (
    r"\s+(?:(?!(?:with|on|about|over|for|in|at|to|by|after|before|during|as|and|but|or|talks"
    r"|meetings?|press|news|hostage|up|back|off|out)\b)[\w'’.-]+\s+){0,5}?"
    # ... and the head of its phrase: "held the marathon on Sunday", not "held the marathon
    # winner" or "hosted the summit organisers".
    rf"(?:{_EVENT_NOUNS})\b(?=\s*(?:[,.;:)”\"]|$)|\s+(?:(?-i:[A-Z0-9])|(?:on|in|at|with|without|for"
    r"|as|after|before|despite|amid|under|over|this|last|next|and|but|or|again|yesterday|today"
    r"|tonight|earlier|later|since|until|to|from|by|behind|alongside|while|when|where|which"
    r"|that|even|only|successfully|peacefully|largely|smoothly|safely|mostly)\b))"
)
_LEMMAS: list[_Lemma] = [
    # -> operating
    _L("resume", "operating", r"resum(?:e|es|ed|ing|ption)", keys="resu"),
    _L("restart", "operating", r"re-?start(?:s|ed|ing)?", keys="rest re"),
    _L("reopen", "operating", r"re-?open(?:s|ed|ing|ings)?", keys="reop re"),
    _L("restore", "operating", r"restor(?:e|es|ed|ing|ation)", keys="rest"),
    _L("relaunch", "operating", r"re-?launch(?:es|ed|ing)?", keys="rela re"),
    _L("reinstate", "operating", r"reinstat(?:e|es|ed|ing|ement)", keys="rein"),
    _L(
        "back in service",
        "operating",
        r"back\s+(?:in|into)\s+(?:service|operation)|return(?:s|ed|ing)?\s+to\s+service"
        r"|back\s+on\s+track",
        keys="back retu",
    ),
    _L("up and running", "operating", r"running", before=r"\bup\s+and\s+", keys="runn"),
    _L("go ahead", "operating", r"ahead", before=r"\b(?:go|goes|going|went|gone)\s+", keys="ahea"),
    _L(
        "take place",
        "operating",
        r"place",
        before=r"\b(?:take|takes|took|taking|taken)\s+",
        gated=True,
        keys="plac",
    ),
    _L(
        "be held",
        "operating",
        r"held|(?:re)?played|staged",
        before=r"\b(?:was|were|be|been|is|are|being)\s+(?:(?:\w+ly|last|first|again|not)\s+)?",
        gated=True,
        keys="held play repl stag",
    ),
    # "held the marathon on Sunday", "will host the summit": active verbs whose object is an
    # event (the passive "was held" is above); "held talks", "held a press conference" are not.
    _L(
        "hold",
        "operating",
        rf"(?:held|holds?|holding|host(?:s|ed|ing)?|stag(?:e|es|ed|ing))(?={_EVENT_OBJECT})",
        keys="held hold host stag",
    ),
    _L("kick off", "operating", r"kick(?:s|ed|ing)?\s+off", gated=True, keys="kick"),
    # "returned last year", "the race is back", "made a comeback": it runs again. Like other
    # movement verbs, not when people return ("runners returned home").
    _L(
        "return",
        "operating",
        r"return(?:s|ed|ing)?(?!\s+(?:on\s+(?:investment|capital|equity|assets)|of|fire|home"
        r"|(?:the|a|an|its|their|his|her|to)\b))"
        r"|return(?:s|ed)?(?=\s+to\s+(?:normal|the\s+(?:calendar|schedule)))",
        gated=True,
        keys="retu",
    ),
    _L(
        "is back",
        "operating",
        r"back(?!\s+(?:down|off|up|away|to\s+square|on\s+the\s+table|in\s+(?:talks|court)))",
        before=r"\b(?:is|are|was|were|be|been|'s|'re)\s+(?:(?:now|finally|officially|firmly"
        r"|also|again)\s+)?",
        gated=True,
        keys="back",
    ),
    _L(
        "comeback",
        "operating",
        r"come-?back",
        before=r"\b(?:made|makes|make|making|staged|stages|stage|staging)\s+(?:a|an|its|their)"
        r"\s+(?:[\w-]+\s+)?",
        gated=True,
        keys="come",
    ),
    _L("run", "operating", r"run(?:s|ning)?|ran", gated=True, keys="run runs runn ran"),
    _L("operate", "operating", r"operat(?:e|es|ed|ing)", gated=True, keys="oper"),
    _L("depart", "operating", r"depart(?:s|ed|ing|ure|ures)?", gated=True, keys="depa"),
    _L(
        "leave",
        "operating",
        r"leav(?:e|es|ing)|left(?=\s+(?:for|from|at|on|in|[A-Z]))",
        gated=True,
        keys="leav left",
    ),
    _L("arrive", "operating", r"arriv(?:e|es|ed|ing|al|als)", gated=True, keys="arri"),
    _L("launch", "operating", r"launch(?:es|ed|ing)?", gated=True, keys="laun"),
    _L(
        "land",
        "operating",
        r"land(?:s|ed|ing)(?!\s+(?:border|route|bridge))|touch(?:ed|es)\s+down"
        r"|took\s+off|take\s+off",
        gated=True,
        keys="land touc took take",
    ),
    _L("open", "operating", r"open(?:s|ed|ing)?", gated=True, keys="open"),
    _L(
        "start",
        "operating",
        r"start(?:s|ed|ing)?|began|begin(?:s|ning)?|begun",
        gated=True,
        keys="star bega begi begu",
    ),
    # -> suspended
    _L("suspend", "suspended", r"suspen(?:d|ds|ded|ding|sion|sions)", keys="susp"),
    _L("halt", "suspended", r"halt(?:s|ed|ing)?", keys="halt"),
    _L(
        "out of service",
        "suspended",
        r"out\s+of\s+(?:service|operation|action)|withdrawn\s+from\s+service",
        keys="out with",
    ),
    _L(
        "postpone",
        "suspended",
        r"postpon(?:e|es|ed|ing|ement)|delay(?:s|ed)?\s+indefinitely|put\s+off|pushed\s+back"
        # "has been delayed until January 15", "was rescheduled for March": a new date.
        r"|delay(?:s|ed)?(?=\s+(?:again\s+|further\s+)?(?:until|till|to)\s)"
        r"|re-?schedul(?:e|es|ed|ing)(?=\s+(?:for|to|until)\s)",
        keys="post dela put push resc re",
    ),
    _L(
        "put on hold",
        "suspended",
        r"hold",
        before=r"(?:\b(?:put|puts|putting|placed|kept)\s+)?\bon\s+",
        keys="hold",
    ),
    _L(
        "close",
        "suspended",
        r"clos(?:es|ed|ing|ure|ures)|(?<=\bto\s)close|(?<=\bwill\s)close",
        gated=True,
        keys="clos",
    ),
    _L("shut", "suspended", r"shut(?:s|ting)?(?:\s+down)?|shut-?down", gated=True, keys="shut"),
    _L("stop", "suspended", r"stop(?:s|ped|ping)?|stoppage", gated=True, keys="stop"),
    _L("freeze", "suspended", r"freez(?:e|es|ing)|froze|frozen", gated=True, keys="free froz"),
    _L("pause", "suspended", r"paus(?:e|es|ed|ing)", gated=True, keys="paus"),
    _L("ground", "suspended", r"grounded|grounding", gated=True, keys="grou"),
    _L(
        "ban",
        "suspended",
        r"bann(?:ed|ing)|bans(?=\s+(?:all|the|flights|trains|travel))"
        # "will ban exports of palm oil", "plans to ban flights": the verb, not "a ban on".
        r"|(?:(?<=will\s)|(?<=ould\s)|(?<=\bto\s))ban(?=\s+(?:all\s+|the\s+|its\s+)?(?:[\w-]+\s+)?"
        r"(?:exports?|imports?|flights|trains|travel|shipments|sales|trade|entry)\b)",
        gated=True,
        keys="bann bans ban",
    ),
    # -> cancelled
    _L("cancel", "cancelled", r"cancel(?:s|led|ed|ling|ing|lation|lations)", keys="canc"),
    _L(
        "call off",
        "cancelled",
        r"call(?:s|ed|ing)?\s+(?:(?!and\b|but\b)\w+\s+){0,3}?off",
        keys="call",
    ),
    _L("scrap", "cancelled", r"scrap(?:s|ped|ping)?(?!\s+(?:metal|yard))", keys="scra"),
    _L("axe", "cancelled", r"axed|axing", keys="axed axin"),
    _L("abandon", "cancelled", r"abandon(?:s|ed|ing)?", gated=True, keys="aban"),
    _L("discontinue", "cancelled", r"discontinu(?:e|es|ed|ing|ation)", keys="disc"),
    _L(
        "terminate",
        "cancelled",
        r"terminat(?:e|ed|ing|ion)(?!\s+(?:at|in)\b)",
        gated=True,
        keys="term",
    ),
]

# Verbs that only apply to restrictions (you lift a ban, not a train), by the restriction's state.
_RESTRICTION_VERBS: list[_Lemma] = [
    _L("impose", "operating", r"(?:re-?)?impos(?:e|es|ed|ing|ition)", keys="impo re reim"),
    _L("introduce", "operating", r"introduc(?:e|es|ed|ing|tion)", keys="intr"),
    _L("extend", "operating", r"extend(?:s|ed|ing)?|extension", keys="exte"),
    _L("tighten", "operating", r"tighten(?:s|ed|ing)?", keys="tigh"),
    _L(
        "take effect",
        "operating",
        r"effect|force|place",
        before=r"\b(?:take|takes|took|taken|taking)\s+|\b(?:come|comes|came|coming)\s+into\s+"
        r"|\b(?:remain|remains|remained)\s+in\s+|\bin\s+",
        keys="effe forc plac",
    ),
    _L(
        "go on strike",
        "operating",
        r"strike",
        before=r"\b(?:go|goes|went|gone|going)\s+on\s+",
        keys="stri",
    ),
    _L("walk out", "operating", r"walk(?:ed|s|ing)?\s+out|stag(?:e|es|ed|ing)", keys="walk stag"),
    _L("continue", "operating", r"continu(?:e|es|ed|ing)", keys="cont"),
    _L("lift", "cancelled", r"lift(?:s|ed|ing)?", keys="lift"),
    _L("remove", "cancelled", r"remov(?:e|es|ed|ing|al)", keys="remo"),
    _L(
        "revoke",
        "cancelled",
        r"revok(?:e|es|ed|ing)|revocation|repeal(?:s|ed|ing)?|rescind(?:s|ed)?",
        keys="revo repe resc",
    ),
    _L("end", "cancelled", r"end(?:s|ed|ing)?", keys="end ends ende endi"),
    _L("drop", "cancelled", r"drop(?:s|ped|ping)?", keys="drop"),
    _L("waive", "suspended", r"waiv(?:e|es|ed|ing|er)", keys="waiv"),
]

_RESTRICTION_NOUN = (
    r"sanctions?|embargo(?:es)?|(?<!air\s)(?<!air-)strikes?|walkouts?|curfews?|lockdowns?"
    r"|blockades?|boycotts?|tariffs?|travel\s+bans?|bans?|restrictions?"
)
_RESTRICTION_RE = re.compile(rf"\b(?:{_RESTRICTION_NOUN})\b", re.IGNORECASE)
# Restriction-perspective reading of the general lexicon when a restriction noun is attached.
_RESTRICTION_STATE_OF_LEMMA: dict[str, State] = {
    "resume": "operating", "restart": "operating", "restore": "operating",
    "reinstate": "operating", "go ahead": "operating", "start": "operating",
    "launch": "operating", "suspend": "suspended", "halt": "suspended", "postpone": "suspended",
    "put on hold": "suspended", "pause": "suspended", "freeze": "suspended",
    "cancel": "cancelled", "call off": "cancelled", "scrap": "cancelled", "axe": "cancelled",
    "abandon": "cancelled", "discontinue": "cancelled", "terminate": "cancelled",
}  # fmt: skip

_SERVICE_NOUNS = (
    r"trains?|rail(?:way|ways|road)?|services?|flights?|routes?|lines?|links?|connections?"
    r"|crossings?|borders?|checkpoints?|ports?|ferry|ferries|buse?s|coach(?:es)?|airlines?"
    r"|airports?|stations?|passengers?|journeys?|trips?|tours?|tourism|tourists?|cargo|freight"
    r"|shipping|traffic|bridges?|roads?|highways?|pipelines?|exports?|imports?|trade"
    r"|match(?:es)?|games?|tournaments?|festivals?|events?|concerts?|races?|marathons?|fairs?"
    r"|summits?|exhibitions?|olympics|championships?|league|season|embass(?:y|ies)|consulates?"
    r"|visas?|operations|schools?|markets?|plants?|factor(?:y|ies)|mines?"
    r"|production|deliver(?:y|ies)|shipments?|classes|mail|hotline|carriers?|vessels?|ships?"
    r"|aircraft|planes?|jets?|metro|subway|tram|network|terminal|gates?|exchanges?|programmes?"
    r"|programs?|broadcasts?|supply|supplies|sales|ticket(?:s|ing)?|bookings?|it|they|them"
)
_SERVICE_RE = re.compile(rf"\b(?:{_SERVICE_NOUNS})\b", re.IGNORECASE)

# Subjects that ordinary verbs ("begin", "start", "open") often have in these stories, and
# which are not the service: the talks begin, the construction starts.
# "Other European carriers have also paused flights": not the one tracked, whatever the verb.
_OTHER_PARTY = (
    r"\b(?:other|several\s+other|many\s+other)\s+(?:[\w-]+\s+){0,2}?(?:carriers|airlines"
    r"|operators|companies|firms|countries|governments|ports|unions|railways|lines|crossings"
    r"|checkpoints|routes|services)\b"
)
_OTHER_PARTY_RE = re.compile(_OTHER_PARTY, re.IGNORECASE)
_OTHER_SUBJECT = re.compile(
    r"\b(?:talks|negotiations|discussions|consultations|construction|preparations|work|studies"
    r"|study|inspections?|review|investigation|inquiry|trial|hearing|meeting|summit|visit)\b|"
    + _OTHER_PARTY,
    re.IGNORECASE,
)
# A date right after "be held" / "take place": "on November 7", "in March 2027", "from 3 to 5 June".
_DATE_AFTER = re.compile(
    r"\s+(?:again\s+)?(?:on|in|from|between|this|next|at\s+the\s+(?:end|start)\s+of)\s+(?:the\s+)?"
    r"(?:\d{1,2}(?:st|nd|rd|th)?\s+(?-i:[A-Z])|(?-i:[A-Z])[a-z]+\.?\s+\d|\d{4}\b|(?:mon|tues|wednes"
    r"|thurs|fri|satur|sun)day|(?:january|february|march|april|may|june|july|august|september"
    r"|october|november|december)\b|(?:week|month|year|spring|summer|autumn|winter)\b)",
    re.IGNORECASE,
)
# Uses of gated verbs that are about something else entirely.
_GATED_EXCLUDE = re.compile(
    r"(?:open(?:s|ed|ing)?\s+(?:fire|up|an?\s+(?:investigation|inquiry|probe)|talks|ceremony)"
    r"|run(?:s|ning)?\s+(?:by|out|up|into|for|the\s+risk|a\s+risk|mate)|ran\s+(?:out|into|for)"
    # "for the second year running": in a row, not a service running.
    r"|(?:(?<=year\s)|(?<=years\s)|(?<=time\s)|(?<=times\s)|(?<=season\s)|(?<=day\s)"
    r"|(?<=days\s)|(?<=week\s)|(?<=month\s)|(?<=night\s))running\b"
    r"|stop(?:s|ped|ping)?\s+(?:in|at|over|by|short)|clos(?:ed|ing)[-\s](?:door|price|bell|stages"
    r"|ceremony|arguments|level)|launch(?:es|ed|ing)?\s+(?:an?\s+)?(?:investigation|probe|attack"
    r"|missiles?|offensive|campaign|appeal|bid|inquiry|strikes?|rockets?|satellites?)"
    r"|start(?:s|ed|ing)?\s+(?:talks|a\s+war)|leav(?:e|es|ing)\s+(?:office|behind|room|open)"
    # "leaving hundreds of trucks stranded": a result, not a departure.
    r"|(?:leav(?:e|es|ing)|left)\s+(?:[\w-]+\s+){1,5}?(?:stranded|stuck|idle|waiting|behind"
    r"|without|unable|empty|homeless|dead|injured|wounded)\b"
    r"|operat(?:e|es|ed|ing)\s+(?:on|under|as)\b(?!\s+(?:schedule|time|(?:the|this|that|a)\s+"
    r"(?:route|line|link|service|corridor|runway)))"
    r"|freez(?:e|es|ing)\s+(?:temperatures|weather|rain))",
    re.IGNORECASE,
)

# "At the start of the pandemic": a point in time, not something starting.
_TIME_PHRASE_BEFORE = re.compile(
    r"\b(?:at|since|from|by|until|till|before|after|around|near|towards?|during|in)\s+"
    r"(?:the\s+)?(?:very\s+)?$",
    re.IGNORECASE,
)
# Movement verbs are about the service only when the service moves: "the train left Beijing",
# not "passengers were seen leaving the train" or "the delegation arrived by train".
_MOVEMENT_LEMMAS = frozenset({"leave", "depart", "arrive", "land", "return", "is back"})
_PEOPLE = re.compile(
    r"\b(?:passengers|travell?ers|tourists|(?:tour|tourist)\s+groups?|visitors|people|residents"
    r"|workers|students|delegations?|delegates|diplomats|officials|athletes|runners|players|fans"
    r"|crowds?|families|pilgrims|migrants|refugees|journalists|reporters|crew|commuters"
    r"|holidaymakers|spectators|guests|customers|soldiers|troops|leaders?|envoys?|he|she|we|I"
    r"|you)\b",
    re.IGNORECASE,
)
_VEHICLES = (
    r"trains?|services?|flights?|ferry|ferries|ships?|vessels?|boats?|planes?|aircraft|jets?"
    r"|airliners?|buse?s|coach(?:es)?|routes?|lines?|links?|convoys?|trucks?|lorries|shipments?"
)
_VEHICLE_RE = re.compile(rf"\b(?:{_VEHICLES})\b", re.IGNORECASE)
_LEAVE_VEHICLE = re.compile(
    rf"\s+(?:the|a|an|their|his|her|its)\s+(?:[\w-]+\s+){{0,2}}?(?:{_VEHICLES})\b", re.IGNORECASE
)
_BY_VEHICLE = re.compile(
    r"\b(?:by|aboard|on\s+board)\s+(?:(?:a|the)\s+)?(?:train|rail|air|plane|ferry|boat|bus|road"
    r"|car|sea|coach)\b",
    re.IGNORECASE,
)


_SUBJECT_CUT = re.compile(
    r",|\b(?:as|when|after|before|which|that|who|and|while|once|until|where)\b", re.IGNORECASE
)


def _people_move(sentence: str, lo: int, hi: int, start: int, end: int) -> bool:
    """Whether a movement verb has people, not the service, as its subject (or a vehicle as
    its object: people leave a train, a train leaves a station)."""
    subject = sentence[lo:start]
    # The nearest subject: "as the train departed", "the K27, carrying 100 passengers, left".
    cut = max(
        (m.end() for m in _SUBJECT_CUT.finditer(subject)),
        default=0,
    )
    subject = subject[cut:]
    person = _PEOPLE.search(subject)
    vehicle = _VEHICLE_RE.search(subject)
    if person is not None and (vehicle is None or person.start() < vehicle.start()):
        return True
    if vehicle is None and _BY_VEHICLE.search(sentence, end, hi):
        return True
    return bool(_LEAVE_VEHICLE.match(sentence, end)) and sentence[start:end].lower().startswith(
        ("leav", "left")
    )


_ALL_LEMMAS = _LEMMAS + _RESTRICTION_VERBS
# Python's re tries every branch of a big alternation at every position (about a millisecond
# a sentence for this lexicon); finding words first and trying only the patterns their first
# letters allow is some thirty times cheaper.
_LEMMA_RE: dict[str, re.Pattern[str]] = {
    lem.name: re.compile(f"(?:{lem.pattern})\\b", re.IGNORECASE) for lem in _ALL_LEMMAS
}
_BEFORE_RE: dict[str, re.Pattern[str]] = {
    lem.name: re.compile(f"(?:{lem.before})$", re.IGNORECASE) for lem in _ALL_LEMMAS if lem.before
}
_BY_KEY: dict[str, list[_Lemma]] = {}
for _lem in _ALL_LEMMAS:
    for _key in _lem.keys.split():
        _BY_KEY.setdefault(_key, []).append(_lem)
_WORDS = re.compile(r"[A-Za-z]+")
_KEYS = frozenset(_BY_KEY)

# ----------------------------------------------------------------------------- cues

_PLAN_BEFORE = re.compile(
    r"(?:\b(?:will|'ll|shall|would|is\s+to|are\s+to|was\s+to|were\s+to|be\s+to|set\s+to"
    r"|(?:is|are|was|were)\s+(?:due|scheduled|slated|expected|poised|going|planned|set|ready)\s+to"
    r"|due\s+to|scheduled\s+to|slated\s+to|expected\s+to|plans?\s+(?:to|for)|planned\s+(?:to|for)"
    r"|planning\s+(?:to|for)|agree[ds]?\s+to|agreed\s+on|decided\s+to|decides?\s+to|decision\s+to"
    r"|aims?\s+to|intends?\s+to|prepar(?:e|es|ed|ing)\s+to|preparations?\s+(?:to|for)"
    r"|announced\s+plans?\s+(?:to|for)|arrangements?\s+(?:to|for)|ready\s+to|going\s+to"
    r"|set\s+for)\s+(?:\w+\s+){0,3}|\bto\s+(?:be\s+)?"
    # "the planned restart", "the scheduled reopening": a plan named as a noun.
    r"|\b(?:planned|scheduled|expected|proposed|promised|long-awaited|mooted|intended|upcoming)\s+)$",
    re.IGNORECASE,
)
# Any plan cue in the sentence: bare weekdays then look forward unless their own words say not.
_PLAN_ANYWHERE = re.compile(
    r"\b(?:will|'ll|shall|would|is\s+to|are\s+to|set\s+to|scheduled|slated|due\s+to|expected\s+to"
    r"|plans?\s+to|planned|agreed?\s+to|decided\s+to|to\s+(?:resume|reopen|restart|start|begin"
    r"|launch|run|operate))\b",
    re.IGNORECASE,
)
_HEDGE_BEFORE = re.compile(
    r"\b(?:(?-i:may)|might|could|can|possibly|probably|likely\s+to|reportedly|apparently|allegedly"
    r"|appears?\s+to|appeared\s+to|seems?\s+to|seemed\s+to|(?:is|are|was|were)\s+(?:said|believed"
    r"|thought|rumou?red)\s+to|hopes?\s+to|hoped\s+to|hoping\s+to|would\s+like\s+to"
    r"|wants?\s+to|considering|consider(?:s|ed)?|mulling|weighing|could\s+soon"
    r"|talks?\s+(?:on|about|over|to)|discuss(?:ed|es|ing|ions?)?(?:\s+(?:on|about))?"
    r"|negotiat(?:e|ed|ing|ions?)\s+(?:on|over|to)|propos(?:al|als|ed|es|ing)(?:\s+(?:to|for|on))?"
    r"|calls?\s+(?:for|to)|called\s+for|urg(?:e|es|ed|ing)\s+(?:\w+\s+){0,3}to"
    r"|demand(?:s|ed)?|push(?:es|ed|ing)?\s+(?:for|to)|lobby(?:ing)?\s+(?:for|to)"
    r"|possibility\s+of|prospect\s+of|chance\s+of|if|unless|whether)\b(?:\s+\w+){0,4}\s*$",
    re.IGNORECASE,
)
_HEDGE_ANYWHERE = re.compile(
    r"\b(?:reportedly|apparently|allegedly|unverified|rumou?rs?|rumou?red|speculation"
    r"|appears?\s+to|appeared\s+to|seem(?:s|ed)?\s+to|suggesting|(?-i:may)\s+have|might\s+have"
    r"|according\s+to\s+(?:\w+\s+){0,2}(?:photos?|images?|pictures?|videos?|footage|posts?"
    r"|social\s+media|satellite|unconfirmed|unverified|rumou?rs?|unnamed|anonymous|sources?)"
    r"|(?:photos?|images?|videos?|footage|posts?)\s+(?:circulating|shared|posted)"
    r"|it\s+(?:is|was)\s+(?:unclear|not\s+clear)|unclear\s+(?:whether|if|when))\b",
    re.IGNORECASE,
)
_DENY_BEFORE = re.compile(
    r"\b(?:den(?:y|ies|ied|ying)|dismiss(?:ed|es)?\s+(?:the\s+)?(?:reports?|claims?|suggestions?)"
    r"|reject(?:ed|s)?\s+(?:the\s+)?(?:reports?|claims?)|refut(?:ed|es)|false"
    r"|no\s+(?:such\s+)?(?:immediate\s+|current\s+)?(?:plans?|proposals?|intention|decision)\s+"
    r"(?:to|of|for)"
    r"|ruled\s+out|rules\s+out|rule\s+out)\b",
    re.IGNORECASE,
)
_UNCONFIRMED_BEFORE = re.compile(
    r"\b(?:(?:did|could|would|has|have|had|was|were)\s*(?:not|n't)\s+(?:immediately\s+|yet\s+|"
    r"independently\s+|officially\s+)?(?:confirm|verify|comment|be\s+(?:independently\s+)?verified)"
    # "has not confirmed the date", "have not commented".
    r"|(?:has|have|had)\s*(?:not|n't)\s+(?:yet\s+|officially\s+)?(?:confirmed|verified|commented)"
    r"|declined\s+to\s+(?:comment|confirm)|refused\s+to\s+(?:comment|confirm)|unconfirmed"
    r"|no\s+(?:official\s+)?confirmation|not\s+(?:been\s+)?(?:officially|independently)\s+confirmed"
    r"|neither\s+confirmed\s+nor\s+denied|cannot\s+be\s+verified|could\s+not\s+be\s+verified"
    # Nobody knows when (or whether): "too early to say when sailings would resume", "did not
    # say whether it would return", "no date has been set for the reopening".
    r"|too\s+(?:early|soon)\s+to\s+(?:say|tell|know|predict)"
    r"|(?:did|does|do|would|could|can)\s*(?:not|n't)\s+(?:yet\s+)?(?:say|specify|give\s+a\s+date"
    r"|know|indicate|disclose)\s+(?:when|whether|if|how\s+soon|how\s+long)"
    r"|(?:is|was|are|were|remains?|remained)\s+(?:not\s+(?:yet\s+)?known|unknown|uncertain)"
    r"\s+(?:when|whether|if)|no\s+(?:new\s+)?(?:date|timetable|timeline|timeframe)\s+(?:has|had"
    r"|have)\s+(?:yet\s+)?been\s+(?:set|given|announced|fixed))\b",
    re.IGNORECASE,
)
_NEGATION_BEFORE = re.compile(
    r"(?:n't|\b(?:not|never|yet\s+to|failed\s+to|fail\s+to|refused\s+to|refuses\s+to|without"
    r"|neither|nor|no\s+sign\s+of|no\s+(?:immediate\s+)?plans?\s+to|unable\s+to))\b(?:\s+\w+){0,3}\s*$",
    re.IGNORECASE,
)
# A plan told as past: "had been expected to reopen", "was originally scheduled to start".
_FORMER_PLAN = re.compile(
    r"\b(?:had\s+been|(?:was|were|had\s+been)\s+(?:originally|initially|first))\s+"
    r"(?:expected|scheduled|due|set|slated|planned|supposed|meant)\s+to\s+(?:be\s+)?(?:\w+ly\s+)?$",
    re.IGNORECASE,
)
_NO_LONGER = re.compile(r"\bno\s+longer\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
_NO_SUBJECT = re.compile(
    rf"\bno\s+(?:\w+\s+){{0,2}}(?:{_SERVICE_NOUNS})\b(?:\s+\w+){{0,4}}\s*$", re.IGNORECASE
)
_AUX_PASSIVE = re.compile(
    r"\b(?:was|were|is|are|be|been|being|has\s+been|have\s+been|had\s+been|got|get|gets)\s+"
    r"(?:(?:\w+ly|first|again|already|also|now|last|then|just|still|not|never)\s+)?$",
    re.IGNORECASE,
)
_REPORT_BEFORE_DATE = re.compile(
    r"\b(?:said|says|say|told|tells|reported|reports|announced|announces|confirmed|stated|added"
    r"|noted|wrote|posted|tweeted|asked|briefing|statement|conference|interview|published"
    r"|released|notice|notified|informed|declared)\b[\w\s,]{0,22}$",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(
    r";|:|\s[-–—]\s|,\s+(?:but|while|though|although|whereas|however)\b|\s+but\s+|\bwhile\b"
    r"|\b(?:al)?though\b|\bwhereas\b|\bhowever\b|[“”\"]",
    re.IGNORECASE,
)
_FIRST_SINCE = re.compile(
    r"\bfirst\b(?:\s+[\w'-]+){0,7}?\s+(?:since\s+(?P<since>[^,.;]{2,40}?)(?=[,.;]|\s+(?:and|as|when|after)\b|$)"
    r"|in\s+(?:more\s+than\s+|over\s+|nearly\s+|almost\s+)?(?P<n>\d+|a|an|one|two|three|four|five|six"
    r"|seven|eight|nine|ten|eleven|twelve|twenty)\s+(?P<unit>year|month|week|decade)s?)",
    re.IGNORECASE,
)
_GAP_NOUN = r"(?:hiatus|suspension|pause|break|gap|halt|closure|absence|shutdown|interruption)"
_AFTER_GAP = re.compile(
    rf"\bafter\s+(?:a|an)\s+(?P<n>\w+)[-\s](?P<unit>year|month|week|day)s?(?:-long)?\s+{_GAP_NOUN}"
    rf"|\bafter\s+(?:more\s+than\s+|over\s+|nearly\s+|almost\s+)?(?P<n2>\w+)\s+(?P<unit2>year|month|week|day)s?\b",
    re.IGNORECASE,
)

_STATE_FLIP: dict[State, State] = {
    "operating": "suspended",
    "suspended": "operating",
    "cancelled": "operating",
    "unknown": "unknown",
}


# ----------------------------------------------------------------------------- helpers


@dataclass
class _Hit:
    start: int
    end: int
    lemma: _Lemma
    state: State
    restriction: str | None = None
    # The span of the trigger words reported, which may extend over the restriction noun.
    span: tuple[int, int] = (0, 0)


@lru_cache(maxsize=64)
def _breaks(sentence: str) -> tuple[tuple[int, int], ...]:
    return tuple(m.span() for m in _CLAUSE_BREAK.finditer(sentence))


def clause_bounds(sentence: str, start: int, end: int) -> tuple[int, int]:
    """The clause around [start, end): split at ;, dashes, quotes and contrastive conjunctions."""
    lo, hi = 0, len(sentence)
    for b_start, b_end in _breaks(sentence):
        if b_end <= start:
            lo = b_end
        elif b_start >= end:
            hi = b_start
            break
    return lo, hi


def clause_of(sentence: str, trigger: str) -> str:
    """The clause of `sentence` that holds `trigger` (the whole sentence if it is not found)."""
    at = sentence.find(trigger)
    if at < 0:
        at = sentence.lower().find(trigger.lower())
    if at < 0:
        return sentence
    lo, hi = clause_bounds(sentence, at, at + len(trigger))
    return sentence[lo:hi]


def restriction_of(trigger: str) -> str | None:
    """The restriction noun an event's trigger names ("lifted the ban" -> "ban"), if any."""
    m = _RESTRICTION_RE.search(trigger)
    if not m:
        # "India banned onion exports": the verb names the ban it imposes.
        return (
            "ban" if re.fullmatch(r"bann(?:ed|ing)|bans", trigger.strip(), re.IGNORECASE) else None
        )
    word = " ".join(m.group(0).lower().split())
    return word.removeprefix("travel ").rstrip("s") if not word.endswith("ss") else word


def service_state(state: State) -> State:
    """A restriction's state seen from the service it restricts (a ban in force: suspended)."""
    if state == "operating":
        return "suspended"
    if state in ("suspended", "cancelled"):
        return "operating"
    return state


def _words_between_ok(text: str) -> bool:
    # Determiners, adjectives and names may separate a verb from its restriction noun
    # ("lifted the two-year travel ban"), prepositions and service nouns may not
    # ("halted flights amid the strike": the strike is a cause, not the object).
    if len(text.split()) > 4 or re.search(r"[,;:.]", text):
        return False
    # A service noun right before the restriction noun qualifies it: "its palm oil export ban".
    text = re.sub(rf"\b(?:{_SERVICE_NOUNS})\s*$", "", text, flags=re.IGNORECASE)
    return not re.search(
        rf"\b(?:amid|because|due|after|over|during|following|despite|by|for|in|on|to|with|and"
        rf"|but|from|as|since|against|{_SERVICE_NOUNS})\b",
        text,
        re.IGNORECASE,
    )


def _attach_restriction(sentence: str, hit: _Hit) -> re.Match[str] | None:
    """The restriction noun that is the object or passive subject of the trigger, if any."""
    lo, hi = clause_bounds(sentence, hit.start, hit.end)
    # Object after the verb: "lifted the ban", "called off the strike".
    for m in _RESTRICTION_RE.finditer(sentence, hit.end, hi):
        if _words_between_ok(sentence[hit.end : m.start()]):
            return m
        break
    # Subject before the verb: passive ("the ban was lifted", "the ban on flights was lifted",
    # "the strike planned for Friday has been called off") or an intransitive restriction verb
    # ("the strike went ahead", "the strike ended").
    before = list(_RESTRICTION_RE.finditer(sentence, lo, hit.start))
    if before:
        m = before[-1]
        gap = sentence[m.end() : hit.start]
        if len(gap.split()) <= 7 and not re.search(r"[,;:]|\b(?:that|which|who|and|but)\b", gap):
            passive = bool(_AUX_PASSIVE.search(sentence[: hit.start]))
            intransitive = hit.lemma.name in {
                "go ahead",
                "take effect",
                "go on strike",
                "walk out",
                "continue",
                "end",
                "start",
                "resume",
                "restart",
                "halt",
                "pause",
            } and not re.match(
                rf"\s+(?:the\s+|all\s+)?(?:{_SERVICE_NOUNS})\b", sentence[hit.end :], re.IGNORECASE
            )
            if passive or intransitive:
                return m
    return None


def _candidates(sentence: str) -> list[tuple[int, int, _Lemma]]:
    """Lexicon matches, left to right, not overlapping: (start, end, lemma)."""
    # Most sentences have no word the lexicon starts with: one findall and a set test.
    if _KEYS.isdisjoint(w[:4] for w in _WORDS.findall(sentence.lower())):
        return []
    out: list[tuple[int, int, _Lemma]] = []
    taken = 0
    for word in _WORDS.finditer(sentence):
        start = word.start()
        if start < taken:
            continue
        lemmas = _BY_KEY.get(word.group(0)[:4].lower())
        if not lemmas:
            continue
        for lemma in lemmas:
            begin = start
            if lemma.before:
                b = _BEFORE_RE[lemma.name].search(sentence, max(taken, start - 40), start)
                if b is None:
                    continue
                begin = b.start()
            m = _LEMMA_RE[lemma.name].match(sentence, start)
            if m:
                out.append((begin, m.end(), lemma))
                taken = m.end()
                break
    return out


def _find_hits(sentence: str) -> list[_Hit]:
    hits: list[_Hit] = []
    candidates = _candidates(sentence)
    starts = [c[0] for c in candidates]
    for start, end, lemma in candidates:
        if _GATED_EXCLUDE.match(sentence, start) and lemma.gated:
            continue
        # "state-run", "foreign-run", "long-running", "run-up": compounds, not verbs.
        if (start and sentence[start - 1] == "-") or sentence[end : end + 1] == "-":
            continue
        restriction_only = lemma in _RESTRICTION_VERBS
        hit = _Hit(start, end, lemma, lemma.state, span=(start, end))
        # "went on strike": the trigger names its restriction itself.
        # "bans all flights", "will ban exports": the verb is the restriction (see below).
        noun: re.Match[str] | None = (
            None if lemma.name == "ban" else _RESTRICTION_RE.search(sentence, start, end)
        )
        if noun is None and (restriction_only or lemma.name in _RESTRICTION_STATE_OF_LEMMA):
            noun = _attach_restriction(sentence, hit)
        if noun is not None:
            hit.restriction = noun.group(0).lower()
            hit.state = lemma.state if restriction_only else _RESTRICTION_STATE_OF_LEMMA[lemma.name]
            hit.span = (min(start, noun.start()), max(end, noun.end()))
        elif restriction_only:
            continue
        elif lemma.gated:
            lo, hi = clause_bounds(sentence, start, end)
            service = _SERVICE_RE.search(sentence, lo, hi)
            if (
                not service
                and lemma.name in ("be held", "take place")
                and _DATE_AFTER.match(sentence, end)
                and not _OTHER_SUBJECT.search(sentence, lo, start)
            ):
                # "Primavera Sound will be held on November 7": a named event, on its date.
                hits.append(hit)
                continue
            if not service:
                continue
            if lemma.name == "start" and (
                _TIME_PHRASE_BEFORE.search(sentence, max(0, start - 20), start)
                and re.match(r"\w+\s+of\b", sentence[start:])
            ):
                continue
            if lemma.name in _MOVEMENT_LEMMAS and _people_move(sentence, lo, hi, start, end):
                continue
            # "Talks on reopening the border are expected to begin": the talks begin.
            other = _OTHER_SUBJECT.search(sentence, lo, start)
            if other and other.start() < service.start():
                continue
        if hit.restriction is None and _other_party_subject(sentence, start, end, starts):
            continue
        if hit.restriction is None and hit.state != "operating" and _partial(sentence, hit):
            # "called off the amateur section of the marathon", "some flights were cancelled":
            # a part stops, the whole goes on. A limit (see caveat_cues), not a change.
            continue
        if lemma.name == "ban" and hit.restriction is None:
            # "banned onion exports": a ban imposed, in the ban's own perspective (in force);
            # a caller tracking the trade turns it round (service_state).
            hit.restriction, hit.state = "ban", "operating"
        hits.append(hit)
    return _drop_governed(sentence, hits)


def _other_party_subject(sentence: str, start: int, end: int, starts: list[int]) -> bool:
    """Whether the verb's subject is someone else's service ("Other airlines, including Qatar
    Airways, also cancelled flights"): the tracked service is not what changed.

    `starts` are where the sentence's other trigger words begin: "other airlines resumed
    flights in March, and the carrier suspended its own" has its own subject for the second.
    """
    lo, _hi = clause_bounds(sentence, start, end)
    for m in _OTHER_PARTY_RE.finditer(sentence, lo, start):
        if not any(m.end() <= s < start for s in starts):
            return True
    return False


# A part of the thing, or some of its runs: what a cancellation or suspension of it leaves out.
_PART_NOUN = (
    r"(?:section|part|portion|leg|stage|segment|component|category|division|element|strand"
    r"|wing|half)s?"
)
_QUANTIFIER = (
    r"(?:some|several|a\s+few|a\s+handful\s+of|a\s+number\s+of|a\s+(?:small\s+)?share\s+of"
    r"|(?:a\s+|one\s+)?(?:part|portion|half|third|quarter|section)\s+of|one\s+of|two\s+of"
    r"|certain|a\s+(?:couple|dozen)\s+(?:of\s+)?|dozens\s+of|hundreds\s+of)"
)
# Who is left out: "called off for foreigners", "suspended for tourists".
_LEFT_OUT = (
    r"for\s+(?:(?:all|most|the)\s+)?(?:foreign(?:ers|\s+[\w-]+)?|overseas\s+[\w-]+"
    r"|international\s+[\w-]+|tourists?|tourist\s+groups|visitors|amateurs?|amateur\s+[\w-]+"
    r"|non-residents|outsiders|spectators|fans|the\s+public|(?:some|certain)\s+[\w-]+)"
)
# Words of the object before its head noun: no prepositions ("at a late stage" is a time).
_OBJ_WORD = (
    r"(?!(?:at|in|on|of|for|from|to|by|with|after|before|during|until|since|as|and|but|or"
    r"|because|due)\b)[\w'’-]+\s+"
)
_PART_OBJECT = re.compile(
    r"\s+(?:on|in|along|across|over|at)\s+(?:parts?|sections?|portions?|stretch(?:es)?|some)"
    rf"\s+of\b|\s+{_QUANTIFIER}\b"
    rf"|\s+(?:(?:the|a|an|its|their|this|that|this\s+year's)\s+)?(?:{_OBJ_WORD}){{0,3}}?"
    rf"{_PART_NOUN}\b(?!-)"
    rf"|(?:\s+(?:{_OBJ_WORD}){{1,4}}?)?\s*{_LEFT_OUT}\b",
    re.IGNORECASE,
)
_PART_SUBJECT = re.compile(
    rf"^\W*(?:{_QUANTIFIER}\b|(?:the|a|an|its|their|this\s+year's)\s+(?:[\w'’-]+\s+){{0,3}}?"
    rf"{_PART_NOUN}\s+of\b)",
    re.IGNORECASE,
)
_PART_HINT = re.compile(
    rf"\b(?:{_PART_NOUN}|some|several|few|number|certain|dozens?|hundreds|one|two|foreign\w*"
    r"|overseas|international|tourists?|visitors|amateurs?|non-residents|outsiders|spectators"
    r"|fans|public)\b",
    re.IGNORECASE,
)


def _partial(sentence: str, hit: _Hit) -> bool:
    """Whether a cancellation or suspension is of a part only: its object ("called off the
    foreign amateur section of the marathon", "cancelled some flights", "suspended for
    tourists") or its passive subject ("Some flights were cancelled", "Part of the festival
    has been called off") names a part, some of the runs, or the people left out."""
    lo, hi = clause_bounds(sentence, hit.start, hit.end)
    if not _PART_HINT.search(sentence, lo, hi):
        return False
    trigger = sentence[hit.start : hit.end]
    # "called the amateur section off": the object sits inside the trigger.
    inner = re.match(r"call\w*\s+(.+?)\s+off$", trigger, re.IGNORECASE)
    if inner and _PART_OBJECT.match(" " + inner.group(1)):
        return True
    after = sentence[hit.end : hi]
    if _PART_OBJECT.match(after.split(",")[0] if "," in after else after):
        return True
    if not _AUX_PASSIVE.search(sentence, lo, hit.start):
        return False
    subject = sentence[lo : hit.start]
    cut = max((m.end() for m in _SUBJECT_CUT.finditer(subject)), default=0)
    return bool(_PART_SUBJECT.search(subject[cut:]))


def partial_change(sentence: str) -> bool:
    """Whether the sentence stops or cancels only a part of something (see `_partial`)."""
    if not _PART_HINT.search(sentence):
        return False
    for start, end, lemma in _candidates(sentence):
        if lemma.state == "operating" or lemma in _RESTRICTION_VERBS:
            continue
        hit = _Hit(start, end, lemma, lemma.state, span=(start, end))
        if _RESTRICTION_RE.search(sentence, start, end) or _attach_restriction(sentence, hit):
            continue
        if _partial(sentence, hit):
            return True
    return False


def _drop_governed(sentence: str, hits: list[_Hit]) -> list[_Hit]:
    """Drop a trigger that is the object of another ("postponed the resumption of flights",
    "cancelled the reopening"): the governing verb is the change."""
    out: list[_Hit] = []
    for hit in hits:
        governor = out[-1] if out else None
        if (
            governor is not None
            and governor.state != hit.state
            # The object is a noun ("the resumption"); "reopening delayed" is a subject and
            # its verb, handled below.
            and _NOUN_FORM.search(sentence, hit.start, hit.end)
            and re.fullmatch(
                r"\s+(?:the|its|their|a|an|this|that|planned|scheduled|expected|proposed|long-awaited"
                r"|\w+'s)?\s*(?:planned\s+|scheduled\s+)?",
                sentence[governor.span[1] : hit.start],
                re.IGNORECASE,
            )
        ):
            continue
        out.append(hit)
    # The subject of another change: "The resumption of services has been delayed".
    kept: list[_Hit] = []
    for i, hit in enumerate(out):
        nxt = out[i + 1] if i + 1 < len(out) else None
        if (
            nxt is not None
            and nxt.state != hit.state
            and _NOUN_FORM.search(sentence, hit.start, hit.end)
            and (
                _SUBJECT_OF.fullmatch(sentence, hit.span[1], nxt.start)
                # A headline drops the auxiliary: "Holyhead reopening delayed until January".
                or (
                    re.match(r"[\w-]+ed\b", sentence[nxt.start :])
                    and re.fullmatch(r"\s+", sentence[hit.span[1] : nxt.start])
                )
            )
            and not re.search(r"\b(?:and|but|or|as|while)\b|[,;]", sentence[hit.end : nxt.start])
        ):
            continue
        kept.append(hit)
    return kept


_NOUN_FORM = re.compile(
    r"(?:tion|sion|sions|tions|ure|ures|ment|ing|ings|al|als|start|launch)$", re.IGNORECASE
)
_SUBJECT_OF = re.compile(
    r"(?:\s+[\w'-]+){0,8}?\s+(?:has|have|had|was|were|is|are|will|would|could|may|might)"
    r"(?:\s+(?:been|be|not|now|also|again))*\s+(?:\w+ly\s+)?",
    re.IGNORECASE,
)


# ----------------------------------------------------------------------------- modality


def _modality(sentence: str, hit: _Hit, lo: int) -> Modality:
    """Modality from the cues around the trigger."""
    before_sentence = sentence[: hit.start]
    before = sentence[max(lo, hit.start - 80) : hit.start]
    if _DENY_BEFORE.search(before_sentence):
        return "denied"
    if _UNCONFIRMED_BEFORE.search(before_sentence):
        return "unconfirmed"
    # "has been called off", "was postponed": a finite past form reports a change, whatever
    # plan the words before it mention ("the strike planned for Friday has been called off").
    past_aux = re.search(
        r"\b(?:has|have|had)\s+(?:\w+ly\s+)?(?:been\s+)?(?:\w+ly\s+)?$|\b(?:was|were)\s+(?:\w+ly\s+)?$",
        before,
        re.IGNORECASE,
    )
    planned = (not past_aux and bool(_PLAN_BEFORE.search(before))) or bool(
        re.match(
            r"\s*(?:is|are|was|were)\s+(?:due|scheduled|set|slated|planned|expected)\b",
            sentence[hit.end :],
            re.IGNORECASE,
        )
    )
    if _HEDGE_BEFORE.search(before) or _HEDGE_ANYWHERE.search(sentence):
        return "hedged"
    # "once tourism eventually returns", "until flights resume": a condition still to be met.
    if re.search(
        r"\b(?:once|as\s+soon\s+as|until|till)\s+(?!again\b|more\b)(?:[\w'’-]+\s+){0,6}$",
        before,
        re.IGNORECASE,
    ) and not _is_past_form(sentence, hit, lo):
        return "hedged"
    if planned and (
        hit.lemma.name == "continue"
        or re.search(
            r"\b(?:remain|stay|continue\s+to\s+be|still\s+be|be\s+kept)\s+(?:\w+ly\s+)?$"
            r"|\bextend(?:s|ed|ing)?\s+(?:the|its|their)\s+$",
            before,
            re.IGNORECASE,
        )
    ):
        # "would remain suspended", "the ban will continue": the state now, said to last; no
        # change to come.
        return "reported"
    if planned:
        return "planned"
    word = sentence[hit.start : hit.end].lower()
    # A bare progressive in a future clause ("are resuming this week"), a present progressive
    # "is leaving" with no date: a plan. Past progressive stays reported.
    if word.endswith("ing") and re.search(r"\b(?:is|are|'re|'s)\s+(?:\w+\s+)?$", before):
        # ... unless it says it is happening now: "trains are running again".
        if re.match(
            r"\s+(?:again|now|normally|as\s+usual|regularly|once\s+more|daily)\b",
            sentence[hit.end :],
            re.IGNORECASE,
        ) or re.search(r"\bnow\s+$", before):
            return "reported"
        return "planned"
    if (
        word.endswith("ing")
        and not re.search(r"\b(?:was|were|been)\s+(?:\w+\s+)?$", before)
        and local_tense(sentence, hit.start, hit.end) == "future"
    ):
        return "planned"
    return "reported"


def _is_past_form(sentence: str, hit: _Hit, lo: int) -> bool:
    """Whether the trigger is a finite past form ("has been called off", "halted", "was shut")."""
    word = sentence[hit.start : hit.end].split()[0].lower()
    before = sentence[max(lo, hit.start - 30) : hit.start]
    if re.search(
        r"\b(?:will|would|to|be|shall|may|might|could|can|should|must)\s+(?:\w+\s+)?$",
        before,
        re.IGNORECASE,
    ):
        return False
    if re.search(r"\b(?:has|have|had|was|were)\s+(?:\w+\s+){0,2}$", before, re.IGNORECASE):
        return True
    return word.endswith("ed") or word in {"went", "ran", "took", "began", "left", "froze", "shut"}


def _negation(sentence: str, hit: _Hit, lo: int) -> str | None:
    """'flip' (no longer), 'negated', or None."""
    before = sentence[max(lo, hit.start - 60) : hit.start]
    # Stop at a complementiser: in "did not confirm that trains had resumed" the "not"
    # belongs to "confirm".
    cut = max(
        (m.end() for m in re.finditer(r"\b(?:that|whether|if|which|who)\b|,", before)), default=0
    )
    before = before[cut:]
    if _NO_LONGER.search(before):
        return "flip"
    if _NEGATION_BEFORE.search(before) or _NO_SUBJECT.search(before):
        return "negated"
    return None


# ----------------------------------------------------------------------------- dates


def _is_report_date(sentence: str, dm: DateMatch) -> bool:
    """'said on Tuesday', 'at a media briefing on Tuesday': when it was said, not what happened."""
    return bool(_REPORT_BEFORE_DATE.search(sentence[max(0, dm.start - 40) : dm.start]))


def _years_back(published: dt.date, duration: Duration, text: str) -> DateRef:
    if duration.unit == "year":
        return DateRef(dt.date(published.year - duration.amount, 1, 1), "year", text)
    if duration.unit == "month":
        total = published.year * 12 + published.month - 1 - duration.amount
        return DateRef(dt.date(total // 12, total % 12 + 1, 1), "month", text)
    days = duration.amount * (7 if duration.unit == "week" else 1)
    return DateRef(published - dt.timedelta(days=days), "day", text)


def _assign_dates(sentence: str, hits: list[_Hit], dates: list[DateMatch]) -> dict[int, DateMatch]:
    """Give each date to the nearest trigger of its clause; each trigger keeps its nearest date."""
    owned: dict[int, list[tuple[float, DateMatch]]] = {}
    for dm in dates:
        if _is_report_date(sentence, dm):
            continue
        best: tuple[float, int] | None = None
        for i, hit in enumerate(hits):
            lo, hi = clause_bounds(sentence, hit.start, hit.end)
            # Another clause: only a sentence-initial date ("In 2020, ...") reaches over.
            if (dm.start >= hi or dm.end <= lo) and not (dm.start < 15 and hit.start > dm.end):
                continue
            if dm.start >= hit.end:
                distance = (dm.start - hit.end) * 0.6  # "halted in 2020": dates follow the verb
                between = sentence[hit.end : dm.start]
            else:
                distance = float(hit.start - dm.end)
                between = sentence[dm.end : hit.start]
            # A comma between them usually means another phrase ("went on strike on Monday,
            # halting services": Monday is the strike's).
            distance += 25 * between.count(",")
            if best is None or distance < best[0]:
                best = (distance, i)
        if best is not None and best[0] < 160:
            owned.setdefault(best[1], []).append((best[0], dm))
    return {i: min(found, key=lambda t: t[0])[1] for i, found in owned.items()}


# ----------------------------------------------------------------------------- attribution

_OUTLETS = (
    "Reuters",
    "Associated Press",
    "AP",
    "AFP",
    "Agence France-Presse",
    "Yonhap",
    "Xinhua",
    "KCNA",
    "Korean Central News Agency",
    "BBC",
    "The Guardian",
    "Guardian",
    "New York Times",
    "NK News",
    "NK Pro",
    "Kyodo",
    "TASS",
    "RIA Novosti",
    "Interfax",
    "Bloomberg",
    "CNN",
    "Al Jazeera",
    "Nikkei",
    "Wall Street Journal",
    "Financial Times",
    "Global Times",
    "CCTV",
    "CGTN",
    "People's Daily",
    "Rodong Sinmun",
    "NHK",
    "DPA",
    "EFE",
    "ANSA",
    "Le Monde",
    "Der Spiegel",
    "The Times",
    "Telegraph",
    "Independent",
    "Washington Post",
    "ABC",
    "CBS",
    "NBC",
    "Fox News",
    "Sky News",
    "Politico",
    "Axios",
    "South China Morning Post",
    "SCMP",
    "Korea Herald",
    "JoongAng",
    "Chosun Ilbo",
    "Daily NK",
    "Radio Free Asia",
    "RFA",
    "Voice of America",
    "VOA",
    "Deutsche Welle",
    "DW",
    "Euronews",
    "Nikkei Asia",
    "Asahi",
    "Mainichi",
    "Yomiuri",
    "Straits Times",
    "Hindustan Times",
    "Times of India",
    "Dawn",
    "Anadolu",
    "IRNA",
    "Tasnim",
    "Fars",
    "WAM",
    "SPA",
    "Sputnik",
    "RT",
    "Caixin",
    "The Economist",
    "The Atlantic",
    "Le Figaro",
    "El País",
    "Haaretz",
    "Times of Israel",
    "Kyiv Independent",
    "Ukrinform",
    "Meduza",
    "NPR",
    "PBS",
    "LBC",
    "ITV",
    "Channel 4",
)
_OUTLET_RE = re.compile(
    r"\b(?:" + "|".join(re.escape(o) for o in sorted(_OUTLETS, key=len, reverse=True)) + r")\b"
)
_OUTLET_WORDS = re.compile(
    r"\b(?:news\s+agency|newspaper|broadcaster|daily|tabloid|times|post|herald|journal|tribune"
    r"|gazette|telegraph|news|state\s+media|state\s+television|state\s+tv|state\s+broadcaster"
    r"|media|television|radio|magazine|wire|outlet|website|channel)\b",
    re.IGNORECASE,
)
_STRONG_OUTLET_WORDS = re.compile(
    r"\b(?:news\s+agency|newspaper|broadcaster|state\s+media|state\s+television|state\s+tv"
    r"|state\s+broadcaster|state\s+news|official\s+media|tabloid|reporters?|correspondents?)\b",
    re.IGNORECASE,
)
_ANONYMOUS_WORDS = re.compile(
    r"\b(?:sources?|people\s+familiar|person\s+familiar|insiders?|anonymity|unnamed|who\s+declined"
    r"|who\s+asked\s+not|residents?|witness(?:es)?|photos?|images?|pictures?|videos?|footage"
    r"|social\s+media|posts?|rumou?rs?|reports|bloggers?|observers?)\b",
    re.IGNORECASE,
)
_TRADE_WORDS = re.compile(
    r"\b(?:travel|tours?|tourism|ticket(?:ing|s)?|booking|agents?|agenc(?:y|ies)|tour\s+operators?"
    r"|industry|analysts?|consultanc(?:y|ies)|consultants?|traders?|brokers?|company|companies"
    r"|firms?|business(?:es)?|union|unions|association|chamber|manager|executive|ceo)\b",
    re.IGNORECASE,
)
_OFFICIAL_WORDS = re.compile(
    r"\b(?:ministry|minister|ministers|government|spokes(?:person|man|woman)|officials?"
    r"|authorit(?:y|ies)|embass(?:y|ies)|consulate|president|premier|prime\s+minister"
    r"|department|bureau|administration|commission|council|parliament|police|military|army"
    r"|navy|regulator|agency|state|operator|railways?|railroad|airlines?|airways|air|carrier"
    r"|ferries|port|airport|coastguard|customs|border\s+(?:guards?|police|service)"
    r"|secretary|governor|mayor|king|kremlin|white\s+house|pentagon|foreign\s+office|cabinet"
    r"|ambassador|diplomats?|committee|federation|organi[sz]ers?|organi[sz]ing|league|fifa|uefa"
    r"|ioc|un|eu|nato|who|board|court)\b",
    re.IGNORECASE,
)
_SAY = (
    r"(?:said|says|say|told|tells|reported|announced|announces|confirmed"
    r"|confirms|stated|states|added|adds|noted|notes|wrote|writes|claimed|claims|quoted"
    r"|cited|explained|warned|insisted|revealed|posted|tweeted|declared|informed|saw"
    r"|observed|witnessed|denied|dismissed|(?:did|could|would)\s+not\s+(?:confirm|comment)"
    r"|(?:did|could|would)n't\s+(?:confirm|comment)|declined\s+to\s+(?:confirm|comment)"
    r"|refused\s+to\s+(?:confirm|comment))"
)
_SAY_VERB = re.compile(rf"\s+(?:(?:has|have|had)\s+)?(?:also\s+)?{_SAY}\b")
_NP_BOUNDARY = re.compile(r"[,;:“”\"()]")
_SOURCE_AFTER = re.compile(
    rf"[,”\"]\s*{_SAY}\s+(?P<np>(?!that\b|on\b|in\b|at\b|last\b|this\b|it\b|the\s+"
    r"(?:move|decision|report)\b)[^,.;:“”\"()]{2,80})(?P<appos>,\s+[^,.;:“”\"]{3,90})?",
)
_ACCORDING = re.compile(r"\baccording\s+to\s+(?P<np>[^,.;:“”\"()]{2,90})", re.IGNORECASE)
_PRONOUNS = {"he", "she", "they", "we", "i", "it", "you", "this", "that", "who", "which", "one"}
_NP_STOP = re.compile(
    r"^.*\b(?:that|which|when|while|because|as|after|before|if|and\s+(?=said)|but|so|then"
    r"|where|whereas|though|although|since)\s+",
    re.IGNORECASE,
)


def _tidy_np(np: str) -> str:
    np = _NP_STOP.sub("", np.strip())
    np = re.sub(r"^(?:also|however|meanwhile|separately|earlier|later)\s+", "", np, flags=re.I)
    np = re.sub(
        r"\s+(?:on|in|at|last|this|late|early)\s+(?:\w+day|\w+\s+\d+|\d{4}|week|month"
        r"|year|night)\b.*$",
        "",
        np,
        flags=re.I,
    )
    np = re.sub(
        r"\s+(?:in\s+a\s+statement|on\s+its\s+website|to\s+reporters).*$", "", np, flags=re.I
    )
    words = np.split()
    if len(words) > 10:
        for i, w in enumerate(words[2:10], start=2):
            if w.lower() in {"for", "in", "from", "with", "who"}:
                words = words[:i]
                break
        words = words[:10]
    return " ".join(words).strip(" ,")


def _classify(name: str) -> AttributionKind:
    if _ANONYMOUS_WORDS.search(name):
        return "anonymous"
    if _OUTLET_RE.search(name) and not re.search(r"\b(?:official|spokes|minister)", name, re.I):
        return "outlet"
    if _STRONG_OUTLET_WORDS.search(name):
        return "outlet"
    if re.search(r"\b(?:travel|tour|ticket|booking)", name, re.I) or re.search(
        r"\b(?:analysts?|industry|consultan|traders?|brokers?)\b", name, re.I
    ):
        return "trade"
    if _OFFICIAL_WORDS.search(name):
        return "official"
    if _OUTLET_WORDS.search(name):
        return "outlet"
    if _TRADE_WORDS.search(name):
        return "trade"
    return "unknown"


def _before_verb(sentence: str) -> list[re.Match[str]]:
    """'<noun phrase> said': the phrase back to the previous comma, quote or bracket."""
    out: list[re.Match[str]] = []
    for verb in _SAY_VERB.finditer(sentence):
        lo = max(0, verb.start() - 140)
        boundaries = [b.end() for b in _NP_BOUNDARY.finditer(sentence, lo, verb.start())]
        lo = boundaries[-1] if boundaries else lo
        if verb.start() - lo < 2:
            continue
        m = re.compile(r"(?P<np>.+)", re.DOTALL).match(sentence, lo, verb.start())
        if m:
            out.append(m)
    return out


def _name_span(m: re.Match[str], name: str) -> tuple[int, int]:
    """Where the tidied source name sits in the sentence (within the matched noun phrase)."""
    head = name.split(",")[0]
    at = m.group("np").find(head)
    start = m.start("np") + max(at, 0)
    return start, start + len(head)


@dataclass(frozen=True)
class _Source:
    start: int
    end: int
    attribution: Attribution


def find_attributions(sentence: str) -> list[tuple[int, int, Attribution]]:
    """Who the sentence says is speaking: (start, end, Attribution), in order."""
    found: list[_Source] = []
    for m in _ACCORDING.finditer(sentence):
        name = _tidy_np(m.group("np"))
        if name and name.lower() not in _PRONOUNS:
            found.append(_Source(*_name_span(m, name), Attribution(name, _classify(name))))
    for m in _SOURCE_AFTER.finditer(sentence):
        name = _tidy_np(m.group("np"))
        if not name or name.split()[0].lower() in _PRONOUNS or not re.match(r"[A-Za-z]", name):
            continue
        appos = (m.group("appos") or "").strip(" ,")
        kind_text = f"{name} {appos}"
        if appos and len(appos.split()) <= 10:
            name = f"{name}, {appos}"
        found.append(_Source(*_name_span(m, name), Attribution(name, _classify(kind_text))))
    for m in _before_verb(sentence):
        if any(s.start <= m.start("np") < s.end for s in found):
            continue
        name = _tidy_np(m.group("np"))
        if not name or name.lower() in _PRONOUNS or name.split()[0].lower() in _PRONOUNS:
            continue
        if re.search(r"(?:\b(?:not|never|yet|has|have|had|also)|n't)$", name, re.IGNORECASE):
            continue  # "state media has not reported": nobody is saying anything
        found.append(_Source(*_name_span(m, name), Attribution(name, _classify(name))))
    found.sort(key=lambda s: s.start)
    return [(s.start, s.end, s.attribution) for s in found]


def _nearest_attribution(
    sources: list[tuple[int, int, Attribution]], start: int
) -> Attribution | None:
    if not sources:
        return None
    return min(sources, key=lambda s: min(abs(s[0] - start), abs(s[1] - start)))[2]


# ----------------------------------------------------------------------------- API


# Each general lexicon entry's own state ("run" -> operating), whatever a negation made of it.
LEMMA_STATES: dict[str, State] = {lem.name: lem.state for lem in _LEMMAS}


@lru_cache(maxsize=4096)
def lemma_of(trigger: str, sentence: str = "") -> str | None:
    """The lexicon entry behind an event's trigger ("were halted" -> "halt"); "first since" or
    "gap" for the changes implied by "the first train since 2020" and "after six years".

    Give the sentence when you have it: some entries look at the words after the trigger
    ("left" is "leave" only in "left for Hanoi", "left Kunming").
    """
    low = trigger.lower()
    if low.startswith("first"):
        return "first since"
    if low.startswith("after"):
        return "gap"
    at = sentence.find(trigger) if sentence else -1
    if at >= 0:
        for start, end, lemma in _candidates(sentence):
            if start < at + len(trigger) and at < end:
                return lemma.name
    found = _candidates(trigger)
    return found[0][2].name if found else None


def has_trigger(sentence: str) -> bool:
    """The cheap gate: could this sentence report a state change at all?"""
    return bool(_candidates(sentence)) or "first" in sentence.lower()


# A correction notice: what an earlier version of the story said, and no longer says.
_CORRECTION = re.compile(
    r"\b(?:earlier|previous|prior|original)\s+version\s+of\s+(?:this|the)\s+(?:story|article"
    r"|report|item|dispatch)\b|\b(?:incorrectly|erroneously|wrongly|mistakenly)\s+(?:said|stated"
    r"|reported|described)\b|\bmisstated\b",
    re.IGNORECASE,
)


def is_correction(sentence: str) -> bool:
    """Whether the sentence corrects the outlet's own earlier report ("An earlier version of
    this story said the crossing had reopened.")."""
    return bool(_CORRECTION.search(sentence))


def extract_events(sentence: str, *, published: dt.datetime | dt.date) -> list[Event]:
    """The state changes `sentence` reports, each with modality, negation, date and source.

    A correction notice reports nothing: what it says the earlier version said is denied.
    """
    events = _extract_events(sentence, published=published)
    if events and is_correction(sentence):
        return [dataclasses.replace(e, modality="denied", negated=False) for e in events]
    return events


def _extract_events(sentence: str, *, published: dt.datetime | dt.date) -> list[Event]:
    cut = dateline_end(sentence)
    if cut:
        # "YEREVAN, Feb 10 (Reuters) - ...": the filing place, date and agency are no part of
        # what the sentence reports (blanked, so positions still match the sentence).
        sentence = " " * cut + sentence[cut:]
    hits = _find_hits(sentence)
    first_since = list(_FIRST_SINCE.finditer(sentence)) if "first" in sentence.lower() else []
    if not hits and not first_since:
        return []
    gaps = list(_AFTER_GAP.finditer(sentence))
    pub = published.date() if isinstance(published, dt.datetime) else published
    planned_anywhere = bool(_PLAN_ANYWHERE.search(sentence))
    dates = find_dates(sentence, published=pub, tense_hint="future" if planned_anywhere else None)
    durations = find_durations(sentence)
    sources = find_attributions(sentence)
    # Triggers inside the words naming a source ("officials at the suspended crossing said")
    # describe the source, not a change.
    hits = [h for h in hits if not any(s <= h.start < e for s, e, _ in sources)]
    assigned = _assign_dates(sentence, hits, dates)
    events: list[tuple[int, int, Event]] = []  # (clause start, position, event)

    for i, hit in enumerate(hits):
        lo, _hi = clause_bounds(sentence, hit.start, hit.end)
        dm = assigned.get(i)
        date = dm.ref if dm is not None else _duration_date(sentence, hit, durations, pub)
        if _background(sentence, hit, date is not None):
            continue
        modality = _modality(sentence, hit, lo)
        negation = _negation(sentence, hit, lo)
        state: State = hit.state
        negated = False
        past_form = _is_past_form(sentence, hit, lo)
        if past_form and date is not None and modality == "reported" and period_start(date) > pub:
            # "The strike planned for Friday has been called off": Friday is the strike's date;
            # the calling off is reported done.
            date = None
        if negation is None and dm is not None and _until(sentence, dm):
            # "DFDS is running a reduced timetable until Monday": Monday ends the state, it
            # is not when the change happened; an ongoing progressive is no plan either.
            date = None
            if modality == "planned" and not _PLAN_BEFORE.search(
                sentence[max(lo, hit.start - 80) : hit.start]
            ):
                modality = "reported"
        if negation == "flip":
            state = _STATE_FLIP[state]
        elif negation == "negated":
            if dm is not None and dm.relation == "since" and state == "operating":
                # "No trains have run since 2020": suspended since then.
                state = "suspended"
            else:
                negated = True
                if modality == "planned" and re.search(
                    r"\b(?:yet\s+to|not\s+yet|failed\s+to|never)\b",
                    sentence[max(lo, hit.start - 40) : hit.start],
                    re.IGNORECASE,
                ):
                    modality = "reported"  # "has yet to resume": a fact about now, not a plan
        if (
            modality == "planned"
            and not negated
            and _FORMER_PLAN.search(sentence, max(lo, hit.start - 60), hit.start)
        ):
            # "had been expected to open early this month": a plan that did not happen (yet).
            negated = True
        if date is not None and modality == "reported" and not negated and period_start(date) > pub:
            modality = "planned"
        trigger = sentence[hit.span[0] : hit.span[1]]
        events.append(
            (
                lo,
                hit.start,
                Event(
                    state=state,
                    modality=modality,
                    trigger=trigger,
                    negated=negated,
                    date=date,
                    attribution=_nearest_attribution(sources, hit.start),
                ),
            )
        )
        # "resume ... after six years": the six years were a suspension.
        if state == "operating" and not negated and hit.restriction is None:
            for g in gaps:
                if g.start() >= hit.end and g.start() - hit.end < 80:
                    implied = _gap_event(sentence, g, pub, sources)
                    if implied is not None:
                        events.append((lo, g.start(), implied))
                    break

    events.extend(_new_date_events(sentence, hits, dates, events, sources, pub))

    for m in first_since:
        lo = clause_bounds(sentence, m.start(), m.end())[0]
        events.extend(
            (lo, at, ev) for at, ev in _first_since_events(sentence, m, pub, dates, sources, hits)
        )

    return _dedupe(events)


# "on cancelled flights", "the suspended trains": a participle describing runs, no change.
_ATTRIBUTIVE_BEFORE = re.compile(
    r"\b(?:on|of|for|from|with|about|by|any|all|the|their|its|those|these|some|many|several)"
    r"\s+(?:\w+ly\s+)?$",
    re.IGNORECASE,
)
# "down from three before the suspension", "resumed in September after a previous
# suspension": a change named as a noun only to place something else in time.
_TEMPORAL_REFERENCE = re.compile(
    r"\b(?:before|after|since|during|following|prior\s+to|throughout)\s+(?:the|a|an|its|their"
    r"|this|that)\s+(?:[\w-]+\s+){0,2}$",
    re.IGNORECASE,
)


def _background(sentence: str, hit: _Hit, dated: bool) -> bool:
    """A trigger that describes or places something else rather than reporting a change."""
    word = sentence[hit.start : hit.end]
    if (
        hit.restriction is None
        and word.lower().endswith("ed")
        and _ATTRIBUTIVE_BEFORE.search(sentence, max(0, hit.start - 30), hit.start)
    ):
        nxt = re.match(r"\s+([\w-]+)(?:\s+([\w-]+))?", sentence[hit.end :])
        if nxt and any(
            w and w.lower().endswith("s") and _SERVICE_RE.fullmatch(w) for w in nxt.groups()
        ):
            return True
    return (
        not dated
        and " " not in word.strip()
        and bool(_NOUN_FORM.search(word))
        and not word.lower().endswith("ing")
        and bool(_TEMPORAL_REFERENCE.search(sentence, max(0, hit.start - 50), hit.start))
    )


_NEW_DATE_BEFORE = re.compile(
    r"^(?:\s+[\w'’-]+){0,8}?\s+(?:until|till|to|for)\s+(?:at\s+least\s+|the\s+)?$",
    re.IGNORECASE,
)


def _new_date_events(
    sentence: str,
    hits: list[_Hit],
    dates: list[DateMatch],
    events: list[tuple[int, int, Event]],
    sources: list[tuple[int, int, Attribution]],
    pub: dt.date,
) -> list[tuple[int, int, Event]]:
    """A postponement to a new date is also the plan for that date: "the reopening has been
    delayed until January 15", "postponed this year's edition to March 2027"."""
    out: list[tuple[int, int, Event]] = []
    for hit in hits:
        if hit.lemma.name != "postpone" or hit.restriction is not None:
            continue
        lo, hi = clause_bounds(sentence, hit.start, hit.end)
        own = next((ev for _, at, ev in events if at == hit.start), None)
        if own is None or own.negated or own.modality not in ("reported", "planned"):
            continue
        dm = next(
            (
                d
                for d in dates
                if hit.end <= d.start < hi
                and (
                    _NEW_DATE_BEFORE.match(sentence[hit.end : d.start])
                    or (
                        re.match(r"(?:until|till|to|for)\b", d.ref.text, re.IGNORECASE)
                        and re.fullmatch(r"(?:\s+[\w'’-]+){0,8}?\s+", sentence[hit.end : d.start])
                    )
                )
            ),
            None,
        )
        if dm is None:
            continue
        ref = dm.ref
        if period_start(ref) <= pub and not re.search(r"\d{4}", ref.text):
            # "pushed back to June", said in April of a year whose June is ahead: the new date
            # is always ahead.
            ref = DateRef(ref.value.replace(year=ref.value.year + 1), ref.precision, ref.text)
        if period_start(ref) <= pub:
            continue
        if own.date is not None and own.date == dm.ref:
            own.date = None  # the new date is the plan's, not when it was postponed
        # What was postponed: the change named beside the verb ("the reopening", "the
        # closure"), else the thing itself, which then goes ahead on the new date.
        state: State = "operating"
        nouns = [
            (abs(start - hit.start), lemma.state)
            for start, end, lemma in _candidates(sentence)
            if lo <= start < hi
            and not (hit.start <= start < hit.end)
            and lemma.name != "postpone"
            and _NOUN_FORM.search(sentence, start, end)
        ]
        if nouns:
            state = min(nouns)[1]
        out.append(
            (
                lo,
                dm.start,
                Event(
                    state=state,
                    modality="planned",
                    trigger=sentence[hit.span[0] : hit.span[1]],
                    date=ref,
                    attribution=_nearest_attribution(sources, hit.start),
                ),
            )
        )
    return out


def _until(sentence: str, dm: DateMatch) -> bool:
    """Whether the date bounds a state ("until Monday", "till June"), rather than dates it."""
    return bool(
        re.match(r"(?:until|till)\b", dm.ref.text, re.IGNORECASE)
        or re.search(r"\b(?:until|till)\s+$", sentence[max(0, dm.start - 12) : dm.start], re.I)
        # "extends the suspension to the end of January": the new end, not a start.
        or re.search(
            r"\b(?:extend(?:s|ed|ing)?|prolong(?:s|ed|ing)?|extension)\b[^,;.]{0,80}?\s(?:to|through)"
            r"\s+(?:the\s+)?$",
            sentence[max(0, dm.start - 100) : dm.start],
            re.I,
        )
    )


def _duration_date(
    sentence: str, hit: _Hit, durations: list[Duration], pub: dt.date
) -> DateRef | None:
    """Dates a duration anchors to publication: 'six years after their suspension',
    'has been suspended for six years'."""
    for d in durations:
        # "six years after their suspension": the suspension is six years back from now.
        if (
            d.post == "after"
            and 0 <= hit.start - d.end <= 20
            and re.match(
                # "... after their suspension", "three months after it closed".
                r"\s*(?:the|their|its|his|her|a)?\s*$|\s*(?:it|they|(?:the|its|their)\s+[\w-]+)"
                r"\s+(?:(?:was|were|had(?:\s+been)?)\s+)?(?:first\s+)?$",
                sentence[d.end : hit.start],
                re.I,
            )
        ):
            return _years_back(pub, d, d.text)
        # "have been suspended for six years": since six years ago.
        perfect = re.search(
            r"\b(?:has|have)\s+(?:\w+\s+)?been\s+(?:\w+\s+)?$",
            sentence[max(0, hit.start - 30) : hit.start],
            re.I,
        )
        if (
            d.pre in {"for", "over", "nearly", "almost", "more than"}
            and perfect
            and 0 <= d.start - hit.end <= 30
        ):
            return _years_back(pub, d, d.text)
    return None


def _gap_event(
    sentence: str, g: re.Match[str], pub: dt.date, sources: list[tuple[int, int, Attribution]]
) -> Event | None:
    n_text = g.group("n") or g.group("n2") or ""
    unit = (g.group("unit") or g.group("unit2") or "").lower()
    from bot.analysis.dates import _number  # a private helper shared within the package

    n = _number(n_text)
    if not n or not unit:
        return None
    d = Duration(g.start(), g.end(), n, unit, g.group(0))  # type: ignore[arg-type]
    return Event(
        state="suspended",
        modality="reported",
        trigger=g.group(0),
        negated=False,
        date=_years_back(pub, d, g.group(0)),
        attribution=_nearest_attribution(sources, g.start()),
    )


def _first_since_events(
    sentence: str,
    m: re.Match[str],
    pub: dt.date,
    dates: list[DateMatch],
    sources: list[tuple[int, int, Attribution]],
    hits: list[_Hit],
) -> list[tuple[int, Event]]:
    """'the first train since 2020' / 'for the first time in six years': it runs again now,
    and it had not since then."""
    lo, hi = clause_bounds(sentence, m.start(), m.end())
    if not _SERVICE_RE.search(sentence, lo, hi) and not any(lo <= h.start < hi for h in hits):
        return []
    if m.group("since"):
        inside = [d for d in dates if m.start("since") - 6 <= d.start < m.end("since") + 5]
        if not inside:
            return []
        since = inside[0].ref
    else:
        from bot.analysis.dates import _number

        n = _number(m.group("n"))
        if not n:
            return []
        unit = m.group("unit").lower()
        if unit == "decade":
            unit, n = "year", 10 * n
        since = _years_back(pub, Duration(m.start(), m.end(), n, unit, m.group(0)), m.group(0))  # type: ignore[arg-type]
    attribution = _nearest_attribution(sources, m.start())
    out: list[tuple[int, Event]] = [
        (m.start() + 1, Event("suspended", "reported", m.group(0), False, since, attribution))
    ]
    # The "first ..." itself is a resumption, unless a trigger in the clause already says so.
    if not any(lo <= h.start < hi and h.state == "operating" for h in hits):
        before = sentence[max(lo, m.start() - 60) : m.start()]
        modality: Modality = (
            "planned"
            if (
                _PLAN_BEFORE.search(before)
                or re.search(r"\b(?:will|would|is\s+to|are\s+to|set\s+to)\b", before, re.I)
            )
            else "reported"
        )
        if _HEDGE_ANYWHERE.search(sentence) or _HEDGE_BEFORE.search(before):
            modality = "hedged"
        own = [
            d
            for d in dates
            if lo <= d.start < hi
            and not (m.start() <= d.start < m.end())
            and not _is_report_date(sentence, d)
        ]
        date = own[0].ref if own else None
        if date is not None and modality == "reported" and period_start(date) > pub:
            modality = "planned"
        out.append((m.start(), Event("operating", modality, m.group(0), False, date, attribution)))
    return out


_MODALITY_RANK = {"reported": 0, "planned": 1, "hedged": 2, "unconfirmed": 3, "denied": 4}


def _dedupe(events: list[tuple[int, int, Event]]) -> list[Event]:
    """One event per clause and (state, negated, date); a dated one absorbs an undated twin."""
    events.sort(key=lambda t: t[1])
    out: list[tuple[int, Event]] = []
    for clause, _, ev in events:
        twin = next(
            (
                o
                for c, o in out
                if c == clause
                and o.state == ev.state
                and o.negated == ev.negated
                and (o.date == ev.date or o.date is None or ev.date is None)
                and (
                    o.modality == ev.modality
                    or {o.modality, ev.modality} <= {"reported", "planned"}
                )
            ),
            None,
        )
        if twin is None:
            out.append((clause, ev))
            continue
        if twin.date is None and ev.date is not None:
            twin.date = ev.date
            if twin.modality == "reported" and ev.modality == "planned":
                twin.modality = "planned"
        if twin.attribution is None:
            twin.attribution = ev.attribution
    # A sentence rarely reports more than a few changes; more means a list we misread.
    return [ev for _, ev in out[:4]]


# ----------------------------------------------------------------------------- caveats

# Who a limit leaves in or out ("elite runners only", "without foreign spectators").
_WHO_TAKES_PART = (
    r"passengers|travell?ers|tourists|visitors|residents|runners|athletes|players|fans"
    r"|spectators|participants|guests|delegates|officials|students|workers|journalists"
)

_CAVEATS: dict[str, re.Pattern[str]] = {
    "denied": re.compile(
        r"\b(?:den(?:y|ies|ied|ying)|dismiss(?:ed|es|ing)?\s+(?:the\s+|those\s+|such\s+)?"
        r"(?:reports?|claims?|suggestions?|speculation)|reject(?:ed|s)?\s+(?:the\s+)?"
        r"(?:reports?|claims?)|refut(?:ed|es)|false\s+(?:reports?|claims?|information)"
        r"|no\s+such\s+(?:plans?|decision)|(?:had|has|have)\s+no\s+(?:immediate\s+|current\s+)?"
        r"(?:plans?|proposals?|intention)\s+(?:to|of))\b",
        re.IGNORECASE,
    ),
    "unconfirmed": _UNCONFIRMED_BEFORE,
    "limited": re.compile(
        r"(?:n't|\bnot)\s+(?:yet\s+)?(?:be\s+)?(?:eligible|allowed|permitted|able|open|available)"
        r"\b|(?:n't|\bnot)\s+(?:\w+\s+)?(?:initially\s+)?(?:intended|meant|designed)\s+for"
        r"|\b(?:only\s+(?:for|to|open\s+to|available)|open\s+only\s+to|available\s+only"
        r"|(?<!been\s)limited\s+to|restricted\s+to|reserved\s+for|except(?:\s+for)?|excluding"
        r"|at\s+(?:reduced|limited)\s+capacity|a\s+limited\s+number|reduced\s+(?:schedule"
        r"|service|timetable|frequency)|partial(?:ly)?\s+(?:resum|reopen|restor)\w*"
        r"|trial\s+(?:run|operation|basis))\b"
        r"|^\W*only\b|\bonly\s+(?:\w+\s+){0,5}(?:are|is|were|will\s+be)\s+(?:allowed|permitted"
        r"|eligible|able)\b"
        # "with elite runners only", "held without foreign amateurs", "did not take part".
        rf"|\b(?:{_WHO_TAKES_PART}|members|citizens|nationals|locals|professionals|elites?"
        r"|invitees|adults|men|women|cargo|freight)\s+only\b"
        rf"|\bwithout\s+(?:(?:the|any|its|their)\s+)?(?:[\w-]+\s+){{0,2}}(?:{_WHO_TAKES_PART}"
        r"|amateurs|foreigners|audiences?|crowds)\b|\bbehind\s+closed\s+doors\b"
        r"|(?:n't|\bnot)\s+(?:be\s+(?:able|allowed|permitted)\s+to\s+)?(?:take\s+part"
        r"|participate|compete|attend)\b",
        re.IGNORECASE,
    ),
    "hedged": _HEDGE_ANYWHERE,
    "silent": re.compile(
        r"\b(?:state\s+media|official\s+media|KCNA|Xinhua|the\s+government|authorities)\s+"
        r"(?:has|have|had)?\s*(?:not\s+(?:yet\s+)?(?:reported|mentioned|announced|commented)"
        r"|made\s+no\s+mention|(?:been|was|were|remained|remains)\s+silent)",
        re.IGNORECASE,
    ),
}
_CAVEAT_PREFILTER = re.compile(
    r"den[yi]|dismiss|reject|refut|false|no\s+such|no\s+plan|no\s+proposal|no\s+intention|confirm|verif|comment|eligible"
    r"|allowed|permitted|able|only|limited|restricted|reserved|intended|open|except|excluding"
    r"|capacity|reduced|partial|trial|reportedly|apparently|allegedly|rumou?r|speculat"
    r"|too\s+(?:early|soon)|\bsay\b|specify|give\s+a\s+date|\bknow|indicate|disclose|uncertain"
    r"|\bno\s+(?:new\s+)?(?:date|timetable|timeline|timeframe)"
    r"|according|photo|image|video|footage|post|unclear|not\s+clear|silent|mention|report"
    r"|without|closed\s+doors|take\s+part|participat|compet|attend",
    re.IGNORECASE,
)


# A change reported as complete: what lifts an earlier limit ("only trucks may cross").
_FULL_SERVICE = re.compile(
    r"\bfully\s+(?:re-?)?(?:open|resum|restor|reinstat|operation|function)\w*"
    r"|\b(?:re-?)?(?:open|resum|restor|reinstat|return)\w*\s+(?:\w+\s+){0,3}?(?:fully|in\s+full)\b"
    r"|\b(?:full|normal|regular|complete)\s+(?:service|services|schedule|timetable|operations?"
    r"|capacity|traffic)\b|\bback\s+to\s+normal\b|\bwithout\s+(?:any\s+)?restrictions\b"
    r"|\b(?:to|for)\s+all\s+(?:traffic|travell?ers|passengers|vehicles|visitors|nationalities)\b",
    re.IGNORECASE,
)


def full_service(sentence: str) -> bool:
    """Whether the sentence reports the service restored in full ("fully reopened", "back to
    its normal timetable", "open to all traffic"): earlier limits on it no longer hold."""
    return bool(_FULL_SERVICE.search(sentence)) and not re.search(
        r"\b(?:not|n't|yet\s+to|before|until|once|when)\s+(?:\w+\s+){0,3}?(?:fully|full|normal|all)\b",
        sentence,
        re.IGNORECASE,
    )


@lru_cache(maxsize=4096)
def caveat_cues(sentence: str) -> list[str]:
    """Kinds of caveat the sentence raises: unconfirmed, denied, limited, hedged, silent."""
    if not _CAVEAT_PREFILTER.search(sentence):
        return ["limited"] if partial_change(sentence) else []
    kinds = [kind for kind, regex in _CAVEATS.items() if regex.search(sentence)]
    # "were now able to buy tickets" is the opposite of a limit.
    if "limited" in kinds and not re.search(
        r"n't|\b(?:not|only|limited|restricted|reserved|except|excluding|reduced|partial|trial"
        r"|without|closed)",
        sentence,
        re.IGNORECASE,
    ):
        kinds.remove("limited")
    if "limited" not in kinds and partial_change(sentence):
        kinds.append("limited")
    return kinds

"""/brief story grouping on realistic multi-outlet corpora: rewrites, copies, look-alikes.

Every article is written for these tests. Each corpus tells one story several ways (different
outlets, different words, a syndicated copy), puts a different story about the same country in
the same days, and adds an off-topic article that names the topic once. What must hold:

* rewrites of one story are one story, however different the words (shared salient content);
* a syndicated copy is cited but never counted as an independent outlet;
* stories that share only the country (and generic news words) stay apart;
* a story that develops over days (plan -> departure -> arrival) stays one story;
* biggest story first; no article twice; every cited article inside the window.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.models import Brief
from tests.test_brief import A, Corpus, assert_sound

UTC = dt.UTC


def t(month: int, day: int, hour: int = 9, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


def groups(c: Corpus, brief: Brief) -> list[set[str]]:
    return c.stories(brief)


def story_of(c: Corpus, brief: Brief, label: str) -> int:
    """Index of the story citing `label` (fails when no story does)."""
    for i, labels in enumerate(c.stories(brief)):
        if label in labels:
            return i
    raise AssertionError(f"{label} is not in any story: {c.stories(brief)}")


# ----------------------------------------------------------------------------- Japan
# A central-bank decision told six ways (a wire, its syndicated copy, four independent
# reports that say "raise", "lift", "hike", "increase"), an earthquake the same week (two
# outlets), a one-outlet diplomatic story, and a music story that names Japan once.

JAPAN_NOW = t(3, 20, 12)
BOJ_WIRE = (
    "TOKYO, March 19 (Reuters) - The Bank of Japan raised its short-term policy rate to 1% from "
    "0.75% on Thursday, taking borrowing costs to their highest since 1995 as sustained wage "
    "gains gave policymakers confidence that inflation will hold near its 2% target.\n\n"
    "The decision, made in an 8-1 vote, had been widely priced in by markets.\n\n"
    "The yen firmed 0.4% against the dollar after the announcement.\n\n"
    "Reporting by Mari Tanaka; Editing by Sam Holmes"
)
JAPAN = [
    A("boj_wire", "Reuters", t(3, 19, 3, 10),
      "Bank of Japan raises interest rates to 1%, highest in three decades", BOJ_WIRE),
    A("boj_copy", "Japan Today", t(3, 19, 4),
      "BOJ raises rates to three-decade high",
      BOJ_WIRE.replace("TOKYO, March 19 (Reuters) - ", "")
      + "\n\nSign up for our morning newsletter."),
    A("boj_nikkei", "Nikkei Asia", t(3, 19, 5, 30),
      "BOJ lifts policy rate to 1% as wage momentum builds",
      "The BOJ lifted its benchmark rate by a quarter point to 1% at the end of a two-day "
      "policy meeting in Tokyo on Thursday, its first move since December.\n\n"
      "Governor Kazuo Ueda is expected to explain the decision at a news conference later in "
      "the day.\n\n"
      "This year's spring wage talks delivered pay rises above 5% for a third straight year."),
    A("boj_kyodo", "Kyodo", t(3, 19, 7),
      "Japan's central bank hikes key rate, yen firms",
      "Japan's central bank on Thursday hiked its key interest rate to 1 percent, citing steady "
      "wage growth and persistent inflation.\n\n"
      "The yen rose against the U.S. dollar following the move, while bank shares gained in "
      "Tokyo.\n\n"
      "The finance minister told reporters the government respected the bank's independence."),
    A("boj_bloomberg", "Bloomberg", t(3, 19, 9),
      "Ueda delivers hike, signals gradual path for further tightening",
      "Bank of Japan Governor Kazuo Ueda raised borrowing costs on Thursday and signalled that "
      "further increases would come gradually, as the central bank presses on with normalising "
      "policy after decades of ultra-loose settings.\n\n"
      "“We will keep adjusting the degree of monetary accommodation if our outlook is "
      "realised,” Ueda told reporters.\n\n"
      "Swaps traders now price another hike by October."),
    A("boj_nhk", "NHK World", t(3, 19, 11),
      "BOJ decides on additional interest rate increase",
      "The Bank of Japan has decided to raise its policy interest rate to around 1 percent, "
      "the third increase in a little over a year.\n\n"
      "Officials at the central bank cited rising wages at companies across the country.\n\n"
      "The policy board voted eight to one in favour of the increase."),
    A("quake_kyodo", "Kyodo", t(3, 17, 22),
      "Strong quake jolts Hokkaido, tsunami advisory issued",
      "A magnitude 6.8 earthquake struck off the eastern coast of Hokkaido on Tuesday night, "
      "the Japan Meteorological Agency said, prompting a tsunami advisory for the Pacific "
      "coast.\n\n"
      "No major damage was immediately reported.\n\n"
      "Bullet train services in northern Japan were briefly halted as a precaution."),
    A("quake_ap", "AP", t(3, 18, 2),
      "Powerful earthquake rattles northern Japan; small tsunami reaches coast",
      "TOKYO (AP) — A powerful earthquake shook northern Japan late Tuesday, rattling buildings "
      "in Kushiro and Nemuro and sending a small tsunami onto the Hokkaido coast, officials "
      "said.\n\n"
      "The tsunami advisory was lifted after waves of about 20 centimetres were recorded.\n\n"
      "Three people suffered minor injuries, the fire agency said."),
    A("fish", "South China Morning Post", t(3, 18, 8),
      "China and Japan hold first fisheries talks in two years",
      "Officials from China and Japan met in Beijing on Wednesday for talks on fishing rights "
      "in the East China Sea, the first such round in two years.\n\n"
      "Both sides agreed to meet again in the autumn, China's agriculture ministry said."),
    A("kpop", "Billboard", t(3, 16, 10),
      "K-pop group Starlight announces 30-city world tour",
      "Starlight will play 30 cities on a world tour starting in June, the group's label said "
      "on Monday.\n\n"
      "The tour opens in Seoul and moves through North America and Europe.\n\n"
      "The quartet last toured in 2024, when they also played two nights in Japan.\n\n"
      "Tickets go on sale next month."),
]  # fmt: skip


@pytest.fixture
def japan(tmp_path) -> Corpus:
    return Corpus(tmp_path, JAPAN, now=JAPAN_NOW)


def test_japan_rewrites_are_one_story_and_copies_one_source(japan):
    brief = japan.brief("japan")
    assert_sound(brief)
    assert groups(japan, brief) == [
        {"boj_wire", "boj_copy", "boj_nikkei", "boj_kyodo", "boj_bloomberg", "boj_nhk"},
        {"quake_kyodo", "quake_ap"},
        {"fish"},
    ]
    boj = brief.stories[0]
    # Six articles, five newsrooms: Japan Today ran Reuters' copy.
    assert len(boj.articles) == 6
    assert sorted(boj.outlets) == ["Bloomberg", "Kyodo", "NHK World", "Nikkei Asia", "Reuters"]
    assert "Japan Today" in {r.outlet for r in boj.articles}
    assert brief.stories[1].outlets == ["AP", "Kyodo"]


def test_japan_key_sentences_say_what_happened(japan):
    brief = japan.brief("japan")
    boj, quake, fish = (s.key_sentence for s in brief.stories)
    assert "rate" in boj and "Japan" in boj
    assert not boj.startswith("TOKYO"), "dateline trimmed"
    assert "“" not in boj and "expected" not in boj
    assert "earthquake" in quake.lower() and "Hokkaido" in quake
    assert "fisheries" in fish.lower() or "fishing" in fish.lower()


# ----------------------------------------------------------------------------- Kenya
# A story that develops over four days (cabinet approves -> officers fly out -> they land),
# with a syndicated copy of the first report; a protest story in the same city the same days
# that shares "police" and "officers"; a one-outlet business story; a running story that
# names Kenya once.

KENYA_NOW = t(3, 14, 12)
HAITI_WIRE = (
    "NAIROBI, March 9 (Reuters) - Kenya's cabinet on Monday approved the deployment of another "
    "600 police officers to Haiti to reinforce the multinational mission fighting armed gangs in "
    "Port-au-Prince, the government said.\n\n"
    "The officers are expected to leave within days, the cabinet statement said.\n\n"
    "Kenya has led the mission since 2024."
)
KENYA = [
    A("haiti_plan", "Reuters", t(3, 9, 16), "Kenya approves sending 600 more police to Haiti",
      HAITI_WIRE),
    A("haiti_copy", "Capital FM", t(3, 9, 18), "Kenya approves sending 600 more police to Haiti",
      HAITI_WIRE.replace("NAIROBI, March 9 (Reuters) - ", "")),
    A("haiti_depart", "Daily Nation", t(3, 11, 7),
      "Second contingent of officers flies out of JKIA for Haiti",
      "A contingent of 600 police officers from Kenya left Jomo Kenyatta International Airport "
      "on Tuesday night bound for Haiti, where they will join the security mission battling "
      "gangs.\n\n"
      "The interior minister saw them off at a ceremony on the tarmac.\n\n"
      "Families gathered outside the terminal to say goodbye."),
    A("haiti_arrive", "AP", t(3, 12, 1),
      "Hundreds more police from Kenya land in Haiti to fight gangs",
      "PORT-AU-PRINCE, Haiti (AP) — Hundreds of police officers from Kenya arrived in Haiti's "
      "capital on Wednesday, bolstering a U.N.-backed force that has struggled to contain gangs "
      "controlling most of Port-au-Prince.\n\n"
      "The new arrivals bring the mission to about 1,000 officers.\n\n"
      "Gang leaders have vowed to resist the force."),
    A("haiti_aljazeera", "Al Jazeera", t(3, 12, 10),
      "Kenya reinforces Haiti mission as gang violence surges",
      "Kenya has boosted its contingent in Haiti with 600 additional officers as armed groups "
      "tighten their grip on neighbourhoods around the capital.\n\n"
      "The multinational security support mission has faced criticism over funding "
      "shortfalls and a lack of equipment."),
    A("protest_bbc", "BBC", t(3, 10, 15),
      "Police fire tear gas at cost-of-living protesters in Kenya",
      "Police in Kenya's capital, Nairobi, fired tear gas on Tuesday to disperse hundreds of "
      "people protesting against new taxes on fuel and mobile money.\n\n"
      "Several protesters were arrested in the city centre, witnesses said.\n\n"
      "Shops along Moi Avenue closed early."),
    A("protest_reuters", "Reuters", t(3, 10, 17),
      "Kenya police clash with demonstrators over tax rises",
      "NAIROBI, March 10 (Reuters) - Police in Kenya used tear gas and water cannon against "
      "demonstrators in Nairobi on Tuesday as anger grew over tax increases in the new finance "
      "bill.\n\n"
      "Officers chased stone-throwing youths through the streets of the central business "
      "district.\n\n"
      "Opposition leaders called for more demonstrations next week."),
    A("tea", "Business Daily", t(3, 13, 8),
      "Kenya tea export earnings rise 12% on weaker shilling",
      "Kenya earned 12% more from tea exports in February than a year earlier as a weaker "
      "shilling offset lower auction prices in Mombasa, the tea board said on Friday.\n\n"
      "Pakistan and Egypt remained the largest buyers."),
    A("marathon", "Runner's World", t(3, 12, 6),
      "Ethiopian runners sweep the podium in Tokyo",
      "Ethiopian runners took all three podium places at the Tokyo Marathon on Sunday, with "
      "Tadese Alemu winning in 2:04:12.\n\n"
      "Cool weather and a flat course helped the leading group.\n\n"
      "The defending champion, who trains in Kenya, dropped out after 30 kilometres.\n\n"
      "The next major marathon is in Boston in April."),
]  # fmt: skip


@pytest.fixture
def kenya(tmp_path) -> Corpus:
    return Corpus(tmp_path, KENYA, now=KENYA_NOW)


def test_kenya_a_developing_story_is_one_story(kenya):
    brief = kenya.brief("kenya")
    assert_sound(brief)
    assert groups(kenya, brief) == [
        {"haiti_plan", "haiti_copy", "haiti_depart", "haiti_arrive", "haiti_aljazeera"},
        {"protest_bbc", "protest_reuters"},
        {"tea"},
    ]
    haiti = brief.stories[0]
    assert sorted(haiti.outlets) == ["AP", "Al Jazeera", "Daily Nation", "Reuters"]
    # The key sentence tells what happened, not the plan of five days earlier.
    assert haiti.key_article.id != kenya.ids["haiti_plan"]
    assert "will" not in haiti.key_sentence.split()


def test_kenya_window_cuts_a_developing_story_cleanly(kenya):
    brief = kenya.brief("kenya", "2026-03-11..2026-03-14")
    assert_sound(brief)
    assert groups(kenya, brief)[0] == {"haiti_depart", "haiti_arrive", "haiti_aljazeera"}
    cited = {label for g in groups(kenya, brief) for label in g}
    assert not cited & {"haiti_plan", "haiti_copy", "protest_bbc", "protest_reuters"}
    assert len(brief.stories[0].outlets) == 3


# ----------------------------------------------------------------------------- North Korea
# A missile launch (four newsrooms and a syndicated copy, one of them state media a day
# later), a new road bridge to Russia the day before (two outlets), a farm visit (one), a
# weekly round-up that names the missile, the bridge and the farm (it must not glue them
# together), and a concert story that names North Korea once.

DPRK_NOW = t(4, 10, 12)
ICBM_WIRE = (
    "SEOUL, April 8 (Yonhap) -- North Korea fired an intercontinental ballistic missile toward "
    "the East Sea on Wednesday morning, South Korea's Joint Chiefs of Staff (JCS) said.\n\n"
    "The missile was launched from the Sunan area of Pyongyang at around 7:10 a.m., the JCS said, "
    "adding that it was analysing the flight data with U.S. and Japanese authorities.\n\n"
    "It was the North's first ICBM launch this year."
)
DPRK = [
    A("icbm_yonhap", "Yonhap", t(4, 8, 0, 30), "N. Korea fires ICBM toward East Sea: JCS",
      ICBM_WIRE),
    A("icbm_copy", "Korea JoongAng Daily", t(4, 8, 1), "North fires ICBM into East Sea",
      ICBM_WIRE.replace("SEOUL, April 8 (Yonhap) -- ", "")),
    A("icbm_kyodo", "Kyodo", t(4, 8, 1, 30),
      "Japan says North Korean long-range missile fell inside its EEZ",
      "A long-range ballistic missile launched by North Korea on Wednesday fell inside Japan's "
      "exclusive economic zone west of Hokkaido after a flight of about 70 minutes, Japan's "
      "defence minister said.\n\n"
      "Tokyo lodged a protest through diplomatic channels.\n\n"
      "There were no reports of damage to ships or aircraft."),
    A("icbm_ap", "AP", t(4, 8, 3),
      "North Korea test-launches long-range missile in show of force",
      "North Korea launched an intercontinental ballistic missile into the sea on Wednesday in "
      "its first such test in months, its neighbours said, as Pyongyang protests expanding "
      "military drills by the United States and South Korea.\n\n"
      "The missile flew on a steep trajectory and reached an altitude of more than 6,000 "
      "kilometres, according to Japanese estimates."),
    A("icbm_kcna", "KCNA Watch", t(4, 9, 0),
      "Kim Jong Un oversees Hwasong-20 test-fire, KCNA says",
      "North Korean leader Kim Jong Un watched the test-fire of a new Hwasong-20 "
      "intercontinental ballistic missile on Wednesday, state media KCNA said on Thursday.\n\n"
      "The launch was a warning to hostile forces, Kim was quoted as saying."),
    A("bridge_tass", "TASS", t(4, 7, 9),
      "Russia and North Korea open Tumen River road bridge",
      "The first road bridge between Russia and North Korea opened to traffic across the Tumen "
      "River on Tuesday, Russia's transport ministry said.\n\n"
      "The one-kilometre crossing links the Khasan district of Primorye with the Rason economic "
      "zone.\n\n"
      "Construction began in 2025."),
    A("bridge_nknews", "NK News", t(4, 7, 14),
      "First trucks roll across new Russia-North Korea bridge",
      "Trucks carrying building materials crossed the new road bridge over the Tumen River on "
      "Tuesday, marking its opening, Russian state television showed.\n\n"
      "The bridge is expected to boost cross-border trade with Russia's Far East."),
    A("farm", "Daily NK", t(4, 9, 6),
      "Kim Jong Un tours new greenhouse farm in South Hamgyong",
      "North Korean leader Kim Jong Un toured a newly built greenhouse farm in South Hamgyong "
      "province, state media reported on Thursday.\n\n"
      "The farm grows vegetables for workers in Hamhung."),
    A("roundup", "The Diplomat", t(4, 9, 12),
      "North Korea this week: a missile, a bridge and a farm",
      "North Korea had a busy week.\n\n"
      "It fired an intercontinental ballistic missile toward the East Sea on Wednesday, drawing "
      "protests from Tokyo and Seoul.\n\n"
      "A day earlier, the new road bridge with Russia over the Tumen River opened to trucks.\n\n"
      "Kim Jong Un also toured a greenhouse farm in the northeast."),
    A("concert", "Korea Herald", t(4, 8, 10),
      "Boy band Nova to play four nights at Seoul's Jamsil stadium",
      "Nova will play four sold-out nights at Jamsil Olympic Stadium in May, its agency said on "
      "Wednesday.\n\n"
      "More than 200,000 fans are expected.\n\n"
      "A show at the same venue was cancelled in 2017 amid tensions with North Korea.\n\n"
      "Merchandise goes on sale online next week."),
]  # fmt: skip


@pytest.fixture
def dprk(tmp_path) -> Corpus:
    return Corpus(tmp_path, DPRK, now=DPRK_NOW)


def test_dprk_a_roundup_does_not_glue_stories_together(dprk):
    brief = dprk.brief("dprk")
    assert_sound(brief)
    found = groups(dprk, brief)
    icbm = {"icbm_yonhap", "icbm_copy", "icbm_kyodo", "icbm_ap", "icbm_kcna"}
    bridge = {"bridge_tass", "bridge_nknews"}
    assert icbm <= found[0] <= icbm | {"roundup"}
    assert bridge <= found[1] <= bridge | {"roundup"}
    assert any(g in ({"farm"}, {"farm", "roundup"}) for g in found)
    assert "concert" not in {label for g in found for label in g}
    # Four newsrooms reported the launch; JoongAng ran Yonhap's copy.
    assert sorted(brief.stories[0].outlets) == ["AP", "KCNA Watch", "Kyodo", "Yonhap"]


def test_dprk_key_sentences_are_distinct_and_factual(dprk):
    brief = dprk.brief("dprk")
    icbm, bridge = brief.stories[0].key_sentence, brief.stories[1].key_sentence
    assert "missile" in icbm and "North Korea" in icbm
    assert "bridge" in bridge and "expected" not in bridge
    keys = [s.key_sentence for s in brief.stories]
    assert len(set(keys)) == len(keys)


# ----------------------------------------------------------------------------- China
# Two economic-data stories in the same week share China, "February", "data showed",
# "percent" and "economists": exports (three newsrooms and a syndicated copy) and factory
# activity (two). A third story about births. An earnings story names China once.

CHINA_NOW = t(3, 12, 12)
EXPORTS_WIRE = (
    "BEIJING, March 7 (Reuters) - China's exports grew 9.1% year-on-year in February, customs "
    "data showed on Saturday, beating analysts' forecasts as shipments to Southeast Asia and "
    "Africa surged.\n\n"
    "Imports fell 2.3%, leaving a trade surplus of $125 billion for the month.\n\n"
    "Economists had expected exports to rise 5%."
)
CHINA = [
    A("exports_reuters", "Reuters", t(3, 7, 4), "China's exports jump 9% in February",
      EXPORTS_WIRE),
    A("exports_copy", "Investing.com", t(3, 7, 4, 30),
      "China's exports jump 9% in February, beat forecasts",
      EXPORTS_WIRE.replace("BEIJING, March 7 (Reuters) - ", "")
      + "\n\nAll rights reserved. Reporting by Ella Cao."),
    A("exports_scmp", "South China Morning Post", t(3, 7, 9),
      "Chinese shipments abroad surge as Asean demand offsets US tariffs",
      "China's outbound shipments rose far faster than expected last month, with sales to "
      "Asean nations up by a fifth, according to figures from the General Administration of "
      "Customs.\n\n"
      "The trade surplus widened to US$125 billion.\n\n"
      "Shipments to the United States fell for a sixth month."),
    A("exports_cnbc", "CNBC", t(3, 7, 11),
      "China's export growth tops expectations while imports shrink",
      "China's exports climbed 9.1% in February from a year earlier in U.S. dollar terms, "
      "official customs figures showed Saturday, well ahead of economists' forecasts.\n\n"
      "Imports contracted for a third straight month as domestic demand stayed weak."),
    A("pmi_caixin", "Caixin Global", t(3, 9, 2),
      "China's factory activity contracts for a second month",
      "Activity in China's manufacturing sector shrank in February for a second straight month, "
      "an official survey showed on Monday, as new orders weakened.\n\n"
      "The official purchasing managers' index fell to 49.2 from 49.5 in January, below the "
      "50-point mark that separates growth from contraction."),
    A("pmi_bloomberg", "Bloomberg", t(3, 9, 5),
      "China manufacturing PMI slips to 49.2 as orders weaken",
      "China's manufacturing purchasing managers' index dropped to 49.2 in February, the "
      "National Bureau of Statistics said Monday, signalling a second month of contraction at "
      "factories.\n\n"
      "A gauge of new export orders fell to its lowest since October.\n\n"
      "Economists said more stimulus may be needed."),
    A("births", "Xinhua", t(3, 10, 8),
      "China unveils childcare subsidies to lift birth rate",
      "China will pay families an annual childcare subsidy of 3,600 yuan for each child under "
      "three, the State Council said on Tuesday, in its latest effort to reverse a falling "
      "birth rate.\n\n"
      "The number of births fell for the eighth year running in 2025."),
    A("earnings", "MarketWatch", t(3, 11, 21),
      "Chipmaker Veltron beats estimates on data-centre demand",
      "Veltron reported quarterly revenue of $8.2 billion on Wednesday, ahead of Wall Street "
      "estimates, as orders from data-centre operators kept rising.\n\n"
      "Shares rose 6% in after-hours trading.\n\n"
      "Chief executive Dana Ruiz said supply constraints would ease by the summer.\n\n"
      "Sales in China fell 4% after new export rules.\n\n"
      "The company raised its full-year outlook."),
]  # fmt: skip


@pytest.fixture
def china(tmp_path) -> Corpus:
    return Corpus(tmp_path, CHINA, now=CHINA_NOW)


def test_china_two_data_stories_stay_apart(china):
    brief = china.brief("china")
    assert_sound(brief)
    assert groups(china, brief) == [
        {"exports_reuters", "exports_copy", "exports_scmp", "exports_cnbc"},
        {"pmi_caixin", "pmi_bloomberg"},
        {"births"},
    ]
    exports = brief.stories[0]
    assert sorted(exports.outlets) == ["CNBC", "Reuters", "South China Morning Post"]
    assert exports.key_sentence.startswith("China's exports")


# ----------------------------------------------------------------------------- Iran
# Window edges on a developing story: an agreement, inspectors arriving, the visit ending;
# articles one second either side of a whole-day window; a syndicated copy that falls inside
# the window while its original falls outside (it is then the story's only carrier, and
# counts once).

IRAN_NOW = t(3, 9, 12)
IAEA_WIRE = (
    "VIENNA, March 3 (Reuters) - Iran and the International Atomic Energy Agency agreed on "
    "Tuesday on a plan for inspectors to return to the Fordow enrichment site, the agency's "
    "chief said, after a year without access.\n\n"
    "The inspectors are due to travel later this week."
)
IRAN = [
    A("deal_wire", "Reuters", t(3, 3, 23, 59, 59),
      "Iran, IAEA agree plan for inspectors to return to Fordow", IAEA_WIRE),
    A("deal_copy", "Arab News", t(3, 4, 0, 0, 0),
      "Iran, IAEA agree plan for inspectors to return to Fordow",
      IAEA_WIRE.replace("VIENNA, March 3 (Reuters) - ", "")),
    A("arrive_afp", "AFP", t(3, 5, 10),
      "UN nuclear inspectors reach Fordow after year-long gap",
      "A team of inspectors from the International Atomic Energy Agency arrived at Iran's "
      "Fordow enrichment plant on Thursday, the first visit to the underground site in a year, "
      "Iranian state media said.\n\n"
      "The team will check centrifuges and seals."),
    A("arrive_irna", "IRNA", t(3, 5, 14),
      "IAEA team begins verification at Fordow",
      "Inspectors of the International Atomic Energy Agency began verification work at the "
      "Fordow site on Thursday under the arrangement agreed in Vienna, Iran's atomic energy "
      "organisation said.\n\n"
      "The visit is expected to last two days."),
    A("done_dw", "DW", t(3, 6, 23, 59, 59),
      "IAEA inspectors complete Fordow visit, find no diversion",
      "Inspectors of the UN nuclear watchdog completed a two-day visit to Iran's Fordow "
      "enrichment site on Friday and found no sign that material had been diverted, the IAEA "
      "said in a statement.\n\n"
      "The agency will report to its board in June."),
    A("rial", "Iran International", t(3, 5, 9),
      "Iran's rial hits record low against the dollar",
      "Iran's currency fell to a record low of 1.1 million rials to the U.S. dollar on "
      "Thursday in Tehran's open market, traders said, as inflation pressures mounted.\n\n"
      "The central bank injected hard currency to slow the fall."),
    A("after", "AP", t(3, 7, 0, 0, 0),
      "Iran says inspectors' report was fair",
      "Iran's foreign ministry said on Saturday the IAEA inspectors' findings at Fordow were "
      "fair and professional."),
]  # fmt: skip


@pytest.fixture
def iran(tmp_path) -> Corpus:
    return Corpus(tmp_path, IRAN, now=IRAN_NOW)


def test_iran_window_edges_and_a_copy_inside_the_window(iran):
    brief = iran.brief("iran", "2026-03-04..2026-03-06")
    assert_sound(brief)
    assert groups(iran, brief) == [
        {"deal_copy", "arrive_afp", "arrive_irna", "done_dw"},
        {"rial"},
    ]
    assert brief.window_from == t(3, 4, 0) and brief.window_to == t(3, 6, 23, 59, 59)
    # The wire's original is outside the window: its copy stands in for it, once.
    assert sorted(brief.stories[0].outlets) == ["AFP", "Arab News", "DW", "IRNA"]


def test_iran_whole_week_one_story_counts_the_copy_once(iran):
    brief = iran.brief("iran")
    assert_sound(brief)
    assert groups(iran, brief)[0] == {
        "deal_wire", "deal_copy", "arrive_afp", "arrive_irna", "done_dw", "after",
    }  # fmt: skip
    assert sorted(brief.stories[0].outlets) == ["AFP", "AP", "DW", "IRNA", "Reuters"]


# ----------------------------------------------------------------------------- the signals

TUESDAY = t(3, 10, 8)  # 08:00 UTC on Tuesday 10 March


@pytest.mark.parametrize(
    ("text", "published", "days"),
    [
        ("police fired tear gas on Tuesday", TUESDAY, ["@0310"]),
        ("the ministry said on Monday", TUESDAY, ["@0309"]),
        ("talks were held on Wednesday", TUESDAY, ["@0304"]),  # last week's, not tomorrow
        ("talks were held on Wednesday", t(3, 10, 20), ["@0311"]),  # already Wednesday in Asia
        ("trains will resume on Thursday", TUESDAY, ["@0312"]),
        ("the first service on March 12", TUESDAY, ["@0312"]),
        ("signed on December 30", t(1, 2), ["@1230"]),  # last year's December
        ("yesterday", TUESDAY, ["@0309"]),
        ("a week of protests", TUESDAY, []),
    ],
)
def test_event_dates(text, published, days):
    from bot.briefing.brief import _event_dates
    from bot.briefing.topics import tokens

    assert _event_dates(tokens(text), published) == days


def test_figures_are_specific_numbers_only():
    from bot.briefing.brief import _figures

    text = (
        "On March 12, 600 officers, 9.1% and 1 percent, $125 billion, 1,000 troops, since 2020, "
        "COVID-19, the K27 train, 3 buses and a 7:10 a.m. departure"
    )
    assert _figures(text) == ["#600", "#9.1%", "#1%", "#125", "#1000"]


def test_country_words_meet_across_spellings():
    from bot.briefing.brief import _content

    beijing = _content(["beijing", "chinese", "china", "tokyo", "japanese"], frozenset())
    assert beijing == ["@china", "@china", "@china", "@japan", "@japan"]


@pytest.mark.parametrize(
    ("sentence", "sign"),
    [
        ("The train departed Beijing on Thursday, marking the resumption of services.", 1),
        ("The central bank hiked its key rate to 1 percent.", 1),
        ("Passenger trains will resume on March 12, travel agencies said.", -1),
        ("The cabinet approved the deployment of 600 officers.", -1),
        ("A train arrived on Friday, photos circulating online appeared to show.", -1),
        ("The ministry declined to comment on reports of the restart.", -1),
    ],
)
def test_modality_prefers_reported_facts(sentence, sign):
    from bot.briefing.brief import _modality

    assert (_modality(sentence) > 0) == (sign > 0)

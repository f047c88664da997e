"""/brief on reporting it was not tuned on, second round: five corpora of a different shape.

Each is ingested through the real pipeline (`bot.ingest.ingest_records`, so stories are filed at
ingest) and then briefed:

* Turkey: a mine disaster that develops for a week with new facts every day (blast, toll,
  live blog, rescue, explainer, arrests, expert report), against a wildfire and a rate decision
  in the same country the same week;
* DPRK: two ballistic-missile launches four days apart that share most of their words, each
  with state media's translated account a day later, a live blog and an explainer that names
  both, plus a statement and a farm visit;
* Taiwan: a big story (military drills) from eight outlets, with wire copies syndicated on
  three sites under new headlines, against three small stories;
* Japan: two different earthquakes six days apart (live blog, "what we know", aftershock
  advisory), plus a trade figure;
* Ukraine: a story whose first reports fall before the window and whose latest fall inside
  (only in-window articles may be cited), translated agency copy, and a drone strike on the
  power grid that shares its vocabulary.

The expectations (what an editor would want) were written before the first run.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.test_brief import A, assert_sound
from tests.test_brief_probe import Ingested, labels_cited, story_with, text_of

UTC = dt.UTC


def t(month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=UTC)


# ----------------------------------------------------------------------------- Turkey
# Editor: one mine story, all ten reports, the syndicated copy cited but not counted (seven
# outlets); the wildfire (three outlets) and the rate decision apart; the mine story first; its
# key sentence a plain statement about the mine, never a live-blog timestamp or a question.

TURKEY_NOW = t(6, 12, 12)
MINE_WIRE = (
    "ISTANBUL, June 3 (Reuters) - An explosion at a state-run coal mine in northern Turkey "
    "killed at least five miners and trapped dozens more underground on Wednesday, officials "
    "said.\n\n"
    "The blast at the Amasra mine in Bartin province was likely caused by firedamp, a build-up "
    "of methane gas, Energy Minister Alparslan Bayraktar told reporters at the scene.\n\n"
    "About 110 miners were working in the pit at the time.\n\n"
    "Reporting by Ali Kucukgocmen; Editing by Daren Butler"
)
TURKEY = [
    A("mine_aa", "Anadolu Agency", t(6, 3, 19),
      "Explosion at coal mine in Bartin traps 41 workers",
      "An explosion occurred in a coal mine in Türkiye's Black Sea province of Bartin on "
      "Wednesday evening, trapping 41 workers about 300 metres underground, the governor's "
      "office said.\n\n"
      "Within the scope of the rescue works initiated, 120 personnel of the Disaster and "
      "Emergency Management Presidency (AFAD) were dispatched to the region.\n\n"
      "The explosion took place at the Amasra facility of the Turkish Hard Coal Enterprises."),
    A("mine_reuters", "Reuters", t(6, 3, 21),
      "Blast at Turkish coal mine traps dozens, at least five dead", MINE_WIRE),
    A("mine_copy", "Arab News", t(6, 3, 22),
      "Dozens trapped after methane blast at Turkey mine",
      MINE_WIRE.replace("ISTANBUL, June 3 (Reuters) - ", "")
      + "\n\nFollow us on Twitter for the latest from the region."),
    A("mine_bbc", "BBC", t(6, 4, 6),
      "Turkey mine explosion: Death toll rises to 22",
      "At least 22 miners have been killed in an explosion at a coal mine in northern Turkey, "
      "officials say, as rescuers search for colleagues still trapped underground.\n\n"
      "The blast happened at the Amasra mine in Bartin province on Wednesday evening.\n\n"
      "President Recep Tayyip Erdogan is due to visit the site."),
    A("mine_live", "The Guardian", t(6, 4, 10),
      "Turkey mine explosion: rescuers race to reach trapped miners – live updates",
      "10.05 BST: The death toll from the explosion at the Amasra coal mine in Turkey has risen "
      "to 25, the interior minister, Ali Yerlikaya, has said.\n\n"
      "09.40 BST: Rescuers have reached the gallery where 15 miners were believed to be "
      "trapped, Turkish media report.\n\n"
      "09.12 BST: Welcome to our live coverage of the aftermath of the blast at the Amasra "
      "coal mine in Bartin province, northern Turkey."),
    A("mine_rescue", "AP", t(6, 5, 8),
      "Four miners pulled alive from Turkish mine rubble after 36 hours",
      "AMASRA, Turkey (AP) — Rescuers pulled four miners alive from a collapsed gallery of a "
      "coal mine in northern Turkey on Friday, 36 hours after an explosion that killed 27 of "
      "their colleagues.\n\n"
      "The four were taken to hospital in Bartin and were in stable condition, the health "
      "minister said.\n\n"
      "Crowds of relatives outside the pit broke into applause."),
    A("mine_explainer", "Al Jazeera", t(6, 5, 14),
      "What we know about Turkey's Amasra mine disaster",
      "Here is what we know about the explosion at the Amasra coal mine in northern Turkey, "
      "which has killed 27 miners.\n\n"
      "What happened?\n\n"
      "A methane explosion tore through the state-run mine about 300 metres below ground on "
      "Wednesday evening while 110 miners were at work.\n\n"
      "Has anyone been rescued?\n\n"
      "Four miners were pulled out alive on Friday."),
    A("mine_arrest", "Reuters", t(6, 8, 9),
      "Turkey detains five mine officials over deadly Amasra blast",
      "ISTANBUL, June 8 (Reuters) - Turkish prosecutors detained five officials of the "
      "state-run hard coal company on Monday over the explosion at the Amasra mine that killed "
      "27 miners last week, state broadcaster TRT said.\n\n"
      "The mine's director is among those detained, TRT said."),
    A("mine_hurriyet", "Hurriyet Daily News", t(6, 8, 12),
      "Five detained in Amasra mine probe",
      "Five people including the mine's director have been detained within the investigation "
      "into the explosion in Türkiye's Bartin province that claimed 27 lives, the chief "
      "prosecutor's office announced.\n\n"
      "The suspects are accused of causing death by negligence.\n\n"
      "Opposition lawmakers said warnings about gas levels had been ignored."),
    A("mine_report", "Anadolu Agency", t(6, 10, 11),
      "Expert report cites ventilation failure in Amasra mine blast",
      "A preliminary expert report on the explosion at the Amasra coal mine in Türkiye "
      "found that a ventilation failure allowed methane to build up in the gallery, the "
      "Bartin chief prosecutor's office said on Wednesday.\n\n"
      "The report was submitted to the prosecutors investigating the blast, which killed 27 "
      "miners."),
    A("fire_reuters", "Reuters", t(6, 6, 10),
      "Wildfire near Turkish resort of Marmaris forces evacuations",
      "ISTANBUL, June 6 (Reuters) - A wildfire fanned by strong winds swept through forests "
      "near the Turkish resort of Marmaris on Saturday, forcing the evacuation of hundreds of "
      "residents and tourists from hotels, officials said.\n\n"
      "Firefighting aircraft and helicopters were battling the blaze, the forestry minister "
      "said."),
    A("fire_sabah", "Daily Sabah", t(6, 6, 14),
      "Firefighters battle forest blaze in Muğla's Marmaris",
      "Teams are battling a forest fire that broke out in the Marmaris district of Türkiye's "
      "Muğla province on Saturday, with 12 aircraft and 40 fire engines deployed.\n\n"
      "Agriculture and Forestry Minister Ibrahim Yumakli said several neighbourhoods had been "
      "evacuated as a precaution."),
    A("fire_ap", "AP", t(6, 7, 8),
      "Firefighters contain wildfire near Turkish resort after evacuations",
      "MARMARIS, Turkey (AP) — Firefighters brought a wildfire near the Turkish resort town "
      "of Marmaris under control on Sunday after it forced hundreds of people to flee hotels "
      "and homes, officials said.\n\n"
      "No deaths were reported, but dozens of houses were damaged."),
    A("rate", "Bloomberg", t(6, 11, 11),
      "Turkey's Central Bank Holds Rate at 38% as Inflation Slows",
      "Turkey’s central bank kept its benchmark interest rate unchanged at 38% on Thursday, "
      "saying it wanted more evidence that inflation was slowing before resuming cuts.\n\n"
      "Annual inflation eased to 31% in May."),
]  # fmt: skip

MINE = {
    "mine_aa", "mine_reuters", "mine_copy", "mine_bbc", "mine_live", "mine_rescue",
    "mine_explainer", "mine_arrest", "mine_hurriyet", "mine_report",
}  # fmt: skip
FIRE = {"fire_reuters", "fire_sabah", "fire_ap"}


@pytest.fixture(scope="module")
def turkey(tmp_path_factory) -> Ingested:
    return Ingested(tmp_path_factory.mktemp("turkey"), TURKEY, now=TURKEY_NOW)


def test_turkey_developing_mine_story_is_one_and_apart_from_the_fire(turkey):
    brief = turkey.brief("turkey", "10d")
    assert_sound(brief)
    found = turkey.stories(brief)
    assert found[0] == MINE
    # Reuters' fire report says "Turkish" only: see the xfail below.
    assert FIRE - {"fire_reuters"} in found
    assert {"rate"} in found
    mine = brief.stories[0]
    assert sorted(mine.outlets) == [
        "AP", "Al Jazeera", "Anadolu Agency", "BBC", "Hurriyet Daily News", "Reuters",
        "The Guardian",
    ]  # fmt: skip
    key = mine.key_sentence
    assert "mine" in key and not key.endswith("?") and "BST" not in key
    assert not key.startswith(("ISTANBUL", "AMASRA"))


@pytest.mark.xfail(strict=True, reason="topic recall: the catalog's Turkey has no demonym "
                   "alias (\"Turkish\"), so a report that says only \"Turkish resort\" is no "
                   "candidate (bot/briefing/topics.py, seeds; see the report)")  # fmt: skip
def test_turkey_report_naming_only_the_demonym_is_found(turkey):
    brief = turkey.brief("turkey", "10d")
    assert FIRE in turkey.stories(brief)


# ----------------------------------------------------------------------------- DPRK
# Editor: two launch stories, never one, though both are "ballistic missiles into the East
# Sea, the JCS said"; each holds its state-media account (translated, a day later); the
# explainer, which is about Friday's launch and recalls Monday's, is cited with Friday's or
# nowhere, and never counted as an outlet of Monday's; the live blog joins Friday's. Monday's
# story counts Yonhap, Reuters, NHK World and KCNA (The Star ran Reuters' copy). Kim Yo Jong's
# statement and the farm visit stand apart. Friday's key sentence tells Friday's launch.

DPRK_NOW = t(7, 11, 12)
L1_WIRE = (
    "SEOUL, July 6 (Reuters) - North Korea fired two short-range ballistic missiles off its "
    "east coast on Monday, South Korea's military said, weeks ahead of joint South Korea-U.S. "
    "drills planned for August.\n\n"
    "The missiles flew about 350 km (217 miles) before falling into the sea, the Joint Chiefs "
    "of Staff said.\n\n"
    "Reporting by Josh Smith; Editing by Kim Coghill"
)
DPRK = [
    A("l1_yonhap", "Yonhap", t(7, 6, 0, 30),
      "(LEAD) N. Korea fires 2 short-range ballistic missiles into East Sea: JCS",
      "SEOUL, July 6 (Yonhap) -- North Korea fired two short-range ballistic missiles into the "
      "East Sea on Monday, South Korea's military said, in its first launch in two months.\n\n"
      "The missiles were fired from the Jangyon area in South Hwanghae Province at around "
      "7:10 a.m. and flew about 350 kilometers before splashing down, the Joint Chiefs of "
      "Staff (JCS) said."),
    A("l1_reuters", "Reuters", t(7, 6, 1, 30),
      "North Korea fires two short-range missiles, Seoul says", L1_WIRE),
    A("l1_copy", "The Star", t(7, 6, 2, 30),
      "N.Korea launches pair of ballistic missiles off east coast",
      L1_WIRE.replace("SEOUL, July 6 (Reuters) - ", "")),
    A("l1_nhk", "NHK World", t(7, 6, 3),
      "Japan says N.Korea missiles fell outside its EEZ",
      "Japan's Defense Ministry says North Korea launched what appeared to be two ballistic "
      "missiles on Monday morning.\n\n"
      "The ministry says they are believed to have fallen outside Japan's exclusive economic "
      "zone, and no damage to ships or aircraft has been reported."),
    A("l1_kcna", "KCNA", t(7, 7, 0),
      "DPRK Missile Administration Conducts Test-fire of New-type Tactical Ballistic Missile",
      "The Missile Administration of the DPRK conducted a test-fire of new-type tactical "
      "ballistic missiles on July 6.\n\n"
      "The test-fire was aimed at verifying the accuracy of the improved guidance system, and "
      "the missiles precisely hit the target island in the East Sea of Korea at a range of "
      "350 km.\n\n"
      "The respected Comrade Kim Jong Un watched the test-fire."),
    A("kys_kcna", "KCNA", t(7, 8, 1),
      "Press Statement of Kim Yo Jong, Vice Department Director of WPK Central Committee",
      "The U.S. and the ROK puppets must not forget that the DPRK is watching every move of "
      "their reckless war rehearsal, Kim Yo Jong, vice department director of the Central "
      "Committee of the Workers' Party of Korea, said in a press statement on July 7.\n\n"
      "She warned of countermeasures if the joint drills go ahead in August."),
    A("kys_yonhap", "Yonhap", t(7, 8, 3),
      "Kim Yo Jong warns of 'countermeasures' over S. Korea-U.S. drills",
      "SEOUL, July 8 (Yonhap) -- Kim Yo Jong, the powerful sister of North Korean leader Kim "
      "Jong Un, warned Wednesday of unspecified countermeasures against the joint South "
      "Korea-U.S. military drills planned for next month.\n\n"
      "In a statement carried by the official KCNA, she called the exercise a reckless war "
      "rehearsal."),
    A("farm", "Daily NK", t(7, 8, 7),
      "Kim Jong Un visits new greenhouse farm in Hamju",
      "North Korean leader Kim Jong Un visited a newly built greenhouse farm in Hamju County, "
      "South Hamgyong Province, state media reported on Wednesday.\n\n"
      "He praised the farm's vegetable output and ordered similar farms built in every "
      "province."),
    A("l2_yonhap", "Yonhap", t(7, 10, 0, 20),
      "(LEAD) N. Korea fires ballistic missile into East Sea: JCS",
      "SEOUL, July 10 (Yonhap) -- North Korea fired a ballistic missile into the East Sea on "
      "Friday, South Korea's military said, four days after it launched two short-range "
      "missiles.\n\n"
      "The missile, fired from near Pyongyang at around 9:20 a.m., flew about 1,000 "
      "kilometers on a lofted trajectory, the Joint Chiefs of Staff (JCS) said."),
    A("l2_ap", "AP", t(7, 10, 1, 30),
      "North Korea test-fires intermediate-range missile, Seoul says",
      "SEOUL, South Korea (AP) — North Korea fired an intermediate-range ballistic missile "
      "toward the sea on Friday, South Korea's military said, its second launch this week as "
      "tensions rise over planned U.S.-South Korean military drills.\n\n"
      "The missile flew about 1,000 kilometers before landing in waters off the North's east "
      "coast, the Joint Chiefs of Staff said."),
    A("l2_jt", "Japan Times", t(7, 10, 3),
      "North Korean missile lands in sea after 12-minute flight, Tokyo says",
      "A ballistic missile fired by North Korea on Friday flew for about 12 minutes and "
      "landed in the Sea of Japan outside the country's exclusive economic zone, Defense "
      "Minister Shinjiro Koizumi said.\n\n"
      "It reached an altitude of more than 1,500 kilometers, he said."),
    A("l2_live", "The Independent", t(7, 10, 4),
      "North Korea missile launch live: Pyongyang fires ballistic missile towards Sea of Japan",
      "Key points: North Korea fired an intermediate-range ballistic missile into the sea on "
      "Friday morning, Seoul's military says.\n\n"
      "Japan says the missile landed outside its exclusive economic zone after a 12-minute "
      "flight.\n\n"
      "04:02 — The US Indo-Pacific Command says the launch does not pose an immediate threat "
      "to US personnel or territory.\n\n"
      "03:40 — South Korea's National Security Council has convened an emergency meeting."),
    A("l2_explainer", "The Guardian", t(7, 10, 12),
      "North Korea's missile launches: what we know",
      "North Korea fired a ballistic missile on Friday, its second launch in four days.\n\n"
      "What was launched?\n\n"
      "South Korea's military said the missile flew about 1,000km on a lofted trajectory, "
      "suggesting an intermediate-range weapon.\n\n"
      "On Monday, the North fired two short-range missiles from Jangyon that flew 350km.\n\n"
      "Why now?\n\n"
      "Pyongyang has condemned joint drills that Seoul and Washington plan for August."),
    A("l2_kcna", "KCNA", t(7, 11, 0),
      "DPRK Tests New-type Hypersonic Intermediate-range Ballistic Missile",
      "The Missile Administration of the DPRK on July 10 conducted a test-launch of a "
      "new-type intermediate-range hypersonic ballistic missile.\n\n"
      "The hypersonic glide vehicle flew 1,000 km and accurately hit the set waters in the "
      "East Sea of Korea.\n\n"
      "Comrade Kim Jong Un observed the test-launch and expressed great satisfaction."),
]  # fmt: skip

L1 = {"l1_yonhap", "l1_reuters", "l1_copy", "l1_nhk", "l1_kcna"}
L2 = {"l2_yonhap", "l2_ap", "l2_jt", "l2_live", "l2_kcna"}
KYS = {"kys_kcna", "kys_yonhap"}


@pytest.fixture(scope="module")
def dprk(tmp_path_factory) -> Ingested:
    return Ingested(tmp_path_factory.mktemp("dprk"), DPRK, now=DPRK_NOW)


def test_dprk_two_launches_four_days_apart_stay_two_stories(dprk):
    brief = dprk.brief("dprk", "7d")
    assert_sound(brief)
    found = dprk.stories(brief)
    first = found[story_with(dprk, brief, "l1_yonhap")]
    second = found[story_with(dprk, brief, "l2_yonhap")]
    # NHK's short Japanese-angle report: see the xfail below; never with Friday's launch.
    assert L1 - {"l1_nhk"} <= first <= L1
    assert L2 <= second <= L2 | {"l2_explainer"}
    assert found[story_with(dprk, brief, "kys_yonhap")] == KYS
    assert {"farm"} in found
    assert (
        {"KCNA", "Reuters", "Yonhap"}
        <= set(brief.stories[story_with(dprk, brief, "l1_yonhap")].outlets)
        <= {"KCNA", "NHK World", "Reuters", "Yonhap"}
    )
    assert sorted(brief.stories[story_with(dprk, brief, "l2_yonhap")].outlets) == [
        "AP", "Japan Times", "KCNA", "The Guardian", "The Independent", "Yonhap"
    ]  # fmt: skip
    # Friday's launch is newer and as widely told: it comes first.
    assert story_with(dprk, brief, "l2_yonhap") < story_with(dprk, brief, "l1_yonhap")


@pytest.mark.xfail(strict=True, reason="a short third-country report (Japan's ministry: 'what "
                   "appeared to be two ballistic missiles on Monday') shares too few words "
                   "with Monday's reports to reach LINK_SIM: it stands alone")  # fmt: skip
def test_dprk_japanese_angle_report_joins_its_launch(dprk):
    brief = dprk.brief("dprk", "7d")
    assert dprk.stories(brief)[story_with(dprk, brief, "l1_yonhap")] == L1


def test_dprk_key_sentences_tell_each_launch(dprk):
    brief = dprk.brief("dprk", "7d")
    second = brief.stories[story_with(dprk, brief, "l2_yonhap")].key_sentence
    assert "Friday" in second or "1,000" in second or "July 10" in second
    assert not second.startswith(("Key points", "04:02", "SEOUL"))
    first = brief.stories[story_with(dprk, brief, "l1_yonhap")].key_sentence
    assert "Monday" in first or "350" in first or "July 6" in first


# ----------------------------------------------------------------------------- Taiwan
# Editor: the drills first, eight independent outlets (Reuters, AFP, AP, Focus Taiwan, Global
# Times, Taipei Times, BBC, Nikkei Asia), all eleven articles cited (the three syndicated
# copies under new headlines count for their wires); the typhoon (two outlets), chip revenue
# (one) and the recall vote (one) apart, after it. The text says "8 outlets".

TAIWAN_NOW = t(8, 20, 12)
DRILL_WIRE = (
    "BEIJING/TAIPEI, Aug 17 (Reuters) - China's military launched large-scale drills around "
    "Taiwan on Monday involving its army, navy, air force and rocket force, in what it called "
    'a stern warning to "separatist" forces seeking the island\'s independence.\n\n'
    "The Eastern Theater Command said the exercises, code-named Strait Thunder-2026B, were "
    "testing the ability to seize control of key areas and blockade ports.\n\n"
    "Taiwan's defence ministry said it had detected 71 Chinese military aircraft and 21 navy "
    "ships around the island since early morning.\n\n"
    "Reporting by Ben Blanchard and Liz Lee; Editing by Gerry Doyle"
)
DRILL_AFP = (
    "TAIPEI (AFP) - China deployed warships and fighter jets around Taiwan on Monday in drills "
    "Beijing said were a warning against independence, the largest show of force near the "
    "island this year.\n\n"
    "Taipei condemned the exercises and put its forces on alert, sending jets and ships to "
    "monitor the Chinese deployment.\n\n"
    "Beijing claims the self-ruled democracy as part of its territory."
)
TAIWAN = [
    A("dr_reuters", "Reuters", t(8, 17, 1),
      "China launches military drills around Taiwan, warns 'separatist' forces", DRILL_WIRE),
    A("dr_yahoo", "Yahoo News", t(8, 17, 1, 30),
      "China stages war games encircling Taiwan",
      DRILL_WIRE.replace("BEIJING/TAIPEI, Aug 17 (Reuters) - ", "")),
    A("dr_japantoday", "Japan Today", t(8, 17, 2),
      "China holds large-scale exercises near Taiwan",
      "This story has been updated.\n\n" + DRILL_WIRE),
    A("dr_afp", "AFP", t(8, 17, 2, 30),
      "China deploys warships, jets in drills encircling Taiwan", DRILL_AFP),
    A("dr_france24", "France 24", t(8, 17, 3),
      "Beijing surrounds Taiwan with warships in new show of force",
      DRILL_AFP.replace("TAIPEI (AFP) - ", "")
      + "\n\nSubscribe to our newsletter for more international news."),
    A("dr_ap", "AP", t(8, 17, 4),
      "China sends dozens of warplanes toward Taiwan in new war games",
      "TAIPEI, Taiwan (AP) — China sent dozens of fighter jets and navy ships toward Taiwan on "
      "Monday as it began military exercises that it said would test its ability to blockade "
      "the self-governed island.\n\n"
      "Taiwan's President Lai Ching-te convened a national security meeting, his office "
      "said."),
    A("dr_focus", "Focus Taiwan", t(8, 17, 6),
      "MND tracks 71 PLA aircraft, 21 ships as China launches drills",
      "Taiwan's Ministry of National Defense (MND) said Monday it had tracked 71 Chinese "
      "military aircraft and 21 People's Liberation Army Navy vessels around Taiwan as Beijing "
      "launched its Strait Thunder-2026B exercise.\n\n"
      "The MND has set up a response center and dispatched aircraft, ships and coastal "
      "missile systems to monitor the situation."),
    A("dr_gt", "Global Times", t(8, 17, 8),
      "PLA Eastern Theater Command launches Strait Thunder-2026B exercise",
      "The PLA Eastern Theater Command on Monday launched the Strait Thunder-2026B exercise in "
      "the central and southern waters of the Taiwan Strait, focusing on blockade and "
      "precision strikes on key targets.\n\n"
      "The drills serve as a stern warning and a forceful deterrent to the \"Taiwan "
      "independence\" separatist forces, a spokesperson said."),
    A("dr_taipeitimes", "Taipei Times", t(8, 18, 0),
      "Lai condemns PLA drills as 'irresponsible provocation'",
      "President Lai Ching-te yesterday condemned China's military drills around Taiwan as an "
      "irresponsible provocation that threatens regional peace, and vowed that the armed forces "
      "would defend the nation.\n\n"
      "The Presidential Office urged Beijing to halt the Strait Thunder exercise."),
    A("dr_bbc", "BBC", t(8, 18, 10),
      "China ends two days of live-fire drills around Taiwan",
      "China has ended two days of military exercises around Taiwan that included live-fire "
      "drills in the Taiwan Strait, its military said on Tuesday.\n\n"
      "The Eastern Theater Command said its forces had 'successfully completed' Strait "
      "Thunder-2026B.\n\n"
      "The US State Department urged Beijing to show restraint."),
    A("dr_nikkei", "Nikkei Asia", t(8, 18, 12),
      "Taiwan drills rattle shipping as China fires rockets into strait",
      "Container lines diverted ships around the Taiwan Strait on Tuesday after China fired "
      "long-range rockets into waters off the island's southwest on the second day of its "
      "drills.\n\n"
      "Insurers said war-risk premiums for Taiwan port calls had doubled since Monday."),
    A("ty_focus", "Focus Taiwan", t(8, 14, 3),
      "Typhoon Podul makes landfall in Taitung, 1 dead",
      "Typhoon Podul made landfall in Taiwan's Taitung County on Friday morning with winds of "
      "up to 173 kilometers per hour, leaving one person dead, the Central Weather "
      "Administration said.\n\n"
      "Schools and offices were closed in eight cities and counties."),
    A("ty_taipeitimes", "Taipei Times", t(8, 14, 23),
      "Typhoon Podul leaves one dead, 200,000 homes without power",
      "Typhoon Podul swept across southern Taiwan on Friday, killing one person in Taitung and "
      "cutting power to more than 200,000 households, officials said.\n\n"
      "Taiwan Power Co said most supply would be restored by Saturday."),
    A("tsmc", "DigiTimes", t(8, 15, 8),
      "TSMC July revenue jumps 25% on AI demand",
      "Taiwan Semiconductor Manufacturing Co (TSMC) reported July revenue of NT$323 billion on "
      "Saturday, up 25 percent from a year earlier, as demand for AI chips stayed strong.\n\n"
      "Revenue for the first seven months rose 38 percent."),
    A("recall", "Taiwan News", t(8, 16, 13),
      "Recall votes against 7 KMT lawmakers fail",
      "Recall votes against seven Kuomintang legislators failed on Saturday after none reached "
      "the required turnout threshold, Taiwan's Central Election Commission said.\n\n"
      "The ruling Democratic Progressive Party had backed the campaign."),
]  # fmt: skip

DRILLS = {
    "dr_reuters", "dr_yahoo", "dr_japantoday", "dr_afp", "dr_france24", "dr_ap", "dr_focus",
    "dr_gt", "dr_taipeitimes", "dr_bbc", "dr_nikkei",
}  # fmt: skip
TYPHOON = {"ty_focus", "ty_taipeitimes"}


@pytest.fixture(scope="module")
def taiwan(tmp_path_factory) -> Ingested:
    return Ingested(tmp_path_factory.mktemp("taiwan"), TAIWAN, now=TAIWAN_NOW)


def test_taiwan_big_story_first_with_eight_outlets(taiwan):
    brief = taiwan.brief("taiwan")
    assert_sound(brief)
    found = taiwan.stories(brief)
    assert found[0] == DRILLS
    assert TYPHOON in found and {"tsmc"} in found and {"recall"} in found
    assert sorted(brief.stories[0].outlets) == [
        "AFP", "AP", "BBC", "Focus Taiwan", "Global Times", "Nikkei Asia", "Reuters",
        "Taipei Times",
    ]  # fmt: skip
    assert len(brief.stories[story_with(taiwan, brief, "ty_focus")].outlets) == 2
    text = text_of(brief)
    assert "8 outlets" in text
    key = brief.stories[0].key_sentence
    assert "drill" in key or "exercise" in key


# ----------------------------------------------------------------------------- Japan
# Editor: the Aomori quake (seven articles: Kyodo, Reuters and its copy, the live blog, NHK,
# the explainer, the aftershock advisory; five outlets) and the Kumamoto quake (three) are two
# stories, though both are "a magnitude X earthquake struck ..., the Japan Meteorological
# Agency said"; the export figure apart. Key sentences: a statement of each quake, no
# question, no timestamp.

JAPAN_NOW = t(9, 12, 12)
Q1_WIRE = (
    "TOKYO, Sept 3 (Reuters) - A magnitude 7.1 earthquake struck off the coast of northern "
    "Japan on Thursday night, shaking buildings in Tokyo and prompting a tsunami advisory for "
    "the Pacific coast, the Japan Meteorological Agency said.\n\n"
    "The quake was centred off Aomori prefecture at a depth of 50 km.\n\n"
    "Reporting by Kantaro Komiya; Editing by Chris Reese"
)
JAPAN = [
    A("q1_kyodo", "Kyodo", t(9, 3, 14),
      "M7.1 quake strikes off Aomori, tsunami advisory issued",
      "A magnitude 7.1 earthquake struck off Aomori Prefecture in northeastern Japan at "
      "10:32 p.m. Thursday, the Japan Meteorological Agency said, prompting a tsunami advisory "
      "along the Pacific coast.\n\n"
      "The quake registered upper 6 on the Japanese seismic intensity scale of 7 in the city "
      "of Hachinohe."),
    A("q1_reuters", "Reuters", t(9, 3, 14, 30),
      "Strong 7.1 magnitude quake hits northern Japan, tsunami advisory issued", Q1_WIRE),
    A("q1_copy", "Yahoo News", t(9, 3, 15),
      "Powerful quake rattles northern Japan",
      Q1_WIRE.replace("TOKYO, Sept 3 (Reuters) - ", "")),
    A("q1_live", "The Guardian", t(9, 3, 16),
      "Japan earthquake: 7.1-magnitude quake strikes off Aomori – live",
      "16.02 BST: Tohoku Electric Power says no abnormalities have been found at its "
      "Higashidori nuclear plant in Aomori.\n\n"
      "15.45 BST: Tsunami waves of up to 40cm have been observed at Hachinohe port, Japan's "
      "public broadcaster NHK reports.\n\n"
      "15.30 BST: A magnitude 7.1 earthquake has struck off the coast of Aomori in northern "
      "Japan, the Japan Meteorological Agency says."),
    A("q1_nhk", "NHK World", t(9, 4, 1),
      "Aomori quake: 34 injured, bullet trains suspended",
      "At least 34 people were injured in Aomori, Iwate and Hokkaido after Thursday night's "
      "strong earthquake, the Fire and Disaster Management Agency says.\n\n"
      "East Japan Railway suspended Tohoku Shinkansen services between Morioka and "
      "Shin-Aomori to check the tracks."),
    A("q1_explainer", "BBC", t(9, 4, 8),
      "Japan earthquake: What we know so far",
      "What happened?\n\n"
      "A 7.1-magnitude earthquake struck off the coast of Aomori, in northern Japan, late on "
      "Thursday.\n\n"
      "Was there a tsunami?\n\n"
      "A tsunami advisory was issued and waves of up to 40cm reached Hachinohe port.\n\n"
      "Were people hurt?\n\n"
      "At least 34 people were injured, most by falling objects."),
    A("q1_after", "Kyodo", t(9, 5, 6),
      "JMA warns of stronger quake after Aomori tremor",
      "The Japan Meteorological Agency on Saturday urged residents along the northern Pacific "
      "coast to stay alert for a possible stronger earthquake in the coming week, after "
      "Thursday's magnitude 7.1 tremor off Aomori.\n\n"
      "The agency has recorded more than 80 aftershocks."),
    A("q2_kyodo", "Kyodo", t(9, 9, 3),
      "M5.8 quake jolts Kumamoto, no tsunami threat",
      "A magnitude 5.8 earthquake struck Kumamoto Prefecture in southwestern Japan on "
      "Wednesday afternoon, registering lower 6 on the Japanese seismic intensity scale of 7, "
      "the Japan Meteorological Agency said.\n\n"
      "There was no threat of a tsunami."),
    A("q2_reuters", "Reuters", t(9, 9, 4),
      "Magnitude 5.8 quake hits southern Japan, no tsunami warning",
      "TOKYO, Sept 9 (Reuters) - A magnitude 5.8 earthquake hit Kumamoto in southern Japan on "
      "Wednesday, the Japan Meteorological Agency said, with no tsunami warning issued.\n\n"
      "There were no immediate reports of damage."),
    A("q2_nhk", "NHK World", t(9, 9, 8),
      "Kumamoto quake: minor damage, Kyushu Shinkansen resumes",
      "Wednesday's strong earthquake in Kumamoto Prefecture in southwestern Japan caused minor "
      "damage to buildings and roads, local officials say.\n\n"
      "Kyushu Shinkansen services, halted after the quake, resumed in the evening."),
    A("exports", "Reuters", t(9, 10, 0),
      "Japan's August exports rise 4% as chip demand offsets U.S. tariffs",
      "TOKYO, Sept 10 (Reuters) - Japan's exports rose 4% in August from a year earlier, "
      "Ministry of Finance data showed on Thursday, as strong demand for chip-making "
      "equipment offset weaker car shipments to the United States."),
]  # fmt: skip

Q1 = {"q1_kyodo", "q1_reuters", "q1_copy", "q1_live", "q1_nhk", "q1_explainer", "q1_after"}
Q2 = {"q2_kyodo", "q2_reuters", "q2_nhk"}


@pytest.fixture(scope="module")
def japan(tmp_path_factory) -> Ingested:
    return Ingested(tmp_path_factory.mktemp("japan"), JAPAN, now=JAPAN_NOW)


def test_japan_two_earthquakes_stay_two_stories(japan):
    brief = japan.brief("japan", "10d")
    assert_sound(brief)
    found = japan.stories(brief)
    assert found[0] == Q1
    assert Q2 in found and {"exports"} in found
    assert sorted(brief.stories[0].outlets) == ["BBC", "Kyodo", "NHK World", "Reuters",
                                                "The Guardian"]  # fmt: skip
    for i in (0, story_with(japan, brief, "q2_kyodo")):
        key = brief.stories[i].key_sentence
        assert "earthquake" in key or "quake" in key
        assert not key.endswith("?") and "BST" not in key


# ----------------------------------------------------------------------------- Ukraine
# Editor, for the last 3 days: the Zaporizhzhia story is told by its three in-window reports
# only (the outage and the repair truce are older), with a key sentence about the power being
# restored; the prisoner swap (three outlets) and the Kyiv drone strike on the grid (two) are
# separate stories; nothing from before the window is cited.

UKRAINE_NOW = t(10, 16, 12)
UKRAINE = [
    A("zp_reuters", "Reuters", t(10, 10, 9),
      "Zaporizhzhia nuclear plant loses external power, runs on diesel",
      "KYIV, Oct 10 (Reuters) - Europe's largest nuclear power plant, Zaporizhzhia in "
      "Russian-occupied southern Ukraine, lost its last external power line on Saturday and is "
      "relying on emergency diesel generators, the International Atomic Energy Agency said.\n\n"
      "IAEA chief Rafael Grossi said the situation was 'clearly not sustainable'."),
    A("zp_wnn", "World Nuclear News", t(10, 11, 8),
      "Zaporizhzhia on diesel power for second day",
      "Ukraine's Zaporizhzhia nuclear power plant has been running on diesel generators for a "
      "second "
      "day after losing its 750 kV Dniprovska line, the IAEA said.\n\n"
      "The plant's six reactors are in cold shutdown."),
    A("zp_ap", "AP", t(10, 12, 10),
      "Local ceasefire agreed to repair power line to Ukraine nuclear plant",
      "KYIV, Ukraine (AP) — Russia and Ukraine agreed to a local ceasefire to let engineers "
      "repair the damaged power line feeding the Zaporizhzhia nuclear plant, the UN nuclear "
      "watchdog said on Monday.\n\n"
      "Repairs are expected to take several days."),
    A("zp_restore_reuters", "Reuters", t(10, 14, 8),
      "Power restored to Zaporizhzhia nuclear plant after four-day outage, IAEA says",
      "VIENNA, Oct 14 (Reuters) - External power was restored to the Zaporizhzhia nuclear "
      "plant in Russian-occupied Ukraine on Wednesday after repairs to the Dniprovska line "
      "ended a four-day outage, the International Atomic Energy Agency said.\n\n"
      "The plant had relied on diesel generators since Saturday."),
    A("zp_restore_ukrinform", "Ukrinform", t(10, 14, 10),
      "Power supply to occupied Zaporizhzhia NPP restored",
      "Power supply to the temporarily occupied Zaporizhzhia NPP was restored, the Ministry "
      "of Energy of Ukraine reports.\n\n"
      "As noted, the Dniprovska 750 kV line was reconnected after repair works carried out "
      "under the mediation of the IAEA.\n\n"
      "Earlier, the station had been in blackout mode since October 10."),
    A("zp_grossi", "World Nuclear News", t(10, 15, 9),
      "Grossi: Zaporizhzhia situation 'remains precarious' after power restored",
      "IAEA Director General Rafael Grossi said on Thursday the nuclear safety situation at "
      "Ukraine's Zaporizhzhia plant remained precarious even after its external power supply was "
      "restored, as it depends on a single line.\n\n"
      "He urged both sides to refrain from attacks near the site."),
    A("swap_reuters", "Reuters", t(10, 14, 12),
      "Russia and Ukraine swap 185 prisoners each in UAE-brokered exchange",
      "KYIV, Oct 14 (Reuters) - Russia and Ukraine each freed 185 prisoners of war on "
      "Wednesday in an exchange mediated by the United Arab Emirates, both sides said.\n\n"
      "It was the first such swap in two months."),
    A("swap_ukrinform", "Ukrinform", t(10, 14, 13),
      "185 Ukrainian defenders return home from Russian captivity",
      "Another 185 Ukrainian defenders have been returned home from Russian captivity, "
      "President of Ukraine Volodymyr Zelensky reports.\n\n"
      "As noted, among those released are servicemen of the Armed Forces, the National "
      "Guard and the State Border Guard Service."),
    A("swap_kyivind", "Kyiv Independent", t(10, 14, 15),
      "Ukraine brings home 185 POWs in latest exchange",
      "Ukraine brought home 185 prisoners of war on Oct. 14 in an exchange with Russia "
      "brokered by the UAE, the Coordination Headquarters for the Treatment of POWs said.\n\n"
      "Some had been held since 2022."),
    A("drone_kyivind", "Kyiv Independent", t(10, 15, 3),
      "Russian drone attack on Kyiv kills 3, knocks out power to 80,000 homes",
      "A Russian drone attack on Kyiv overnight on Oct. 15 killed three people and damaged "
      "energy infrastructure, leaving about 80,000 households without power, city officials "
      "said.\n\n"
      "Air defenses shot down 48 of 56 drones, the Air Force said."),
    A("drone_ap", "AP", t(10, 15, 6),
      "Russian drones pound Kyiv, killing 3 and hitting the power grid",
      "KYIV, Ukraine (AP) — Russia launched dozens of drones at Kyiv early Thursday, killing "
      "three people and striking power facilities that left parts of the capital in the "
      "dark, officials said.\n\n"
      "Mayor Vitali Klitschko said repair crews were working to restore electricity."),
    A("visit_old", "Reuters", t(10, 9, 15),
      "Zelensky meets Trump in Washington to seek more air defence",
      "WASHINGTON, Oct 9 (Reuters) - Ukrainian President Volodymyr Zelensky met U.S. "
      "President Donald Trump at the White House on Friday to ask for more Patriot air "
      "defence systems."),
]  # fmt: skip

ZP_IN = {"zp_restore_reuters", "zp_restore_ukrinform", "zp_grossi"}
ZP_OLD = {"zp_reuters", "zp_wnn", "zp_ap"}
SWAP = {"swap_reuters", "swap_ukrinform", "swap_kyivind"}
DRONE = {"drone_kyivind", "drone_ap"}


@pytest.fixture(scope="module")
def ukraine(tmp_path_factory) -> Ingested:
    return Ingested(tmp_path_factory.mktemp("ukraine"), UKRAINE, now=UKRAINE_NOW)


def test_ukraine_window_edge_cites_only_in_window_reports(ukraine):
    brief = ukraine.brief("ukraine", "3d")
    assert_sound(brief)
    found = ukraine.stories(brief)
    assert ZP_IN in found and SWAP in found and DRONE in found
    assert not labels_cited(ukraine, brief) & (ZP_OLD | {"visit_old"})
    zp = brief.stories[story_with(ukraine, brief, "zp_grossi")]
    assert "restored" in zp.key_sentence
    assert zp.key_article.published_at >= UKRAINE_NOW - dt.timedelta(days=3)
    assert sorted(zp.outlets) == ["Reuters", "Ukrinform", "World Nuclear News"]


def test_ukraine_whole_story_is_one_over_ten_days(ukraine):
    brief = ukraine.brief("ukraine", "10d")
    assert_sound(brief)
    found = ukraine.stories(brief)
    assert ZP_IN | ZP_OLD in found
    assert DRONE in found and SWAP in found


# ----------------------------------------------------------------------------- stored stories


@pytest.mark.parametrize("name", ["turkey", "dprk", "taiwan", "japan", "ukraine"])
def test_no_stored_story_mixes_two_stories(name, request):
    # Labels name their story before the underscore (l1_/l2_: the two launches, q1_/q2_: the
    # two earthquakes); filing at ingest must never put two of them in one stored story.
    c = request.getfixturevalue(name)
    filed: dict[int, set[str]] = {}
    for story, article in c.db.execute("SELECT story_id, article_id FROM story_articles"):
        filed.setdefault(story, set()).add(c.labels[article])
    assert sorted(label for g in filed.values() for label in g) == sorted(c.ids)
    for group in filed.values():
        assert len({label.split("_")[0] for label in group}) <= 1, group


@pytest.mark.xfail(strict=True, reason="a follow-up days later that names another day and "
                   "repeats no figure of its story (no '27 dead') reads like a second event of "
                   "the same kind (brief._conflict): it stands alone")  # fmt: skip
def test_turkey_follow_ups_without_a_shared_figure_still_join(tmp_path):
    import dataclasses

    cut = {"that killed 27 miners last week": "last week", "that claimed 27 lives": "",
           ", which killed 27 miners": ""}  # fmt: skip
    articles = []
    for a in TURKEY:
        body = a.body
        for old, new in cut.items():
            body = body.replace(old, new)
        articles.append(dataclasses.replace(a, body=body))
    c = Ingested(tmp_path, articles, now=TURKEY_NOW)
    assert c.stories(c.brief("turkey", "10d"))[0] == MINE


# ----------------------------------------------------------------------------- unit checks


def test_two_events_of_one_kind_conflict_but_a_follow_up_does_not():
    from bot.briefing.brief import _anchors, _conflict

    monday, friday = t(7, 6, 2), t(7, 10, 2)
    first = _anchors(["@0706", "#350", "missil"], monday)
    second = _anchors(["@0710", "#1000", "missil"], friday)
    assert _conflict(first, second)
    # The follow-up repeats the story's figure; a reaction the next day is too close to tell.
    assert not _conflict(first, _anchors(["@0710", "#350"], friday))
    assert not _conflict(first, _anchors(["@0707"], t(7, 7, 2)))
    # A day still to come is a plan, not the day of the news: "the first flight on July 19".
    assert not _conflict(first, _anchors(["@0719"], t(7, 8, 2)))
    assert not _conflict(first, _anchors(["#1000"], friday))  # no day named: no evidence


def test_figures_with_units_written_on():
    from bot.briefing.brief import _figures

    text = "A 7.1-magnitude quake; it flew 1,000km, waves of 40cm, 350 km; COVID-19, 2020-21"
    assert _figures(text) == ["#7.1", "#1000", "#40", "#350"]

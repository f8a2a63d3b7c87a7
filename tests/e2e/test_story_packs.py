"""Story packs of other stories, judged with the config a newcomer writes (issue 16).

Each pack under tests/packs/ with a ``story.toml`` is served over real HTTP, backfilled day by day
with that config (defaults kept; only ``[[feeds]]`` pointed at the server) and scored against its
answer key by ``bench.story_packs``. The issue's targets are asserted per pack; where today's
relevance misses them the test is a strict xfail that records the measured numbers, so it fails
(XPASS) the day relevance is fixed and the marker must go.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest

from bench.story_packs import PACKS as PACK_DIR
from bench.story_packs import PackResult, run_pack, story_packs

PACKS = story_packs()
NAMES = [p.name for p in PACKS]
_RESULTS: dict[tuple[str, bool], PackResult] = {}

# Measured with today's code and the packs' newcomer configs (docs/RELEVANCE.md). Precision and
# the overview meet the targets on every pack; recall does not yet on these two (true pages whose
# headline and lede give the story's names little room score under the threshold).
# Held-out packs added later: note7-recall, wells-fargo-accounts and rousseff-impeachment met
# every target when added; zika-singapore met recall but accepted a related page naming the story
# once (P=0.957, worst day 0.67, 3 off-story overview sentences), which the "in passing" rule (a
# required concept in one body paragraph only, in a text not clearly the story's) now leaves out.
# yahoo-breach (a newcomer config with no [relevance] section) rejected 7 of 23 true pages as
# "led by other names" until a config without `require` took its concepts from the title's names.
# opec-algiers (no [relevance]) kept every trap out but left out one true page (R=0.955, worst
# day 0.75); the config `digest story new` drafts for it (require Algiers AND OPEC) scores 1.0/1.0.
# Four more held-out packs, built after the code they first measured: deutsche-fine met every
# target; ryder-cup and colombia-peace miss recall (below); mh17-report (no [relevance]) left
# out four reaction pages as "in passing: Buk" (one of the title's three names, once in the body)
# until the title's names counted as in passing only when half of them are (R 0.826 -> 1.000).
# bayer-monsanto met recall (1.000, was 0.880) once every required actor up front kept a page's
# names part from counting against it (its financing, critics and regulators pages).
# uri-strikes (held out) misses precision, recall and the overview (below): a related page on
# the older Kishanganga dam dispute, naming India and Pakistan up front, is kept.
# fancy-bears (held out) keeps every trap out (the same hackers' DNC and Colin Powell leaks, the
# Russian Paralympic ban, three "Bears" pages) but misses recall with and without [relevance].
# hyundai-strike (held out) keeps every true page but misses precision and the overview: the
# Kia union's strike passes require ("the Hyundai Motor group" in its lede). The Hyundai Heavy
# shipyard's strike is out since a short form ("Hyundai") that starts another company's name
# ("Hyundai Heavy") no longer names the story.
# first-debate (held out; require Clinton AND Trump) keeps every true page, reaction pages led by
# others included, but misses precision with and without [relevance]: the Kaine-Pence debate
# preparation page names both candidates in its lede ("the running mates of ...").
# spacex-amos6 (held out) meets every target with its config (P=R=1.000; require SpaceX AND
# Falcon 9/Amos-6) and keeps every trap out without [relevance], but then misses recall on one day.
# emirates-crash (held out; require Emirates/EK521 AND Dubai) keeps every true page but misses
# precision and the overview with and without [relevance]: a Dubai-airport traffic page published
# before the crash names Emirates and Dubai up front (similarity 0.17), and, once it is accepted,
# a Kerala-Gulf airfares page whose nearest story text is that trap.
# fed-decision (held out; require Federal Reserve/Fed/FOMC) keeps every trap out with and without
# [relevance] (the Bank of Japan's same-day overhaul, the BoE, SNB, Norges Bank and RBA pages, the
# Fed's own commodities-rules proposal, "Fed Cup", FedEx and "the feds") but misses recall: a
# Wichita savers page led by a retired couple (and, without [relevance], a Ticino gold-refiners page).
# royal-tour-canada (held out, a royal visit) meets every target with its config (P=R=1.000;
# require the Cambridges AND Canada/B.C./Yukon/Victoria) and keeps every trap out without
# [relevance], but then misses recall: a First Nations page that calls the couple "the Duke and
# Duchess of Cambridge" up front and "William and Kate" once in the body, a Great Bear page that
# names British Columbia and Yukon (two of the title's names) only in its last paragraph, and a
# Carcross trail-crew preview led by the crew.
# sharapova-ban (held out, a sports ruling; require Sharapova AND ban/suspension/meldonium/doping)
# keeps every trap out with and without [relevance] (the Paralympic ban, UKAD's Team Sky inquiry,
# the Olympic summit, Poland's abortion ban, CAS the Chinese Academy of Sciences, Sugarpova, three
# pages naming the ruling once) but misses recall: a China Open locker-room page led by players.
# paris-ratification (held out, a treaty ratification; require Paris agreement AND China) keeps
# every trap out with and without [relevance] (the same leaders' airport scuffle and South China
# Sea talks, Obama-Putin on Syria, the ICAO and HFC talks, "Paris" the city and its motor show,
# the TPP and Colombia "ratify" pages) but misses recall on one day: a Delhi page led by India's
# negotiators, the ratification from paragraph 2 on.
# article-50 (held out, a political announcement; require Theresa May/Mrs May/May AND Article 50/
# Brexit) keeps every trap out with and without [relevance] (UKIP's leadership, Hungary's quota
# vote, CETA and Wallonia, Sturgeon's referendum plans, Corbyn's reshuffle, Article 50 of Hong
# Kong's Basic Law, "Texit", Brian May, a Eurovision final in May) but misses recall: pages on
# the pound, the Bank and the home secretary, which name May and Article 50 once, in the body.
# Since a section label printed as a paragraph ("INDIA", "World") no longer counts as the first
# paragraph of the lede (relevance.lede_split), the pages led by others with the story from
# paragraph 2 are judged on their real lede: fed-decision, ryder-cup, sharapova-ban and
# paris-ratification meet recall with their configs (and, but for fed-decision, without
# [relevance]); duterte-obama's Davao page and emirates-crash's airport-traffic page stay out
# without [relevance]; first-debate's Netanyahu page, which names the story in that second
# paragraph, gets in. roof-trial's gun-bill page (similarity 0.07) and iphone7-launch's iOS 10
# page (without [relevance]) got in too until a text had to be 0.15 of the way from the day's
# other news to the story (relevance.TEXT_FLOOR, was 0.1).
PRECISION_FAILS = {
    "uri-strikes": "P=0.960, worst day 0.75 (tc-0928-kishanganga, a related page on the older "
                   "Kishanganga/Ratle dam dispute naming India and Pakistan up front, 0.714)",
    "hanjin-shipping": "P=0.962, worst day 0.75 (qc-0909-bok, a Bank of Korea rate page naming "
                       "Hanjin Shipping once, in its second paragraph, 0.669)",
    "meranti-typhoon": "P=0.957, worst day 0.75 (fs-0916-malakas, a sibling page on Typhoon "
                       "Malakas naming Meranti once, in its last paragraph, 0.703)",
    "hyundai-strike": "P=0.957, worst day 0.67 (ma-0927-kia-union, Kia's union's own partial "
                      "strikes, 'the Hyundai Motor group' in its lede, 0.611; the Hyundai Heavy "
                      "shipyard page is out since 'Hyundai Heavy' no longer counts as 'Hyundai')",
    "first-debate": "P=0.931, worst day 0.75 (hw-0928-kaine-pence-prep, a sibling page on the "
                    "running mates' debate preparation whose lede names Clinton and Trump as the "
                    "tickets' heads: concepts 100% up front, similarity 0.17, 0.655; "
                    "hw-0925-netanyahu, Netanyahu's meetings with both candidates, named in its "
                    "second paragraph, part of its lede since a section label no longer counts as "
                    "one: similarity 0.12, 0.506)",
    "emirates-crash": "P=0.920, worst day 0.50 (gw-0803-dxb-traffic, a Dubai-airport traffic "
                      "page naming Emirates and Dubai up front, similarity 0.17, 0.667; "
                      "mh-0809-gulf-airfares, Kerala-Gulf fares naming Emirates and Dubai in its "
                      "lede, similarity 0.11, nearest the first trap, 0.564)",
}
RECALL_FAILS = {
    "colombia-peace": "R=0.839, worst day 0.33 (four pages that never write 'Colombia' fail "
                      "require; an EU-list page scores under 0.50; two more that never write it "
                      "are kept as copies of a story article)",
    "dakota-pipeline": "R=0.963, worst day 0.50 (its story.toml has no [relevance]: a markets "
                       "page led by Energy Transfer's shares and Bakken producers, similarity "
                       "0.19, score under 0.50)",
    "dylan-nobel": "R=0.923, worst day 0.60 (a record-sales page led by record shops and "
                   "streaming, and a Desert Trip concert page whose headline names no Dylan: "
                   "similarity 0.10-0.11, score under 0.50)",
    "uri-strikes": "R=0.962, worst day 0.67 (an NIA-probe page that writes Pakistan but never "
                   "India: missing concept; the syndicated strikes copy whose trim drops its only "
                   "Pakistan is kept as a copy of its original)",
    "meranti-typhoon": "R=0.958, worst day 0.80 (a Batanes-aid page that calls the storm Ferdie "
                       "up front, 'in passing: Meranti': under 0.50; the Taipei-exchange closure "
                       "page is kept since the day's sure pages refine the story)",
    "iphone7-launch": "R=0.962, worst day 0.67 (fg-0909-carriers, a trade-in deals page led by "
                      "AT&T, Sprint, T-Mobile and Verizon: similarity 0.17, story names 16% of "
                      "its headline and lede, score under 0.50)",
    # held out, built 2026-12-08 (its story.toml has no [relevance]: the same with --minimal)
    "corbyn-reelection": "R=0.958, worst day 0.67 (mb-0926-living-wage, a Merseyside explainer of "
                         "McDonnell's GBP 10 wage pledge: similarity 0.09, story pages ~0.41, "
                         "others ~0.08, score under 0.50)",
    "article-50": "R=0.920, worst day 0.67 (mc-1004-rudd-foreign-workers, 'in passing: Theresa May,"
                  " Article 50 named in one paragraph only', similarity 0.12; lh-1007-synd-flash, a"
                  " trimmed copy that never names Theresa May: not extracted)",
}
OVERVIEW_FAILS = {
    "uri-strikes": "3 off-story sentences on 2016-09-29, all from the Kishanganga page",
    "hanjin-shipping": "4 off-story sentences on 2016-09-09, all from the Bank of Korea page",
    "meranti-typhoon": "4 off-story sentences on 2016-09-16, all from the Malakas page",
    "hyundai-strike": "4 off-story sentences on 2016-09-28, all from the Kia union page",
    "first-debate": "4 off-story sentences: 3 on 2016-09-29 from the Kaine-Pence page, 1 on "
                    "2016-09-26 from the Netanyahu page",
    "emirates-crash": "7 off-story sentences: 2 on 2016-08-04 from the Dubai-airport traffic "
                      "page, 5 on 2016-08-09 from the Kerala-Gulf airfares page",
}
# The same packs with each config's [relevance] table removed (title, description, seeds and
# feeds only: the least a newcomer writes). Before the title's names stood in for `require`,
# this scored P=1.000 R=0.767 over all packs (bayer-monsanto 0.400).
MINIMAL_RECALL_FAILS = {
    "apple-tax": "R=0.833, worst day 0.50 (the US Treasury, Congress, markets and precedent "
                 "reaction pages: one of the title's two names (Apple) up front and 'Irish' in the "
                 "body, similarity 0.20-0.25, score under 0.50)",
    "austria-rerun": "R=0.962, worst day 0.80 (the EU-reaction page: kept with require, "
                     "whose Van der Bellen its headline names; the title's only name, Austria, is not in it)",
    "chelsea-bombing": "R=0.875, worst day 0.50 (Seaside Park race, the father, the restaurant: "
                       "pages naming neither Chelsea nor New Jersey up front)",
    "colombia-peace": "R=0.968, worst day 0.75 (the peso-markets page, led by investors, "
                      "score under 0.50)",
    "dakota-pipeline": "R=0.963, worst day 0.50 (its story.toml has no [relevance]: the same "
                       "Energy Transfer shares page)",
    "dylan-nobel": "R=0.923, worst day 0.60 (the record-sales and Desert Trip pages, as "
                   "with require)",
    "uri-strikes": "R=0.962, worst day 0.83 (a Punjab border-villages page led by its farmers: "
                   "'in passing: Uri named in one paragraph only', similarity 0.14)",
    "meranti-typhoon": "R=0.958, worst day 0.80 (the same Batanes-aid page, as with require)",
    "corbyn-reelection": "R=0.958, worst day 0.67 (the same living-wage explainer: its story.toml "
                         "has no [relevance])",
    "fed-decision": "R=0.875, worst day 0.50 (the Trump-Yellen, Wichita savers and Ticino "
                    "gold-refiners pages: similarity 0.17-0.20, score under 0.50)",
    "royal-tour-canada": "R=0.875, worst day 0.67 (nb-0925-first-nations, 'the Duke and Duchess "
                         "of Cambridge' up front, William and Kate in one body paragraph, and "
                         "th-0926-great-bear, British Columbia and Yukon in its last paragraph "
                         "only: 'in passing', similarity 0.20-0.21 though story names are 66-72% "
                         "of their headline and lede; nb-0928-carcross-trail, led by the trail "
                         "crew, similarity 0.12: score under 0.50)",
    "proxima-b": "R=0.900, worst day 0.00 (bs-0829-webb-atmosphere and its copy "
                 "to-0829-synd-webb, 'Webb telescope could take Proxima b's temperature, "
                 "Harvard astronomers say': Proxima b in headline and lede, but led by Webb, "
                 "Harvard, Kreidberg and Loeb: 'led by other names: another story', similarity "
                 "0.17-0.20, story names 12-18% of headline and lede; kept with require)",
    "article-50": "R=0.800, worst day 0.00 (2016-10-07: nothing kept; the title's names stand in as"
                  " 'Theresa May' and 'Article 50': the Rudd, Merkel, Hollande and flash-crash "
                  "pages name them in the body only, similarity 0.13-0.23, and a trimmed copy names"
                  " neither; all score under 0.50)",
}
# The same minimal configs, precision and overview (held-out packs that miss them).
MINIMAL_PRECISION_FAILS = {
    "uri-strikes": "P=0.962, worst day 0.75, 3 off-story overview sentences (the Kishanganga "
                   "dam-dispute page, 0.619)",
    "hanjin-shipping": "P=0.962, worst day 0.75, 4 off-story overview sentences (the Bank of "
                       "Korea page, 0.663)",
    "meranti-typhoon": "P=0.957, worst day 0.75, 4 off-story overview sentences (the Malakas "
                       "page, 0.703)",
    "hyundai-strike": "P=0.957, worst day 0.67, 4 off-story overview sentences (ma-0927-kia-union, "
                      "a sibling page on Kia's union's strikes naming 'the Hyundai Motor group' in "
                      "its lede, 0.612; the Hyundai Heavy page is out: the title's 'Hyundai Motor' "
                      "is not in its headline or lede)",
    "first-debate": "P=0.931, worst day 0.75, 4 off-story overview sentences (the same Kaine-Pence "
                    "page, 0.649, and the Netanyahu page, 0.506, as with require)",
    "proxima-b": "P=1.000 but worst day 0.00: no off-story page is kept; the digest of "
                 "2016-08-30 is empty because its two on-story pages (the Webb-atmosphere page "
                 "and its copy) are left out, see MINIMAL_RECALL_FAILS",
    "article-50": "P=1.000 but worst day 0.00, 0 off-story overview sentences (no trap kept; "
                  "the 2016-10-07 digest keeps nothing, its three true pages under 0.50, and "
                  "an empty day scores 0)",
    # held out, built 2026-12-08: its own config requires North Korea AND nuclear (P=1.000)
    "nk-nuclear-test": "P=0.893, worst day 0.67, 5 off-story overview sentences (three North "
                       "Korea pages of other news: the Okushiri squid fishermen after the "
                       "missile launches, 0.561; the North Hamgyong floods appeal, similarity "
                       "0.08, 0.585; the THAAD protest in Seongju, 0.546. Until the title's "
                       "'Korea' stopped matching 'South Korea', the Gyeongju earthquake and "
                       "Wolseong reactor pages got in too: P=0.833)",
    "sharapova-ban": "P=0.955, worst day 0.67, 4 off-story overview sentences "
                     "(lw-1008-olympic-summit, the IOC's Olympic summit on independent testing, "
                     "naming the Court of Arbitration for Sport in its second paragraph: similarity"
                     " 0.17, 0.551)",
}


def _marked(table: dict[str, str]) -> list:
    return [pytest.param(name, marks=pytest.mark.xfail(
        strict=True, reason=f"issue 16: relevance with defaults, measured {table[name]}"))
        if name in table else name for name in NAMES]


def _runs(tmp_path_factory, minimal: bool):
    """Each pack run once per module: with its config, or with [relevance] removed."""
    def get(name: str) -> PackResult:
        if (name, minimal) not in _RESULTS:
            _RESULTS[name, minimal] = run_pack(
                PACK_DIR / name, tmp_path_factory.mktemp(f"{name}-min" if minimal else name),
                minimal=minimal)
        return _RESULTS[name, minimal]
    return get


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    return _runs(tmp_path_factory, minimal=False)


@pytest.fixture(scope="module")
def minimal(tmp_path_factory):
    return _runs(tmp_path_factory, minimal=True)


def _key(name: str) -> dict:
    return json.loads((PACK_DIR / name / "answer_key.json").read_text(encoding="utf-8"))


def test_there_are_at_least_three_story_packs_of_other_stories():
    stories = {_key(n)["story"] for n in NAMES}
    assert len(stories) >= 3 and "syria-ceasefire" not in stories


@pytest.mark.parametrize("name", NAMES)
def test_pack_build_is_deterministic_and_committed(name):
    build = PACK_DIR / name / "build.py"
    done = subprocess.run([sys.executable, str(build), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("name", NAMES)
def test_answer_key_has_the_story_its_copies_and_traps_of_every_kind(name):
    key = _key(name)
    arts = key["articles"]
    kinds = Counter(a["kind"] for a in arts)
    outlets = {a["outlet"] for a in arts}
    assert 4 <= len(outlets) <= 6
    assert 20 <= sum(a["relevant"] for a in arts) <= 32
    assert kinds["syndicated"] >= 3
    assert sum(not a["relevant"] for a in arts) >= 12
    assert {"passing", "sibling", "keyword", "related"} <= set(kinds)
    assert all(a["why"] for a in arts if not a["relevant"])
    assert all(spec["relevant"] and spec["facts"] for spec in key["days"].values())
    assert 7 <= len(key["days"]) <= 10
    for outlet in outlets:  # every outlet carries the story
        assert any(a["relevant"] for a in arts if a["outlet"] == outlet), outlet


@pytest.mark.parametrize("name", NAMES)
def test_harness_runs_every_day_and_accounts_for_every_page(name, result):
    res = result(name)
    key = _key(name)
    assert res.ev.days == len(key["days"])
    assert sorted(res.days) == sorted(key["days"])
    # every page, whatever its feed's quirks, reaches the digest: kept, folded or left out
    assert res.unseen == []
    pages = sum(tp + fp + fn for tp, fp, fn in res.days.values())
    assert pages == len(key["articles"]) - sum(not a["relevant"] for a in key["articles"]) + sum(
        fp for _, fp, _ in res.days.values())
    assert not any(m.id == key["seed"] for m in res.misjudged)  # the seed itself is kept
    assert res.ev.facts == sum(len(d["facts"]) for d in key["days"].values())
    assert res.ev.groups >= 3  # syndicated copies are scored as duplicate groups


@pytest.mark.parametrize("name", _marked(PRECISION_FAILS))
def test_precision_over_pages_with_defaults(name, result):
    res = result(name)
    assert res.precision >= 0.97, [m.id for m in res.misjudged if not m.relevant]
    assert res.worst_day()[0] >= 0.97, res.day_scores()  # and on every digest date


@pytest.mark.parametrize("name", _marked(RECALL_FAILS))
def test_recall_over_pages_with_defaults(name, result):
    res = result(name)
    assert res.recall >= 0.95, [m.id for m in res.misjudged if m.relevant]
    assert res.worst_day()[1] >= 0.95, res.day_scores()  # and on every digest date


@pytest.mark.parametrize("name", NAMES)
def test_no_sentence_of_eight_words_is_printed_twice_in_any_digest(name, result):
    assert result(name).twice == []  # issue 13: each fact once, on stories nobody tuned for


@pytest.mark.parametrize("name", NAMES)
def test_no_two_overview_sentences_report_the_same_development(name, result):
    assert result(name).same_development == []  # issue 13, the check of the bundled packs


@pytest.mark.parametrize("name", _marked(OVERVIEW_FAILS))
def test_no_off_story_sentence_in_any_overview(name, result):
    assert result(name).off_story_overview == []


@pytest.mark.parametrize("name", _marked(MINIMAL_PRECISION_FAILS))
def test_a_config_without_relevance_settings_keeps_off_story_pages_out(name, minimal):
    res = minimal(name)
    assert res.precision >= 0.97, [m.id for m in res.misjudged if not m.relevant]
    assert res.worst_day()[0] >= 0.97, res.day_scores()
    assert res.off_story_overview == []


@pytest.mark.parametrize("name", _marked(MINIMAL_RECALL_FAILS))
def test_a_config_without_relevance_settings_keeps_the_story(name, minimal):
    res = minimal(name)
    assert res.recall >= 0.95, [m.id for m in res.misjudged if m.relevant]
    assert res.worst_day()[1] >= 0.95, res.day_scores()

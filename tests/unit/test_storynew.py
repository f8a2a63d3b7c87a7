"""Drafting a story config from seed articles (digest.storynew), on the story packs' seeds."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from digest.checks import check_settings
from digest.config import load_config
from digest.relevance import _pattern, implied_concepts
from digest.storynew import (
    Draft,
    Seed,
    StoryDraftError,
    _names_in,
    _sentences,
    common_words,
    draft_story,
    read_seed_file,
    render_config,
    seed_from_text,
    write_story,
)

ROOT = Path(__file__).resolve().parents[2]
PACKS = sorted(p.parent for p in (ROOT / "tests" / "packs").glob("*/story.toml"))


def _hits(term: str, text: str) -> bool:
    return bool(_pattern(term).search(text))  # the relevance stage's own matching


def _accepts(draft: Draft, text: str) -> bool:
    return all(any(_hits(t, text) for t in group) for group in draft.require)


def _pack_draft(pack: Path) -> tuple[Draft, dict]:
    title = tomllib.loads((pack / "story.toml").read_text(encoding="utf-8"))["story"]["title"]
    key = json.loads((pack / "answer_key.json").read_text(encoding="utf-8"))
    return draft_story(title, [read_seed_file(pack / "seed.txt")]), key


# chelsea-bombing's story titles name the suspect, Seaside Park, Elizabeth or "New York" as often
# as the title's Chelsea and New Jersey: the headline proxy misses, relevance does not (it reads
# the lede and body too; bench.story_new_packs: P=1.000 R=0.708 with the drafted config).
# mh17-report (held out): drafted from its seed, require Russia AND Buk, which 11/23 story titles
# carry (reactions name MH17 and the reacting country).
# dakota-pipeline (held out): drafted from its two seed pages, require Standing Rock AND Dakota
# Access Pipeline, which 8/27 story titles carry (most say "pipeline", "North Dakota", "tribe");
# bench.story_new_packs scores the drafted config P=1.000 R=0.963 (the markets page left out)
_TITLE_PROXY = {"chelsea-bombing": "story titles carry the title's names in 12/24 (9/18 from 3 pages)",
                "mh17-report": "story titles carry the draft's Russia or Buk in 11/23",
                "dakota-pipeline": "story titles carry 'Standing Rock' or 'Dakota Access Pipeline' "
                                   "in 8/27",
                "gabon-election": "on-story titles carry 'Bongo' or 'Ping' in 14/24",
                "fancy-bears": "on-story titles carry 'WADA' in 6/23",
                # held out: the drafted Apple is in 10/26 story titles (the rest name the
                # iPhone 7, AirPods, carriers, queues or the headphone jack)
                "iphone7-launch": "on-story titles carry 'Apple' in 10/26",
                # held out: the seed writes only "Hyundai Motor" (never "Hyundai" alone), so
                # the draft requires the full name, which 6/22 story titles carry (the rest say
                # "Hyundai", "Hyundai's", "Korean car giant", Ulsan's parts makers, employers);
                # drafted from three pages it is Hyundai | Hyundai Motor, 11/14, and passes
                "hyundai-strike": "on-story titles carry 'Hyundai Motor' in 6/22",
                # held out: the draft requires 'Federal Reserve', which 1/24 story titles
                # carry (the rest write "Fed", "Yellen", "core inflation", "Wall Street");
                # relevance reads the body too: bench.story_new_packs scores the draft
                # P=1.000 R=0.917
                "fed-decision": "on-story titles carry 'Federal Reserve' in 1/24",
                # held out: drafted from the seed, require Columbia AND Kate (the seed writes
                # "British Columbia" only; the draft keeps its last word), which 8/24 story
                # titles carry (the rest name George, Trudeau, the Cambridges, the royals,
                # Heiltsuk, Whitehorse, Carcross, Haida, Charlotte or the parenting experts)
                "royal-tour-canada": "on-story titles carry 'Columbia' or 'Kate' in 8/24",
                # held out: the seed, from the day before the announcement, writes "Proxima
                # Centauri" but never "Proxima b" (the planet's name came a day later), so the
                # draft requires 'Proxima Centauri', which 5/20 story titles carry (the rest write
                # "Proxima b", "nearest star", La Silla, Mile End, Starshot or Webb); relevance
                # reads the body too: bench.story_new_packs scores the draft P=1.000 R=0.800
                "proxima-b": "on-story titles carry 'Proxima Centauri' in 5/20",
                # held out: drafted from the seed, require Theresa May AND Article 50 (the
                # surname "May", which most headlines write, does not join "Theresa May": it
                # is the month and the verb), which 1/25 story titles carry (the rest write
                # "May", "Brexit", the pound, Tusk, Sturgeon, Hammond)
                "article-50": "on-story titles carry 'Theresa May' and 'Article 50' in 1/25",
                # held out (2026-12-08): require Paris AND Kim Kardashian West, which 14/24
                # story titles carry (the rest write "Kardashian", Kanye West, the police, the
                # concierge); bench.story_new_packs scores the draft P=1.000 R=1.000
                "kardashian-robbery": "on-story titles carry the drafted require in 14/24",
                # held out (2026-12-08): require North Korea, which 11/25 story titles carry (the
                # rest write Pyongyang, Seoul, the UN, Kim Jong-un, "the North", bombers); the
                # draft scores P=0.926 R=1.000 (two North Korea pages of other news kept)
                "nk-nuclear-test": "on-story titles carry 'North Korea' in 11/25"}
_PROXIED = [pytest.param(p, id=p.name, marks=pytest.mark.xfail(strict=True,
                                                               reason=_TITLE_PROXY[p.name]))
            if p.name in _TITLE_PROXY else pytest.param(p, id=p.name) for p in PACKS]
# deutsche-fine (held out): drafted from three pages, require Deutsche Bank, which 10/17 story
# titles carry (0.59; "Bank" alone once counted every title saying "bank"; a word the seeds also
# write in lower case is no longer a name)
# apple-tax (held out): require Apple, which 11/19 story titles carry (the rest name Ireland,
# Vestager or Tim Cook); bench.story_new_packs scores its drafted config P=1.000 R=1.000
# gabon-election (held out): require Bongo AND Ping (from the seed or from three pages), which
# 14/24 on-story titles carry (7/16 originals; the rest name Gabon, Libreville, the EU observers,
# investors or families)
# peres-death (held out): require Peres drafted from three pages, which 10/17 on-story titles
# carry (the rest name the funeral, Obama, Abbas, Netanyahu, the Knesset or Mount Herzl)
# fancy-bears (held out): require WADA drafted from the seed or from three pages, which 6/23
# on-story titles carry (5/15 originals; the rest name Biles, Wiggins, Froome, Farah, Nadal, the
# Kremlin, the IOC, Fancy Bears or the researchers)
# fed-decision (held out): require Federal Reserve drafted from the seed or from three pages,
# which 0/16 original story titles carry: headlines write the short form "Fed", which the draft
# does not join to the full name
_TITLE_PROXY_3 = {"chelsea-bombing": _TITLE_PROXY["chelsea-bombing"],
                  "deutsche-fine": "story titles carry 'Deutsche Bank' in 10/17",
                  "apple-tax": "story titles carry 'Apple' in 11/19",
                  "gabon-election": "story titles carry 'Bongo' or 'Ping' in 7/16",
                  "peres-death": "story titles carry 'Peres' in 10/17",
                  "fancy-bears": "story titles carry 'WADA' in 5/15",
                  "iphone7-launch": "story titles carry the drafted require in 7/19",
                  "fed-decision": "story titles carry 'Federal Reserve' in 0/16",
                  # held out: Yukon, the one title name all three first pages share (a stop
                  # of the tour the arrival pages list), in no headline and light next to
                  # Trudeau, is a setting: nothing is required, and the title's names stand in,
                  # which 8/16 story titles carry (when Yukon was required: 1/16)
                  "royal-tour-canada": "story titles carry the title's names in 8/16",
                  # held out: require Article 50 alone, the one title name the first three
                  # pages share, which 1/18 story titles carry
                  "article-50": "story titles carry 'Article 50' in 1/18",
                  # held out (2026-12-08): require Hungary, 8/18 (the rest write Orban, the
                  # quota, Budapest, Brussels, the Two-Tailed Dog Party)
                  "hungary-referendum": "story titles carry 'Hungary' in 8/18",
                  "nk-nuclear-test": "story titles carry 'North Korea' in 8/19",
                  # held out: require Standing Rock AND Dakota Access Pipeline, 7/19. Until
                  # 2026-12-08 "Dakota" was required (13/19): the draft read "North Dakota" as
                  # "Dakota", which matched both; "North Dakota" is a name of its own now (as
                  # "North Korea" is not "South Korea"), and the seeds never write "Dakota
                  # Access" without "Pipeline" as a name. The 2-seed draft is unchanged.
                  "dakota-pipeline": "story titles carry the drafted require in 7/19"}
_PROXIED_3 = [pytest.param(p, id=p.name, marks=pytest.mark.xfail(strict=True,
                                                                 reason=_TITLE_PROXY_3[p.name]))
              if p.name in _TITLE_PROXY_3 else pytest.param(p, id=p.name) for p in PACKS]


@pytest.mark.parametrize("pack", _PROXIED)
def test_drafted_require_accepts_the_seed_and_most_story_titles(pack):
    draft, key = _pack_draft(pack)
    assert 1 <= len(draft.require) <= 2
    seed = (pack / "seed.txt").read_text(encoding="utf-8")
    assert _accepts(draft, seed)
    story = [a for a in key["articles"] if a["relevant"]]
    titled = [a for a in story if any(_hits(t, a["title"]) for g in draft.require for t in g)]

    print(f"{pack.name}: require {draft.require}: {len(titled)}/{len(story)} on-story titles "
          "carry a required term")
    assert len(titled) >= 0.6 * len(story)


@pytest.mark.parametrize("pack", PACKS, ids=[p.name for p in PACKS])
def test_drafted_config_loads_and_passes_the_setting_checks(pack, tmp_path):
    draft, _ = _pack_draft(pack)
    seed = read_seed_file(pack / "seed.txt")
    feed = next((pack / "feeds").glob("*.xml"))
    written = write_story(tmp_path / "story.toml", draft, [seed], [("A feed", str(feed))])
    cfg = load_config(written.config)
    assert cfg.story.title == draft.title
    assert [p.resolve() for p in cfg.story.seeds] == [(pack / "seed.txt").resolve()]
    assert cfg.relevance.require == draft.require and cfg.relevance.terms == draft.terms
    assert cfg.story.description.startswith(draft.title)
    assert [s.verdict for s in check_settings(cfg) if s.verdict == "error"] == []
    text = written.config.read_text(encoding="utf-8")
    for key in ("title", "slug", "seeds", "description", "require", "terms", "threshold"):
        line = text.splitlines().index(next(x for x in text.splitlines() if x.startswith(key)))
        assert text.splitlines()[line - 1].startswith("#"), f"no comment above {key}"


def test_names_skip_sentence_starts_and_keep_particles_and_abbreviations():
    common = common_words()
    assert _names_in("The Freedom Party backs Norbert Hofer against Van der Bellen.", common) \
        == ["Freedom Party", "Norbert Hofer", "Van der Bellen"]
    assert _names_in("It will be based in St. Louis, Bayer said on Monday.", common) \
        == ["St. Louis", "Bayer"]
    assert _sentences("It was in May. Mr. Grant met U.S. officials. They left.") == \
        ["It was in May.", "Mr. Grant met U.S. officials.", "They left."]


def test_a_possessive_ends_a_name():
    common = common_words()
    assert _names_in("Moscow's MH17 radar claim is rejected.", common) == ["Moscow", "MH17"]
    assert _names_in("He spoke to Miami's Colombians on Sunday.", common) == \
        ["Miami", "Colombians"]


def test_a_word_the_seeds_write_in_lower_case_is_not_a_short_name():
    text = ("Deutsche Bank shares fall\n\nDeutsche Bank shares fell to a record low on Monday. "
            "The bank said it would not pay the US demand.\n\nAnalysts said Deutsche Bank had "
            "enough capital, and the Bank of England was watching the bank closely.")
    draft = draft_story("Deutsche Bank and the US demand", [seed_from_text(text, "t")])
    assert draft.require == (("Deutsche Bank",),)  # not ("Deutsche Bank", "Bank"): any bank


def test_a_surname_joins_the_full_name_the_seeds_write_most():
    text = ("Angelina Jolie files for divorce from Brad Pitt\n\nAngelina Jolie has filed for "
            "divorce from Brad Pitt after two years of marriage. Brad Pitt said he was very "
            "saddened. Pitt and Jolie have six children.\n\nShe took the name Angelina Jolie "
            "Pitt when they married, and Brad Pitt's lawyers have not commented.")
    draft = draft_story("Angelina Jolie files for divorce from Brad Pitt",
                        [seed_from_text(text, "t")])
    groups = {g[0]: g for g in draft.require}
    assert "Pitt" in groups["Brad Pitt"], draft.require
    assert all("Pitt" not in g for k, g in groups.items() if k != "Brad Pitt")


def test_a_surname_joins_the_full_name_the_title_writes():
    text = ("Ali Bongo declared winner in Gabon\n\nAli Bongo, who succeeded his father Omar "
            "Bongo in 2009, was declared the winner. Omar Bongo ruled for 41 years, and Omar "
            "Bongo's allies still run the party.\n\nBongo's rival Jean Ping rejected the result.")
    draft = draft_story("Gabon's election: Ali Bongo against Jean Ping", [seed_from_text(text, "t")])
    assert ("Ali Bongo", "Bongo") in draft.require, draft.require
    longer = text.replace("Ali Bongo,", "Ali Bongo Ondimba,").replace("Ali Bongo declared",
                                                                      "Ali Bongo Ondimba declared")
    draft = draft_story("Gabon's election: Ali Bongo against Jean Ping",
                        [seed_from_text(longer, "t")])
    assert ("Ali Bongo Ondimba", "Bongo") in draft.require, draft.require


def test_surname_joins_the_full_name_as_one_required_concept():
    text = ("Dylann Roof faces trial\n\nDylann Roof, 22, is accused of killing nine people at "
            "a church in Charleston. Roof has confessed, prosecutors say.\n\nRoof sat silent "
            "as the jury was seated in Charleston on Monday, and Roof did not look up.")
    draft = draft_story("Dylann Roof trial", [seed_from_text(text, "t")])
    assert draft.require == (("Dylann Roof", "Roof"),)
    assert "Charleston" in draft.terms
    assert draft.slug == "dylann-roof-trial"


def test_a_name_inside_another_the_title_gives_is_one_concept_not_two():
    text = ("Hanjin Shipping collapses into receivership\n\nHanjin Shipping, South Korea's "
            "largest container line, filed for receivership in Seoul on Wednesday. Hanjin ships "
            "were refused entry at ports.\n\nThe collapse of Hanjin left cargo stranded, and "
            "Hanjin Shipping sought protection in the United States. Hanjin is in trouble.")
    draft = draft_story("Collapse of Hanjin Shipping", [seed_from_text(text, "t")])
    assert len(draft.require) == 1 and set(draft.require[0]) == {"Hanjin", "Hanjin Shipping"}


def test_seed_text_short_first_line_is_the_title():
    s = seed_from_text("A headline here\n\nFirst paragraph. Two.\n\nSecond one.", "x")
    assert s.title == "A headline here" and s.paragraphs == ("First paragraph. Two.",
                                                            "Second one.")
    s = seed_from_text("A whole sentence that ends with a period.\n\nMore.", "x")
    assert s.title == "" and len(s.paragraphs) == 2


def test_no_seed_and_short_seed_are_one_line_errors(tmp_path):
    with pytest.raises(StoryDraftError, match="no seed article"):
        draft_story("X", [])
    (tmp_path / "short.txt").write_text("Too short.\n", encoding="utf-8")
    with pytest.raises(StoryDraftError, match="too short"):
        read_seed_file(tmp_path / "short.txt")


def test_write_refuses_an_existing_config_and_a_story_without_feeds(tmp_path):
    pack = PACKS[0]
    draft, _ = _pack_draft(pack)
    seed = read_seed_file(pack / "seed.txt")
    out = tmp_path / "s.toml"
    out.write_text("keep me", encoding="utf-8")
    with pytest.raises(StoryDraftError, match="already exists"):
        write_story(out, draft, [seed], [("f", str(next((pack / "feeds").glob("*.xml"))))])
    assert out.read_text(encoding="utf-8") == "keep me"
    with pytest.raises(StoryDraftError, match="no feed"):
        write_story(tmp_path / "t.toml", draft, [seed], [])
    assert not (tmp_path / "t.toml").exists()


def test_rendered_config_without_feeds_parses_as_toml():
    draft = Draft("T \"q\"", "t", 'A """ tricky \\ text', (("a",), ("b", "c")), ("d",))
    data = tomllib.loads(render_config(draft, ["s.txt"], ["127.0.0.0/8"]))
    assert data["story"]["title"] == 'T "q"'
    assert data["relevance"]["require"] == [["a"], ["b", "c"]]
    assert data["fetch"]["allow_networks"] == ["127.0.0.0/8"]


def test_derived_forms_join_their_name_but_do_not_make_a_second_group():
    text = ("Storm Zed nears Haiti\n\nStorm Zed is expected to reach Haiti on Tuesday, and "
            "Haitian officials have opened shelters across Haiti.\n\nHaitians in the south "
            "were told to leave as Storm Zed approached; Zed may bring floods to Haiti.")
    draft = draft_story("Storm Zed", [seed_from_text(text, "t")])
    assert draft.require == (("Storm Zed", "Zed"),)
    assert "Haiti" in draft.terms and "Haitian" not in draft.terms
    both = draft_story("Storm Zed and Haiti", [seed_from_text(text, "t")])
    assert {frozenset(g) for g in both.require} == {frozenset({"Storm Zed", "Zed"}),
                                                    frozenset({"Haiti", "Haitian", "Haitians"})}


def test_a_common_derived_form_joins_its_name_and_another_name_does_not():
    # "Indian" is a common English word, never a name of its own, yet an Indian wire may write
    # only "Indian army" and never "India" (the held-out uri-strikes pack)
    text = ("India and Pakistan trade fire\n\nIndia said its army struck camps across the line, "
            "and Pakistan denied it.\n\nIndian officers briefed parties in Delhi; Pakistani "
            "officials called it a fabrication. India also wrote to Indiana University.")
    draft = draft_story("India and Pakistan", [seed_from_text(text, "t")])
    groups = {frozenset(g) for g in draft.require}
    assert frozenset({"India", "Indian"}) in groups
    assert frozenset({"Pakistan", "Pakistani"}) in groups
    assert not any("Indiana" in g for g in groups)


def test_a_compass_word_starts_a_place_name_so_north_korea_is_not_south_korea():
    # held-out nk-nuclear-test: "North" is a common word, so the draft used to keep only
    # "Korea" of "North Korea", merged it with "Korea" of "South Korea" and required "Korea",
    # which every page on South Korea's earthquake or its missile-defence protests writes
    text = ("North Korea carries out its fifth nuclear test\n\nNorth Korea said it had tested "
            "a warhead, and South Korea called it self-destruction. North Korea's neighbours "
            "condemned it.\n\nSouth Korea's president met her ministers; North Korean state "
            "media praised the test, and the Korea Meteorological Administration measured it.")
    draft = draft_story("North Korea's fifth nuclear test", [seed_from_text(text, "t")])
    assert draft.require == (("North Korea", "North Korean"),)
    assert _accepts(draft, "North Korean state media said the test was a success.")
    assert not _accepts(draft, "South Korea's strongest earthquake shook Gyeongju.")
    # a direction alone, or before a common word, is no name's start
    plain = draft_story("Storm Zed", [seed_from_text(
        "Storm Zed moves north\n\nStorm Zed moved north on Monday. North of the coast, Zed "
        "brought rain; Zed is expected to turn West later.", "t")])
    assert plain.require == (("Storm Zed", "Zed"),)


@pytest.mark.parametrize("pack", _PROXIED_3)
def test_require_drafted_from_three_extracted_pages_accepts_each_of_them(pack):
    from digest.extract import extract_article

    title = tomllib.loads((pack / "story.toml").read_text(encoding="utf-8"))["story"]["title"]
    key = json.loads((pack / "answer_key.json").read_text(encoding="utf-8"))
    story = sorted((a for a in key["articles"] if a["relevant"] and a["kind"] == "story"),
                   key=lambda a: (a["published"], a["id"]))
    seeds = []
    for a in story[:3]:
        art = extract_article((pack / a["url"]).read_bytes(), url=f"http://x.test/{a['url']}",
                              entry=None, outlet="x")
        seeds.append(Seed(label=a["id"], title=art.title, paragraphs=art.paragraphs))
    draft = draft_story(title, seeds)
    for s in seeds:
        assert _accepts(draft, s.as_text()), (s.label, draft.require)
    # no require when the seeds share no name the title gives: the title's names stand in
    groups = draft.require or implied_concepts(title, [s.as_text() for s in seeds])
    titled = [a for a in story if any(_hits(t, a["title"]) for g in groups for t in g)]
    print(f"{pack.name} (3 pages): require {draft.require}: {len(titled)}/{len(story)} story "
          "titles carry a required term")
    assert len(titled) >= 0.6 * len(story)


def test_a_name_the_title_does_not_give_is_never_required():
    # seeded with the first reports (a pipe bomb at a race in Seaside Park), titled for what the
    # story became: the seeds' shared names (the Marines' race) must not become a must
    text = ("Pipe bomb explodes before Marine charity race in Seaside Park\n\nA pipe bomb "
            "exploded in a rubbish bin in Seaside Park on Saturday before a Marines charity run; "
            "nobody was hurt. The Marines race was cancelled.\n\nInvestigators from the FBI "
            "examined the device in Seaside Park, where the Marines had planned the 5K run.")
    draft = draft_story("Chelsea and New Jersey bombings", [seed_from_text(text, "t")])
    assert draft.require == ()
    assert "Marine" in draft.terms  # proposed, not required
    rendered = render_config(draft, ["seed.txt"])
    assert "title's names stand in" in rendered and "require = []" in rendered


def test_a_title_name_the_seeds_treat_as_a_setting_is_not_required():
    # the title names the country; the seeds are about the visitors and their host, and name
    # the country only in their ledes: local outlets' pages of the story may never write it
    text = ("Trudeau greets the Cambridges as Prince George shies from a high five\n\n"
            "The Duke and Duchess of Cambridge arrived in Canada on Saturday, met at Victoria "
            "airport by Justin Trudeau.\n\nTrudeau crouched to offer Prince George a high five; "
            "Prince George declined. Trudeau laughed. Justin Trudeau later hosted the couple, and "
            "Trudeau's wife showed Prince George the harbour at Victoria.")
    seed = seed_from_text(text, "t")
    draft = draft_story("Royal tour of Canada: William and Kate in British Columbia", [seed])
    assert draft.require == ()
    assert "title's names stand in" in render_config(draft, ["seed.txt"])
    # the same name in a seed's headline is what the seed is about: required
    headed = seed_from_text("Canada welcomes the Cambridges\n\n" + text.split("\n\n", 1)[1],
                            "t")
    draft = draft_story("Royal tour of Canada: William and Kate in British Columbia", [headed])
    assert draft.require == (("Canada",),)


def test_a_number_ends_a_name_but_a_year_or_a_date_does_not() -> None:
    from digest.storynew import _names_in, common_words

    common = common_words()
    assert _names_in("Theresa May will trigger Article 50 by March 2017.", common) == [
        "Theresa May", "Article 50"]
    assert _names_in("A SpaceX Falcon 9 rocket exploded.", common) == ["SpaceX Falcon 9"]
    assert _names_in("The Rio Olympics of 2016 ended on August 21.", common) == ["Rio Olympics"]
    assert "Obama 2012" not in _names_in("Obama 2012 was a campaign.", common)


def test_a_one_actor_draft_offers_a_group_for_what_happened_and_a_place_for_what_it_is_not():
    text = ("North Korea carries out its fifth nuclear test\n\nNorth Korea said on Friday it "
            "had carried out a nuclear test, its fifth.\n\nThe nuclear test drew condemnation "
            "from Seoul, and North Korea's state media said the test was a success.")
    seeds = [seed_from_text(text, "a"), seed_from_text(text.replace("fifth", "biggest"), "b")]
    draft = draft_story("North Korea's fifth nuclear test", seeds)
    assert len(draft.require) == 1 and "nuclear" in draft.events and "test" in draft.events
    rendered = render_config(draft, ["a.txt", "b.txt"])
    assert "add a group for what happened" in rendered and '"nuclear"' in rendered
    data = tomllib.loads(rendered)
    assert data["relevance"]["not_about"] == []
    assert data["relevance"]["require"] == [["North Korea"]]  # the event group only offered
    two = draft_story("Bayer buys Monsanto", [seed_from_text(
        "Bayer buys Monsanto\n\nBayer agreed to buy Monsanto for $66 billion, Bayer said.\n\n"
        "Monsanto shareholders will get $128 a share from Bayer.", "c")])
    assert len(two.require) == 2 and "add a group" not in render_config(two, ["c.txt"])

"""Key quotes: who said it (resolved from the attribution), where it was reported, no repeats."""

from __future__ import annotations

import datetime as dt

from digest.models import Article
from digest.quotes import extract_quotes


def article(url: str, outlet: str, text: str, hour: int = 10) -> Article:
    return Article(url=url, canonical_url=url, source=outlet, outlet=outlet, title="T", text=text,
                   published=dt.datetime(2016, 9, 17, hour, tzinfo=dt.UTC))


WIRE = article("https://wire.example/un", "Meridian Wire", """NEW YORK (Meridian Wire) — Russia's U.N. envoy Vitaly Churkin said the strike had put "a very big question mark" over the deal.

"I have never seen such an extraordinary display of American diplomatic hypocrisy," Churkin told reporters after the meeting.

"Even by Russian standards, tonight's stunt is uniquely cynical and hypocritical," said Samantha Power, the U.S. ambassador to the United Nations.

U.S. Secretary of State John Kerry said: "We are not going to let this opportunity slip away."

"This is the best chance we have to end the bloodshed," he added. "And we will keep working on it."

"The truce remains our best hope for peace in Syria," the Russian envoy said.

"It was a mistake that will be investigated thoroughly," an official who could not be named said.""", hour=9)

POST = article("https://post.example/un", "Northern Post", """Mr Churkin told reporters: ‘I have never seen such an extraordinary display of American diplomatic hypocrisy.’

‘We regret the unintentional loss of life of Syrian forces,’ a spokesman for US Central Command said.

The Foreign Minister, Sergei Lavrov, said the agreement was fragile. ‘Our partners must separate the moderate opposition from the terrorists,’ Lavrov said.""", hour=11)


def by_text(quotes, fragment):  # type: ignore[no-untyped-def]
    found = [q for q in quotes if fragment in q.text]
    assert len(found) == 1, (fragment, quotes)
    return found[0]


def test_speakers_are_resolved_from_each_attribution_style() -> None:
    quotes = extract_quotes([WIRE, POST], limit=20)
    assert by_text(quotes, "diplomatic hypocrisy").speaker == "Vitaly Churkin"  # "Churkin told reporters"
    assert by_text(quotes, "uniquely cynical").speaker == "Samantha Power"  # "said Samantha Power, the …"
    assert by_text(quotes, "slip away").speaker == "John Kerry"  # 'Kerry said: "…"'
    assert by_text(quotes, "best chance").speaker == "John Kerry"  # "he added" -> last named person
    assert by_text(quotes, "best hope").speaker == "Vitaly Churkin"  # "the Russian envoy said"
    assert by_text(quotes, "moderate opposition").speaker == "Sergei Lavrov"
    assert by_text(quotes, "very big question mark").speaker == "Vitaly Churkin"
    assert "US Central Command" in by_text(quotes, "unintentional loss").speaker


def test_split_quote_is_joined_and_unnamed_speakers_are_left_out() -> None:
    quotes = extract_quotes([WIRE, POST], limit=20)
    joined = by_text(quotes, "best chance")
    assert joined.text == "This is the best chance we have to end the bloodshed. And we will keep working on it."
    assert not [q for q in quotes if "investigated thoroughly" in q.text]


def test_the_same_quote_from_two_outlets_is_kept_once_and_preferred() -> None:
    quotes = extract_quotes([WIRE, POST], limit=20)
    hypocrisy = [q for q in quotes if "diplomatic hypocrisy" in q.text]
    assert len(hypocrisy) == 1
    assert hypocrisy[0].outlet in {"Meridian Wire", "Northern Post"}
    assert extract_quotes([WIRE, POST], limit=1)[0].text.startswith("I have never seen")


def test_limit_and_variety_of_speakers() -> None:
    quotes = extract_quotes([WIRE, POST], limit=4)
    assert len(quotes) == 4
    assert len({q.speaker for q in quotes}) >= 3
    for quote in quotes:
        assert quote.url in {WIRE.url, POST.url}
        assert quote.outlet == {WIRE.url: WIRE.outlet, POST.url: POST.outlet}[quote.url]


def test_no_quotes() -> None:
    assert extract_quotes([article("https://x.example", "X", "Nothing was said. It rained.")]) == ()
    assert extract_quotes([]) == ()


COUNCIL = article("https://almanara.example/unsc", "Al Manara", """The Security Council held an emergency meeting on Saturday night at Russia's request.

Before the meeting began, US ambassador Samantha Power told reporters that Russia's decision to call the emergency session was a "stunt", describing it as uniquely cynical.

Speaking to reporters after the meeting, Russia's ambassador, Vitaly Churkin, accused the US delegation of trying to shift attention. He said it put "a very big question mark" over whether Washington wanted the truce.

"Our outrage at this attack is enormous," said U.N. Syria envoy Staffan de Mistura, adding that the convoy had taken weeks to prepare.

A military source told state media the assault would begin with air strikes "in the coming hours and days." Pro-government outlets said reinforcements had been massed.

U.S. Central Command said the mission "was halted immediately when coalition officials were informed by Russian officials" that the targets might be Syrian troops.

UN Secretary-General Ban Ki-moon condemned the attack in New York. "Just when we think it cannot get any worse, the bar of depravity sinks lower," Ban said.

A State Department official said Washington was in contact with the rebels. "Those who want to be part of the truce need to make that choice," the official said.

"We were taking the flour off the trucks when the first bombs fell," a volunteer told a local network.""")


def test_speakers_named_by_apposition_initials_and_family_name_first() -> None:
    quotes = extract_quotes([COUNCIL], limit=20)
    assert by_text(quotes, "Our outrage").speaker == "Staffan de Mistura"  # not "U.N."
    assert by_text(quotes, "very big question mark").speaker == "Vitaly Churkin"  # "He said…"
    assert by_text(quotes, "depravity").speaker == "Ban Ki-moon"  # "Ban said"


def test_short_phrases_quoted_in_reported_speech_are_kept_as_fragments() -> None:
    quotes = extract_quotes([COUNCIL], limit=20)
    assert by_text(quotes, "stunt").speaker == "Samantha Power"


def test_clauses_cut_out_of_reported_speech_are_not_quotes() -> None:
    texts = [q.text for q in extract_quotes([COUNCIL], limit=20)]
    assert not [t for t in texts if "coming hours" in t]  # and not credited to "Pro-government"
    assert not [t for t in texts if t.startswith("was halted")]


def test_unnamed_speakers_are_described_as_the_article_does() -> None:
    quotes = extract_quotes([COUNCIL], limit=20)
    assert by_text(quotes, "taking the flour").speaker == "a volunteer"
    assert by_text(quotes, "make that choice").speaker == "a State Department official"
    # a named speaker ranks above an unnamed one
    ranked = [q.text for q in extract_quotes([COUNCIL], limit=20)]
    assert ranked.index(by_text(quotes, "depravity").text) < ranked.index(
        by_text(quotes, "taking the flour").text)

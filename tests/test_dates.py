"""Event dates from the text (eventcode/dates.py), on hand-written phrases and sentences.

The article date in most tests is Friday 7 January 2022 (the seed article's date).
"""
import datetime as dt

import pytest

from eventcode.dates import event_date, find_dates, pick_date, resolve_phrase, span_dates

from conftest import tokens

FRI = dt.date(2022, 1, 7)




@pytest.mark.parametrize("phrase, expected", [
    ("on Friday", "2022-01-07"),          # news convention: "on Friday" in a Friday article is that day
    ("On Thursday", "2022-01-06"),
    ("since Sunday", "2022-01-02"),
    ("on Saturday", "2022-01-01"),        # the most recent Saturday, never the next one
    ("yesterday", "2022-01-06"),
    ("last night", "2022-01-06"),
    ("today", "2022-01-07"),
    ("last week", "2021-12-31"),
    ("three days ago", "2022-01-04"),
    ("two weeks ago", "2021-12-24"),
    ("last Friday", "2021-12-31"),
    ("on January 2", "2022-01-02"),
    ("2 January", "2022-01-02"),
    ("the 2nd of January", "2022-01-02"),
    ("Jan. 2", "2022-01-02"),
    ("Dec. 30", "2021-12-30"),            # no year: the year that puts it on or before the article date
    ("January 2, 2021", "2021-01-02"),
    ("2021-12-16", "2021-12-16"),
    ("Friday night", "2022-01-07"),
])
def test_phrases_resolve_against_the_article_date(phrase, expected):
    assert resolve_phrase(phrase, FRI) == dt.date.fromisoformat(expected)


@pytest.mark.parametrize("text", ["Good Friday prayers", "12 police officers were hurt", "prices may 5 times rise",
                                  "in January", "this month", "the 1990s"])
def test_no_day_precise_date(text):
    assert find_dates(text) == []


def test_future_tense_looks_forward():
    (monday,) = find_dates("on Monday")
    assert monday.resolve(FRI) == dt.date(2022, 1, 3)
    assert monday.resolve(FRI, future=True) == dt.date(2022, 1, 10)
    (nxt,) = find_dates("next Friday")
    assert nxt.resolve(FRI, future=True) == dt.date(2022, 1, 14)
    assert nxt.resolve(FRI) is None  # a past event is never dated after the article


def test_past_event_never_after_the_article_date():
    (later,) = find_dates("on 2022-01-09")
    assert later.resolve(FRI) is None
    assert later.resolve(FRI, future=True) == dt.date(2022, 1, 9)


def test_without_an_article_date_only_full_dates_resolve():
    assert resolve_phrase("on January 2, 2022", None) == dt.date(2022, 1, 2)
    assert resolve_phrase("on Friday", None) is None
    assert resolve_phrase("on January 2", None) is None


def test_dateparser_fallback_for_other_phrases():
    assert resolve_phrase("a fortnight ago", FRI) == dt.date(2021, 12, 24)


# ------------------------------------------------------------------ which phrase belongs to the event


def test_date_of_the_events_own_clause(parse):
    doc = parse("Demonstrations began on January 2, after fuel prices nearly doubled.")
    day, how, phrase = event_date(doc[:], tokens(doc, "Demonstrations"), FRI)
    assert (day, how, phrase.text) == (dt.date(2022, 1, 2), "text", "January 2")


def test_weekday_in_the_sentence(parse):
    doc = parse("Police fired tear gas at protesters in Almaty on Thursday.")
    assert event_date(doc[:], tokens(doc, "fired", "tear", "gas", "at"), FRI)[:2] == (dt.date(2022, 1, 6), "text")


def test_participial_clause_shares_the_date(parse):
    doc = parse("Responding to the protests on Friday, the president authorized security forces to shoot.")
    assert event_date(doc[:], tokens(doc, "authorized"), FRI)[:2] == (FRI, "text")


def test_two_dates_each_to_its_own_verb(parse):
    doc = parse("Protesters who gathered on Monday were dispersed by police on Wednesday.")
    assert event_date(doc[:], tokens(doc, "dispersed"), FRI)[0] == dt.date(2022, 1, 5)
    assert event_date(doc[:], tokens(doc, "gathered"), FRI)[0] == dt.date(2022, 1, 3)


def test_date_of_a_subordinate_clause_is_not_the_events(parse):
    doc = parse("Protesters stormed the mayor's office after prices doubled on Sunday.")
    phrase, _ = pick_date(doc[:], tokens(doc, "stormed"), span_dates(doc[:]))
    assert phrase is None
    assert event_date(doc[:], tokens(doc, "stormed"), FRI)[:2] == (FRI, "article")


def test_date_of_the_reporting_verb_is_not_the_events(parse):
    doc = parse("Officials said on Thursday that troops had shelled the village.")
    assert event_date(doc[:], tokens(doc, "shelled"), FRI)[:2] == (FRI, "article")


def test_future_event(parse):
    doc = parse("The foreign ministers will meet in Geneva on Monday.")
    assert event_date(doc[:], tokens(doc, "meet"), FRI)[:2] == (dt.date(2022, 1, 10), "text")


def test_no_article_date_and_no_phrase(parse):
    doc = parse("Police arrested dozens of protesters.")
    assert event_date(doc[:], tokens(doc, "arrested"), None) == (None, None, None)
    doc = parse("Police arrested dozens of protesters on January 5, 2022.")
    assert event_date(doc[:], tokens(doc, "arrested"), None)[:2] == (dt.date(2022, 1, 5), "text")

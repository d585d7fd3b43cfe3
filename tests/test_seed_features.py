"""Acceptance for the research features on the seed article, and the headline check on the demo corpus.

The seed (../shared/seed, published Friday 7 January 2022) must give event dates 2022-01-07 and 2022-01-02 where
the text says so, Almaty resolved to KAZ with coordinates, and ``headline_mismatch`` true (its headline is about
a French MP). The Enricher is also exercised directly on hand-written articles.
"""
import datetime as dt
import json

import pytest

from conftest import REPO, SHARED

SEED = SHARED / "seed" / "kazakhstan-unrest-2022-01.txt"
RAW = REPO / "data" / "raw"
SEED_HEADLINE = "Vaccine-skeptical French MP dies after contracting COVID-19 -Parliament chief"
FRI = dt.date(2022, 1, 7)

needs_seed = pytest.mark.skipif(not SEED.exists(), reason="../shared/seed is not present")


@pytest.fixture(scope="module")
def seed():
    import eventcode

    return eventcode.code_articles(SEED, date="2022-01-07")


@needs_seed
def test_seed_event_dates_from_the_text(seed):
    assert (seed["event_date"] == "2022-01-07").any()
    jan2 = seed[seed["event_date"] == "2022-01-02"]
    assert len(jan2) and (jan2["date_source"] == "text").all()
    assert jan2["sentence"].str.contains("January 2|since Sunday").all()  # only where the text says so
    assert (seed["event_date"] <= "2022-01-07").all()       # no past event after the article date
    assert set(seed["date_source"]) <= {"text", "article"}


@needs_seed
def test_seed_almaty_is_kaz_with_coordinates(seed):
    almaty = seed[seed["location"] == "Almaty"]
    assert len(almaty)
    assert (almaty["location_country"] == "KAZ").all()
    assert almaty["latitude"].between(43, 43.5).all() and almaty["longitude"].between(76.5, 77.2).all()
    # "since gaining independence from the Soviet Union": a former state is history, not where events happen
    assert "Soviet Union" not in set(seed["location"].dropna())


@needs_seed
def test_seed_headline_is_flagged_and_its_events_dropped(seed):
    assert len(seed) and seed["headline_mismatch"].all()
    assert not seed["is_headline"].any()


@needs_seed
def test_seed_without_a_date():
    import eventcode

    undated = eventcode.code_articles(SEED)
    assert len(undated)
    # "January 2" has no year and weekdays need the article date: nothing resolves, nothing is invented
    assert undated["event_date"].isna().all() and undated["date_source"].isna().all()


# ------------------------------------------------------------------ the headline check on the demo corpus


def _articles(*ids):
    rows = {}
    for path in sorted(RAW.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            rows[rec["id"]] = rec
    return [rows[i] for i in ids] if ids else list(rows.values())


def _flags(nlp, records):
    from eventcode.io import Article
    from eventcode.run import article_doc

    arts = [Article(r["id"], r["text"], r.get("date"), r.get("headline")) for r in records]
    return {a.id: doc._.headline_mismatch for a, doc in zip(arts, nlp.pipe(article_doc(nlp, a) for a in arts))}


def test_own_headlines_are_not_flagged(nlp):
    flags = _flags(nlp, _articles())
    assert len(flags) > 150
    assert [i for i, f in flags.items() if f] == []


@pytest.mark.parametrize("body, headline", [
    ("kaz-2022-01-05-government-resigns-mamin", "Nadal fights back to win record 21st Grand Slam title in Melbourne"),
    ("sdn-2022-01-17-seven-killed-khartoum", "Typhoon Rai batters central and southern Philippines"),
    ("bfa-2022-01-24-junta-announces-takeover", "Tokayev thanks Putin for CSTO help at Kremlin talks"),
    ("ukr-2022-02-24-invasion-begins", "Burkina junta restores constitution, names Damiba head of state"),
    ("kaz-2022-01-06-almaty-airport-retaken", SEED_HEADLINE),
])
def test_headline_from_another_story_is_flagged(nlp, body, headline):
    (rec,) = _articles(body)
    assert _flags(nlp, [{**rec, "headline": headline}]) == {body: True}


# ------------------------------------------------------------------ the Enricher on hand-written articles


def _doc(nlp, text, headline=None, date="2022-01-07"):
    from eventcode.io import Article
    from eventcode.run import article_doc

    return nlp(article_doc(nlp, Article("t", text, date, headline)))


def _event(sentence_id, trigger, is_headline=False):
    return {"sentence_id": sentence_id, "is_headline": is_headline, "trigger": trigger, "source": "KAZOPP"}


def test_headline_events_dropped_unless_kept(nlp):
    from eventcode.enrich import Enricher

    coder = nlp.get_pipe("eventcode").coder
    doc = _doc(nlp, "Protesters stormed the city hall in Almaty on Wednesday. Police detained dozens.",
               headline=SEED_HEADLINE)
    events = [_event(0, "dies", True), _event(1, "stormed")]
    dropped = Enricher(coder)(doc, [dict(e) for e in events], FRI)
    assert [e["sentence_id"] for e in dropped] == [1] and doc._.headline_mismatch
    kept = Enricher(coder, keep_mismatched_headlines=True)(doc, [dict(e) for e in events], FRI)
    assert [e["sentence_id"] for e in kept] == [0, 1]
    assert all(e["headline_mismatch"] for e in kept)
    body = kept[1]
    assert (body["event_date"], body["date_source"], body["location"], body["location_country"]) == (
        "2022-01-05", "text", "Almaty", "KAZ")


def test_matching_headline_keeps_its_events(nlp):
    from eventcode.enrich import Enricher

    doc = _doc(nlp, "Protesters stormed the city hall in Almaty on Wednesday.",
               headline="Protesters storm Almaty city hall")
    out = Enricher(nlp.get_pipe("eventcode").coder)(doc, [_event(0, "storm", True), _event(1, "stormed")], FRI)
    assert len(out) == 2 and not doc._.headline_mismatch and not any(e["headline_mismatch"] for e in out)


def test_dateline_when_the_sentence_names_no_place(nlp):
    from eventcode.enrich import Enricher

    enrich = Enricher(nlp.get_pipe("eventcode").coder)
    # the dateline is its own sentence (eventcode_sentences), so the event sits in sentence 2
    doc = _doc(nlp, "ALMATY (Steppe Wire) - Protesters gathered outside the mayor's office on Thursday.")
    (ev,) = enrich(doc, [_event(2, "gathered")], FRI)
    assert (ev["location"], ev["location_country"], ev["event_date"]) == ("Almaty", "KAZ", "2022-01-06")
    assert ev["latitude"] is not None
    # a dateline abroad is the newsroom, not the scene: the article's country instead (no point for a country)
    doc = _doc(nlp, "New York: Protesters in Kazakhstan gathered again. Officials said crowds gathered on Thursday.")
    (ev,) = enrich(doc, [_event(2, "gathered")], FRI)
    assert (ev["location"], ev["location_country"], ev["latitude"]) == ("Kazakhstan", "KAZ", None)


def test_no_article_date(nlp):
    from eventcode.enrich import Enricher

    doc = _doc(nlp, "Police detained dozens of protesters in Almaty.", date=None)
    (ev,) = Enricher(nlp.get_pipe("eventcode").coder)(doc, [_event(1, "detained")], None)
    assert (ev["event_date"], ev["date_source"]) == (None, None)


def test_full_pipeline_fills_the_columns(code):
    events = code("Kazakh police detained dozens of protesters in Zhanaozen on Monday.", date="2022-01-07")
    assert events, "no event coded: the codebook lacks a pattern for 'detain' (173)"
    ev = events[0]
    assert (ev["event_date"], ev["date_source"]) == ("2022-01-03", "text")
    assert (ev["location"], ev["location_country"]) == ("Zhanaozen", "KAZ") and ev["latitude"] is not None
    assert ev["headline_mismatch"] is False

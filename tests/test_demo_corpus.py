"""The demo corpus, coded by the real coder, tells the story it was written to tell.

Not a fixture file: ``data/raw`` is coded with the shipped codebook once per session, so these tests fail when a
codebook or coder change breaks the Kazakhstan analysis (the peak of the intensity series in the first week of
January 2022, and the change-point date of the escalation).
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import eventcode
from eventcode import aggregate, models
from eventcode.io import read_articles

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "raw"
START, END = "2021-12-15", "2022-02-28"
COUNTRY = "KAZ"
COMPARISON = ("SDN", "BFA", "UKR", "RUS")
DAILY_VOLUME_WINDOW = 29         # as notebook 02's defaults
WEEKLY_VOLUME_WINDOW = 5
MAX_BREAKS, MIN_SIZE = 3, 5      # as notebook 03's defaults

pytestmark = pytest.mark.slow


def ts(day: str) -> pd.Timestamp:
    return pd.Timestamp(day)


@pytest.fixture(scope="session")
def raw_records():
    recs = []
    for path in sorted(RAW.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                recs.append(json.loads(line))
    return recs


@pytest.fixture(scope="session")
def demo_events():
    return eventcode.code_articles(RAW)


@pytest.fixture(scope="session")
def daily(demo_events):
    return aggregate.add_intensity(aggregate.event_panel(demo_events, freq="D", start=START, end=END),
                                   volume_window=DAILY_VOLUME_WINDOW)


@pytest.fixture(scope="session")
def weekly(demo_events):
    return aggregate.add_intensity(aggregate.event_panel(demo_events, freq="W", start=START, end=END),
                                   volume_window=WEEKLY_VOLUME_WINDOW)


# ------------------------------------------------------------------------------------------ the corpus itself


def test_corpus_size_ids_and_dates(raw_records):
    assert len(raw_records) >= 150
    ids = [r["id"] for r in raw_records]
    assert len(set(ids)) == len(ids), "duplicate article ids"
    for r in raw_records:
        assert {"id", "date", "source", "url", "headline", "text"} <= set(r), r.get("id")
        assert START <= r["date"] <= END, (r["id"], r["date"])
        assert r["text"].strip() and r["headline"].strip()
    days = pd.date_range(START, END)
    covered = {r["date"] for r in raw_records}
    assert len(covered) < len(days), "the corpus should have quiet days with no article"


def test_reader_accepts_every_record(raw_records):
    problems = []
    assert len(list(read_articles(RAW, problems))) == len(raw_records)
    assert [p for p in problems if p.level == "error"] == []


def test_corpus_has_kazakhstan_and_comparison_episodes(raw_records):
    kaz = [r for r in raw_records if r["id"].startswith("kaz-")]
    others = {r["id"][:3] for r in raw_records if not r["id"].startswith("kaz-")}
    assert len(kaz) >= 60 and {"sdn", "bfa", "rus", "ukr"} <= others


# ------------------------------------------------------------------------------------------ coded events


def test_events_from_several_countries(demo_events):
    assert len(demo_events) > 0
    countries = set(demo_events["source_country"].dropna()) | set(demo_events["target_country"].dropna())
    assert COUNTRY in countries
    assert len(countries & set(COMPARISON)) >= 3, sorted(countries)
    per_country = pd.concat([demo_events["source_country"], demo_events["target_country"]]).value_counts()
    assert (per_country.reindex([COUNTRY, *COMPARISON], fill_value=0) > 0).sum() >= 4


def test_event_dates_in_range(demo_events):
    dates = pd.to_datetime(demo_events["date"])
    assert dates.notna().all()
    assert dates.min() >= ts(START) and dates.max() <= ts(END)


def test_kazakhstan_conflict_concentrated_in_early_january(daily):
    kaz = daily[daily["country"] == COUNTRY].set_index("period")["n_conflict"]
    assert kaz.sum() >= 20
    early = kaz.loc["2022-01-02":"2022-01-11"].sum()
    assert early / kaz.sum() > 0.4, (early, kaz.sum())


def test_daily_intensity_peaks_in_first_week_of_january(daily):
    peak = aggregate.peak(daily, "intensity_goldstein", COUNTRY)
    assert ts("2022-01-02") <= peak["period"] <= ts("2022-01-11"), peak["period"]
    # a real peak, not a tie with a quiet day: clearly above the country's median non-zero day
    kaz = daily[daily["country"] == COUNTRY]["intensity_goldstein"]
    assert peak["intensity_goldstein"] > 1.5 * kaz[kaz > 0].median()


def test_weekly_intensity_peaks_in_the_week_of_3_january(weekly):
    for index in ("intensity_goldstein", "intensity_count"):
        peak = aggregate.peak(weekly, index, COUNTRY)
        assert peak["period"] == ts("2022-01-03"), (index, peak["period"])


def test_change_points_date_the_escalation(daily):
    s = daily[daily["country"] == COUNTRY].set_index("period")["n_conflict"]
    breaks = models.change_points(s, max_breaks=MAX_BREAKS, min_size=MIN_SIZE)
    escalation = models.first_escalation(breaks)
    assert pd.notna(escalation), breaks
    assert ts("2021-12-28") <= escalation <= ts("2022-01-08"), breaks
    first = breaks[breaks["break_date"] == escalation].iloc[0]
    assert first["mean_after"] > 2 * first["mean_before"] + 0.5
    # and the crisis ends: a downward break follows within January
    later = breaks[(breaks["break_date"] > escalation) & (breaks["change"] < 0)]
    assert len(later) and later["break_date"].min() <= ts("2022-01-31"), breaks

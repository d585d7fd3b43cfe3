"""Exact numbers for event_panel / conflict_intensity on a small hand-made event table."""
import math

import pandas as pd
import pytest

from eventcode import aggregate as A

# date, source, target, code, root, quad, goldstein, mentions
ROWS = [
    ("2024-03-04", "RUS", "UKR", "190", "19", 4, -10.0, 3),   # Monday
    ("2024-03-04", "UKR", "RUS", "111", "11", 3, -2.0, 1),
    ("2024-03-06", "RUS", "UKR", "0231", "02", 1, 3.4, 2),
    ("2024-03-06", "FRA", "FRA", "141", "14", 4, -6.5, 1),    # domestic: counted once under "either"
    ("2024-03-10", "USA", None, "040", "04", 1, 1.0, 1),       # Sunday: still the week of 2024-03-04
    (None, "RUS", "UKR", "190", "19", 4, -10.0, 1),           # undated: left out
    ("2024-03-11", None, "UKR", "145", "14", 4, -7.5, 1),      # Monday of the next week, no source
]


def make_events(rows=ROWS):
    df = pd.DataFrame(rows, columns=["date", "source_country", "target_country", "code", "root_code",
                                     "quad_class", "goldstein", "mentions"])
    df.insert(0, "doc_id", [f"d{i}" for i in range(len(df))])
    return df.astype({"doc_id": "string", "date": "string", "source_country": "string",
                      "target_country": "string", "code": "string", "root_code": "string",
                      "quad_class": "int64", "goldstein": "float64", "mentions": "int64"})


def row(panel, period, **keys):
    sel = panel["period"] == pd.Timestamp(period)
    for k, v in keys.items():
        sel &= panel[k] == v
    out = panel[sel]
    assert len(out) == 1, out
    return out.iloc[0]


@pytest.fixture
def events():
    return make_events()


def test_columns_order_and_sorting(events):
    p = A.event_panel(events)
    expected = (["country", "period", "n_events"] + [f"n_root_{i:02d}" for i in range(1, 21)]
                + ["n_quad_1", "n_quad_2", "n_quad_3", "n_quad_4", "n_conflict", "goldstein_sum",
                   "goldstein_mean", "conflict_share", "conflict_severity_sum", "n_total_period",
                   "share_of_volume"])
    assert list(p.columns) == expected
    assert p["period"].dtype == "datetime64[ns]"
    assert p["n_events"].dtype == "int64"
    assert p.equals(p.sort_values(["country", "period"], ignore_index=True))
    assert p.attrs["n_undated"] == 1 and p.attrs["date_col"] == "date"


def test_daily_zero_filled_either(events):
    p = A.event_panel(events)
    # 4 countries x 8 days (2024-03-04 .. 2024-03-11), undated event ignored
    assert sorted(p["country"].unique()) == ["FRA", "RUS", "UKR", "USA"]
    assert len(p) == 32
    assert list(p.loc[p.country == "UKR", "period"].dt.strftime("%m-%d")) == [
        "03-04", "03-05", "03-06", "03-07", "03-08", "03-09", "03-10", "03-11"]
    ukr = row(p, "2024-03-04", country="UKR")
    assert ukr.n_events == 2 and ukr.n_root_19 == 1 and ukr.n_root_11 == 1
    assert ukr.n_quad_3 == 1 and ukr.n_quad_4 == 1 and ukr.n_conflict == 2
    assert ukr.goldstein_sum == pytest.approx(-12.0)
    assert ukr.goldstein_mean == pytest.approx(-6.0)
    assert ukr.conflict_share == 1.0
    assert ukr.conflict_severity_sum == pytest.approx(12.0)
    assert ukr.n_total_period == 2 and ukr.share_of_volume == 1.0
    empty = row(p, "2024-03-05", country="UKR")
    assert empty.n_events == 0 and empty.n_total_period == 0 and empty.goldstein_sum == 0
    assert math.isnan(empty.goldstein_mean) and math.isnan(empty.share_of_volume)
    assert math.isnan(empty.conflict_share)
    # a day with volume but nothing for this country: share 0, not NaN
    assert row(p, "2024-03-10", country="UKR").share_of_volume == 0.0
    fra = row(p, "2024-03-06", country="FRA")
    assert fra.n_events == 1 and fra.n_total_period == 2 and fra.share_of_volume == 0.5
    assert p["n_total_period"].groupby(p["period"]).first().sum() == 6


def test_source_and_target_counting(events):
    src = A.event_panel(events, by="source")
    tgt = A.event_panel(events, by="target")
    assert sorted(src["country"].unique()) == ["FRA", "RUS", "UKR", "USA"]
    assert sorted(tgt["country"].unique()) == ["FRA", "RUS", "UKR"]
    assert row(src, "2024-03-04", country="UKR").n_events == 1
    assert row(src, "2024-03-11", country="UKR").n_events == 0
    assert row(tgt, "2024-03-11", country="UKR").n_events == 1
    assert row(tgt, "2024-03-04", country="RUS").n_events == 1
    assert src["n_events"].sum() == 5 and tgt["n_events"].sum() == 5
    assert A.event_panel(events, by="either")["n_events"].sum() == 9   # 5 + 5 - 1 domestic


def test_weeks_start_monday(events):
    p = A.event_panel(events, freq="W")
    assert sorted(p["period"].unique()) == [pd.Timestamp("2024-03-04"), pd.Timestamp("2024-03-11")]
    assert all(p["period"].dt.day_of_week == 0)
    ukr1 = row(p, "2024-03-04", country="UKR")
    assert ukr1.n_events == 3 and ukr1.n_total_period == 5
    assert ukr1.share_of_volume == pytest.approx(0.6)
    assert row(p, "2024-03-04", country="USA").n_events == 1          # Sunday 03-10
    assert row(p, "2024-03-11", country="UKR").n_events == 1
    # a start inside a week opens that week at its Monday
    q = A.event_panel(events, freq="W", start="2024-03-01")
    assert sorted(q["period"].unique())[0] == pd.Timestamp("2024-02-26")
    assert row(q, "2024-02-26", country="UKR").n_events == 0


def test_monthly_and_window(events):
    p = A.event_panel(events, freq="M", start="2024-02-15", end="2024-03-31")
    assert list(p.loc[p.country == "RUS", "period"]) == [pd.Timestamp("2024-02-01"), pd.Timestamp("2024-03-01")]
    assert row(p, "2024-03-01", country="RUS").n_events == 3
    q = A.event_panel(events, start="2024-03-06", end="2024-03-06")
    assert len(q["period"].unique()) == 1
    assert row(q, "2024-03-06", country="RUS").n_events == 1
    assert row(q, "2024-03-06", country="RUS").n_total_period == 2


def test_countries_filter_keeps_silent_countries(events):
    p = A.event_panel(events, freq="W", countries=["UKR", "BLR"])
    assert sorted(p["country"].unique()) == ["BLR", "UKR"]
    blr = p[p.country == "BLR"]
    assert len(blr) == 2 and blr["n_events"].sum() == 0
    assert list(blr["n_total_period"]) == [5, 1]


def test_dyads(events):
    p = A.event_panel(events, by="dyad", freq="W")
    pairs = sorted(set(zip(p.source_country, p.target_country)))
    assert pairs == [("FRA", "FRA"), ("RUS", "UKR"), ("UKR", "RUS")]
    ru = row(p, "2024-03-04", source_country="RUS", target_country="UKR")
    assert ru.n_events == 2 and ru.goldstein_sum == pytest.approx(-6.6)
    assert ru.conflict_severity_sum == pytest.approx(10.0) and ru.share_of_volume == pytest.approx(0.4)
    assert row(p, "2024-03-11", source_country="RUS", target_country="UKR").n_events == 0
    f = A.event_panel(events, by="dyad", freq="W", countries=["RUS"])
    assert sorted(set(zip(f.source_country, f.target_country))) == [("RUS", "UKR"), ("UKR", "RUS")]


def test_weights(events):
    p = A.event_panel(events, freq="W", weight_col="mentions")
    ukr = row(p, "2024-03-04", country="UKR")
    assert ukr.n_events == 6 and ukr.n_total_period == 8
    assert ukr.share_of_volume == pytest.approx(0.75)
    assert ukr.goldstein_mean == pytest.approx(-4.2)              # (-30 - 2 + 6.8) / 6
    assert ukr.conflict_severity_sum == pytest.approx(32.0)
    withint = A.add_intensity(p)
    u = withint[(withint.country == "UKR") & (withint.period == "2024-03-04")].iloc[0]
    assert u.intensity_goldstein == pytest.approx(4.0) and u.intensity_count == pytest.approx(0.375)
    bad = events.assign(mentions=events["mentions"].astype("float64").where(events.index != 0))
    with pytest.raises(ValueError):
        A.event_panel(bad, weight_col="mentions")


def test_intensity_formulas(events):
    p = A.add_intensity(A.event_panel(events, freq="W"))
    ukr = p[p.country == "UKR"].set_index("period")
    # week 1: severity 10 + 2 over 5 events; one quad-4 event over 5
    assert ukr.loc["2024-03-04", "intensity_goldstein"] == pytest.approx(2.4)
    assert ukr.loc["2024-03-04", "intensity_count"] == pytest.approx(0.2)
    assert ukr.loc["2024-03-11", "intensity_goldstein"] == pytest.approx(7.5)
    assert ukr.loc["2024-03-11", "intensity_count"] == pytest.approx(1.0)
    s = A.conflict_intensity(p, "count")
    assert s.name == "intensity_count" and s.index.equals(p.index)
    d = A.add_intensity(A.event_panel(events))
    assert math.isnan(d[(d.country == "UKR") & (d.period == "2024-03-05")].iloc[0].intensity_goldstein)
    with pytest.raises(ValueError):
        A.conflict_intensity(p, "bogus")
    with pytest.raises(KeyError):
        A.conflict_intensity(p.drop(columns="n_total_period"))


def test_event_date_preferred(events):
    ev = events.assign(event_date=events["date"].where(events.index != 0, "2024-03-01"))
    p = A.event_panel(ev, countries=["RUS"])
    assert p.attrs["date_col"] == "event_date"
    assert p["period"].min() == pd.Timestamp("2024-03-01")
    assert row(p, "2024-03-01", country="RUS").n_events == 1
    q = A.event_panel(ev, countries=["RUS"], date_col="date")
    assert q["period"].min() == pd.Timestamp("2024-03-04")


def test_quad_from_root_when_missing(events):
    ev = events.drop(columns="quad_class")
    p = A.event_panel(ev, freq="W")
    ukr = row(p, "2024-03-04", country="UKR")
    assert (ukr.n_quad_1, ukr.n_quad_3, ukr.n_quad_4) == (1, 1, 1)


def test_root_from_code_when_missing(events):
    ev = events.assign(root_code=pd.Series([pd.NA] * len(events), dtype="string"))
    p = A.event_panel(ev, freq="W")
    assert row(p, "2024-03-04", country="UKR").n_root_02 == 1


def test_empty_and_bad_args(events):
    e = A.event_panel(events.iloc[:0])
    assert len(e) == 0 and "share_of_volume" in e.columns
    with pytest.raises(ValueError):
        A.event_panel(events, by="country")
    with pytest.raises(ValueError):
        A.event_panel(events, freq="Q")


def test_load_quad_mapping(tmp_path):
    assert A.load_quad_mapping(path=tmp_path / "missing.yaml")["14"] == 4
    assert A.load_quad_mapping(path=tmp_path / "missing.yaml")["05"] == 1
    f = tmp_path / "q.yaml"
    f.write_text('default: quad\nconventions:\n  quad:\n    roots: {"01": 1, "14": 4}\n'
                 '  penta:\n    roots: {"01": 0, "14": 4}\n')
    assert A.load_quad_mapping(path=f) == {"01": 1, "14": 4}
    assert A.load_quad_mapping("penta", path=f)["01"] == 0
    with pytest.raises(KeyError):
        A.load_quad_mapping("nope", path=f)

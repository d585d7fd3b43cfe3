"""Duplicates and mentions (eventcode/dedup.py) on a hand-made event table."""
import pandas as pd
import pytest

from eventcode.aggregate import event_panel
from eventcode.dedup import ONE_A_DAY_KEY, deduplicate
from eventcode.schema import to_frame


def row(doc, sid, idx, event_date, source, target, code, date="2022-01-07", sentence=""):
    return {"doc_id": doc, "sentence_id": sid, "event_index": idx, "sentence": sentence or f"{doc}/{sid}",
            "date": date, "event_date": event_date, "source": source, "source_country": source[:3],
            "target": target, "target_country": target[:3] if target else None, "code": code,
            "root_code": code[:2], "quad_class": 4, "goldstein": -7.0, "evidence": f"evidence {doc}/{sid}",
            "pattern_line": 1}


@pytest.fixture
def raw():
    return to_frame([
        row("b", 3, 0, "2022-01-05", "KAZCOP", "KAZOPP", "145"),
        row("a", 2, 0, "2022-01-05", "KAZCOP", "KAZOPP", "145", sentence="first report"),
        row("a", 5, 0, "2022-01-05", "KAZCOP", "KAZOPP", "145"),
        row("a", 5, 1, "2022-01-05", "KAZCOP", "KAZOPP", "173"),            # another code: another event
        row("c", 1, 0, "2022-01-02", "KAZOPP", None, "141", date="2022-01-04"),
        row("d", 1, 0, "2022-01-02", "KAZOPP", None, "141", date="2022-01-05"),
        row("d", 2, 0, "2022-01-04", "KAZOPP", None, "141", date="2022-01-05"),
    ])


def test_same_event_collapses_with_counts(raw):
    out = deduplicate(raw)
    assert len(out) == 4
    riot = out[out["code"] == "145"].iloc[0]
    assert (riot["mentions"], riot["articles"]) == (3, 2)
    assert riot["sentence"] == "first report" and riot["doc_id"] == "a"  # the first row's evidence stays
    assert out["mentions"].sum() == len(raw)
    assert out["mentions"].dtype == "int64" and out["articles"].dtype == "int64"


def test_missing_target_is_a_value_of_the_key(raw):
    demo = deduplicate(raw)
    demo = demo[demo["code"] == "141"]
    assert sorted(demo["event_date"]) == ["2022-01-02", "2022-01-04"]
    assert demo.set_index("event_date").loc["2022-01-02", "articles"] == 2


def test_one_a_day_uses_the_article_date(raw):
    out = deduplicate(raw, one_a_day=True)
    demo = out[out["code"] == "141"]
    # Phoenix: one event per (article date, source, target, code): c (4 Jan) and d (5 Jan, two sentences)
    assert sorted(zip(demo["date"], demo["mentions"])) == [("2022-01-04", 1), ("2022-01-05", 2)]
    assert ONE_A_DAY_KEY == ("date", "source", "target", "code")


def test_order_does_not_matter(raw):
    shuffled = raw.sample(frac=1, random_state=3).reset_index(drop=True)
    pd.testing.assert_frame_equal(deduplicate(raw), deduplicate(shuffled))


def test_custom_key_and_date_fallback(raw):
    by_root = deduplicate(raw, key=("event_date", "source_country", "root_code"))
    assert len(by_root) == 4
    no_event_date = raw.drop(columns=["event_date"])
    assert len(deduplicate(no_event_date)) == len(deduplicate(raw, key=("date", "source", "target", "code")))
    with pytest.raises(KeyError):
        deduplicate(raw, key=("nope",))


def test_input_not_modified_and_empty(raw):
    before = raw.copy()
    deduplicate(raw)
    pd.testing.assert_frame_equal(raw, before)
    empty = deduplicate(raw.iloc[0:0])
    assert empty.empty and {"mentions", "articles"} <= set(empty.columns)


def test_aggregation_takes_either_table(raw):
    dedup = deduplicate(raw)
    raw_panel = event_panel(raw, by="source", freq="D")
    distinct = event_panel(dedup, by="source", freq="D")
    weighted = event_panel(dedup, by="source", freq="D", weight_col="mentions")
    assert raw_panel["n_events"].sum() == len(raw)
    assert distinct["n_events"].sum() == len(dedup)
    assert weighted["n_events"].sum() == len(raw)  # weighting by mentions gives the raw counts back


def test_deduplicating_twice_adds_up_counts(raw):
    once = deduplicate(raw)
    twice = deduplicate(once)
    pd.testing.assert_frame_equal(once, twice)

"""The evaluation arithmetic on small hand-made files (numbers worked out by hand in the comments)."""
import json

import pandas as pd
import pytest

from eventcode.evaluate import (PLOVER2016_TO_CAMEO_ROOT, evaluate, plover_gsr_to_gold, read_gold, score_events,
                                score_penta)


def _pred(rows):
    return pd.DataFrame(rows, columns=["doc_id", "sentence_id", "event_index", "source", "target", "code"])


@pytest.fixture
def gold_file(tmp_path):
    path = tmp_path / "gold.jsonl"
    recs = [
        {"id": "a", "text": "x", "expected": [{"source": "KAZCOP", "target": "KAZOPP", "code": "175"}]},
        {"id": "b", "text": "y", "expected": [{"source": "RUSMIL", "target": "UKR", "code": "190"},
                                              {"source": "RUSGOV", "target": "UKRGOV", "code": "138"}]},
        {"id": "c", "text": "z", "expected": []},
        {"id": "d", "text": "w", "expected": []},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in recs))
    return path


def test_three_levels_by_hand(gold_file):
    pred = _pred([
        ["a", 1, 0, "KAZCOP", "KAZOPP", "175"],   # exact hit
        ["b", 1, 0, "RUSGOV", "UKRMIL", "195"],   # root 19 + dyad RUS->UKR: root & dyad_root, not exact
        ["b", 1, 1, "USAGOV", "RUS", "112"],      # spurious
        ["c", 1, 0, "KAZGOV", None, "020"],       # event on an empty-gold sentence
    ])
    rep = score_events(read_gold(gold_file), pred)
    # 4 predictions, 3 gold events. root: a, b(19) -> tp 2; dyad_root: same 2; exact: only a -> 1
    assert rep["levels"]["root"]["tp"] == 2 and rep["levels"]["root"]["n_pred"] == 4
    assert rep["levels"]["root"]["precision"] == pytest.approx(0.5)
    assert rep["levels"]["root"]["recall"] == pytest.approx(2 / 3)
    assert rep["levels"]["root"]["f1"] == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert rep["levels"]["dyad_root"]["tp"] == 2
    assert rep["levels"]["exact"]["tp"] == 1
    # c got an event, d stayed empty: 1 of 2
    assert rep["empty_kept_empty_share"] == pytest.approx(0.5)
    conf = rep["confusion"]
    assert conf.loc["17", "17"] == 1 and conf.loc["19", "19"] == 1
    assert conf.loc["13", "11"] == 1          # leftover gold 13 paired with leftover predicted 11
    assert conf.loc["none", "02"] == 1


def test_matching_is_one_to_one(tmp_path):
    path = tmp_path / "g.jsonl"
    path.write_text(json.dumps({"id": "a", "text": "t", "expected": [
        {"source": "RUS", "target": "UKR", "code": "19"}]}) + "\n")
    pred = _pred([["a", 1, 0, "RUS", "UKR", "190"], ["a", 1, 1, "RUS", "UKR", "193"]])
    rep = score_events(read_gold(path), pred)
    # a root-level gold code matches any code under it, but only once
    assert rep["levels"]["exact"]["tp"] == 1
    assert rep["levels"]["exact"]["precision"] == pytest.approx(0.5)
    assert rep["levels"]["exact"]["recall"] == pytest.approx(1.0)


def test_penta_accuracy_coverage_and_macro_f1(tmp_path):
    path = tmp_path / "p.jsonl"
    recs = [{"id": "1", "text": "a", "penta": 4}, {"id": "2", "text": "b", "penta": 0},
            {"id": "3", "text": "c", "penta": 3}, {"id": "4", "text": "d", "penta": 3}]
    path.write_text("".join(json.dumps(r) + "\n" for r in recs))
    pred = _pred([
        ["1", 1, 0, "A", "B", "190"], ["1", 1, 1, "A", "B", "020"],   # first event decides: 19 -> class 4 (right)
        ["2", 1, 0, "A", "B", "0256"],                               # 02 -> class 0 (right)
        ["3", 1, 0, "A", "B", "160"],                                # 16 -> class 3 (right)
    ])                                                               # 4 uncovered
    rep = score_penta(read_gold(path), pred)
    assert rep["coverage"] == pytest.approx(0.75)
    assert rep["accuracy_covered"] == pytest.approx(1.0)
    assert rep["accuracy_all"] == pytest.approx(0.75)
    # per class F1: 0 -> 1, 4 -> 1, 3 -> P 1 R .5 -> 2/3, classes 1 and 2 -> 0; mean = (1+1+2/3)/5
    assert rep["macro_f1"] == pytest.approx((1 + 1 + 2 / 3) / 5)


def test_plover_records_map_to_roots_and_actor_codes():
    recs = [
        {"id": "DOC", "event": "DOCUMENT"},
        {"id": "x1", "event": "ASSAULT", "text": "t",
         "source": [{"actorText": "a", "code": "HUN", "sector": "GOV"}, {"actorText": "b", "code": "ROU"}],
         "target": [{"actorText": "c", "code": "IGO"}]},
        {"id": "x2", "event": "CONCEDE", "text": "u", "source": [{"code": "USA"}], "target": ""},
    ]
    recs.append({"id": "x3", "event": "AGREE", "text": "v", "target": "",
                 "source": [{"code": "HUN", "sector": "GOV"}, {"code": "JAP", "sector": "GOV"}],
                 "textInfo": {"markup": "(SRC/TAR: Hungarian) and (SRC/TAR: Japanese) officials (EVT: agreed)"}})
    gold = plover_gsr_to_gold(recs)
    assert [g.id for g in gold] == ["x1", "x2", "x3"]
    # SRC/TAR: each the other's target; the legacy code JAP read as ISO3 JPN
    assert gold[2].expected == [{"source": "HUNGOV", "target": "JPNGOV", "code": "03"},
                                {"source": "JPNGOV", "target": "HUNGOV", "code": "03"}]
    assert gold[0].expected == [{"source": "HUNGOV", "target": "IGO", "code": "18"},
                                {"source": "ROU", "target": "IGO", "code": "18"}]
    assert gold[1].expected == [{"source": "USA", "target": "", "code": "08"}]
    assert PLOVER2016_TO_CAMEO_ROOT["RETREAT"] == "08" and PLOVER2016_TO_CAMEO_ROOT["FIGHT"] == "19"
    assert len(PLOVER2016_TO_CAMEO_ROOT) == 18


def test_evaluate_reads_an_event_file(gold_file, tmp_path):
    pred_path = tmp_path / "pred.jsonl"
    pred_path.write_text(json.dumps({"doc_id": "a", "sentence_id": 1, "event_index": 0, "source": "KAZCOP",
                                     "target": "KAZOPP", "code": "175"}) + "\n")
    rep = evaluate(gold_file, pred_path)
    assert rep["events"]["levels"]["exact"]["tp"] == 1
    assert rep["events"]["levels"]["exact"]["precision"] == pytest.approx(1.0)

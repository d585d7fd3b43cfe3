"""PLOVER beside CAMEO (eventcode/plover.py and codebooks/plover.yaml)."""
import pandas as pd
import pytest
import yaml

from eventcode.codebook import SHIPPED_CODEBOOK
from eventcode.plover import (PLOVER_TYPES, add_plover, crosswalk_table, load_crosswalk, plover_of,
                              type_quad_classes)
from eventcode.schema import PLOVER_DTYPES


@pytest.fixture(scope="module")
def data():
    with open(SHIPPED_CODEBOOK / "plover.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def test_crosswalk_uses_exactly_the_16_plover_types(data):
    types = {t for t, _ in load_crosswalk().values() if t}
    assert types == set(PLOVER_TYPES)
    assert set(data["plover_modes"]) == set(PLOVER_TYPES)


def test_every_mode_belongs_to_its_type(data):
    modes = data["plover_modes"]
    for code, (typ, mode) in load_crosswalk().items():
        if mode is not None:
            assert typ is not None and mode in modes[typ], (code, typ, mode)


def test_every_cameo_code_is_covered():
    with open(SHIPPED_CODEBOOK / "events.yaml", encoding="utf-8") as fh:
        codes = [str(e["code"]) for e in yaml.safe_load(fh)]
    crosswalk = load_crosswalk()
    missing = [c for c in codes if c not in crosswalk]
    assert not missing
    uncovered = [c for c in codes if plover_of(c, crosswalk)[0] is None and not c.startswith("01")]
    assert not uncovered  # only statements (01x) have no PLOVER type


@pytest.mark.parametrize("code, expected", [
    ("0256", ("REQUEST", "yield")),
    ("145", ("PROTEST", "riot")),
    ("173", ("COERCE", "arrest")),
    ("042", ("CONSULT", "visit")),
    ("010", (None, None)),
    ("1451", ("PROTEST", "riot")),   # not in the table: falls back to its base code 145
    (None, (None, None)),
])
def test_lookup(code, expected):
    assert plover_of(code, load_crosswalk()) == expected


def test_add_plover_columns_and_dtypes():
    df = pd.DataFrame({"code": ["145", "0256", None, "010"], "other": [1, 2, 3, 4]}).astype({"code": "string"})
    out = add_plover(df)
    assert list(out.columns) == ["code", "other", "plover_type", "plover_mode"]
    assert out["plover_type"].tolist()[:2] == ["PROTEST", "REQUEST"]
    assert out["plover_type"].isna().tolist() == [False, False, True, True]
    assert {c: str(out[c].dtype) for c in PLOVER_DTYPES} == PLOVER_DTYPES
    assert "plover_type" not in df.columns  # the input is not modified


def test_codebook_object_folder_and_file_agree():
    class Stub:  # any object with the loaded `plover` data, as a Codebook has it
        plover = yaml.safe_load((SHIPPED_CODEBOOK / "plover.yaml").read_text(encoding="utf-8"))

    assert load_crosswalk(Stub()) == load_crosswalk(SHIPPED_CODEBOOK) == load_crosswalk(
        SHIPPED_CODEBOOK / "plover.yaml")


def test_type_quads_follow_cameo():
    quads = type_quad_classes()
    assert quads["ASSAULT"] == 4 and quads["PROTEST"] == 4 and quads["COERCE"] == 4
    assert quads["AGREE"] == 1 and quads["CONSULT"] == 1
    assert quads["AID"] == 2 and quads["ACCUSE"] == 3
    assert set(quads) == set(PLOVER_TYPES)


def test_crosswalk_table():
    table = crosswalk_table()
    assert list(table.columns) == ["code", "plover_type", "plover_mode"]
    assert table["code"].is_unique and len(table) == len(load_crosswalk())

"""Importers (eventcode/importers.py) on small hand-written files in each dataset's layout (tests/data/)."""
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from eventcode.aggregate import event_panel
from eventcode.dedup import deduplicate
from eventcode.importers import (GDELT_COLUMNS, POLECAT_COLUMNS, cameo_code, country_iso3, read_dataset,
                                 read_gdelt, read_icews, read_polecat, sector_role)
from eventcode.schema import COLUMNS

DATA = Path(__file__).resolve().parent / "data"
GDELT = DATA / "gdelt_sample.csv"
ICEWS = DATA / "icews_sample.tab"
POLECAT = DATA / "polecat_sample.tsv"


def test_sample_files_have_the_real_layouts():
    for line in GDELT.read_text(encoding="utf-8").splitlines():
        assert len(line.split("\t")) == len(GDELT_COLUMNS) == 61
    assert POLECAT.read_text(encoding="utf-8").splitlines()[0].split("\t") == list(POLECAT_COLUMNS)


@pytest.mark.parametrize("reader, path, dataset", [(read_gdelt, GDELT, "gdelt"), (read_icews, ICEWS, "icews"),
                                                   (read_polecat, POLECAT, "polecat")])
def test_schema_columns_first(reader, path, dataset):
    df = reader(path)
    assert list(df.columns[:len(COLUMNS)]) == list(COLUMNS)
    assert (df["dataset"] == dataset).all()
    assert (df["doc_id"] == df["event_id"]).all() and df["doc_id"].notna().all()
    assert (df["date_source"] == "dataset").all()
    assert df["mentions"].dtype == "int64" and (df["mentions"] >= 1).all()


def test_gdelt():
    df = read_gdelt(GDELT).set_index("event_id")
    first = df.loc["1021000001"]
    assert (first["source"], first["source_country"], first["source_agent"]) == ("KAZCOP", "KAZ", "COP")
    assert (first["target"], first["code"], first["root_code"], first["quad_class"]) == ("KAZOPP", "145", "14", 4)
    assert (first["event_date"], first["date"]) == ("2022-01-05", "2022-01-05")
    assert (first["mentions"], first["articles"], first["goldstein"]) == (12, 10, -7.0)
    assert (first["location"], first["location_country"]) == ("Almaty", "KAZ")   # FIPS KZ -> ISO3
    un = df.loc["1021000003"]
    assert (un["source"], un["source_country"], un["code"], un["root_code"]) == ("IGOUNO", "IGOUNO", "0256", "02")
    assert pd.isna(df.loc["1021000004", "target"])
    assert (un["plover_type"], un["plover_mode"]) == ("REQUEST", "yield")


def test_gdelt_zipped(tmp_path):
    path = tmp_path / "20220105143000.export.CSV.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.write(GDELT, "20220105143000.export.CSV")
    pd.testing.assert_frame_equal(read_dataset(path), read_gdelt(GDELT))


def test_gdelt_wrong_width(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("1\t2\t3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="61"):
        read_gdelt(bad)


def test_icews():
    df = read_icews(ICEWS).set_index("event_id")
    police = df.loc["34100001"]
    assert (police["source"], police["target"], police["code"], police["quad_class"]) == ("KAZCOP", "KAZOPP", "145", 4)
    assert (police["sentence_id"], police["story_id"], police["publisher"]) == (2, "51000001", "Steppe Wire")
    russia = df.loc["34100002"]
    assert (russia["source"], russia["source_country"], russia["target"]) == ("RUS", "RUS", "KAZ")
    visit = df.loc["34100003"]
    assert (visit["code"], visit["root_code"], visit["source"]) == ("042", "04", "KAZGOV")  # "42" repaired
    assert (visit["location"], visit["location_country"]) == ("Moscow", "RUS")
    assert df.loc["34100004", "source"] == "KAZCVL"  # "Citizen (Kazakhstan)": the role from the name


def test_polecat():
    df = read_polecat(POLECAT).set_index("event_id")
    protest = df.loc["20220105-0001"]
    assert (protest["plover_type"], protest["plover_mode"], protest["quad_class"]) == ("PROTEST", "riot", 4)
    assert pd.isna(protest["code"]) and pd.isna(protest["root_code"])
    assert (protest["source"], protest["target"]) == ("KAZCVL", "KAZGOV")
    mobilize = df.loc["20220106-0002"]
    assert (mobilize["source"], mobilize["date"], mobilize["event_date"]) == ("RUSMIL", "2022-01-07", "2022-01-06")
    assert df.loc["20220111-0004", "source"] == "IGO"  # an organisation without a country or code
    assert df.loc["20220111-0004", "quad_class"] == 2  # RETREAT: material cooperation


def test_read_dataset_guesses_the_format():
    assert read_dataset(GDELT)["dataset"].iloc[0] == "gdelt"
    assert read_dataset(ICEWS)["dataset"].iloc[0] == "icews"
    assert read_dataset(POLECAT)["dataset"].iloc[0] == "polecat"
    with pytest.raises(ValueError):
        read_dataset(GDELT, kind="acled")


def test_datasets_aggregate_and_compare_together():
    both = pd.concat([read_gdelt(GDELT), read_icews(ICEWS), read_polecat(POLECAT)], ignore_index=True)
    panel = event_panel(both, by="source", freq="D", countries=["KAZ", "RUS"], weight_col="mentions")
    assert panel["n_events"].sum() == both[both["source_country"].isin(["KAZ", "RUS"])]["mentions"].sum()
    dedup = deduplicate(read_gdelt(GDELT))
    assert len(dedup) == 4  # the two reports of the Almaty riot of 5 January are one event
    riot = dedup[dedup["code"] == "145"].iloc[0]
    assert (riot["mentions"], riot["articles"]) == (16, 14)


@pytest.mark.parametrize("raw, expected", [("42", "042"), ("231", "0231"), ("10", "010"), ("145", "145"),
                                           ("0256", "0256"), ("1823", "1823"), ("", None), ("None", None)])
def test_cameo_code_repairs_lost_zeros(raw, expected):
    assert cameo_code(raw) == expected


def test_countries_and_sectors():
    assert country_iso3("Russian Federation") == "RUS"
    assert country_iso3("Kazakhstan") == "KAZ" and country_iso3("KZ") == "KAZ" and country_iso3("KAZ") == "KAZ"
    assert country_iso3("Atlantis") is None
    assert sector_role("Police,Government") == "COP"
    assert sector_role("Executive, Government") == "GOV"
    assert sector_role("Protestors / Popular Opposition / Mobs") == "OPP"
    assert sector_role("MIL") == "MIL" and sector_role("") is None

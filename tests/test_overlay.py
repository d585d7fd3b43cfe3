"""User codebook overlays: a folder with the shipped layout adds to (or replaces parts of) the shipped codebook,
and every row says which codebook made it."""
import shutil
from pathlib import Path

import pytest

import eventcode
from eventcode.cli import main as cli
from eventcode.codebook import CODEBOOK_VERSION
from eventcode.lint import run_tests

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "overlay_armed_group"
SENTENCE = "Arnor's army attacked Gondor on Monday."

# Only what the sentence needs: two (fictional) states. "army" -> MIL and "attack" -> 19x come from the shipped
# codebook.
ARNOR_GONDOR = """\
- code: ARN
  name: Arnor
  names: [Arnor]
  adjectives: [Arnorian]
- code: GON
  name: Gondor
  names: [Gondor]
  adjectives: [Gondorian]
"""


def _overlay(folder: Path, countries: str = ARNOR_GONDOR) -> Path:
    (folder / "actors").mkdir(parents=True)
    (folder / "actors" / "countries.yaml").write_text(countries)
    return folder


def _code(text, overlays=(), date="2024-03-04"):
    df = eventcode.code_articles([{"id": "a1", "text": text, "date": date}], overlays=overlays)
    return df


@pytest.fixture(scope="module")
def arnor(tmp_path_factory):
    return _overlay(tmp_path_factory.mktemp("overlays") / "middle_earth")


def test_fictional_countries_code_as_a_fight_from_arnors_military(arnor):
    df = _code(SENTENCE, overlays=[arnor])
    fights = df[df["root_code"] == "19"]
    assert len(fights) >= 1, df[["source", "target", "code", "evidence"]].to_string()
    ev = fights.iloc[0]
    assert (ev["source"], ev["target"]) == ("ARNMIL", "GON")
    assert (ev["source_country"], ev["source_agent"], ev["target_country"]) == ("ARN", "MIL", "GON")
    assert ev["code"] == "190"  # "army attacked": conventional military force, no weapon named
    assert "role 'army'" in ev["source_resolution"] and "country-name 'Arnor'" in ev["source_resolution"]
    assert f"{arnor}/actors/countries.yaml" in ev["target_resolution"]


def test_without_the_overlay_arnor_is_unknown():
    df = _code(SENTENCE)
    assert not df["source"].astype(str).str.startswith("ARN").any()
    assert not df["target"].astype(str).str.startswith("GON").any()


def test_rows_carry_the_codebook_version_with_the_overlay_hash(arnor, tmp_path):
    shipped = _code("Russian troops attacked Ukrainian positions.")
    assert set(shipped["codebook_version"]) == {CODEBOOK_VERSION}
    with_overlay = _code(SENTENCE, overlays=[arnor])
    version = with_overlay["codebook_version"].iloc[0]
    assert version.startswith(CODEBOOK_VERSION + "+overlay.") and len(version) == len(CODEBOOK_VERSION) + 21
    # the hash is of the overlay's content: the same files elsewhere give the same version ...
    copy = shutil.copytree(arnor, tmp_path / "elsewhere")
    assert _code(SENTENCE, overlays=[copy])["codebook_version"].iloc[0] == version
    # ... and any edit gives another
    changed = _overlay(tmp_path / "changed", ARNOR_GONDOR.replace("[Gondorian]", "[Gondorian, Gondorians]"))
    assert _code(SENTENCE, overlays=[changed])["codebook_version"].iloc[0] != version


def test_explain_command_uses_the_overlay(arnor, capsys):
    assert cli(["explain", SENTENCE, "--codebook", str(arnor), "--date", "2024-03-04"]) == 0
    out = capsys.readouterr().out
    assert "ARNMIL -> GON" in out and f"{arnor}/actors/countries.yaml" in out
    assert "+overlay." in out


def test_overlay_leader_term_follows_the_article_date(tmp_path):
    ov = _overlay(tmp_path / "ov")
    (ov / "actors" / "leaders.yaml").write_text("""\
- name: Elendil Tarvanis
  aliases: [Tarvanis]
  terms:
    - {actor: ARNMIL, title: General, start: 2001-01-01, end: 2014-12-31}
    - {actor: ARNGOV, title: President, start: 2015-01-01, end: null}
""")
    early = _code("Tarvanis visited Gondor.", overlays=[ov], date="2010-06-01")
    late = _code("Tarvanis visited Gondor.", overlays=[ov], date="2020-06-01")
    assert list(zip(early["source"], early["target"])) == [("ARNMIL", "GON")]
    assert list(zip(late["source"], late["target"])) == [("ARNGOV", "GON")]
    assert set(late["root_code"]) == {"04"}


def test_overlay_pattern_replaces_the_shipped_one_with_the_same_text(arnor, tmp_path):
    # the shipped bare "attack" pattern (whatever its exact text); an overlay replaces it by repeating the text
    shipped = next(p for p in eventcode.load_codebook().patterns
                   if p.kind == "verb" and p.predicates == {"attack"} and p.specificity == 0)
    ov = shutil.copytree(arnor, tmp_path / "ov")
    (ov / "patterns").mkdir()
    # an (odd) research decision: treat every bare "attack" as 180 (unconventional violence)
    (ov / "patterns" / "18_assault.yaml").write_text(f'patterns:\n  - {{code: "180", verbs: ["{shipped.text}"]}}\n')
    df = _code("Arnor attacked Gondor.", overlays=[ov])
    assert list(zip(df["source"], df["target"], df["code"])) == [("ARN", "GON", "180")]
    assert df["pattern_file"].iloc[0].endswith("patterns/18_assault.yaml")


def test_example_overlay_passes_its_own_tests():
    report = run_tests(EXAMPLE / "tests" / "armed_group.yaml", overlays=[EXAMPLE])
    assert not report.failures, report.text()
    assert report.codebook_version.startswith(CODEBOOK_VERSION + "+overlay.")

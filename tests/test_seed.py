"""Acceptance on the seed article (../shared/seed): the CLI codes it as the issue requires."""
import json

import pytest

from conftest import SHARED

SEED = SHARED / "seed" / "kazakhstan-unrest-2022-01.txt"
pytestmark = pytest.mark.skipif(not SEED.exists(), reason="../shared/seed is not present")


@pytest.fixture(scope="module", params=[None, "2022-01-07"], ids=["no-date", "dated"])
def seed_events(request, tmp_path_factory):
    from eventcode.cli import main

    out = tmp_path_factory.mktemp("seed") / "seed.jsonl"
    args = ["code", str(SEED), "-o", str(out), "--quiet"]
    if request.param:
        args += ["--date", request.param]
    assert main(args) == 0
    return [json.loads(line) for line in out.read_text().splitlines()]


def test_un_appeal_to_kazakhstan(seed_events):
    assert any(e["root_code"] == "02" and e["source"].startswith("IGO") and e["target_country"] == "KAZ"
               for e in seed_events)


def test_a_protest(seed_events):
    assert any(e["root_code"] == "14" for e in seed_events)


def test_force_by_kazakh_security_forces(seed_events):
    force = [e for e in seed_events if e["root_code"] in ("17", "18", "19", "20")]
    assert any(e["source_country"] == "KAZ" and e["source_agent"] in ("COP", "MIL", "SPY") for e in force)


def test_nothing_from_the_unrelated_headline(seed_events):
    assert not any(e["sentence_id"] == 0 or e["is_headline"] for e in seed_events)
    assert not any("French" in (e["sentence"] or "") for e in seed_events)


def test_every_row_has_evidence_and_types(seed_events):
    for e in seed_events:
        # a codebook pattern, or a modality rule ("X said Y must ...") with its line in modality.yaml
        assert e["pattern_file"].startswith(("codebooks/patterns/", "codebooks/modality.yaml")) and e["pattern_line"] > 0
        assert e["code"].startswith(e["root_code"]) and isinstance(e["goldstein"], float)
        assert e["evidence"] and e["trigger"]

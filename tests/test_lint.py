"""`eventcode codebook lint | test | show` on hand-written codebooks, and the shipped codebook's own test file."""
import json
import shutil
from pathlib import Path

import pytest

import eventcode
from eventcode.cli import main as cli
from eventcode.codebook import SHIPPED_CODEBOOK, load_codebook
from eventcode.codebook_view import show_code
from eventcode.lint import lint, lint_main, read_cases, run_tests, test_main

REPO = Path(__file__).resolve().parents[1]
SHIPPED_TESTS = REPO / "codebooks" / "tests" / "shipped.yaml"

BASE_PATTERNS = """\
sets:
  heavy_weapon: [artillery, rocket, mortar]
patterns:
  - {code: "190", verbs: [attack TARGET]}
  - {code: "194", verbs: [shell TARGET, "fire {heavy_weapon} at TARGET"]}
"""


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A small valid base codebook (shipped taxonomy and rules + a few patterns and actors)."""
    root = tmp_path_factory.mktemp("lint_cb") / "codebooks"
    root.mkdir()
    for name in ("events.yaml", "quad_classes.yaml", "discard.yaml", "modality.yaml", "plover.yaml"):
        shutil.copy(SHIPPED_CODEBOOK / name, root / name)
    shutil.copytree(SHIPPED_CODEBOOK / "scales", root / "scales")
    (root / "patterns").mkdir()
    (root / "patterns" / "19_fight.yaml").write_text(BASE_PATTERNS)
    (root / "actors").mkdir()
    (root / "actors" / "countries.yaml").write_text(
        "- {code: RUS, name: Russia, adjectives: [Russian]}\n- {code: UKR, name: Ukraine, adjectives: [Ukrainian]}\n")
    (root / "actors" / "roles.yaml").write_text("- {code: MIL, label: Military, nouns: [troops, soldier]}\n")
    return root


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def _issues(report, level, path):
    return {(i.line, i.message) for i in report.issues if i.level == level and i.path == str(path)}


# ------------------------------------------------------------------------------------------------ lint


@pytest.fixture
def broken(tmp_path):
    """An overlay with one mistake of each kind, written out so each sits on a known line."""
    ov = tmp_path / "my_codebook"
    (ov / "patterns").mkdir(parents=True)
    (ov / "actors").mkdir()
    (ov / "patterns" / "19_more.yaml").write_text("""\
sets:
  truce_word: [truce, cease-fire]
patterns:
  - code: "190"
    verbs:
      - raid TARGET
  - code: "1999"
    verbs:
      - storm TARGET
  - code: 193
    verbs:
      - snipe at TARGET
  - code: "196"
    verbs:
      - violate cease-fire
      - breach {no_such_set}
      - break {truce_word}
  - code: "195"
    verbs:
      - fire at TARGET {heavy_weapon}
      - attacked TARGET
""")
    (ov / "patterns" / "18_assault.yaml").write_text("""\
patterns:
  - code: "180"
    verbs:
      - raid TARGET
""")
    (ov / "actors" / "countries.yaml").write_text("""\
- code: ARN
  name: Arnor
  adjectives: [Arnorian]
- code: Gondor
  name: Gondor
""")
    (ov / "actors" / "leaders.yaml").write_text("""\
- name: Aragorn
  aliases: [Strider]
  terms:
    - {actor: ARNGOV, title: King, start: 2000-01-01, end: null}
    - {actor: ARNMIL, title: Captain, start: 1990-01-01, end: 2005-01-01}
    - {actor: arn-gov, title: Ranger, start: 1990-01-01, end: 1980-01-01}
- name: Arvedui
  aliases: [Arnorian]
  terms:
    - {actor: ARNGOV, title: King, start: 2003-01-01, end: 2006-01-01}
""")
    (ov / "actors" / "roles.yaml").write_text("- code: REB\n  nouns: [ranger\n")
    (ov / "actors" / "orgs.yaml").write_text("- {code: IGOARN, names: [Council]}\n")
    return ov


def test_lint_finds_each_mistake_at_its_file_and_line(base, broken):
    rep = lint(broken, base=base)
    assert not rep.ok
    pat, other = broken / "patterns" / "19_more.yaml", broken / "patterns" / "18_assault.yaml"
    errors = _issues(rep, "error", pat)
    by_line = {}
    for line, msg in errors:
        by_line.setdefault(line, []).append(msg)

    def has(line, text):
        return any(text in m for m in by_line.get(line, []))

    assert has(_line_of(pat, '"1999"'), "'1999' is not a CAMEO event code")          # unknown event code
    assert has(_line_of(pat, "code: 193"), "expected text, got 193")                 # unquoted code
    assert has(_line_of(pat, "violate cease-fire"), "can never match")               # tokenizer splits the word
    assert has(_line_of(pat, "truce_word: ["), "member 'cease-fire' can never match")
    assert has(_line_of(pat, "no_such_set"), "unknown word set {no_such_set}")
    # the same words as an earlier pattern under another code, in another order: can never match
    assert has(_line_of(pat, "fire at TARGET {heavy_weapon}"), "can never match")
    # the same text under two codes across files: reported on the later one, naming the earlier file and line
    conflict = _issues(rep, "error", other) | _issues(rep, "error", pat)
    assert any("conflict" in m and "raid TARGET" in m for _, m in conflict)
    # actors: malformed codes, a term that ends before it starts, a YAML syntax error
    countries, leaders = broken / "actors" / "countries.yaml", broken / "actors" / "leaders.yaml"
    assert any(line == _line_of(countries, "code: Gondor") and "ISO3" in m
               for line, m in _issues(rep, "error", countries))
    lerr = _issues(rep, "error", leaders)
    assert any(line == _line_of(leaders, "arn-gov") and "malformed actor code" in m for line, m in lerr)
    assert any(line == _line_of(leaders, "arn-gov") and "ends (1980-01-01) before" in m for line, m in lerr)
    assert any("YAML syntax" in m for _, m in _issues(rep, "error", broken / "actors" / "roles.yaml"))
    # warnings: overlapping terms with different codes, two kings at once, a string naming two actors,
    # a predicate that is not a lemma, a file the loader ignores
    lwarn = _issues(rep, "warning", leaders)
    assert any(line == _line_of(leaders, "ARNMIL") and "overlaps" in m for line, m in lwarn)
    assert any("both King of ARNGOV" in m for _, m in lwarn)
    assert any("'Arnorian' names leader Arvedui" in m for _, m in lwarn)
    assert any(line == _line_of(pat, "attacked TARGET") and "not a lemma" in m
               for line, m in _issues(rep, "warning", pat))
    assert _issues(rep, "warning", broken / "actors" / "orgs.yaml")


def test_lint_main_exit_status_and_output(base, broken, tmp_path, capsys, monkeypatch):
    import eventcode.lint as lint_module

    monkeypatch.setattr(lint_module, "SHIPPED_CODEBOOK", base)
    assert lint_main(str(broken)) == 1
    out = capsys.readouterr().out
    pat = broken / "patterns" / "19_more.yaml"
    assert f"{pat}:{_line_of(pat, chr(34) + '1999' + chr(34))}: error:" in out
    assert "error(s)" in out.splitlines()[-1] or "error(s)" in out
    good = tmp_path / "good"
    (good / "patterns").mkdir(parents=True)
    (good / "patterns" / "19_extra.yaml").write_text('patterns:\n  - {code: "190", verbs: [waylay TARGET]}\n')
    assert lint_main(str(good)) == 0


def test_overlay_replacing_a_pattern_is_a_note_not_an_error(base, tmp_path):
    ov = tmp_path / "ov"
    (ov / "patterns").mkdir(parents=True)
    (ov / "patterns" / "19_fight.yaml").write_text('patterns:\n  - {code: "193", verbs: [attack TARGET]}\n')
    rep = lint(ov, base=base)
    assert rep.ok
    assert any(i.level == "info" and "replaces" in i.message for i in rep.issues)


def test_shipped_codebook_lints_without_errors():
    rep = lint(check_lemmas=True)
    assert rep.ok, "\n".join(str(i) for i in rep.errors[:40])


def test_example_overlay_lints_clean():
    rep = lint(REPO / "examples" / "overlay_armed_group")
    assert rep.ok and not rep.warnings, rep.text()


# ------------------------------------------------------------------------------------------------ test


def test_codebook_test_reports_passes_and_failures_with_explanations(base, tmp_path, capsys, monkeypatch):
    cases = tmp_path / "cases.yaml"
    cases.write_text("""\
- text: Russian troops attacked Ukrainian positions.
  expected:
    - {source: RUSMIL, target: UKR, code: "19"}
- text: Russian troops did not attack Ukrainian positions.
  expected: []
- text: Russian troops shelled Ukrainian soldiers.
  expected:
    - {source: RUSMIL, target: UKRMIL, code: "190"}
- text: Russian troops attacked Ukrainian positions.
  absent:
    - {code: "19"}
""")
    nlp = eventcode.load_pipeline(codebook=base)
    rep = run_tests(cases, nlp=nlp)
    assert [r.passed for r in rep.results] == [True, True, False, False]
    shelled = rep.results[2]
    assert shelled.missing == [{"source": "RUSMIL", "target": "UKRMIL", "code": "190"}]
    assert [e["code"] for e in shelled.events] == ["194"]  # 194 does not start with 190
    text = rep.text()
    assert "FAIL" in text and "--- explain ---" in text and "shell TARGET -> 194" in text
    assert text.splitlines()[-1].startswith("2 passed, 2 failed")
    # the command: exit 1 on failures, 0 when all pass; JSONL works the same
    import eventcode.lint as lint_module

    monkeypatch.setattr(eventcode, "load_pipeline", lambda *a, **k: nlp)
    assert lint_module.test_main(str(cases)) == 1
    jl = tmp_path / "cases.jsonl"
    jl.write_text(json.dumps({"text": "Russian troops attacked Ukrainian positions.",
                              "expected": [{"source": "RUSMIL", "target": "UKR", "code": "190"}]}) + "\n")
    assert test_main(str(jl)) == 0
    assert "1 passed, 0 failed" in capsys.readouterr().out


def test_bad_test_file_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- text: Fine sentence.\n  expected: []\n- text: No code here.\n  expected:\n    - {source: RUS}\n")
    with pytest.raises(eventcode.InputError) as exc:
        read_cases(bad)
    assert exc.value.line == 5 and str(bad) in str(exc.value)


_CASES = read_cases(SHIPPED_TESTS)


@pytest.fixture(scope="module")
def shipped_report(nlp):
    return run_tests(SHIPPED_TESTS, nlp=nlp)


@pytest.mark.parametrize("k", range(len(_CASES)), ids=[c.origin.rsplit("/", 1)[-1] + " " + c.text[:40]
                                                        for c in _CASES])
def test_shipped_codebook_sentence(shipped_report, k):
    r = shipped_report.results[k]
    assert r.passed, "\n" + shipped_report.__class__(shipped_report.file, [r], shipped_report.codebook_version).text()


# ------------------------------------------------------------------------------------------------ show


def test_show_root_and_code(base):
    cb = load_codebook(base=base)
    root = show_code(cb, "19")
    assert root.startswith("19  Fight")
    assert "194   Fight with artillery and tanks" in root and '"shell TARGET"' in root
    one = show_code(cb, "194")
    assert "Goldstein:   default -10.0" in one and "gdelt" in one and "quad class:  4" in one
    assert "PLOVER:      ASSAULT" in one
    assert "shell TARGET" in one and "codebooks/patterns/19_fight.yaml:5" in one
    assert "sanction" in show_code(cb, "sanctions").lower()
    with pytest.raises(eventcode.EventcodeError):
        show_code(cb, "9999")


def test_show_command_with_overlay(tmp_path, capsys):
    ov = tmp_path / "ov"
    (ov / "patterns").mkdir(parents=True)
    (ov / "patterns" / "19_extra.yaml").write_text('patterns:\n  - {code: "190", verbs: [waylay TARGET]}\n')
    assert cli(["codebook", "show", "190", "--codebook", str(ov)]) == 0
    out = capsys.readouterr().out
    assert "waylay TARGET" in out and f"{ov}/patterns/19_extra.yaml:2" in out
    assert "+overlay." in out

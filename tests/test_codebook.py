"""The codebook loader: the shipped codebook is valid and complete; malformed entries name file, line, field."""
import textwrap

import pytest

from eventcode.codebook import load_codebook
from eventcode.errors import CodebookError


@pytest.fixture(scope="module")
def shipped():
    return load_codebook()


def test_shipped_codebook_has_all_roots_and_depth(shipped):
    roots = {c for c in shipped.events if len(c) == 2}
    assert roots == {f"{i:02d}" for i in range(1, 21)}
    assert len(shipped.events) >= 300
    pattern_roots = {p.code[:2] for p in shipped.patterns}
    assert pattern_roots == roots - {"01"} or pattern_roots == roots
    assert len(shipped.patterns) >= 2000


def test_quad_conventions_and_goldstein_scales(shipped):
    assert shipped.quad("0256") == 1 and shipped.quad("145") == 4 and shipped.quad("111") == 3
    assert shipped.quad("0256", "penta") == 0 and shipped.quad("160", "penta") == 3
    assert shipped.quad("070") == 2
    # the published tables disagree on 016: Phoenix (the default) 3.4, GDELT -2.0
    assert shipped.goldstein("016") == pytest.approx(3.4)
    assert shipped.goldstein("016", "gdelt") == pytest.approx(-2.0)
    assert shipped.goldstein("190") == pytest.approx(-10.0)


def _overlay(tmp_path, name, text):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def test_unknown_event_code_names_file_line_field(tmp_path):
    _overlay(tmp_path, "patterns/90_mine.yaml", """\
        patterns:
          - code: "141"
            verbs: [picket]
          - code: "1499"
            verbs: [sing]
        """)
    with pytest.raises(CodebookError) as err:
        load_codebook(overlays=[tmp_path])
    assert err.value.line == 4 and err.value.field == "code"
    assert str(err.value).startswith(str(tmp_path / "patterns/90_mine.yaml") + ":4: field 'code'")


def test_unquoted_set_pattern_and_unknown_set_are_reported(tmp_path):
    _overlay(tmp_path, "patterns/90_mine.yaml", """\
        patterns:
          - code: "145"
            verbs:
              - hurl {no_such_set} at TARGET
        """)
    with pytest.raises(CodebookError) as err:
        load_codebook(overlays=[tmp_path])
    assert err.value.line == 4 and "no_such_set" in str(err.value)


def test_yaml_syntax_error_has_line(tmp_path):
    _overlay(tmp_path, "actors/countries.yaml", "- code: ARN\n  names: [Arnor\n")
    with pytest.raises(CodebookError) as err:
        load_codebook(overlays=[tmp_path])
    assert err.value.line is not None and "YAML syntax" in str(err.value)


def test_leader_term_dates_are_checked(tmp_path):
    _overlay(tmp_path, "actors/leaders.yaml", """\
        - name: Aragorn
          terms:
            - {actor: ARNGOV, title: King, start: 2020-05-01, end: 2019-01-01}
        """)
    with pytest.raises(CodebookError) as err:
        load_codebook(overlays=[tmp_path])
    assert err.value.field == "end" and err.value.line == 3


def test_words_like_on_and_no_stay_words(tmp_path):
    # YAML 1.1 reads on/off/no as booleans; the loader keeps them as the words they are
    _overlay(tmp_path, "patterns/90_mine.yaml", """\
        sets:
          particles_test: [on, off, no]
        patterns:
          - code: "141"
            verbs: ["picket {particles_test}"]
        """)
    cb = load_codebook(overlays=[tmp_path])
    assert cb.sets["particles_test"] == (("on",), ("off",), ("no",))


def test_overlay_changes_version_and_overrides(tmp_path, shipped):
    _overlay(tmp_path, "actors/countries.yaml", """\
        - code: ARN
          name: Arnor
          names: [Arnor]
        """)
    cb = load_codebook(overlays=[tmp_path])
    assert cb.version.startswith(shipped.version + "+overlay.")
    assert "ARN" in cb.country_names and "KAZ" in cb.country_names

"""`eventcode explain`: the parse, actors, predicates, rules and events of hand-written sentences.

These tests run the real pipeline on a small codebook written here (the shipped taxonomy, scales and modality
words, plus a handful of actors and patterns), so that the file and line an explanation names are known exactly
and do not move when the shipped pattern files grow.
"""
import shutil

import pytest

import eventcode
from eventcode.codebook import SHIPPED_CODEBOOK
from eventcode.explain import Explanation, explain

PATTERNS = """\
patterns:
  - {code: "190", verbs: [attack TARGET]}
  - {code: "042", verbs: [visit TARGET]}
  - {code: "173", verbs: [arrest TARGET]}
"""
COUNTRIES = """\
- {code: RUS, name: Russia, adjectives: [Russian], capitals: [Moscow]}
- {code: UKR, name: Ukraine, adjectives: [Ukrainian], capitals: [Kyiv], cities: [Kharkiv]}
- {code: KAZ, name: Kazakhstan, adjectives: [Kazakh], cities: [Almaty]}
"""
ROLES = """\
- {code: MIL, label: Military, nouns: [troops, soldier, army]}
- {code: COP, label: Police, nouns: [police]}
- {code: OPP, label: Opposition, nouns: [protester]}
"""
LEADERS = """\
- name: Vladimir Putin
  aliases: [Putin]
  terms:
    - {actor: RUSGOV, title: President, start: 2000-05-07, end: 2008-05-07}
    - {actor: RUSGOV, title: Prime Minister, start: 2008-05-08, end: 2012-05-06}
    - {actor: RUSGOV, title: President, start: 2012-05-07, end: null}
"""


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A small complete codebook folder: shipped taxonomy and rules, hand-written actors and patterns."""
    root = tmp_path_factory.mktemp("explain_cb") / "codebooks"
    root.mkdir()
    for name in ("events.yaml", "quad_classes.yaml", "discard.yaml", "modality.yaml", "plover.yaml"):
        shutil.copy(SHIPPED_CODEBOOK / name, root / name)
    shutil.copytree(SHIPPED_CODEBOOK / "scales", root / "scales")
    (root / "patterns").mkdir()
    (root / "patterns" / "10_test.yaml").write_text(PATTERNS)
    (root / "actors").mkdir()
    (root / "actors" / "countries.yaml").write_text(COUNTRIES)
    (root / "actors" / "roles.yaml").write_text(ROLES)
    (root / "actors" / "leaders.yaml").write_text(LEADERS)
    return root


@pytest.fixture(scope="module")
def nlp(base):
    return eventcode.load_pipeline(codebook=base)


def test_text_names_parse_actors_pattern_and_event(nlp):
    ex = explain("Ukrainian soldiers were attacked by Russian troops near Kharkiv.", nlp=nlp)
    assert isinstance(ex, Explanation)
    assert [(e["source"], e["target"], e["code"]) for e in ex.events] == [("RUSMIL", "UKRMIL", "190")]
    text = ex.text()
    # the parse: token, lemma, POS, dependency label and head
    assert any(t.text == "attacked" and t.lemma == "attack" and t.dep == "ROOT" for t in ex.tokens[0])
    assert "nsubjpass" in text and "agent" in text
    # the actors, each with its codebook entry and what its phrase resolved to
    assert "codebooks/actors/roles.yaml:1" in text and "codebooks/actors/countries.yaml:2" in text
    assert 'phrase "Russian troops"' in text and "-> RUSMIL" in text
    # the predicate: patterns tried and the one matched, with file and line; the passive rule
    pred = ex.predicates[0]
    assert pred.lemma == "attack" and pred.voice == "passive"
    assert pred.matched == "attack TARGET -> 190 [codebooks/patterns/10_test.yaml:2]"
    assert any("MATCH" in t for t in pred.tried)
    assert "passive" in text and "'by' agent" in text
    # the final event with its evidence
    assert "RUSMIL -> UKRMIL   190 Use conventional military force" in text


def test_negation_is_reported_as_the_rule_that_dropped_the_event(nlp):
    ex = explain("Russian troops did not attack Kyiv.", nlp=nlp)
    assert ex.events == []
    assert ex.predicates[0].matched and "negated by 'not'" in ex.predicates[0].dropped
    assert "dropped: negated by 'not'" in ex.text()


def test_hypothetical_modal_is_reported(nlp):
    ex = explain("Russian troops could attack Kyiv.", nlp=nlp)
    assert ex.events == [] and "hypothetical" in ex.predicates[0].dropped


def test_leader_terms_and_the_one_the_date_picks(nlp):
    ex = explain("Putin visited Kazakhstan.", date="2010-03-01", nlp=nlp)
    putin = next(m for m in ex.mentions if m.kind == "leader")
    marked = [d for d in putin.detail if "<-" in d]
    assert marked == ["term: RUSGOV Prime Minister 2008-05-08..2012-05-06  <- in office on 2010-03-01"]
    assert ex.events[0]["source"] == "RUSGOV"
    undated = explain("Putin visited Kazakhstan.", nlp=nlp)
    assert any("latest term" in d and "2012-05-07" in d for m in undated.mentions for d in m.detail)


def test_role_without_country_word_says_where_its_country_came_from(nlp):
    ex = explain("Police arrested protesters in Almaty.", nlp=nlp)
    assert [(e["source"], e["target"]) for e in ex.events] == [("KAZCOP", "KAZOPP")]
    police = next(m for m in ex.mentions if m.text == "Police")
    assert police.resolved == "KAZCOP" and "sentence country" in police.why
    assert any("no country word in the phrase" in d for d in police.detail)


def test_unknown_actor_and_unpatterned_verb_are_pointed_out(nlp):
    ex = explain("Rebels ambushed a convoy. Unknown gunmen attacked Kazakh police.", nlp=nlp)
    assert ex.events == []
    assert ("ambushed", "ambush") in [(t, lemma) for _, t, lemma in ex.unpatterned]
    attack = next(p for p in ex.predicates if p.lemma == "attack")
    assert any('"gunmen"' in n and "names no actor" in n for n in attack.notes)
    assert '"ambushed" (ambush)' in ex.text()


def test_discarded_sentence_is_reported(nlp):
    ex = explain("Russia beat Ukraine 2-1 in the World Cup qualifier.", nlp=nlp)
    assert ex.events == [] and ex.discarded and ex.discarded[0][1] == "sports"
    assert "discarded as 'sports'" in ex.text()


def test_html_has_displacy_parse_and_highlighted_source_verb_target(nlp):
    ex = explain("Russian troops attacked Ukrainian soldiers near Kharkiv.", nlp=nlp)
    html = ex._repr_html_()
    assert "<svg" in html and "displacy-word" in html
    assert 'title="source"' in html and 'title="verb"' in html and 'title="target"' in html
    # the highlighted words are the right ones
    h = ex.highlights[0]
    doc = ex.doc
    assert [doc[i].text for i in h["SOURCE"]] == ["Russian", "troops"]
    assert [doc[i].text for i in h["VERB"]] == ["attacked"]
    assert [doc[i].text for i in h["TARGET"]] == ["Ukrainian", "soldiers"]
    assert "190 Use conventional military force" in html and "10_test.yaml:2" in html


def test_events_as_a_table(nlp):
    df = explain("Russian troops attacked Kyiv.", nlp=nlp).to_frame()
    assert list(df[["source", "target", "code"]].itertuples(index=False, name=None)) == [("RUSMIL", "UKRGOV", "190")]
    assert df["codebook_version"].iloc[0] == eventcode.load_codebook(base=nlp.get_pipe("eventcode").codebook
                                                                      .folders[0]).version


def test_package_level_explain_and_bad_date():
    assert eventcode.explain is explain
    with pytest.raises(eventcode.InputError):
        explain("Russian troops attacked Kyiv.", date="last Tuesday", nlp=object())
    with pytest.raises(eventcode.InputError):
        explain("   ")

"""The coder's rules on hand-written sentences: code, source and target."""
from conftest import triples


def roots(events):
    return [(e["source"], e["target"], e["root_code"]) for e in events]


def test_active_sentence_police_fire_tear_gas(code):
    ev = code("Kazakh police fired tear gas at protesters in Almaty on Wednesday.")
    assert roots(ev) == [("KAZCOP", "KAZOPP", "17")] or roots(ev) == [("KAZCOP", "KAZOPP", "14")]
    assert "tear gas" in ev[0]["trigger"] and ev[0]["pattern_file"].startswith("codebooks/patterns/")


def test_passive_takes_source_from_by_agent(code):
    ev = code("Ukrainian soldiers were attacked by Russian troops near Kharkiv.")
    assert ("RUSMIL", "UKRMIL", "19") in roots(ev)


def test_negation_drops_the_event(code):
    assert code("Russian troops did not attack Ukrainian positions.") == []
    assert code("Russian troops never attacked Ukrainian positions.") == []


def test_hypothetical_modal_drops_the_event(code):
    assert code("Russian troops could attack Ukrainian positions.") == []


def test_threat_is_coded_as_threat_not_as_the_attack(code):
    ev = code("Russia threatened to attack Ukraine.")
    assert roots(ev) == [("RUS", "UKR", "13")]


def test_reported_speech_codes_the_embedded_event(code):
    ev = code("Kazakh officials said police arrested 40 protesters in Almaty.")
    assert roots(ev) == [("KAZCOP", "KAZOPP", "17")]
    assert ev[0]["code"] == "173"


def test_denied_clause_codes_nothing(code):
    assert [e for e in code("Moscow denied that its troops shelled Ukrainian villages.")
            if e["root_code"] in ("18", "19")] == []


def test_compound_source_gives_one_event_each(code):
    ev = code("Russia and China criticised the United States on Tuesday.")
    assert sorted(roots(ev)) == [("CHN", "USA", "11"), ("RUS", "USA", "11")]


def test_conjoined_verbs_give_one_event_each(code):
    ev = code("Police fired tear gas at demonstrators in Almaty and detained dozens of protesters.",
              date="2022-01-05")
    codes = [e["code"] for e in ev]
    assert "173" in codes and any(c.startswith(("17", "14")) and c != "173" for c in codes)
    assert all(e["source"] == "KAZCOP" for e in ev)


def test_leader_resolved_by_article_date(code):
    in_office = code("Nazarbayev met Putin in Moscow.", date="2015-06-01")
    assert roots(in_office) == [("KAZGOV", "RUSGOV", "04")]
    retired = code("Nazarbayev met Putin in Moscow.", date="2022-06-01")
    assert roots(retired) == [("KAZELI", "RUSGOV", "04")]


def test_role_without_country_takes_the_article_country(code):
    text = ("Protests spread across Kazakhstan on Wednesday.\n\n"
            "Police detained dozens of protesters.")
    ev = [e for e in code(text) if e["code"] == "173"]
    assert triples(ev) == [("KAZCOP", "KAZOPP", "173")]
    assert "article country" in ev[0]["source_resolution"]


def test_role_with_no_country_anywhere_is_unknown(code):
    ev = code("Police detained dozens of protesters.")
    assert triples(ev) == [("---COP", "---OPP", "173")]


def test_appeal_from_the_un(code):
    ev = code("The United Nations urged Kazakhstan to release detained protesters.")
    assert [(e["source"], e["target"], e["root_code"]) for e in ev][:1] == [("IGOUNO", "KAZ", "02")]


def test_sports_result_codes_nothing(code):
    assert code("Egypt beat Congo 2-1 in Cairo on Sunday.") == []


def test_headline_is_sentence_zero(code):
    ev = code("Russian troops shelled Ukrainian positions near Donetsk.",
              headline="Ukraine says Russian forces attacked its positions")
    heads = [e for e in ev if e["is_headline"]]
    body = [e for e in ev if not e["is_headline"]]
    assert heads and all(e["sentence_id"] == 0 for e in heads)
    assert body and all(e["sentence_id"] == 1 for e in body)

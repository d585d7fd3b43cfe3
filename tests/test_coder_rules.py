"""Coder rules added for CAMEO conventions on hand-written sentences: who is the source and the target when the
grammar hides them (stative passives, responsibility frames, receiving verbs, fallback targets, former officials)."""
from conftest import triples


def roots(events):
    return [(e["source"], e["target"], e["root_code"]) for e in events]


def test_stative_passive_subject_is_the_actor(code):
    ev = code("Turkey is opposed to Greek mediation in the dispute.")
    assert roots(ev) == [("TUR", "GRC", "12")]


def test_responsibility_frame_gives_the_source(code):
    ev = code("Myanmar's army is responsible for the killings of villagers in Rakhine.")
    assert [(e["source"], e["root_code"]) for e in ev] == [("MMRMIL", "19")]


def test_receiving_verb_with_source_slot_turns_the_subject_into_the_target(code, tmp_path):
    overlay = tmp_path / "patterns"
    overlay.mkdir()
    (overlay / "07_extra.yaml").write_text(
        'patterns:\n  - code: "072"\n    verbs:\n      - obtain {military_aid} from SOURCE\n', encoding="utf-8")
    import eventcode

    ev = eventcode.code_articles([{"id": "a", "text": "Georgian rebels obtained military aid from Russia."}],
                                 overlays=(str(tmp_path),))
    assert list(zip(ev["source"], ev["target"], ev["code"])) == [("RUS", "GEOREB", "072")]


def test_target_falls_back_to_the_nearest_other_actor(code):
    ev = code("Japan lifted restrictions on seafood imports, ending a long dispute with China.")
    assert triples(ev) == [("JPN", "CHN", "081")]
    assert "nearest other actor" in ev[0]["target_resolution"]


def test_fallback_target_skips_the_speaker_and_the_sources_own_country(code):
    ev = code("Serbian President Aleksandar Vucic resigned in Serbia on Monday, a Russian diplomat said.")
    assert [(e["source"], e["target"], e["root_code"]) for e in ev] == [("SRBGOV", None, "08")]


def test_former_office_holder_is_an_elite(code):
    ev = code("Former Prime Minister Nawaz Sharif criticized the army.")
    assert triples(ev) == [("PAKELI", "PAKMIL", "111")]


def test_agentless_arrest_takes_the_police_of_the_country(code):
    ev = code("A French journalist was arrested in Iran on Monday.")
    assert triples(ev) == [("IRNCOP", "FRAMED", "173")]


def test_existential_report_of_deaths_is_violence(code):
    ev = code("There were five Ukrainian soldiers killed near Kharkiv on Monday.")
    assert [(e["target"], e["root_code"]) for e in ev] == [("UKRMIL", "19")]


def test_failed_to_agree_is_a_refusal(code):
    ev = code("Serbia and Kosovo failed to reach an agreement in Brussels.")
    assert ev and {e["root_code"] for e in ev} == {"12"}


def test_want_to_is_an_intention_and_want_someone_to_is_not_their_act(code):
    ev = code("Iran wants to attack Israel.")
    assert roots(ev) == [("IRN", "ISR", "13")]
    assert all(e["source"] != "IGOWSTNAT" for e in code("Zelensky wants NATO to close the skies over Ukraine."))


def test_alleged_attack_is_coded_as_an_accusation(code):
    ev = code("Georgia claimed that Russian troops attacked a village near Gori.")
    assert [(e["source"], e["target"], e["root_code"]) for e in ev] == [("GEO", "RUSMIL", "11")]
    assert ev[0]["code"] == "1123"


def test_claim_of_own_attack_is_the_attack(code):
    ev = code("Al-Shabaab claimed that they had attacked the military base near Mogadishu.")
    assert {e["root_code"] for e in ev} == {"19"}


def test_accident_deaths_are_not_violence(code):
    assert code("A bus crash killed 20 people in western Kenya on Sunday.") == []
    assert code("Twelve people were killed in floods in Bangladesh.") == []
    assert code("Gunmen killed five villagers in Zamfara, Nigeria.") != []


def test_committed_to_doing_is_an_intention(code):
    ev = code("Ghana is committed to expanding trade with Nigeria.")
    assert [e["code"][:2] for e in ev] == ["03"]


def test_reported_demand_comes_before_a_subordinate_visit(code):
    ev = code("France said that Mali must release the hostages as its envoy began a visit to Senegal.")
    assert ev[0]["source"] == "FRA" and ev[0]["root_code"] == "10"


def test_statement_participle_speaks_for_its_author(code):
    ev = code("Germany issued a statement condemning the Russian strikes on Kyiv.")
    assert [(e["source"], e["root_code"]) for e in ev][:1] == [("DEU", "11")]


def test_fire_and_blasts_are_accidents_unless_an_attack_is_named(code):
    assert code("A fire at a wedding hall in northern Iraq killed more than 100 guests.") == []
    assert code("A passenger train derailed in Odisha, killing nearly 300 people.") == []
    assert [e["root_code"] for e in code("Israeli fire killed two Palestinians in Gaza.")] == ["19"]
    assert code("A car bomb blast killed 12 soldiers in Mogadishu.") != []


def test_wanting_someone_to_act_is_an_appeal_to_them(code):
    ev = code("Poland wants Germany to pay war reparations.")
    assert [(e["source"], e["target"], e["code"]) for e in ev] == [("POL", "DEU", "020")]


def test_call_for_someone_to_act_targets_them(code):
    ev = code("The European Union called for Serbia to release the detained journalists.")
    assert [(e["source"], e["target"], e["root_code"]) for e in ev] == [("IGOEUREEC", "SRB", "02")]


def test_offer_to_with_an_uncoded_complement_is_an_intent_to_cooperate(code):
    ev = code("Japan offered to look after the stranded sailors.")
    assert [(e["source"], e["code"]) for e in ev] == [("JPN", "030")]
    assert [e["code"] for e in code("Serbia agreed to impose sanctions on Russia.")] == ["1312"]


def test_subordinate_clause_acts_are_background_to_the_main_event(code):
    ev = code("Burundian militiamen attacked a refugee camp in Gatumba, killing at least 150 people.")
    assert [e["trigger"].split()[0] for e in ev] == ["attacked"]
    ev = code("Algeria threatened to cut ties with Spain ahead of a visit by the Moroccan king.")
    assert {e["root_code"] for e in ev} == {"13"}


def test_subordinate_act_is_coded_when_it_is_all_the_sentence_has(code):
    ev = code("The talks resumed in Geneva, two weeks after Russian troops shelled the Ukrainian port.")
    assert [(e["source"], e["root_code"]) for e in ev] == [("RUSMIL", "19")]


def test_subordinate_events_switch_keeps_every_clause(tmp_path):
    import eventcode

    (tmp_path / "modality.yaml").write_text("subordinate_events: keep\n", encoding="utf-8")
    text = "Burundian militiamen attacked a refugee camp in Gatumba, killing at least 150 people."
    ev = eventcode.code_articles([{"id": "a", "text": text}], overlays=(str(tmp_path),))
    assert len(ev) == 2


def test_reported_need_to_is_an_appeal_to_the_subject(code):
    ev = code("Merkel said that Greece needs to cut its budget deficit.")
    assert [(e["source"], e["target"], e["root_code"]) for e in ev] == [("DEUGOV", "GRC", "02")]


def test_wire_dateline_city_is_not_an_actor(code):
    ev = code("SEOUL, Oct 4 (Reuters) - North Korea fired a ballistic missile over Japan on Tuesday.")
    assert [(e["source"], e["target"]) for e in ev] == [("PRK", "JPN")]
    ev = code("HONG KONG, June 12 (Reuters) - Police fired tear gas at protesters outside the legislature.")
    assert [(e["source"], e["target"]) for e in ev] == [("HKGCOP", "HKGOPP")]  # a local story: its place


def test_warning_of_a_response_is_a_threat_to_the_clause_subject(code):
    ev = code("North Korea warned that the United States would face a merciless response if it continued the drills.")
    assert [(e["source"], e["target"], e["root_code"]) for e in ev] == [("PRK", "USA", "13")]
    assert code("The IMF warned that Greece would default on its debt.") == []


def test_actor_recoding_riot_repression_and_assault(code):
    ev = code("Thousands of protesters stormed the official residence of the president in Colombo.")
    assert [(e["source"], e["code"]) for e in ev] == [("LKAOPP", "145")]
    assert "actor_recoding" in ev[0]["evidence"]
    ev = code("Police opened fire on protesters in Nairobi.")
    assert [(e["source"], e["target"], e["code"]) for e in ev] == [("KENCOP", "KENOPP", "175")]
    ev = code("Gunmen killed five villagers in Zamfara, Nigeria.")
    assert [(e["source"], e["target"], e["code"]) for e in ev] == [("NGAUAF", "NGACVL", "180")]
    ev = code("Russian troops attacked Ukrainian positions near Kharkiv.")
    assert [e["code"] for e in ev] == ["190"]


def test_actor_recoding_rule_is_validated(tmp_path):
    import pytest

    from eventcode.codebook import load_codebook
    from eventcode.errors import CodebookError

    (tmp_path / "modality.yaml").write_text(
        'actor_recoding:\n  - {code: "190", source: [OPPO], to: "145"}\n', encoding="utf-8")
    with pytest.raises(CodebookError, match="modality.yaml:2.*role codes"):
        load_codebook(overlays=[str(tmp_path)])


def test_noun_event_has_one_author_and_places_are_not_targets(code):
    ev = code("President Vladimir Putin on Wednesday ordered Russia's first military mobilisation since World War Two.")
    assert [(e["source"], e["root_code"]) for e in ev] == [("RUSGOV", "15")]
    ev = code("Russian warships staged drills in the Sea of Japan.")
    assert [(e["source"], e["target"]) for e in ev] == [("RUSMIL", None)]


def test_reported_obligation_needs_an_actor_to_oblige(code):
    ev = code("The Kenyan foreign minister said on Monday that Somalia would need to hold elections soon.")
    assert [(e["target"], e["code"]) for e in ev] == [("SOM", "020")]
    assert code("The IMF said the economy needs to grow faster.") == []
    assert code("The minister said the country must do more to attract investors.") == []


def test_infinitive_parsed_as_ccomp_is_a_full_complement(code):
    ev = code("The electoral commission decided to allow Raila Odinga to participate in the presidential elections.")
    assert [e["code"] for e in ev] == ["0812"]


def test_complaint_to_a_third_party_targets_the_offender(code):
    ev = code("Ukraine complained to the OSCE over Russian shelling of its border villages.")
    assert [(e["source"], e["target"], e["code"]) for e in ev] == [("UKR", "RUS", "114")]


def test_rejected_offer_targets_its_author(code):
    ev = code("Venezuela rejected a proposal from Guyana for joint border patrols.")
    assert [(e["source"], e["target"], e["root_code"]) for e in ev] == [("VEN", "GUY", "12")]


def test_a_body_meeting_alone_is_not_a_consultation(code):
    assert code("Kenya's cabinet met on Tuesday to discuss the drought.") == []
    ev = code("Putin and Xi met in Beijing on Friday.")
    assert sorted((e["source"], e["target"]) for e in ev) == [("CHNGOV", "RUSGOV"), ("RUSGOV", "CHNGOV")]


def test_release_of_a_named_official_is_a_release(code):
    ev = code("The rebels freed the regional governor on Sunday.")
    assert [e["code"] for e in ev] == ["0841"]


def test_order_to_own_forces_codes_the_ordered_act(code):
    ev = code("Putin ordered the army to put nuclear forces on alert.")
    assert [(e["source"][:3], e["code"]) for e in ev] == [("RUS", "152")]
    ev = code("The president ordered Iran to stop enriching uranium.")
    assert [e["root_code"] for e in ev] == ["10"]


def test_act_in_a_protest_phrase_takes_the_crowd_as_source(code):
    ev = code("Hundreds of thousands of Egyptians packed Tahrir Square in a protest against President Hosni Mubarak.")
    assert [(e["source"][:3], e["target"], e["root_code"]) for e in ev] == [("EGY", "EGYGOV", "14")]


def test_joint_acts_pair_their_actors_and_venues_are_not_targets(code):
    ev = code("Obama and Medvedev signed a new arms treaty in Prague on Thursday.")
    assert sorted((e["source"], e["target"]) for e in ev) == [("RUSGOV", "USAGOV"), ("USAGOV", "RUSGOV")]
    ev = code("Turkish and Russian troops carried out their first joint patrol in northeastern Syria on Friday.")
    assert sorted((e["source"], e["target"]) for e in ev) == [("RUSMIL", "TURMIL"), ("TURMIL", "RUSMIL")]
    ev = code("Russian jets bombed targets in Aleppo.")
    assert [(e["source"], e["target"]) for e in ev] == [("RUSMIL", "SYR")]  # where an attack lands is its target


def test_warned_consequence_is_a_threat_even_when_hypothetical(code):
    ev = code("Erdogan warned on Tuesday that Turkey could cut diplomatic ties with Israel if the United States "
              "recognised Jerusalem.")
    assert [(e["source"], e["target"], e["code"]) for e in ev] == [("TUR", "ISR", "1313")]
    assert code("The IMF warned that growth could slow sharply next year.") == []


def test_armed_group_members_are_the_group(code):
    ev = code("Islamic State militants attacked a checkpoint in Kirkuk.")
    assert [e["source"] for e in ev] == ["IMGISI"]
    ev = code("Taliban forces seized the city of Kunduz.")
    assert [e["source"] for e in ev] == ["AFGREBTAL"]


def test_reported_agentless_future_act_is_the_speakers(code):
    ev = code("North Korea said any attack would be met with fire and fury.")
    assert [(e["source"], e["root_code"]) for e in ev] == [("PRK", "13")]
    ev = code("Israel said the border crossing would be reopened on Sunday.")
    assert [(e["source"], e["root_code"]) for e in ev] == [("ISR", "03")]


def test_met_with_protests_is_not_a_meeting(code):
    assert code("The reforms were met with protests in Paris.") == []
    assert [e["root_code"] for e in code("Macron was met by Putin at the Kremlin.")] == ["04"]

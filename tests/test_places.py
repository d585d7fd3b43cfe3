"""Event places offline (eventcode/places.py): gazetteer look-ups, places in hand-written sentences, datelines."""
import pytest

from eventcode.places import city_country, gazetteer

from conftest import tokens


@pytest.fixture(scope="module")
def gaz():
    return gazetteer()


def test_city_with_country_and_coordinates(gaz):
    almaty = gaz.resolve("Almaty")
    assert (almaty.name, almaty.country, almaty.kind) == ("Almaty", "KAZ", "city")
    assert almaty.latitude == pytest.approx(43.25, abs=0.1) and almaty.longitude == pytest.approx(76.9, abs=0.1)
    assert gaz.resolve("Alma-Ata") == almaty  # an older spelling
    assert gaz.resolve("Kiev").name == "Kyiv"


def test_country_has_no_point(gaz):
    kaz = gaz.resolve("Kazakhstan")
    assert (kaz.country, kaz.kind, kaz.latitude, kaz.longitude) == ("KAZ", "country", None, None)
    assert gaz.resolve("Russian Federation").country == "RUS"


def test_homonyms_by_population_and_article_country(gaz):
    assert gaz.resolve("Moscow").country == "RUS"
    assert gaz.resolve("Moscow", prefer_country="USA").country == "RUS"  # Moscow, Idaho is 400 times smaller
    assert gaz.resolve("Victoria", prefer_country="CAN").country == "CAN"


def test_city_country_for_the_actor_resolver():
    assert city_country("Almaty") == "KAZ"
    assert city_country("Kharkiv") == "UKR"
    assert city_country("Khartoum") == "SDN"
    assert city_country("Kazakhstan") is None   # a country, not a city
    assert city_country("Police") is None       # a Polish town of 34,000: too small to name a country
    assert city_country("Xyzzyville") is None


def test_place_in_the_sentence(gaz, parse):
    doc = parse("Security forces had killed dozens of protesters in Almaty.")
    m = gaz.event_place(doc[:], tokens(doc, "killed"))
    assert (m.place.name, m.place.country) == ("Almaty", "KAZ") and m.place.latitude is not None


def test_city_over_its_country(gaz, parse):
    doc = parse("A police spokesman in Kazakhstan's main city of Almaty said security forces had killed dozens "
                "of protesters.")
    assert [m.text for m in gaz.mentions(doc[:])] == ["Kazakhstan", "Almaty"]
    assert gaz.event_place(doc[:], tokens(doc, "killed")).place.name == "Almaty"


def test_place_of_the_events_clause_over_the_speakers(gaz, parse):
    doc = parse("Russian troops massed near Ukraine's border, the defence minister said in Moscow.")
    assert gaz.event_place(doc[:], tokens(doc, "massed")).place.country == "UKR"


def test_object_over_subject(gaz, parse):
    doc = parse("Russia attacked Ukraine.")
    assert gaz.event_place(doc[:], tokens(doc, "attacked")).place.country == "UKR"


def test_country_named_beside_the_city(gaz, parse):
    doc = parse("Officials met in Victoria, Canada.")
    assert gaz.mentions(doc[:])[0].place.country == "CAN"


@pytest.mark.parametrize("text", [
    "The Washington Post reported the talks.",
    "Brent crude rose above $90 a barrel.",
    "Leaders of the Commonwealth of Independent States met.",
    "The UN called for restraint.",
])
def test_names_that_are_not_places(gaz, parse, text):
    assert gaz.mentions(parse(text)[:]) == []


def test_small_town_only_after_a_locative_preposition(gaz, parse):
    assert [m.text for m in gaz.mentions(parse("Protesters gathered in Titao on Monday.")[:])] == ["Titao"]


@pytest.mark.parametrize("text, name, country", [
    ("New York: The United Nations called for restraint.", "New York City", "USA"),
    ("ALMATY (Steppe Wire) - Police fired tear gas.", "Almaty", "KAZ"),
    ("KYIV, Jan 7 (Wire) - Officials said.", "Kyiv", "UKR"),
    ("Almaty, Jan. 7, 2022 (Agency) -- Shops reopened.", "Almaty", "KAZ"),
])
def test_dateline(gaz, text, name, country):
    place = gaz.dateline(text)
    assert (place.name, place.country) == (name, country)


@pytest.mark.parametrize("text", ["Police said: the protest was banned.", "The country is facing unrest.",
                                  "Officials in Almaty said - nothing."])
def test_no_dateline(gaz, text):
    assert gaz.dateline(text) is None

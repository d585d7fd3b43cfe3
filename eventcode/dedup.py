"""Duplicates: the same event reported by several sentences or articles, collapsed to one row with counts.

News repeats itself: one clash is reported by a dozen outlets and restated in several sentences of each. Raw
event counts then measure coverage as much as events. :func:`deduplicate` keeps one row per event key and adds

* ``mentions``: how many rows (sentences) reported it, like GDELT's NumMentions;
* ``articles``: how many distinct articles (``doc_id``) did, like GDELT's NumArticles.

The default key is (``event_date``, ``source``, ``target``, ``code``): the same dyad doing the same thing on the
same day. ``one_a_day=True`` is the Phoenix pipeline's one-a-day filter instead: one event per (article date,
source, target, CAMEO event code), i.e. the key (``date``, ``source``, ``target``, ``code``), which ignores the
date the text gives for the event and uses the day the story was published, as Phoenix did.

Both the raw and the deduplicated table are event tables: the aggregation functions take either (pass
``weight_col="mentions"`` to count reports rather than distinct events). The row kept for each event is the
first one in the table's stable order (``doc_id``, ``sentence_id``, ``event_index``): its sentence and evidence
stand for the group. Missing values (no target, no date) are a value of the key like any other.
"""
from __future__ import annotations

import pandas as pd

DEFAULT_KEY: tuple[str, ...] = ("event_date", "source", "target", "code")
ONE_A_DAY_KEY: tuple[str, ...] = ("date", "source", "target", "code")
_ORDER = ("doc_id", "sentence_id", "event_index")


def deduplicate(events: pd.DataFrame, key=DEFAULT_KEY, one_a_day: bool = False) -> pd.DataFrame:
    """Collapse rows that share ``key`` to the first of them, with ``mentions`` and ``articles`` counts.

    ``events``: an event table (raw coder output, or an imported dataset). ``key``: the columns that identify an
    event; when ``event_date`` is in the key but not in the table, ``date`` is used. ``one_a_day=True`` uses
    :data:`ONE_A_DAY_KEY` (Phoenix). Returns a new table in the input's column order plus ``mentions`` and
    ``articles`` (int64), sorted by the stable event order; the input is not modified. Rows that already carry
    ``mentions``/``articles`` (a deduplicated table, a GDELT import) add them up instead of counting rows.
    """
    key = list(ONE_A_DAY_KEY if one_a_day else key)
    key = [("date" if k == "event_date" and k not in events.columns else k) for k in key]
    missing = [k for k in key if k not in events.columns]
    if missing:
        raise KeyError(f"deduplicate: no column(s) {missing} in the event table")
    order = [c for c in _ORDER if c in events.columns]
    df = events.sort_values(order, kind="stable", na_position="last") if order else events
    df = df.reset_index(drop=True)
    if df.empty:
        out = df.copy()
        out["mentions"] = pd.Series(dtype="int64")
        out["articles"] = pd.Series(dtype="int64")
        return out
    groups = df.groupby(key, dropna=False, sort=False)
    if "mentions" in df.columns:
        mentions = groups["mentions"].transform("sum")
    else:
        mentions = groups[key[0]].transform("size")
    if "articles" in df.columns:
        articles = groups["articles"].transform("sum")
    elif "doc_id" in df.columns:
        articles = groups["doc_id"].transform("nunique")
    else:
        articles = mentions
    first = groups.cumcount() == 0
    out = df.loc[first].copy()
    out["mentions"] = mentions[first].astype("int64").to_numpy()
    out["articles"] = articles[first].astype("int64").to_numpy()
    return out.reset_index(drop=True)

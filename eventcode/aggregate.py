"""From an event table to country-period panels and conflict-intensity indices.

Raw event counts mostly measure how much news there was, so every panel carries the period's total volume of
coded events (``n_total_period``, all countries) as a denominator, and the intensity indices are divided by it.

Conventions used throughout (chosen once, here):

* Events are dated by ``event_date`` (the date the text gives) when the table has it filled, with gaps taken from
  the article ``date``; otherwise by ``date``. Pass ``date_col`` to choose. Events without a usable date are left
  out (their number is in ``panel.attrs["n_undated"]``).
* Periods are labelled by their first day: ``D`` days, ``W`` weeks starting on Monday, ``M`` calendar months.
* Counts in periods with no events are 0. Ratios whose denominator is 0 (``goldstein_mean``,
  ``conflict_share``, ``share_of_volume`` and the intensities) are NaN, not 0: "no events" is not "neutral".
* ``n_quad_1`` .. ``n_quad_4`` and conflict (quads 3, 4) follow the default quad convention; events whose
  ``quad_class`` is outside 1-4 (e.g. penta's neutral 0) count in ``n_events`` only. Missing ``quad_class``
  values are filled from the root code with ``codebooks/quad_classes.yaml``.
* With ``weight_col`` (e.g. ``mentions`` of a deduplicated table) every count is a sum of weights and every mean
  a weighted mean; without it counts are integers.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from eventcode.codebook import SHIPPED_CODEBOOK

ROOT_CODES: tuple[str, ...] = tuple(f"{i:02d}" for i in range(1, 21))
QUADS: tuple[int, ...] = (1, 2, 3, 4)
#: quad classes counted as conflict (verbal 3, material 4) in the default convention
CONFLICT_QUADS: tuple[int, ...] = (3, 4)
#: the codebook file holding root -> class conventions (read when it exists)
QUAD_CODEBOOK = SHIPPED_CODEBOOK / "quad_classes.yaml"
# Used only when the codebook file is absent: 01-05 verbal coop, 06-08 material coop,
# 09-13 verbal conflict, 14-20 material conflict.
_FALLBACK_QUAD = {r: (1 if i <= 5 else 2 if i <= 8 else 3 if i <= 13 else 4)
                  for i, r in enumerate(ROOT_CODES, start=1)}

_FREQS = {"D": "D", "W": "W-SUN", "M": "M"}      # pandas period aliases; W-SUN = weeks Monday..Sunday
_BYS = ("either", "source", "target", "dyad")
_COUNT_COLS = (["n_events"] + [f"n_root_{r}" for r in ROOT_CODES] + [f"n_quad_{q}" for q in QUADS]
               + ["n_conflict"])
_VALUE_COLS = _COUNT_COLS + ["goldstein_sum", "goldstein_mean", "conflict_share", "conflict_severity_sum",
                             "n_total_period", "share_of_volume"]


def load_quad_mapping(convention: str | None = None, path: str | Path | None = None) -> dict[str, int]:
    """Root code -> class for a named convention of ``codebooks/quad_classes.yaml``.

    Reads the file so that the mapping lives in the codebook, not in code; ``convention=None`` takes the file's
    ``default``. Only when the file does not exist is the standard CAMEO quad mapping used.
    """
    path = Path(path) if path is not None else QUAD_CODEBOOK
    if not path.exists():
        if convention not in (None, "quad"):
            raise FileNotFoundError(f"{path}: needed for quad convention {convention!r}")
        return dict(_FALLBACK_QUAD)
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    name = convention or data.get("default", "quad")
    conventions = data.get("conventions") or {}
    if name not in conventions:
        raise KeyError(f"{path}: no convention {name!r} (have: {', '.join(sorted(conventions))})")
    roots = conventions[name].get("roots") or {}
    return {str(k).zfill(2): int(v) for k, v in roots.items()}


def _pick_date_col(events: pd.DataFrame, date_col: str | None) -> str:
    if date_col is not None:
        return date_col
    # the event date the text gives is preferred, but only when the coder filled it (older tables, or a run
    # without the date step, carry the column empty); gaps in it are filled from the article date in _prepare
    if "event_date" in events.columns and events["event_date"].notna().any():
        return "event_date"
    return "date"


def _clean_codes(s: pd.Series) -> pd.Series:
    s = s.astype("string").str.strip()
    return s.mask(s == "")


def _prepare(events: pd.DataFrame, date_col: str, weight_col: str | None) -> pd.DataFrame:
    """One row per dated event with the few columns aggregation needs, in canonical form."""
    if date_col not in events.columns:
        raise KeyError(f"no date column {date_col!r} in the event table")
    raw = events[date_col]
    if date_col == "event_date" and "date" in events.columns:   # the schema's fallback: the article date
        raw = raw.astype("object").where(raw.notna(), events["date"].astype("object"))
    dates = pd.to_datetime(raw.astype("object"), errors="coerce", format="ISO8601")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_convert("UTC").dt.tz_localize(None)
    dates = dates.dt.normalize()

    root = _clean_codes(events["root_code"]) if "root_code" in events.columns else pd.Series(
        pd.NA, index=events.index, dtype="string")
    if "code" in events.columns:
        root = root.fillna(_clean_codes(events["code"]).str[:2])
    root = root.str.zfill(2)

    quad = (pd.to_numeric(events["quad_class"], errors="coerce") if "quad_class" in events.columns
            else pd.Series(np.nan, index=events.index))
    if quad.isna().any():
        quad = quad.fillna(root.map(load_quad_mapping()).astype("float64"))

    if weight_col is None:
        w = pd.Series(1, index=events.index, dtype="int64")
    else:
        w = pd.to_numeric(events[weight_col], errors="coerce")
        if w.isna().any() or (w < 0).any():
            raise ValueError(f"weight column {weight_col!r} has missing or negative values")

    empty = pd.Series(pd.NA, index=events.index, dtype="string")
    out = pd.DataFrame({
        "date": dates,
        "source_country": _clean_codes(events["source_country"]) if "source_country" in events else empty,
        "target_country": _clean_codes(events["target_country"]) if "target_country" in events else empty,
        "root": root, "quad": quad, "w": w,
        "goldstein": pd.to_numeric(events["goldstein"], errors="coerce").astype("float64")
        if "goldstein" in events.columns else np.nan,
    })
    return out


def _units(ev: pd.DataFrame, by: str, countries) -> tuple[pd.DataFrame, list[str]]:
    """Attach unit keys: one row per (event, unit) it counts for."""
    wanted = None if countries is None else set(countries)
    if by == "dyad":
        u = ev[ev["source_country"].notna() & ev["target_country"].notna()]
        if wanted is not None:
            u = u[u["source_country"].isin(wanted) | u["target_country"].isin(wanted)]
        return u, ["source_country", "target_country"]
    parts = []
    if by in ("either", "source"):
        parts.append(ev[ev["source_country"].notna()].assign(country=lambda d: d["source_country"]))
    if by in ("either", "target"):
        tgt = ev[ev["target_country"].notna()]
        if by == "either":      # an event inside one country counts once for it
            same = (tgt["target_country"] == tgt["source_country"]).fillna(False).astype(bool)
            tgt = tgt[~same]
        parts.append(tgt.assign(country=lambda d: d["target_country"]))
    u = pd.concat(parts, ignore_index=True)
    if wanted is not None:
        u = u[u["country"].isin(wanted)]
    return u, ["country"]


def event_panel(events: pd.DataFrame, by: str = "either", freq: str = "D", countries=None, start=None,
                end=None, date_col: str | None = None, weight_col: str | None = None) -> pd.DataFrame:
    """Count events per country (or dyad) and period, with zero-filled periods and a news-volume denominator.

    ``by``: ``"either"`` counts an event for its source and for its target country (once when they are the same),
    ``"source"`` / ``"target"`` for one side only, ``"dyad"`` per (source_country, target_country) pair (events
    missing either side are left out). ``countries`` restricts the units (for dyads: pairs with at least one of
    them); listed countries without events still get rows of zeros. ``start``/``end`` bound the dates (default:
    first and last dated event of the whole table) and every period between them is present.

    Returns one row per unit and period, sorted by unit then period, with columns: ``country`` (or
    ``source_country``, ``target_country``), ``period`` (Timestamp of the period's first day), ``n_events``,
    ``n_root_01`` .. ``n_root_20``, ``n_quad_1`` .. ``n_quad_4``, ``n_conflict`` (quads 3+4), ``goldstein_sum``,
    ``goldstein_mean``, ``conflict_share`` (n_conflict / n_events), ``conflict_severity_sum`` (sum of
    -goldstein over quad 3+4 events), ``n_total_period`` (all dated events in the period, any country) and
    ``share_of_volume`` (n_events / n_total_period).
    """
    if by not in _BYS:
        raise ValueError(f"by must be one of {_BYS}, got {by!r}")
    if freq not in _FREQS:
        raise ValueError(f"freq must be one of {tuple(_FREQS)}, got {freq!r}")
    date_col = _pick_date_col(events, date_col)
    ev = _prepare(events, date_col, weight_col)
    n_undated = int(ev["date"].isna().sum())
    ev = ev[ev["date"].notna()]
    lo = pd.Timestamp(start) if start is not None else ev["date"].min()
    hi = pd.Timestamp(end) if end is not None else ev["date"].max()
    keys = ["source_country", "target_country"] if by == "dyad" else ["country"]
    if pd.isna(lo) or pd.isna(hi) or lo > hi:
        out = pd.DataFrame({c: pd.Series(dtype="string") for c in keys})
        out["period"] = pd.Series(dtype="datetime64[ns]")
        for c in _VALUE_COLS:
            out[c] = pd.Series(dtype="float64")
        return out
    ev = ev[(ev["date"] >= lo) & (ev["date"] <= hi)].copy()
    pfreq = _FREQS[freq]
    periods = pd.period_range(lo, hi, freq=pfreq).start_time
    ev["period"] = ev["date"].dt.to_period(pfreq).dt.start_time

    u, keys = _units(ev, by, countries)
    g = u["goldstein"]
    u = u.assign(
        gw=u["w"] * g.fillna(0.0),
        gw_n=u["w"] * g.notna(),
        sev=(u["w"] * -g).where(u["quad"].isin(CONFLICT_QUADS) & g.notna(), 0.0),
        conflict=u["w"] * u["quad"].isin(CONFLICT_QUADS),
    )
    idx = keys + ["period"]
    base = u.groupby(idx).agg(n_events=("w", "sum"), n_conflict=("conflict", "sum"),
                              goldstein_sum=("gw", "sum"), gw_n=("gw_n", "sum"),
                              conflict_severity_sum=("sev", "sum"))
    roots = (u.groupby(idx + ["root"])["w"].sum().unstack("root")
             .reindex(columns=list(ROOT_CODES)).add_prefix("n_root_"))
    quads = (u.assign(quad=u["quad"].astype("Int64")).groupby(idx + ["quad"])["w"].sum().unstack("quad")
             .reindex(columns=list(QUADS)).add_prefix("n_quad_"))
    table = base.join(roots).join(quads)

    if by == "dyad":
        pairs = sorted(set(zip(u["source_country"], u["target_country"])))
        grid = pd.MultiIndex.from_tuples([(s, t, p) for s, t in pairs for p in periods], names=idx)
    else:
        units = sorted(set(countries) if countries is not None else set(u["country"]))
        grid = pd.MultiIndex.from_product([units, periods], names=idx)
    table = table.reindex(grid).fillna(0).reset_index()
    # the MultiIndex may hold the key columns as object; keep them as pandas strings
    for k in keys:
        table[k] = table[k].astype("string")
    table["period"] = table["period"].astype("datetime64[ns]")

    total = ev.groupby("period")["w"].sum().reindex(periods, fill_value=0)
    table["n_total_period"] = table["period"].map(total).to_numpy()
    if weight_col is None:
        for c in _COUNT_COLS + ["n_total_period"]:
            table[c] = table[c].astype("int64")
    table["goldstein_mean"] = table["goldstein_sum"] / table["gw_n"].where(table["gw_n"] > 0)
    table["conflict_share"] = table["n_conflict"] / table["n_events"].where(table["n_events"] > 0)
    table["share_of_volume"] = table["n_events"] / table["n_total_period"].where(table["n_total_period"] > 0)
    table = table[keys + ["period"] + _VALUE_COLS].sort_values(keys + ["period"], ignore_index=True)
    table.attrs.update(by=by, freq=freq, date_col=date_col, weight_col=weight_col, n_undated=n_undated)
    return table


def _unit_keys(panel: pd.DataFrame) -> list[str]:
    if {"source_country", "target_country"} <= set(panel.columns):
        return ["source_country", "target_country"]
    return ["country"] if "country" in panel.columns else []


def volume_denominator(panel: pd.DataFrame, volume_window: int | None = None) -> pd.Series:
    """The news-volume denominator of the intensity indices, per panel row.

    ``volume_window=None`` (or 1): the period's own total volume, ``n_total_period``. An integer ``w`` > 1: the
    centred rolling mean of ``n_total_period`` over ``w`` periods (fewer at the ends), within each unit.

    Why: dividing by one day's volume makes the index explode on days when the corpus holds a single article, and
    a small or sparse corpus has many such days (a lone story about arrests scores as high as the worst day of a
    crisis). Averaging the denominator over a few weeks still corrects for slow changes in how much news there
    is, which is what volume normalisation is for, without letting a quiet news day pass for a violent one. Choose
    ``w`` so that the window holds on average some tens of coded events at least (for the demo corpus, 29 days or
    5 weeks: two weeks either side).
    Periods with a zero denominator give NaN. The panel must be zero-filled and sorted (as
    :func:`event_panel` returns it), so that rows are consecutive periods within each unit.
    """
    if "n_total_period" not in panel.columns:
        raise KeyError("panel lacks ['n_total_period']; build it with event_panel()")
    den = panel["n_total_period"].astype("float64")
    if volume_window is not None:
        if int(volume_window) != volume_window or volume_window < 1:
            raise ValueError(f"volume_window must be a positive integer or None, got {volume_window!r}")
        if volume_window > 1:
            keys = _unit_keys(panel)
            roll = lambda s: s.rolling(int(volume_window), center=True, min_periods=1).mean()  # noqa: E731
            den = den.groupby([panel[k] for k in keys], sort=False).transform(roll) if keys else roll(den)
    return den.where(den > 0).rename("volume")


def conflict_intensity(panel: pd.DataFrame, method: str = "goldstein", volume_window: int | None = None) -> pd.Series:
    """A volume-normalised conflict index per panel row, comparable across periods with more or less news.

    * ``"goldstein"``: I = sum over verbal and material conflict events (quad 3, 4) of (-goldstein), divided by
      the volume V; i.e. ``conflict_severity_sum / V``. Higher = more, and more severe, conflict.
    * ``"count"``: I = n_quad_4 / V, material conflict involving the unit per coded event.

    V is ``n_total_period`` (all coded events in the period, any country) by default; with ``volume_window=w``
    it is that volume averaged over ``w`` neighbouring periods (see :func:`volume_denominator`; use it for daily
    series of small corpora).

    Returns a float Series aligned with ``panel`` named ``intensity_goldstein`` or ``intensity_count``; NaN where
    the denominator is zero (no coded events at all).
    """
    if method == "goldstein":
        num, name = "conflict_severity_sum", "intensity_goldstein"
    elif method == "count":
        num, name = "n_quad_4", "intensity_count"
    else:
        raise ValueError(f"method must be 'goldstein' or 'count', got {method!r}")
    missing = [c for c in (num, "n_total_period") if c not in panel.columns]
    if missing:
        raise KeyError(f"panel lacks {missing}; build it with event_panel()")
    den = volume_denominator(panel, volume_window)
    return (panel[num].astype("float64") / den).rename(name)


def add_intensity(panel: pd.DataFrame, volume_window: int | None = None) -> pd.DataFrame:
    """A copy of ``panel`` with both indices added as ``intensity_goldstein`` and ``intensity_count``
    (``volume_window`` as in :func:`conflict_intensity`)."""
    out = panel.copy()
    out["intensity_goldstein"] = conflict_intensity(panel, "goldstein", volume_window)
    out["intensity_count"] = conflict_intensity(panel, "count", volume_window)
    return out


def peak(panel: pd.DataFrame, value: str, country: str | None = None) -> pd.Series:
    """The row of ``panel`` (one country's, when given) where ``value`` is highest; ties go to the earliest period.

    Returns that row (with ``period``, the unit and every column). NaN values are ignored; ValueError when the
    column is all NaN for the unit.
    """
    rows = panel if country is None else panel[panel["country"] == country]
    rows = rows.sort_values("period", kind="stable")
    vals = rows[value].astype("float64")
    if vals.notna().sum() == 0:
        raise ValueError(f"no values of {value!r}" + (f" for {country!r}" if country else ""))
    return rows.loc[vals.idxmax()]


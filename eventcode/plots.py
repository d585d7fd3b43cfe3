"""Figures for event panels: intensity lines, quad-class areas, dyad heatmaps, root-code bars.

All figures are built as :class:`matplotlib.figure.Figure` objects on the Agg canvas, without pyplot, so
nothing depends on (or changes) the session's backend and no window opens. The look is set once, in
:data:`STYLE` and the colour tables below. :func:`save_figure` writes PNG and SVG files that are byte-identical
from run to run (no timestamps, fixed SVG ids).
"""
from __future__ import annotations

import functools
from pathlib import Path

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import yaml
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from eventcode import aggregate

#: rcParams applied while a figure is drawn and saved
STYLE: dict = {
    "font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9, "legend.fontsize": 8,
    "xtick.labelsize": 8, "ytick.labelsize": 8,
    "axes.spines.top": False, "axes.spines.right": False,
    "axes.grid": True, "grid.color": "#dddddd", "grid.linewidth": 0.6, "axes.axisbelow": True,
    "figure.dpi": 100, "savefig.dpi": 150, "savefig.bbox": "tight",
    "svg.hashsalt": "eventcode", "svg.fonttype": "path",
}
#: one colour per quad class (colour-blind safe): cooperation in blues, conflict in orange/red
QUAD_COLORS = {1: "#9ecae1", 2: "#3182bd", 3: "#fdae6b", 4: "#d7301f"}
QUAD_LABELS = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict", 4: "material conflict"}
LINE_COLOR = "#333333"
EVENTS_CODEBOOK = aggregate.QUAD_CODEBOOK.parent / "events.yaml"


def _styled(func):
    """Run a plotting function inside the shared style."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with mpl.rc_context(STYLE):
            return func(*args, **kwargs)
    return wrapper


def _new_axes(ax=None, figsize=(7.5, 3.2)):
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def _date_axis(ax):
    loc = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))


def _one_country(panel: pd.DataFrame, country: str) -> pd.DataFrame:
    if "country" not in panel.columns:
        raise KeyError("panel has no 'country' column: build it with event_panel(by='either'|'source'|'target')")
    rows = panel[panel["country"] == country].sort_values("period")
    if rows.empty:
        raise ValueError(f"no rows for country {country!r} in the panel")
    return rows


@_styled
def plot_intensity(panel: pd.DataFrame, country: str, annotations: dict | None = None, ax=None,
                   method: str = "goldstein") -> Figure:
    """Line of one country's conflict intensity over time, with dated annotations (e.g. known escalations).

    ``method`` picks the index of :func:`eventcode.aggregate.conflict_intensity` (``"goldstein"`` or
    ``"count"``); it is computed if the panel lacks it. ``annotations`` maps a date to a label drawn as a dashed
    vertical line. Returns the Figure (the one holding ``ax`` if given).
    """
    rows = _one_country(panel, country)
    col = f"intensity_{method}"
    values = rows[col] if col in rows.columns else aggregate.conflict_intensity(rows, method)
    fig, ax = _new_axes(ax)
    ax.plot(rows["period"], values, color=QUAD_COLORS[4], linewidth=1.4)
    ylabel = {"goldstein": "conflict severity per coded event\n(sum of -Goldstein, quads 3-4 / volume)",
              "count": "material-conflict share of volume"}[method]
    ax.set_ylabel(ylabel)
    ax.set_title(f"{country}: conflict intensity")
    notes = sorted(((pd.Timestamp(w), str(lab)) for w, lab in (annotations or {}).items()), key=lambda kv: kv[0])
    for when, _ in notes:
        ax.axvline(when, color=LINE_COLOR, linestyle="--", linewidth=0.8)
    _date_axis(ax)
    # labels are vertical, to the right of their line; labels of lines closer than a label's width are pushed
    # right so that events a day apart stay readable
    ax.autoscale_view()
    to_points = 72.0 / fig.dpi
    last_right = -np.inf
    for when, label in notes:
        x = float(ax.transData.transform((mdates.date2num(when), 0.0))[0]) * to_points
        left = max(x + 2.0, last_right + 1.0)
        ax.annotate(label, xy=(when, 1.0), xycoords=("data", "axes fraction"), xytext=(left - x, -2),
                    textcoords="offset points", rotation=90, ha="left", va="top", fontsize=7, color=LINE_COLOR)
        last_right = left + 8.0                     # a 7-point label set vertically is about 8 points wide
    return fig


@_styled
def plot_quad_areas(panel: pd.DataFrame, country: str, share: bool = False, ax=None) -> Figure:
    """Stacked areas of one country's events by quad class; ``share=True`` shows each period's proportions."""
    rows = _one_country(panel, country)
    data = np.vstack([rows[f"n_quad_{q}"].to_numpy(dtype="float64") for q in aggregate.QUADS])
    if share:
        tot = data.sum(axis=0)
        data = np.divide(data, tot, out=np.zeros_like(data), where=tot > 0)
    fig, ax = _new_axes(ax)
    ax.stackplot(rows["period"], data, colors=[QUAD_COLORS[q] for q in aggregate.QUADS],
                 labels=[QUAD_LABELS[q] for q in aggregate.QUADS], linewidth=0)
    ax.set_ylabel("share of events" if share else "events")
    ax.set_title(f"{country}: events by quad class")
    handles, labels = ax.get_legend_handles_labels()        # legend top-down in the order of the stack
    ax.legend(handles[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    _date_axis(ax)
    return fig


@_styled
def plot_dyad_heatmap(dyad_panel: pd.DataFrame, top: int = 15, value: str = "n_events", ax=None) -> Figure:
    """Source x target matrix of ``value`` summed over all periods, for the ``top`` most active countries.

    Countries are ranked by their total as source plus as target (ties by code); cells show the totals.
    """
    tot = dyad_panel.groupby(["source_country", "target_country"])[value].sum()
    activity = (tot.groupby(level=0).sum().add(tot.groupby(level=1).sum(), fill_value=0)
                .rename_axis("country").reset_index(name="total"))
    activity = activity.sort_values(["total", "country"], ascending=[False, True])
    keep = list(activity["country"].head(top))
    mat = tot.unstack("target_country").reindex(index=keep, columns=keep).fillna(0)
    fig, ax = _new_axes(ax, figsize=(1.2 + 0.42 * len(keep), 0.8 + 0.42 * len(keep)))
    ax.grid(False)
    im = ax.imshow(mat.to_numpy(dtype="float64"), cmap="Reds", aspect="equal")
    ax.set_xticks(range(len(keep)), keep, rotation=90)
    ax.set_yticks(range(len(keep)), keep)
    ax.set_xlabel("target")
    ax.set_ylabel("source")
    ax.set_title(f"{value} by dyad (top {len(keep)})")
    vmax = float(mat.to_numpy().max()) if len(keep) else 0.0
    for i in range(len(keep)):
        for j in range(len(keep)):
            v = float(mat.iat[i, j])
            if v:
                ax.text(j, i, f"{v:g}", ha="center", va="center", fontsize=6,
                        color="white" if v > 0.6 * vmax else "black")
    fig.colorbar(im, ax=ax, shrink=0.8)
    return fig


def _root_names() -> dict[str, str]:
    if not EVENTS_CODEBOOK.exists():
        return {}
    with open(EVENTS_CODEBOOK, encoding="utf-8") as fh:
        entries = yaml.safe_load(fh) or []
    return {str(e["code"]): str(e.get("name", "")) for e in entries
            if isinstance(e, dict) and len(str(e.get("code", ""))) == 2}


@_styled
def plot_root_bars(events: pd.DataFrame, weight_col: str | None = None, ax=None) -> Figure:
    """Horizontal bars of events per CAMEO root code (01-20, zeros included), coloured by quad class."""
    root = events["root_code"].astype("string") if "root_code" in events.columns else None
    if root is None or root.isna().any():
        derived = events["code"].astype("string").str[:2]
        root = derived if root is None else root.fillna(derived)
    w = events[weight_col].astype("float64") if weight_col else pd.Series(1.0, index=events.index)
    counts = w.groupby(root.str.zfill(2)).sum().reindex(list(aggregate.ROOT_CODES), fill_value=0)
    quad = aggregate.load_quad_mapping("quad")
    names = _root_names()
    labels = [f"{r} {names[r]}" if names.get(r) else r for r in counts.index]
    fig, ax = _new_axes(ax, figsize=(6.5, 5.0))
    ypos = np.arange(len(counts))[::-1]
    ax.barh(ypos, counts.to_numpy(), color=[QUAD_COLORS.get(quad.get(r), "#999999") for r in counts.index])
    ax.set_yticks(ypos, labels)
    ax.set_xlabel("events" if weight_col is None else f"events weighted by {weight_col}")
    ax.set_title("events by CAMEO root code")
    ax.grid(axis="y", visible=False)
    return fig


def subplots(nrows: int, ncols: int = 1, sharex: bool = True, sharey: bool = False, panel_size=(7.5, 1.9)):
    """An empty grid of axes in the house style, for small multiples drawn with the ``ax=`` argument of the
    plotting functions. ``panel_size`` is (width of the whole figure, height of one row) in inches.
    Returns ``(fig, axes)`` with ``axes`` a flat list."""
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(panel_size[0], panel_size[1] * nrows))
        FigureCanvasAgg(fig)
        axes = fig.subplots(nrows, ncols, sharex=sharex, sharey=sharey, squeeze=False)
    return fig, list(axes.ravel())


def save_figure(fig: Figure, name: str, outdir: str | Path = "reports/figures") -> list[Path]:
    """Write ``fig`` as ``outdir/name.png`` and ``outdir/name.svg`` and return both paths.

    Why: reports are diffed and versioned, so the files carry no creation date or software stamp and SVG element
    ids come from a fixed salt; the same figure gives the same bytes on every run.
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    stem = Path(name).stem if Path(name).suffix in (".png", ".svg") else Path(name).name
    png, svg = outdir / f"{stem}.png", outdir / f"{stem}.svg"
    with mpl.rc_context(STYLE):
        fig.savefig(png, format="png", metadata={"Software": None})
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    return [png, svg]


@_styled
def plot_change_points(series: pd.Series, breaks: pd.DataFrame, ax=None, title: str | None = None,
                       ylabel: str = "events") -> Figure:
    """A series (indexed by period) with the segment means of a :func:`eventcode.models.change_points` table
    drawn as steps and each break as a dashed line labelled with its date."""
    s = pd.Series(series).dropna()
    fig, ax = _new_axes(ax)
    ax.plot(s.index, s.to_numpy(dtype="float64"), color=LINE_COLOR, linewidth=1.0, marker="o", markersize=2,
            label="observed")
    bounds = [0] + [int(p) for p in breaks["position"]] + [len(s)]
    for a, b in zip(bounds[:-1], bounds[1:]):
        seg = s.iloc[a:b]
        ax.hlines(seg.mean(), seg.index[0], seg.index[-1], color=QUAD_COLORS[4], linewidth=2.0,
                  label="segment mean" if a == 0 else None)
    for when in breaks["break_date"]:
        when = pd.Timestamp(when)
        ax.axvline(when, color=LINE_COLOR, linestyle="--", linewidth=0.8)
        ax.annotate(when.strftime("%d %b"), xy=(when, 1.0), xycoords=("data", "axes fraction"), xytext=(2, -2),
                    textcoords="offset points", rotation=90, ha="left", va="top", fontsize=7, color=LINE_COLOR)
    ax.set_ylabel(ylabel)
    ax.set_title("change points in the level of the series" if title is None else title)
    ax.legend(loc="upper right", frameon=False)
    _date_axis(ax)
    return fig


def save_numbers(numbers: dict, name: str, outdir: str | Path = "reports") -> Path:
    """Write a notebook's key numbers as ``outdir/name.json`` (sorted keys, stable bytes) and return the path.

    Values may be numpy or pandas scalars, Timestamps (written as YYYY-MM-DD when they have no time), NaN/NaT
    (written as null), or nested dicts and lists of them. Tests and closing notes read these files instead of
    parsing notebook output.
    """
    import json
    import math

    def clean(v):
        if isinstance(v, dict):
            return {str(k): clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        if v is None or v is pd.NaT:
            return None
        if isinstance(v, pd.Timestamp):
            return v.strftime("%Y-%m-%d") if v == v.normalize() else v.isoformat()
        if hasattr(v, "item"):                          # numpy scalars
            v = v.item()
        if isinstance(v, float) and not math.isfinite(v):
            return None
        return v

    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    path = outdir / f"{Path(name).stem}.json"
    path.write_text(json.dumps(clean(numbers), indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    return path

"""Plots return Figures, draw what the data say, and save byte-stable PNG and SVG files."""
import pandas as pd
import pytest
from matplotlib.figure import Figure

from eventcode import aggregate as A
from eventcode import plots as P

ROWS = [
    ("2024-03-04", "RUS", "UKR", "190", "19", 4, -10.0),
    ("2024-03-04", "UKR", "RUS", "111", "11", 3, -2.0),
    ("2024-03-05", "RUS", "UKR", "190", "19", 4, -10.0),
    ("2024-03-06", "RUS", "UKR", "0231", "02", 1, 3.4),
    ("2024-03-06", "FRA", "FRA", "141", "14", 4, -6.5),
    ("2024-03-08", "USA", "UKR", "040", "04", 1, 1.0),
    ("2024-03-09", "FRA", "RUS", "112", "11", 3, -2.0),
    ("2024-03-11", "BLR", "UKR", "145", "14", 4, -7.5),
]


@pytest.fixture
def events():
    return pd.DataFrame(ROWS, columns=["date", "source_country", "target_country", "code", "root_code",
                                       "quad_class", "goldstein"]).astype(
        {"date": "string", "source_country": "string", "target_country": "string", "code": "string",
         "root_code": "string"})


def test_plot_intensity_with_annotations(events, tmp_path):
    panel = A.event_panel(events)
    fig = P.plot_intensity(panel, "UKR", annotations={"2024-03-06": "talks", pd.Timestamp("2024-03-09"): "x"})
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["talks", "x"]
    line = ax.lines[0]
    expected = A.conflict_intensity(panel[panel.country == "UKR"]).to_numpy()
    assert list(line.get_ydata()[:2]) == pytest.approx(list(expected[:2]))   # 12/2 and 10/1
    assert line.get_ydata()[0] == pytest.approx(6.0)
    paths = P.save_figure(fig, "intensity_ukr", outdir=tmp_path)
    assert [p.name for p in paths] == ["intensity_ukr.png", "intensity_ukr.svg"]
    assert all(p.stat().st_size > 1000 for p in paths)
    with pytest.raises(ValueError):
        P.plot_intensity(panel, "ZZZ")


def test_plot_on_given_axes(events):
    panel = A.event_panel(events)
    fig = Figure()
    ax = fig.add_subplot()
    assert P.plot_intensity(panel, "RUS", ax=ax, method="count") is fig


def test_save_is_byte_stable(events, tmp_path):
    panel = A.event_panel(events)
    first = P.save_figure(P.plot_quad_areas(panel, "UKR"), "quads", outdir=tmp_path / "a")
    second = P.save_figure(P.plot_quad_areas(panel, "UKR"), "quads", outdir=tmp_path / "b")
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes()
    svg = first[1].read_text()
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg
    assert b"Software" not in first[0].read_bytes()


def test_quad_areas_share(events):
    panel = A.event_panel(events)
    fig = P.plot_quad_areas(panel, "UKR", share=True)
    ax = fig.axes[0]
    assert len(ax.collections) == 4
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(P.QUAD_LABELS.values())[::-1]


def test_dyad_heatmap_top(events, tmp_path):
    dyads = A.event_panel(events, by="dyad", freq="W")
    fig = P.plot_dyad_heatmap(dyads, top=3)
    ax = fig.axes[0]
    # activity (as source + as target): UKR 6, RUS 5, FRA 3 (FRA->FRA counts on both sides), BLR 1, USA 1
    assert [t.get_text() for t in ax.get_yticklabels()] == ["UKR", "RUS", "FRA"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["UKR", "RUS", "FRA"]
    img = ax.images[0].get_array()
    assert img[1, 0] == 3 and img[0, 1] == 1 and img[2, 2] == 1 and img[2, 1] == 1 and img[0, 0] == 0
    five = P.plot_dyad_heatmap(dyads, top=5).axes[0]
    assert [t.get_text() for t in five.get_yticklabels()][3:] == ["BLR", "USA"]     # tie broken by code
    assert all(p.stat().st_size > 0 for p in P.save_figure(fig, "dyads.png", outdir=tmp_path))


def test_root_bars(events, tmp_path):
    fig = P.plot_root_bars(events)
    ax = fig.axes[0]
    heights = [b.get_width() for b in ax.patches]
    assert len(heights) == 20
    by_root = dict(zip([f"{i:02d}" for i in range(1, 21)], heights))
    assert by_root["19"] == 2 and by_root["11"] == 2 and by_root["14"] == 2 and by_root["20"] == 0
    assert sum(heights) == len(events)
    assert all(p.stat().st_size > 0 for p in P.save_figure(fig, "roots", outdir=tmp_path))

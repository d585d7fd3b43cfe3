"""Execute every numbered notebook headless, in order, in a fresh copy of the project, and check the key numbers
each one records in ``reports/<name>.json``.

The copy holds no ``data/processed`` and no ``reports``, as a fresh clone: notebook 01 codes the raw corpus and the
others read what it wrote. ``../shared`` is linked beside the copy so that notebook 04 finds the development sets
where it would in a clone. The package itself is the installed (editable) one.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9]*.ipynb"))
SHARED = REPO.parent / "shared"
CELL_TIMEOUT = 900
COPY_IGNORE = shutil.ignore_patterns(".git", ".venv", "reports", "processed", "__pycache__", ".pytest_cache",
                                     "*.egg-info", ".ipynb_checkpoints", ".ci")
KAZ_DAILY_WINDOW = ("2022-01-02", "2022-01-11")
KAZ_PEAK_WEEK = "2022-01-03"
ESCALATION_WINDOW = ("2021-12-28", "2022-01-08")

pytestmark = pytest.mark.slow


def execute(path: Path, project: Path, parameters: dict | None = None):
    """Run one notebook with its working directory in the copy's notebooks/ folder (as nbconvert does).

    ``parameters`` are injected after the cell tagged ``parameters`` by papermill's own function, so this also
    checks that the notebooks take papermill parameters."""
    if parameters:
        from papermill.iorw import load_notebook_node
        from papermill.parameterize import parameterize_notebook

        nb = parameterize_notebook(load_notebook_node(str(path)), parameters)
    else:
        nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, kernel_name="python3", timeout=CELL_TIMEOUT,
                   resources={"metadata": {"path": str(project / "notebooks")}}).execute()
    return nb


def report_name(path: Path) -> str:
    return path.stem


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("clone")
    project = root / "eventcode"
    shutil.copytree(REPO, project, ignore=COPY_IGNORE)
    if SHARED.exists():
        (root / "shared").symlink_to(SHARED, target_is_directory=True)
    return project


@pytest.fixture(scope="module")
def executed(project):
    """name -> (executed notebook or None, its numbers as JSON text or None, error text or None).

    Run in file order, 01 first; a failing notebook is recorded, not raised, so that each test reports on its own
    notebook (a later notebook still runs on what the earlier ones wrote)."""
    from nbclient.exceptions import CellExecutionError

    assert NOTEBOOKS, "no numbered notebooks in notebooks/"
    assert not (project / "data" / "processed").exists()
    out = {}
    for path in NOTEBOOKS:
        nb, error = None, None
        try:
            nb = execute(project / "notebooks" / path.name, project)
        except CellExecutionError as exc:
            error = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))[-3000:]     # the traceback without colour codes
        numbers = project / "reports" / f"{report_name(path)}.json"
        out[path.stem] = (nb, numbers.read_text(encoding="utf-8") if numbers.exists() and not error else None, error)
    return out


def numbers(executed, prefix: str) -> dict:
    names = [n for n in executed if n.startswith(prefix)]
    assert len(names) == 1, names
    _, text, error = executed[names[0]]
    assert error is None, f"{names[0]} failed:\n{error}"
    assert text is not None, f"{names[0]} wrote no reports/{names[0]}.json"
    return json.loads(text)


def within(day: str, window: tuple[str, str]) -> bool:
    return pd.Timestamp(window[0]) <= pd.Timestamp(day) <= pd.Timestamp(window[1])


# ------------------------------------------------------------------------------------------ the committed files


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs_and_parameterised(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), f"{path.name} has outputs"
    assert "parameters" in code[0].metadata.get("tags", []), f"{path.name}: first code cell is not 'parameters'"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


def test_numbered_notebooks_present():
    stems = [p.stem[:2] for p in NOTEBOOKS]
    assert stems[:4] == ["01", "02", "03", "04"]


# ------------------------------------------------------------------------------------------ executed numbers


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes_without_errors(executed, path):
    nb, _, error = executed[path.stem]
    assert error is None, f"{path.name} failed:\n{error}"
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, path.name


def test_01_codes_the_corpus_and_saves_it(executed, project):
    n = numbers(executed, "01")
    path = project / n["events_path"]
    assert path == project / "data" / "processed" / "events.parquet" and path.exists()
    import eventcode

    events = eventcode.read_events(path)
    assert n["events"] == len(events) > 0
    assert n["articles"] >= 150
    assert 0 < n["articles_with_events"] <= n["articles"]
    assert sum(n["events_by_root"].values()) == n["events"]
    assert sum(n["events_by_quad"].values()) == n["events"]
    assert n["countries_as_source"] == events["source_country"].nunique() > 1
    assert "2021-12-01" <= n["first_date"] <= n["last_date"] <= "2022-02-28"


def test_02_dates_the_kazakhstan_peak(executed, project):
    n = numbers(executed, "02")
    assert n["country"] == "KAZ"
    assert within(n["peak_day"], KAZ_DAILY_WINDOW), n["peak_day"]
    assert n["peak_week"] == KAZ_PEAK_WEEK
    assert n["peak_week_count_index"] == KAZ_PEAK_WEEK          # the alternative index agrees on the week
    assert n["peak_day_conflict_events"] >= 3
    assert n["spearman_daily_indices"] > 0.5
    # the timing is stated against the known events: the peak comes after the first protests
    assert n["peak_minus_events_days"]["protests begin (Zhanaozen)"] >= 0
    assert set(n["comparison_peak_weeks"]) >= {"KAZ"}
    for fig in ("02_intensity_KAZ_D", "02_quad_areas_KAZ_D", "02_dyads", "02_root_codes_KAZ",
                "02_intensity_comparison_W"):
        assert f"{fig}.png" in n["figures"]
        for ext in ("png", "svg"):
            assert (project / "reports" / "figures" / f"{fig}.{ext}").stat().st_size > 1000


def test_03_models_and_change_points(executed):
    n = numbers(executed, "03")
    assert n["country"] == "KAZ" and n["n_days"] == 76 and n["total"] > 0
    assert n["family"] in ("poisson", "negbin")
    from eventcode.models import OVERDISPERSION_P, OVERDISPERSION_RATIO

    overdispersed = n["dispersion"] > OVERDISPERSION_RATIO and n["ct_p_value"] < OVERDISPERSION_P
    assert n["family"] == ("negbin" if overdispersed else "poisson")
    if overdispersed:                                        # the better-fitting family was chosen
        assert n["aic_negbin"] < n["aic_poisson"]
    assert within(n["first_escalation"], ESCALATION_WINDOW), n["first_escalation"]
    assert n["crisis_irr"] > 2 and n["crisis_irr_conf_low"] > 1
    assert set(n["comparison_first_escalation"]) == {"BFA", "KAZ", "RUS", "SDN", "UKR"}
    assert n["comparison_first_escalation"]["KAZ"] == n["first_escalation"]
    assert n["comparison_total"]["KAZ"] == n["total"]
    assert sum(1 for v in n["comparison_total"].values() if v > 0) >= 3


def test_04_validation_scores(executed):
    from eventcode import evaluate

    n = numbers(executed, "04")
    # the tour counts the shipped codebook: the issue asks for 2,000+ patterns over all 20 roots
    assert sum(n["patterns_by_root"].values()) == n["patterns"] >= 2000
    assert n["roots_with_patterns"] == 20 == len(n["patterns_by_root"])
    dev = SHARED / "dev"
    assert n["have_dev"] == ((dev / "plover_gsr_cameo.json").exists() and (dev / "cameo_manual_penta.jsonl").exists())
    if not n["have_dev"]:
        pytest.skip("development sets not found: validation part skipped by the notebook")
    pl = n["plover_gsr_cameo"]
    assert pl["sentences"] == len(evaluate.read_gold(dev / "plover_gsr_cameo.json"))
    for level in evaluate.LEVELS:
        assert 0 <= pl[f"{level}_f1"] <= 1
    assert pl["root_f1"] >= pl["dyad_root_f1"] >= pl["exact_f1"]   # each level is stricter than the last
    assert pl["root_f1"] > 0.3                                      # the coder does code the gold sentences
    pe = n["cameo_manual_penta"]
    assert pe["sentences"] == len(evaluate.read_gold(dev / "cameo_manual_penta.jsonl"))
    assert 0 < pe["coverage"] <= 1 and pe["accuracy_all"] <= pe["accuracy_covered"]
    assert pe["accuracy_all"] > 0.3
    assert 0 <= pe["misses"] < pe["sentences"]


# ------------------------------------------------------------------------------------------ determinism, parameters


@pytest.mark.parametrize("prefix", ["02", "03"])
def test_rerun_gives_the_same_numbers_and_figures(executed, project, prefix):
    path = next(p for p in NOTEBOOKS if p.stem.startswith(prefix))
    figures = project / "reports" / "figures"
    before = {f.name: f.read_bytes() for f in sorted(figures.glob(f"{prefix}_*.png"))}
    execute(project / "notebooks" / path.name, project)
    again = (project / "reports" / f"{path.stem}.json").read_text(encoding="utf-8")
    assert executed[path.stem][1] is not None and again == executed[path.stem][1]
    after = {f.name: f.read_bytes() for f in sorted(figures.glob(f"{prefix}_*.png"))}
    assert before and after == before


def test_papermill_parameters_switch_country_and_period(executed, project):
    path = next(p for p in NOTEBOOKS if p.stem.startswith("02"))
    execute(project / "notebooks" / path.name, project,
            parameters={"country": "SDN", "freq": "W", "report_name": "02-sdn-weekly"})
    n = json.loads((project / "reports" / "02-sdn-weekly.json").read_text(encoding="utf-8"))
    assert n["country"] == "SDN" and n["conflict_events"] > 0
    assert "02_intensity_SDN_W.png" in n["figures"]
    assert "peak_minus_events_days" in n and n["peak_minus_events_days"] == {}   # no Kazakhstan timeline on Sudan

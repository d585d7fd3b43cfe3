"""count_model, change_points and stl_decompose on simulated series with fixed seeds."""
import numpy as np
import pandas as pd
import pytest

from eventcode import models as M


def daily(y, start="2024-01-01", col="n_conflict"):
    return pd.DataFrame({"period": pd.date_range(start, periods=len(y)), col: y})


@pytest.fixture
def poisson_trend():
    rng = np.random.default_rng(42)
    t = np.arange(200)
    return daily(rng.poisson(np.exp(1.5 + 0.01 * t)))


@pytest.fixture
def overdispersed():
    rng = np.random.default_rng(7)
    t = np.arange(300)
    mu = np.exp(2.0 + 0.004 * t)
    alpha = 0.5                                        # Var = mu + alpha mu^2 (gamma-Poisson mixture)
    return daily(rng.poisson(rng.gamma(shape=1 / alpha, scale=alpha * mu)))


def test_poisson_recovers_rate(poisson_trend):
    r = M.count_model(poisson_trend, seasonal=None)
    c = r.coefficients.set_index("term")
    assert list(r.coefficients.columns) == M.COEF_COLUMNS
    assert list(c.index) == ["intercept", "trend"]
    assert r.summary.loc[0, "family"] == "poisson"
    assert r.summary.loc[0, "n"] == 200
    assert np.isnan(r.summary.loc[0, "alpha"])
    assert 0.9 < r.summary.loc[0, "dispersion"] < 1.25
    assert c.loc["trend", "estimate"] == pytest.approx(0.01, abs=0.0015)
    assert c.loc["intercept", "estimate"] == pytest.approx(1.5, abs=0.12)
    assert c.loc["trend", "incidence_rate_ratio"] == pytest.approx(np.exp(c.loc["trend", "estimate"]))
    assert c.loc["trend", "conf_low"] < 0.01 < c.loc["trend", "conf_high"]
    assert c.loc["trend", "p_value"] < 1e-10


def test_negbin_chosen_when_overdispersed(overdispersed):
    r = M.count_model(overdispersed, seasonal=None)
    s = r.summary.iloc[0]
    assert s.family == "negbin" and bool(s.converged)
    assert s.dispersion > 3 and s.ct_p_value < 0.001
    assert 0.3 < s.alpha < 0.7
    c = r.coefficients.set_index("term")
    assert "alpha" not in c.index
    assert c.loc["trend", "estimate"] == pytest.approx(0.004, abs=0.0015)
    forced = M.count_model(overdispersed, seasonal=None, family="poisson")
    assert forced.summary.loc[0, "family"] == "poisson"
    # Poisson standard errors are too small on overdispersed data
    assert (forced.coefficients.set_index("term").loc["trend", "std_error"]
            < c.loc["trend", "std_error"] / 2)


def test_poisson_data_not_switched_when_forced_auto(poisson_trend):
    assert M.count_model(poisson_trend, seasonal="dow").summary.loc[0, "family"] == "poisson"
    nb = M.count_model(poisson_trend, seasonal=None, family="negbin")
    assert nb.summary.loc[0, "family"] == "negbin" and nb.summary.loc[0, "alpha"] < 0.05


def test_seasonal_terms(poisson_trend):
    r = M.count_model(poisson_trend, seasonal="dow")       # 2024-01-01 is a Monday: Monday is the reference
    assert list(r.coefficients["term"]) == ["intercept", "trend", "dow_Tue", "dow_Wed", "dow_Thu", "dow_Fri",
                                            "dow_Sat", "dow_Sun"]
    m = M.count_model(poisson_trend, seasonal="month", trend=False)
    assert list(m.coefficients["term"]) == ["intercept", "month_02", "month_03", "month_04", "month_05",
                                            "month_06", "month_07"]
    weekly = pd.DataFrame({"period": pd.date_range("2024-01-01", periods=30, freq="7D"), "n_conflict": 3})
    with pytest.raises(ValueError, match="daily"):
        M.count_model(weekly, seasonal="dow")


def test_exposure_offset():
    rng = np.random.default_rng(1)
    volume = rng.integers(50, 500, size=150)
    volume[:3] = 0
    y = rng.poisson(0.2 * volume)
    df = daily(y).assign(n_total_period=volume)
    r = M.count_model(df, trend=False, seasonal=None, exposure="n_total_period")
    assert r.summary.loc[0, "n"] == 147 and r.summary.loc[0, "n_dropped"] == 3
    assert r.coefficients.loc[0, "incidence_rate_ratio"] == pytest.approx(0.2, rel=0.03)


def test_n_conflict_built_from_quads_and_errors():
    df = pd.DataFrame({"period": pd.date_range("2024-01-01", periods=20),
                       "n_quad_3": [1, 2] * 10, "n_quad_4": [0, 3] * 10})
    r = M.count_model(df, trend=False, seasonal=None, family="poisson")
    assert r.coefficients.loc[0, "incidence_rate_ratio"] == pytest.approx(3.0)
    with pytest.raises(ValueError, match="one row per"):
        M.count_model(pd.concat([df, df]), seasonal=None)
    with pytest.raises(KeyError):
        M.count_model(df, y="n_events")
    with pytest.raises(ValueError):
        M.count_model(df, family="gamma")


def test_change_point_step_found_within_two_days():
    rng = np.random.default_rng(3)
    x = np.r_[rng.poisson(5, 40), rng.poisson(15, 30)]
    s = pd.Series(x, index=pd.date_range("2024-01-01", periods=70))
    t = M.change_points(s)
    assert list(t.columns) == M.BREAK_COLUMNS
    assert len(t) == 1
    assert abs((t.loc[0, "break_date"] - pd.Timestamp("2024-02-10")).days) <= 2
    assert t.loc[0, "mean_before"] == pytest.approx(5, abs=1) and t.loc[0, "mean_after"] == pytest.approx(15, abs=1.5)
    assert t.loc[0, "change"] > 0 and t.loc[0, "p_value"] < 0.001
    assert t.equals(M.change_points(s))                                   # deterministic


def test_change_points_exact_on_noiseless_steps():
    s = pd.Series([5.0] * 20 + [9.0] * 20 + [2.0] * 15, index=pd.date_range("2024-05-01", periods=55))
    t = M.change_points(s, max_breaks=3)
    assert list(t["position"]) == [20, 40]
    assert list(t["break_date"]) == [pd.Timestamp("2024-05-21"), pd.Timestamp("2024-06-10")]
    assert list(t["mean_before"]) == [5.0, 9.0] and list(t["mean_after"]) == [9.0, 2.0]
    assert list(t["change"]) == [4.0, -7.0]
    assert len(M.change_points(s, max_breaks=1)) == 1


def test_change_points_none_on_stationary_noise_and_errors():
    rng = np.random.default_rng(11)
    s = pd.Series(rng.poisson(8, 120).astype(float), index=pd.date_range("2024-01-01", periods=120))
    assert len(M.change_points(s)) == 0
    with pytest.raises(ValueError):
        M.change_points(s.iloc[:8], min_size=5)
    with pytest.raises(ValueError):
        M.change_points(s, method="pelt")


def test_stl_decompose():
    n = 8 * 7
    idx = pd.date_range("2024-01-01", periods=n)
    weekly = np.tile([0, 1, 2, 3, 2, -3, -5], 8).astype(float)
    s = pd.Series(10 + 0.1 * np.arange(n) + weekly, index=idx)
    d = M.stl_decompose(s, period=7)
    assert list(d.columns) == ["period", "observed", "trend", "seasonal", "resid"]
    assert (d["period"] == idx).all()
    assert np.allclose(d["trend"] + d["seasonal"] + d["resid"], d["observed"])
    mid = d.iloc[14:42]
    assert np.allclose(mid["seasonal"], weekly[14:42] - weekly.mean(), atol=0.3)
    with pytest.raises(ValueError, match="two full cycles"):
        M.stl_decompose(s.iloc[:13], period=7)
    with pytest.raises(ValueError, match="missing"):
        M.stl_decompose(s.where(s.index != idx[3]))

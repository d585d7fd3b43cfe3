"""Statistical models for one country's (or dyad's) event series: count regressions, change points, STL.

Every function returns tidy pandas objects (one row per term, per break or per period) so results can be saved,
joined and plotted; nothing is printed. Input is one unit's rows of an :func:`eventcode.aggregate.event_panel`
(filter the panel to one country first) or a Series indexed by period.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.discrete.discrete_model import NegativeBinomial
from statsmodels.stats.diagnostic import breaks_cusumolsresid
from statsmodels.tsa.seasonal import STL

#: ``family="auto"`` switches from Poisson to negative binomial when BOTH the Poisson fit's Pearson
#: chi2 / df_resid exceeds this value AND the Cameron-Trivedi test rejects equidispersion at OVERDISPERSION_P.
#: Requiring both avoids switching on a chance excess in short series and on a trivial one in very long series.
OVERDISPERSION_RATIO = 1.25
OVERDISPERSION_P = 0.05

COEF_COLUMNS = ["term", "estimate", "std_error", "z", "p_value", "conf_low", "conf_high",
                "incidence_rate_ratio", "irr_conf_low", "irr_conf_high"]
FIT_COLUMNS = ["family", "y", "n", "n_dropped", "llf", "aic", "dispersion", "ct_alpha", "ct_z", "ct_p_value",
               "alpha", "converged"]
BREAK_COLUMNS = ["break_date", "position", "mean_before", "mean_after", "change", "statistic", "p_value"]
_DOW = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class CountModelResult:
    """What :func:`count_model` returns: tidy coefficients, a one-row fit summary, and the statsmodels result."""
    coefficients: pd.DataFrame
    summary: pd.DataFrame
    result: object


def _design(df: pd.DataFrame, date_col: str, trend: bool, seasonal: str | None) -> pd.DataFrame:
    """Intercept, trend scaled to [0, 1] over the sample (for the optimiser), seasonal dummies."""
    X = pd.DataFrame({"intercept": 1.0}, index=df.index)
    if trend:
        X["trend"] = np.arange(len(df), dtype="float64") / max(len(df) - 1, 1)
    if seasonal is None:
        return X
    dates = pd.to_datetime(df[date_col])
    if seasonal == "dow":
        labels, names = dates.dt.day_of_week, {i: f"dow_{d}" for i, d in enumerate(_DOW)}
    elif seasonal == "month":
        labels, names = dates.dt.month, {m: f"month_{m:02d}" for m in range(1, 13)}
    else:
        raise ValueError(f"seasonal must be 'dow', 'month' or None, got {seasonal!r}")
    levels = sorted(labels.unique())
    if len(levels) < 2:
        raise ValueError(f"seasonal={seasonal!r} needs at least two distinct levels in the data "
                         "('dow' needs daily data)")
    for lev in levels[1:]:                                   # first level present is the reference
        X[names[lev]] = (labels == lev).astype("float64")
    return X


def _cameron_trivedi(y: np.ndarray, mu: np.ndarray) -> tuple[float, float, float]:
    """Cameron & Trivedi (1990) auxiliary regression for NB2 overdispersion.

    Regress ((y - mu)^2 - y) / mu on mu without a constant; the slope estimates alpha in
    Var(y) = mu + alpha * mu^2. Returns (alpha, z, one-sided p-value for alpha > 0).
    """
    aux = ((y - mu) ** 2 - y) / mu
    fit = sm.OLS(aux, mu[:, None]).fit()
    z = float(fit.tvalues[0])
    return float(fit.params[0]), z, float(stats.norm.sf(z))


def _tidy(result, drop: tuple[str, ...] = (), trend_span: float = 1.0) -> pd.DataFrame:
    """Coefficient table; the trend row is divided by ``trend_span`` so it reads per period."""
    ci = result.conf_int()
    out = pd.DataFrame({
        "term": list(result.params.index),
        "estimate": result.params.to_numpy(),
        "std_error": result.bse.to_numpy(),
        "z": result.tvalues.to_numpy(),
        "p_value": result.pvalues.to_numpy(),
        "conf_low": ci.iloc[:, 0].to_numpy(),
        "conf_high": ci.iloc[:, 1].to_numpy(),
    })
    out = out[~out["term"].isin(drop)].reset_index(drop=True)
    is_trend = out["term"] == "trend"
    for col in ("estimate", "std_error", "conf_low", "conf_high"):
        out.loc[is_trend, col] = out.loc[is_trend, col] / trend_span
    with np.errstate(over="ignore"):            # a separated dummy has an infinite ratio: inf, not a warning
        out["incidence_rate_ratio"] = np.exp(out["estimate"])
        out["irr_conf_low"] = np.exp(out["conf_low"])
        out["irr_conf_high"] = np.exp(out["conf_high"])
    return out[COEF_COLUMNS]


def count_model(series_df: pd.DataFrame, y: str = "n_conflict", trend: bool = True, seasonal: str | None = "dow",
                family: str = "auto", date_col: str = "period", exposure: str | None = None,
                covariates=None) -> CountModelResult:
    """Regress an event count on a linear trend and seasonal dummies, choosing Poisson or negative binomial.

    Why: event counts are overdispersed more often than not (bursty news); a Poisson fit then understates
    standard errors. A Poisson GLM is fitted first; its Pearson chi2/df and the Cameron-Trivedi test decide
    (``family="auto"``, thresholds :data:`OVERDISPERSION_RATIO`, :data:`OVERDISPERSION_P`) whether to refit as an
    NB2 negative binomial with alpha estimated by maximum likelihood (statsmodels ``NegativeBinomial``).

    ``series_df`` has one row per period (rows are sorted by ``date_col``; ``trend`` counts periods 0, 1, 2...,
    which is calendar time because panels are zero-filled; it is fitted scaled to 0..1 for numerical stability,
    so ``result`` holds it per whole sample span while ``coefficients`` report it per period).
    ``seasonal``: ``"dow"`` day-of-week dummies (daily data), ``"month"`` month dummies, or None; the first
    level present is the reference. ``exposure``: a column (e.g. ``"n_total_period"``) whose log enters as an
    offset, so coefficients describe rates per unit of news volume; rows where it is 0 are dropped.
    ``covariates``: further numeric columns of ``series_df`` entered as regressors under their own names (e.g. a
    0/1 column marking the periods after a change point, whose incidence-rate ratio is the jump in the rate).
    If ``y="n_conflict"`` is absent it is built as n_quad_3 + n_quad_4.

    Returns a :class:`CountModelResult`: ``coefficients`` (term, estimate, std_error, z, p_value, conf_low,
    conf_high, incidence_rate_ratio = exp(estimate), irr_conf_low, irr_conf_high; 95% Wald intervals) and a one-row
    ``summary`` (family, y, n, n_dropped, llf, aic, dispersion = Poisson Pearson chi2/df, ct_alpha, ct_z,
    ct_p_value, alpha = NB2 alpha or NaN for Poisson, converged).
    """
    if family not in ("auto", "poisson", "negbin"):
        raise ValueError(f"family must be 'auto', 'poisson' or 'negbin', got {family!r}")
    df = series_df.copy()
    if y not in df.columns and y == "n_conflict" and {"n_quad_3", "n_quad_4"} <= set(df.columns):
        df[y] = df["n_quad_3"] + df["n_quad_4"]
    if y not in df.columns:
        raise KeyError(f"no column {y!r}")
    if df[date_col].duplicated().any():
        raise ValueError(f"more than one row per {date_col}: filter the panel to one country or dyad first")
    df = df.sort_values(date_col).reset_index(drop=True)
    X = _design(df, date_col, trend, seasonal)
    for col in covariates or ():
        if col not in df.columns:
            raise KeyError(f"no covariate column {col!r}")
        if col in X.columns:
            raise ValueError(f"covariate {col!r} clashes with a design term of the same name")
        X[col] = df[col].astype("float64")
    span = float(max(len(df) - 1, 1))               # the trend column runs 0..1; reported per period
    offset, n_dropped = None, 0
    if exposure is not None:
        keep = df[exposure].astype("float64") > 0
        n_dropped = int((~keep).sum())
        df, X = df[keep], X[keep]
        offset = np.log(df[exposure].to_numpy(dtype="float64"))
    yv = df[y].to_numpy(dtype="float64")
    if not np.isfinite(yv).all() or (yv < 0).any():
        raise ValueError(f"{y!r} must be finite and non-negative")
    if yv.sum() == 0:
        raise ValueError(f"{y!r} is zero in every period: there is no rate to model")
    if len(yv) <= X.shape[1] + 1:
        raise ValueError(f"{len(yv)} observations are too few for {X.shape[1]} terms")

    pois = sm.GLM(yv, X, family=sm.families.Poisson(), offset=offset).fit()
    dispersion = float(pois.pearson_chi2 / pois.df_resid)
    ct_alpha, ct_z, ct_p = _cameron_trivedi(yv, np.asarray(pois.mu))
    use_nb = family == "negbin" or (family == "auto" and dispersion > OVERDISPERSION_RATIO
                                    and ct_p < OVERDISPERSION_P)
    if use_nb:
        model = NegativeBinomial(yv, X, loglike_method="nb2", offset=offset)
        start = np.append(pois.params.to_numpy(), max(ct_alpha, 0.1))
        # BFGS optimises log(alpha), so alpha stays positive even near the Poisson boundary; the line search
        # may probe points where the likelihood overflows, which numpy would report as warnings
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            res = model.fit(start_params=start, method="bfgs", maxiter=2000, disp=0)
            if not res.mle_retvals.get("converged", False):
                res = model.fit(start_params=start, method="nm", maxiter=20000, disp=0)
        coefs, alpha = _tidy(res, drop=("alpha",), trend_span=span), float(res.params["alpha"])
        converged, fam = bool(res.mle_retvals.get("converged", False)), "negbin"
    else:
        res, coefs, alpha, fam = pois, _tidy(pois, trend_span=span), float("nan"), "poisson"
        converged = bool(pois.converged)
    summary = pd.DataFrame([{
        "family": fam, "y": y, "n": int(len(yv)), "n_dropped": n_dropped, "llf": float(res.llf),
        "aic": float(res.aic), "dispersion": dispersion, "ct_alpha": ct_alpha, "ct_z": ct_z, "ct_p_value": ct_p,
        "alpha": alpha, "converged": converged,
    }], columns=FIT_COLUMNS)
    return CountModelResult(coefs, summary, res)


def _binseg(x: np.ndarray, max_breaks: int, min_size: int) -> list[int]:
    """Binary segmentation for shifts in the mean; the number of breaks is chosen by BIC.

    Each step splits the segment whose best split lowers the residual sum of squares (RSS) most. Among 0..k
    breaks the one minimising BIC = n log(RSS/n) + (2k + 1) log n is kept (each break adds a location and a
    mean). Ties go to the earliest position, so the result is deterministic.
    """
    n = len(x)
    s1 = np.concatenate([[0.0], np.cumsum(x)])
    s2 = np.concatenate([[0.0], np.cumsum(x * x)])

    def rss(a, b):                           # RSS of x[a:b] around its mean; a, b may be arrays
        return (s2[b] - s2[a]) - (s1[b] - s1[a]) ** 2 / (b - a)

    segments, order, path = [(0, n)], [], [float(rss(0, n))]
    for _ in range(max_breaks):
        best = None                                            # (gain, k, segment)
        for a, b in segments:
            ks = np.arange(a + min_size, b - min_size + 1)
            if len(ks) == 0:
                continue
            gains = rss(a, b) - rss(a, ks) - rss(ks, b)
            i = int(np.argmax(gains))
            if best is None or gains[i] > best[0] + 1e-12:
                best = (float(gains[i]), int(ks[i]), (a, b))
        if best is None or best[0] <= 1e-12:
            break
        gain, k, (a, b) = best
        segments = sorted([s for s in segments if s != (a, b)] + [(a, k), (k, b)])
        order.append(k)
        path.append(path[-1] - gain)
    bic = [n * np.log(max(r, 1e-12) / n) + (2 * j + 1) * np.log(n) for j, r in enumerate(path)]
    n_breaks = int(np.argmin(bic))
    return sorted(order[:n_breaks])


def change_points(series: pd.Series, method: str = "binseg", max_breaks: int = 3,
                  min_size: int = 5) -> pd.DataFrame:
    """Date the shifts (escalations and de-escalations) in the level of a daily or weekly series.

    ``series`` is indexed by period (e.g. ``panel.set_index("period")["n_conflict"]``); missing values are
    dropped. ``method="binseg"``: binary segmentation on mean shifts with a BIC penalty (see ``_binseg``), at most
    ``max_breaks`` breaks, segments of at least ``min_size`` observations. The model is Gaussian with one
    variance, a reasonable reading of counts that are not near zero.

    Returns one row per break, sorted by date: break_date (first period of the new level), position (its row
    number), mean_before / mean_after (means of the neighbouring segments), change (after - before), statistic
    and p_value of the OLS-residual CUSUM test (statsmodels ``breaks_cusumolsresid``) on the two neighbouring
    segments pooled. The p-value ignores that the break was searched for: read it as descriptive.
    """
    if method != "binseg":
        raise ValueError(f"method must be 'binseg', got {method!r}")
    if max_breaks < 0 or min_size < 1:
        raise ValueError("max_breaks must be >= 0 and min_size >= 1")
    s = pd.Series(series).dropna()
    x = s.to_numpy(dtype="float64")
    if len(x) < 2 * min_size:
        raise ValueError(f"need at least {2 * min_size} observations for min_size={min_size}, got {len(x)}")
    breaks = _binseg(x, max_breaks, min_size)
    bounds = [0] + breaks + [len(x)]
    rows = []
    for j, k in enumerate(breaks, start=1):
        before, after = x[bounds[j - 1]:k], x[k:bounds[j + 1]]
        window = np.concatenate([before, after])
        stat, pval, _ = breaks_cusumolsresid(window - window.mean(), ddof=1)
        rows.append({"break_date": s.index[k], "position": k, "mean_before": before.mean(),
                     "mean_after": after.mean(), "change": after.mean() - before.mean(),
                     "statistic": float(stat), "p_value": float(pval)})
    return pd.DataFrame(rows, columns=BREAK_COLUMNS)


def stl_decompose(series: pd.Series, period: int = 7, robust: bool = True) -> pd.DataFrame:
    """Split a regular series into trend, seasonal and remainder with STL (statsmodels, LOESS-based).

    Why: a weekly news cycle (quiet weekends) hides the trend of daily counts; STL removes it without assuming a
    model. ``period`` is the cycle length in observations (7 for daily data with a weekly cycle, 52 for weekly
    data with a yearly one). Needs at least two full cycles (2 * period observations) and no missing values,
    otherwise ValueError. ``robust`` downweights outlying days (e.g. one-off news bursts).

    Returns one row per observation: period (the series' index), observed, trend, seasonal, resid.
    """
    s = pd.Series(series)
    if period < 2:
        raise ValueError("period must be >= 2")
    if s.isna().any():
        raise ValueError("series has missing values: fill (e.g. zeros of a zero-filled panel) or drop them first")
    if len(s) < 2 * period:
        raise ValueError(f"STL needs at least two full cycles: {2 * period} observations for period={period}, "
                         f"got {len(s)}")
    res = STL(s.to_numpy(dtype="float64"), period=period, robust=robust).fit()
    return pd.DataFrame({"period": s.index, "observed": s.to_numpy(dtype="float64"), "trend": res.trend,
                         "seasonal": res.seasonal, "resid": res.resid})


def first_escalation(breaks: pd.DataFrame) -> pd.Timestamp:
    """The date of the first upward shift in a :func:`change_points` table (NaT when the level never rises)."""
    up = breaks[breaks["change"] > 0].sort_values("break_date")
    return pd.Timestamp(up["break_date"].iloc[0]) if len(up) else pd.NaT


COMPARE_COLUMNS = ["country", "n_periods", "total", "mean", "variance", "variance_to_mean", "peak_period",
                   "peak_value", "family", "dispersion", "trend_irr", "trend_p_value", "n_breaks",
                   "first_escalation"]


def compare_countries(panel: pd.DataFrame, countries, y: str = "n_conflict", seasonal: str | None = "dow",
                      max_breaks: int = 3, min_size: int = 5, exposure: str | None = None) -> pd.DataFrame:
    """The same descriptive and model summary for each country of a zero-filled panel, one row per country.

    For each country's series of ``y``: total, mean, variance and variance-to-mean ratio (1 for Poisson
    counts), the peak period (earliest on ties), a :func:`count_model` with trend and ``seasonal`` terms
    (``family="auto"``, ``exposure`` as there; the family chosen, the Poisson dispersion, the trend's
    incidence-rate ratio per period and its p-value) and :func:`change_points` (number of breaks, :func:`first_escalation`). Countries with
    too few events for a model (fewer than 3 non-zero periods) or too short a series get NaN in those columns,
    not an error, so one thin country does not stop a comparison. Columns: :data:`COMPARE_COLUMNS`.
    """
    rows = []
    for country in countries:
        sub = panel[panel["country"] == country].sort_values("period").reset_index(drop=True)
        s = sub.set_index("period")[y].astype("float64") if len(sub) else pd.Series(dtype="float64")
        row = {"country": country, "n_periods": int(len(s)), "total": float(s.sum()),
               "mean": float(s.mean()) if len(s) else np.nan, "variance": float(s.var(ddof=1)) if len(s) > 1
               else np.nan, "peak_period": s.idxmax() if len(s) and s.max() > 0 else pd.NaT,
               "peak_value": float(s.max()) if len(s) else np.nan,
               "family": None, "dispersion": np.nan, "trend_irr": np.nan, "trend_p_value": np.nan,
               "n_breaks": np.nan, "first_escalation": pd.NaT}
        row["variance_to_mean"] = row["variance"] / row["mean"] if row["mean"] else np.nan
        if (s > 0).sum() >= 3:
            try:
                fit = count_model(sub, y=y, seasonal=seasonal, exposure=exposure)
                trend = fit.coefficients.set_index("term").loc["trend"]
                row.update(family=fit.summary.loc[0, "family"], dispersion=float(fit.summary.loc[0, "dispersion"]),
                           trend_irr=float(trend["incidence_rate_ratio"]), trend_p_value=float(trend["p_value"]))
            except ValueError:
                pass
        if len(s) >= 2 * min_size:
            breaks = change_points(s, max_breaks=max_breaks, min_size=min_size)
            row.update(n_breaks=int(len(breaks)), first_escalation=first_escalation(breaks))
        rows.append(row)
    out = pd.DataFrame(rows, columns=COMPARE_COLUMNS)
    out["peak_period"] = pd.to_datetime(out["peak_period"])
    out["first_escalation"] = pd.to_datetime(out["first_escalation"])
    return out

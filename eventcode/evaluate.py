"""Scoring coded events against gold sentences: precision, recall and F1 at three levels, a root-code confusion
table, and 5-class ("penta") accuracy.

Gold files (JSONL, one sentence per line)::

    {"id": "s1", "text": "...", "expected": [{"source": "KAZCOP", "target": "KAZOPP", "code": "175"}]}
    {"id": "s2", "text": "...", "penta": 4}

or the PLOVER GSR JSON file of the development set, converted by :func:`plover_gsr_to_gold`. Predictions are
any event table the coder writes; rows are matched to gold sentences by ``doc_id`` == gold ``id``.

Matching is greedy and one-to-one within each sentence, separately for each level:

* ``root``: the first two digits of the code agree;
* ``dyad_root``: also the first three characters of source and of target (country or IGO/NGO prefix);
* ``exact``: full source and target codes and the full code. A gold code given only at root level (as in the
  PLOVER set) matches any predicted code under that root.

A missing target (gold ``""`` or ``null``) only matches a missing target at the dyad and exact levels.
This module knows nothing of spaCy.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

LEVELS = ("root", "dyad_root", "exact")

#: The 2016 PLOVER categories of the development gold set -> CAMEO root codes.
PLOVER2016_TO_CAMEO_ROOT: dict[str, str] = {
    "AGREE": "03", "CONSULT": "04", "SUPPORT": "05", "COOPERATE": "06", "AID": "07",
    "CONCEDE": "08", "RETREAT": "08", "INVESTIGATE": "09", "DEMAND": "10", "DISAPPROVE": "11",
    "REJECT": "12", "THREATEN": "13", "PROTEST": "14", "MOBILIZE": "15", "SANCTION": "16",
    "COERCE": "17", "ASSAULT": "18", "FIGHT": "19",
}

#: The 5-class ("penta") grouping of root codes used by the Phoenix pipeline and ConfliBERT.
PENTA_CLASS: dict[str, int] = {
    **{r: 0 for r in ("01", "02")}, **{r: 1 for r in ("03", "04", "05")}, **{r: 2 for r in ("06", "07", "08")},
    **{r: 3 for r in ("09", "10", "11", "12", "13", "16")},
    **{r: 4 for r in ("14", "15", "17", "18", "19", "20")},
}


@dataclass
class GoldSentence:
    id: str
    text: str
    expected: list[dict] | None = None  # event gold
    penta: int | None = None  # 5-class gold


# --------------------------------------------------------------------------------------------- gold files


#: Country codes in the PLOVER development file that are not ISO 3166 alpha-3 (legacy CAMEO or typos) -> ISO3.
LEGACY_COUNTRY_CODES = {"JAP": "JPN", "ITL": "ITA", "VTN": "VNM"}


def _plover_actor(entry: dict) -> str:
    """A PLOVER actor record -> a CAMEO-style code string: country/IGO code plus sector ("HUN"+"GOV")."""
    code = (entry.get("code") or "").strip()
    code = LEGACY_COUNTRY_CODES.get(code, code)
    return f"{code}{entry.get('sector') or ''}".strip()


def _actors(value) -> list[str]:
    """Actor codes of a PLOVER source/target field; anything that is not an actor record (one record's target is
    the bare word "diplomatic") counts as no actor."""
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return [""]
    return [_plover_actor(v) for v in value if isinstance(v, dict)] or [""]


def plover_gsr_to_gold(records: list[dict]) -> list[GoldSentence]:
    """The PLOVER GSR development records -> event gold: one expected event per source x target, root code
    from :data:`PLOVER2016_TO_CAMEO_ROOT`. Actors marked SRC/TAR with no separate target ("A and B agreed") are
    each other's targets, as the markup means. Header (DOCUMENT) records and unknown categories are skipped."""
    gold = []
    for rec in records:
        root = PLOVER2016_TO_CAMEO_ROOT.get(rec.get("event", ""))
        if root is None or not rec.get("text"):
            continue
        sources, targets = _actors(rec.get("source")), _actors(rec.get("target"))
        info = rec.get("textInfo")
        markup = str(info.get("markup", "") if isinstance(info, dict) else info or "")
        if targets == [""] and len(sources) > 1 and "SRC/TAR" in markup:
            # "(SRC/TAR: A) and (SRC/TAR: B) officials agreed": each is the other's target
            pairs = [(s, t) for s in sources for t in sources if s != t]
        else:
            pairs = [(s, t) for s in sources for t in targets]
        expected = [{"source": s, "target": t, "code": root} for s, t in pairs]
        gold.append(GoldSentence(str(rec["id"]), rec["text"], expected=expected))
    return gold


def read_gold(path) -> list[GoldSentence]:
    """A gold file: JSONL (event or penta records) or the PLOVER GSR JSON list."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json" and text.lstrip().startswith("["):
        return plover_gsr_to_gold(json.loads(text))
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{n}: malformed JSON: {exc.msg}") from None
        if "id" not in rec or "text" not in rec:
            raise ValueError(f"{path}:{n}: a gold record needs 'id' and 'text'")
        if "expected" in rec:
            exp = [{"source": e.get("source") or "", "target": e.get("target") or "", "code": str(e["code"])}
                   for e in rec["expected"] or []]
            out.append(GoldSentence(str(rec["id"]), rec["text"], expected=exp))
        elif "penta" in rec:
            out.append(GoldSentence(str(rec["id"]), rec["text"], penta=int(rec["penta"])))
        else:
            raise ValueError(f"{path}:{n}: a gold record needs 'expected' or 'penta'")
    return out


# --------------------------------------------------------------------------------------------- scoring


def _same(level: str, gold: dict, pred: dict) -> bool:
    g_code, p_code = gold["code"], pred["code"]
    if g_code[:2] != p_code[:2]:
        return False
    if level == "root":
        return True
    gs, gt, ps, pt = gold["source"], gold["target"], pred["source"], pred["target"]
    if level == "dyad_root":
        return gs[:3] == ps[:3] and gt[:3] == pt[:3]
    return gs == ps and gt == pt and p_code.startswith(g_code)


def _greedy(level: str, gold: list[dict], pred: list[dict]) -> int:
    used: set[int] = set()
    hits = 0
    for g in gold:
        for j, p in enumerate(pred):
            if j not in used and _same(level, g, p):
                used.add(j)
                hits += 1
                break
    return hits


def _prf(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"tp": tp, "n_pred": n_pred, "n_gold": n_gold, "precision": p, "recall": r, "f1": f}


def _pred_by_doc(pred: pd.DataFrame) -> dict[str, list[dict]]:
    if pred.empty:
        return {}
    df = pred.copy()
    keys = [c for c in ("doc_id", "sentence_id", "event_index") if c in df.columns]
    df = df.sort_values(keys, kind="stable")
    out: dict[str, list[dict]] = {}
    for rec in df[["doc_id", "source", "target", "code"]].astype(object).to_dict("records"):
        out.setdefault(str(rec["doc_id"]), []).append({
            "source": rec["source"] if isinstance(rec["source"], str) else "",
            "target": rec["target"] if isinstance(rec["target"], str) else "",
            "code": str(rec["code"]),
        })
    return out


def confusion(gold: list[GoldSentence], by_doc: dict[str, list[dict]]) -> pd.DataFrame:
    """Root-code confusion (rows gold, columns predicted, 'none' for a miss or a spurious event).

    Within a sentence, same-root pairs are taken first, then the remaining gold and predicted events are paired in
    order; leftovers go to the 'none' row or column."""
    pairs = Counter()
    for s in gold:
        g_roots = [e["code"][:2] for e in s.expected or []]
        p_roots = [e["code"][:2] for e in by_doc.get(s.id, [])]
        for r in list(g_roots):
            if r in p_roots:
                pairs[(r, r)] += 1
                g_roots.remove(r)
                p_roots.remove(r)
        for g, p in zip(g_roots, p_roots):
            pairs[(g, p)] += 1
        for g in g_roots[len(p_roots):]:
            pairs[(g, "none")] += 1
        for p in p_roots[len(g_roots):]:
            pairs[("none", p)] += 1
    labels = sorted({a for a, _ in pairs} | {b for _, b in pairs}, key=lambda x: (x == "none", x))
    table = pd.DataFrame(0, index=pd.Index(labels, name="gold"), columns=pd.Index(labels, name="predicted"))
    for (g, p), n in pairs.items():
        table.loc[g, p] = n
    return table


def score_events(gold: list[GoldSentence], pred: pd.DataFrame) -> dict:
    """Precision/recall/F1 per level, the empty-sentence share and the confusion table for event gold."""
    by_doc = _pred_by_doc(pred)
    gold = [s for s in gold if s.expected is not None]
    n_pred = sum(len(by_doc.get(s.id, [])) for s in gold)
    n_gold = sum(len(s.expected) for s in gold)
    levels = {}
    for level in LEVELS:
        tp = sum(_greedy(level, s.expected, by_doc.get(s.id, [])) for s in gold)
        levels[level] = _prf(tp, n_pred, n_gold)
    empty = [s for s in gold if not s.expected]
    left_empty = sum(1 for s in empty if not by_doc.get(s.id))
    return {
        "sentences": len(gold),
        "levels": levels,
        "empty_gold_sentences": len(empty),
        "empty_kept_empty_share": left_empty / len(empty) if empty else None,
        "confusion": confusion(gold, by_doc),
    }


def score_penta(gold: list[GoldSentence], pred: pd.DataFrame) -> dict:
    """5-class accuracy of the first event coded in each sentence: on covered sentences, over all sentences
    (an uncoded sentence counts as wrong), macro-F1 over the classes, and coverage."""
    by_doc = _pred_by_doc(pred)
    gold = [s for s in gold if s.penta is not None]
    rows = []
    for s in gold:
        events = by_doc.get(s.id, [])
        guess = PENTA_CLASS.get(events[0]["code"][:2]) if events else None
        rows.append((s.penta, guess))
    covered = [(g, p) for g, p in rows if p is not None]
    correct = sum(1 for g, p in covered if g == p)
    f1s = []
    for c in range(5):
        tp = sum(1 for g, p in rows if g == c and p == c)
        n_pred = sum(1 for _, p in rows if p == c)
        n_gold = sum(1 for g, _ in rows if g == c)
        f1s.append(_prf(tp, n_pred, n_gold)["f1"])
    matrix = pd.crosstab(pd.Series([g for g, _ in rows], name="gold"),
                         pd.Series(["none" if p is None else p for _, p in rows], name="predicted"))
    return {
        "sentences": len(rows),
        "coverage": len(covered) / len(rows) if rows else 0.0,
        "accuracy_covered": correct / len(covered) if covered else 0.0,
        "accuracy_all": correct / len(rows) if rows else 0.0,
        "macro_f1": sum(f1s) / 5,
        "confusion": matrix,
    }


def evaluate(gold_path, pred) -> dict:
    """Score ``pred`` (a path or DataFrame of events) against a gold file; keys 'events' and/or 'penta'."""
    from .io import read_events

    gold = read_gold(gold_path)
    pred_df = pred if isinstance(pred, pd.DataFrame) else read_events(pred)
    report = {}
    if any(s.expected is not None for s in gold):
        report["events"] = score_events(gold, pred_df)
    if any(s.penta is not None for s in gold):
        report["penta"] = score_penta(gold, pred_df)
    return report


def format_report(report: dict) -> str:
    """A plain-text report for the terminal."""
    lines = []
    if "events" in report:
        ev = report["events"]
        lines.append(f"event gold: {ev['sentences']} sentences")
        lines.append(f"{'level':<10} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'pred':>5} {'gold':>5}")
        for level, m in ev["levels"].items():
            lines.append(f"{level:<10} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} "
                         f"{m['tp']:5d} {m['n_pred']:5d} {m['n_gold']:5d}")
        if ev["empty_gold_sentences"]:
            lines.append(f"sentences with no gold event left empty: {ev['empty_kept_empty_share']:.3f} "
                         f"of {ev['empty_gold_sentences']}")
        lines.append("root-code confusion (rows gold, columns predicted):")
        lines.append(ev["confusion"].to_string())
    if "penta" in report:
        pe = report["penta"]
        lines.append(f"5-class gold: {pe['sentences']} sentences, coverage {pe['coverage']:.3f}, "
                     f"accuracy (covered) {pe['accuracy_covered']:.3f}, accuracy (all) {pe['accuracy_all']:.3f}, "
                     f"macro-F1 {pe['macro_f1']:.3f}")
        lines.append(pe["confusion"].to_string())
    return "\n".join(lines)


def _jsonable(report: dict) -> dict:
    out = {}
    for key, part in report.items():
        out[key] = {k: (v.to_dict() if isinstance(v, pd.DataFrame) else v) for k, v in part.items()}
    return out


def evaluate_main(gold_path, pred_path, as_json: bool = False) -> int:
    """CLI entry: print the report; exit 0."""
    report = evaluate(gold_path, pred_path)
    print(json.dumps(_jsonable(report), indent=2, default=str) if as_json else format_report(report))
    return 0

"""Score the coder on the development gold sets in ../shared/dev and on the project's own stand-in sets
(run: make evaluate).

Codes each gold sentence as a one-sentence article with no date (the sets' dates are placeholders), writes the
predictions to data/processed/dev/, and prints the evaluation report for both development sets. Then the same for
the stand-in sets written for this project in wire and web style (benchmarks/*_gold_*.jsonl: real events,
own wording, gold by the project, so scores there are indicative, not independent) and the share of the
non-event sentences (benchmarks/nonevent_sentences.txt) left empty. Pass --misses N to list N missed or wrong
development sentences with the coder's evidence.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEV = ROOT.parent / "shared" / "dev"
OUT = ROOT / "data" / "processed" / "dev"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dev", default=str(DEV), help="folder holding the development gold sets")
    ap.add_argument("--misses", type=int, default=0, help="show this many misses per set")
    ap.add_argument("--model", default=None)
    args = ap.parse_args(argv)

    import eventcode
    from eventcode.evaluate import format_report, read_gold, score_events, score_penta
    from eventcode.io import write_events

    dev = Path(args.dev)
    sets = {"cameo_manual_penta": dev / "cameo_manual_penta.jsonl", "plover_gsr_cameo": dev / "plover_gsr_cameo.json"}
    OUT.mkdir(parents=True, exist_ok=True)
    summary = {}
    for name, path in sets.items():
        if not path.exists():
            print(f"{name}: {path} not found, skipped", file=sys.stderr)
            continue
        gold = read_gold(path)
        t0 = time.perf_counter()
        pred = eventcode.code_articles([{"id": g.id, "text": g.text} for g in gold], model=args.model)
        secs = time.perf_counter() - t0
        write_events(pred, OUT / f"{name}.jsonl")
        report = {}
        if gold[0].penta is not None:
            report["penta"] = score_penta(gold, pred)
        else:
            report["events"] = score_events(gold, pred)
        print(f"== {name} ({len(gold)} sentences, coded in {secs:.1f}s)")
        print(format_report(report))
        if args.misses:
            _show_misses(gold, pred, args.misses)
        summary[name] = {k: {kk: vv for kk, vv in v.items() if kk != "confusion"} for k, v in report.items()}
    for path in sorted(HERE.glob("*_gold_*.jsonl")):
        gold = read_gold(path)
        pred = eventcode.code_articles([{"id": g.id, "text": g.text} for g in gold], model=args.model)
        report = score_events(gold, pred)
        print(f"== own stand-in set {path.name} ({len(gold)} sentences)")
        print(format_report({"events": report}).split("\nroot-code confusion")[0])
        summary[path.stem] = {"events": {k: v for k, v in report.items() if k != "confusion"}}
    nonevent = HERE / "nonevent_sentences.txt"
    if nonevent.exists():
        lines = [ln.strip() for ln in nonevent.read_text(encoding="utf-8").splitlines()]
        sentences = [ln for ln in lines if ln and not ln.startswith("#")]
        pred = eventcode.code_articles([{"id": f"ne{i:04d}", "text": t} for i, t in enumerate(sentences)],
                                       model=args.model)
        empty = 1 - pred["doc_id"].nunique() / len(sentences)
        print(f"== own non-event sentences ({len(sentences)}): {empty:.3f} left empty")
        summary["nonevent"] = {"sentences": len(sentences), "empty_share": empty}
    (OUT / "scores.json").write_text(json.dumps(summary, indent=2, default=str))
    return 0


def _show_misses(gold, pred, n):
    from eventcode.evaluate import PENTA_CLASS

    shown = 0
    by_doc = {d: g for d, g in pred.groupby("doc_id")}
    for g in gold:
        events = by_doc.get(g.id)
        got = [] if events is None else list(events["code"])
        if g.penta is not None:
            ok = bool(got) and PENTA_CLASS.get(got[0][:2]) == g.penta
            want = f"class {g.penta}"
        else:
            want_roots = sorted({e["code"][:2] for e in g.expected})
            ok = bool(got) and any(c[:2] in want_roots for c in got)
            want = f"roots {want_roots} {[(e['source'], e['target']) for e in g.expected][:2]}"
        if ok:
            continue
        print(f"-- {g.id}: want {want}; got {got or 'nothing'}\n   {g.text}")
        if events is not None:
            for _, r in events.iterrows():
                print(f"   {r['source']} -> {r['target']}: {r['evidence']}")
        shown += 1
        if shown >= n:
            break


if __name__ == "__main__":
    sys.exit(main())

"""Precision check on sentences that hold no political event (run: python benchmarks/nonevent.py).

The coder is scored on real news that mixes in non-political sentences (sports, markets, weather, business,
culture...), of which at least 90 % must code nothing. This script codes every line of a sentence file (default
benchmarks/nonevent_sentences.txt; `#` lines are comments) as a one-sentence article with no date and prints the
number of sentences, the share left empty, and every false positive with its events and the pattern behind each.
Always exits 0: it is a measurement, not a test.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def read_sentences(path: Path) -> list[str]:
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--file", default=str(HERE / "nonevent_sentences.txt"), help="sentence file, one a line")
    ap.add_argument("--codebook", default=None, help="codebook folder to use instead of the shipped one")
    ap.add_argument("--model", default=None)
    args = ap.parse_args(argv)

    import eventcode

    sentences = read_sentences(Path(args.file))
    ids = [f"ne{i:04d}" for i in range(1, len(sentences) + 1)]
    pred = eventcode.code_articles([{"id": i, "text": s} for i, s in zip(ids, sentences)], model=args.model,
                                   codebook=args.codebook)
    by_doc = {d: g for d, g in pred.groupby("doc_id")} if len(pred) else {}
    coded = [(i, s) for i, s in zip(ids, sentences) if i in by_doc]
    n = len(sentences)
    empty = n - len(coded)
    print(f"{args.file}: {n} sentences, {empty} empty ({100 * empty / max(n, 1):.1f} %), "
          f"{len(coded)} coded with {len(pred)} events")
    for i, s in coded:
        print(f"-- {i}: {s}")
        for _, r in by_doc[i].iterrows():
            print(f"   {r['source']} -> {r['target']} {r['code']} | {r['pattern']} | "
                  f"{r['pattern_file']}:{r['pattern_line']} | trigger {r['trigger']!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

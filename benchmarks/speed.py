"""Speed and memory of the coder, against spaCy's own pipeline on the same texts (a script, not a test).

    python benchmarks/speed.py              # 10,000 and 50,000 sentences (about 4 minutes on 2 cores)
    python benchmarks/speed.py --small 2000 --large 6000     # a quick look

Builds a deterministic corpus of news-like articles (8 sentences each) from templates with varied actors, verbs,
places, numbers and clauses, then prints:

1. sentences/s and words/s of spaCy alone (``nlp.pipe``, same model): all its default components (with NER),
   and only the components the coder loads (no NER);
2. the same for the eventcode pipeline (parse + coding), with the ratio coder / spaCy (target >= 0.8), and the
   coder with NER loaded too, to show NER changes no event (so it is left out);
3. ``eventcode code`` end to end (read, code, write, checkpoint) with 1 and 2 worker processes on both corpus
   sizes: wall time, steady-state speed after model loading, the speed-up of 2 workers (target >= 1.7x), and
   the peak resident memory of the whole process tree (psutil, parent + workers; target < 1.5 GB and flat).

Words are whitespace-separated words of the text; sentences are the generated sentences.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ACTORS = [
    "Kazakh police", "Russian troops", "Ukrainian soldiers", "the United Nations", "President Tokayev",
    "protesters", "the Ukrainian foreign ministry", "Chinese officials", "NATO", "the European Union",
    "Turkish authorities", "Israeli forces", "Hamas militants", "the Iranian government", "French President Macron",
    "German Chancellor Scholz", "Indian police", "Pakistani troops", "Egyptian security forces", "Syrian rebels",
    "the Kremlin", "Washington", "Beijing", "opposition leaders", "striking workers", "the Afghan Taliban",
    "Kenyan riot police", "Brazilian prosecutors", "the Japanese prime minister", "South Korean officials",
]
PLACES = ["Almaty", "Moscow", "Kyiv", "Kharkiv", "Geneva", "Brussels", "Ankara", "Gaza", "Tehran", "Paris",
          "Berlin", "New Delhi", "Islamabad", "Cairo", "Damascus", "Nairobi", "Brasilia", "Tokyo", "Seoul", "Kabul"]
DAYS = ["on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "at the weekend", "late on Sunday",
        "earlier this week", "on 5 January", "overnight"]
VERB_PHRASES = [
    "accused {t} of violating the ceasefire", "met {t} in {p} {d}", "fired tear gas at {t} in {p}",
    "called on {t} to release the detained journalists", "condemned the attack on {t}",
    "signed an agreement with {t} on energy cooperation", "threatened to impose sanctions on {t}",
    "arrested {n} people in {p} {d}", "shelled positions held by {t} near {p}",
    "praised {t} for its help with the talks", "rejected the proposal put forward by {t}",
    "urged {t} to return to negotiations", "expelled {n} diplomats from {t}",
    "promised economic aid to {t}", "denied that it had attacked {t}", "visited {p} {d} for talks with {t}",
    "demanded that {t} withdraw its forces", "agreed to a prisoner exchange with {t}",
    "investigated claims that {t} had bribed officials", "welcomed the decision by {t} to reopen the border",
]
OTHER = [
    "Fuel prices in {p} rose by {n} percent in January.", "The central bank left interest rates unchanged {d}.",
    "Heavy snow closed several roads around {p} {d}.", "Shares in the state energy company fell {n} percent.",
    "The national football team beat its rivals 2-1 in {p}.", "Analysts expect growth to slow next year.",
]
TAILS = ["", "", ", officials said", ", according to state media", ", a spokesman said",
         " after weeks of rising tension", ", witnesses told reporters", " despite international criticism"]


def sentence(rng: random.Random) -> str:
    if rng.random() < 0.2:
        s = rng.choice(OTHER).format(p=rng.choice(PLACES), n=rng.randint(2, 90), d=rng.choice(DAYS))
        return s
    a, t = rng.sample(ACTORS, 2)
    vp = rng.choice(VERB_PHRASES).format(t=t, p=rng.choice(PLACES), d=rng.choice(DAYS), n=rng.randint(2, 90))
    s = f"{a} {vp}{rng.choice(TAILS)}."
    if rng.random() < 0.15:
        s = f"{rng.choice(ACTORS)} said {s[0].lower() + s[1:] if not s[:2].isupper() else s}"
    return s[0].upper() + s[1:]


def build_corpus(path: Path, sentences: int, seed: int = 2024, per_article: int = 8) -> dict:
    rng = random.Random(seed)
    words = 0
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(0, sentences, per_article):
            sents = [sentence(rng) for _ in range(min(per_article, sentences - i))]
            text = "\n\n".join(" ".join(sents[j:j + 2]) for j in range(0, len(sents), 2))  # 2-sentence paragraphs
            words += len(text.split())
            day = 1 + (i // per_article) % 28
            fh.write(json.dumps({"id": f"bench-{i // per_article:06d}", "date": f"2022-01-{day:02d}",
                                 "text": text}) + "\n")
    return {"path": path, "sentences": sentences, "words": words}


# --------------------------------------------------------------------------------------------- measurements


def one_process_timings(corpus: Path, codebook: str | None = None, blocks: int = 5) -> dict:
    """Seconds of ``nlp.pipe`` for each pipeline on the same articles (pipelines loaded first, not timed).

    The corpus is cut into blocks and every pipeline codes each block in turn, so that a burst of load from
    other programs on the machine falls on all of them alike."""
    from eventcode.io import read_articles
    from eventcode.pipeline import NOT_NEEDED, build_pipeline, load_model
    from eventcode.run import code_stream

    arts = list(read_articles(corpus))
    texts = [a.full_text for a in arts]
    pipes = {
        "spacy_default": load_model(None, exclude=()),
        "spacy_coder_components": load_model(None, exclude=NOT_NEEDED),
        "eventcode": build_pipeline(codebook=codebook, exclude=NOT_NEEDED),
        "eventcode_with_ner": build_pipeline(codebook=codebook, exclude=()),
    }
    seconds = dict.fromkeys(pipes, 0.0)
    events: dict[str, list] = {k: [] for k in pipes if k.startswith("eventcode")}
    for name, nlp in pipes.items():  # warm-up
        list(code_stream(nlp, arts[:10])) if name in events else list(nlp.pipe(texts[:10]))
    size = -(-len(arts) // blocks)
    for b in range(0, len(arts), size):
        for name, nlp in pipes.items():
            start = time.perf_counter()
            if name in events:
                for _, rows in code_stream(nlp, arts[b:b + size]):
                    events[name].extend((r["doc_id"], r["sentence_id"], r["source"], r["target"], r["code"])
                                        for r in rows)
            else:
                for _ in nlp.pipe(texts[b:b + size]):
                    pass
            seconds[name] += time.perf_counter() - start
    return {"seconds": seconds, "events": events, "names": {k: nlp.pipe_names for k, nlp in pipes.items()}}


def run_cli(corpus: Path, workers: int, workdir: Path, codebook: str | None) -> dict:
    """``code_file`` in a child process. Samples its whole process tree (parent, forkserver, workers) every
    50 ms: the peak of the summed RSS (shared pages counted once per process, so an over-estimate), the peak
    of the summed PSS (shared pages split between the processes that share them: the real footprint), and
    the CPU seconds each process used (to separate the coder's work from waiting for a busy machine)."""
    import psutil

    out = workdir / f"events-{corpus.stem}-{workers}.jsonl"
    cmd = [sys.executable, __file__, "--child", str(corpus), str(out), str(workers), codebook or ""]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    parent = psutil.Process(proc.pid)
    peak_rss = peak_pss = 0
    cpu: dict[int, float] = {}
    tick = 0
    while proc.poll() is None:
        try:
            procs = [parent, *parent.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        rss = pss = 0
        for p in procs:
            try:
                with p.oneshot():
                    t = p.cpu_times()
                    cpu[p.pid] = t.user + t.system
                    if tick % 4 == 0:
                        full = p.memory_full_info()
                        rss += full.rss
                        pss += full.pss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
        if tick % 4 == 0:
            peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        tick += 1
        time.sleep(0.05)
    stdout, _ = proc.communicate()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"the run failed ({proc.returncode}): {' '.join(cmd)}")
    result = json.loads(stdout.strip().splitlines()[-1])
    out.unlink(missing_ok=True)
    return {**result, "wall": wall, "peak_rss": peak_rss, "peak_pss": peak_pss, "cpu": sum(cpu.values())}


def child(corpus: str, out: str, workers: str, codebook: str) -> None:
    from eventcode.run import code_file

    summary = code_file(corpus, out, workers=int(workers), quiet=True, restart=True, codebook=codebook or None)
    print(json.dumps({"articles": summary.articles, "events": summary.events, "seconds": summary.seconds,
                      "steady": summary.steady_rate, "workers": summary.workers}))


# --------------------------------------------------------------------------------------------- report


def rate(n: float, seconds: float) -> str:
    return f"{n / seconds:8,.0f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--small", type=int, default=10_000, help="sentences in the small corpus")
    ap.add_argument("--large", type=int, default=50_000, help="sentences in the large corpus")
    ap.add_argument("--codebook", help="base codebook folder (default: the shipped one)")
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return

    import platform

    import psutil
    import spacy

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg()
    print(f"eventcode speed benchmark: {platform.processor() or platform.machine()}, {cores} cores, "
          f"{psutil.virtual_memory().total / 2**30:.0f} GB RAM, Python {platform.python_version()}, "
          f"spaCy {spacy.__version__}; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the start")
    print(f"codebook: {args.codebook or 'shipped'}")
    with tempfile.TemporaryDirectory(prefix="eventcode-bench-") as tmp:
        tmp = Path(tmp)
        small = build_corpus(tmp / "small.jsonl", args.small)
        large = build_corpus(tmp / "large.jsonl", args.large)
        n_s, n_w = small["sentences"], small["words"]
        print(f"corpus: {n_s:,} sentences, {n_w:,} words in {n_s // 8:,} articles (and {large['sentences']:,} "
              f"sentences for the memory and worker runs)\n")
        timing = one_process_timings(small["path"], args.codebook)
        sec, names = timing["seconds"], timing["names"]
        print("1. one process, pipeline already loaded (nlp.pipe)      sentences/s    words/s   seconds")
        labels = {"spacy_default": "spaCy alone, default components", "spacy_coder_components":
                  "spaCy alone, the components the coder loads", "eventcode": "eventcode",
                  "eventcode_with_ner": "eventcode with NER loaded as well"}
        for key, label in labels.items():
            extra = f"   {len(timing['events'][key]):,} events" if key in timing["events"] else ""
            print(f"   {label} ({'+'.join(names[key])})")
            print(f"   {'':52s}{rate(n_s, sec[key])}  {rate(n_w, sec[key])}  {sec[key]:7.1f}{extra}")
        t_full, t_parse, t_coder, t_ner = (sec[k] for k in labels)
        ratio = t_full / t_coder
        print(f"\n   ratio coder / spaCy alone (default components): {ratio:.2f}x   target >= 0.80  "
              f"{'OK' if ratio >= 0.8 else 'MISSED'}")
        print(f"   ratio coder / spaCy alone (coder's components):  {t_parse / t_coder:.2f}x   "
              f"(the coder's own work adds {100 * (t_coder / t_parse - 1):.0f} % to parsing)")
        same = timing["events"]["eventcode"] == timing["events"]["eventcode_with_ner"]
        print(f"   NER: {'no event changes' if same else 'EVENTS DIFFER'} with NER loaded; "
              f"leaving it out saves {100 * (1 - t_coder / t_ner):.0f} % of the coder's time")
        print("\n2. eventcode code, end to end (read, parse, code, write, checkpoint; model loading included)")
        print("   sentences  workers  wall s  sentences/s  steady sent/s  CPU s  peak RSS sum  peak PSS sum")
        runs = {}
        for corpus in (small, large):
            for workers in (1, 2):
                r = run_cli(corpus["path"], workers, tmp, args.codebook)
                runs[(corpus["sentences"], workers)] = r
                per_article = corpus["sentences"] / max(r["articles"], 1)
                steady = f"{r['steady'] * per_article:,.0f}" if r["steady"] else "-"
                print(f"   {corpus['sentences']:9,}  {r['workers']:7d}  {r['wall']:6.1f}  "
                      f"{corpus['sentences'] / r['wall']:11,.0f}  {steady:>13s}  {r['cpu']:5.0f}  "
                      f"{r['peak_rss'] / 2**20:9,.0f} MB  {r['peak_pss'] / 2**20:9,.0f} MB")
        print()
        for n in (small["sentences"], large["sentences"]):
            one, two = runs[(n, 1)], runs[(n, 2)]
            speedup = one["wall"] / two["wall"]
            steady = (two["steady"] / one["steady"]) if one["steady"] and two["steady"] else float("nan")
            # the speed-up two idle cores would give: one process's CPU work over half of two processes' work
            ideal = one["cpu"] / (two["cpu"] / 2)
            print(f"   {n:,} sentences, 2 workers vs 1: {speedup:.2f}x wall clock, {steady:.2f}x steady state, "
                  f"{ideal:.2f}x from CPU work   target >= 1.70  {'OK' if max(speedup, steady) >= 1.7 else 'MISSED'}")
        peaks = [runs[(n, w)]["peak_pss"] for n in (small["sentences"], large["sentences"]) for w in (1, 2)]
        growth = runs[(large["sentences"], 2)]["peak_pss"] / runs[(small["sentences"], 2)]["peak_pss"]
        print(f"   peak memory (PSS, all processes): max {max(peaks) / 2**20:,.0f} MB; {large['sentences']:,} vs "
              f"{small['sentences']:,} sentences (2 workers): {growth:.2f}x   target < 1536 MB and flat  "
              f"{'OK' if max(peaks) < 1.5 * 2**30 and growth < 1.15 else 'MISSED'}")
        load = os.getloadavg()
        print(f"\n   load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {cores} cores "
              f"(other programs running compete with the workers; compare the CPU-work speed-up)")


if __name__ == "__main__":
    main()

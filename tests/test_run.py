"""Running at scale: streaming output, worker processes, determinism, checkpoints and kill -9 + resume.

The runs use a small codebook written here (a copy of the shipped taxonomy files plus a few countries, roles and
patterns) so that what is tested is the machinery, whatever the shipped patterns say on a given day.
"""
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]

COUNTRIES = [("Kazakh", "Almaty", "Astana"), ("Russian", "Moscow", "Moscow"), ("Ukrainian", "Kharkiv", "Kyiv")]
TEMPLATES = [
    "{a} police arrested {n} protesters in {city}.",
    "{a} troops shelled {b} positions near {city} on Monday.",
    "The {a} foreign minister visited {capital} for talks.",
    "Prices of bread rose sharply in {city} last month.",
    "{a} soldiers attacked a {b} convoy.",
    "Officials said {a} police detained {n} demonstrators.",
    "{a} troops did not attack the {b} border post.",
]


def make_codebook(dst: Path) -> Path:
    """A small, fixed codebook: the shipped taxonomy, quad classes and PLOVER crosswalk, plus our own
    modality words, discard list, actors and patterns."""
    from eventcode.codebook import SHIPPED_CODEBOOK

    dst = Path(dst)
    (dst / "actors").mkdir(parents=True, exist_ok=True)
    (dst / "patterns").mkdir(exist_ok=True)
    for name in ("events.yaml", "quad_classes.yaml", "plover.yaml"):
        if (SHIPPED_CODEBOOK / name).exists():
            shutil.copy(SHIPPED_CODEBOOK / name, dst / name)
    (dst / "modality.yaml").write_text(
        "hypothetical_aux: [may, might, could, would, should]\n"
        "non_factual_heads: [want, plan, hope]\n"
        "denial_heads: [deny]\n", encoding="utf-8")
    (dst / "discard.yaml").write_text(
        "- topic: sports\n  phrases: [football match, football team]\n", encoding="utf-8")
    (dst / "actors" / "countries.yaml").write_text(
        "- {code: KAZ, name: Kazakhstan, names: [Kazakhstan], adjectives: [Kazakh], capitals: [Astana],"
        " cities: [Almaty]}\n"
        "- {code: RUS, name: Russia, names: [Russia], adjectives: [Russian], capitals: [Moscow]}\n"
        "- {code: UKR, name: Ukraine, names: [Ukraine], adjectives: [Ukrainian], capitals: [Kyiv],"
        " cities: [Kharkiv]}\n", encoding="utf-8")
    (dst / "actors" / "roles.yaml").write_text(
        "- {code: COP, label: Police, nouns: [police]}\n"
        "- {code: MIL, label: Military, nouns: [troops, soldier]}\n"
        "- {code: OPP, label: Opposition, nouns: [protester, demonstrator]}\n", encoding="utf-8")
    (dst / "patterns" / "run_test.yaml").write_text(
        'patterns:\n'
        '  - code: "173"\n    verbs: [arrest TARGET, detain TARGET]\n'
        '  - code: "190"\n    verbs: [attack TARGET, shell TARGET]\n'
        '  - code: "042"\n    verbs: [visit TARGET]\n', encoding="utf-8")
    return dst


def article_text(rng: random.Random, sentences: int) -> str:
    out = []
    for _ in range(sentences):
        a, city, _ = rng.choice(COUNTRIES)
        b = rng.choice(COUNTRIES)[0]
        capital = rng.choice(COUNTRIES)[2]
        out.append(rng.choice(TEMPLATES).format(a=a, b=b, city=city, capital=capital, n=rng.randint(2, 90)))
    return " ".join(out)


def make_corpus(path: Path, n: int, seed: int = 1, sentences: int = 4) -> Path:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            rec = {"id": f"a{i:05d}", "date": f"2022-01-{1 + i % 28:02d}", "text": article_text(rng, sentences)}
            if i % 5 == 0:
                rec["headline"] = f"{rng.choice(COUNTRIES)[0]} police arrest protesters"
            fh.write(json.dumps(rec) + "\n")
    return path


def cli(*args) -> list[str]:
    return [sys.executable, "-m", "eventcode.cli", *map(str, args)]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    base = tmp_path_factory.mktemp("run")
    cb = make_codebook(base / "cb")
    corpus = make_corpus(base / "corpus.jsonl", 60)
    return {"dir": base, "cb": cb, "corpus": corpus}


def run(env, out, **kw):
    from eventcode.run import code_file

    kw.setdefault("workers", 1)
    kw.setdefault("quiet", True)
    return code_file(env["corpus"], out, codebook=env["cb"], **kw)


@pytest.fixture(scope="module")
def reference(env):
    """An uninterrupted one-process run, in each format."""
    out = {}
    for fmt in ("jsonl", "csv", "parquet"):
        path = env["dir"] / f"reference.{fmt}"
        summary = run(env, path, chunk_size=8)
        assert summary.articles == 60 and summary.events > 60 and summary.skipped == 0
        out[fmt] = path
    return out


def test_streaming_run_matches_the_python_api(env, reference):
    import eventcode
    from eventcode.io import read_events, write_events

    df = eventcode.code_articles(env["corpus"], codebook=env["cb"])
    for fmt in ("jsonl", "csv"):
        write_events(df, env["dir"] / f"api.{fmt}")
        assert (env["dir"] / f"api.{fmt}").read_bytes() == reference[fmt].read_bytes()
    back = read_events(reference["parquet"])
    assert list(back.columns) == list(eventcode.COLUMNS)
    pd.testing.assert_frame_equal(back, read_events(env["dir"] / "api.jsonl"))
    # input order of articles, then sentence, then event index
    keys = list(zip(back["doc_id"], back["sentence_id"], back["event_index"]))
    assert keys == sorted(keys)
    assert not Path(str(reference["jsonl"]) + ".checkpoint").exists()


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_same_bytes_whatever_the_worker_count(env, reference, fmt):
    out = env["dir"] / f"two_workers.{fmt}"
    summary = run(env, out, workers=2, chunk_size=8)
    assert summary.workers == 2 and summary.articles == 60
    assert out.read_bytes() == reference[fmt].read_bytes()


def test_chunk_size_does_not_change_the_bytes(env, reference):
    for fmt in ("jsonl", "parquet"):
        out = env["dir"] / f"chunk3.{fmt}"
        run(env, out, chunk_size=3)
        assert out.read_bytes() == reference[fmt].read_bytes()


def test_folder_output_is_partitioned_parquet(env, reference):
    from eventcode.io import read_events

    out = env["dir"] / "parts_out"
    run(env, out, chunk_size=16)
    parts = sorted(p.name for p in out.iterdir())
    assert parts and all(p.startswith("part.") and p.endswith(".parquet") for p in parts)
    assert len(parts) == 4  # 60 articles in chunks of 16
    pd.testing.assert_frame_equal(read_events(out), read_events(reference["parquet"]))


def test_output_folder_with_foreign_files_is_refused(env):
    from eventcode.errors import InputError

    out = env["dir"] / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(InputError, match="other files"):
        run(env, out)
    assert (out / "notes.txt").exists()


# --------------------------------------------------------------------------------------------- checkpoints


class Boom(Exception):
    pass


def interrupted_run(env, out, monkeypatch, after: int, **kw):
    """A run that dies after ``after`` chunks, leaving its checkpoint."""
    import eventcode.run as runmod

    real = runmod.code_chunk
    calls = {"n": 0}

    def flaky(*a, **k):
        calls["n"] += 1
        if calls["n"] > after:
            raise Boom("simulated crash")
        return real(*a, **k)

    monkeypatch.setattr(runmod, "code_chunk", flaky)
    with pytest.raises(Boom):
        run(env, out, **kw)
    monkeypatch.setattr(runmod, "code_chunk", real)
    ckpt = Path(str(out) + ".checkpoint")
    assert ckpt.is_dir() and not out.exists()
    return ckpt


def test_resume_codes_only_the_missing_chunks(env, reference, monkeypatch):
    import eventcode.run as runmod

    out = env["dir"] / "resume.jsonl"
    ckpt = interrupted_run(env, out, monkeypatch, after=3, chunk_size=8)
    assert len((ckpt / "manifest.jsonl").read_text().splitlines()) == 3
    # a kill while a manifest line and a part were being written: a torn line and a temporary file
    with open(ckpt / "manifest.jsonl", "ab") as fh:
        fh.write(b'{"chunk": 3, "articles": 8, "ev')
    (ckpt / "parts" / ".part.000003.jsonl.999.tmp").write_bytes(b"half a part")
    coded = []
    real = runmod.code_chunk
    monkeypatch.setattr(runmod, "code_chunk", lambda nlp, s, arts: coded.append(arts[0].id) or real(nlp, s, arts))
    summary = run(env, out, chunk_size=8)
    assert summary.resumed_chunks == 3 and summary.chunks == 8
    assert coded[0] == "a00024" and len(coded) == 5  # chunks 3..7 only
    assert summary.articles == 60
    assert out.read_bytes() == reference["jsonl"].read_bytes()
    assert not ckpt.exists()


def test_checkpoint_from_other_settings_is_ignored(env, reference, monkeypatch, capsys):
    out = env["dir"] / "other.jsonl"
    interrupted_run(env, out, monkeypatch, after=2, chunk_size=8)
    capsys.readouterr()
    summary = run(env, out, chunk_size=5)
    err = capsys.readouterr().err
    assert "ignoring the checkpoint" in err and "chunk_size 8 (now 5)" in err
    assert summary.resumed_chunks == 0
    assert out.read_bytes() == reference["jsonl"].read_bytes()


def test_checkpoint_for_other_input_is_ignored(env, monkeypatch, capsys, tmp_path):
    corpus = make_corpus(tmp_path / "c.jsonl", 30, seed=5)
    env2 = {**env, "corpus": corpus}
    out = tmp_path / "o.jsonl"
    interrupted_run(env2, out, monkeypatch, after=1, chunk_size=8)
    make_corpus(corpus, 30, seed=6)  # the input changes between the runs
    capsys.readouterr()
    summary = run(env2, out, chunk_size=8)
    assert "different input (c.jsonl)" in capsys.readouterr().err
    assert summary.resumed_chunks == 0 and summary.articles == 30


def test_restart_discards_the_checkpoint(env, reference, monkeypatch, capsys):
    out = env["dir"] / "restart.jsonl"
    interrupted_run(env, out, monkeypatch, after=2, chunk_size=8)
    capsys.readouterr()
    summary = run(env, out, chunk_size=8, restart=True)
    assert "--restart" in capsys.readouterr().err
    assert summary.resumed_chunks == 0
    assert out.read_bytes() == reference["jsonl"].read_bytes()


def test_kill_9_mid_run_then_resume_gives_the_uninterrupted_output(tmp_path):
    """A real subprocess (2 workers) killed with SIGKILL once its checkpoint holds a chunk, then run again."""
    cb = make_codebook(tmp_path / "cb")
    corpus = make_corpus(tmp_path / "corpus.jsonl", 240, seed=3)
    ref = tmp_path / "ref.jsonl"
    args = [corpus, "--base-codebook", cb, "--chunk-size", 4, "--quiet"]
    subprocess.run(cli("code", *args[:1], "-o", ref, *args[1:], "--workers", 1), check=True, cwd=REPO)

    out = tmp_path / "killed.jsonl"
    manifest = Path(str(out) + ".checkpoint") / "manifest.jsonl"
    cmd = cli("code", *args[:1], "-o", out, *args[1:], "--workers", 2)
    proc = subprocess.Popen(cmd, cwd=REPO, start_new_session=True, stderr=subprocess.DEVNULL)
    deadline = time.time() + 180
    try:
        while time.time() < deadline and proc.poll() is None:
            if manifest.exists() and manifest.read_bytes().count(b"\n") >= 2:
                break
            time.sleep(0.002)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the run and its worker processes, like kill -9 on each
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    done = manifest.read_bytes().count(b"\n")
    assert 2 <= done < 60 and not out.exists(), (done, out.exists())

    rerun = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert "resumed from a checkpoint" in rerun.stderr, rerun.stderr
    assert out.read_bytes() == ref.read_bytes()
    assert len(out.read_bytes().splitlines()) == len(ref.read_bytes().splitlines())
    assert not manifest.parent.exists()


# --------------------------------------------------------------------------------------------- other options


def test_plover_columns_follow_the_schema(env):
    from eventcode import COLUMNS
    from eventcode.io import read_events

    out = env["dir"] / "plover.jsonl"
    run(env, out, ontology="plover")
    df = read_events(out)
    assert list(df.columns) == list(COLUMNS) + ["plover_type", "plover_mode"]
    assert set(df.loc[df["code"] == "190", "plover_type"]) == {"ASSAULT"}
    assert set(df.loc[df["code"] == "173", "plover_type"]).issubset({"SANCTION", "COERCE", "ARREST"})


def test_no_progress_bar_when_not_a_terminal(monkeypatch):
    from eventcode.run import _Progress

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert _Progress(quiet=False).bar is None
    assert _Progress(quiet=True).bar is None


@pytest.mark.slow
def test_shipped_codebook_same_bytes_with_one_or_two_workers(tmp_path):
    """The real codebook on the demo corpus: worker count does not change a byte."""
    from eventcode.run import code_file

    raw = REPO / "data" / "raw" / "comparison.jsonl"
    if not raw.exists():
        pytest.skip("data/raw/comparison.jsonl not present")
    src = tmp_path / "demo.jsonl"
    src.write_bytes(b"".join(raw.read_bytes().splitlines(keepends=True)[:32]))
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    s1 = code_file(src, one, workers=1, quiet=True, chunk_size=8)
    s2 = code_file(src, two, workers=2, quiet=True, chunk_size=8)
    assert s1.events == s2.events and s1.articles == s2.articles > 0
    assert one.read_bytes() == two.read_bytes()

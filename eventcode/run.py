"""Running the coder over many articles: streaming, worker processes, a Dask cluster, checkpoints.

This module knows nothing of CAMEO; it moves articles in and event rows out, in input order.

How a run works (:func:`code_file`, the ``eventcode code`` command):

* **Streaming.** Articles are read one at a time and grouped into *chunks* of ``chunk_size`` consecutive good
  articles (chunk 0 = articles 1-100, ...). A chunk is parsed in batches with ``nlp.pipe``, coded, and turned into
  the bytes of the output format by whoever codes it; the parent only writes bytes. At most a few chunks per
  worker are in flight, so memory does not grow with the corpus (the only whole-corpus state is the set of ids
  seen, for duplicate detection, and the list of bad-record reports).
* **Workers.** ``workers=1`` codes in the calling process. ``workers=N`` starts N processes (on Linux
  forked from this process after it has loaded the pipeline once, so they share it copy-on-write and start at
  once; ``spawn`` elsewhere, each worker loading the pipeline and codebook once), which then code chunks;
  results are written in input order whatever order they finish in. Default: every core this process may use.
  An input of a single chunk is coded in-process (starting workers would cost more than it saves).
* **Checkpoints.** Beside the output, ``OUTPUT.checkpoint/`` holds ``state.json`` (a fingerprint of the input
  files' bytes, the settings, the model, the codebook files and eventcode's own code), ``parts/`` (one file per
  coded chunk, each written to a temporary name and renamed, so a part is whole or absent) and
  ``manifest.jsonl`` (one line per finished chunk, appended after its part is in place). A run killed at any
  moment (kill -9 included) and started again with the same command recodes only the chunks not in the manifest
  and ends with exactly the output of an uninterrupted run. A checkpoint made with other input or settings is
  ignored with a message; ``restart=True`` (``--restart``) discards it. At the end the final file is assembled
  from the parts under a temporary name, renamed into place, and the checkpoint removed.
* **Determinism.** Chunk boundaries depend only on the input and ``chunk_size``, never on the worker count, and
  every chunk is coded the same way wherever it runs, so the output is byte-identical for any number of workers
  or backend: rows in input order of articles, then ``sentence_id``, then ``event_index``.
* **Bad input** never stops a run (see io.py): each bad record gives one report line (file, line, field); an
  article on which the coder itself fails is reported the same way and skipped.

Output formats: ``.jsonl``, ``.csv`` and ``.parquet`` give one file (Parquet row groups of
:data:`PARQUET_ROW_GROUP` rows); a folder (an existing folder, or a path with no suffix) gives partitioned
Parquet, one ``part.NNNNNN.parquet`` per chunk that has events, read back with ``pandas.read_parquet(folder)``
or :func:`eventcode.read_events`. With the Dask backend ``.parquet`` also means a folder of parts.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import chain, islice
from pathlib import Path
from typing import Callable, Iterable, Iterator

from spacy.language import Language

from .errors import EventcodeError, InputError
from .io import MAX_CHARS, Article, RecordProblem

#: Good articles per chunk: the unit of work, of checkpointing and of Parquet partitions.
DEFAULT_CHUNK_SIZE = 100
#: Rows per row group in a single-file Parquet output (fixed, so the bytes do not depend on the chunk size).
PARQUET_ROW_GROUP = 65_536
#: Chunks in flight per worker (bounds memory; enough to keep every worker busy).
IN_FLIGHT_PER_WORKER = 3
CHECKPOINT_FORMAT = 1


# --------------------------------------------------------------------------------------------- docs and rows


def article_doc(nlp: Language, article: Article):
    """An unparsed Doc for an article with the extensions the eventcode components read."""
    doc = nlp.make_doc(article.full_text)
    doc._.article_date = article.date
    doc._.headline_chars = article.headline_chars
    doc._.doc_id = article.id
    return doc


def event_rows(article: Article, doc) -> list[dict]:
    """The coded doc's events as schema rows (article fields first)."""
    rows = []
    for ev in doc._.events or []:
        rows.append({"doc_id": article.id, "date": article.date, **ev})
    return rows


def code_stream(nlp: Language, articles: Iterable[Article],
                batch_size: int = 32) -> Iterator[tuple[Article, list[dict]]]:
    """Yield (article, event rows) in input order, parsing in batches with ``nlp.pipe``."""
    pending: deque[Article] = deque()

    def docs():
        for art in articles:
            pending.append(art)
            yield article_doc(nlp, art)

    for doc in nlp.pipe(docs(), batch_size=batch_size):
        art = pending.popleft()
        yield art, event_rows(art, doc)


# --------------------------------------------------------------------------------------------- summary


class RunSummary:
    """What a run did, for the command line and the exit status."""

    def __init__(self):
        self.articles = 0
        self.events = 0
        self.problems: list = []
        self.seconds = 0.0
        self.output = None
        self.errors_path = None
        self.chunks = 0
        self.resumed_chunks = 0
        self.workers = 1
        self.backend = "local"
        self.scheduler = None
        self.notes: list[str] = []
        self.timeline: list[tuple[float, int]] = []  # (seconds since start, articles) of the first and last chunk

    @property
    def steady_rate(self) -> float | None:
        """Articles/s between the first and the last chunk coded in this run: the speed once the workers have
        loaded the pipeline (None with fewer than two chunks)."""
        if len(self.timeline) < 2 or self.timeline[1][0] <= self.timeline[0][0]:
            return None
        return (self.timeline[1][1] - self.timeline[0][1]) / (self.timeline[1][0] - self.timeline[0][0])

    @property
    def skipped(self) -> int:
        return sum(1 for p in self.problems if p.level == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.level == "warning")

    def describe(self) -> str:
        rate = f" ({self.articles / self.seconds:.1f} articles/s)" if self.seconds > 0 and self.articles else ""
        how = f"{self.workers} worker{'s' if self.workers != 1 else ''}"
        if self.backend != "local":
            how = f"{self.backend}, {self.scheduler or how}"
        lines = [f"coded {self.articles} articles -> {self.events} events in {self.seconds:.1f}s{rate} "
                 f"[{how}] -> {self.output}"]
        if self.resumed_chunks:
            lines.append(f"resumed from a checkpoint: {self.resumed_chunks} of {self.chunks} chunks were already done")
        lines += self.notes
        if self.problems:
            lines.append(f"{self.skipped} records skipped, {self.warnings} warnings; report: {self.errors_path}")
            lines += [f"  {p}" for p in self.problems[:10]]
            if len(self.problems) > 10:
                lines.append(f"  ... {len(self.problems) - 10} more in the report")
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------- coding a chunk


@dataclass(frozen=True)
class RunSettings:
    """Everything that decides a chunk's output bytes. Picklable: sent to worker processes and Dask workers."""

    model: str | None = None
    codebook: str | None = None  # base codebook folder (None: the shipped one)
    overlays: tuple[str, ...] = ()
    goldstein: str = "default"
    quad: str | None = None
    ontology: str = "cameo"
    batch_size: int = 32
    kind: str = "jsonl"  # format of the chunk's bytes: jsonl | csv | parquet
    environment: str = ""  # environment_key() of the parent; workers check theirs matches ("" = no check)

    def pipeline(self) -> Language:
        from . import load_pipeline

        return load_pipeline(self.model, self.codebook, self.overlays, self.goldstein, self.quad)

    @property
    def extra(self) -> dict[str, str]:
        """Columns added after the schema's."""
        if self.ontology == "plover":
            from . import schema

            return dict(schema.PLOVER_DTYPES)
        return {}


@dataclass
class ChunkResult:
    articles: int  # articles coded
    events: int
    payload: bytes  # the chunk's rows in the output format (b"" when no events)
    problems: list = field(default_factory=list)  # RecordProblem for articles the coder failed on


def code_chunk(nlp: Language, settings: RunSettings, articles: list[Article]) -> ChunkResult:
    """Code one chunk of articles into the bytes of its part of the output.

    If coding the batch raises (a coder bug on some unusual parse), the chunk is coded again article by article
    and each article that still fails is reported as a problem and skipped; the run goes on.
    """
    from . import schema

    problems: list[RecordProblem] = []
    rows: list[dict] = []
    coded = 0
    try:
        for _, events in code_stream(nlp, articles, settings.batch_size):
            rows.extend(events)
            coded += 1
    except Exception:  # noqa: BLE001 - isolate the failing article below
        rows, coded = [], 0
        for art in articles:
            try:
                doc = nlp(article_doc(nlp, art))
                events = event_rows(art, doc)
            except Exception as exc:  # noqa: BLE001
                path, _, line = art.origin.rpartition(":")
                if not line.isdigit():
                    path, line = art.origin, ""
                problems.append(RecordProblem(path, int(line) if line else None, None,
                                              f"the coder failed on this article (id {art.id!r}): "
                                              f"{type(exc).__name__}: {exc}"))
                continue
            rows.extend(events)
            coded += 1
    if settings.ontology == "plover":
        _add_plover(rows, nlp)
    df = schema.to_frame(rows, settings.extra)
    return ChunkResult(coded, len(df), _encode(df, settings.kind, settings.extra) if len(df) else b"", problems)


def _add_plover(rows: list[dict], nlp: Language) -> None:
    """``plover_type`` / ``plover_mode`` from the loaded codebook's CAMEO -> PLOVER crosswalk (plover.py)."""
    from .plover import load_crosswalk, plover_of

    codebook = nlp.get_pipe("eventcode").codebook
    if _CROSSWALK.get("codebook") is not codebook:
        _CROSSWALK.update(codebook=codebook, table=load_crosswalk(codebook))
    for row in rows:
        if "plover_type" not in row:
            row["plover_type"], row["plover_mode"] = plover_of(row.get("code"), _CROSSWALK["table"])


_CROSSWALK: dict = {}


@lru_cache(maxsize=8)
def _arrow_schema(extra: tuple = ()):
    import pyarrow as pa

    from . import schema

    return pa.Schema.from_pandas(schema.empty_frame(dict(extra)), preserve_index=False)


def _encode(df, kind: str, extra: dict) -> bytes:
    """A chunk's rows as bytes of the output format; concatenating chunks gives the whole file's rows."""
    if kind == "jsonl":
        from .io import frame_to_jsonl

        return frame_to_jsonl(df).encode("utf-8")
    if kind == "csv":
        return df.to_csv(index=False, header=False, lineterminator="\n").encode("utf-8")
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, schema=_arrow_schema(tuple(extra.items())), preserve_index=False)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


# --------------------------------------------------------------------------------------------- fingerprints


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _folder_hash(folder: Path) -> str:
    h = hashlib.sha256()
    if folder.is_dir():
        for p in sorted(folder.rglob("*.yaml")):
            h.update(str(p.relative_to(folder)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def model_identity(model: str | None) -> str:
    """Name and version of the spaCy pipeline a run would load (the same search order as pipeline.py)."""
    import spacy.util

    from .pipeline import DEFAULT_MODELS

    for name in ([model] if model else list(DEFAULT_MODELS)):
        path = Path(name)
        if (path / "meta.json").exists():
            meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
            return f"{meta.get('lang')}_{meta.get('name')}-{meta.get('version')} ({path.resolve()})"
        if spacy.util.is_package(name):
            return f"{name}-{spacy.util.get_package_version(name)}"
    return str(model)


def environment_key(settings: RunSettings, cached: bool = False) -> str:
    """A hash of what, besides the input, decides the events: eventcode's code, spaCy, the model, the codebook
    files. Dask workers compare theirs (computed once, when they first load the pipeline) with the client's so
    that a cluster never mixes versions."""
    if cached:
        return _environment_cached(settings.model, settings.codebook, settings.overlays)
    return _environment(settings.model, settings.codebook, settings.overlays)


@lru_cache(maxsize=8)
def _environment_cached(model, codebook, overlays) -> str:
    return _environment(model, codebook, overlays)


def _environment(model, codebook, overlays) -> str:
    import spacy

    from . import __version__
    from .codebook import SHIPPED_CODEBOOK

    h = hashlib.sha256()
    package = Path(__file__).parent
    for p in sorted(package.glob("*.py")):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    parts = [__version__, spacy.__version__, model_identity(model), h.hexdigest()[:16],
             _folder_hash(Path(codebook) if codebook else SHIPPED_CODEBOOK),
             *[_folder_hash(Path(o)) for o in overlays]]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def run_fingerprint(input_path, settings: RunSettings, date, max_chars: int, chunk_size: int) -> dict:
    """What a checkpoint must match to be reused: the input files (path, size, SHA-256) and every setting that
    changes the output bytes. The worker count and the backend are not part of it (they do not change them)."""
    from .io import input_files

    inputs = []
    for f in input_files(input_path):
        try:
            inputs.append({"path": str(f.resolve()), "bytes": f.stat().st_size, "sha256": _sha256_file(f)})
        except OSError as exc:
            inputs.append({"path": str(f.resolve()), "error": str(exc)})
    return {
        "format": CHECKPOINT_FORMAT,
        "inputs": inputs,
        "settings": {"model": model_identity(settings.model), "codebook": settings.codebook,
                     "overlays": list(settings.overlays), "goldstein": settings.goldstein, "quad": settings.quad,
                     "ontology": settings.ontology, "batch_size": settings.batch_size, "output": settings.kind,
                     "date": date, "max_chars": max_chars, "chunk_size": chunk_size,
                     "environment": settings.environment},
    }


def _fingerprint_difference(old: dict, new: dict) -> str:
    if old.get("format") != new.get("format"):
        return "an older checkpoint format"
    what = []
    old_in = {i["path"]: i for i in old.get("inputs", [])}
    new_in = {i["path"]: i for i in new.get("inputs", [])}
    changed = sorted(p for p in set(old_in) | set(new_in) if old_in.get(p) != new_in.get(p))
    if changed:
        names = ", ".join(Path(p).name for p in changed[:3]) + (" ..." if len(changed) > 3 else "")
        what.append(f"different input ({names})")
    for key in sorted(set(old.get("settings", {})) | set(new.get("settings", {}))):
        a, b = old.get("settings", {}).get(key), new.get("settings", {}).get(key)
        if a != b:
            what.append(f"{key} {a!r} (now {b!r})" if key != "environment" else
                        "another version of eventcode, spaCy, the model or the codebook files")
    return "; ".join(what) or "different settings"


# --------------------------------------------------------------------------------------------- checkpoint


def _write_atomic(path: Path, data: bytes) -> None:
    """Write bytes under a temporary name, flush them to disk, rename into place: whole or absent."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class Checkpoint:
    """``OUTPUT.checkpoint/``: state.json (fingerprint), parts/ (one file per chunk), manifest.jsonl (done chunks).

    A chunk is done when its manifest line is complete and its part file (if it has events) exists with the
    recorded size. Parts are renamed into place before their manifest line is appended, so a kill between the
    two only costs recoding that chunk.
    """

    def __init__(self, folder: Path, fingerprint: dict, say: Callable[[str], None], part_suffix: str):
        self.folder = Path(folder)
        self.fingerprint = fingerprint
        self.say = say
        self.part_suffix = part_suffix
        self.parts = self.folder / "parts"
        self.manifest = self.folder / "manifest.jsonl"
        self.state = self.folder / "state.json"
        self.done: dict[int, dict] = {}
        self._log = None

    def open(self, restart: bool = False) -> None:
        if self.folder.exists():
            if restart:
                self.say(f"eventcode: --restart: discarding the checkpoint {self.folder}")
                self.discard()
            else:
                try:
                    state = json.loads(self.state.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    state = None
                if state is None:
                    self.say(f"eventcode: the checkpoint {self.folder} is incomplete or unreadable; starting over")
                    self.discard()
                elif state != self.fingerprint:
                    self.say(f"eventcode: ignoring the checkpoint {self.folder}: it was made with "
                             f"{_fingerprint_difference(state, self.fingerprint)}; starting over")
                    self.discard()
                else:
                    self._load()
        if not self.folder.exists():
            self.parts.mkdir(parents=True)
            _write_atomic(self.state, json.dumps(self.fingerprint, indent=1, sort_keys=True).encode())
        self._log = open(self.manifest, "ab")

    def _load(self) -> None:
        self.parts.mkdir(exist_ok=True)
        raw = self.manifest.read_bytes() if self.manifest.exists() else b""
        for line in raw.split(b"\n")[:-1]:  # the text after the last newline is an unfinished line
            try:
                entry = json.loads(line)
                k = int(entry["chunk"])
                part = entry.get("part")
                if part and (self.parts / part).stat().st_size != entry["bytes"]:
                    continue
            except (ValueError, KeyError, TypeError, OSError):
                continue
            self.done[k] = entry
        keep = {e["part"] for e in self.done.values() if e.get("part")}
        for p in self.parts.iterdir():  # temporary files and parts whose manifest line never got written
            if p.name not in keep:
                p.unlink()
        lines = b"".join(json.dumps(self.done[k], sort_keys=True).encode() + b"\n" for k in sorted(self.done))
        _write_atomic(self.manifest, lines)

    def part_name(self, k: int) -> str:
        return f"part.{k:06d}{self.part_suffix}"

    def record(self, k: int, result: ChunkResult) -> None:
        part = None
        if result.payload:
            part = self.part_name(k)
            _write_atomic(self.parts / part, result.payload)
        entry = {"chunk": k, "articles": result.articles, "events": result.events, "part": part,
                 "bytes": len(result.payload),
                 "problems": [[p.level, p.path, p.line, p.field, p.message] for p in result.problems]}
        self._log.write(json.dumps(entry, sort_keys=True).encode() + b"\n")
        self._log.flush()
        os.fsync(self._log.fileno())
        self.done[k] = entry

    def close(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def discard(self) -> None:
        self.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def problems(self) -> list[RecordProblem]:
        return [RecordProblem(path, line, fld, msg, level)
                for k in sorted(self.done) for level, path, line, fld, msg in self.done[k]["problems"]]


# --------------------------------------------------------------------------------------------- output


def output_kind(path, backend: str = "local") -> str:
    """jsonl | csv | parquet (one file) | parquet-dir (a folder of part files: an existing folder, a path
    ending with a slash or with no suffix, or .parquet with the Dask backend)."""
    folder = str(path).endswith(("/", os.sep))
    path = Path(path)
    suffix = path.suffix.lower()
    if folder or path.is_dir() or not suffix:
        return "parquet-dir"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    if suffix == ".parquet":
        return "parquet-dir" if backend == "dask" else "parquet"
    raise InputError(path, None, None, f"unknown output type {suffix!r}: use .jsonl, .csv, .parquet or a folder")


def _check_output_folder(path: Path) -> None:
    """Refuse to replace a folder that holds anything but Parquet parts (it is not ours to delete)."""
    if path.is_dir():
        foreign = [p.name for p in path.iterdir() if not (p.name.startswith("part.") and p.suffix == ".parquet")]
        if foreign:
            raise InputError(path, None, None, f"the output folder holds other files ({', '.join(sorted(foreign)[:3])}"
                                               "); name a new or empty folder")


def _assemble(ckpt: Checkpoint, output: Path, kind: str, extra: dict, n_chunks: int) -> None:
    """Join the parts, in chunk order, into the final output, atomically."""
    missing = [k for k in range(n_chunks) if k not in ckpt.done]
    if missing:  # cannot happen unless the checkpoint was tampered with while running
        raise EventcodeError(f"chunks {missing[:5]} have no results in {ckpt.folder}; rerun the same command")
    parts = [ckpt.parts / ckpt.done[k]["part"] for k in range(n_chunks) if ckpt.done[k].get("part")]
    output.parent.mkdir(parents=True, exist_ok=True)
    if kind == "parquet-dir":
        if not parts:  # no events at all: one empty part, so the folder still reads as a table
            empty = _encode(_empty(extra), "parquet", extra)
            _write_atomic(ckpt.parts / ckpt.part_name(0), empty)
        _replace(ckpt.parts, output)
        return
    tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    try:
        if kind in ("jsonl", "csv"):
            with open(tmp, "wb") as out:
                if kind == "csv":
                    out.write(_empty(extra).to_csv(index=False, lineterminator="\n").encode("utf-8"))
                for p in parts:
                    with open(p, "rb") as fh:
                        shutil.copyfileobj(fh, out, 1 << 20)
                out.flush()
                os.fsync(out.fileno())
        else:
            _join_parquet(parts, tmp, extra)
        _replace(tmp, output)
    finally:
        if tmp.exists():
            tmp.unlink()


def _empty(extra: dict):
    from . import schema

    return schema.empty_frame(extra)


def _join_parquet(parts: list[Path], dest: Path, extra: dict) -> None:
    """One Parquet file from chunk parts, in row groups of exactly PARQUET_ROW_GROUP rows (the last smaller)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow_schema = _arrow_schema(tuple(extra.items()))
    buffered: list = []
    rows = 0
    with pq.ParquetWriter(dest, arrow_schema) as writer:
        for p in parts:
            table = pq.read_table(p, schema=arrow_schema)
            buffered.append(table)
            rows += table.num_rows
            while rows >= PARQUET_ROW_GROUP:
                joined = pa.concat_tables(buffered)
                writer.write_table(joined.slice(0, PARQUET_ROW_GROUP), row_group_size=PARQUET_ROW_GROUP)
                rest = joined.slice(PARQUET_ROW_GROUP)
                buffered, rows = [rest], rest.num_rows
        if rows:
            writer.write_table(pa.concat_tables(buffered), row_group_size=PARQUET_ROW_GROUP)


def _replace(src: Path, dst: Path) -> None:
    """Move src to dst; an existing dst (file or folder of parts) is moved aside first, then removed."""
    if dst.exists() and (dst.is_dir() or src.is_dir()):
        old = dst.with_name(f".{dst.name}.old.{os.getpid()}")
        os.replace(dst, old)
        os.replace(src, dst)
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    else:
        os.replace(src, dst)


# --------------------------------------------------------------------------------------------- executors


def _ordered(submit, todo: Iterable[tuple[int, list[Article]]], window: int) -> Iterator[tuple[int, ChunkResult]]:
    """Submit chunks, keeping at most ``window`` in flight; yield results in submission (= input) order."""
    pending: deque = deque()
    for k, arts in todo:
        pending.append((k, submit(arts)))
        if len(pending) >= window:
            k0, fut = pending.popleft()
            yield k0, fut.result()
    while pending:
        k0, fut = pending.popleft()
        yield k0, fut.result()


def _run_in_process(settings: RunSettings, todo) -> Iterator[tuple[int, ChunkResult]]:
    nlp = settings.pipeline()
    for k, arts in todo:
        yield k, code_chunk(nlp, settings, arts)


class WorkerError(EventcodeError):
    """A worker could not start (model or codebook missing or invalid, another version on a cluster)."""


_WORKER: dict = {}
_WORKER_LOCK = threading.Lock()


def _worker_pipeline(settings: RunSettings) -> Language:
    """The pipeline of this worker process, loaded once per settings (eventcode.load_pipeline is cached)."""
    with _WORKER_LOCK:
        key = (settings.model, settings.codebook, settings.overlays, settings.goldstein, settings.quad)
        if _WORKER.get("key") != key:
            if settings.environment and environment_key(settings, cached=True) != settings.environment:
                raise WorkerError("this worker runs another version of eventcode, spaCy, the model or the "
                                  "codebook files than the client (or cannot read the same codebook folders); "
                                  "install the same versions everywhere")
            try:
                _WORKER["nlp"] = settings.pipeline()
            except Exception as exc:  # noqa: BLE001 - send a picklable, readable error back to the parent
                raise WorkerError(f"a worker could not load the pipeline: {type(exc).__name__}: {exc}") from None
            _WORKER["key"] = key
        return _WORKER["nlp"]


def _init_worker(settings: RunSettings) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        _worker_pipeline(settings)
    except WorkerError as exc:
        _WORKER["error"] = str(exc)


def _pool_task(settings: RunSettings, articles: list[Article]) -> ChunkResult:
    if "error" in _WORKER:
        raise WorkerError(_WORKER["error"])
    return code_chunk(_worker_pipeline(settings), settings, articles)


_CODE_LOCK = threading.Lock()


def dask_code_chunk(settings: RunSettings, articles: list[Article]) -> ChunkResult:
    """The Dask task: code one chunk on a worker (the worker loads the pipeline once, on its first chunk)."""
    nlp = _worker_pipeline(settings)
    with _CODE_LOCK:  # one chunk at a time per worker process: the pipeline is not shared across threads
        return code_chunk(nlp, settings, articles)


def _mp_context():
    """Linux: ``fork`` from a parent that has already loaded the pipeline, so workers start at once and share
    the model's memory copy-on-write (spaCy's own ``nlp.pipe(n_process=...)`` forks the same way). Elsewhere
    ``spawn``: each worker loads the pipeline itself, once."""
    import multiprocessing as mp

    if sys.platform.startswith("linux"):
        return mp.get_context("fork")
    return mp.get_context("spawn")


def _run_pool(settings: RunSettings, todo, workers: int) -> Iterator[tuple[int, ChunkResult]]:
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    settings = replace(settings, environment="")  # same machine, same files: nothing to check
    context = _mp_context()
    if context.get_start_method() == "fork":
        _worker_pipeline(settings)  # load once here; forked workers inherit it
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(settings,))
    try:
        yield from _ordered(lambda arts: pool.submit(_pool_task, settings, arts), todo,
                            workers * IN_FLIGHT_PER_WORKER)
    except BrokenProcessPool as exc:
        raise EventcodeError(f"a worker process died ({exc}); the checkpoint keeps the finished chunks: run "
                             "the same command again to resume (with fewer --workers if memory ran out)") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _run_dask(settings: RunSettings, todo, workers: int, scheduler: str | None,
              say: Callable[[str], None] | None = None) -> Iterator[tuple[int, ChunkResult]]:
    """Code chunks as Dask tasks. See :func:`code_file` for pointing it at an existing cluster."""
    import logging

    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover
        raise EventcodeError("the dask backend needs dask.distributed: pip install 'dask[distributed]'") from None
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                               silence_logs=logging.ERROR)
        client = Client(cluster)
    try:
        threads = sum(client.nthreads().values()) or workers
        if say is not None:
            say(f"eventcode: dask scheduler {client.scheduler.address} with {len(client.nthreads())} workers "
                f"({threads} threads)")
        yield from _ordered(lambda arts: client.submit(dask_code_chunk, settings, arts, pure=False), todo,
                            max(2, threads * IN_FLIGHT_PER_WORKER))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# --------------------------------------------------------------------------------------------- progress


class _Progress:
    """A tqdm bar (articles/s, events and events/s) on a terminal; nothing when quiet or not a TTY."""

    def __init__(self, quiet: bool, articles: int = 0, events: int = 0):
        self.bar = None
        self.events = events
        self.new_events = 0
        self.start = time.perf_counter()
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(initial=articles, unit=" articles", file=sys.stderr, dynamic_ncols=True,
                            mininterval=0.5, smoothing=0.05, desc="coding")

    def update(self, result: ChunkResult) -> None:
        self.events += result.events
        self.new_events += result.events
        if self.bar is not None:
            rate = self.new_events / max(time.perf_counter() - self.start, 1e-9)
            self.bar.set_postfix_str(f"{self.events:,} events, {rate:,.0f} events/s", refresh=False)
            self.bar.update(result.articles)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# --------------------------------------------------------------------------------------------- the run


def default_workers() -> int:
    """Every core this process may run on (the CPU affinity mask, which batch schedulers set), else cpu_count."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _chunks(articles: Iterable[Article], size: int, counter: list[int]) -> Iterator[tuple[int, list[Article]]]:
    buf: list[Article] = []
    for art in articles:
        buf.append(art)
        if len(buf) == size:
            yield counter[0], buf
            counter[0] += 1
            buf = []
    if buf:
        yield counter[0], buf
        counter[0] += 1


def code_file(input_path, output_path, model=None, overlays=(), goldstein="default", quad=None, date=None,
              errors_path=None, workers=None, batch_size=32, backend="local", scheduler=None, quiet=False,
              restart=False, ontology="cameo", chunk_size: int = DEFAULT_CHUNK_SIZE, max_chars: int = MAX_CHARS,
              codebook=None) -> RunSummary:
    """Code an input file/folder into an event file. Returns a RunSummary (bad records are reported, not fatal).

    Streams the input in chunks of ``chunk_size`` articles, codes them with ``workers`` processes (default: all
    cores; 1 = in this process) or on a Dask cluster, checkpoints every chunk in ``OUTPUT.checkpoint/`` and
    resumes from it when run again with the same input and settings (``restart=True`` starts over). The output
    (.jsonl, .csv, .parquet or a folder of Parquet parts) is byte-identical whatever the worker count. Bad
    records are written to ``errors_path`` (default ``OUTPUT.errors.tsv``). Module docstring: the details.

    **Dask** (``backend="dask"``). With no ``scheduler`` a local ``dask.distributed`` cluster of ``workers``
    processes (one thread each) is started and stopped. To use an existing cluster, pass its scheduler address
    (``--scheduler tcp://HOST:8786``). The client (where ``eventcode code`` runs) reads the input and sends
    chunks of articles to the workers; workers return the coded rows and the client writes the output and the
    checkpoint, so workers need no access to the input or output files. Every worker needs the same Python
    environment as the client (eventcode, spaCy and the model, same versions: the run stops with a message
    otherwise) and must be able to read the codebook folders at the same paths (any ``--codebook`` overlay: put
    it on a shared filesystem). Each worker process loads the pipeline once, on its first chunk; run one thread
    per worker process (``--nthreads 1``) and as many processes as cores: spaCy does not parse faster with
    threads. For example, on a university cluster with SLURM (``pip install dask-jobqueue``)::

        from dask_jobqueue import SLURMCluster
        cluster = SLURMCluster(cores=8, processes=8, memory="16GB", walltime="04:00:00",
                               python="/path/to/venv/bin/python")   # 8 single-threaded workers per job
        cluster.scale(jobs=10)                                       # 80 workers
        print(cluster.scheduler_address)                             # then, from the same login node:
        # eventcode code corpus/ -o events.parquet --backend dask --scheduler tcp://10.0.0.5:8786

    or start the scheduler and workers by hand (``dask scheduler`` on one node, ``dask worker tcp://HOST:8786
    --nworkers 8 --nthreads 1`` on each compute node, e.g. inside an ``sbatch`` script). On Kubernetes,
    ``dask-kubernetes`` (``KubeCluster``) or the Dask Helm chart give a scheduler address the same way; build the
    worker image from the same environment as the client. ``.parquet`` or a folder as output gives partitioned
    Parquet (``part.NNNNNN.parquet``, one per chunk, in input order); ``.jsonl``/``.csv`` give one file. The
    events are the same, in the same order, as with the local backend.
    """
    start = time.perf_counter()
    summary = RunSummary()
    say = lambda msg: print(msg, file=sys.stderr)  # noqa: E731
    if backend not in ("local", "dask"):
        raise EventcodeError(f"unknown backend {backend!r}: local or dask")
    if workers is not None and workers < 0:
        raise EventcodeError(f"--workers must be positive, got {workers}")
    if chunk_size < 1:
        raise EventcodeError(f"--chunk-size must be positive, got {chunk_size}")
    workers = workers or default_workers()
    input_path = Path(input_path)
    if not input_path.exists():
        raise InputError(input_path, None, None, "input not found")
    output = Path(output_path)
    kind = output_kind(output_path, backend)
    if kind == "parquet-dir":
        _check_output_folder(output)
    settings = RunSettings(model=model, codebook=str(codebook) if codebook else None,
                           overlays=tuple(str(o) for o in overlays or ()), goldstein=goldstein, quad=quad,
                           ontology=ontology, batch_size=batch_size,
                           kind="parquet" if kind.startswith("parquet") else kind)
    settings = replace(settings, environment=environment_key(settings))
    fingerprint = run_fingerprint(input_path, settings, date, max_chars, chunk_size)
    output.parent.mkdir(parents=True, exist_ok=True)
    ckpt = Checkpoint(Path(str(output).rstrip("/" + os.sep) + ".checkpoint"), fingerprint, say,
                      ".parquet" if settings.kind == "parquet" else "." + settings.kind)
    ckpt.open(restart)
    summary.resumed_chunks = len(ckpt.done)
    summary.backend, summary.workers, summary.scheduler = backend, workers, scheduler

    from .io import read_articles

    reader_problems: list[RecordProblem] = []
    counter = [0]
    todo = (c for c in _chunks(read_articles(input_path, reader_problems, date=date, max_chars=max_chars),
                               chunk_size, counter) if c[0] not in ckpt.done)
    head = list(islice(todo, 2))
    todo = chain(head, todo)
    if backend == "dask":
        results = _run_dask(settings, todo, workers, scheduler, None if quiet else say)
    elif workers == 1 or len(head) < 2:  # one worker, or at most one chunk left: no processes to start
        summary.workers = 1
        results = _run_in_process(settings, todo)
    else:
        results = _run_pool(settings, todo, workers)
    done_before = list(ckpt.done.values())
    progress = _Progress(quiet, sum(e["articles"] for e in done_before), sum(e["events"] for e in done_before))
    coded = 0
    try:
        for k, result in results:
            ckpt.record(k, result)
            progress.update(result)
            coded += result.articles
            mark = (time.perf_counter() - start, coded)
            summary.timeline = [summary.timeline[0] if summary.timeline else mark, mark]
    except KeyboardInterrupt:
        say(f"eventcode: interrupted; {len(ckpt.done)} chunks are saved in {ckpt.folder}: run the same command "
            "again to resume")
        raise
    finally:
        progress.close()
        results.close()
        ckpt.close()

    summary.chunks = counter[0]
    _assemble(ckpt, output, kind, settings.extra, counter[0])
    summary.output = output
    summary.articles = sum(ckpt.done[k]["articles"] for k in range(counter[0]))
    summary.events = sum(ckpt.done[k]["events"] for k in range(counter[0]))
    summary.problems = reader_problems + ckpt.problems()
    default_errors = Path(str(output).rstrip("/" + os.sep) + ".errors.tsv")
    if summary.problems:
        from .io import write_problems

        summary.errors_path = write_problems(summary.problems, errors_path or default_errors)
    elif errors_path is None and default_errors.exists():
        default_errors.unlink()  # a report left by an earlier run on other input would mislead
    ckpt.discard()
    summary.seconds = time.perf_counter() - start
    return summary

"""Readers and writers: articles in (.jsonl, .csv, .txt, a folder of them), event tables out (.jsonl, .csv,
.parquet).

Input is untrusted. A bad record never stops the others: readers yield good :class:`Article` objects and append a
:class:`RecordProblem` (file, line, field, message) for each bad one to the ``problems`` list the caller gives.
Writers write to a temporary file and rename it into place, so a reader never sees half a file.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
import os
import re
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd

from . import schema
from .errors import InputError

#: Longest article text coded (characters). Parsing needs memory and time that grow faster than the text: with
#: the small English model a 100,000-character text peaks near 0.5 GB per process, 300,000 near 1 GB and
#: 1,000,000 near 3 GB. News articles are far shorter (a long feature is ~60,000 characters); longer texts are
#: reported and skipped (``--max-chars`` raises the limit).
MAX_CHARS = 200_000
ARTICLE_FIELDS = ("id", "text", "date", "headline", "source", "url")


@dataclass
class Article:
    id: str
    text: str
    date: str | None = None  # ISO YYYY-MM-DD or None
    headline: str | None = None
    source: str | None = None
    url: str | None = None
    origin: str = ""  # "file:line", for messages

    @property
    def full_text(self) -> str:
        """Headline and body as one text; the headline is the first ``headline_chars`` characters."""
        return f"{self.headline}\n\n{self.text}" if self.headline else self.text

    @property
    def headline_chars(self) -> int:
        return len(self.headline) if self.headline else 0


@dataclass
class RecordProblem:
    path: str
    line: int | None
    field: str | None
    message: str
    level: str = "error"  # "error": record skipped; "warning": record coded with the field emptied

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        what = f" field '{self.field}':" if self.field else ""
        return f"{self.level}: {where}:{what} {self.message}"


def _clean(value) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


#: Characters that cannot be written as UTF-8: bytes that were not UTF-8 (read with "surrogateescape") and
#: lone surrogate escapes such as "\udc80" in JSON.
_SURROGATE = re.compile("[\ud800-\udfff]")
_REPLACEMENT = "\ufffd"


def _undecodable(rec: dict) -> list[str]:
    """Replace undecodable characters in the record's string fields with U+FFFD; return the fields touched."""
    bad = []
    for key, value in rec.items():
        if isinstance(value, str) and _SURROGATE.search(value):
            rec[key] = _SURROGATE.sub(_REPLACEMENT, value)
            bad.append(str(key))
    return bad


def validate_record(rec: dict, path: str, line: int | None, problems: list, seen_ids: set,
                    max_chars: int = MAX_CHARS) -> Article | None:
    """One raw record -> Article, or None (with a problem appended) when it cannot be coded.

    Errors (record skipped): not an object, missing/empty/non-scalar ``id``, missing/empty/non-string ``text``,
    a duplicate ``id`` (the first is coded), a text over ``max_chars``. Warnings (record coded): a ``date`` that
    is not YYYY-MM-DD (coded with no date), bytes that are not UTF-8 (replaced with U+FFFD).
    """
    if not isinstance(rec, dict):
        problems.append(RecordProblem(path, line, None, f"expected an object with id and text, got "
                                      f"{type(rec).__name__}"))
        return None
    rec = dict(rec)
    bad_bytes = _undecodable(rec)
    raw_id = rec.get("id")
    if isinstance(raw_id, (dict, list, bool)):
        problems.append(RecordProblem(path, line, "id", f"expected a string or a number, got "
                                      f"{type(raw_id).__name__}"))
        return None
    doc_id = _clean(raw_id)
    if doc_id is None:
        problems.append(RecordProblem(path, line, "id", "missing or empty"))
        return None
    text = rec.get("text")
    if text is not None and not isinstance(text, str) and not (isinstance(text, float) and pd.isna(text)):
        problems.append(RecordProblem(path, line, "text", f"expected a string, got {type(text).__name__} "
                                      f"(id {doc_id!r})"))
        return None
    if not isinstance(text, str) or not text.strip():
        problems.append(RecordProblem(path, line, "text", f"missing or empty (id {doc_id!r})"))
        return None
    if doc_id in seen_ids:
        problems.append(RecordProblem(path, line, "id", f"duplicate id {doc_id!r}: only the first is coded"))
        return None
    if len(text) > max_chars:
        problems.append(RecordProblem(path, line, "text", f"{len(text):,} characters (id {doc_id!r}), over the "
                                      f"limit of {max_chars:,}; not coded (raise --max-chars to code it)"))
        return None
    seen_ids.add(doc_id)
    for field in bad_bytes:
        problems.append(RecordProblem(path, line, field, f"not valid UTF-8 (id {doc_id!r}); undecodable characters "
                                      "replaced with U+FFFD", level="warning"))
    date = _clean(rec.get("date"))
    if date is not None:
        try:
            if len(date) > 10 and date[10] not in "T ":
                raise ValueError(date)
            date = dt.date.fromisoformat(date[:10]).isoformat()  # a timestamp keeps its day
        except ValueError:
            problems.append(RecordProblem(path, line, "date", f"{date!r} is not a date YYYY-MM-DD (id {doc_id!r}); "
                                          "coded with no date", level="warning"))
            date = None
    return Article(doc_id, text.strip(), date, _clean(rec.get("headline")), _clean(rec.get("source")),
                   _clean(rec.get("url")), f"{path}:{line}" if line else path)


def _read_jsonl(path: Path, problems: list, seen: set, max_chars: int) -> Iterator[Article]:
    """One JSON object per line. Bytes that are not UTF-8 are kept through parsing ("surrogateescape") so the
    warning can name the field they are in; a BOM at the start of the file is ignored."""
    content = False
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            if n == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            if not raw.strip():
                continue
            content = True
            line = raw.decode("utf-8", errors="surrogateescape")
            try:
                rec = json.loads(line)
            except (json.JSONDecodeError, RecursionError) as exc:
                if isinstance(exc, RecursionError):
                    msg = "malformed JSON: nested too deeply"
                else:
                    msg = f"malformed JSON: {exc.msg.removesuffix(' at')} at column {exc.colno}"
                if n == 1 and line.lstrip().startswith("["):
                    msg += " (input must hold one JSON object per line, JSON Lines, not a JSON array)"
                problems.append(RecordProblem(str(path), n, None, msg))
                continue
            art = validate_record(rec, str(path), n, problems, seen, max_chars)
            if art is not None:
                yield art
    if not content:
        problems.append(RecordProblem(str(path), None, None, "empty file: no articles (only blank lines)"))


def _read_csv(path: Path, problems: list, seen: set, max_chars: int) -> Iterator[Article]:
    """A CSV with a header row naming at least ``id`` and ``text`` (names matched case-insensitively).

    Streamed row by row; fields may be as long as the text limit; a malformed row is reported and skipped."""
    if csv.field_size_limit() < max_chars + 1024:
        csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        reader = csv.DictReader(fh)
        try:
            header = reader.fieldnames
        except csv.Error as exc:
            problems.append(RecordProblem(str(path), 1, None, f"malformed CSV header: {exc}"))
            return
        if not header:
            problems.append(RecordProblem(str(path), None, None, "empty file: no articles (no header row)"))
            return
        reader.fieldnames = [_SURROGATE.sub(_REPLACEMENT, (h or "").strip().lower()) for h in header]
        missing = [c for c in ("id", "text") if c not in reader.fieldnames]
        if missing:
            problems.append(RecordProblem(str(path), 1, ",".join(missing),
                                          f"CSV header lacks column(s) {', '.join(missing)}; found "
                                          f"{', '.join(reader.fieldnames)}; no record of this file is coded"))
            return
        rows = 0
        while True:
            start = reader.line_num + 1
            try:
                rec = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                problems.append(RecordProblem(str(path), reader.line_num, None, f"malformed CSV row: {exc}"))
                if reader.line_num < start:  # the reader did not move on: stop rather than loop
                    break
                continue
            rows += 1
            extra = rec.pop(None, None)
            art = validate_record(rec, str(path), start, problems, seen, max_chars)
            if art is not None:
                if extra:
                    problems.append(RecordProblem(str(path), start, None, f"{len(extra)} more field(s) than the "
                                                  f"header (id {art.id!r}); ignored", level="warning"))
                yield art
        if rows == 0:
            problems.append(RecordProblem(str(path), None, None, "no articles: the CSV has a header but no rows"))


def read_txt(path: Path, problems: list | None = None, seen: set | None = None, date: str | None = None,
             max_chars: int = MAX_CHARS) -> Article | None:
    """A .txt article: the first non-empty line is the headline, the rest the body; id = file stem."""
    problems = problems if problems is not None else []
    text = path.read_bytes().decode("utf-8-sig", errors="surrogateescape")
    lines = text.strip().splitlines()
    headline = lines[0].strip() if lines else ""
    body = "\n".join(lines[1:]).strip()
    if not body:  # a one-paragraph file is all body
        headline, body = "", headline
    rec = {"id": path.stem, "text": body, "headline": headline or None, "date": date}
    return validate_record(rec, str(path), None, problems, seen if seen is not None else set(), max_chars)


def input_files(path) -> list[Path]:
    """The files :func:`read_articles` reads for ``path``, in reading order (a folder: its .txt, .jsonl and .csv
    files by name)."""
    path = Path(path)
    if path.is_dir():
        return sorted(f for f in path.iterdir() if f.is_file() and f.suffix.lower() in INPUT_SUFFIXES)
    return [path]


INPUT_SUFFIXES = (".txt", ".jsonl", ".ndjson", ".json", ".csv")


def read_articles(path, problems: list | None = None, date: str | None = None,
                  max_chars: int = MAX_CHARS) -> Iterator[Article]:
    """Stream the articles of a .jsonl/.csv/.txt file or a folder of such files, in file order.

    ``problems`` collects RecordProblem objects for bad records; ``date`` gives .txt input an article date.
    A missing input raises :class:`InputError`; everything else wrong with the input is a problem, not an
    exception. Only the set of ids seen is kept (to report duplicates), never the articles.
    """
    problems = problems if problems is not None else []
    path = Path(path)
    seen: set = set()
    if path.is_dir():  # a folder: its .txt articles, and any .jsonl/.csv files, in file-name order
        files = input_files(path)
        if not files:
            problems.append(RecordProblem(str(path), None, None, "folder holds no .txt, .jsonl or .csv files"))
        for f in files:
            yield from _read_file(f, problems, seen, date, max_chars)
        return
    yield from _read_file(path, problems, seen, date, max_chars)


def _read_file(path: Path, problems: list, seen: set, date: str | None, max_chars: int) -> Iterator[Article]:
    if not path.exists():
        raise InputError(path, None, None, "input not found")
    suffix = path.suffix.lower()
    if suffix not in INPUT_SUFFIXES:
        raise InputError(path, None, None, f"unknown input type {suffix!r}: use .jsonl, .csv, .txt or a folder")
    try:
        if path.stat().st_size == 0:
            problems.append(RecordProblem(str(path), None, None, "empty file: no articles"))
            return
        if suffix in (".jsonl", ".ndjson", ".json"):
            yield from _read_jsonl(path, problems, seen, max_chars)
        elif suffix == ".csv":
            yield from _read_csv(path, problems, seen, max_chars)
        else:
            art = read_txt(path, problems, seen, date, max_chars)
            if art is not None:
                yield art
    except OSError as exc:  # unreadable (permissions, a broken link, a vanished file): report, go on
        problems.append(RecordProblem(str(path), None, None, f"cannot read the file: {exc.strerror or exc}"))


def articles_from(obj, problems: list | None = None, date: str | None = None) -> Iterator[Article]:
    """Articles from a path, a DataFrame, or an iterable of dicts/Articles (the Python API's input)."""
    problems = problems if problems is not None else []
    if isinstance(obj, (str, os.PathLike)):
        yield from read_articles(obj, problems, date=date)
        return
    records: Iterable = obj.to_dict("records") if isinstance(obj, pd.DataFrame) else obj
    seen: set = set()
    for n, rec in enumerate(records, 1):
        if isinstance(rec, Article):
            rec = asdict(rec)
        art = validate_record(rec, "<records>", n, problems, seen)
        if art is not None:
            yield art


# --------------------------------------------------------------------------------------------- writers


def _atomic_write(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def frame_to_jsonl(df: pd.DataFrame) -> str:
    """Events as JSON lines, columns in schema order, missing values as null (stable bytes)."""
    out = []
    records = df.astype(object).where(df.notna(), None).to_dict("records")
    for rec in records:
        out.append(json.dumps(rec, ensure_ascii=False, default=_json_default))
    return "".join(line + "\n" for line in out)


def _json_default(value):
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (dt.date, pd.Timestamp)):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def write_events(df: pd.DataFrame, path) -> Path:
    """Write an event table by extension (.jsonl, .csv, .parquet), atomically. Returns the path."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        _atomic_write(path, lambda tmp: Path(tmp).write_text(frame_to_jsonl(df), encoding="utf-8"))
    elif suffix == ".csv":
        _atomic_write(path, lambda tmp: df.to_csv(tmp, index=False, lineterminator="\n"))
    elif suffix == ".parquet":
        _atomic_write(path, lambda tmp: df.to_parquet(tmp, index=False, engine="pyarrow"))
    else:
        raise InputError(path, None, None, f"unknown output type {suffix!r}: use .jsonl, .csv or .parquet")
    return path


def read_events(path) -> pd.DataFrame:
    """Read an event table the coder wrote (any of its formats, or a folder of Parquet parts) with its dtypes."""
    path = Path(path)
    suffix = path.suffix.lower()
    if path.is_dir() or suffix == ".parquet":
        df = pd.read_parquet(path)
    elif suffix in (".jsonl", ".ndjson"):
        df = pd.read_json(path, lines=True, dtype=False) if path.stat().st_size else schema.empty_frame()
    elif suffix == ".csv":
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    else:
        raise InputError(path, None, None, f"unknown event file type {suffix!r}")
    known = {c: t for c, t in schema.DTYPES.items() if c in df.columns}
    for col, dtype in known.items():
        if dtype == "bool":
            df[col] = df[col].map(lambda v: str(v).lower() in ("true", "1")).astype(bool)
        elif dtype in ("int64", "float64"):
            df[col] = pd.to_numeric(df[col]).astype(dtype)
        else:
            df[col] = df[col].astype("string")
    for col in ("code", "root_code"):
        if col in df.columns:
            width = 2 if col == "root_code" else 3
            df[col] = df[col].map(lambda v: v if pd.isna(v) or len(v) >= width else v.zfill(width)).astype("string")
    return df


def write_problems(problems: list, path) -> Path:
    """The errors report: one line per bad record, tab-separated level, file, line, field, message."""
    lines = ["level\tfile\tline\tfield\tmessage"]
    for p in problems:
        lines.append("\t".join([p.level, p.path, str(p.line or ""), p.field or "", p.message.replace("\t", " ")]))
    path = Path(path)
    _atomic_write(path, lambda tmp: Path(tmp).write_text("\n".join(lines) + "\n", encoding="utf-8"))
    return path

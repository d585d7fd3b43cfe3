"""Readers and writers: articles in (.jsonl, .csv, .txt, a folder of .txt), event tables out (.jsonl, .csv,
.parquet).

Input is untrusted. A bad record never stops the others: readers yield good :class:`Article` objects and append a
:class:`RecordProblem` (file, line, field, message) for each bad one to the ``problems`` list the caller gives.
Writers write to a temporary file and rename it into place, so a reader never sees half a file.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd

from . import schema
from .errors import InputError

#: Longest article text coded (characters). spaCy's own default limit is 1,000,000; longer texts are not news.
MAX_CHARS = 1_000_000
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


def validate_record(rec: dict, path: str, line: int | None, problems: list, seen_ids: set,
                    max_chars: int = MAX_CHARS) -> Article | None:
    """One raw record -> Article, or None (with a problem appended) when it cannot be coded."""
    if not isinstance(rec, dict):
        problems.append(RecordProblem(path, line, None, f"expected an object with id and text, got "
                                      f"{type(rec).__name__}"))
        return None
    doc_id = _clean(rec.get("id"))
    if doc_id is None:
        problems.append(RecordProblem(path, line, "id", "missing or empty"))
        return None
    text = rec.get("text")
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
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                problems.append(RecordProblem(str(path), n, None, f"not UTF-8 ({exc.reason} at byte {exc.start})"))
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(RecordProblem(str(path), n, None, f"malformed JSON: {exc.msg} at column {exc.colno}"))
                continue
            art = validate_record(rec, str(path), n, problems, seen, max_chars)
            if art is not None:
                yield art


def _read_csv(path: Path, problems: list, seen: set, max_chars: int) -> Iterator[Article]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(RecordProblem(str(path), None, None, f"not UTF-8 ({exc.reason} at byte {exc.start}); "
                                      "undecodable bytes replaced", level="warning"))
        text = raw.decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in ("id", "text") if c not in (reader.fieldnames or [])]
    if missing:
        problems.append(RecordProblem(str(path), 1, ",".join(missing), f"CSV header lacks column(s) {missing}; "
                                      f"found {reader.fieldnames}"))
        return
    for rec in reader:
        line = reader.line_num
        art = validate_record(rec, str(path), line, problems, seen, max_chars)
        if art is not None:
            yield art


def read_txt(path: Path, problems: list | None = None, seen: set | None = None, date: str | None = None,
             max_chars: int = MAX_CHARS) -> Article | None:
    """A .txt article: the first non-empty line is the headline, the rest the body; id = file stem."""
    problems = problems if problems is not None else []
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(RecordProblem(str(path), None, None, f"not UTF-8 ({exc.reason} at byte {exc.start}); "
                                      "undecodable bytes replaced", level="warning"))
        text = raw.decode("utf-8", errors="replace")
    lines = text.strip().splitlines()
    headline = lines[0].strip() if lines else ""
    body = "\n".join(lines[1:]).strip()
    if not body:  # a one-paragraph file is all body
        headline, body = "", headline
    rec = {"id": path.stem, "text": body, "headline": headline or None, "date": date}
    return validate_record(rec, str(path), None, problems, seen if seen is not None else set(), max_chars)


def read_articles(path, problems: list | None = None, date: str | None = None,
                  max_chars: int = MAX_CHARS) -> Iterator[Article]:
    """Stream the articles of a .jsonl/.csv/.txt file or a folder of .txt files, in file order.

    ``problems`` collects RecordProblem objects for bad records; ``date`` gives .txt input an article date.
    """
    problems = problems if problems is not None else []
    path = Path(path)
    seen: set = set()
    if path.is_dir():  # a folder: its .txt articles, and any .jsonl/.csv files, in file-name order
        files = sorted(f for f in path.iterdir() if f.suffix.lower() in (".txt", ".jsonl", ".csv"))
        if not files:
            problems.append(RecordProblem(str(path), None, None, "folder holds no .txt, .jsonl or .csv files"))
        for f in files:
            if f.suffix.lower() == ".txt":
                art = read_txt(f, problems, seen, date, max_chars)
                if art is not None:
                    yield art
            else:
                yield from _read_file(f, problems, seen, date, max_chars)
        return
    yield from _read_file(path, problems, seen, date, max_chars)


def _read_file(path: Path, problems: list, seen: set, date: str | None, max_chars: int) -> Iterator[Article]:
    if not path.exists():
        raise InputError(path, None, None, "input not found")
    suffix = path.suffix.lower()
    if path.stat().st_size == 0:
        problems.append(RecordProblem(str(path), None, None, "empty file: no articles"))
        return
    if suffix in (".jsonl", ".ndjson", ".json"):
        yield from _read_jsonl(path, problems, seen, max_chars)
    elif suffix == ".csv":
        yield from _read_csv(path, problems, seen, max_chars)
    elif suffix == ".txt":
        art = read_txt(path, problems, seen, date, max_chars)
        if art is not None:
            yield art
    else:
        raise InputError(path, None, None, f"unknown input type {suffix!r}: use .jsonl, .csv, .txt or a folder")


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

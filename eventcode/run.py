"""Running the coder over many articles: streaming batches through ``nlp.pipe`` and turning docs into rows.

This module knows nothing of CAMEO; it moves articles in and event rows out, in input order.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from spacy.language import Language

from .io import Article


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


def code_stream(nlp: Language, articles: Iterable[Article], batch_size: int = 32) -> Iterator[tuple[Article, list[dict]]]:
    """Yield (article, event rows) in input order, parsing in batches with ``nlp.pipe``."""
    pending: list[Article] = []

    def docs():
        for art in articles:
            pending.append(art)
            yield article_doc(nlp, art)

    for doc in nlp.pipe(docs(), batch_size=batch_size):
        art = pending.pop(0)
        yield art, event_rows(art, doc)


class RunSummary:
    """What a run did, for the command line and the exit status."""

    def __init__(self):
        self.articles = 0
        self.events = 0
        self.problems: list = []
        self.seconds = 0.0
        self.output = None
        self.errors_path = None

    @property
    def skipped(self) -> int:
        return sum(1 for p in self.problems if p.level == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.level == "warning")

    def describe(self) -> str:
        lines = [f"coded {self.articles} articles -> {self.events} events in {self.seconds:.1f}s -> {self.output}"]
        if self.problems:
            lines.append(f"{self.skipped} records skipped, {self.warnings} warnings; report: {self.errors_path}")
            lines += [f"  {p}" for p in self.problems[:10]]
            if len(self.problems) > 10:
                lines.append(f"  ... {len(self.problems) - 10} more in the report")
        return "\n".join(lines)


def code_file(input_path, output_path, model=None, overlays=(), goldstein="default", quad=None, date=None,
              errors_path=None, workers=None, batch_size=32, backend="local", scheduler=None, quiet=False,
              restart=False, ontology="cameo") -> RunSummary:
    """Code an input file/folder into an event file. Returns a RunSummary (bad records are reported, not fatal)."""
    import time
    from pathlib import Path

    from . import load_pipeline
    from .io import read_articles, write_events, write_problems
    from .schema import to_frame

    start = time.perf_counter()
    summary = RunSummary()
    nlp = load_pipeline(model, None, tuple(overlays or ()), goldstein, quad)
    rows: list[dict] = []
    for _, events in code_stream(nlp, read_articles(input_path, summary.problems, date=date), batch_size):
        summary.articles += 1
        rows.extend(events)
    df = to_frame(rows)
    summary.events = len(df)
    summary.output = write_events(df, output_path)
    if summary.problems:
        summary.errors_path = write_problems(summary.problems, errors_path or Path(str(output_path) + ".errors.tsv"))
    summary.seconds = time.perf_counter() - start
    return summary

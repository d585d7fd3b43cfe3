"""eventcode: news articles in, a tidy table of CAMEO-coded political events out.

Quick start::

    import eventcode
    events = eventcode.code_articles("articles.jsonl")   # a pandas DataFrame, one row per event

The spaCy component is registered as ``"eventcode"``: ``nlp.add_pipe("eventcode")`` in any English pipeline with
a parser sets ``doc._.events``.
"""
from __future__ import annotations

from functools import lru_cache

from . import coder as _coder  # noqa: F401  (registers the spaCy factories)
from .codebook import load_codebook
from .errors import CodebookError, EventcodeError, InputError, ModelNotFoundError
from .explain import explain  # eager: a lazy import would rebind eventcode.explain to the submodule
from .io import articles_from, read_events, write_events
from .schema import COLUMNS, to_frame

__version__ = "0.1.0"
__all__ = ["code_articles", "explain", "load_pipeline", "load_codebook", "read_events", "write_events", "COLUMNS",
           "CodebookError", "EventcodeError", "InputError", "ModelNotFoundError"]


@lru_cache(maxsize=4)
def _cached_pipeline(model, codebook, overlays: tuple, goldstein, quad):
    from .pipeline import build_pipeline

    return build_pipeline(model, codebook=codebook, overlays=overlays, goldstein=goldstein, quad=quad)


def load_pipeline(model: str | None = None, codebook=None, overlays=(), goldstein: str = "default",
                  quad: str | None = None):
    """The spaCy Language eventcode uses (cached per settings, so a notebook loads it once)."""
    if isinstance(overlays, str):
        overlays = (overlays,)
    return _cached_pipeline(model, str(codebook) if codebook else None, tuple(str(o) for o in overlays or ()),
                            goldstein, quad)


def code_articles(articles, model: str | None = None, codebook=None, overlays=(), goldstein: str = "default",
                  quad: str | None = None, problems: list | None = None, date: str | None = None):
    """Code articles into an event DataFrame with exactly the CLI's columns and dtypes.

    ``articles``: a path (.jsonl/.csv/.txt/folder), a DataFrame, or an iterable of dicts with ``id`` and ``text``
    (optional ``date``, ``headline``, ``source``, ``url``). ``problems``, when a list, receives one entry per bad
    record (bad records are skipped, the rest coded).
    """
    from .run import code_stream

    nlp = load_pipeline(model, codebook, overlays, goldstein, quad)
    rows: list[dict] = []
    for _, events in code_stream(nlp, articles_from(articles, problems, date=date)):
        rows.extend(events)
    return to_frame(rows)

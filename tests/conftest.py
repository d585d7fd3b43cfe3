"""Shared fixtures: the real pipeline, loaded once per test session."""
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def nlp():
    import eventcode

    return eventcode.load_pipeline()


@pytest.fixture(scope="session")
def code(nlp):
    """code(text, date=None, headline=None) -> list of event dicts, via the real pipeline."""
    from eventcode.io import Article
    from eventcode.run import article_doc, event_rows

    def _code(text, date=None, headline=None):
        art = Article("t", text, date, headline)
        return event_rows(art, nlp(article_doc(nlp, art)))

    return _code


def triples(events):
    """(source, target, code) of each event, for compact assertions."""
    return [(e["source"], e["target"], e["code"]) for e in events]


@pytest.fixture(scope="module")
def parse():
    """A parser without the eventcode component (for tests that need no codebook)."""
    from eventcode.pipeline import load_model

    nlp = load_model()
    return lambda text: nlp(text)


def tokens(doc, *words):
    """The first token spelling each word (an event's trigger words)."""
    return [next(t for t in doc if t.text == w) for w in words]

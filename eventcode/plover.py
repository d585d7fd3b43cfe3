"""PLOVER beside CAMEO: the crosswalk of ``codebooks/plover.yaml`` applied to an event table.

PLOVER 2.0 has 16 event types (AGREE, CONSULT, SUPPORT, CONCEDE, COOPERATE, AID, RETREAT, REQUEST, ACCUSE,
REJECT, THREATEN, PROTEST, SANCTION, MOBILIZE, COERCE, ASSAULT), each with optional modes. The crosswalk is data
(``cameo_to_plover`` in ``codebooks/plover.yaml``, with the reasoning in its comments); this module only looks
codes up: a code missing from the table takes the entry of its three-digit base code, then of its root. CAMEO
codes without a PLOVER counterpart (statements, 01x) get an empty type.

``--ontology plover`` adds the columns ``plover_type`` and ``plover_mode`` (``schema.PLOVER_DTYPES``).
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
import yaml

from .schema import PLOVER_DTYPES

PLOVER_TYPES: tuple[str, ...] = ("AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT",
                                 "REQUEST", "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE",
                                 "COERCE", "ASSAULT")


def load_crosswalk(codebook=None) -> dict[str, tuple[str | None, str | None]]:
    """CAMEO code -> (PLOVER type, mode) from a Codebook (its ``plover`` data), a codebook folder or a
    ``plover.yaml`` path; None reads the shipped ``codebooks/plover.yaml``."""
    if codebook is None or isinstance(codebook, (str, Path)):
        from .codebook import SHIPPED_CODEBOOK

        path = Path(codebook) if codebook is not None else SHIPPED_CODEBOOK
        if path.is_dir():
            path = path / "plover.yaml"
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
    else:
        data = getattr(codebook, "plover", None) or {}
    table = data.get("cameo_to_plover") or {}
    out = {}
    for code, entry in table.items():
        if code == "__line__" or not isinstance(entry, dict):
            continue
        typ, mode = entry.get("type"), entry.get("mode")
        out[str(code)] = (str(typ) if typ else None, str(mode) if mode else None)
    return out


def plover_of(code, crosswalk: dict) -> tuple[str | None, str | None]:
    """(type, mode) of one CAMEO code: its own entry, else its 3-digit base, else its root; (None, None)."""
    if code is None or (isinstance(code, float) and pd.isna(code)) or code is pd.NA:
        return None, None
    code = str(code)
    for candidate in (code, code[:3], code[:2]):
        if candidate in crosswalk:
            return crosswalk[candidate]
    return None, None


def add_plover(df: pd.DataFrame, codebook=None) -> pd.DataFrame:
    """A copy of an event table with ``plover_type`` and ``plover_mode`` from its ``code`` column.

    ``codebook``: a Codebook, a codebook folder, a plover.yaml path, or None for the shipped crosswalk.
    """
    crosswalk = load_crosswalk(codebook)
    out = df.copy()
    pairs = [plover_of(c, crosswalk) for c in out["code"].tolist()] if "code" in out.columns else []
    out["plover_type"] = pd.Series([p[0] for p in pairs], index=out.index, dtype=object)
    out["plover_mode"] = pd.Series([p[1] for p in pairs], index=out.index, dtype=object)
    return out.astype(PLOVER_DTYPES)


def crosswalk_table(codebook=None) -> pd.DataFrame:
    """The crosswalk as a table: one row per CAMEO code with its PLOVER type and mode (for reading and plots)."""
    rows = [{"code": c, "plover_type": t, "plover_mode": m} for c, (t, m) in sorted(load_crosswalk(codebook).items())]
    return pd.DataFrame(rows, columns=["code", "plover_type", "plover_mode"]).astype("string")


def type_quad_classes(codebook=None, quad: dict[str, int] | None = None) -> dict[str, int]:
    """PLOVER type -> the quad class most of its CAMEO codes have (ties: the lower class).

    Derived from the crosswalk and the root -> quad mapping (``quad``; the default convention of
    ``codebooks/quad_classes.yaml`` when None), so a PLOVER-only dataset such as POLECAT can be put on the same
    quad scale as CAMEO data: e.g. ASSAULT -> 4 (material conflict), AGREE -> 1 (verbal cooperation).
    """
    if quad is None:
        from .aggregate import load_quad_mapping

        quad = load_quad_mapping()
    votes: dict[str, Counter] = {}
    for code, (typ, _) in load_crosswalk(codebook).items():
        if typ and len(code) >= 3 and code[:2] in quad:
            votes.setdefault(typ, Counter())[quad[code[:2]]] += 1
    return {t: min(c, key=lambda q: (-c[q], q)) for t, c in votes.items()}

"""``eventcode codebook show CODE``: what a CAMEO code (or a whole root) covers in the loaded codebook.

A root ("14") lists its codes with name, Goldstein value, scope, how many patterns produce each and a few of them.
A 3- or 4-digit code ("145") gives the name, the Goldstein value on every scale, the quad class under every
convention, the scope, every pattern that produces it (with file and line) and its PLOVER crosswalk entry.
Anything else is searched for in the event names ("protest", "sanction").
"""
from __future__ import annotations

import textwrap

from .codebook import Codebook, Pattern
from .errors import EventcodeError

EXAMPLES_PER_CODE = 4


def _patterns_for(codebook: Codebook, code: str) -> list[Pattern]:
    return [p for p in codebook.patterns if p.code == code]


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, width=110, initial_indent=indent, subsequent_indent=indent) or []


def _normalise(code: str) -> str:
    code = str(code).strip()
    if code.isdigit() and len(code) == 1:
        return code.zfill(2)
    return code


def show_code(codebook: Codebook, code: str) -> str:
    """A readable description of ``code`` (a root, a 3/4-digit code, or words of an event name)."""
    code = _normalise(code)
    if code in codebook.events and len(code) == 2:
        return _show_root(codebook, code)
    if code in codebook.events:
        return _show_code(codebook, code)
    return _search(codebook, code)


def _show_root(codebook: Codebook, root: str) -> str:
    ev = codebook.events[root]
    codes = sorted(c for c in codebook.events if c.startswith(root))
    all_patterns = [p for p in codebook.patterns if p.code.startswith(root)]
    out = [f"{root}  {ev.name}  (Goldstein {ev.goldstein:+.1f}; quad class {_quad_text(codebook, root)})"]
    out += _wrap(ev.description, "    ")
    out.append(f"    {len(codes)} codes, {len(all_patterns)} patterns "
               f"({sum(p.kind == 'verb' for p in all_patterns)} verb, "
               f"{sum(p.kind == 'noun' for p in all_patterns)} noun)")
    out.append("")
    for c in codes:
        e = codebook.events[c]
        pats = _patterns_for(codebook, c)
        indent = "  " + "  " * (len(c) - 2)
        nv, nn = sum(p.kind == "verb" for p in pats), sum(p.kind == "noun" for p in pats)
        out.append(f"{indent}{c:<5} {e.name}  [Goldstein {e.goldstein:+.1f}; {nv} verb / {nn} noun patterns]")
        out += _wrap(e.description, indent + "      ")
        if pats:
            shown = ", ".join(f'"{p.text}"' for p in pats[:EXAMPLES_PER_CODE])
            more = f" ... (+{len(pats) - EXAMPLES_PER_CODE})" if len(pats) > EXAMPLES_PER_CODE else ""
            out += _wrap(f"e.g. {shown}{more}", indent + "      ")
    out.append("")
    out.append("`eventcode codebook show CODE` lists one code's patterns with file and line. "
               f"Codebook {codebook.version}")
    return "\n".join(out)


def _quad_text(codebook: Codebook, code: str) -> str:
    parts = []
    for conv in codebook.quad_conventions:
        try:
            cls = codebook.quad(code, conv)
        except KeyError:
            continue
        label = codebook.quad_labels.get(conv, {}).get(cls, "")
        default = ", default" if conv == codebook.quad_default else ""
        parts.append(f"{cls}" + (f" {label}" if label else "") + f" ({conv}{default})")
    return "; ".join(parts)


def _show_code(codebook: Codebook, code: str) -> str:
    ev = codebook.events[code]
    out = [f"{code}  {ev.name}"]
    parents = [p for p in (code[:2], code[:3]) if p != code and p in codebook.events]
    if parents:
        out.append("  under: " + " > ".join(f"{p} {codebook.events[p].name}" for p in parents))
    children = sorted(c for c in codebook.events if c.startswith(code) and c != code)
    if children:
        out.append("  sub-codes: " + ", ".join(f"{c} {codebook.events[c].name}" for c in children))
    out += _wrap(ev.description, "  ")
    out.append("")
    scales = [f"default {ev.goldstein:+.1f}"]
    for name, table in sorted(codebook.goldstein_scales.items()):
        value = table.get(code)
        scales.append(f"{name} {value:+.1f}" if value is not None else f"{name} (not listed: default used)")
    out.append("  Goldstein:   " + "; ".join(scales))
    out.append("  quad class:  " + _quad_text(codebook, code))
    plover = (codebook.plover.get("cameo_to_plover") or {}).get(code)
    if isinstance(plover, dict):
        ptype = plover.get("type") or "none (no PLOVER counterpart)"
        mode = plover.get("mode")
        out.append(f"  PLOVER:      {ptype}" + (f", mode {mode}" if mode else ""))
    else:
        out.append("  PLOVER:      (no crosswalk entry)")
    pats = _patterns_for(codebook, code)
    out.append("")
    out.append(f"  Patterns ({len(pats)}):")
    if not pats:
        out.append("    none: the coder never produces this code (an overlay can add patterns)")
    for p in pats:
        role = f"   (source_role {p.source_role})" if p.source_role and p.kind == "noun" else ""
        out.append(f"    {p.kind:<4}  {p.text:<45} {p.location}{role}")
    out.append("")
    out.append(f"Codebook {codebook.version}")
    return "\n".join(out)


def _search(codebook: Codebook, query: str) -> str:
    words = query.lower().split()
    if not words:
        raise EventcodeError("give a CAMEO code (e.g. 14 or 145) or words of an event name")
    hits = [e for e in codebook.events.values()
            if all(w in (e.name + " " + e.description).lower() for w in words)]
    if not hits:
        raise EventcodeError(f"{query!r} is not a CAMEO event code in this codebook and no event name or "
                             "description contains it (codes are 2-4 digits: 14, 145, 1451)")
    hits.sort(key=lambda e: (not all(w in e.name.lower() for w in words), e.code))
    out = [f"{query!r} is not a code; event types that mention it:"]
    for e in hits[:30]:
        out.append(f"  {e.code:<5} {e.name}  [Goldstein {e.goldstein:+.1f}]")
    if len(hits) > 30:
        out.append(f"  ... {len(hits) - 30} more")
    return "\n".join(out)

"""Checking a codebook (``eventcode codebook lint``) and testing it on sentences (``eventcode codebook test``).

**lint** reads every file of a codebook folder itself, entry by entry, so that it can report *all* problems with
their file and line (the loader stops at the first). Errors make the exit status non-zero:

* YAML syntax and schema errors (missing or mistyped fields, unquoted codes, bad dates);
* pattern entries whose code is not a CAMEO event code in ``events.yaml``; unknown word sets; malformed actor codes;
* conflicting patterns: the same pattern text mapped to two codes (across files too), or the same words on the same
  predicate under another code, which the earlier one always wins (so the later can never match);
* words the tokenizer splits (``cease-fire`` is three tokens, so a one-word element ``cease-fire`` never matches).

Warnings are listed but do not fail: duplicate patterns, predicates (and members of predicate sets) that are not
lemmas (checked against the model lemmatizer's own tables), a leader whose terms overlap with different codes, two
people holding the same single office at once, the same actor string under two codes, entries filed under another
root's pattern file, files the loader ignores. Notes (``info``) say what an overlay replaces.

Linting an overlay folder checks it on top of the shipped codebook and shows the problems that involve the overlay.

**test** codes a file of sentences with expected events (YAML or JSONL) and reports passes and failures, with the
``explain`` output for each failure.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .codebook import (_ACTOR_RE, _CODE_RE, _ROLE_RE, _SET_RE, SHIPPED_CODEBOOK, Pattern, _compile_pattern, _line,
                       _rel, load_codebook, read_yaml)
from .errors import CodebookError, InputError

LEVELS = ("error", "warning", "info")

#: Files the loader reads, relative to a codebook folder (patterns/ and scales/ by glob).
_TOP_FILES = ("events.yaml", "quad_classes.yaml", "discard.yaml", "modality.yaml", "plover.yaml")
_ACTOR_FILES = ("countries.yaml", "organizations.yaml", "roles.yaml", "leaders.yaml")
_MODALITY_KEYS_DEFAULT = ("hypothetical_aux", "non_factual_heads", "denial_heads", "negators")


def _modality_keys() -> tuple[str, ...]:
    """The modality.yaml keys the coder reads (found in its source, so the list cannot go stale)."""
    try:
        import inspect

        from . import coder

        keys = re.findall(r'mod\.get\("(\w+)"', inspect.getsource(coder))
        return tuple(dict.fromkeys(keys)) or _MODALITY_KEYS_DEFAULT
    except Exception:  # pragma: no cover
        return _MODALITY_KEYS_DEFAULT
_COUNTRY_KEYS = {"names": "country-name", "adjectives": "adjective", "demonyms": "demonym",
                 "capitals": "capital", "cities": "city", "metonyms": "metonym"}
#: Offices one person holds at a time: two leaders with the same actor and one of these titles should not overlap.
_SINGLE_OFFICES = frozenset({"president", "prime minister", "chancellor", "king", "queen", "emperor", "premier",
                             "supreme leader", "secretary-general", "secretary general", "emir", "sultan",
                             "head of state", "head of government", "monarch", "crown prince"})


@dataclass
class Issue:
    level: str  # error | warning | info
    path: str  # file as shown to the user
    line: int | None
    message: str
    layer: int = 0  # 0 = the base codebook, 1.. = overlays

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.level}: {self.message}"


@dataclass
class LintReport:
    folders: list[str]
    issues: list[Issue] = field(default_factory=list)
    hidden: int = 0  # issues only in the base codebook, not shown when linting an overlay
    seconds: float = 0.0
    lemma_check: str = ""

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def text(self) -> str:
        order = {lvl: k for k, lvl in enumerate(LEVELS)}
        lines = [str(i) for i in sorted(self.issues, key=lambda i: (order[i.level], i.path, i.line or 0))]
        n_info = sum(i.level == "info" for i in self.issues)
        summary = (f"lint {' + '.join(self.folders)}: {len(self.errors)} error(s), {len(self.warnings)} "
                   f"warning(s), {n_info} note(s) in {self.seconds:.1f}s")
        if self.lemma_check:
            summary += f"; {self.lemma_check}"
        if self.hidden:
            summary += (f"\n({self.hidden} issue(s) in the base codebook itself not shown; "
                        "`eventcode codebook lint` lists them)")
        return "\n".join(lines + [summary])


class _Collector:
    def __init__(self):
        self.issues: list[Issue] = []
        self.seen: set[tuple] = set()

    def add(self, level: str, path, line, message: str, layer: int = 0) -> None:
        key = (str(path), line, message)
        if key in self.seen:
            return
        self.seen.add(key)
        self.issues.append(Issue(level, _show(path), line, message, layer))

    def error_from(self, exc: CodebookError, layer: int) -> None:
        what = f"field '{exc.field}': " if exc.field else ""
        self.add("error", exc.path, exc.line, what + exc.message, layer)


def _show(path) -> str:
    p = Path(path)
    try:
        p.resolve().relative_to(SHIPPED_CODEBOOK.resolve())
        return _rel(p.resolve())
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------------------------- raw reading


@dataclass
class _Layer:
    index: int
    folder: Path
    data: dict = field(default_factory=dict)  # file path -> parsed YAML (None when it failed)


def _read(layer: _Layer, path: Path, out: _Collector):
    try:
        value = read_yaml(path)
    except CodebookError as exc:
        out.error_from(exc, layer.index)
        value = None
    layer.data[path] = value
    return value


def _layout(layer: _Layer, out: _Collector) -> list[Path]:
    """The YAML files the loader reads; warn about others it would silently ignore."""
    folder = layer.folder
    known = [folder / f for f in _TOP_FILES if (folder / f).exists()]
    known += sorted((folder / "scales").glob("goldstein_*.yaml"))
    known += sorted((folder / "patterns").glob("*.yaml"))
    known += [folder / "actors" / f for f in _ACTOR_FILES if (folder / "actors" / f).exists()]
    known_set = {p.resolve() for p in known}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if not p.is_file() or rel.parts[0] in ("tests", "test") or p.suffix not in (".yaml", ".yml"):
            continue
        if any(part.startswith(".") for part in rel.parts):
            continue
        if p.resolve() not in known_set:
            out.add("warning", p, None, "not a codebook file the loader reads, so it is ignored (expected: "
                    "events.yaml, patterns/*.yaml, actors/{countries,organizations,roles,leaders}.yaml, "
                    "discard.yaml, modality.yaml, quad_classes.yaml, scales/goldstein_*.yaml; tests go in tests/)",
                    layer.index)
    return known


def _entries(data, path: Path, out: _Collector, layer: int, what: str) -> list:
    if data is None:
        return []
    if not isinstance(data, list):
        out.add("error", path, _line(data), f"expected a list of {what}, got {type(data).__name__}", layer)
        return []
    good = []
    for e in data:
        if not isinstance(e, dict):
            out.add("error", path, _line(e), f"expected a mapping ({what[:-1]} entry), got {e!r}", layer)
        else:
            good.append(e)
    return good


def _text_field(entry: dict, key: str, path, out: _Collector, layer: int, required: bool = True) -> str | None:
    value = entry.get(key)
    if value in (None, ""):
        if required:
            out.add("error", path, _line(entry), f"field '{key}': missing", layer)
        return None
    if not isinstance(value, str):
        hint = ' (quote codes: "0231"; an unquoted 0231 is read as a number)' if key in ("code", "actor") else ""
        out.add("error", path, _line(entry), f"field '{key}': expected text, got {value!r}{hint}", layer)
        return None
    return value


def _strings(entry: dict, key: str, path, out: _Collector, layer: int) -> list[str]:
    """The list of strings under ``key``; the returned strings keep their ``.line``."""
    value = entry.get(key)
    if value in (None, []):
        return []
    if not isinstance(value, list):
        out.add("error", path, _line(entry), f"field '{key}': expected a list of strings, got "
                f"{type(value).__name__}", layer)
        return []
    good = []
    for v in value:
        if not isinstance(v, str) or not v.strip():
            out.add("error", path, _line(v, _line(entry)), f"field '{key}': expected a non-empty string, got {v!r}",
                    layer)
        else:
            good.append(v)
    return good


# --------------------------------------------------------------------------------------------- the checks


class _Linter:
    def __init__(self, folders: list[Path]):
        self.layers = [_Layer(k, f) for k, f in enumerate(folders)]
        self.out = _Collector()
        self.events: dict[str, tuple] = {}  # code -> (path, line, layer)
        self.sets: dict[str, tuple] = {}  # name -> (members, path, line, layer)
        self.patterns: list[tuple[Pattern, int, Path]] = []  # (pattern, layer, path) in load order
        self.roles: dict[str, tuple] = {}
        self.countries: dict[str, tuple] = {}
        self.orgs: dict[str, tuple] = {}
        self.words_to_lemma: list[tuple] = []  # (word, context kind, path, line, layer, what)

    def add(self, *args, **kw):
        self.out.add(*args, **kw)

    def run(self) -> list[Issue]:
        files = {layer.index: _layout(layer, self.out) for layer in self.layers}
        for layer in self.layers:
            for path in files[layer.index]:
                _read(layer, path, self.out)
        for layer in self.layers:
            self.check_events(layer)
        for layer in self.layers:
            self.check_sets(layer)
        for layer in self.layers:
            self.check_patterns(layer)
        for layer in self.layers:
            self.check_actors(layer)
        self.check_pattern_conflicts()
        self.check_actor_strings()
        self.check_leaders()
        for layer in self.layers:
            self.check_discard_modality(layer)
            self.check_scales_plover(layer)
        return self.out.issues

    # ------------------------------------------------------------------ events

    def check_events(self, layer: _Layer) -> None:
        path = layer.folder / "events.yaml"
        for e in _entries(layer.data.get(path), path, self.out, layer.index, "event types"):
            code = _text_field(e, "code", path, self.out, layer.index)
            _text_field(e, "name", path, self.out, layer.index)
            g = e.get("goldstein")
            if not isinstance(g, (int, float)) or isinstance(g, bool) or not -10 <= g <= 10:
                self.add("error", path, _line(e), f"field 'goldstein': expected a number in [-10, 10], got {g!r}",
                         layer.index)
            if code is None:
                continue
            if not _CODE_RE.match(code):
                self.add("error", path, _line(e), f"field 'code': {code!r} is not a 2-4 digit CAMEO code",
                         layer.index)
                continue
            prev = self.events.get(code)
            if prev and prev[2] == layer.index:
                self.add("warning", path, _line(e), f"event {code} is defined twice in this folder (first at "
                         f"{_show(prev[0])}:{prev[1]}); the later entry wins", layer.index)
            elif prev:
                self.add("info", path, _line(e), f"replaces event {code} of {_show(prev[0])}:{prev[1]}",
                         layer.index)
            self.events[code] = (path, _line(e), layer.index)
        for code, (path, line, k) in self.events.items():
            if k != layer.index:
                continue
            for parent in {code[:2], code[:3]} - {code}:
                if len(parent) < len(code) and parent not in self.events:
                    self.add("warning", path, line, f"code {code} has no parent {parent} in events.yaml", k)

    # ------------------------------------------------------------------ sets and patterns

    def _pattern_data(self, layer: _Layer):
        for path in sorted((layer.folder / "patterns").glob("*.yaml")):
            data = layer.data.get(path)
            if data is None:
                continue
            if not isinstance(data, dict):
                self.add("error", path, _line(data), "expected a mapping with 'patterns' (and optional 'sets')",
                         layer.index)
                continue
            yield path, data

    def check_sets(self, layer: _Layer) -> None:
        for path, data in self._pattern_data(layer):
            sets = data.get("sets")
            if sets is None:
                continue
            if not isinstance(sets, dict):
                self.add("error", path, _line(data), "field 'sets': expected a mapping name -> list of words",
                         layer.index)
                continue
            for name, members in sets.items():
                if name == "__line__":
                    continue
                line = _line(members, None) or _line(name, _line(sets))
                if isinstance(members, list) and members:
                    line = _line(members[0], line)
                if not re.match(r"^[a-z0-9_]+$", name):
                    self.add("error", path, line, f"set name {name!r}: set names are lower_snake_case", layer.index)
                    continue
                if not isinstance(members, list) or not members:
                    self.add("error", path, line, f"set {name!r}: expected a non-empty list of words or phrases",
                             layer.index)
                    continue
                good = []
                for m in members:
                    if not isinstance(m, str) or not m.strip():
                        self.add("error", path, _line(m, line), f"set {name!r}: bad member {m!r}", layer.index)
                    else:
                        good.append(m)
                prev = self.sets.get(name)
                if prev and prev[3] == layer.index:
                    self.add("error", path, line, f"set {{{name}}} already defined at {_show(prev[1])}:{prev[2]}",
                             layer.index)
                    continue
                if prev:
                    self.add("info", path, line, f"replaces set {{{name}}} of {_show(prev[1])}:{prev[2]} "
                             "(for the shipped patterns that use it too)", layer.index)
                self.sets[name] = (good, path, line, layer.index)

    def check_patterns(self, layer: _Layer) -> None:
        compiled_sets = {n: tuple(tuple(m.lower().split()) for m in v[0]) for n, v in self.sets.items()}
        for path, data in self._pattern_data(layer):
            stem_root = re.match(r"^(\d\d)_", path.name)
            entries = data.get("patterns")
            if entries is None:
                if not data.get("sets"):
                    self.add("warning", path, _line(data), "no 'patterns' in this file", layer.index)
                continue
            if not isinstance(entries, list):
                self.add("error", path, _line(data), "field 'patterns': expected a list of entries", layer.index)
                continue
            for e in entries:
                if not isinstance(e, dict):
                    self.add("error", path, _line(e), f"expected a pattern entry (code, verbs/nouns), got {e!r}",
                             layer.index)
                    continue
                for key in e:
                    if key not in ("__line__", "code", "verbs", "nouns", "note", "source_role"):
                        self.add("warning", path, _line(e), f"unknown field {key!r} (ignored)", layer.index)
                code = _text_field(e, "code", path, self.out, layer.index)
                if code is not None and code not in self.events:
                    why = "is not a 2-4 digit code" if not _CODE_RE.match(code) else "is not in events.yaml"
                    self.add("error", path, _line(e), f"field 'code': {code!r} is not a CAMEO event code ({why})",
                             layer.index)
                    code = None
                if code and stem_root and code[:2] != stem_root.group(1):
                    self.add("warning", path, _line(e), f"code {code} (root {code[:2]}) is filed under root "
                             f"{stem_root.group(1)}: keep one file per root so researchers can find it", layer.index)
                role = e.get("source_role")
                if role is not None and (not isinstance(role, str) or not _ROLE_RE.match(role)):
                    self.add("error", path, _line(e), f"field 'source_role': expected a 3-letter role code, got "
                             f"{role!r}", layer.index)
                    role = None
                if not e.get("verbs") and not e.get("nouns"):
                    self.add("error", path, _line(e), "an entry needs 'verbs' or 'nouns'", layer.index)
                elif role and not e.get("nouns"):
                    self.add("warning", path, _line(e), "source_role only applies to noun patterns and this entry "
                             "has none", layer.index)
                for kind in ("verb", "noun"):
                    for text in _strings(e, kind + "s", path, self.out, layer.index):
                        line = _line(text, _line(e))
                        if code is None:
                            continue
                        try:
                            p = _compile_pattern(text.strip(), code, kind, path, line, len(self.patterns) + 1,
                                                 compiled_sets, role)
                        except CodebookError as exc:
                            self.out.error_from(exc, layer.index)
                            continue
                        self.patterns.append((p, layer.index, path))

    def check_pattern_conflicts(self) -> None:
        # 1. the same text twice
        by_text: dict[tuple, list] = defaultdict(list)
        for p, k, path in self.patterns:
            by_text[(p.kind, p.text.strip())].append((p, k, path))
        replaced: set[int] = set()
        for (kind, text), group in by_text.items():
            for n, (p, k, path) in enumerate(group[1:], 1):
                for q, kq, qpath in group[:n]:
                    if kq != k:
                        if kq < k:
                            replaced.add(q.order)
                            self.add("info", path, p.line, f"{kind} pattern {text!r} ({p.code}) replaces the one at "
                                     f"{_show(qpath)}:{q.line} ({q.code})", k)
                        continue
                    if q.code != p.code:
                        self.add("error", path, p.line, f"conflict: {kind} pattern {text!r} is mapped to {p.code} "
                                 f"here and to {q.code} at {_show(qpath)}:{q.line}; the first wins, so this line "
                                 "never matches", k)
                    else:
                        self.add("warning", path, p.line, f"duplicate {kind} pattern {text!r} ({p.code}), already "
                                 f"at {_show(qpath)}:{q.line}", k)
                    break
        # 2. the same words (in any order) on the same predicate: the earlier one wins every tie
        effective = [(p, k, path) for p, k, path in self.patterns if p.order not in replaced]
        seen_words: dict[tuple, tuple] = {}
        for p, k, path in sorted(effective, key=lambda t: t[0].order):
            words = tuple(sorted((e.kind, e.value) for e in p.elements if e.kind != "slot"))
            lost = []
            for lemma in sorted(p.predicates):
                key = (p.kind, lemma, words)
                first = seen_words.get(key)
                if first is None:
                    seen_words[key] = (p, k, path)
                elif first[0].text.strip() != p.text.strip():
                    lost.append((lemma, first))
            if not lost:
                continue
            q, kq, qpath = lost[0][1]
            where = f"{_show(qpath)}:{q.line}"
            if len(lost) == len(p.predicates):
                level = "error" if q.code != p.code else "warning"
                self.add(level, path, p.line, f"{p.kind} pattern {p.text!r} ({p.code}) can never match: "
                         f"{q.text!r} ({q.code}) at {where} has the same words on the same predicate and, being "
                         "earlier, wins every tie", k)
            else:
                lemmas = ", ".join(lemma for lemma, _ in lost)
                self.add("warning", path, p.line, f"{p.kind} pattern {p.text!r} never wins for predicate(s) {lemmas}"
                         f": {q.text!r} ({q.code}) at {where} has the same words and comes first", k)
        self._tokenizer_checks(effective)

    def _tokenizer_checks(self, patterns) -> None:
        tok = _tokenizer()
        checked: set = set()

        def splits(word: str) -> list[str] | None:
            forms = [word, word.capitalize(), word.upper()]
            results = [[t.text for t in tok(f"a {f} b")][1:-1] for f in forms]
            return None if any(len(r) == 1 for r in results) else results[0]

        for p, k, path in patterns:
            raw_words = p.text.split()
            head = raw_words[0]
            if not _SET_RE.match(head):
                parts = splits(head)
                if parts:
                    self.add("error", path, p.line, f"predicate {head!r} can never match: the tokenizer splits it "
                             f"into {' '.join(parts)!r} and a predicate is one token", k)
                self.words_to_lemma.append((head.lower(), p.kind, path, p.line, k, "predicate"))
            for w in raw_words[1:]:
                if w in ("TARGET", "SOURCE") or _SET_RE.match(w):
                    continue
                parts = splits(w)
                if parts:
                    self.add("error", path, p.line, f"word {w!r} in {p.text!r} can never match: the tokenizer "
                             f"splits it into {' '.join(parts)!r}; use a word set with the member "
                             f"{' '.join(parts)!r} (members may be several tokens) or another spelling", k)
        # set members: each word of a member must be one token
        uses = self._set_uses()
        for name, (members, path, line, k) in self.sets.items():
            for m in members:
                mline = _line(m, line)
                words = m.split()
                for w in words:
                    key = (name, w)
                    if key in checked:
                        continue
                    checked.add(key)
                    parts = splits(w)
                    if parts:
                        self.add("error", path, mline, f"set {{{name}}} member {m!r} can never match: the "
                                 f"tokenizer splits {w!r} into {' '.join(parts)!r}; write the member as "
                                 f"{' '.join(parts)!r}", k)
                kinds = uses.get(name, set())
                if len(words) == 1:  # a predicate set: its members must be lemmas to match inflected forms
                    for kind in sorted(kinds & {"verb", "noun"}):
                        self.words_to_lemma.append((m.lower(), kind, path, mline, k,
                                                    f"member of predicate set {{{name}}}"))
            if name not in uses:
                self.add("warning", path, line, f"set {{{name}}} is not used by any pattern", k)

    def _set_uses(self) -> dict[str, set]:
        uses: dict[str, set] = defaultdict(set)
        for p, _, _ in self.patterns:
            head = p.text.split()[0]
            m = _SET_RE.match(head)
            if m:
                uses[m.group(1)].add(p.kind)
            for e in p.elements:
                if e.kind == "set":
                    uses[e.value].add("word")
        return uses

    # ------------------------------------------------------------------ actors

    def check_actors(self, layer: _Layer) -> None:
        folder = layer.folder / "actors"
        k = layer.index
        path = folder / "countries.yaml"
        for e in _entries(layer.data.get(path), path, self.out, k, "countries"):
            code = _text_field(e, "code", path, self.out, k)
            for key in _COUNTRY_KEYS:
                _strings(e, key, path, self.out, k)
            if code is None:
                continue
            if not re.match(r"^[A-Z]{3}$", code):
                self.add("error", path, _line(e), f"field 'code': expected an ISO3 code such as KAZ, got {code!r}", k)
                continue
            self._define(self.countries, "country", code, path, e, k)
        path = folder / "organizations.yaml"
        for e in _entries(layer.data.get(path), path, self.out, k, "organizations"):
            code = _text_field(e, "code", path, self.out, k)
            _strings(e, "names", path, self.out, k)
            if code is None:
                continue
            if not _ACTOR_RE.match(code) or len(code) < 6:
                self.add("error", path, _line(e), "field 'code': expected a CAMEO-style code of 3-letter blocks "
                         f"such as IGOUNO, got {code!r}", k)
                continue
            if not e.get("names") and not e.get("name"):
                self.add("warning", path, _line(e), f"organization {code} has no names, so nothing resolves to it",
                         k)
            self._define(self.orgs, "organization", code, path, e, k)
        path = folder / "roles.yaml"
        for e in _entries(layer.data.get(path), path, self.out, k, "roles"):
            code = _text_field(e, "code", path, self.out, k)
            _strings(e, "nouns", path, self.out, k)
            if code is None:
                continue
            if not _ROLE_RE.match(code):
                self.add("error", path, _line(e), f"field 'code': expected a 3-letter role code, got {code!r}", k)
                continue
            self.roles.setdefault(code, (path, _line(e), k))
        path = folder / "leaders.yaml"
        for e in _entries(layer.data.get(path), path, self.out, k, "leaders"):
            _text_field(e, "name", path, self.out, k)
            _strings(e, "aliases", path, self.out, k)
            terms = e.get("terms")
            if not isinstance(terms, list) or not terms:
                self.add("error", path, _line(e), "field 'terms': expected a non-empty list of "
                         "{actor, title, start, end}", k)
                continue
            for t in terms:
                if not isinstance(t, dict):
                    self.add("error", path, _line(t, _line(e)), f"expected a term mapping, got {t!r}", k)
                    continue
                actor = _text_field(t, "actor", path, self.out, k)
                if actor is not None and not _ACTOR_RE.match(actor):
                    self.add("error", path, _line(t), f"field 'actor': malformed actor code {actor!r} (3-letter "
                             "blocks such as KAZGOV)", k)
                start = _date(t.get("start"), path, _line(t), "start", self)
                end = _date(t.get("end"), path, _line(t), "end", self)
                if start is not None and end is not None and end < start:
                    self.add("error", path, _line(t), f"field 'end': term ends ({end}) before it starts ({start})",
                             k)

    def _define(self, table: dict, what: str, code: str, path, e, k) -> None:
        prev = table.get(code)
        if prev and prev[2] == k:
            self.add("warning", path, _line(e), f"{what} {code} is defined twice in this folder (first at "
                     f"{_show(prev[0])}:{prev[1]}); this entry's names replace the first's", k)
        elif prev:
            self.add("info", path, _line(e), f"replaces {what} {code} of {_show(prev[0])}:{prev[1]}", k)
        table[code] = (path, _line(e), k)

    def check_actor_strings(self) -> None:
        """The same string resolving to two codes: the resolver keeps one (the later entry) silently."""
        from .actors import _is_acronym, _plurals

        owners: dict[str, list] = defaultdict(list)
        for layer in self.layers:
            k = layer.index
            folder = layer.folder / "actors"
            specs = [("countries.yaml", list(_COUNTRY_KEYS) + ["name"], "code", "country"),
                     ("organizations.yaml", ["names", "name"], "code", "organization"),
                     ("roles.yaml", ["nouns"], "code", "role"),
                     ("leaders.yaml", ["aliases", "name"], "name", "leader")]
            for fname, keys, code_key, kind in specs:
                path = folder / fname
                data = layer.data.get(path)
                if not isinstance(data, list):
                    continue
                for e in data:
                    if not isinstance(e, dict) or not isinstance(e.get(code_key), str):
                        continue
                    code = e[code_key]
                    for key in keys:
                        values = e.get(key)
                        values = [values] if isinstance(values, str) else values if isinstance(values, list) else []
                        for v in values:
                            if not isinstance(v, str) or not v.strip():
                                continue
                            forms = _plurals(v.strip()) if kind == "role" else [v.strip()]
                            for form in forms:
                                form_key = form if _is_acronym(form) else form.lower()
                                owners[form_key].append((f"{kind} {code}", path, _line(v, _line(e)), k, v))
                if kind == "country":
                    for e in data:
                        if isinstance(e, dict) and isinstance(e.get("code"), str):
                            c = e["code"]
                            if c in self.roles or c in ("IGO", "NGO", "MNC", "REB", "UAF", "INS"):
                                self.add("warning", path, _line(e), f"country code {c} is also a role or "
                                         "organisation-type code, so codes built from it are ambiguous", k)
        for key, entries in owners.items():
            distinct = list(dict.fromkeys(o for o, *_ in entries))
            if len(distinct) < 2:
                continue
            last = entries[-1]
            first_other = next(e for e in entries if e[0] != last[0])
            same_layer = first_other[3] == last[3]
            if not same_layer:
                self.add("info", last[1], last[2], f"{last[4]!r} now names {last[0]} (was {first_other[0]} at "
                         f"{_show(first_other[1])}:{first_other[2]})", last[3])
                continue
            self.add("warning", last[1], last[2], f"{last[4]!r} names {last[0]} here and {first_other[0]} at "
                     f"{_show(first_other[1])}:{first_other[2]}; the resolver keeps only this later entry", last[3])

    def check_leaders(self) -> None:
        offices: dict[tuple, list] = defaultdict(list)
        names: dict[str, tuple] = {}
        for layer in self.layers:
            k = layer.index
            path = layer.folder / "actors" / "leaders.yaml"
            data = layer.data.get(path)
            if not isinstance(data, list):
                continue
            for e in data:
                if not isinstance(e, dict) or not isinstance(e.get("name"), str) or not isinstance(e.get("terms"),
                                                                                                   list):
                    continue
                name = e["name"]
                if name in names and names[name][2] == k:
                    self.add("warning", path, _line(e), f"leader {name!r} is listed twice in this folder (first at "
                             f"{_show(names[name][0])}:{names[name][1]}); the later entry replaces the first", k)
                names[name] = (path, _line(e), k)
                terms = []
                for t in e["terms"]:
                    if not isinstance(t, dict) or not isinstance(t.get("actor"), str):
                        continue
                    start = _date(t.get("start"), path, _line(t), "start", None)
                    end = _date(t.get("end"), path, _line(t), "end", None)
                    terms.append((t, start or dt.date.min, end or dt.date.max))
                    actor = t["actor"]
                    if _ACTOR_RE.match(actor) and not self._known_actor(actor):
                        self.add("warning", path, _line(t), f"actor {actor}: {actor[:3]} is neither a country in "
                                 "countries.yaml nor the start of an organization code", k)
                    title = str(t.get("title") or "").strip().lower()
                    if title in _SINGLE_OFFICES:
                        offices[(actor, title)].append((name, start or dt.date.min, end or dt.date.max, path,
                                                        _line(t), k))
                for a in range(len(terms)):
                    for b in range(a + 1, len(terms)):
                        ta, sa, ea = terms[a]
                        tb, sb, eb = terms[b]
                        if sa <= eb and sb <= ea and (ea - sb).days >= 1 and (eb - sa).days >= 1 \
                                and ta["actor"] != tb["actor"]:
                            self.add("warning", path, _line(tb), f"leader {name!r}: this term ({tb['actor']}) "
                                     f"overlaps the term at line {_line(ta)} ({ta['actor']}); on dates in both the "
                                     f"first listed wins, so {tb['actor']} is never used then", k)
        for (actor, title), holders in offices.items():
            for a in range(len(holders)):
                for b in range(a + 1, len(holders)):
                    na, sa, ea, pa, la, ka = holders[a]
                    nb, sb, eb, pb, lb, kb = holders[b]
                    if na == nb:
                        continue
                    overlap = (min(ea, eb) - max(sa, sb)).days
                    if overlap > 1:
                        self.add("warning", pb, lb, f"{nb} and {na} ({_show(pa)}:{la}) are both {title.title()} "
                                 f"of {actor} for {overlap} days; check the dates", kb)

    def _known_actor(self, actor: str) -> bool:
        if actor[:3] in self.countries or actor.startswith("---"):
            return True
        return any(actor.startswith(org) or org.startswith(actor[:3]) for org in self.orgs)

    # ------------------------------------------------------------------ discard, modality, scales

    def check_discard_modality(self, layer: _Layer) -> None:
        k = layer.index
        tok = _tokenizer()
        path = layer.folder / "discard.yaml"
        for e in _entries(layer.data.get(path), path, self.out, k, "topics"):
            _text_field(e, "topic", path, self.out, k)
            for phrase in _strings(e, "phrases", path, self.out, k):
                for w in phrase.split():
                    parts = [t.text for t in tok(f"a {w} b")][1:-1]
                    if len(parts) > 1 and len([t for t in tok(f"a {w.upper()} b")][1:-1]) > 1:
                        self.add("error", path, _line(phrase, _line(e)), f"discard phrase {phrase!r} can never "
                                 f"match: the tokenizer splits {w!r} into {' '.join(parts)!r}", k)
            _strings(e, "shapes", path, self.out, k)
        path = layer.folder / "modality.yaml"
        data = layer.data.get(path)
        if isinstance(data, dict):
            for key, value in data.items():
                if key == "__line__":
                    continue
                known = _modality_keys()
                if key not in known:
                    self.add("warning", path, _line(key, _line(data)), f"unknown key {key!r}: the coder reads only "
                             f"{', '.join(known)}", k)
                if key == "actor_recoding":
                    for rule in value if isinstance(value, list) else [value]:
                        if not isinstance(rule, dict):
                            self.add("error", path, _line(data), f"{key}: each rule is a mapping", k)
                            continue
                        for c in (rule.get("code"), rule.get("to")):
                            if str(c) not in self.events:
                                self.add("error", path, _line(rule, _line(data)), f"{key}: {c!r} is not a CAMEO "
                                         "event code in events.yaml", k)
                        for side in ("source", "target"):
                            for r in rule.get(side) or []:
                                if not re.match(r"^[A-Z]{3}$", str(r)):
                                    self.add("error", path, _line(rule, _line(data)), f"{key}: {r!r} is not a "
                                             "3-letter role code", k)
                    continue
                if key == "subordinate_events":
                    if str(value) not in ("keep", "drop_if_main_event"):
                        self.add("error", path, _line(key, _line(data)), f"{key}: {value!r} must be 'keep' or "
                                 "'drop_if_main_event'", k)
                    continue
                if isinstance(value, dict):  # tables: code -> code (intent_codes) or word -> code (obligation_aux)
                    for src, target in value.items():
                        if src == "__line__":
                            continue
                        if key == "agentless_source_roles":  # code -> role code
                            checks = [(src, str(src) in self.events, "is not a CAMEO event code in events.yaml"),
                                      (target, bool(re.match(r"^[A-Z]{3}$", str(target))),
                                       "is not a 3-letter role code")]
                        else:
                            checks = [(c, str(c) in self.events, "is not a CAMEO event code in events.yaml")
                                      for c in (src, target) if c is target or str(c).isdigit()]
                        for c, ok, why in checks:
                            if not ok:
                                self.add("error", path, _line(value, _line(data)), f"{key}: {c!r} {why}", k)
                    continue
                for w in _strings(data, key, path, self.out, k):
                    if len(w.split()) > 1 or len(list(tok(f"a {w} b"))) > 3:
                        self.add("error", path, _line(w, _line(data)), f"{key}: {w!r} is not one token, so it can "
                                 "never match", k)
        elif data is not None:
            self.add("error", path, _line(data), "expected a mapping of word lists", k)

    def check_scales_plover(self, layer: _Layer) -> None:
        k = layer.index
        for path in sorted((layer.folder / "scales").glob("goldstein_*.yaml")):
            data = layer.data.get(path)
            if not isinstance(data, dict):
                if data is not None:
                    self.add("error", path, _line(data), "expected a mapping code -> Goldstein value", k)
                continue
            for code, value in data.items():
                if code == "__line__":
                    continue
                if not isinstance(value, (int, float)) or isinstance(value, bool):
                    self.add("error", path, _line(data), f"{code}: expected a number, got {value!r}", k)
                if str(code) not in self.events:
                    self.add("warning", path, _line(code, _line(data)), f"{code} is not a code in events.yaml", k)
        path = layer.folder / "plover.yaml"
        data = layer.data.get(path)
        if isinstance(data, dict) and isinstance(data.get("cameo_to_plover"), dict):
            for code in data["cameo_to_plover"]:
                if code != "__line__" and str(code) not in self.events:
                    self.add("warning", path, _line(code, _line(data)), f"crosswalk code {code} is not in "
                             "events.yaml", k)

    # ------------------------------------------------------------------ lemmas

    def check_lemmas(self, nlp, layers: set[int]) -> str:
        """Warn about predicates (and members of predicate sets) that are not lemmas. Returns a summary.

        The model's own lemmatizer decides, from its tables: a word is a lemma when it is in the lemma index for
        its part of speech; otherwise, when an exception ("waylaid" -> "waylay") or a suffix rule ("attacked" ->
        "attack", "protests" -> "protest") turns it into an indexed lemma, it is an inflected form. Pipelines
        without these tables are checked by lemmatizing the word in a carrier sentence instead."""
        start = time.perf_counter()
        items, seen = [], set()
        for word, kind, path, line, k, what in self.words_to_lemma:
            if k not in layers or (word, kind) in seen or not re.match(r"^[a-z][a-z'-]*$", word):
                continue
            seen.add((word, kind))
            items.append((word, kind, path, line, k, what))
        tables = _lemma_tables(nlp)
        found = _lemmas_from_tables(tables, items) if tables else _lemmas_from_carriers(nlp, items)
        for (word, kind, path, line, k, what), lemmas in zip(items, found):
            if lemmas:
                self.add("warning", path, line, f"{what} {word!r} is not a lemma: spaCy reads it as the {kind} "
                         f"{' or '.join(repr(x) for x in lemmas)}, so it matches only this exact form, not the "
                         "word's other forms; write the base form unless that is what you mean", k)
        n = sum(1 for x in found if x)
        how = "lemmatizer tables" if tables else "carrier sentences"
        return f"lemma check ({how}): {len(items)} predicates in {time.perf_counter() - start:.1f}s, {n} not lemmas"


def _lemma_tables(nlp):
    try:
        lookups = nlp.get_pipe("lemmatizer").lookups
        index = lookups.get_table("lemma_index")
        return ({pos: set(index.get(pos, [])) for pos in ("verb", "noun")}, lookups.get_table("lemma_exc"),
                lookups.get_table("lemma_rules"))
    except Exception:  # no lemmatizer, or a lookup-mode one without rule tables
        return None


def _lemmas_from_tables(tables, items) -> list[list[str]]:
    index, exc, rules = tables
    out = []
    for word, kind, *_ in items:
        idx = index[kind]
        if word in idx:
            out.append([])
            continue
        forms = [f for f in exc.get(kind, {}).get(word, []) if f != word]
        for old, new in rules.get(kind, []):
            if word.endswith(old):
                form = word[: len(word) - len(old)] + new
                if form and form != word and form in idx:
                    forms.append(form)
        out.append(list(dict.fromkeys(forms)))
    return out


def _lemmas_from_carriers(nlp, items) -> list[list[str]]:
    texts = [f"They will {w} it." if kind == "verb" else f"They saw the {w}." for w, kind, *_ in items]
    out = []
    for (word, kind, *_), doc in zip(items, nlp.pipe(texts, batch_size=256)):
        tok = doc[2] if kind == "verb" else doc[3]
        lemma = tok.lemma_.lower()
        out.append([lemma] if tok.lower_ == word and lemma != word else [])
    return out


def _date(value, path, line, key, linter):
    """The loader's date check, reported instead of raised."""
    from .codebook import _date as parse_date
    from .errors import CodebookError

    try:
        return parse_date(value, path, line, key)
    except CodebookError as exc:
        if linter is not None:
            linter.add("error", path, line, f"field '{key}': {exc.message}")
        return None


_TOKENIZER = None


def _tokenizer():
    global _TOKENIZER
    if _TOKENIZER is None:
        from spacy.lang.en import English

        _TOKENIZER = English().tokenizer
    return _TOKENIZER


# --------------------------------------------------------------------------------------------- entry points


def lint(folder=None, *, base=None, check_lemmas: bool = True, model: str | None = None, nlp=None,
         show_base: bool | None = None) -> LintReport:
    """Lint ``folder`` as an overlay on ``base`` (the shipped codebook), or the base itself when ``folder`` is
    None or the base folder. Returns a :class:`LintReport`; ``report.ok`` is False when there are errors."""
    start = time.perf_counter()
    base_folder = Path(base) if base else SHIPPED_CODEBOOK
    folders = [base_folder]
    if folder is not None and Path(folder).resolve() != base_folder.resolve():
        folders.append(Path(folder))
    for f in folders:
        if not f.is_dir():
            raise CodebookError(f, None, None, "codebook folder not found")
    linter = _Linter(folders)
    linter.run()
    # the loader's own verdict (it stops at the first error; anything the checks above missed shows here)
    try:
        load_codebook(overlays=[str(f) for f in folders[1:]], base=folders[0])
    except CodebookError as exc:
        if not any(i.level == "error" and Path(i.path).name == Path(exc.path).name and i.line == exc.line
                   for i in linter.out.issues):
            layer = 0
            for k, f in enumerate(folders):
                try:
                    Path(exc.path).resolve().relative_to(f.resolve())
                    layer = k
                except ValueError:
                    pass
            linter.out.error_from(exc, layer)
    overlay_mode = len(folders) > 1
    layers_to_check = {len(folders) - 1} if overlay_mode else {0}
    report = LintReport([_show(f) for f in folders])
    if check_lemmas:
        try:
            if nlp is None:
                from .pipeline import load_model

                nlp = load_model(model, exclude=("ner", "parser"))
            report.lemma_check = linter.check_lemmas(nlp, layers_to_check)
        except Exception as exc:  # no model: the other checks still stand
            report.lemma_check = f"lemma check skipped ({type(exc).__name__}: {exc})"
    show_base = (not overlay_mode) if show_base is None else show_base
    for issue in linter.out.issues:
        if issue.layer == 0 and not show_base:
            report.hidden += 1
        else:
            report.issues.append(issue)
    report.seconds = time.perf_counter() - start
    return report


def lint_main(folder=None, *, check_lemmas: bool = True, model: str | None = None) -> int:
    """``eventcode codebook lint [DIR]``: print the report; exit 1 on errors, else 0."""
    report = lint(folder, check_lemmas=check_lemmas, model=model)
    print(report.text())
    return 0 if report.ok else 1


# --------------------------------------------------------------------------------------------- codebook test


@dataclass
class Case:
    text: str
    date: str | None
    expected: list[dict] | None  # None: only ``absent`` is checked
    origin: str  # file:line
    strict: bool = False
    note: str | None = None
    absent: list[dict] = field(default_factory=list)  # events that must not be coded


@dataclass
class CaseResult:
    case: Case
    events: list[dict]
    missing: list[dict]  # expected events no coded event matched
    unexpected: list[dict]  # coded events matching no expectation (a failure only for strict/empty cases)
    forbidden: list[dict] = field(default_factory=list)  # coded events that match an ``absent`` entry
    explanation: object = None

    @property
    def passed(self) -> bool:
        if self.missing or self.forbidden:
            return False
        if (self.case.strict or self.case.expected == []) and self.unexpected:
            return False
        return True


@dataclass
class TestReport:
    file: str
    results: list[CaseResult]
    codebook_version: str = ""

    @property
    def failures(self) -> list[CaseResult]:
        return [r for r in self.results if not r.passed]

    def text(self, explain_failures: bool = True) -> str:
        out = []
        for r in self.results:
            status = "PASS" if r.passed else "FAIL"
            out.append(f"{status}  {r.case.origin}  {r.case.text}")
            if r.passed:
                continue
            for m in r.missing:
                out.append(f"      expected {_fmt_expected(m)}: not coded")
            for e in r.forbidden:
                out.append(f"      coded {e['source']} -> {e.get('target') or '(none)'} : {e['code']}, which the "
                           "case lists as absent")
            if r.unexpected and (r.case.strict or r.case.expected == []):
                for e in r.unexpected:
                    out.append(f"      unexpected {e['source']} -> {e.get('target') or '(none)'} : {e['code']}")
            coded = ", ".join(f"{e['source']} -> {e.get('target') or '(none)'} : {e['code']}" for e in r.events)
            out.append(f"      coded: {coded or 'nothing'}")
            if explain_failures and r.explanation is not None:
                out.append("      --- explain ---")
                out += ["      " + line for line in r.explanation.text().splitlines()]
                out.append("")
        n, f = len(self.results), len(self.failures)
        out.append(f"{n - f} passed, {f} failed ({self.file}; codebook {self.codebook_version})")
        return "\n".join(out)


def _fmt_expected(m: dict) -> str:
    return f"{m.get('source') or '*'} -> {m.get('target') or '(none)'} : {m.get('code')}"


def read_cases(path) -> list[Case]:
    """Read a test file: YAML (a list, or a mapping with ``tests:``) or JSONL, one case per record.

    A case is ``{text, date (optional), expected: [{source, target, code}], absent (optional), strict
    (optional)}``. ``code`` may be a root ("19") or a full code ("190"): a coded event matches when its code starts
    with it. An empty or missing ``target`` means the event has no target; ``"*"`` (source or target) accepts any
    actor. ``expected: []`` means nothing may be coded. ``absent: [{code: "19"}]`` lists events that must not be
    coded (missing keys match anything); a case may have ``absent`` without ``expected``. ``strict: true`` fails on
    coded events beyond the expected ones.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"test file not found: {path}")
    records: list[tuple[object, str]] = []
    if path.suffix == ".jsonl":
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                records.append((json.loads(line), f"{path}:{n}"))
            except json.JSONDecodeError as exc:
                raise InputError(path, n, None, f"not JSON: {exc.msg}") from None
    else:
        try:
            data = read_yaml(path)
        except CodebookError as exc:
            raise InputError(path, exc.line, None, exc.message) from None
        if isinstance(data, dict):
            data = data.get("tests")
        if not isinstance(data, list):
            raise InputError(path, None, None, "expected a list of test cases (or a mapping with 'tests:')")
        records = [(rec, f"{path}:{_line(rec)}") for rec in data]
    cases = []
    for rec, origin in records:
        line = int(origin.rsplit(":", 1)[1]) if origin.rsplit(":", 1)[1].isdigit() else None
        if not isinstance(rec, dict):
            raise InputError(path, line, None, f"expected a test case mapping, got {rec!r}")
        text = rec.get("text")
        if not isinstance(text, str) or not text.strip():
            raise InputError(path, line, "text", "missing or empty")
        if "expected" not in rec and not rec.get("absent"):
            raise InputError(path, line, "expected", "a case needs 'expected' (a list, [] for no event) or 'absent'")
        expected = rec.get("expected")
        if expected is None and "expected" in rec:
            expected = []
        if expected is not None and not isinstance(expected, list):
            raise InputError(path, line, "expected", "expected a list of {source, target, code}")
        clean = None if expected is None else _event_specs(expected, path, line, "expected", wildcard=False)
        absent = rec.get("absent") or []
        if not isinstance(absent, list):
            raise InputError(path, line, "absent", "expected a list of {source, target, code}")
        absent = _event_specs(absent, path, line, "absent", wildcard=True)
        date = rec.get("date")
        if isinstance(date, (dt.date, dt.datetime)):
            date = date.isoformat()[:10]
        cases.append(Case(str(text), str(date) if date else None, clean, origin, bool(rec.get("strict", False)),
                          rec.get("note"), absent))
    return cases


def _event_specs(items: list, path, line, key: str, wildcard: bool) -> list[dict]:
    out = []
    for ex in items:
        code = ex.get("code") if isinstance(ex, dict) else None
        if not isinstance(ex, dict) or (code is None and not wildcard) or isinstance(code, bool):
            raise InputError(path, _line(ex, line), key, f"each event needs a code, got {ex!r}")
        code = "" if code is None else str(code)
        if code and not re.match(r"^\d{2,4}$", code):
            raise InputError(path, _line(ex, line), "code", f"{code!r} is not a CAMEO code (quote it: \"0231\")")
        any_ = "*" if wildcard else None
        out.append({"source": _opt(ex.get("source", any_)), "target": _opt(ex.get("target", any_)), "code": code})
    return out


def _opt(v) -> str | None:
    if v is None:
        return None
    v = str(v).strip()
    return v or None


def _matches(ex: dict, ev: dict) -> bool:
    if ex["source"] not in (None, "*") and ev.get("source") != ex["source"]:
        return False
    if ex["target"] != "*" and (ev.get("target") or None) != ex["target"]:
        return False
    return str(ev.get("code", "")).startswith(ex["code"])


def run_tests(path, model: str | None = None, overlays=(), date=None, nlp=None, explain_failures: bool = True,
              codebook=None) -> TestReport:
    """Code every case of a test file and compare with its expected events. Returns a :class:`TestReport`."""
    from .explain import explain_doc, make_doc

    cases = read_cases(path)
    if nlp is None:
        from . import load_pipeline

        if isinstance(overlays, (str, Path)):
            overlays = (overlays,)
        nlp = load_pipeline(model, codebook, tuple(str(o) for o in overlays or ()))
    docs = [make_doc(nlp, c.text, c.date or date) for c in cases]
    results = []
    for case, doc in zip(cases, nlp.pipe(docs, batch_size=32)):
        events = list(doc._.events or [])
        missing, used = [], set()
        for ex in case.expected or []:
            hit = next((k for k, ev in enumerate(events) if k not in used and _matches(ex, ev)), None)
            if hit is None:
                missing.append(ex)
            else:
                used.add(hit)
        unexpected = [ev for k, ev in enumerate(events) if k not in used]
        forbidden = [ev for ev in events if any(_matches(a, ev) for a in case.absent)]
        r = CaseResult(case, events, missing, unexpected, forbidden)
        if not r.passed and explain_failures:
            r.explanation = explain_doc(doc, nlp)
        results.append(r)
    version = nlp.get_pipe("eventcode").codebook.version
    return TestReport(str(path), results, version)


def test_main(file, model: str | None = None, overlays=(), date=None, explain_failures: bool = True) -> int:
    """``eventcode codebook test FILE``: print passes and failures; exit 1 when any case fails, else 0."""
    report = run_tests(file, model=model, overlays=overlays, date=date, explain_failures=explain_failures)
    print(report.text(explain_failures))
    return 0 if not report.failures else 1


test_main.__test__ = False  # not a pytest test, despite the name
TestReport.__test__ = False


def main(argv=None) -> int:  # pragma: no cover - convenience: python -m eventcode.lint [DIR]
    argv = sys.argv[1:] if argv is None else argv
    return lint_main(argv[0] if argv else None)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

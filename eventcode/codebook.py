"""Load and validate the codebook folder into plain Python objects.

The codebook is data that researchers edit (see ``codebooks/README.md``). It is untrusted: files are parsed with
PyYAML's safe loader only, every entry is checked, and a bad entry raises :class:`CodebookError` naming the file,
the line and the field. This module knows nothing of spaCy or pandas.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import CodebookError

#: The shipped codebook folder: ``codebooks/`` beside the package (a source checkout or an editable install),
#: else the copy installed inside the package as ``eventcode/_codebooks``.
_HERE = Path(__file__).resolve().parent
SHIPPED_CODEBOOK = next(
    (p for p in (_HERE.parent / "codebooks", _HERE / "_codebooks") if (p / "events.yaml").exists()),
    _HERE.parent / "codebooks",
)

CODEBOOK_VERSION = "0.1.0"

_CODE_RE = re.compile(r"^\d{2,4}$")
_ACTOR_RE = re.compile(r"^(?:[A-Z]{3}|---)(?:[A-Z]{3})*$")
_ROLE_RE = re.compile(r"^[A-Z]{3}$")
_SET_RE = re.compile(r"^\{([a-z0-9_]+)\}$")
_SLOTS = ("TARGET", "SOURCE")


# --------------------------------------------------------------------------------------------- line-aware YAML


class _LineStr(str):
    """A str that remembers the line it came from (so errors can point at it)."""

    line: int = 0


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """PyYAML's safe loader (libyaml's fast parser when installed), plus line numbers: strings carry ``.line``;
    mappings get a ``__line__`` key. Only the safe constructors are registered: no tags, no Python objects."""


def _construct_str(loader, node):
    s = _LineStr(loader.construct_scalar(node))
    s.line = node.start_mark.line + 1
    return s


def _construct_mapping(loader, node):
    loader.flatten_mapping(node)
    mapping = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        mapping[str(key)] = loader.construct_object(value_node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


# Codebooks hold words, never booleans: YAML 1.1 would read the particles "on"/"off" and the word "no" as
# true/false, so the bool resolver is removed and such words stay strings.
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
_LineLoader.add_constructor("tag:yaml.org,2002:str", _construct_str)
_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def read_yaml(path: Path):
    """Parse one YAML file safely, keeping line numbers; syntax errors become CodebookError."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CodebookError(path, None, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader derives from SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise CodebookError(path, mark.line + 1 if mark else None, None, f"YAML syntax: {exc.problem}") from None


def _line(obj, default: int | None = None) -> int | None:
    if isinstance(obj, dict):
        return obj.get("__line__", default)
    return getattr(obj, "line", default)


# --------------------------------------------------------------------------------------------- objects


@dataclass(frozen=True)
class EventType:
    code: str
    name: str
    goldstein: float
    description: str = ""

    @property
    def root(self) -> str:
        return self.code[:2]


@dataclass(frozen=True)
class Element:
    """One element of a pattern after the predicate: a word, a word set, or a slot."""

    kind: str  # "word" | "set" | "slot"
    value: str  # the word, the set name, or TARGET/SOURCE
    alternatives: tuple[tuple[str, ...], ...] = ()  # lemma sequences that satisfy a word/set element


@dataclass(frozen=True)
class Pattern:
    code: str
    kind: str  # "verb" | "noun"
    text: str
    predicates: frozenset[str]
    elements: tuple[Element, ...]
    file: str
    line: int
    order: int  # position over all files: the tie-breaker
    source_role: str | None = None

    @property
    def specificity(self) -> int:
        return sum(1 for e in self.elements if e.kind != "slot")

    def slot_preposition(self, slot: str) -> str | None:
        """The word just before a slot ('' when the slot follows the predicate), or None without that slot."""
        previous = ""
        for e in self.elements:
            if e.kind == "slot" and e.value == slot:
                return previous
            previous = e.value if e.kind == "word" else ""
        return None

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class ActorName:
    """One string that names an actor, with what it resolves to."""

    text: str
    kind: str  # country-name | adjective | demonym | capital | city | metonym | organization | role | leader
    code: str  # ISO3 / organisation code / role code / leader name
    file: str
    line: int


@dataclass(frozen=True)
class Term:
    actor: str
    title: str
    start: dt.date | None
    end: dt.date | None
    line: int


@dataclass(frozen=True)
class Leader:
    name: str
    aliases: tuple[str, ...]
    terms: tuple[Term, ...]
    file: str
    line: int

    def term_on(self, date: dt.date | None) -> Term | None:
        """The term covering ``date``; without a date (or none covering it) the latest term."""
        if date is not None:
            for t in self.terms:
                if (t.start is None or t.start <= date) and (t.end is None or date <= t.end):
                    return t
            return None
        return max(self.terms, key=lambda t: t.start or dt.date.min, default=None)


@dataclass(frozen=True)
class Discard:
    topic: str
    phrases: tuple[tuple[str, ...], ...]
    shapes: tuple[tuple[str, ...], ...]  # token-shape sequences ("d - d" is the three tokens of "2-1")
    shapes_with: frozenset[str] = frozenset()  # a shape discards only when one of these words is present


@dataclass
class Codebook:
    """Everything the coder needs, validated. Build it with :func:`load_codebook`."""

    events: dict[str, EventType]
    quad_conventions: dict[str, dict[str, int]]
    quad_labels: dict[str, dict[int, str]]
    quad_default: str
    goldstein_scales: dict[str, dict[str, float]]
    sets: dict[str, tuple[tuple[str, ...], ...]]
    patterns: list[Pattern]
    actor_names: list[ActorName]
    country_names: dict[str, str]  # ISO3 -> display name
    organizations: dict[str, str]  # code -> name
    roles: dict[str, str]  # role code -> label
    leaders: dict[str, Leader]
    discards: list[Discard]
    modality: dict[str, frozenset[str] | dict[str, str]]
    plover: dict[str, dict] = field(default_factory=dict)
    country_until: dict[str, dt.date] = field(default_factory=dict)  # former states: last day of existence
    version: str = CODEBOOK_VERSION
    folders: tuple[str, ...] = ()

    def event(self, code: str) -> EventType:
        return self.events[code]

    def goldstein(self, code: str, scale: str = "default") -> float:
        if scale in ("default", None):
            return self.events[code].goldstein
        table = self.goldstein_scales.get(scale)
        if table is None:
            raise KeyError(f"unknown Goldstein scale {scale!r}; known: default, {', '.join(self.goldstein_scales)}")
        return table.get(code, self.events[code].goldstein)

    def quad(self, code: str, convention: str | None = None) -> int:
        conv = convention or self.quad_default
        if conv not in self.quad_conventions:
            raise KeyError(f"unknown quad convention {conv!r}; known: {', '.join(self.quad_conventions)}")
        return self.quad_conventions[conv][code[:2]]


# --------------------------------------------------------------------------------------------- loading


def _rel(path: Path) -> str:
    """A short, stable file name for evidence columns: relative to its codebook folder's parent."""
    parts = path.parts
    for i in range(len(parts) - 1, -1, -1):
        if parts[i] in ("codebooks", "_codebooks"):
            return "/".join(("codebooks",) + parts[i + 1:])
    return str(path)


def _need(entry: dict, key: str, path: Path, kind=str):
    if not isinstance(entry, dict):
        raise CodebookError(path, _line(entry), None, f"expected a mapping, got {type(entry).__name__}")
    if key not in entry or entry[key] in (None, ""):
        raise CodebookError(path, _line(entry), key, "missing")
    value = entry[key]
    if kind is str and not isinstance(value, str):
        raise CodebookError(path, _line(entry), key, f"expected text, got {value!r} (quote codes: \"0231\")")
    if kind is list and not isinstance(value, list):
        raise CodebookError(path, _line(entry), key, f"expected a list, got {type(value).__name__}")
    return value


def _str_list(entry: dict, key: str, path: Path) -> list[str]:
    value = entry.get(key) or []
    if not isinstance(value, list):
        raise CodebookError(path, _line(entry), key, f"expected a list of strings, got {type(value).__name__}")
    for v in value:
        if not isinstance(v, str) or not v.strip():
            raise CodebookError(path, _line(v, _line(entry)), key, f"expected a non-empty string, got {v!r}")
    return [_stripped(v) for v in value]


def _stripped(value: str) -> str:
    """Strip whitespace but keep the line number the loader attached."""
    out = _LineStr(value.strip())
    out.line = _line(value, 0)
    return out


def _date(value, path: Path, line, key: str) -> dt.date | None:
    if value in (None, "", "null"):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise CodebookError(path, line, key, f"expected a date YYYY-MM-DD, got {value!r}") from None


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.lower().split())


def _load_events(folder: Path, events: dict[str, EventType]) -> None:
    path = folder / "events.yaml"
    if not path.exists():
        return
    data = read_yaml(path) or []
    if not isinstance(data, list):
        raise CodebookError(path, None, None, "expected a list of event types")
    for entry in data:
        code = _need(entry, "code", path)
        if not _CODE_RE.match(code):
            raise CodebookError(path, _line(entry), "code", f"{code!r} is not a 2-4 digit CAMEO code")
        name = _need(entry, "name", path)
        g = entry.get("goldstein")
        if not isinstance(g, (int, float)) or isinstance(g, bool) or not -10 <= g <= 10:
            raise CodebookError(path, _line(entry), "goldstein", f"expected a number in [-10, 10], got {g!r}")
        events[code] = EventType(code, str(name), float(g), str(entry.get("description") or ""))


def _load_quads(folder: Path, cb: dict) -> None:
    path = folder / "quad_classes.yaml"
    if not path.exists():
        return
    data = read_yaml(path) or {}
    convs = data.get("conventions") or {}
    if not isinstance(convs, dict):
        raise CodebookError(path, _line(data), "conventions", "expected a mapping of named conventions")
    for name, conv in convs.items():
        if name == "__line__":
            continue
        roots = conv.get("roots") if isinstance(conv, dict) else None
        if not isinstance(roots, dict):
            raise CodebookError(path, _line(conv), "roots", f"convention {name!r} needs a roots mapping")
        table = {}
        for root, cls in roots.items():
            if root == "__line__":
                continue
            if not isinstance(cls, int):
                raise CodebookError(path, _line(roots), f"roots.{root}", f"expected an integer class, got {cls!r}")
            table[str(root).zfill(2)] = cls
        cb["quad_conventions"][str(name)] = table
        labels = conv.get("labels") or {}
        cb["quad_labels"][str(name)] = {int(k): str(v) for k, v in labels.items() if k != "__line__"}
    if data.get("default"):
        cb["quad_default"] = str(data["default"])


def _load_scales(folder: Path, scales: dict) -> None:
    for path in sorted((folder / "scales").glob("goldstein_*.yaml")):
        data = read_yaml(path) or {}
        if not isinstance(data, dict):
            raise CodebookError(path, None, None, "expected a mapping code -> Goldstein value")
        name = path.stem[len("goldstein_"):]
        table = scales.setdefault(name, {})
        for code, value in data.items():
            if code == "__line__":
                continue
            if not isinstance(value, (int, float)):
                raise CodebookError(path, _line(data), str(code), f"expected a number, got {value!r}")
            table[str(code)] = float(value)


def _pattern_files(folder: Path) -> list[Path]:
    return sorted((folder / "patterns").glob("*.yaml"))


def _load_sets(folder: Path, sets: dict, seen: dict) -> None:
    for path in _pattern_files(folder):
        data = read_yaml(path) or {}
        if not isinstance(data, dict):
            raise CodebookError(path, None, None, "expected a mapping with 'patterns' (and optional 'sets')")
        for name, members in (data.get("sets") or {}).items():
            if name == "__line__":
                continue
            line = _line(name, _line(data.get("sets")))
            if not re.match(r"^[a-z0-9_]+$", name):
                raise CodebookError(path, line, f"sets.{name}", "set names are lower_snake_case")
            if not isinstance(members, list) or not members:
                raise CodebookError(path, line, f"sets.{name}", "expected a non-empty list of words or phrases")
            key = (name, str(folder))
            if key in seen:
                raise CodebookError(path, line, f"sets.{name}", f"set already defined at {seen[key]}")
            seen[key] = f"{_rel(path)}:{line}"
            out = []
            for m in members:
                if not isinstance(m, str) or not m.strip():
                    raise CodebookError(path, _line(m, line), f"sets.{name}", f"bad member {m!r}")
                out.append(_words(m))
            sets[name] = tuple(out)  # an overlay's set of the same name replaces the shipped one


def _compile_pattern(text: str, code: str, kind: str, path: Path, line: int, order: int, sets: dict,
                     source_role: str | None) -> Pattern:
    tokens = text.split()
    if not tokens:
        raise CodebookError(path, line, kind + "s", "empty pattern")
    head, rest = tokens[0], tokens[1:]
    m = _SET_RE.match(head)
    if m:
        if m.group(1) not in sets:
            raise CodebookError(path, line, kind + "s", f"unknown word set {{{m.group(1)}}} in {text!r}")
        preds = [seq for seq in sets[m.group(1)]]
        if any(len(seq) != 1 for seq in preds):
            raise CodebookError(path, line, kind + "s", f"set {head} used as predicate must hold single words")
        predicates = frozenset(seq[0] for seq in preds)
    elif head in _SLOTS or not re.match(r"^[\w'.-]+$", head):
        raise CodebookError(path, line, kind + "s", f"a pattern starts with its predicate word, got {head!r}")
    else:
        predicates = frozenset([head.lower()])
    elements = []
    for tok in rest:
        if tok in _SLOTS:
            if tok == "SOURCE" and (not elements or elements[-1].kind != "word"):
                raise CodebookError(path, line, kind + "s", f"SOURCE must follow a preposition: {text!r}")
            elements.append(Element("slot", tok))
            continue
        m = _SET_RE.match(tok)
        if m:
            if m.group(1) not in sets:
                raise CodebookError(path, line, kind + "s", f"unknown word set {tok} in {text!r}")
            elements.append(Element("set", m.group(1), sets[m.group(1)]))
        elif tok.isupper() and len(tok) > 1:
            raise CodebookError(path, line, kind + "s", f"unknown slot {tok!r} (use TARGET or SOURCE)")
        else:
            elements.append(Element("word", tok.lower(), (( tok.lower(),),)))
    if sum(1 for e in elements if e.value == "TARGET") > 1:
        raise CodebookError(path, line, kind + "s", f"more than one TARGET in {text!r}")
    return Pattern(str(code), kind, str(text), predicates, tuple(elements), _rel(path), line, order,
                   str(source_role) if source_role else None)


def _load_patterns(folder: Path, cb: dict, events: dict, counter: list[int]) -> None:
    for path in _pattern_files(folder):
        data = read_yaml(path) or {}
        entries = data.get("patterns") or []
        if not isinstance(entries, list):
            raise CodebookError(path, _line(data), "patterns", "expected a list of entries")
        for entry in entries:
            code = _need(entry, "code", path)
            if code not in events:
                raise CodebookError(path, _line(entry), "code", f"{code!r} is not a CAMEO event code in events.yaml")
            role = entry.get("source_role")
            if role is not None and (not isinstance(role, str) or not _ROLE_RE.match(role)):
                raise CodebookError(path, _line(entry), "source_role", f"expected a 3-letter role code, got {role!r}")
            if not entry.get("verbs") and not entry.get("nouns"):
                raise CodebookError(path, _line(entry), "verbs", "an entry needs 'verbs' or 'nouns'")
            for kind in ("verb", "noun"):
                for text in _str_list(entry, kind + "s", path):
                    line = _line(text, _line(entry))
                    counter[0] += 1
                    cb["patterns"].append(
                        _compile_pattern(text, code, kind, path, line, counter[0], cb["sets"], role))


def _names(entry: dict, keys: dict[str, str], path: Path, code: str) -> list[ActorName]:
    out = []
    for key, kind in keys.items():
        for text in _str_list(entry, key, path):
            out.append(ActorName(str(text), kind, str(code), _rel(path), _line(text, _line(entry))))
    return out


_COUNTRY_KEYS = {"names": "country-name", "adjectives": "adjective", "demonyms": "demonym",
                 "capitals": "capital", "cities": "city", "metonyms": "metonym"}


def _load_actors(folder: Path, cb: dict) -> None:
    actors = folder / "actors"
    path = actors / "countries.yaml"
    if path.exists():
        for entry in read_yaml(path) or []:
            code = _need(entry, "code", path)
            if not re.match(r"^[A-Z]{3}$", code):
                raise CodebookError(path, _line(entry), "code", f"expected an ISO3 code such as KAZ, got {code!r}")
            cb["country_names"][code] = str(entry.get("name") or code)
            until = _date(entry.get("until"), path, _line(entry), "until")
            if until is not None:
                cb["country_until"][code] = until
            cb["actor_names"] = [a for a in cb["actor_names"] if not (a.code == code and a.kind in _COUNTRY_KEYS.values())]
            cb["actor_names"] += _names(entry, _COUNTRY_KEYS, path, code)
            name = entry.get("name")
            if isinstance(name, str):
                cb["actor_names"].append(ActorName(str(name), "country-name", str(code), _rel(path), _line(entry)))
    path = actors / "organizations.yaml"
    if path.exists():
        for entry in read_yaml(path) or []:
            code = _need(entry, "code", path)
            if not _ACTOR_RE.match(code) or len(code) < 6:
                raise CodebookError(path, _line(entry), "code",
                                    f"expected a CAMEO-style code of 3-letter blocks such as IGOUNO, got {code!r}")
            cb["organizations"][code] = str(entry.get("name") or code)
            cb["actor_names"] = [a for a in cb["actor_names"] if not (a.code == code and a.kind == "organization")]
            cb["actor_names"] += _names(entry, {"names": "organization"}, path, code)
            if isinstance(entry.get("name"), str):
                cb["actor_names"].append(ActorName(str(entry["name"]), "organization", str(code), _rel(path),
                                                   _line(entry)))
    path = actors / "roles.yaml"
    if path.exists():
        for entry in read_yaml(path) or []:
            code = _need(entry, "code", path)
            if not _ROLE_RE.match(code):
                raise CodebookError(path, _line(entry), "code", f"expected a 3-letter role code, got {code!r}")
            cb["roles"].setdefault(code, str(entry.get("label") or code))
            cb["actor_names"] += _names(entry, {"nouns": "role"}, path, code)
    path = actors / "leaders.yaml"
    if path.exists():
        for entry in read_yaml(path) or []:
            name = _need(entry, "name", path)
            terms = []
            for t in _need(entry, "terms", path, list):
                actor = _need(t, "actor", path)
                if not _ACTOR_RE.match(actor):
                    raise CodebookError(path, _line(t), "actor", f"malformed actor code {actor!r}")
                start = _date(t.get("start"), path, _line(t), "start")
                end = _date(t.get("end"), path, _line(t), "end")
                if start and end and end < start:
                    raise CodebookError(path, _line(t), "end", f"term ends ({end}) before it starts ({start})")
                terms.append(Term(actor, str(t.get("title") or ""), start, end, _line(t)))
            aliases = tuple(dict.fromkeys([name, *_str_list(entry, "aliases", path)]))
            leader = Leader(str(name), aliases, tuple(terms), _rel(path), _line(entry))
            cb["leaders"][leader.name] = leader
            cb["actor_names"] = [a for a in cb["actor_names"] if not (a.kind == "leader" and a.code == leader.name)]
            cb["actor_names"] += [ActorName(str(a), "leader", leader.name, _rel(path), _line(a, _line(entry)))
                                  for a in aliases]


def _load_discards(folder: Path, cb: dict) -> None:
    path = folder / "discard.yaml"
    if not path.exists():
        return
    for entry in read_yaml(path) or []:
        topic = _need(entry, "topic", path)
        phrases = tuple(_words(p) for p in _str_list(entry, "phrases", path))
        shapes = tuple(tuple(sh.split()) for sh in _str_list(entry, "shapes", path))
        shapes_with = frozenset(w.lower() for w in _str_list(entry, "shapes_with", path))
        cb["discards"] = [d for d in cb["discards"] if d.topic != topic]
        cb["discards"].append(Discard(str(topic), phrases, shapes, shapes_with))


def _load_modality(folder: Path, cb: dict) -> None:
    path = folder / "modality.yaml"
    if not path.exists():
        return
    data = read_yaml(path) or {}
    for key, value in data.items():
        if key == "__line__":
            continue
        if key == "actor_recoding":  # list of {code, source, target, to}
            rules = []
            for rule in value or []:
                line = _line(rule, _line(data))
                if not isinstance(rule, dict):
                    raise CodebookError(path, line, key, "each rule is a mapping {code, source, target, to}")
                for k in ("code", "to"):
                    if str(rule.get(k)) not in cb["events"]:
                        raise CodebookError(path, line, f"{key}.{k}", f"{rule.get(k)!r} is not a CAMEO event code")
                roles = {}
                for k in ("source", "target"):
                    vals = rule.get(k) or []
                    if not isinstance(vals, list) or not all(_ROLE_RE.match(str(v)) for v in vals):
                        raise CodebookError(path, line, f"{key}.{k}", f"{vals!r} must be a list of 3-letter role codes")
                    roles[k] = frozenset(str(v) for v in vals)
                if not roles["source"] and not roles["target"]:
                    raise CodebookError(path, line, key, "a rule needs a source or a target role list")
                rules.append((str(rule["code"]), roles["source"], roles["target"], str(rule["to"]), line))
            cb["modality"][key] = tuple(rules)
            continue
        if key == "subordinate_events":  # a switch, not a word list
            if str(value) not in ("keep", "drop_if_main_event"):
                raise CodebookError(path, _line(data), key, f"{value!r} must be 'keep' or 'drop_if_main_event'")
            cb["modality"][key] = str(value)
            continue
        if isinstance(value, dict):  # intent_codes: event code -> the code it becomes when only intended
            table = {}
            for code, target in value.items():
                if code == "__line__":
                    continue
                if key == "agentless_source_roles" and not _ROLE_RE.match(str(target)):
                    raise CodebookError(path, _line(value), f"{key}.{code}", f"{target!r} is not a 3-letter role code")
                checked = (code,) if key == "agentless_source_roles" else \
                    (target,) if key in ("obligation_aux", "object_control_appeals", "obligation_verbs") else (code, target)
                for c in checked:
                    if str(c) not in cb["events"]:
                        raise CodebookError(path, _line(value), f"{key}.{code}", f"{c!r} is not a CAMEO event code")
                table[str(code)] = str(target)
            cb["modality"].setdefault(key, {}).update(table)
        else:
            cb["modality"][key] = frozenset(w.lower() for w in _str_list(data, key, path))


def _load_plover(folder: Path, cb: dict) -> None:
    path = folder / "plover.yaml"
    if path.exists():
        data = read_yaml(path) or {}
        cb["plover"].update({k: v for k, v in data.items() if k != "__line__"})


def _fingerprint(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*.yaml")):
        h.update(str(p.relative_to(folder)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def load_codebook(overlays=(), base: str | Path | None = None) -> Codebook:
    """Load the shipped codebook (or ``base``) and then each overlay folder on top of it.

    Takes folder paths; returns a validated :class:`Codebook`. Raises :class:`CodebookError` (file, line, field)
    on the first malformed entry.
    """
    if isinstance(overlays, (str, Path)):
        overlays = [overlays]
    base_folder = Path(base) if base else SHIPPED_CODEBOOK
    folders = [base_folder, *[Path(o) for o in overlays if o]]
    for f in folders:
        if not f.is_dir():
            raise CodebookError(f, None, None, "codebook folder not found")
    cb: dict = dict(events={}, quad_conventions={}, quad_labels={}, quad_default="quad", goldstein_scales={},
                    sets={}, patterns=[], actor_names=[], country_names={}, organizations={}, roles={},
                    leaders={}, discards=[], modality={}, plover={}, country_until={})
    for f in folders:
        _load_events(f, cb["events"])
        _load_quads(f, cb)
        _load_scales(f, cb["goldstein_scales"])
    if not cb["events"]:
        raise CodebookError(base_folder / "events.yaml", None, None, "no event types loaded")
    for code in list(cb["events"]):
        root = code[:2]
        for conv, table in cb["quad_conventions"].items():
            if root not in table:
                raise CodebookError(base_folder / "quad_classes.yaml", None, f"{conv}.roots",
                                    f"root {root} (of code {code}) has no class")
    seen: dict = {}
    for f in folders:
        _load_sets(f, cb["sets"], seen)
    counter = [0]
    overlay_patterns: list[Pattern] = []
    for i, f in enumerate(folders):
        before = len(cb["patterns"])
        _load_patterns(f, cb, cb["events"], counter)
        if i > 0:
            overlay_patterns += cb["patterns"][before:]
    if overlay_patterns:  # an overlay pattern with the same text replaces the shipped one
        texts = {(p.kind, p.text) for p in overlay_patterns}
        cb["patterns"] = [p for p in cb["patterns"] if p in overlay_patterns or (p.kind, p.text) not in texts]
    for f in folders:
        _load_actors(f, cb)
        _load_discards(f, cb)
        _load_modality(f, cb)
        _load_plover(f, cb)
    version = CODEBOOK_VERSION
    if len(folders) > 1:
        version += "+overlay." + "".join(_fingerprint(f) for f in folders[1:])[:12]
    return Codebook(**cb, version=version, folders=tuple(str(f) for f in folders))

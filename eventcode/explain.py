"""Why a sentence gets the events it gets: the parse, the actors, the predicates and patterns, the rules, the events.

``explain(text)`` codes one text with the real pipeline (tracing switched on) and returns an :class:`Explanation`.
``.text()`` is the plain report the command line prints (``eventcode explain "SENTENCE"``); in Jupyter the object
displays itself as HTML: the dependency parse drawn by spaCy's displaCy with the source, verb and target
highlighted, and tables of actors, predicates and events. Nothing here decides anything: it only reports what
the coder (coder.py) and the actor resolver (actors.py) did, naming the codebook file and line behind each step.
"""
from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field

from .errors import InputError

#: Highlight colours (HTML) and labels for the three parts of an event.
ROLE_COLOURS = {"SOURCE": "#a6cee3", "VERB": "#fdbf6f", "TARGET": "#b2df8a"}
_NP_CLIMB = frozenset({"compound", "amod", "poss", "nmod", "case", "det", "nummod", "appos"})


@dataclass
class TokenRow:
    i: int
    text: str
    lemma: str
    pos: str
    tag: str
    dep: str
    head: int
    head_text: str


@dataclass
class MentionRow:
    """One actor string found in the text and what the phrase around it resolves to."""

    text: str
    start: int
    end: int
    kind: str  # country-name | adjective | ... | organization | role | leader
    entry_code: str  # what the codebook entry names (ISO3, org code, role code, leader name)
    where: str  # codebook file:line
    phrase: str | None = None  # the noun phrase the mention sits in
    phrase_head: str | None = None
    resolved: str | None = None  # the code that phrase resolves to
    why: str | None = None  # the resolver's reason
    detail: list[str] = field(default_factory=list)  # leader tenures and the like


@dataclass
class PredicateRow:
    """One word that starts a codebook pattern, and what happened to it (from the coder's trace)."""

    sentence_id: int
    i: int
    text: str
    lemma: str
    tried: list[str]
    matched: str | None
    dropped: str | None
    events: list[str]
    voice: str = "active"
    notes: list[str] = field(default_factory=list)


@dataclass
class Explanation:
    """Everything :func:`explain` found. ``text()`` for a terminal, ``_repr_html_()`` for Jupyter."""

    sentence: str
    date: str | None
    codebook_version: str
    tokens: list[list[TokenRow]]  # per sentence
    sentences: list[str]
    mentions: list[MentionRow]
    sentence_countries: list[str | None]
    article_country: str | None
    predicates: list[PredicateRow]
    discarded: list[tuple[int, str]]  # (sentence_id, topic)
    unpatterned: list[tuple[int, str, str]]  # verbs with no pattern: (i, text, lemma)
    events: list[dict]
    doc: object = None  # the spaCy Doc (for displaCy)
    highlights: list[dict] = field(default_factory=list)  # per event: token indices of source/verb/target
    first_sentence_id: int = 1

    # ------------------------------------------------------------------ plain text

    def text(self) -> str:
        out: list[str] = []
        out.append(f'Text: "{self.sentence}"')
        out.append(f"Date: {self.date or '(none: leaders resolve to their latest term)'}    "
                   f"Codebook: {self.codebook_version}")
        for s, (sent, toks) in enumerate(zip(self.sentences, self.tokens)):
            sid = s + self.first_sentence_id
            out.append("")
            out.append(f"== Sentence {sid}: {sent}" if len(self.sentences) > 1 else "== Parse")
            out += _token_table(toks)
        out.append("")
        out.append("== Actors (codebook strings found, and what their noun phrase resolves to)")
        if not self.mentions:
            out.append("  none: no country, organisation, role or leader of the codebook is named, so no event "
                       "can have a source")
        shown: set[tuple] = set()
        for m in self.mentions:
            out.append(f'  "{m.text}" (token {m.start}' + (f"-{m.end - 1}" if m.end - m.start > 1 else "")
                       + f"): {m.kind} -> {m.entry_code}  [{m.where}]")
            for d in m.detail:
                out.append(f"      {d}")
            key = (m.phrase, m.phrase_head, m.resolved)
            if m.resolved and key not in shown:
                shown.add(key)
                out.append(f'      phrase "{m.phrase}" (head "{m.phrase_head}") -> {m.resolved}: {m.why}')
            elif m.resolved:
                out.append(f'      part of the phrase "{m.phrase}" -> {m.resolved} (above)')
        countries = ", ".join(f"{s + self.first_sentence_id}: {c or '-'}"
                              for s, c in enumerate(self.sentence_countries))
        out.append(f"  sentence country (for roles without one): {countries}; "
                   f"article country: {self.article_country or '-'}")
        out.append("")
        out.append("== Predicates (words that start a codebook pattern)")
        for sid, topic in self.discarded:
            out.append(f"  sentence {sid} discarded as '{topic}' (discard.yaml): nothing in it is coded")
        if not self.predicates and not self.discarded:
            out.append("  none: no word of the text starts a pattern")
        for p in self.predicates:
            out.append(f'  "{p.text}" (token {p.i}, lemma "{p.lemma}", {p.voice} voice)')
            for t in p.tried:
                out.append(f"      tried   {t}")
            if p.matched:
                out.append(f"      matched {p.matched}")
            else:
                out.append("      matched nothing: no pattern had all its words in the predicate's phrase")
            if p.dropped:
                out.append(f"      rule    dropped: {p.dropped}")
            elif p.matched:
                out.append("      rule    kept: not negated, not hypothetical, not under a denial or non-factual "
                           "verb")
            for n in p.notes:
                out.append(f"      note    {n}")
            for e in p.events:
                out.append(f"      event   {e}")
        if self.unpatterned:
            words = ", ".join(f'"{t}" ({lemma})' for _, t, lemma in self.unpatterned)
            out.append(f"  verbs with no pattern in the codebook: {words}")
        out.append("")
        out.append(f"== Events ({len(self.events)})")
        if not self.events:
            out.append("  none")
        for n, ev in enumerate(self.events, 1):
            out.append(f"  {n}. {ev['source']} -> {ev.get('target') or '(no target)'}   {ev['code']} "
                       f"{_event_name(ev)}   Goldstein {ev.get('goldstein')}, quad class {ev.get('quad_class')}")
            out.append(f"     source \"{ev.get('source_text')}\": {ev.get('source_resolution')}")
            if ev.get("target"):
                out.append(f"     target \"{ev.get('target_text')}\": {ev.get('target_resolution')}")
            out.append(f"     evidence: {ev.get('evidence')}")
        return "\n".join(out)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return f"<Explanation of {self.sentence[:60]!r}: {len(self.events)} event(s)>"

    def to_frame(self):
        """The events as an event-table DataFrame (the schema's columns)."""
        from .schema import to_frame

        return to_frame([{"doc_id": "explain", "date": self.date, **ev} for ev in self.events])

    # ------------------------------------------------------------------ HTML

    def _repr_html_(self) -> str:
        parts = ['<div class="eventcode-explain" style="font-family: sans-serif; font-size: 13px">']
        parts.append(f"<p><b>{html.escape(self.sentence)}</b><br><small>date: {html.escape(self.date or 'none')}"
                     f" &middot; codebook {html.escape(self.codebook_version)}</small></p>")
        parts.append(_legend())
        parts.append(self._events_html())
        for s, sent in enumerate(self._sentence_spans()):
            parts.append(self._dep_svg(sent, s))
        parts.append(self._actors_html())
        parts.append(self._predicates_html())
        parts.append("<details><summary>tokens, lemmas and dependencies</summary>")
        for toks in self.tokens:
            parts.append(_html_table(["i", "token", "lemma", "POS", "tag", "dep", "head"],
                                     [[t.i, t.text, t.lemma, t.pos, t.tag, t.dep, f"{t.head} {t.head_text}"]
                                      for t in toks]))
        parts.append("</details></div>")
        return "\n".join(parts)

    def _sentence_spans(self):
        if self.doc is None:
            return []
        return [s for s in self.doc.sents if s.text.strip()]

    def _roles_by_token(self) -> dict[int, str]:
        roles: dict[int, str] = {}
        for h in self.highlights:
            for role in ("SOURCE", "TARGET", "VERB"):
                for i in h.get(role, ()):
                    roles.setdefault(i, role)
        return roles

    def _events_html(self) -> str:
        if not self.events:
            return "<p><b>No events.</b> See the predicates below for why.</p>"
        rows = []
        for ev, h in zip(self.events, self.highlights or [{}] * len(self.events)):
            rows.append([_marked(self.doc, h, ev), ev["source"], ev.get("target") or "",
                         f"{ev['code']} {_event_name(ev)}", ev.get("goldstein"), ev.get("quad_class"),
                         f"{ev.get('pattern')} [{ev.get('pattern_file')}:{ev.get('pattern_line')}]"])
        return _html_table(["sentence", "source", "target", "code", "Goldstein", "quad", "pattern"], rows,
                           raw_cols={0})

    def _dep_svg(self, sent, s: int) -> str:
        from spacy import displacy

        roles = self._roles_by_token()
        opts = {"compact": True, "collapse_punct": False, "collapse_phrases": False, "distance": 110,
                "add_lemma": True}
        try:
            parsed = displacy.parse_deps(sent, opts)
            for k, w in enumerate(parsed["words"]):
                role = roles.get(sent.start + k)
                if role:
                    w["tag"] = f"{w['tag']} \u00b7 {role.lower()}"
            svg = displacy.render(parsed, style="dep", manual=True, jupyter=False, options=opts)
        except Exception as exc:  # pragma: no cover - drawing must never hide the explanation
            return f"<p>(parse drawing unavailable: {html.escape(str(exc))})</p>"
        # colour the words of the source, verb and target (displaCy writes one displacy-word per token)
        counter = iter(range(len(sent)))

        def colour(m):
            k = next(counter, None)
            role = roles.get(sent.start + k) if k is not None else None
            if role is None:
                return m.group(0)
            return m.group(0).replace('fill="currentColor"', f'fill="{_dark(role)}" font-weight="bold"', 1)

        svg = re.sub(r'<tspan class="displacy-word"[^>]*>', colour, svg)
        return f'<div style="overflow-x:auto">{svg}</div>'

    def _actors_html(self) -> str:
        if not self.mentions:
            return "<p><b>Actors:</b> none found in the codebook.</p>"
        rows = [[m.text, m.kind, m.entry_code, m.where, m.phrase or "", m.resolved or "",
                 (m.why or "") + ("; " + "; ".join(m.detail) if m.detail else "")] for m in self.mentions]
        return "<p><b>Actors</b></p>" + _html_table(
            ["string", "kind", "entry", "codebook", "phrase", "resolves to", "why"], rows)

    def _predicates_html(self) -> str:
        if not self.predicates:
            extra = ""
            if self.unpatterned:
                extra = " Verbs with no pattern: " + ", ".join(html.escape(t) for _, t, _ in self.unpatterned)
            return f"<p><b>Predicates:</b> no word starts a codebook pattern.{extra}</p>"
        rows = []
        for p in self.predicates:
            rows.append([f"{p.text} ({p.lemma})", p.voice, "<br>".join(html.escape(t) for t in p.tried),
                         html.escape(p.matched or "-"), html.escape(p.dropped or ("kept" if p.matched else "-")),
                         "<br>".join(html.escape(x) for x in [*p.notes, *p.events])])
        table = _html_table(["predicate", "voice", "patterns tried", "matched", "rules", "events / notes"], rows,
                            raw_cols={2, 3, 4, 5})
        if self.unpatterned:
            table += ("<p><small>verbs with no pattern: "
                      + ", ".join(html.escape(f"{t} ({lemma})") for _, t, lemma in self.unpatterned)
                      + "</small></p>")
        return "<p><b>Predicates</b></p>" + table


# --------------------------------------------------------------------------------------------- building


def _check_date(date) -> str | None:
    if date in (None, ""):
        return None
    if isinstance(date, dt.datetime):
        return date.date().isoformat()
    if isinstance(date, dt.date):
        return date.isoformat()
    try:
        return dt.date.fromisoformat(str(date)[:10]).isoformat()
    except ValueError:
        raise InputError("date", None, "date", f"expected YYYY-MM-DD, got {date!r}") from None


def make_doc(nlp, text: str, date=None):
    """An unparsed Doc with the extensions the eventcode components read, tracing on (like run.article_doc)."""
    doc = nlp.make_doc(text)
    doc._.article_date = _check_date(date)
    doc._.headline_chars = 0
    doc._.doc_id = "explain"
    doc._.trace = []
    return doc


def explain(text: str, date=None, model: str | None = None, overlays=(), *, codebook=None, nlp=None,
            goldstein: str = "default", quad: str | None = None) -> Explanation:
    """Code ``text`` and explain every step. Returns an :class:`Explanation` (``.text()``; HTML in Jupyter).

    ``date`` (YYYY-MM-DD) is the article date that picks leaders' terms; ``overlays`` are codebook folders added
    on top of the shipped one (as ``--codebook``); ``nlp`` reuses an already built eventcode pipeline.
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError("text", None, "text", "nothing to explain: the text is empty")
    date = _check_date(date)
    if nlp is None:
        from . import load_pipeline

        if isinstance(overlays, str):
            overlays = (overlays,)
        nlp = load_pipeline(model, codebook, tuple(overlays or ()), goldstein, quad)
    doc = nlp(make_doc(nlp, text, date))
    return explain_doc(doc, nlp)


def explain_doc(doc, nlp) -> Explanation:
    """An Explanation of a Doc the eventcode pipeline has already coded with ``doc._.trace = []`` set."""
    component = nlp.get_pipe("eventcode")
    coder = component.coder
    codebook = component.codebook
    resolver = coder.resolver
    date_str = doc._.article_date
    date = _as_date(date_str)
    trace = doc._.trace or []

    sents = [s for s in doc.sents if s.text.strip()]
    tokens = [[TokenRow(t.i, t.text, t.lemma_, t.pos_, t.tag_, t.dep_, t.head.i, t.head.text) for t in s]
              for s in sents]

    mentions = resolver.mentions(doc)
    article_country = resolver.dominant_country(mentions, date)
    sentence_countries = []
    mention_rows: list[MentionRow] = []
    for sent in sents:
        in_sent = [m for m in mentions if sent.start <= m.start < sent.end]
        sentence_country = resolver.dominant_country(in_sent, date)
        sentence_countries.append(sentence_country)
        by_token = {i: m for m in in_sent for i in m.tokens}
        for m in in_sent:
            mention_rows.append(_mention_row(doc, m, by_token, resolver, codebook, sentence_country,
                                             article_country, date))

    predicates: list[PredicateRow] = []
    discarded: list[tuple[int, str]] = []
    for rec in trace:
        if "discarded" in rec:
            discarded.append((rec["sentence_id"], rec["discarded"]))
            continue
        predicates.append(_predicate_row(doc, rec, coder, codebook))

    considered = {p.i for p in predicates}
    discarded_ids = {sid for sid, _ in discarded}
    unpatterned = []
    for k, sent in enumerate(sents):
        if k + _first_sid(doc, trace) in discarded_ids:
            continue
        for t in sent:
            if t.pos_ == "VERB" and t.i not in considered:
                unpatterned.append((t.i, t.text, t.lemma_))

    events = list(doc._.events or [])
    highlights = _highlights(doc, trace, events)
    return Explanation(
        sentence=doc.text.strip(), date=date_str, codebook_version=codebook.version, tokens=tokens,
        sentences=[s.text.strip() for s in sents], mentions=mention_rows, sentence_countries=sentence_countries,
        article_country=article_country, predicates=predicates, discarded=discarded, unpatterned=unpatterned,
        events=events, doc=doc, highlights=highlights, first_sentence_id=_first_sid(doc, trace))


def _first_sid(doc, trace) -> int:
    return 0 if (doc._.headline_chars or 0) else 1


def _as_date(value) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _phrase_head(doc, m):
    """The head of the noun phrase a mention sits in ("Arnor" in "Arnor's army" -> "army")."""
    tok = doc[m.start:m.end].root
    seen = 0
    while tok.dep_ in _NP_CLIMB and tok.head is not tok and tok.head.pos_ in ("NOUN", "PROPN", "PRON") \
            and seen < 6:
        tok = tok.head
        seen += 1
    return tok


def _mention_row(doc, m, by_token, resolver, codebook, sentence_country, article_country, date) -> MentionRow:
    name = m.name
    row = MentionRow(text=doc[m.start:m.end].text, start=m.start, end=m.end, kind=name.kind,
                     entry_code=name.code, where=f"{name.file}:{name.line}")
    if name.kind == "leader":
        leader = codebook.leaders.get(name.code)
        if leader is not None:
            term = leader.term_on(date)
            for t in leader.terms:
                mark = ""
                if term is t:
                    mark = f"  <- in office on {date}" if date else "  <- the latest term (no date given)"
                row.detail.append(f"term: {t.actor} {t.title} {t.start or '?'}..{t.end or 'now'}{mark}")
            if date is not None and term is None:
                row.detail.append(f"no term covers {date}: coded as a former official (ELI)")
    elif name.kind in ("capital", "metonym"):
        row.detail.append("a capital or seat of government stands for the government (GOV)")
    head = _phrase_head(doc, m)
    try:
        actor = resolver.resolve(head, by_token, sentence_country, article_country, date)
    except Exception as exc:  # pragma: no cover - explanation must not fail on a resolver corner case
        actor, row.why = None, f"(could not resolve: {exc})"
    if actor is not None:
        row.phrase, row.phrase_head, row.resolved, row.why = actor.text, head.text, actor.code, actor.resolution
        if name.kind == "role" and "country" in actor.resolution and "in phrase" not in actor.resolution:
            row.detail.append("no country word in the phrase: the role takes the sentence's most-named country, "
                              "else the article's, else --- (unknown)")
    return row


def _predicate_row(doc, rec: dict, coder, codebook) -> PredicateRow:
    tok = doc[rec["i"]]
    row = PredicateRow(sentence_id=rec["sentence_id"], i=rec["i"], text=rec["predicate"], lemma=rec["lemma"],
                       tried=list(rec.get("tried") or []), matched=rec.get("matched"), dropped=rec.get("dropped"),
                       events=list(rec.get("events") or []))
    passive = any(c.dep_ in ("auxpass", "nsubjpass", "csubjpass") for c in tok.children)
    if passive:
        row.voice = "passive"
        row.notes.append("passive: the source is the 'by' agent, the target the grammatical subject")
    if tok.dep_ == "xcomp" or any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children):
        row.notes.append(f"infinitive complement of '{tok.head.text}'")
    if rec.get("intent"):
        row.notes.append(f"read as intended ({rec['intent']}): the pattern's code becomes its intent or threat "
                         "code (modality.yaml intent_codes)")
    if row.matched and not row.dropped and not row.events:
        row.notes += _why_no_event(doc, rec, coder, codebook)
    return row


def _why_no_event(doc, rec: dict, coder, codebook) -> list[str]:
    """For a matched, kept predicate with no events: which source/target words named no actor."""
    m = re.search(r"\[(.+):(\d+)\]$", rec["matched"])
    text = rec["matched"].split(" -> ")[0]
    pattern = next((p for p in codebook.patterns
                    if p.text == text and m and p.location == f"{m.group(1)}:{m.group(2)}"), None)
    if pattern is None:
        return ["no event: no source actor"]
    try:  # the coder's own slot reading (private helpers, so guarded: explanation only)
        from .coder import _frame, _Match, _slots

        tok = doc[rec["i"]]
        sources, targets = _slots(_Match(pattern, tok, [], _frame(tok)))
    except Exception:  # pragma: no cover
        return ["no event: no source actor"]
    if not sources:
        if pattern.kind == "noun":
            return ["no event: the noun has no possessor, modifier, 'by' agent or light-verb subject to read a "
                    "source from, and the entry has no source_role"]
        return ["no event: the verb has no subject (or 'by' agent) to read a source from"]
    heads = ", ".join(f'"{s.text}" ({s.dep_})' for s in sources)
    tail = f"; target read from {', '.join(repr(t.text) for t in targets)}" if targets else ""
    return [f"no event: the source slot {heads} names no actor in the codebook (add it to actors/ "
            f"in an overlay){tail}"]


def _highlights(doc, trace: list, events: list[dict]) -> list[dict]:
    """Token indices of each event's source phrase, predicate words and target phrase."""
    by_key: dict[tuple, list[int]] = {}
    for rec in trace:
        for e in rec.get("events") or []:
            by_key.setdefault((rec.get("sentence_id"), e), []).append(rec["i"])
    out = []
    for ev in events:
        key = (ev.get("sentence_id"), f"{ev['source']} -> {ev.get('target') or '(none)'} : {ev['code']}")
        preds = by_key.get(key) or []
        pred_i = preds[0] if preds else None
        h: dict[str, list[int]] = {"SOURCE": [], "VERB": [], "TARGET": []}
        if pred_i is not None:
            pred = doc[pred_i]
            sent = pred.sent
            h["VERB"] = [pred_i] + _trigger_tokens(pred, ev.get("trigger") or "")
            h["SOURCE"] = _find_phrase(sent, ev.get("source_text"), pred_i)
            h["TARGET"] = _find_phrase(sent, ev.get("target_text"), pred_i)
            h["VERB"] = [i for i in h["VERB"] if i not in h["SOURCE"] and i not in h["TARGET"]]
        out.append(h)
    return out


def _trigger_tokens(pred, trigger: str) -> list[int]:
    words = trigger.split()
    out = []
    for w in words:
        cands = [t for t in pred.subtree if t.text == w and t.i != pred.i and t.i not in out]
        if cands:
            out.append(min(cands, key=lambda t: abs(t.i - pred.i)).i)
    return out


def _find_phrase(sent, text: str | None, near: int) -> list[int]:
    """Token indices of the span of ``sent`` whose text is ``text``, the one nearest token ``near``."""
    if not text:
        return []
    best = None
    toks = list(sent)
    for a in range(len(toks)):
        if not text.startswith(toks[a].text):
            continue
        for b in range(a, len(toks)):
            span = sent.doc[toks[a].i: toks[b].i + 1]
            if len(span.text) > len(text):
                break
            if span.text == text:
                dist = min(abs(toks[a].i - near), abs(toks[b].i - near))
                if best is None or dist < best[0]:
                    best = (dist, list(range(toks[a].i, toks[b].i + 1)))
                break
    return best[1] if best else []


# --------------------------------------------------------------------------------------------- formatting


def _event_name(ev: dict) -> str:
    ev_text = ev.get("evidence") or ""
    m = re.match(r"^\S+ ([^:]+):", ev_text)
    return m.group(1) if m else ""


def _token_table(toks: list[TokenRow]) -> list[str]:
    header = ["i", "token", "lemma", "POS", "tag", "dep", "head"]
    rows = [[str(t.i), t.text, t.lemma, t.pos, t.tag, t.dep, f"{t.head} {t.head_text}"] for t in toks]
    widths = [max(len(r[c]) for r in [header, *rows]) for c in range(len(header))]
    fmt = lambda r: "  " + "  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip()  # noqa: E731
    return [fmt(header)] + [fmt(r) for r in rows]


def _dark(role: str) -> str:
    return {"SOURCE": "#1f78b4", "VERB": "#e66101", "TARGET": "#33a02c"}[role]


def _legend() -> str:
    return "<p>" + " ".join(
        f'<span style="background:{c}; padding:1px 6px; border-radius:3px">{r.lower()}</span>'
        for r, c in ROLE_COLOURS.items()) + "</p>"


def _marked(doc, h: dict, ev: dict) -> str:
    """The event's sentence with the source, verb and target tokens highlighted (HTML)."""
    if doc is None or not h or not h.get("VERB"):
        return html.escape(ev.get("sentence") or "")
    roles = {}
    for role in ("SOURCE", "TARGET", "VERB"):
        for i in h.get(role, ()):
            roles.setdefault(i, role)
    sent = doc[h["VERB"][0]].sent
    out = []
    for t in sent:
        piece = html.escape(t.text)
        role = roles.get(t.i)
        if role:
            piece = (f'<span style="background:{ROLE_COLOURS[role]}; padding:0 2px; border-radius:3px" '
                     f'title="{role.lower()}">{piece}</span>')
        out.append(piece + html.escape(t.whitespace_))
    return "".join(out)


def _html_table(header: list[str], rows: list[list], raw_cols: set[int] = frozenset()) -> str:
    th = "".join(f'<th style="text-align:left; padding:2px 8px">{html.escape(h)}</th>' for h in header)
    body = []
    for r in rows:
        cells = []
        for k, v in enumerate(r):
            value = "" if v is None else (str(v) if k in raw_cols else html.escape(str(v)))
            cells.append(f'<td style="text-align:left; vertical-align:top; padding:2px 8px">{value}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table style="border-collapse:collapse">{"<tr>" + th + "</tr>"}{"".join(body)}</table>'

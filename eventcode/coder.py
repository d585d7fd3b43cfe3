"""The "eventcode" spaCy component: dependency parse + codebook -> CAMEO events with evidence.

Per sentence: actor mentions are found (actors.py); every verb or noun whose lemma starts a codebook pattern is a
candidate predicate; the most specific pattern whose words all occur in the predicate's own phrase decides the
code; the source comes from the subject (the ``by`` agent in passives, the controller of an infinitive, the
subject shared by conjoined verbs), the target from the pattern's TARGET slot or the object. Rules, each
documented in the README ("How the coder decides"):

* negation ("did not attack") and hypothetical modals ("could attack") drop the event;
* infinitive complements: the head's pattern wins and consumes the complement ("threatened to invade" -> 13x),
  a non-factual head without a pattern drops it ("plans to attack");
* reported speech: "officials said troops shelled X" codes the embedded clause; clauses under denial verbs
  ("denied that troops shelled X") are dropped;
* compound actors ("Russia and China") give one event per actor; conjoined verbs give one event each; a compound
  source with no target ("A and B agreed") gives A->B and B->A;
* nominal events ("protests erupted", "clashes between X and Y", "an air strike on X") take their source from a
  possessor or modifier, the subject of a light verb, a SOURCE slot, or the entry's ``source_role``.
"""
from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from .actors import PRONOUNS_OTHER, PRONOUNS_PERSON, Actor, ActorResolver, Mention
from .codebook import Codebook, Pattern, load_codebook

_SUBJECT_DEPS = frozenset({"nsubj", "csubj"})
_PASSIVE_SUBJECT = frozenset({"nsubjpass", "csubjpass"})
#: Dependency labels that leave the predicate's own phrase (see codebooks/README.md).
_FRAME_STOP = frozenset({"nsubj", "csubj", "conj", "cc", "ccomp", "advcl", "relcl", "parataxis", "punct",
                         "mark", "appos", "acl", "aux", "auxpass", "neg", "expl", "dep", "meta"})
_PREP_DEPS = frozenset({"prep", "agent", "dative", "oprd", "prt"})
_LIGHT_VERBS = frozenset({"launch", "carry", "conduct", "stage", "hold", "mount", "make", "unleash", "wage",
                          "organize", "organise", "lead", "begin", "start", "continue", "intensify", "step",
                          "announce", "order", "impose", "issue", "sign", "reach", "give", "deliver", "send",
                          "offer", "provide", "pledge", "call", "take", "pursue", "resume", "deploy", "use",
                          "engage", "involve", "join", "undertake", "perform", "commit", "go", "stage",
                          "stag"})  # the small model lemmatises "staged" as "stag"
_RELATIVE_PRONOUNS = frozenset({"who", "which", "that", "whom"})
_CONDITIONAL_MARKS = frozenset({"if", "unless", "whether"})
_MAX_FRAME_DEPTH = 4
_MODIFIER_DEPS = frozenset({"compound", "amod", "nmod", "poss", "npadvmod"})
#: Roots of acts done together: a compound source with no TARGET slot acts with itself ("A and B signed a treaty
#: in Prague": A->B and B->A, not Prague), and a city named as where it happened is a venue, not a target.
_JOINT_ROOTS = frozenset({"03", "04", "05", "06"})
#: Geographic nouns: a country named inside such a phrase is a place, not a party ("drills in the Sea of Japan").
_PLACE_HEADS = frozenset({"sea", "gulf", "strait", "straits", "ocean", "border", "frontier", "coast", "coastline",
                          "region", "peninsula", "island", "islands", "river", "lake", "mountain", "mountains",
                          "valley", "desert", "bay", "channel", "canal", "waters", "airspace", "province",
                          "capital", "city", "town", "village", "side", "part", "north", "south", "east", "west"})
#: Nouns for what one actor sends another: "an offer from Qatar" names its author ("a withdrawal from
#: Bosnia" names a place).
_MESSAGE_NOUNS = frozenset({"offer", "proposal", "demand", "request", "appeal", "call", "invitation", "pressure",
                            "warning", "threat", "message", "letter", "plan", "ultimatum", "plea", "bid", "initiative",
                            "overture", "complaint", "protest", "criticism", "accusation", "charge"})
#: Nouns for documents and statements whose participle clause speaks for their author ("issued a statement
#: condemning the attack", "in a letter urging the council to act").
_STATEMENT_NOUNS = frozenset({"statement", "declaration", "communique", "communiqué", "report", "letter", "resolution",
                              "message", "note", "petition", "memorandum", "decree", "order", "motion", "bill",
                              "ultimatum", "appeal", "plea", "warning", "speech", "address", "editorial", "document",
                              "proposal", "announcement", "broadcast", "video", "post", "tweet", "comment", "remark"})


@dataclass(frozen=True)
class _Lexicon:
    """Word lists from modality.yaml that the parse helpers need."""
    stative: frozenset = frozenset()
    responsible: frozenset = frozenset()


@dataclass
class _Match:
    pattern: Pattern
    predicate: Token
    words: list[Token]  # tokens that satisfied the pattern's words
    frame: dict[int, int]


class EventCoder:
    """Codes the sentences of a parsed Doc with one codebook. Build once; call :meth:`code_doc` per article."""

    def __init__(self, codebook: Codebook, vocab, goldstein: str = "default", quad: str | None = None):
        self.codebook = codebook
        self.goldstein_scale = goldstein
        self.quad_convention = quad or codebook.quad_default
        if goldstein not in ("default", None) and goldstein not in codebook.goldstein_scales:
            raise KeyError(f"unknown Goldstein scale {goldstein!r}; known: default, "
                           f"{', '.join(codebook.goldstein_scales)}")
        if self.quad_convention not in codebook.quad_conventions:
            raise KeyError(f"unknown quad convention {self.quad_convention!r}; "
                           f"known: {', '.join(codebook.quad_conventions)}")
        self.resolver = ActorResolver(codebook, vocab)
        self.verb_index: dict[str, list[Pattern]] = {}
        self.noun_index: dict[str, list[Pattern]] = {}
        for p in codebook.patterns:
            index = self.verb_index if p.kind == "verb" else self.noun_index
            for lemma in p.predicates:
                index.setdefault(lemma, []).append(p)
        for index in (self.verb_index, self.noun_index):
            for lemma in index:
                index[lemma].sort(key=lambda p: (-p.specificity, p.order))
        self.discard_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for d in codebook.discards:
            for phrase in d.phrases:
                self.discard_first.setdefault(phrase[0], []).append((phrase, d.topic))
        mod = codebook.modality
        self.hypothetical = mod.get("hypothetical_aux", frozenset())
        self.non_factual = mod.get("non_factual_heads", frozenset())
        self.denial = mod.get("denial_heads", frozenset())
        self.negators = mod.get("negators", frozenset({"not", "n't", "never", "no"}))
        self.future_aux = mod.get("future_aux", frozenset())
        self.intent_heads = mod.get("intent_heads", frozenset())
        self.intent_adjectives = mod.get("intent_adjectives", frozenset())
        self.intent_codes = mod.get("intent_codes", {})
        self.refusal_codes = mod.get("refusal_codes", {})
        self.obligation = mod.get("obligation_aux", {})
        self.object_control = mod.get("object_control_appeals", {})
        self.command_heads = mod.get("command_heads", frozenset())
        self.warning_heads = mod.get("warning_heads", frozenset())
        self._released: set[int] = set()
        self.obligation_verbs = mod.get("obligation_verbs", {})
        self.actor_recoding = mod.get("actor_recoding", ())
        self.actor_recoding_location = _modality_location(codebook, "actor_recoding")
        self.agentless_roles = mod.get("agentless_source_roles", {})
        self.negating_heads = mod.get("negating_heads", frozenset())
        self.allegation_heads = mod.get("allegation_heads", frozenset())
        self.allegation_codes = mod.get("allegation_codes", {})
        self.accident_nouns = mod.get("accident_nouns", frozenset())
        self.accident_unless_attack = mod.get("accident_nouns_unless_attack", frozenset())
        self.attack_modifiers = mod.get("attack_modifiers", frozenset())
        self.accident_verbs = mod.get("accident_verbs", frozenset())
        self.former = mod.get("former_modifiers", frozenset())
        self.lex = _Lexicon(mod.get("stative_passives", frozenset()), mod.get("responsibility_adjectives",
                                                                                frozenset()))
        self.obligation_location = _modality_location(codebook, "obligation_aux")
        self.main_clause_only = mod.get("subordinate_events", "drop_if_main_event") == "drop_if_main_event"
        self.object_control_location = _modality_location(codebook, "object_control_appeals")
        self.obligation_verbs_location = _modality_location(codebook, "obligation_verbs")

    # ------------------------------------------------------------------ article level

    def code_doc(self, doc: Doc, date: dt.date | None = None, headline_chars: int = 0,
                 trace: list | None = None) -> list[dict]:
        """Code every sentence of an article Doc. Returns event dicts (schema columns minus article fields).

        ``headline_chars`` > 0 marks the first that many characters as the headline (sentence_id 0); body
        sentences count from 1. ``trace``, when a list, receives one record per predicate considered (explain).
        """
        mentions = self.resolver.mentions(doc)
        datelines = set()  # "SEOUL, Oct 4 (Reuters) -" names the newsroom, not a party to the story
        for sent in doc.sents:
            if _dateline_end(doc, sent.start) == sent.end:
                datelines.update(range(sent.start, sent.end))
        body_mentions = [m for m in mentions if doc[m.start].idx >= headline_chars and m.start not in datelines]
        article_country = self.resolver.dominant_country(body_mentions, date) or self.resolver.dominant_country(
            [m for m in mentions if m.start in datelines], date)  # a local story: the newsroom is the place
        events: list[dict] = []
        context = {"person": None, "actor": None}
        sentence_id = 0 if headline_chars else 1  # the headline is sentence 0; the body counts from 1
        starts = [m.start for m in mentions]  # sorted: mentions() returns them in text order
        for sent in doc.sents:
            if not sent.text.strip():
                continue
            is_headline = bool(headline_chars) and sent.start_char < headline_chars
            lo, hi = bisect_left(starts, sent.start), bisect_left(starts, sent.end)
            sent_mentions = {i: m for m in mentions[lo:hi] for i in m.tokens}
            events += self.code_sentence(sent, sentence_id, is_headline, sent_mentions, article_country, date,
                                         context, trace)
            sentence_id += 1
        return events

    # ------------------------------------------------------------------ sentence level

    def discard_topic(self, sent: Span) -> str | None:
        """The discard topic a sentence belongs to (sports, markets...), or None."""
        toks = list(sent)
        words = {t.lower_ for t in toks} | {t.lemma_.lower() for t in toks}
        shapes = [t.shape_ for t in toks]
        for d in self.codebook.discards:
            if d.shapes and (not d.shapes_with or words & d.shapes_with):
                for seq in d.shapes:
                    if any(tuple(shapes[i:i + len(seq)]) == seq for i in range(len(shapes) - len(seq) + 1)):
                        return d.topic
        for i, tok in enumerate(toks):
            for key in {tok.lower_, tok.lemma_.lower()}:
                for phrase, topic in self.discard_first.get(key, ()):
                    window = toks[i:i + len(phrase)]
                    if len(window) == len(phrase) and all(
                            w in (t.lower_, t.lemma_.lower()) for w, t in zip(phrase, window)):
                        return topic
        return None

    def code_sentence(self, sent: Span, sentence_id: int, is_headline: bool, mentions: dict[int, Mention],
                      article_country: str | None, date: dt.date | None, context: dict | None = None,
                      trace: list | None = None) -> list[dict]:
        context = context if context is not None else {"person": None, "actor": None}
        topic = self.discard_topic(sent)
        if topic:
            if trace is not None:
                trace.append({"sentence_id": sentence_id, "discarded": topic})
            return []
        resolve = _Resolve(self, mentions, article_country, date, context)
        candidates = sorted(
            (t for t in sent if self._candidate_patterns(t)),
            key=lambda t: (_depth(t), t.i))
        consumed: set[int] = set()
        out: list[dict] = []
        records: list[dict] = []
        self._released = set()  # complements of orders to own forces (see _own_forces_order), per sentence
        out += self._object_control(sent, consumed, resolve, sentence_id, is_headline)
        for tok in candidates:
            record = {"sentence_id": sentence_id, "predicate": tok.text, "lemma": tok.lemma_, "i": tok.i,
                      "tried": [], "matched": None, "dropped": None, "events": []}
            records.append(record)
            if trace is not None:
                trace.append(record)
            if tok.i in consumed:
                record["dropped"] = "consumed by the pattern of a governing verb"
                continue
            complement = self._coded_complement(tok)
            if complement is not None:  # "agreed to withdraw": the complement is coded, as an intention
                record["dropped"] = f"intent verb: its complement '{complement.text}' is coded as the intention"
                continue
            ordered = self._own_forces_order(tok, resolve)
            if ordered is not None:  # "Putin ordered the military to put forces on alert": the alert is the event
                self._released.add(ordered.i)
                record["dropped"] = f"an order to the source's own forces: '{ordered.text}' is coded as done"
                continue
            match = self._best_match(tok, record)
            if match is None:
                continue
            record["matched"] = f"{match.pattern.text} -> {match.pattern.code} [{match.pattern.location}]"
            # the phrase belongs to this predicate: "imposed a curfew" is one event, "condemned the invasion" an 11
            consumed.update(i for i in match.frame if i != tok.i)
            why = self._blocked(tok)
            if why:
                record["dropped"] = why
                continue
            mode = self._mode(tok, match.pattern.code)
            if mode.get("drop"):
                record["dropped"] = mode["drop"]
                continue
            if mode.get("note"):
                record["mode"] = mode["note"]
            accident = self._accident(tok, _slots(match, self.lex)[0], mentions) \
                if (mode.get("code") or match.pattern.code)[:2] in ("17", "18", "19", "20") else None
            if accident:
                record["dropped"] = f"accident: caused by '{accident}' (modality.yaml accident_nouns)"
                continue
            for ev in self._events(match, resolve, sentence_id, is_headline, mode):
                ev["event_index"] = len(out)
                out.append(ev)
                record["events"].append(f"{ev['source']} -> {ev['target'] or '(none)'} : {ev['code']}")
        out += self._bare_obligations(sent, consumed, {r["i"] for r in records if r.get("events")}, resolve,
                                      sentence_id, is_headline, len(out))
        # main-clause acts first: a reported demand ranks at its reporting verb, not at the embedded clause
        out.sort(key=lambda ev: ev.pop("_order"))
        if self.main_clause_only and any(not ev["_subordinate"] for ev in out):
            # "rebels attacked the camp, killing 156": the sentence reports the attack; acts told in subordinate
            # clauses and phrases (participles, relative and adverbial clauses, nouns in prepositional phrases)
            # are background to it
            dropped = [ev for ev in out if ev["_subordinate"]]
            out = [ev for ev in out if not ev["_subordinate"]]
            for rec in records:
                if any(ev["_trigger_tokens"][0] == rec["i"] for ev in dropped):
                    rec["dropped"] = "subordinate clause of a sentence whose main clause reports an event"
        for ev in out:
            ev.pop("_subordinate", None)
        for n, ev in enumerate(out):
            ev["event_index"] = n
        for ev in out:  # remember actors for pronouns in later sentences
            if ev["source_resolution"].startswith("leader"):
                context["person"] = ev["_source_actor"]
            context["actor"] = ev["_source_actor"]
        for ev in out:
            ev.pop("_source_actor", None)
        return out

    def _object_control(self, sent: Span, consumed: set[int], resolve: "_Resolve", sentence_id: int,
                        is_headline: bool) -> list[dict]:
        """"Zelensky wants NATO to close the skies": not NATO's act but Zelensky's appeal to NATO
        (modality.yaml object_control_appeals); the complement is consumed."""
        out = []
        for tok in sent:
            code = self.object_control.get(tok.lemma_.lower())
            if not code:
                continue
            comp = next((c for c in tok.children if c.dep_ in ("xcomp", "ccomp", "advcl") and _is_infinitive(c)),
                        None)
            obj = _child(tok, ("dobj",)) or (_child(comp, ("nsubj",)) if comp is not None else None)
            if comp is None or obj is None or self._negation(tok) or self._blocked(tok):
                continue
            consumed.update(t.i for t in comp.subtree)
            pattern = Pattern(code, "verb", f"<{tok.lemma_.lower()} TARGET to ...>", frozenset([tok.lemma_.lower()]),
                              (), *self.object_control_location, 0)
            out += self._events(_Match(pattern, tok, [comp], _frame(tok)), resolve, sentence_id, is_headline,
                                {"note": f"'{tok.text} {obj.text} to {comp.text}': an appeal to {obj.text}"})
        return out

    def _bare_obligations(self, sent: Span, consumed: set[int], coded: set[int], resolve: "_Resolve",
                          sentence_id: int, is_headline: bool, start_index: int) -> list[dict]:
        """"Canberra declared that Jakarta must free the fishermen": a reported must/should clause is the
        speaker's demand/appeal even when its own verb has no pattern (modality.yaml obligation_aux)."""
        out = []
        for tok in sent:
            if tok.i in consumed or tok.i in coded or tok.pos_ not in ("VERB", "AUX"):
                continue
            aux = next((c for c in tok.children if c.dep_ == "aux" and c.lower_ in self.obligation), None)
            if aux is None and tok.lemma_.lower() in self.obligation_verbs and any(
                    c.dep_ == "xcomp" and _is_infinitive(c) for c in tok.children) and not any(
                    c.i in coded or c.i in consumed for c in tok.children if c.dep_ == "xcomp"):
                aux = tok  # "the minister said Somalia would need to hold elections" (obligation_verbs)
            if aux is None or self._negation(tok) or _reporting_subject(tok) is None:
                continue
            code = self.obligation[aux.lower_] if aux is not tok else self.obligation_verbs[tok.lemma_.lower()]
            location = self.obligation_location if aux is not tok else self.obligation_verbs_location
            pattern = Pattern(code, "verb", f"<reported '{aux.lower_}' clause>", frozenset([tok.lemma_.lower()]),
                              (), *location, 0)
            mode = {"code": code, "speaker": _reporting_subject(tok),
                    "note": f"'{aux.text}' in a clause reported by '{_reporting_subject(tok).text}'"}
            for ev in self._events(_Match(pattern, tok, [aux] if aux is not tok else [], _frame(tok)), resolve,
                                   sentence_id, is_headline, mode):
                ev["event_index"] = start_index + len(out)
                out.append(ev)
        return out

    def _candidate_patterns(self, tok: Token) -> list[Pattern]:
        if tok.dep_ in _MODIFIER_DEPS:  # "riot police", "the jailed activist": modifiers, not event reports
            return []
        lemma = tok.lemma_.lower()
        if tok.tag_.startswith("VB") or tok.pos_ == "VERB":
            return self.verb_index.get(lemma) or self.verb_index.get(tok.lower_, [])
        if tok.pos_ in ("NOUN", "PROPN"):
            return self.noun_index.get(lemma) or self.noun_index.get(tok.lower_, [])
        return []

    def _best_match(self, tok: Token, record: dict) -> _Match | None:
        frame = _frame(tok)
        order = sorted(frame, key=lambda j: _nearness(frame, j, tok.i))
        present = set()
        for i in order:
            present |= _token_words(tok.doc[i])
        for pattern in self._candidate_patterns(tok):
            words = _match_elements(pattern, order, present, tok)
            record["tried"].append(f"{pattern.text} [{pattern.location}]" + ("" if words is None else " MATCH"))
            if words is not None:
                return _Match(pattern, tok, words, frame)
        return None

    def _coded_complement(self, tok: Token) -> Token | None:
        """For an intent verb ("agree", "vow", "threaten"), its to-infinitive when that has a pattern of its own."""
        if tok.lemma_.lower() not in self.intent_heads or _child(tok, ("dobj",)) is not None:
            return None  # "wants NATO to close the skies": an appeal to NATO, not an intention
        for c in tok.children:
            if c.dep_ in ("xcomp", "advcl") and _is_infinitive(c) and self._candidate_patterns(c):
                if self._best_match(c, {"tried": []}) is not None:
                    return c
        return None

    def _intended(self, tok: Token) -> str | None:
        """Why a predicate reads as intended rather than done ("will", "agreed to", "ready to"), or None."""
        warned = self._warned(tok)
        if warned is not None:
            return f"warning '{warned.text} that'"
        node = tok
        while True:
            for child in node.children:
                if child.dep_ == "aux" and child.lower_ in self.future_aux:
                    return f"future '{child.text}'"
            if node.dep_ == "conj" and node.head is not node:
                node = node.head
                continue
            break
        if node.dep_ == "pcomp" and node.head.lower_ == "to" and node.head.head is not node.head:
            head = node.head.head  # "is committed to expanding trade with Nigeria"
            if head.lower_ in self.intent_adjectives or head.lemma_.lower() in self.intent_heads:
                return f"intent '{head.text} to'"
        if node.dep_ in ("xcomp", "advcl") and _is_infinitive(node):
            head = node.head
            if head.lemma_.lower() in self.intent_heads:
                return f"intent '{head.text} to'"
            if head.pos_ == "ADJ" and head.lower_ in self.intent_adjectives:
                return f"intent '{head.text} to'"
            if head.lemma_.lower() == "go" and any(c.dep_ == "aux" for c in head.children):
                return "future 'going to'"
        return None

    @staticmethod
    def _lookup(table: dict, code: str) -> str | None:
        for key in (code, code[:3], code[:2]):
            if key in table:
                return table[key]
        return None

    def intent_code(self, code: str) -> str:
        """The intent/threat code for an intended act (modality.yaml intent_codes), or the code itself."""
        return self._lookup(self.intent_codes, code) or code

    def _negation(self, tok: Token) -> str | None:
        node = tok
        while True:
            for child in node.children:
                if child.dep_ == "neg" or (child.dep_ in ("det", "advmod") and child.lower_ in self.negators):
                    return f"'{child.text}'"
            if node.dep_ == "conj" and node.head is not node:
                node = node.head
                continue
            if node.dep_ == "xcomp" and node.head.lemma_.lower() in self.negating_heads:
                return f"'{node.head.text} to'"  # "failed to reach an agreement"
            return None

    def _mode(self, tok: Token, code: str) -> dict:
        """How the act is reported (modality.yaml): negated (a refusal, or nothing), obligation (a demand/appeal
        by the speaker), intended (an intent/threat code), or done. Returns {'code', 'note', 'drop', 'speaker'}."""
        negated = self._negation(tok)
        if negated:
            refusal = self._lookup(self.refusal_codes, code)
            if refusal is None:
                return {"drop": f"negated by {negated}"}
            return {"code": refusal, "note": f"negated by {negated}: a refusal"}
        alleged = self._allegation(tok, code)
        if alleged:
            return alleged
        head = tok.head
        if tok.dep_ == "xcomp" and head.lemma_.lower() in self.obligation_verbs and not self._negation(head):
            speaker = _reporting_subject(head)  # "Merkel said Greece needs to cut its deficit": an appeal to Greece
            if speaker is not None:
                return {"code": self.obligation_verbs[head.lemma_.lower()], "speaker": speaker,
                        "note": f"'{head.text} to' in a clause reported by '{speaker.text}': their demand/appeal"}
        for child in tok.children:
            if child.dep_ == "aux" and child.lower_ in self.obligation:
                speaker = _reporting_subject(tok)
                if speaker is None:
                    return {"drop": f"obligation '{child.text}' with no speaker"}
                return {"code": self.obligation[child.lower_], "speaker": speaker,
                        "note": f"'{child.text}' in a clause reported by '{speaker.text}': their demand/appeal"}
        intent = self._intended(tok)
        if intent:
            return {"code": self.intent_code(code), "note": f"read as intended ({intent})", "intended": True}
        return {}

    def _allegation(self, tok: Token, code: str) -> dict | None:
        """"Russia alleged that Ukrainian forces shelled the town": CAMEO codes the allegation (the speaker accuses
        the clause's actor, modality.yaml allegation_codes), not the alleged act. A claim about the speaker's own
        act ("the group claimed that it had attacked") is coded as the act."""
        node = tok
        while node.dep_ == "conj" and node.head is not node:
            node = node.head
        if node.dep_ != "ccomp" or node.head.lemma_.lower() not in self.allegation_heads:
            return None
        accused = _verb_subject(node)
        speaker = _verb_subject(node.head)
        new = self._lookup(self.allegation_codes, code)
        if accused is None or speaker is None or new is None \
                or accused.lower_ in PRONOUNS_PERSON | PRONOUNS_OTHER or accused.lemma_.lower() in ("they", "we"):
            return None
        return {"code": new, "speaker": speaker, "accused": True,
                "note": f"alleged by '{speaker.text}' ('{node.head.text} that ...'): an accusation"}

    def _recode(self, code: str, evidence: str, s: Actor, t: Actor | None) -> tuple[str, str]:
        """CAMEO codes some acts by who does them to whom (modality.yaml actor_recoding): protesters storming a
        building riot (145), police dispersing a rally with force repress (175), unidentified gunmen killing
        villagers assault (18x), not fight (19x). First matching rule wins."""
        for frm, sources, targets, to, line in self.actor_recoding:
            if not code.startswith(frm):  # "19" covers 190, 193, 1951 ...
                continue
            if sources and not sources & _role_blocks(s.code):
                continue
            if targets and (t is None or not targets & _role_blocks(t.code)):
                continue
            name = self.codebook.events[to].name
            return to, (f"{to} {name}: recoded from {evidence} by actor_recoding "
                        f"[{self.actor_recoding_location[0]}:{line}]")
        return code, evidence

    def _accident(self, tok: Token, sources: list[Token], mentions: dict) -> str | None:
        """"A bus crash killed 20 people", "killed in a fire": the deaths come from an accident, not an attack."""
        heads = list(sources)
        by_agent: set[int] = set()
        for c in tok.children:
            if c.dep_ in ("agent", "prep") and c.lower_ in ("by", "in", "during", "after") \
                    and (obj := _object_of(c)) is not None:
                heads.append(obj)
                if c.lower_ == "by":
                    by_agent.add(obj.i)
        for h in heads:
            if h.lemma_.lower() in self.accident_nouns or any(
                    c.dep_ == "compound" and c.lemma_.lower() in self.accident_nouns for c in h.children):
                return h.text
            if h.lemma_.lower() in self.accident_unless_attack and h.i not in by_agent and not any(
                    c.dep_ in ("compound", "amod", "poss", "nmod") and (c.lemma_.lower() in self.attack_modifiers
                                                                       or c.i in mentions)
                    for c in h.children) and not any(
                    c.dep_ == "prep" and c.lower_ in ("from", "by") for c in h.children):
                return h.text  # "a fire at a wedding hall killed 100", not "Israeli fire", "a bomb blast"
        node = tok
        while node.dep_ in ("advcl", "conj", "xcomp") and node.head is not node:
            node = node.head  # "a bus carrying pilgrims crashed, killing 20"
            if node.lemma_.lower() in self.accident_verbs:
                return node.text
        return None

    def _own_forces_order(self, tok: Token, resolve: "_Resolve") -> Token | None:
        """The complement of an order to the orderer's own security forces (modality.yaml command_heads): "Putin
        ordered his military to put nuclear forces on alert" reports the alert (RUSMIL 152), not a demand of
        Russia on itself. Orders to others ("ordered Iran to stop") stay demands."""
        if tok.lemma_.lower() not in self.command_heads or self._negation(tok):
            return None
        comp = next((c for c in tok.children if c.dep_ in ("xcomp", "ccomp", "advcl") and _is_infinitive(c)), None)
        if comp is None or not self._candidate_patterns(comp) or self._best_match(comp, {"tried": []}) is None:
            return None
        obj = _child(tok, ("dobj",)) or _child(comp, ("nsubj",))
        subj = _verb_subject(tok, stative=self.lex.stative)
        if obj is None or subj is None:
            return None
        ordered, orderer = resolve.many([obj], other=[subj]), resolve.many([subj], other=[obj])
        if len(ordered) != 1 or len(orderer) != 1:
            return None
        o, s = ordered[0], orderer[0]
        if o.code[:3] == s.code[:3] and o.code[:3] not in ("---", "IGO", "NGO") \
                and _role_blocks(o.code) & {"MIL", "COP", "SPY"}:
            return comp
        return None

    def _warned(self, tok: Token) -> Token | None:
        """The warning verb whose that-clause ``tok`` heads ("Erdogan warned that Turkey could cut ties with
        Israel if ..."), or None: a warned consequence is a threat, hypothetical or conditional as it is."""
        node = tok
        while node.dep_ == "conj" and node.head.i != node.i:
            node = node.head
        if node.dep_ == "ccomp" and node.head.lemma_.lower() in self.warning_heads:
            return node.head
        return None

    def _blocked(self, tok: Token) -> str | None:
        """Why a matched predicate is not an event (negation, modality, denial, condition), or None."""
        if self._warned(tok) is not None:
            return None
        for child in tok.children:
            if child.dep_ == "aux" and child.lower_ in self.hypothetical:
                return f"hypothetical: '{child.text}'"
            if child.dep_ == "mark" and child.lower_ in _CONDITIONAL_MARKS:
                return f"conditional: '{child.text}'"
        node = tok
        while node.dep_ == "conj" and node.head is not node:
            node = node.head
            for child in node.children:
                if child.dep_ == "aux" and child.lower_ in self.hypothetical:
                    return f"hypothetical via '{child.text}' on '{node.text}'"
        if _is_infinitive(node) and node.dep_ in ("xcomp", "advcl", "ccomp") and node.i not in self._released \
                and node.head.lemma_.lower() in self.non_factual \
                and not (node.head.lemma_.lower() in self.obligation_verbs and _reporting_subject(node.head)):
            return f"non-factual: under '{node.head.text}'"
        for anc in tok.ancestors:
            if anc.lemma_.lower() in self.denial and any(  # "denied (reports) that troops shelled X"
                    a.dep_ in ("ccomp", "dobj") and (a is tok or tok in a.subtree) for a in anc.children):
                return f"denied: under '{anc.text}'"
        return None

    # ------------------------------------------------------------------ events

    def _events(self, match: _Match, resolve: "_Resolve", sentence_id: int, is_headline: bool,
                mode: dict | None = None) -> list[dict]:
        p, tok = match.pattern, match.predicate
        mode = mode or {}
        code = mode.get("code") or p.code
        if p.code[:2] == "04" and tok.lemma_.lower() == "meet" and _is_passive(tok) \
                and _child(tok, ("agent",)) is None:
            return []  # "the plan was met with protests", "threats would be met with fire and fury": no meeting
        sources, targets = _slots(match, self.lex)
        if mode.get("accused") and not sources:  # "X alleged that Y attacked Z": X accuses Y, so Y is needed
            return []
        if mode.get("speaker") is not None:  # "X said Y must ...": X demands of Y
            targets = sources
            sources = [mode["speaker"]]
        if p.kind == "noun" and len(sources) > 1 and mode.get("speaker") is None:
            # "Putin ordered Russia's mobilisation": one author, the first head that names an actor (the light
            # verb's subject before the noun's modifiers), not a pair of actors acting on each other
            source_actors = next((a for h in sources if (a := resolve.many([h], other=targets))), [])
        else:
            source_actors = resolve.many(sources, other=targets)
        if not source_actors and mode.get("speaker") is None:
            source_actors = resolve.many(_second_source(tok, self.lex), other=targets)
        if not source_actors and p.kind == "noun" and p.source_role and _reports_occurrence(tok):
            source_actors = [resolve.role_only(p.source_role, tok.text, f"source_role {p.source_role} of the entry",
                                               other=targets)]
        if not source_actors and p.kind == "verb" and mode.get("intended") and _is_passive(tok) \
                and _child(tok, ("agent",)) is None and (speaker := _reporting_subject(tok)) is not None:
            # "North Korea said any attack would be met with fire and fury": the speaker announces its own act
            source_actors = resolve.many([speaker], other=targets)
        role = self._lookup(self.agentless_roles, code) if p.kind == "verb" and not source_actors else None
        background = any(t.dep_ in ("relcl", "acl", "advcl") for t in (tok, *tok.ancestors)) \
            and not _existential(tok)
        if role and not background and (_is_passive(tok) or (sources and sources[0].lemma_.lower() in
                                                              self.noun_index)):
            source_actors = [resolve.role_only(role, tok.text, f"unnamed attacker ({role}) of an agentless report",
                                               other=targets)]
        if not source_actors:
            return []
        target_actors = resolve.many(targets, other=sources)
        if not target_actors and mode.get("speaker") is not None:
            # "reminded Kazakh officials that force must be ...": whom the speaker addressed
            report = mode["speaker"].head
            addressee = _child(report, ("dobj", "dative")) if report is not mode["speaker"] else None
            target_actors = resolve.many([addressee], other=sources) if addressee is not None else []
        if not target_actors and targets and p.kind == "verb" and len(source_actors) == 1:
            target_actors = resolve.after(targets[0], _frame(tok, max_depth=8), sources)
        if not target_actors and len(source_actors) == 1 and mode.get("speaker") is None:
            if code[:2] == "04" and p.kind == "verb" and not any(e.kind == "slot" for e in p.elements) \
                    and not match.words:
                return []  # "the cabinet met on Sunday": a body's own meeting, no counterpart, no consultation
            target_actors = resolve.nearest_other(tok, sources, source_actors[0], venue=code[:2] in _JOINT_ROOTS)
        if not target_actors and mode.get("speaker") is not None:
            return []  # "the IMF said the economy needs to grow": an obligation on no actor is not a demand
        if len(source_actors) > 1 and p.code[:2] in _JOINT_ROOTS and p.slot_preposition("TARGET") is None \
                and not any(e.kind == "slot" for e in p.elements):
            target_actors = []  # "Turkish and Russian troops carried out a joint patrol in Syria": each other's
        pairs: list[tuple[Actor, Actor | None]] = []
        if target_actors:
            pairs = [(s, t) for s in source_actors for t in target_actors]
        elif len(source_actors) > 1:  # "A and B agreed": each is the other's target
            pairs = [(s, t) for s in source_actors for t in source_actors if s is not t]
        else:
            pairs = [(source_actors[0], None)]
        event = self.codebook.events[code]
        trigger = " ".join(t.text for t in sorted([tok, *match.words], key=lambda t: t.i))
        evidence = (f'{code} {event.name}: "{trigger}" matched {p.kind} pattern "{p.text}" '
                    f"[{p.location}]")
        if mode.get("note"):
            evidence += f"; pattern code {p.code}, {mode['note']}"
        rows = []
        seen = set()
        for s, t in pairs:
            if t is not None and s.code == t.code and s.text == t.text:
                continue
            key = (s.code, t.code if t else None)
            if key in seen:
                continue
            seen.add(key)
            row_code, row_evidence = self._recode(code, evidence, s, t)
            rows.append({
                "sentence_id": sentence_id, "is_headline": is_headline,
                "sentence": tok.sent.text.strip(),
                "source": s.code, "source_country": s.country, "source_agent": s.agent,
                "target": t.code if t else None, "target_country": t.country if t else None,
                "target_agent": t.agent if t else None,
                "code": row_code, "root_code": row_code[:2],
                "quad_class": self.codebook.quad(row_code, self.quad_convention),
                "goldstein": self.codebook.goldstein(row_code, self.goldstein_scale),
                "evidence": row_evidence,
                "source_text": s.text, "target_text": t.text if t else None,
                "source_resolution": s.resolution, "target_resolution": t.resolution if t else None,
                "trigger": trigger, "pattern": p.text, "pattern_file": p.file, "pattern_line": p.line,
                "codebook_version": self.codebook.version,
                "_source_actor": s,
                "_order": _event_order(tok, mode),
                "_subordinate": _subordinate(mode["speaker"].head if mode.get("speaker") is not None
                                             and mode["speaker"].head is not mode["speaker"] else tok),
                "_trigger_tokens": [tok.i] + [w.i for w in match.words],
            })
        return rows


class _Resolve:
    """Actor resolution bound to one sentence's context (mentions, countries, date, pronoun memory)."""

    def __init__(self, coder: EventCoder, mentions, article_country, date, context):
        self.coder, self.mentions = coder, mentions
        self.article_country, self.date = article_country, date
        self.context = context
        self.sentence_country: str | None = None

    def country_outside(self, other: list[Token], near: int | None = None) -> str | None:
        """The sentence's country, not counting mentions inside the other actor's phrase: in "troops shelled
        Ukrainian positions" the troops do not take their country from the target."""
        skip: set[int] = set()
        for h in other:
            skip.update(t.i for t in h.subtree)
        ms = [m for m in dict.fromkeys(self.mentions.values()) if m.start not in skip]
        return self.coder.resolver.dominant_country(ms, self.date, near)

    def one(self, tok: Token) -> Actor | None:
        low = tok.lower_
        if tok.tag_ in ("WP", "WDT") or low in _RELATIVE_PRONOUNS:
            if tok.head.dep_ == "relcl":
                return self.one(tok.head.head)
            return None
        if low in PRONOUNS_PERSON | PRONOUNS_OTHER and tok.dep_ in ("nsubj", "nsubjpass"):
            speaker = _reporting_subject(tok.head)  # "Ghana said it would allow ...": it = Ghana
            if speaker is not None and speaker.lower_ not in PRONOUNS_PERSON | PRONOUNS_OTHER:
                a = self.one(speaker)
                if a is not None:
                    return Actor(a.code, a.country, a.agent, tok.text,
                                 f"pronoun '{tok.text}' -> the reporting subject: {a.resolution}")
        if low in PRONOUNS_PERSON | PRONOUNS_OTHER and tok.dep_ in ("nsubj", "nsubjpass") \
                and tok.head.dep_ in ("advcl", "conj") and tok.head.head is not tok.head:
            main = _verb_subject(tok.head.head)  # "... when they opened fire": the main clause's subject
            if main is not None and main.lower_ not in PRONOUNS_PERSON | PRONOUNS_OTHER:
                a = self.one(main)
                if a is not None:
                    return Actor(a.code, a.country, a.agent, tok.text,
                                 f"pronoun '{tok.text}' -> the main clause's subject: {a.resolution}")
        if low in PRONOUNS_PERSON and self.context.get("person") is not None:
            a = self.context["person"]
            return Actor(a.code, a.country, a.agent, tok.text, f"pronoun '{tok.text}' -> previous person {a.code}")
        if low in PRONOUNS_OTHER and self.context.get("actor") is not None:
            a = self.context["actor"]
            return Actor(a.code, a.country, a.agent, tok.text, f"pronoun '{tok.text}' -> previous actor {a.code}")
        if tok.i not in self.mentions and tok.pos_ == "NOUN" and tok.lemma_.lower() in self.coder.noun_index:
            # an event noun is not an actor ("a car bombing in Kabul killed ..."), but its author is
            # ("rejected Russia's demands": Russia)
            for c in tok.children:
                if c.dep_ in ("poss", "compound", "amod") and c.i in self.mentions:
                    return self.one(c)
            for c in tok.children:  # "rejected a proposal from Guyana", "demands by the rebels"
                if c.dep_ in ("prep", "agent") and (c.lower_ == "by" or (
                        c.lower_ == "from" and tok.lemma_.lower() in _MESSAGE_NOUNS)) \
                        and (obj := _object_of(c)) is not None and obj.pos_ in ("PROPN", "NOUN", "PRON"):
                    return self.one(obj)
            return None
        a = self.coder.resolver.resolve(tok, self.mentions, self.sentence_country, self.article_country, self.date)
        return self._former(tok, a) if a is not None else None

    def _former(self, head: Token, a: Actor) -> Actor:
        """"Former prime minister X", "ousted president Y": an elite out of office, country + ELI (CAMEO), whatever
        office the name or title points to (modality.yaml former_modifiers)."""
        if a.agent not in ("GOV", "LEG", "JUD", "MIL", "COP", "SPY") or not a.country or len(a.country) != 3:
            return a
        mod = next((c for c in head.subtree if c.i < head.i and c.dep_ in ("amod", "compound", "advmod", "nmod")
                    and (c.lower_ in self.coder.former or c.lower_.startswith("ex-"))), None)
        if mod is None:
            return a
        return Actor(a.country + "ELI", a.country, "ELI", a.text, a.resolution + f"; '{mod.text}': former official ELI")

    def many(self, heads: list[Token], other: list[Token] = ()) -> list[Actor]:
        self.sentence_country = self.country_outside(list(other), heads[0].i if heads else None)
        out, seen = [], set()
        for h in heads:
            for tok in [h, *_noun_conjuncts(h)]:
                a = self.one(tok)
                if a is not None and (a.code, a.text) not in seen:
                    seen.add((a.code, a.text))
                    out.append(a)
                    out += [b for b in self._coordinated_modifiers(tok, a) if (b.code, b.text) not in seen]
                    seen.update((b.code, b.text) for b in out)
        return out

    def _coordinated_modifiers(self, head: Token, actor: Actor) -> list[Actor]:
        """"Czech and Slovak officials": one actor per coordinated country modifier."""
        if not actor.country:
            return []
        out = []
        for mod in head.children:
            if mod.dep_ not in ("amod", "compound", "nmod") or mod.i not in self.mentions:
                continue
            m = self.mentions[mod.i]
            if m.name.code != actor.country:
                continue
            for conj in mod.conjuncts:
                other = self.mentions.get(conj.i)
                if other is not None and other.name.kind in ("adjective", "country-name", "demonym") \
                        and other.name.code != actor.country:
                    out.append(self.coder.resolver.with_country(actor, actor.country, other.name.code, conj.text))
        return out

    def after(self, slot: Token, frame: dict[int, int], other: list[Token]) -> list[Actor]:
        """Repair for a parser attachment error: a slot head that names no actor ("all involved in unrest in X",
        with "involved" attached to the verb) takes the first actor named after it in the predicate's phrase."""
        for i in sorted(j for j in frame if j > slot.i):
            tok = slot.doc[i]
            if i in self.mentions and tok.dep_ not in ("nsubj", "nsubjpass") and not _in_place_name(tok):
                while tok.dep_ in ("compound", "flat") and tok.head.i != tok.i and tok.head.i in self.mentions:
                    tok = tok.head  # "the United States and Israel": from "United" to "States", with its conjuncts
                found = self.many([tok], other)  # with its conjuncts: "sales to Iran, Libya and Cuba"
                if found:
                    return [Actor(a.code, a.country, a.agent, a.text,
                                  a.resolution + f"; first actor after '{slot.text}', which names none")
                            for a in found]
        return []

    def nearest_other(self, pred: Token, sources: list[Token], source: Actor, venue: bool = False) -> list[Actor]:
        """Fallback target when no slot names one: the nearest other actor of the sentence ("Japan lifted
        restrictions on seafood imports, ending a long dispute with China": CHN). Skipped: the source's own phrase, speakers of the reporting clauses above
        the predicate, "according to" attributions, and actors with the source's code. Phrase-internal actors
        (the predicate's subtree) come first, then the closest in the sentence."""
        sent = pred.sent
        skip: set[int] = set()
        for h in sources:
            skip.update(t.i for t in h.subtree)
        for anc in [pred, *pred.ancestors]:
            if anc is not pred and anc.pos_ in ("VERB", "AUX"):
                subj = _child(anc, ("nsubj", "nsubjpass"))
                if subj is not None and not (pred in subj.subtree):
                    skip.update(t.i for t in subj.subtree)
        for t in sent:
            if t.lower_ == "according" or (t.dep_ == "prep" and t.lower_ == "to" and t.head.lower_ == "according"):
                skip.update(x.i for x in t.subtree)
        inside = {t.i for t in pred.subtree}
        heads = []
        for i, m in self.mentions.items():
            if i in skip or not (sent.start <= i < sent.end) or m.name.kind == "city":
                continue
            head = pred.doc[i]
            while head.dep_ in ("compound", "amod", "poss", "nmod", "flat") and head.head is not head \
                    and head.head.i not in skip:
                head = head.head
            if head.i in skip or head.i == pred.i or _in_place_name(head) or (
                    venue and m.name.kind in ("city", "capital") and _locative(head)):
                continue  # "held a summit in Helsinki": the venue, not the counterpart
            heads.append(head)
        for head in sorted(dict.fromkeys(heads), key=lambda h: (h.i not in inside, abs(h.i - pred.i))):
            a = self.one(head)
            if a is None or a.code == source.code or a.code[:3] == "---":
                continue
            if a.agent is None and a.country == source.country:  # "Tokayev promised to reform Kazakhstan"
                continue
            until = self.coder.codebook.country_until.get(a.country or "")
            if until is not None and self.date is not None and self.date > until:
                continue  # "independence from the Soviet Union": history, not a party to today's act
            return [Actor(a.code, a.country, a.agent, a.text,
                          a.resolution + "; nearest other actor in the sentence (no target slot filled)")]
        return []

    def role_only(self, role: str, text: str, why: str, other: list[Token] = ()) -> Actor:
        return self.coder.resolver.role_only(role, text, self.country_outside(list(other)), self.article_country,
                                             why)


# --------------------------------------------------------------------------------------------- parse helpers


def _depth(tok: Token) -> int:
    return sum(1 for _ in tok.ancestors)


def _is_passive(tok: Token) -> bool:
    return _is_reduced_passive(tok) or any(c.dep_ in ("auxpass", "nsubjpass", "csubjpass") for c in tok.children)


_SUBORDINATE_DEPS = frozenset({"relcl", "acl", "advcl", "pobj", "pcomp", "appos", "npadvmod"})


def _subordinate(tok: Token) -> bool:
    """Whether ``tok`` sits in a subordinate clause or phrase (participle, relative or adverbial clause, noun in a
    prepositional phrase) rather than in the main clause, its reported-speech complements and its conjuncts.
    Infinitive complements count as main: they are the content of "agreed to", "urged X to"; purpose clauses
    ("sent troops to help Mali fight militants") do not."""
    node = tok
    while node.head.i != node.i:
        if node.dep_ in _SUBORDINATE_DEPS and not (node.dep_ == "acl" and _is_infinitive(node)):
            return True  # purpose clauses ("sent troops to help Mali fight militants") are background too
        node = node.head
    return False


def _locative(tok: Token) -> bool:
    """"in the Finnish capital Helsinki", "near Washington": a noun phrase after a locative preposition."""
    node = tok
    while node.dep_ in ("compound", "amod", "poss", "nmod", "flat", "appos") and node.head.i != node.i:
        node = node.head
    return node.dep_ == "pobj" and node.head.lower_ in ("in", "at", "near", "outside", "inside", "around")


def _in_place_name(tok: Token) -> bool:
    """"the Sea of Japan", "the South China Sea", "the Thai border": a country inside a geographic phrase."""
    head = tok
    while head.dep_ in ("compound", "amod", "poss", "nmod", "flat") and head.head.i != head.i:
        head = head.head
    return head.lemma_.lower() in _PLACE_HEADS or (
        head.dep_ == "pobj" and head.head.lower_ == "of" and head.head.head.lemma_.lower() in _PLACE_HEADS)


def _role_blocks(code: str) -> set[str]:
    """The 3-letter blocks after the country/IGO prefix: PSEREBHMS -> {REB, HMS}, SOMUAF -> {UAF}."""
    return {code[i:i + 3] for i in range(3, len(code), 3)}


def _event_order(tok: Token, mode: dict) -> tuple[int, int]:
    anchor = mode["speaker"].head if mode.get("speaker") is not None and mode["speaker"].head is not \
        mode["speaker"] else tok
    return _depth(anchor), anchor.i


def _existential(tok: Token) -> bool:
    """"There were ten soldiers killed": a reduced passive on the noun of an existential "there is"."""
    noun = tok.head
    return tok.dep_ == "acl" and noun.dep_ in ("attr", "nsubj") and noun.head is not noun \
        and any(c.dep_ == "expl" for c in noun.head.children)


def _is_reduced_passive(tok: Token) -> bool:
    """A past participle modifying a noun ("athletes killed in the attack"): the noun is the patient."""
    return tok.dep_ == "acl" and tok.tag_ == "VBN" and not any(c.dep_ in _SUBJECT_DEPS for c in tok.children)


def _frame(tok: Token, max_depth: int = _MAX_FRAME_DEPTH) -> dict[int, int]:
    """Token index -> depth in the predicate's own phrase (codebooks/README.md defines it)."""
    frame = {tok.i: 0}
    frontier = [tok]
    while frontier:
        nxt = []
        for t in frontier:
            if frame[t.i] >= max_depth:
                continue
            for c in t.children:
                if c.i in frame or not _in_phrase(c, t, tok):
                    continue
                if (c.dep_ == "ccomp" and not _is_infinitive(c)) or (c.dep_ == "acl" and _that_clause(c)):
                    # that-clauses lend only their verb and that verb's own words ("allow X to participate in
                    # the elections", an infinitive parsed as ccomp, is a complement like any other)
                    frame[c.i] = max_depth - 1
                    nxt.append(c)
                    continue
                frame[c.i] = frame[t.i] + 1
                nxt.append(c)
        frontier = nxt
    return frame


def _in_phrase(child: Token, parent: Token, pred: Token) -> bool:
    """Whether ``child`` belongs to the predicate's own phrase (codebooks/README.md): objects, particles,
    prepositions, complements and their modifiers; coordinated nouns ("drones and missiles", "between X and Y")
    and to-infinitives ("calls to step down", "urged them to halt"), but not the subject, coordinated verbs or
    other clauses."""
    dep = child.dep_
    if child.lower_ == "according" and dep == "prep":  # "according to officials": attribution, not a "to" slot
        return False
    if parent is not pred and parent.dep_ == "advcl" and _for_clause(parent) and (
            dep in ("nsubj", "nsubjpass") or (dep == "mark" and child.lower_ == "for")):
        return True  # "called for Serbia to release ...": "for" and Serbia belong to the call
    if parent is pred:
        if dep == "nsubjpass":  # the passive's subject is the logical object
            return True
        if dep in ("conj", "cc"):
            return False
    elif dep in ("nsubj", "nsubjpass"):
        return False
    elif dep in ("conj", "cc") and parent.pos_ in ("NOUN", "PROPN", "PRON", "ADJ", "NUM"):
        return True
    elif dep == "conj" and parent.pos_ in ("VERB", "AUX") and _is_infinitive(parent):
        return True  # "refused to allow aid trucks to enter and unload": both verbs are the refusal's
    if dep == "aux" and child.lower_ == "to":
        return parent is not pred
    if dep in ("advcl", "acl") and _is_infinitive(child):
        return True
    if dep == "ccomp" and parent is pred:  # "demanded that Israel withdraw": the demand's content
        return True
    if dep in ("acl", "ccomp") and _that_clause(child):  # "its demand that Israel withdraw"
        return True
    return dep not in _FRAME_STOP


def _nearness(frame: dict[int, int], i: int, pred: int) -> tuple:
    """Order to try frame tokens: shallow first, then those after the predicate, then the closest."""
    return frame[i], i < pred, abs(i - pred)


def _for_clause(tok: Token) -> bool:
    """"for Serbia to release the journalists": an infinitive clause with its own subject introduced by "for"."""
    return any(c.dep_ == "mark" and c.lower_ == "for" for c in tok.children) and _is_infinitive(tok)


def _that_clause(tok: Token) -> bool:
    return any(c.dep_ == "mark" and c.lower_ == "that" for c in tok.children)


def _is_infinitive(tok: Token) -> bool:
    """A "to"-infinitive clause ("urged them to halt"), which the parser labels xcomp or advcl."""
    return tok.dep_ == "xcomp" or any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children)


def _token_words(t: Token) -> set[str]:
    return {t.lemma_.lower(), t.lower_}


def _match_elements(pattern: Pattern, order: list[int], present: set[str], pred: Token) -> list[Token] | None:
    """The tokens satisfying each word/set element of ``pattern`` inside the frame (token indexes in the order to
    try them; ``present`` = every word form in the frame, a quick reject), or None if one is missing."""
    doc = pred.doc
    for el in pattern.elements:
        if el.kind != "slot" and not any(seq[0] in present for seq in el.alternatives):
            return None
    used: set[int] = {pred.i}
    slot_prep = pattern.slot_preposition("TARGET")
    if slot_prep:  # the target's own head word cannot also fill a word of the pattern
        used.update(i for i in order if doc[i].dep_ == "pobj" and doc[i].head.lower_ == slot_prep)
    words: list[Token] = []
    for el in pattern.elements:
        if el.kind == "slot":
            continue
        hit = None
        for seq in el.alternatives:
            for i in order:
                if i in used or seq[0] not in _token_words(doc[i]):
                    continue
                if i + len(seq) > len(doc):
                    continue
                window = [doc[i + k] for k in range(len(seq))]
                if all(w in _token_words(t) for w, t in zip(seq, window)):
                    hit = window
                    break
            if hit:
                break
        if hit is None:
            return None
        used.update(t.i for t in hit)
        words.extend(hit)
    return words


def _modality_location(codebook: Codebook, key: str) -> tuple[str, int]:
    """(file, line) of a modality.yaml key, for the evidence of events a modality rule creates."""
    from pathlib import Path

    for folder in reversed(codebook.folders):
        path = Path(folder) / "modality.yaml"
        if path.exists():
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if line.startswith(key + ":"):
                    return "codebooks/modality.yaml" if folder == codebook.folders[0] else str(path), n
    return "codebooks/modality.yaml", 0


def _reporting_subject(tok: Token) -> Token | None:
    """The subject of the verb that reports the clause ``tok`` heads ("Britain said Sudan must ...": Britain)."""
    node = tok
    while node.dep_ == "conj" and node.head is not node:
        node = node.head
    if node.dep_ == "ccomp" and node.head is not node:
        return _verb_subject(node.head)
    return None


def _child(tok: Token, deps) -> Token | None:
    return next((c for c in tok.children if c.dep_ in deps), None)


def _noun_conjuncts(tok: Token) -> list[Token]:
    return [c for c in tok.conjuncts if c.pos_ in ("NOUN", "PROPN", "PRON") and c.i > tok.i]


def _object_of(prep: Token) -> Token | None:
    obj = _child(prep, ("pobj", "pcomp"))
    if obj is not None and obj.pos_ in ("VERB", "AUX"):  # "on protesters demanding ..." keeps the noun
        inner = _child(obj, ("dobj", "nsubj"))
        return inner or obj
    return obj


def _verb_subject(verb: Token, seen: int = 0, stative: frozenset = frozenset()) -> Token | None:
    """The logical subject of a verb: nsubj, the passive's by-agent, or one inherited through conj/xcomp/relcl.
    A stative participle ("Hungary is opposed to", "militias were engaged in", "Modi is scheduled to attend") has
    its grammatical subject as the actor (modality.yaml stative_passives)."""
    if seen > 6:
        return None
    if _is_passive(verb):
        agent = _child(verb, ("agent",))
        if agent is not None:
            return _object_of(agent)
        if verb.lemma_.lower() in stative and not _is_reduced_passive(verb):
            return _child(verb, ("nsubjpass",))
        return None
    subj = _child(verb, _SUBJECT_DEPS)
    if subj is not None:
        return subj
    head = verb.head
    if head is verb:
        return None
    if verb.dep_ == "conj":
        return _verb_subject(head, seen + 1, stative)
    if verb.dep_ == "xcomp" or (verb.dep_ == "advcl" and _is_infinitive(verb)):
        if head.pos_ == "ADJ":  # "Norway is ready to send ...": the subject of "is"
            return _verb_subject(head.head, seen + 1, stative) if head.head is not head else None
        # object control ("authorized police to shoot") else subject control ("agreed to withdraw")
        obj = _child(head, ("dobj",))
        return obj if obj is not None else _verb_subject(head, seen + 1, stative)
    if verb.dep_ == "acl" and head.lemma_.lower() in _STATEMENT_NOUNS and head.dep_ in ("dobj", "pobj") \
            and not _is_reduced_passive(verb):
        # "Germany issued a statement condemning ...": the author of the statement
        return _verb_subject(head.head, seen + 1, stative) if head.dep_ == "dobj" else \
            _verb_subject(head.head.head, seen + 1, stative) if head.head.head is not head.head else None
    if verb.dep_ in ("acl", "relcl") and head.pos_ in ("NOUN", "PROPN", "PRON"):
        return head
    if verb.dep_ == "advcl":
        return _verb_subject(head, seen + 1, stative)
    if verb.dep_ == "acomp" and verb.lemma_.lower() in stative:  # "Turkey is opposed to ...", tagged a complement
        return _child(head, ("nsubj",))
    return None


def _second_source(tok: Token, lex: "_Lexicon") -> list[Token]:
    """Where to look for a source when the first choice names no actor: a responsibility frame ("Myanmar's
    army is responsible for mass killings", where "mass" modifies the noun), or the subject of the verb
    governing the non-actor noun a purpose clause hangs on ("gathered for a rally to protest the tax")."""
    s = _governing_subject(tok, lex)
    if s is not None:
        return [s]
    if tok.dep_ == "pobj" and tok.head.lower_ == "in" and tok.head.head.pos_ in ("VERB", "AUX"):
        s = _verb_subject(tok.head.head, stative=lex.stative)  # "Egyptians packed the square in a protest"
        if s is not None:
            return [s]
    if tok.dep_ in ("acl", "relcl") and _is_infinitive(tok) and tok.head.pos_ == "NOUN":
        noun = tok.head
        gov = noun.head if noun.dep_ in ("dobj", "attr") else \
            noun.head.head if noun.dep_ == "pobj" and noun.head.head is not noun.head else None
        if gov is not None and gov.pos_ in ("VERB", "AUX"):
            s = _verb_subject(gov, stative=lex.stative)
            if s is not None:
                return [s]
    return []


def _governing_subject(tok: Token, lex: "_Lexicon") -> Token | None:
    """The subject a predicate inherits through a frame of responsibility or involvement: "Myanmar's army is
    responsible for the killings", "both sides are guilty of breaking the truce", "militias were engaged in
    looting", "the group was behind the bombing" (modality.yaml responsibility_adjectives,
    stative_passives)."""
    node = tok
    for _ in range(3):
        if node.dep_ not in ("pobj", "pcomp") or node.head is node:
            return None
        prep = node.head
        head = prep.head
        if prep.dep_ != "prep" or head is prep:
            return None
        if head.pos_ == "ADJ" and head.lower_ in lex.responsible and head.dep_ in ("acomp", "oprd") \
                and head.head is not head:
            return _verb_subject(head.head, stative=lex.stative)
        if prep.lower_ == "behind" and head.lemma_.lower() == "be":
            return _child(head, ("nsubj",))
        if head.pos_ in ("VERB", "AUX") and head.lemma_.lower() in lex.stative and _is_passive(head):
            return _verb_subject(head, stative=lex.stative)
        if head.pos_ in ("NOUN",) and head.dep_ in ("pobj", "dobj"):
            node = head  # "guilty of repeated violations of the truce"
            continue
        return None
    return None


def _find_prep(match: _Match, word: str) -> Token | None:
    doc = match.predicate.doc
    for i in sorted(match.frame, key=lambda j: _nearness(match.frame, j, match.predicate.i)):
        t = doc[i]
        if t.lower_ == word and (t.dep_ in _PREP_DEPS or t.pos_ == "ADP"):
            return t
    return None


def _slots(match: _Match, lex: _Lexicon = _Lexicon()) -> tuple[list[Token], list[Token]]:
    """Heads of the source and target noun phrases for a match."""
    p, tok = match.pattern, match.predicate
    sources: list[Token] = []
    targets: list[Token] = []
    source_prep = p.slot_preposition("SOURCE")
    if source_prep:
        prep = _find_prep(match, source_prep)
        if prep is not None and (obj := _object_of(prep)) is not None:
            sources = [obj]
            if p.kind == "verb" and not p.slot_preposition("TARGET"):
                # "the rebels received weapons from Iran", "faces pressure from its allies": the source acts on
                # the subject
                subj = _child(tok, ("nsubj", "nsubjpass")) or _verb_subject(tok, stative=lex.stative)
                return sources, [subj] if subj is not None and subj.i != obj.i else []
    if not sources:
        if p.kind == "verb":
            s = _verb_subject(tok, stative=lex.stative) or _governing_subject(tok, lex)
            sources = [s] if s is not None else []
            if not sources and _is_passive(tok):  # "killed in an Israeli air strike": the strike's author
                for c in tok.children:
                    if c.dep_ == "prep" and c.lower_ in ("in", "by", "during", "from") \
                            and (obj := _object_of(c)) is not None and obj.pos_ == "NOUN":
                        sources = _noun_sources(obj, lex)
                        if sources:
                            break
        else:
            sources = _noun_sources(tok, lex)
            if not sources and (s := _governing_subject(tok, lex)) is not None:
                sources = [s]
    target_prep = p.slot_preposition("TARGET")
    if target_prep == "and" and sources:  # "clash between SOURCE and TARGET"
        conj = _noun_conjuncts(sources[0])
        return sources[:1] and [sources[0]], conj
    if target_prep:
        prep = _find_prep(match, target_prep)
        if prep is not None:
            obj = _object_of(prep)
            if obj is None and prep.dep_ == "prt":
                obj = _child(tok, ("dobj",))
            if obj is not None:
                targets = [obj]
    if not targets:
        if p.kind == "verb":
            if _is_reduced_passive(tok):
                obj = tok.head
            else:
                obj = _child(tok, ("nsubjpass",)) if _is_passive(tok) else _child(tok, ("dobj", "dative"))
            clause = next((c for c in obj.children if c.dep_ in ("acl", "ccomp") and _that_clause(c)),
                          None) if obj is not None else None
            if clause is not None and _child(clause, ("nsubj", "nsubjpass")) is not None:
                obj = _child(clause, ("nsubj", "nsubjpass"))  # "reiterated its demand that Israel ...": Israel
            if obj is None:
                for el in p.elements:
                    if el.kind == "word" and (prep := _find_prep(match, el.value)) is not None:
                        obj = _object_of(prep)
                        if obj is not None:
                            break
            xcomp = next((c for c in tok.children if c.dep_ in ("xcomp", "advcl") and _is_infinitive(c)), None)
            if obj is None and xcomp is not None and _for_clause(xcomp):  # "called for Serbia to release"
                obj = _child(xcomp, ("nsubj", "nsubjpass"))
            if obj is None and xcomp is not None:  # "threatened to attack Ukraine": the complement's object
                obj = _child(xcomp, ("dobj",)) or next(
                    (o for c in xcomp.children if c.dep_ == "prep" and c.lower_ in ("against", "on", "at", "into")
                     and (o := _object_of(c)) is not None), None)
            clause = _child(tok, ("ccomp",))
            if obj is None and clause is not None:  # "demanded that the United States act": its subject
                obj = _child(clause, ("nsubj", "nsubjpass"))
            if obj is None and target_prep is None:
                for c in tok.children:
                    if c.dep_ == "prep" and c.lower_ in ("against", "at", "with", "to", "into"):
                        obj = _object_of(c)
                        if obj is not None:
                            break
            targets = [obj] if obj is not None else []
        else:
            for c in tok.children:
                if c.dep_ == "prep" and c.lower_ in ("against", "on", "at", "with", "to", "into", "in", "of"):
                    obj = _object_of(c)
                    if obj is not None and c.lower_ in ("in", "of") and not _is_actorish(obj):
                        continue
                    if obj is not None:
                        targets = [obj]
                        break
            clause = next((c for c in tok.children if c.dep_ in ("acl", "ccomp", "relcl")
                           and any(g.dep_ == "mark" and g.lower_ == "that" for g in c.children)), None)
            if not targets and clause is not None:  # "its demand that Serbia recall its envoy": Serbia
                subj = _child(clause, ("nsubj", "nsubjpass"))
                targets = [subj] if subj is not None else []
            verb = tok.head.head if tok.dep_ == "pobj" and tok.head.dep_ == "prep" else None
            if not targets and verb is not None and verb.lemma_.lower() in _LIGHT_VERBS:
                obj = _child(verb, ("dobj",))  # "engaged the peacekeepers in a firefight"
                targets = [obj] if obj is not None else []
    if targets and sources and targets[0].i == sources[0].i:
        targets = []
        if p.kind == "verb":  # "Turkey is opposed to Greek mediation": the object of the preposition
            for c in tok.children:
                if c.dep_ == "prep" and (obj := _object_of(c)) is not None and obj.pos_ in ("NOUN", "PROPN"):
                    targets = [obj]
                    break
    return sources, [t for t in targets if t is not None]


def _reports_occurrence(noun: Token) -> bool:
    """Whether a nominal event is reported as happening ("protests erupted", "workers staged a strike", a headline
    "Protests in Almaty") rather than mentioned in passing ("calls for an end to the unrest", "responding to
    protests"). Only such mentions may take a role-only source."""
    head = noun.head
    if noun.dep_ in ("nsubj", "nsubjpass", "ROOT"):
        return True
    if noun.dep_ == "dobj" and head.lemma_.lower() in _LIGHT_VERBS:
        return True
    return noun.dep_ == "conj" and head is not noun and _reports_occurrence(head)


def _is_actorish(tok: Token) -> bool:
    return tok.pos_ in ("PROPN", "NOUN")


def _noun_sources(noun: Token, lex: _Lexicon = _Lexicon()) -> list[Token]:
    """Source heads of a nominal event: possessors and modifiers ("Russian air strikes", "Israel's raid"), a
    by-agent, or the subject of a light verb ("the army launched strikes"). The resolver keeps those naming actors."""
    mods = [c for c in noun.children if c.dep_ in ("poss", "compound", "amod", "nmod")
            and c.pos_ in ("PROPN", "NOUN", "ADJ", "PRON")]
    for c in noun.children:
        if c.dep_ == "prep" and c.lower_ == "by" and (obj := _object_of(c)) is not None:
            mods.append(obj)
    head = noun.head
    if noun.dep_ == "pobj" and head.dep_ == "prep" and head.lower_ in ("in", "into"):
        head = head.head  # "engaged the peacekeepers in a firefight"
    if noun.dep_ in ("dobj", "nsubjpass", "pobj") and head.pos_ in ("VERB", "AUX") \
            and head.lemma_.lower() in _LIGHT_VERBS:
        s = _verb_subject(head, stative=lex.stative)
        if s is not None and s.i != noun.i:
            mods.insert(0, s)  # the one who launched/ordered/staged it comes first
    return mods


# --------------------------------------------------------------------------------------------- spaCy component

for _name, _default in (("events", None), ("article_date", None), ("headline_chars", 0), ("doc_id", None),
                        ("trace", None), ("headline_mismatch", False)):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)


def _parse_date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


@Language.factory(
    "eventcode",
    default_config={"codebook": None, "overlays": [], "goldstein": "default", "quad": None},
)
def make_eventcode(nlp: Language, name: str, codebook, overlays, goldstein: str, quad):
    """spaCy factory: ``nlp.add_pipe("eventcode", config={"overlays": ["my_codebook/"]})``."""
    return EventcodeComponent(nlp, name, codebook=codebook, overlays=overlays, goldstein=goldstein, quad=quad)


class EventcodeComponent:
    """Sets ``doc._.events`` (list of event dicts) from the article's date (``doc._.article_date``)."""

    def __init__(self, nlp: Language, name: str = "eventcode", codebook=None, overlays=(), goldstein="default",
                 quad=None, loaded: Codebook | None = None):
        self.name = name
        self.settings = {"codebook": codebook, "overlays": list(overlays or []), "goldstein": goldstein,
                         "quad": quad}
        self.codebook = loaded or load_codebook(overlays=self.settings["overlays"], base=codebook)
        self.coder = EventCoder(self.codebook, nlp.vocab, goldstein=goldstein, quad=quad)
        self.enricher = _make_enricher(self.coder)

    def __call__(self, doc: Doc) -> Doc:
        trace = [] if doc._.trace is not None else None
        date = _parse_date(doc._.article_date)
        events = self.coder.code_doc(doc, date, doc._.headline_chars or 0, trace)
        if self.enricher is not None:  # event dates, places, headline check (enrich.py)
            events = self.enricher(doc, events, date)
        for ev in events:
            ev.pop("_trigger_tokens", None)
        doc._.events = events
        if trace is not None:
            doc._.trace = trace
        return doc

    def pipe(self, docs, batch_size: int = 64):
        for doc in docs:
            yield self(doc)

    def to_disk(self, path, exclude=()):
        import json
        from pathlib import Path

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "settings.json").write_text(json.dumps({**self.settings, "version": self.codebook.version},
                                                       indent=2, sort_keys=True))

    def from_disk(self, path, exclude=()):
        import json
        from pathlib import Path

        settings = json.loads((Path(path) / "settings.json").read_text())
        settings.pop("version", None)
        self.settings = settings
        self.codebook = load_codebook(overlays=settings["overlays"], base=settings["codebook"])
        self.coder = EventCoder(self.codebook, self.coder.resolver.matcher_lower.vocab,
                                goldstein=settings["goldstein"], quad=settings["quad"])
        self.enricher = _make_enricher(self.coder)
        return self


def _make_enricher(coder: EventCoder):
    """The post-coding step that adds event dates, locations and the headline check (None until available)."""
    try:
        from .enrich import Enricher
    except ImportError:
        return None
    return Enricher(coder)


@Language.component("eventcode_sentences")
def eventcode_sentences(doc: Doc) -> Doc:
    """Before the parser: the headline is its own sentence, paragraph breaks always end a sentence, and a wire
    dateline ("NEW YORK:", "ALMATY, Kazakhstan:") is cut off from the sentence it opens."""
    limit = doc._.headline_chars or 0
    starts = [0]
    for tok in doc[1:]:
        if limit and tok.idx < limit:
            tok.is_sent_start = False
        elif limit and tok.idx >= limit and doc[tok.i - 1].idx < limit:
            tok.is_sent_start = True
            starts.append(tok.i)
        elif "\n\n" in doc[tok.i - 1].text or "\n\n" in doc[tok.i - 1].whitespace_:
            tok.is_sent_start = True
            starts.append(tok.i)
    for start in starts:
        if limit and start == 0:  # the headline has no dateline
            continue
        end = _dateline_end(doc, start)
        if end is not None and end < len(doc):
            doc[end].is_sent_start = True
            for t in doc[start + 1:end]:
                t.is_sent_start = False
    return doc


def _dateline_end(doc: Doc, start: int) -> int | None:
    """Index of the first token after a dateline at ``start`` (capitalised place words, commas, an optional date
    such as "Oct. 4", an optional agency in brackets, then ':' or a dash), or None."""
    for i in range(start, min(start + 14, len(doc) - 1)):
        tok = doc[i]
        spaced = bool(tok.whitespace_) and bool(doc[i - 1].whitespace_)
        if i > start and (tok.text == ":" or (tok.text in ("-", "--", "—", "–") and spaced)):
            return i + 1 if not doc[i + 1].is_space else (i + 2 if i + 2 < len(doc) else None)
        date_part = i > start and (tok.like_num or tok.text == ".") and doc[start].is_upper
        if not (tok.is_title or tok.is_upper or tok.text in (",", "(", ")") or tok.is_space or date_part):
            return None
    return None

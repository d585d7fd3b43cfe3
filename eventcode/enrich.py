"""After coding an article: event dates, event places and the headline check.

The "eventcode" component calls ``Enricher(coder)(doc, events, date)`` on every article (see coder.py). It fills
the schema columns ``event_date``, ``date_source`` (dates.py), ``location``, ``location_country``, ``latitude``,
``longitude`` (places.py) and ``headline_mismatch``, and sets ``doc._.headline_mismatch``.

**Dates.** The date phrase of the event's own clause in its sentence, resolved against the article date
(``date_source`` "text"); else the article date ("article"); with neither, both empty.

**Places.** The place the event's sentence names (see places.py for the choice); else the article's dateline;
but a dateline outside the country the article is about (its most-mentioned country, the dateline itself not
counted) is the newsroom, not the scene: then the event gets that country, as a country-level place without
coordinates. Homonyms prefer the article's country.

**Headline check.** Scraped articles sometimes carry the headline of another story (the seed article: a French
MP's death above a report on Kazakhstan). A headline is *mismatched* when it shares nothing with its body:

* no actor: no country (from country names, adjectives, cities, leaders' countries, places), organisation or
  leader named in the headline is named in the body (or its dateline);
* no place: no city of the headline is named in the body;
* no topic: no content word of the headline (the lemma of a noun or proper noun, not a stop word and not a
  news-generic word such as "year" or "report") is prominent in the body, i.e. occurs in its first three
  sentences or at least twice. A word mentioned once in passing deep in the body (the seed's "COVID-19") is not
  the body's topic.

A headline with no content words and no actors is never flagged (nothing to compare). The flag is set on all
the article's rows; events coded from a mismatched headline are dropped unless the Enricher is built with
``keep_mismatched_headlines=True``.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter

from spacy.tokens import Doc, Span, Token

from .dates import event_date, span_dates
from .places import gazetteer

#: Nouns too common in news copy to tie a headline to a body on their own.
GENERIC_WORDS = frozenset({
    "year", "day", "week", "month", "time", "people", "thing", "way", "news", "report", "update", "live", "video",
    "photo", "statement", "official", "source", "world", "today", "number", "part", "lot", "man", "woman",
    "story", "comment", "analysis", "latest", "minute", "hour",
})
#: Body sentences that count as its lead (the part a headline summarises).
LEAD_SENTENCES = 3
#: Actor mention kinds whose words are never place names ("Washington" in a leader's name).
_NOT_PLACE_KINDS = frozenset({"organization", "leader", "role"})


class Enricher:
    """Adds event dates, places and the headline check to one article's events. Build once per pipeline."""

    def __init__(self, coder, keep_mismatched_headlines: bool = False):
        self.coder = coder
        self.resolver = coder.resolver
        self.codebook = coder.codebook
        self.gazetteer = gazetteer(coder.codebook)
        self.keep_mismatched_headlines = keep_mismatched_headlines

    def __call__(self, doc: Doc, events: list[dict], date: dt.date | None) -> list[dict]:
        """Return ``events`` with the date, place and headline columns filled (events from a mismatched
        headline removed unless kept); sets ``doc._.headline_mismatch``."""
        headline_chars = doc._.headline_chars or 0
        sents = numbered_sentences(doc, headline_chars)
        mentions = self.resolver.mentions(doc)
        exclude = {i for m in mentions if m.name.kind in _NOT_PLACE_KINDS for i in m.tokens}
        dateline, body_start = self._dateline(doc, headline_chars)
        body_mentions = [m for m in mentions if doc[m.start].idx >= body_start]  # the dateline is the newsroom
        article_country = self.resolver.dominant_country(body_mentions, date)
        prefer = article_country or (dateline.country if dateline else None)
        fallback = self.fallback_place(dateline, article_country)
        place_cache: dict[int, list] = {}
        date_cache: dict[int, list] = {}

        until = self.resolver.codebook.country_until

        def places_of(sid: int) -> list:
            if sid not in place_cache:
                found = self.gazetteer.mentions(sents[sid], exclude, prefer) if sid in sents else []
                # "independence from the Soviet Union": a state that no longer existed is history, not a place
                place_cache[sid] = [p for p in found if not (
                    p.place.kind == "country" and date is not None and p.place.country in until
                    and date > until[p.place.country])]
            return place_cache[sid]

        mismatch = bool(headline_chars) and self.headline_mismatch(doc, headline_chars, mentions, date, sents,
                                                                    places_of, dateline)
        doc._.headline_mismatch = mismatch
        out = []
        for ev in events:
            trigger_ids = ev.pop("_trigger_tokens", None)
            if mismatch and ev.get("is_headline") and not self.keep_mismatched_headlines:
                continue
            sid = ev.get("sentence_id")
            sent = sents.get(sid)
            triggers = ([doc[i] for i in trigger_ids] if trigger_ids else
                        trigger_tokens(sent, ev.get("trigger")) if sent is not None else [])
            day, how = (date, "article") if date is not None else (None, None)
            place = None
            if sent is not None:
                if sid not in date_cache:
                    date_cache[sid] = span_dates(sent)
                day, how, _ = event_date(sent, triggers, date, date_cache[sid])
                mention = self.gazetteer.event_place(sent, triggers, places_of(sid), prefer)
                place = mention.place if mention is not None else None
            if place is None:
                place = fallback
            ev["event_date"] = day.isoformat() if day is not None else None
            ev["date_source"] = how
            ev["location"] = place.name if place else None
            ev["location_country"] = place.country if place else None
            ev["latitude"] = place.latitude if place else None
            ev["longitude"] = place.longitude if place else None
            ev["headline_mismatch"] = mismatch
            out.append(ev)
        return out

    def _dateline(self, doc: Doc, headline_chars: int):
        """(dateline Place or None, character offset where the body proper starts, after any dateline)."""
        body = doc.text[headline_chars:]
        lead = len(body) - len(body.lstrip())
        place, length = self.gazetteer.dateline_match(body[lead:])
        return place, headline_chars + lead + length

    def fallback_place(self, dateline, article_country: str | None):
        """The place of events whose sentence names none: the dateline, unless it lies outside the country the
        article is about (a story on Kazakhstan datelined New York was written at the UN, not the scene): then
        that country, as a country-level place."""
        if dateline is not None and (article_country is None or dateline.country == article_country):
            return dateline
        if article_country is None:
            return None
        return self.gazetteer.country_place(article_country)

    # ------------------------------------------------------------------ headline check

    def headline_mismatch(self, doc: Doc, headline_chars: int, mentions, date, sents: dict[int, Span],
                          places_of, dateline) -> bool:
        """True when the headline (the first ``headline_chars`` characters) shares no actor, place or topic
        with the body. See the module docstring for the rule and :meth:`headline_links` for what is shared."""
        links = self.headline_links(doc, headline_chars, mentions, date, sents, places_of, dateline)
        return links is not None and not any(links.values())

    def headline_links(self, doc: Doc, headline_chars: int, mentions, date, sents: dict[int, Span],
                       places_of, dateline) -> dict[str, set] | None:
        """What the headline shares with the body: {"countries", "actors", "cities", "words"} -> shared keys.
        None when there is nothing to compare (no headline, no body, or a headline without content)."""
        head_ids = [sid for sid, s in sents.items() if s.start_char < headline_chars]
        body_ids = [sid for sid in sents if sid not in head_ids]
        if not head_ids or not body_ids:
            return None
        head = self._keys(doc, [sents[s] for s in head_ids], mentions, date, [places_of(s) for s in head_ids])
        body = self._keys(doc, [sents[s] for s in body_ids], mentions, date, [places_of(s) for s in body_ids])
        if dateline is not None:
            body["countries"].add(dateline.country)
            if dateline.kind == "city":
                body["cities"].add(dateline.name)
        if not any(head[k] for k in ("countries", "actors", "cities", "words")):
            return None
        lead_words: set[str] = set()
        counts: Counter = Counter()
        for n, sid in enumerate(body_ids):
            words = content_words(sents[sid])
            counts.update(words)
            if n < LEAD_SENTENCES:
                lead_words.update(words)
        prominent = lead_words | {w for w, c in counts.items() if c >= 2}
        links = {k: head[k] & body[k] for k in ("countries", "actors", "cities")}
        links["words"] = head["words"] & prominent
        return links

    def explain_headline(self, doc: Doc) -> dict[str, set] | None:
        """For a coded Doc: what its headline shares with its body (see :meth:`headline_links`)."""
        headline_chars = doc._.headline_chars or 0
        sents = numbered_sentences(doc, headline_chars)
        mentions = self.resolver.mentions(doc)
        exclude = {i for m in mentions if m.name.kind in _NOT_PLACE_KINDS for i in m.tokens}
        dateline, _ = self._dateline(doc, headline_chars)
        return self.headline_links(doc, headline_chars, mentions, _article_date(doc), sents,
                                   lambda sid: self.gazetteer.mentions(sents[sid], exclude), dateline)

    def _keys(self, doc: Doc, spans: list[Span], mentions, date, place_lists) -> dict[str, set]:
        keys = {"countries": set(), "actors": set(), "cities": set(), "words": set()}
        for span in spans:
            for m in mentions:
                if span.start <= m.start < span.end:
                    country = self.resolver.country_of(m, date)
                    if country:
                        keys["countries"].add(country)
                    if m.name.kind in ("organization", "leader"):
                        keys["actors"].add(m.name.code)
            keys["words"] |= content_words(span)
        for places in place_lists:
            for p in places:
                if p.place.country:
                    keys["countries"].add(p.place.country)
                if p.place.kind == "city":
                    keys["cities"].add(p.place.name)
        keys["countries"].discard(None)
        return keys


def _article_date(doc: Doc) -> dt.date | None:
    value = doc._.article_date
    if not value:
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def content_words(span: Span) -> set[str]:
    """Lower-cased lemmas of the nouns and proper nouns of a span, minus stop words and news-generic words."""
    out = set()
    for t in span:
        if t.pos_ not in ("NOUN", "PROPN") or t.is_stop or len(t.text) < 3:
            continue
        if not any(c.isalpha() for c in t.text):
            continue
        lemma = (t.lemma_ or t.text).lower().strip("-–—'’\"")
        if len(lemma) >= 3 and lemma not in GENERIC_WORDS:
            out.add(lemma)
    return out


def numbered_sentences(doc: Doc, headline_chars: int = 0) -> dict[int, Span]:
    """Sentence id -> Span, numbered as the coder numbers them (0 = the headline when there is one, body from 1;
    blank sentences skipped)."""
    out = {}
    sid = 0 if headline_chars else 1
    for sent in doc.sents:
        if not sent.text.strip():
            continue
        out[sid] = sent
        sid += 1
    return out


def trigger_tokens(sent: Span, trigger: str | None) -> list[Token]:
    """The tokens of ``sent`` that spell an event's ``trigger`` (its words joined by spaces, in text order):
    the tightest in-order match, or [] when the words are not found."""
    if not trigger or sent is None:
        return []
    words = trigger.split()
    toks = list(sent)
    best: list[Token] = []
    for p, tok in enumerate(toks):
        if tok.text != words[0]:
            continue
        found = [tok]
        q = p + 1
        for w in words[1:]:
            while q < len(toks) and toks[q].text != w:
                q += 1
            if q == len(toks):
                break
            found.append(toks[q])
            q += 1
        if len(found) == len(words) and (not best or found[-1].i - found[0].i < best[-1].i - best[0].i):
            best = found
    return best

"""Event dates from the text: "on Friday", "on January 2", "since Sunday", "yesterday" -> a calendar day.

News copy dates events relative to the day it was written, so every phrase is resolved against the article date:

* a **weekday** ("on Friday", "Friday night", "since Sunday") is the most recent such day on or before the article
  date (wire convention: "on Friday" in a Friday article is that day); "last Friday" is the one before that day;
  for an event in the future tense ("will meet on Monday") it is the next such day on or after the article date;
* **yesterday**, **today**, **tonight**, **last night**, **N days ago**, **a week ago**, **last week** are counted
  back from the article date ("last week" = seven days before it: a day inside the previous week);
* a **month and day** ("January 2", "Jan. 2", "2 January", "2nd of January") without a year takes the year that
  puts it on or before the article date (after it for future-tense events); with a year ("January 2, 2022",
  "2022-01-02") it is read as written.

A past-tense event is never dated after the article date: such a phrase is ignored. Without an article date only
phrases with a year resolve. Phrases coarser than a day are used only for history: "in December 2011", "in 2019",
"ten years ago", "last year" date a past event to the first day of that month or year (``date_source``
"text_period") when the period lies wholly before the article's month, so background events do not count on the
article's day; "in January" or "this month" are not dates here.

Which phrase belongs to an event is decided on the dependency parse (:func:`pick_date`): a phrase attached to
the event's own predicate (or to its trigger noun) wins; then one attached to a verb in the same clause chain
(conjoined verbs sharing a subject, participial clauses: "Responding to protests on Friday, he authorized...");
phrases inside other finite clauses ("... after prices doubled on Sunday") or above a reporting verb ("officials
said on Friday that ...") are not the event's date. Ties go to the phrase nearest the trigger words.

:func:`resolve_phrase` resolves a free-standing phrase (these rules first, then ``dateparser`` for what they do
not cover); the pipeline uses only the rules above, which are fast and do not change with library versions.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from spacy.tokens import Span, Token

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "several": None, "few": None}
#: Words before a weekday that make it the name of a holiday or an anniversary, not a recent day.
_HOLIDAY_WORDS = frozenset({"good", "black", "bloody", "easter", "palm", "holy", "ash", "super", "cyber",
                            "maundy", "shrove", "orthodox"})
#: Auxiliaries and governing verbs that put an event in the future.
_FUTURE_AUX = frozenset({"will", "shall", "'ll", "wo"})
_FUTURE_HEADS = frozenset({"plan", "schedule", "expect", "set", "due", "intend", "prepare", "aim", "vow",
                           "pledge", "promise", "threaten", "going"})

_MONTH_RX = (r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
             r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DAY_RX = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR_RX = r"(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?"
_WEEKDAY_RX = r"(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)"

#: (kind, compiled regex), tried in this order; a later match may not overlap an earlier one.
_PATTERNS: tuple[tuple[str, re.Pattern], ...] = tuple((kind, re.compile(rx, re.IGNORECASE)) for kind, rx in (
    ("iso", r"\b(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b"),
    ("month_day", r"\b" + _MONTH_RX + r"\s+" + _DAY_RX + r"\b(?![:.]\d)(?!\s*(?:%|percent|per cent))" + _YEAR_RX),
    ("day_month", r"\b" + _DAY_RX + r"\s+(?:of\s+)?" + _MONTH_RX + r"(?![a-z])" + _YEAR_RX),
    ("weekday", r"\b(?:(?P<modifier>last|this|next|past|coming)\s+)?" + _WEEKDAY_RX
                + r"(?:['’]s)?\b(?:\s+(?:morning|afternoon|evening|night))?"),
    ("relative", r"\b(?P<rel>the\s+day\s+before\s+yesterday|yesterday|today|tonight|last\s+night"
                 r"|this\s+(?:morning|afternoon|evening)|earlier\s+today|(?:last|past)\s+week(?!s))\b"),
    ("ago", r"\b(?P<n>\d{1,2}|an?|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
            r"(?P<unit>days?|weeks?)\s+ago\b"),
    # periods coarser than a day: only used when they lie wholly before the article's month (history, not news)
    ("month_year", r"\b" + _MONTH_RX + r",?\s+(?P<year>(?:19|20)\d\d)\b"),
    ("year", r"\b(?:in|since|during|by|until)\s+(?P<year>(?:19|20)\d\d)\b(?!\s*(?:-|percent|%))"),
    ("period_ago", r"\b(?P<n>\d{1,2}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                   r"fifteen|twenty|thirty)\s+(?P<unit>months?|years?|decades?)\s+ago\b"),
    ("last_period", r"\b(?:last|past|previous)\s+(?P<unit>month|year)\b"),
))

#: Kinds naming a month, a year or a span back in time rather than a day.
PERIOD_KINDS = frozenset({"month_year", "year", "period_ago", "last_period"})
_PERIOD_NUMBERS = {**{k: v for k, v in {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                                        "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}.items()},
                   "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30}

_RELATIVE_DAYS = {"the day before yesterday": -2, "yesterday": -1, "today": 0, "tonight": 0, "last night": -1,
                  "this morning": 0, "this afternoon": 0, "this evening": 0, "earlier today": 0,
                  "last week": -7, "past week": -7}


@dataclass(frozen=True)
class DateMention:
    """A date phrase in a text. ``start``/``end`` are character offsets in the text searched (for a Span: in its
    Doc); ``tokens`` is the token range once aligned to a Doc. Resolve with :meth:`resolve`."""

    start: int
    end: int
    text: str
    kind: str  # iso | month_day | day_month | weekday | relative | ago
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None  # 0 = Monday
    modifier: str | None = None  # last | this | next | past | coming (weekdays)
    offset: int | None = None  # days from the article date (relative phrases)
    tokens: tuple[int, int] | None = None

    @property
    def has_year(self) -> bool:
        return self.year is not None

    def resolve(self, article_date: dt.date | None, future: bool = False) -> dt.date | None:
        """The calendar day this phrase names in an article of ``article_date``, or None.

        ``future`` is True for events in the future tense. A past-tense reading is never after the article
        date; phrases that need the article date (weekdays, relative phrases, dates without a year) give None
        without one.
        """
        if self.kind in ("iso", "month_day", "day_month"):
            if self.year is not None:
                day = _safe_date(self.year, self.month, self.day)
            elif article_date is None:
                return None
            else:
                day = _safe_date(article_date.year, self.month, self.day)
                if day is None:  # 29 February in a common year: try the neighbouring year
                    day = _safe_date(article_date.year + (1 if future else -1), self.month, self.day)
                elif not future and day > article_date:
                    day = _safe_date(article_date.year - 1, self.month, self.day)
                elif future and day < article_date:
                    day = _safe_date(article_date.year + 1, self.month, self.day)
        elif article_date is None:
            return None
        elif self.kind == "weekday":
            back = (article_date.weekday() - self.weekday) % 7  # days back to the most recent such day
            ahead = (self.weekday - article_date.weekday()) % 7
            if self.modifier in ("next", "coming"):
                day = article_date + dt.timedelta(days=ahead or 7)
            elif self.modifier in ("last", "past"):
                day = article_date - dt.timedelta(days=back or 7)
            elif future:
                day = article_date + dt.timedelta(days=ahead)
            else:
                day = article_date - dt.timedelta(days=back)
        else:  # relative / ago
            day = article_date + dt.timedelta(days=self.offset)
        if day is not None and article_date is not None and not future and day > article_date:
            return None
        return day

    def resolve_period(self, article_date: dt.date | None) -> dt.date | None:
        """First day of the month or year a coarse phrase names ("in December 2011", "ten years ago", "last
        year"), or None when that period is not wholly before the article's own month (then the phrase says
        nothing the article date does not)."""
        if self.kind == "month_year":
            start = dt.date(self.year, self.month, 1)
        elif self.kind == "year":
            start = dt.date(self.year, 1, 1)
        elif article_date is None:
            return None
        elif self.kind == "period_ago":  # offset counts months back
            months = article_date.year * 12 + article_date.month - 1 - self.offset
            start = dt.date(months // 12, months % 12 + 1, 1)
        else:  # last_period: offset 1 = last month, 12 = last year
            if self.offset == 12:
                start = dt.date(article_date.year - 1, 1, 1)
            else:
                months = article_date.year * 12 + article_date.month - 2
                start = dt.date(months // 12, months % 12 + 1, 1)
        if article_date is None:
            return start
        this_month = article_date.replace(day=1)
        if self.kind == "year" and start.year >= article_date.year:
            return None
        return start if start < this_month else None


def _safe_date(year: int, month: int | None, day: int | None) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except (TypeError, ValueError):
        return None


def find_dates(text: str, offset: int = 0) -> list[DateMention]:
    """Every day-precise date phrase in ``text``, in text order (character offsets shifted by ``offset``)."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for kind, rx in _PATTERNS:
        for m in rx.finditer(text):
            s, e = m.span()
            if any(s < te and ts < e for ts, te in taken):
                continue
            mention = _mention(kind, m, text, offset)
            if mention is not None:
                found.append(mention)
                taken.append((s, e))
    return sorted(found, key=lambda d: d.start)


def _mention(kind: str, m: re.Match, text: str, offset: int) -> DateMention | None:
    g = m.groupdict()
    s, e = m.span()
    if kind in ("iso", "month_day", "day_month"):
        month = int(g["month"]) if kind == "iso" else _MONTHS[g["month"].lower().rstrip(".")]
        day = int(g["day"])
        year = int(g["year"]) if g.get("year") else None
        if not 1 <= day <= 31 or not 1 <= month <= 12:
            return None
        if kind != "iso" and not g["month"][0].isupper():
            return None  # month names are capitalised in news copy; "may 2", "march 3 km" are not dates
        return DateMention(s + offset, e + offset, m.group(0), kind, year=year, month=month, day=day)
    if kind == "weekday":
        before = text[:s].split()
        if before and before[-1].lower().strip("\"'“‘(") in _HOLIDAY_WORDS:
            return None
        if not g["weekday"][0].isupper():
            return None  # weekday names are capitalised in news copy; "friday" in a URL or a handle is not
        modifier = g["modifier"].lower() if g.get("modifier") else None
        return DateMention(s + offset, e + offset, m.group(0), kind,
                           weekday=WEEKDAYS.index(g["weekday"].lower()), modifier=modifier)
    if kind == "relative":
        rel = " ".join(g["rel"].lower().split())
        return DateMention(s + offset, e + offset, m.group(0), kind, offset=_RELATIVE_DAYS[rel])
    if kind == "month_year":
        month = _MONTHS[g["month"].lower().rstrip(".")]
        if not g["month"][0].isupper():
            return None
        return DateMention(s + offset, e + offset, m.group(0), kind, year=int(g["year"]), month=month)
    if kind == "year":
        return DateMention(s + offset, e + offset, m.group(0), kind, year=int(g["year"]))
    if kind == "period_ago":
        count = int(g["n"]) if g["n"].isdigit() else _PERIOD_NUMBERS[g["n"].lower()]
        unit = g["unit"].lower()
        months = count * (1 if unit.startswith("month") else 12 if unit.startswith("year") else 120)
        return DateMention(s + offset, e + offset, m.group(0), kind, offset=months)
    if kind == "last_period":
        return DateMention(s + offset, e + offset, m.group(0), kind,
                           offset=1 if g["unit"].lower() == "month" else 12)
    if kind == "ago":
        n = g["n"].lower()
        count = int(n) if n.isdigit() else _NUMBERS[n]
        if count is None:
            return None
        days = count * (7 if g["unit"].lower().startswith("week") else 1)
        return DateMention(s + offset, e + offset, m.group(0), kind, offset=-days)
    return None


def span_dates(span: Span) -> list[DateMention]:
    """The date phrases of a sentence (or any Span), aligned to its Doc's tokens (``DateMention.tokens``)."""
    out = []
    for d in find_dates(span.text, offset=span.start_char):
        aligned = span.doc.char_span(d.start, d.end, alignment_mode="expand")
        if aligned is None or len(aligned) == 0:
            continue
        out.append(DateMention(**{**d.__dict__, "tokens": (aligned.start, aligned.end)}))
    return out


# --------------------------------------------------------------------------------------------- attachment


def _is_verb(tok: Token) -> bool:
    return tok.pos_ in ("VERB", "AUX") and tok.dep_ not in ("aux", "auxpass")


def governing_verb(tok: Token, stop: set[int] = frozenset()) -> tuple[Token | None, bool]:
    """Climb from ``tok`` to the verb that governs it. Returns (verb or None, passed a token in ``stop``)."""
    node = tok
    for _ in range(40):
        if node.i in stop:
            return node, True
        if _is_verb(node) and node.i != tok.i:
            return node, False
        if node.head.i == node.i:
            return (node if _is_verb(node) else None), False
        node = node.head
    return None, False


def event_anchor(trigger_tokens: list[Token]) -> Token | None:
    """The verb an event hangs on: the trigger's predicate if it is a verb, else the verb governing it."""
    if not trigger_tokens:
        return None
    pred = min(trigger_tokens, key=lambda t: (sum(1 for _ in t.ancestors), t.i))
    if _is_verb(pred):
        return pred
    verb, _ = governing_verb(pred)
    return verb


def _nonfinite(verb: Token) -> bool:
    return verb.tag_ in ("VBG", "VBN", "VB") and not any(c.dep_ in ("nsubj", "nsubjpass", "mark")
                                                         for c in verb.children)


def _has_subject(verb: Token) -> bool:
    return any(c.dep_ in ("nsubj", "nsubjpass", "csubj", "expl") for c in verb.children)


def clause_head(verb: Token) -> Token:
    """The finite verb heading a verb's clause chain: climbs from infinitive/participial complements and
    adverbial clauses ("Responding to X, he authorized forces to shoot": all three -> "authorized") and from
    conjoined verbs that share their subject; stops at finite subordinate clauses, relative clauses and
    reduced relatives on nouns."""
    node = verb
    for _ in range(10):
        head = node.head
        if head.i == node.i or not _is_verb(head):
            return node
        if node.dep_ in ("xcomp", "advcl") and _nonfinite(node):
            node = head
        elif node.dep_ == "conj" and not _has_subject(node):
            node = head
        else:
            return node
    return node


def clause_relation(verb: Token | None, anchor: Token | None) -> int | None:
    """How closely a phrase governed by ``verb`` belongs to the event anchored on ``anchor``.

    0 the same predicate; 1 the same clause chain (:func:`clause_head`: conjoined verbs sharing a subject,
    participial and infinitive clauses); 2 unknown (no verb to compare); None: another clause.
    """
    if verb is None or anchor is None:
        return 2
    if verb.i == anchor.i:
        return 0
    if clause_head(verb).i == clause_head(anchor).i:
        return 1
    return None


def is_future(anchor: Token | None) -> bool:
    """Whether an event's predicate is in the future tense ("will meet", "plans to visit", "is due to vote")."""
    if anchor is None:
        return False
    if any(c.dep_ == "aux" and c.lower_ in _FUTURE_AUX for c in anchor.children):
        return True
    node = anchor
    for _ in range(3):
        if node.dep_ != "xcomp" or node.head.i == node.i:
            break
        node = node.head
        if node.lemma_.lower() in _FUTURE_HEADS or any(
                c.dep_ == "aux" and c.lower_ in _FUTURE_AUX for c in node.children):
            return True
    return False


def pick_date(sent: Span, trigger_tokens: list[Token], mentions: list[DateMention] | None = None
              ) -> tuple[DateMention | None, int | None]:
    """The date phrase of ``sent`` that belongs to the event with these trigger tokens, with its relation
    (see :func:`clause_relation`), or (None, None)."""
    mentions = span_dates(sent) if mentions is None else mentions
    if not mentions:
        return None, None
    doc = sent.doc
    trig = {t.i for t in trigger_tokens}
    anchor = event_anchor(trigger_tokens)
    best, best_key = None, None
    for d in mentions:
        if d.tokens is None:
            continue
        root = doc[d.tokens[0]:d.tokens[1]].root
        verb, via_trigger = governing_verb(root, trig)
        rel = 0 if via_trigger else clause_relation(verb, anchor)
        if rel is None:
            continue
        distance = min((abs(i - t) for i in range(*d.tokens) for t in trig), default=0)
        key = (rel, distance, d.start)
        if best_key is None or key < best_key:
            best, best_key = d, key
    return best, (best_key[0] if best_key else None)


def event_date(sent: Span, trigger_tokens: list[Token], article_date: dt.date | None,
               mentions: list[DateMention] | None = None) -> tuple[dt.date | None, str | None, DateMention | None]:
    """(event date, date source, phrase) for one event: ``"text"`` when a phrase of its clause resolves,
    else the article date with ``"article"``, else (None, None, None)."""
    phrase, _ = pick_date(sent, trigger_tokens, mentions)
    if phrase is not None and phrase.kind in PERIOD_KINDS:
        start = None if is_future(event_anchor(trigger_tokens)) else phrase.resolve_period(article_date)
        if start is not None:  # a past event told as background: dated to its month or year, not to the article
            return start, "text_period", phrase
    elif phrase is not None:
        day = phrase.resolve(article_date, future=is_future(event_anchor(trigger_tokens)))
        if day is not None:
            return day, "text", phrase
    if article_date is not None:
        return article_date, "article", None
    return None, None, None


def resolve_phrase(text: str, article_date: dt.date | str | None, future: bool = False) -> dt.date | None:
    """Resolve a free-standing date phrase ("on Friday", "Jan. 2", "three days ago") against an article date.

    Uses the rules of this module; a phrase they do not recognise is handed to ``dateparser`` (English, dates
    preferred in the past, relative to the article date). Returns None when neither resolves it.
    """
    if isinstance(article_date, str):
        article_date = dt.date.fromisoformat(article_date[:10])
    found = find_dates(text)
    if found:
        return found[0].resolve(article_date, future=future)
    import dateparser

    settings = {"PREFER_DATES_FROM": "future" if future else "past", "RETURN_AS_TIMEZONE_AWARE": False,
                "REQUIRE_PARTS": ["day"]}
    if article_date is not None:
        settings["RELATIVE_BASE"] = dt.datetime.combine(article_date, dt.time())
    parsed = dateparser.parse(text, languages=["en"], settings=settings)
    if parsed is None:
        return None
    day = parsed.date()
    if article_date is not None and not future and day > article_date:
        return None
    return day

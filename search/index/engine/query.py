"""The only way user text reaches Whoosh: a small bounded parser, then query objects we build.

Whoosh's ``QueryParser`` is never given user text: degenerate operator strings raise
``IndexError``, deep nesting ``RecursionError``, a 100,000-character term takes ~45 s and ``*``
scans the whole vocabulary. Here:

- length is capped before anything else, words per query and parenthesis depth are capped;
- syntax: words (implicit AND), ``"phrases"``, ``AND`` / ``OR`` / ``NOT`` (upper case), ``+word``,
  ``-word``, ``( )``, and ``field:value`` for the allow-listed fields only
  (``title tags tag body text category type``); any other ``word:`` is plain text, so pasted
  error messages such as ``Error: 0x80070005`` search as typed;
- wildcard policy: only a trailing ``*`` after at least 3 characters (``print*``), expanded to at
  most 50 terms; ``*`` anywhere else is an error; ``?`` is punctuation;
- every syntax problem raises :class:`QueryError` (the API answers 400 with its position).

Compilation expands synonym groups and replaces unknown words by a spelling correction.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from whoosh import query as wq

from .schema import FIELD_ALIASES, FIELD_BOOSTS, TEXT_FIELDS, analyze
from .spelling import MAX_CORRECTED_WORDS, Speller
from .synonyms import SynonymTable

MAX_QUERY_CHARS = 500
MAX_WORDS = 32
MAX_DEPTH = 8
MAX_PREFIX_TERMS = 50
MIN_PREFIX = 3
SYNONYM_BOOST = 0.8
DOC_TYPES = ("guide", "article")


class QueryError(ValueError):
    """A query we refuse; ``position`` is the 0-based character offset of the problem, if known."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass
class Word:
    text: str
    pos: int
    field: str | None = None


@dataclass
class Phrase:
    text: str
    pos: int
    field: str | None = None


@dataclass
class Prefix:
    text: str
    pos: int
    field: str | None = None


@dataclass
class Filter:
    field: str
    value: str
    pos: int


@dataclass
class Not:
    item: Node
    pos: int


@dataclass
class And:
    items: list[Node]
    explicit: bool = False


@dataclass
class Or:
    items: list[Node]


Node = Word | Phrase | Prefix | Filter | Not | And | Or


@dataclass
class Token:
    kind: str  # word, phrase, field, lparen, rparen, and, or, not, plus, minus
    value: str
    pos: int


_OPERATORS = {"AND": "and", "OR": "or", "NOT": "not"}
_STOP_CHARS = set(' \t\r\n\f\v()"')


def tokenize(text: str, max_chars: int = MAX_QUERY_CHARS) -> list[Token]:
    """Split a query into tokens, enforcing the length and depth caps."""
    if len(text) > max_chars:
        raise QueryError(f"query is {len(text):,} characters long; the limit is {max_chars}")
    tokens: list[Token] = []
    depth = 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == "(":
            depth += 1
            if depth > MAX_DEPTH:
                raise QueryError(f"parentheses are nested more than {MAX_DEPTH} deep", i)
            tokens.append(Token("lparen", ch, i))
            i += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise QueryError('unmatched ")"', i)
            tokens.append(Token("rparen", ch, i))
            i += 1
        elif ch == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise QueryError("unclosed quote", i)
            tokens.append(Token("phrase", text[i + 1 : end], i))
            i = end + 1
        elif ch in "+-" and i + 1 < n and text[i + 1] not in _STOP_CHARS - {"(", '"'} and (not tokens or text[i - 1].isspace() or text[i - 1] == "("):
            tokens.append(Token("plus" if ch == "+" else "minus", ch, i))
            i += 1
        else:
            start = i
            while i < n and text[i] not in _STOP_CHARS:
                i += 1
            word = text[start:i]
            if word in _OPERATORS:
                tokens.append(Token(_OPERATORS[word], word, start))
                continue
            name, colon, value = word.partition(":")
            if colon and name.lower() in FIELD_ALIASES:
                if value:
                    tokens.append(Token("field", FIELD_ALIASES[name.lower()], start))
                    tokens.append(Token("word", value, start + len(name) + 1))
                    continue
                if i < n and text[i] == '"':
                    tokens.append(Token("field", FIELD_ALIASES[name.lower()], start))
                    continue
                raise QueryError(f'"{name}:" needs a value, e.g. {name}:vpn', start)
            tokens.append(Token("word", word, start))
    if depth > 0:
        raise QueryError('unclosed "("', text.rfind("("))
    return tokens


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.words = 0

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            raise QueryError("the query is empty")
        node = self.parse_or()
        extra = self.peek()
        if extra is not None:
            raise QueryError(f'unexpected "{extra.value}"', extra.pos)
        return node

    def _operand_follows(self, op: Token) -> None:
        nxt = self.peek()
        if nxt is None or nxt.kind in ("rparen", "and", "or"):
            raise QueryError(f"{op.value} needs a word on each side", op.pos)

    def parse_or(self) -> Node:
        items = [self.parse_and()]
        while (token := self.peek()) is not None and token.kind == "or":
            self.take()
            self._operand_follows(token)
            items.append(self.parse_and())
        return items[0] if len(items) == 1 else Or(items)

    def parse_and(self) -> Node:
        items: list[Node] = []
        explicit = False
        while (token := self.peek()) is not None and token.kind not in ("rparen", "or"):
            if token.kind == "and":
                if not items:
                    raise QueryError("AND needs a word on each side", token.pos)
                self.take()
                self._operand_follows(token)
                explicit = True
                continue
            items.append(self.parse_unary())
        if not items:
            token = self.peek()
            if token is not None and token.kind == "or":
                raise QueryError("OR needs a word on each side", token.pos)
            if token is not None:
                raise QueryError("empty parentheses", token.pos)
            raise QueryError("the query is empty")
        return items[0] if len(items) == 1 and not explicit else And(items, explicit)

    def parse_unary(self) -> Node:
        token = self.take()
        if token.kind in ("not", "minus"):
            self._operand_follows(token)
            inner = self.parse_unary()
            if isinstance(inner, Not):
                return inner.item
            return Not(inner, token.pos)
        if token.kind == "plus":
            self._operand_follows(token)
            return self.parse_unary()
        if token.kind == "lparen":
            inner = self.parse_or()
            closing = self.peek()
            if closing is None or closing.kind != "rparen":
                raise QueryError('unclosed "("', token.pos)
            self.take()
            return inner
        if token.kind == "field":
            value = self.peek()
            if value is None or value.kind not in ("word", "phrase"):
                raise QueryError(f'"{token.value}:" needs a value', token.pos)
            self.take()
            return self._leaf(value, token.value)
        if token.kind in ("word", "phrase"):
            return self._leaf(token, None)
        raise QueryError(f'unexpected "{token.value}"', token.pos)

    def _leaf(self, token: Token, field_name: str | None) -> Node:
        self.words += 1
        if self.words > MAX_WORDS:
            raise QueryError(f"too many words; the limit is {MAX_WORDS}", token.pos)
        if field_name in ("category", "type"):
            value = token.value.strip().strip("/").lower()
            if field_name == "type" and value not in DOC_TYPES:
                raise QueryError(f'type must be one of {", ".join(DOC_TYPES)}, not "{token.value}"', token.pos)
            if not value:
                raise QueryError(f'"{field_name}:" needs a value', token.pos)
            return Filter(field_name, value, token.pos)
        if token.kind == "phrase":
            return Phrase(token.value, token.pos, field_name)
        text = token.value
        if "*" in text:
            stem = text[:-1]
            if not text.endswith("*") or "*" in stem or len(stem) < MIN_PREFIX or not all(c.isalnum() or c in "._-" for c in stem):
                raise QueryError(f'wildcards are allowed only at the end of a word of at least {MIN_PREFIX} characters, like "print*"', token.pos)
            return Prefix(stem.lower(), token.pos, field_name)
        return Word(text, token.pos, field_name)


def parse_query(text: str, max_chars: int = MAX_QUERY_CHARS) -> Node:
    """Parse user text into our query tree, or raise :class:`QueryError`."""
    return _Parser(tokenize(text, max_chars)).parse()


class TermStats(Protocol):
    def doc_frequency(self, fieldname: str, text: str) -> int: ...

    def expand_prefix(self, fieldname: str, prefix: str) -> Iterator[str]: ...


@dataclass
class Compiled:
    """A Whoosh query plus what the caller needs for snippets, suggestions and relaxing."""

    query: wq.Query
    terms: set[str] = field(default_factory=set)  # positive index terms (for highlighting)
    corrections: list[tuple[int, str, str]] = field(default_factory=list)  # (position, typed, corrected)
    relaxed_query: wq.Query | None = None  # OR of the top-level words, for an all-words query that finds nothing


class _Compiler:
    def __init__(self, reader: TermStats, speller: Speller | None, synonyms: SynonymTable | None) -> None:
        self.reader = reader
        self.speller = speller
        self.synonyms = synonyms
        self.terms: set[str] = set()
        self.corrections: list[tuple[int, str, str]] = []
        self.spelling_probes = 0

    def known(self, term: str, fields: tuple[str, ...]) -> bool:
        return any(self.reader.doc_frequency(f, term) for f in fields)

    def concept(self, terms: tuple[str, ...], fields: tuple[str, ...], boost: float = 1.0) -> wq.Query:
        self.terms.update(terms)
        if len(terms) == 1:
            parts: list[wq.Query] = [wq.Term(f, terms[0], boost=FIELD_BOOSTS[f] * boost) for f in fields]
        else:
            parts = [wq.Phrase(f, list(terms), boost=FIELD_BOOSTS[f] * boost) for f in fields]
        return parts[0] if len(parts) == 1 else wq.Or(parts)

    def word_terms(self, word: Word, positive: bool) -> tuple[str, ...]:
        terms = tuple(analyze(word.text))
        fields = (word.field,) if word.field else TEXT_FIELDS
        if (
            positive
            and self.speller is not None
            and len(terms) == 1
            and word.text.isalpha()
            and not self.known(terms[0], fields)
            and not (self.synonyms and terms in self.synonyms.by_key)
            and self.spelling_probes < MAX_CORRECTED_WORDS
        ):
            self.spelling_probes += 1
            fixed = self.speller.correct(word.text.lower())
            if fixed:
                fixed_terms = tuple(analyze(fixed))
                if fixed_terms:
                    self.corrections.append((word.pos, word.text, fixed))
                    return fixed_terms
        return terms

    def words(self, words: list[Word], positive: bool) -> list[wq.Query]:
        """Queries for consecutive plain words, with multi-word synonyms matched across them."""
        analyzed = [self.word_terms(w, positive) for w in words]
        out: list[wq.Query] = []
        i = 0
        while i < len(words):
            field = words[i].field
            fields = (field,) if field else TEXT_FIELDS
            if not analyzed[i]:
                i += 1
                continue
            match = None
            if self.synonyms is not None and words[i].field is None:
                run = 0
                while i + run < len(words) and words[i + run].field is None and analyzed[i + run]:
                    run += 1
                match = self.synonyms.match(analyzed[i : i + run], 0)
            if match is not None:
                group, count = match
                typed = tuple(t for a in analyzed[i : i + count] for t in a)
                alts = [self.concept(alt, fields, 1.0 if alt == typed else SYNONYM_BOOST) for alt in self.synonyms.alternatives(group)]  # type: ignore[union-attr]
                out.append(wq.Or(alts))
                i += count
            else:
                out.append(self.concept(analyzed[i], fields))
                i += 1
        return out

    def node(self, node: Node, positive: bool = True) -> list[wq.Query]:
        if isinstance(node, Word):
            return self.words([node], positive)
        if isinstance(node, Phrase):
            terms = tuple(analyze(node.text))
            return [self.concept(terms, (node.field,) if node.field else TEXT_FIELDS)] if terms else []
        if isinstance(node, Prefix):
            return [self.prefix(node)]
        if isinstance(node, Filter):
            return [wq.Term("cat_path" if node.field == "category" else "type", node.value)]
        if isinstance(node, Not):
            inner = self.node(node.item, positive=not positive)
            return [wq.Not(inner[0] if len(inner) == 1 else wq.And(inner))] if inner else []
        if isinstance(node, And):
            return [self.group(node.items, wq.And, positive)] if node.items else []
        assert isinstance(node, Or)
        if any(isinstance(item, Not) for item in node.items):
            raise QueryError("NOT cannot be an alternative of OR; group it with the word it excludes from, e.g. (vpn NOT cisco) OR wifi")
        return [self.group(node.items, wq.Or, positive)]

    def group(self, items: list[Node], kind: type[wq.And] | type[wq.Or], positive: bool) -> wq.Query:
        parts: list[wq.Query] = []
        pending: list[Word] = []
        for item in [*items, None]:
            if isinstance(item, Word):
                pending.append(item)
                continue
            if pending:
                parts += self.words(pending, positive) if kind is wq.And else [q for w in pending for q in self.words([w], positive)]
                pending = []
            if item is not None:
                parts += self.node(item, positive)
        if parts and all(isinstance(p, wq.Not) for p in parts) and kind is wq.And:
            raise QueryError("a query needs at least one word that is not excluded")
        if not parts:
            return wq.NullQuery
        return parts[0] if len(parts) == 1 else kind(parts)

    def prefix(self, node: Prefix) -> wq.Query:
        fields = (node.field,) if node.field else TEXT_FIELDS
        found: dict[str, int] = {}
        for f in fields:
            for term in self.reader.expand_prefix(f, node.text):
                text = term.decode("utf-8") if isinstance(term, bytes) else term
                found[text] = found.get(text, 0) + self.reader.doc_frequency(f, text)
                if len(found) > 20 * MAX_PREFIX_TERMS:
                    break
        best = sorted(found, key=lambda t: (-found[t], t))[:MAX_PREFIX_TERMS]
        if not best:
            return wq.NullQuery
        self.terms.update(best)
        return wq.Or([wq.Term(f, t, boost=FIELD_BOOSTS[f]) for t in best for f in fields])


def compile_query(node: Node, reader: TermStats, speller: Speller | None = None, synonyms: SynonymTable | None = None) -> Compiled:
    """Turn a parsed query into Whoosh query objects (synonyms, spelling, prefix expansion)."""
    compiler = _Compiler(reader, speller, synonyms)
    parts = compiler.node(node)
    if not parts or all(p is wq.NullQuery for p in parts):
        if any(isinstance(n, (Word, Phrase)) for n in _leaves(node)) and not any(analyze(n.text) for n in _leaves(node) if isinstance(n, (Word, Phrase))):
            raise QueryError("the query has no searchable words (only very common words or punctuation)")
        query: wq.Query = wq.NullQuery
    else:
        query = parts[0] if len(parts) == 1 else wq.And(parts)
    if isinstance(query, wq.Not):
        raise QueryError("a query needs at least one word that is not excluded")
    relaxed = None
    if isinstance(node, And) and not node.explicit and isinstance(query, wq.And):
        subs = [q for q in query.subqueries if not isinstance(q, wq.Not)]
        if len(subs) >= 2 and len(subs) == len(query.subqueries):
            relaxed = wq.Or(subs)
    return Compiled(query, compiler.terms, compiler.corrections, relaxed)


def _leaves(node: Node) -> list[Node]:
    if isinstance(node, (And, Or)):
        return [leaf for item in node.items for leaf in _leaves(item)]
    if isinstance(node, Not):
        return _leaves(node.item)
    return [node]


def apply_corrections(text: str, corrections: list[tuple[int, str, str]]) -> str:
    """The user's text with corrected words substituted (for "did you mean")."""
    out = text
    for pos, typed, fixed in sorted(corrections, reverse=True):
        if out[pos : pos + len(typed)] == typed:
            out = out[:pos] + fixed + out[pos + len(typed) :]
    return out

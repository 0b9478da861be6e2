"""QBO's query language (PROTOCOL.md §3): a tokenizer and parser producing a small AST.

`SELECT * | count(*) | *, Prop | Prop, … FROM Entity [WHERE p op v [AND …]]
 [ORDERBY|ORDER BY p [ASC|DESC], …] [STARTPOSITION n] [MAXRESULTS n]` — clauses after WHERE in
any order (real clients send `MAXRESULTS 2 STARTPOSITION 3`). No OR, JOIN or GROUP BY.
Errors are QboFault 4001 with QBO's "QueryParserError"/"QueryValidationError" prefixes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from qbo_sandbox.accounting import faults

MAX_PAGE = 1000
# QBO parses STARTPOSITION and MAXRESULTS as 32-bit integers; a larger one is a 4001 (wording
# UNCONFIRMED). The condition cap is the sandbox's own (QBO's is unknown): SQLite refuses an
# expression tree deeper than 1000, and no real client sends hundreds of ANDs.
MAX_POSITION = 2**31 - 1
MAX_CONDITIONS = 200
DEFAULT_PAGE = 100

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:\\.|[^'\\])*')
      | (?P<number>-?\d+(?:\.\d+)?(?![A-Za-z_]))
      | (?P<op><=|>=|!=|<>|<|>|=)
      | (?P<punct>[(),*])
      | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
    )""",
    re.VERBOSE,
)


@dataclass
class Token:
    kind: str
    text: str
    value: object
    column: int


@dataclass
class Condition:
    path: str
    op: str                      # = < > <= >= IN LIKE
    value: object                # str | Decimal | bool | list of those


@dataclass
class Query:
    entity: str
    count: bool = False
    fields: list[str] | None = None      # None: all properties
    conditions: list[Condition] = field(default_factory=list)
    order: list[tuple[str, bool]] = field(default_factory=list)  # (path, descending)
    start: int = 1
    max_results: int = DEFAULT_PAGE


def _unescape(body: str) -> str:
    # A backslash escapes the next character: 'Amy\'s Bird Sanctuary'.
    return re.sub(r"\\(.)", r"\1", body)


def tokenize(text: str) -> list[Token]:
    tokens, pos = [], 0
    text = text.rstrip().rstrip(";")
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match:
            bad = text[pos:].lstrip()[:1]
            raise parser_error(bad, pos + 1)
        kind = match.lastgroup
        raw = match.group(kind)
        column = match.start(kind) + 1
        if kind == "string":
            value = _unescape(raw[1:-1])
        elif kind == "number":
            value = Decimal(raw)
        else:
            value = raw
        tokens.append(Token(kind, raw, value, column))
        pos = match.end()
    return tokens


def parser_error(text: str, column: int) -> faults.QboFault:
    return faults.invalid_query(f'QueryParserError: Encountered " {text!s} " at line 1, column {column}.')


class _Parser:
    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.i = 0

    def peek(self, offset=0) -> Token | None:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def next(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise parser_error("<EOF>", self._end_column())
        self.i += 1
        return tok

    def _end_column(self) -> int:
        if not self.tokens:
            return 1
        last = self.tokens[-1]
        return last.column + len(last.text)

    def fail(self, tok: Token | None = None):
        tok = tok or self.peek()
        if tok is None:
            raise parser_error("<EOF>", self._end_column())
        raise parser_error(tok.text, tok.column)

    def keyword(self, tok: Token | None, *words: str) -> bool:
        return tok is not None and tok.kind == "word" and tok.text.upper() in words

    def expect_keyword(self, word: str) -> Token:
        tok = self.next()
        if not self.keyword(tok, word):
            self.fail(tok)
        return tok

    def expect_punct(self, ch: str) -> Token:
        tok = self.next()
        if tok.kind != "punct" or tok.text != ch:
            self.fail(tok)
        return tok

    def parse(self) -> Query:
        self.expect_keyword("SELECT")
        count, fields = self.select_list()
        self.expect_keyword("FROM")
        entity_tok = self.next()
        if entity_tok.kind != "word":
            self.fail(entity_tok)
        query = Query(entity=entity_tok.text, count=count, fields=fields)
        if self.keyword(self.peek(), "WHERE"):
            self.i += 1
            query.conditions.append(self.condition())
            while self.keyword(self.peek(), "AND"):
                self.i += 1
                query.conditions.append(self.condition())
                if len(query.conditions) > MAX_CONDITIONS:
                    raise faults.invalid_query(
                        f"QueryValidationError: a query can have at most {MAX_CONDITIONS} conditions")
        seen = set()
        while self.peek() is not None:
            tok = self.next()
            word = tok.text.upper() if tok.kind == "word" else None
            if word == "ORDER" and self.keyword(self.peek(), "BY"):
                self.i += 1
                word = "ORDERBY"
            if word in seen or word not in ("ORDERBY", "STARTPOSITION", "MAXRESULTS"):
                self.fail(tok)
            seen.add(word)
            if word == "ORDERBY":
                query.order = self.order_list()
            else:
                number = self.next()
                if number.kind != "number" or number.value != int(number.value):
                    self.fail(number)
                value = int(number.value)
                if value < 1:
                    raise faults.invalid_query(
                        f"QueryValidationError: value {value} is too small. Min allowed value is 1")
                if value > MAX_POSITION:
                    raise faults.invalid_query(
                        f"QueryValidationError: value {value} is too large. Max allowed value is {MAX_POSITION}")
                if word == "STARTPOSITION":
                    query.start = value
                else:
                    query.max_results = min(value, MAX_PAGE)
        return query

    def select_list(self):
        tok = self.next()
        if self.keyword(tok, "COUNT"):
            self.expect_punct("(")
            self.expect_punct("*")
            self.expect_punct(")")
            return True, None
        fields: list[str] = []
        star = False
        while True:
            if tok.kind == "punct" and tok.text == "*":
                star = True
            elif tok.kind == "word" and not self.keyword(tok, "FROM"):
                fields.append(tok.text)
            else:
                self.fail(tok)
            if self.peek() is not None and self.peek().kind == "punct" and self.peek().text == ",":
                self.i += 1
                tok = self.next()
                continue
            break
        return False, (None if star else fields)

    def condition(self) -> Condition:
        prop = self.next()
        if prop.kind != "word":
            self.fail(prop)
        tok = self.next()
        if self.keyword(tok, "IN"):
            self.expect_punct("(")
            values = [self.value()]
            while True:
                sep = self.next()
                if sep.kind == "punct" and sep.text == ",":
                    values.append(self.value())
                elif sep.kind == "punct" and sep.text == ")":
                    break
                else:
                    self.fail(sep)
            return Condition(prop.text, "IN", values)
        if self.keyword(tok, "LIKE"):
            value = self.next()
            if value.kind != "string":
                self.fail(value)
            return Condition(prop.text, "LIKE", value.value)
        if tok.kind != "op" or tok.text in ("!=", "<>"):
            self.fail(tok)
        return Condition(prop.text, tok.text, self.value())

    def value(self):
        tok = self.next()
        if tok.kind in ("string", "number"):
            return tok.value
        if self.keyword(tok, "TRUE"):
            return True
        if self.keyword(tok, "FALSE"):
            return False
        self.fail(tok)

    def order_list(self):
        order = []
        while True:
            prop = self.next()
            if prop.kind != "word":
                self.fail(prop)
            descending = False
            if self.keyword(self.peek(), "ASC", "DESC"):
                descending = self.next().text.upper() == "DESC"
            order.append((prop.text, descending))
            if self.peek() is not None and self.peek().kind == "punct" and self.peek().text == ",":
                self.i += 1
                continue
            return order


def parse(text: str) -> Query:
    if not text or not text.strip():
        raise faults.invalid_query("QueryParserError: Encountered \"<EOF>\" at line 1, column 1.")
    return _Parser(tokenize(text)).parse()

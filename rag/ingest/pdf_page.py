"""Finding the articles on a newspaper page from its positioned text.

A Chinese newspaper page is a set of rectangular modules, one article each:
the headline (the biggest type) across the module's top, possibly with a
kicker above it or a subtitle (deck) below and a credit line (本报记者 …,
or the author's bare name); then the body in columns, paragraphs indented
two characters, section headings in another type. Pull quotes sit in boxes
or between rules; column labels (●观 点) sit above headlines. So: the body
size is the commonest size; every headline anchors an article; every other
block belongs to the nearest headline above it that it lies under; an
article's columns are read left to right, each top to bottom.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .layout import join_lines, split_byline
from .pdf_text import Block, PageText, Rect, blocks_of

HEADLINE = 1.5  # a headline is at least this many times the body size
_MARKS = "■●◆▲□★◇○◎▶►"
_CREDIT_ROLE = re.compile(r"(本报(?:特约)?记者|本报通讯员|本报实习生|特约记者|新华社记者|"
                          r"记者|通讯员|实习生|撰文|作者[：:]|文[／/|｜])")
_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,4}·[\u4e00-\u9fff·]{1,8}")
_SENTENCE_PUNCT = re.compile(r"[。！？；]")
_ANY_PUNCT = re.compile(r"[，。！？；：、,.!?;:]")
_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


@dataclass(frozen=True)
class Aside:
    """Page text that is no article's body: a pull quote, a label, the page header…"""

    kind: str
    text: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class FoundArticle:
    title: str
    deck: str
    credit: str  # the line naming the author(s), as printed
    author: str
    note: str  # the closing （作者单位：…） / （作者为…）
    blocks: tuple[tuple[bool, str], ...]  # body: (is_heading, text), reading order
    lines: tuple[tuple[str, bool], ...]  # every line, reading order: (text, starts a block)
    asides: tuple[Aside, ...]


@dataclass(frozen=True)
class PageLayout:
    articles: tuple[FoundArticle, ...]
    asides: tuple[Aside, ...]  # set aside outside any article (page header, footer…)
    date: str  # ISO date printed in the page header, or ""


# ------------------------------------------------------------- text shapes


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def label_like(text: str) -> bool:
    """A column label: a few characters, no punctuation (●观 点, G 热点思考)."""
    core = _compact(text).lstrip(_MARKS)
    return 0 < len(core) <= 8 and not _ANY_PUNCT.search(text)


def credit_names(text: str) -> str | None:
    """The names a credit line gives ("本报记者 张三 李四" -> "张三、李四"), or
    None when the line is not a credit."""
    line = text.strip().lstrip(_MARKS).strip()
    if not line or _SENTENCE_PUNCT.search(line) or len(_compact(line)) > 30:
        return None
    has_role = bool(_CREDIT_ROLE.search(line))
    tokens = [t for t in re.split(r"[\s、，,]+", _CREDIT_ROLE.sub(" ", line)) if t]
    if not tokens or not all(_NAME.fullmatch(t) for t in tokens):
        return None
    if not has_role and len(tokens) > 3:
        return None
    return "、".join(tokens)


# ------------------------------------------------------------------ the page


class _Page:
    """One page's blocks and what is known about each."""

    def __init__(self, page: PageText):
        self.page = page
        weights = Counter()
        for ln in page.lines:
            weights[(round(ln.size * 4) / 4, ln.font)] += ln.chars
        (self.body_size, self.body_font), _ = weights.most_common(1)[0]
        top, bottom = self._furniture_edges()
        inside = [ln for ln in page.lines if ln.top >= top and ln.bottom <= bottom]
        furniture = [ln for ln in page.lines if ln not in inside]
        self.furniture = [Aside("page_furniture", ln.text, (ln.text,)) for ln in furniture]
        self.date = _iso_date(" ".join(ln.text for ln in furniture))
        lines = inside
        self.blocks = blocks_of(lines)
        self.headline = {b for b in self.blocks if self._headline_candidate(b)}
        boxes = [r for r in list(page.boxes) + self._ruled_regions(lines)
                 if not any(_inside(b.rect, r) for b in self.headline)]  # not article frames
        self.box_of = {}
        for b in self.blocks:
            for r in boxes:
                if _inside(b.rect, r):
                    self.box_of[b] = r
        self.headline -= set(self.box_of)

    def is_body(self, b: Block) -> bool:
        return self._body_line(b.lines[0])

    def _headline_candidate(self, b: Block) -> bool:
        text = b.text.strip()
        return (b.size >= HEADLINE * self.body_size and len(_compact(text)) >= 2
                and not text.endswith("。") and not (text[0] in _MARKS and label_like(text)))

    def _furniture_edges(self) -> tuple[float, float]:
        """Text above a long rule at the page top (masthead, date, page number)
        or below one at its bottom (editor's line) belongs to no article."""
        p = self.page
        long_rules = [r for r in p.rules if r.width >= 0.6 * p.width]
        top = max((r.bottom for r in long_rules if r.bottom <= 0.15 * p.height), default=0.0)
        bottom = min((r.top for r in long_rules if r.top >= 0.85 * p.height), default=p.height)
        return top, bottom

    def _ruled_regions(self, lines) -> list[Rect]:
        """Text set between two rules of the same width with no body text
        between them (a pull quote's usual dress) is boxed in all but name."""
        rules = sorted(self.page.rules, key=lambda r: r.top)
        regions = []
        for i, upper in enumerate(rules):
            for lower in rules[i + 1:]:
                if lower.top - upper.bottom > 20 * self.body_size:
                    break
                if abs(lower.x0 - upper.x0) > 2 or abs(lower.x1 - upper.x1) > 2:
                    continue
                region = Rect(upper.x0, upper.top, upper.x1, lower.bottom)
                inside = [ln for ln in lines if _inside(Rect(ln.x0, ln.top, ln.x1, ln.bottom),
                                                        region)]
                if inside and not any(self._body_line(ln) for ln in inside):
                    regions.append(region)
                break
        return regions

    def _body_line(self, ln) -> bool:
        return abs(ln.size - self.body_size) <= 0.06 * self.body_size and ln.font == self.body_font


def _inside(inner: Rect, outer: Rect, tol: float = 2.0) -> bool:
    return (inner.x0 >= outer.x0 - tol and inner.x1 <= outer.x1 + tol
            and inner.top >= outer.top - tol and inner.bottom <= outer.bottom + tol)


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


def _gap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, -_overlap(a0, a1, b0, b1))


def _iso_date(text: str) -> str:
    m = _DATE.search(text)
    return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else ""


# -------------------------------------------------------------- articles


class _Anchor:
    """A headline (with the blocks printed against it) that anchors an article."""

    def __init__(self, block: Block):
        self.head = [block]  # headline blocks, top to bottom
        self.above: list[Block] = []  # label / kicker above the headline
        self.members: list[Block] = []

    @property
    def top(self) -> float:
        return min(b.top for b in self.head + self.above)

    @property
    def head_top(self) -> float:
        return self.head[0].top

    @property
    def bottom(self) -> float:
        return self.head[-1].bottom

    @property
    def x0(self) -> float:
        return min(b.x0 for b in self.head)

    @property
    def x1(self) -> float:
        return max(b.x1 for b in self.head)


def analyse(page: PageText) -> PageLayout:
    """The articles on one page, in reading order, and what was set aside."""
    if not page.lines:
        return PageLayout((), (), "")
    p = _Page(page)
    anchors = _anchors(p)
    if not anchors:
        return PageLayout((), tuple(p.furniture) + tuple(
            Aside("unplaced", b.text, tuple(ln.text for ln in b.lines)) for b in p.blocks),
            p.date)
    taken = {b for a in anchors for b in a.head + a.above}
    rest = [b for b in p.blocks if b not in taken]
    orphans = _assign(p, anchors, rest)
    articles, asides = [], list(p.furniture)
    for anchor in _reading_order(anchors):
        found = _assemble(p, anchor)
        if found.blocks:
            articles.append(found)
        else:  # a big line with nothing under it: not an article
            asides.append(Aside("headline_without_body", found.title,
                                tuple(t for t, _ in found.lines)))
            asides.extend(found.asides)
    asides += [Aside("unplaced", b.text, tuple(ln.text for ln in b.lines)) for b in orphans]
    return PageLayout(tuple(articles), tuple(asides), p.date)


def _anchors(p: _Page) -> list[_Anchor]:
    anchors: list[_Anchor] = []
    for b in sorted(p.headline, key=lambda b: b.top):
        for a in anchors:  # a smaller headline right under a bigger one is its subtitle
            last = a.head[-1]
            if (_overlap(a.x0, a.x1, b.x0, b.x1) > 0
                    and 0 <= b.top - last.bottom <= 1.0 * min(b.size, last.size)):
                a.head.append(b)
                break
        else:
            anchors.append(_Anchor(b))
    # Labels and kickers printed just above a headline (a label may stand
    # flush left over a centred headline): each goes to the headline below
    # it that is nearest across, the closest first so that stacks build up.
    free = [b for b in p.blocks if b not in p.headline and not p.is_body(b)
            and (b not in p.box_of or label_like(b.text)) and not _in_column(p, b)
            and not any(_just_below(p, a, b) for a in anchors)]
    changed = True
    while changed:
        changed = False
        for b in sorted(free, key=lambda b: -b.bottom):
            # a label may stand flush left over a centred headline; a kicker
            # sits over its headline
            reach = a.x1 - a.x0 if label_like(b.text) else 0.0
            fits = [a for a in anchors if b.bottom <= a.top + 1
                    and a.top - b.bottom <= 2.0 * p.body_size
                    and _overlap(a.x0, a.x1, b.x0, b.x1) >= -reach]
            if fits:
                a = min(fits, key=lambda a: (_gap(a.x0, a.x1, b.x0, b.x1), a.top - b.bottom))
                a.above.insert(0, b)
                free.remove(b)
                changed = True
                break
    return anchors


def _assign(p: _Page, anchors: list[_Anchor], rest: list[Block]) -> list[Block]:
    """Give each block to the nearest headline above that it lies under, else
    to the article of the column it continues; returns the blocks above every
    headline that are not body text."""
    owner: dict[Block, _Anchor] = {}
    spans = {a: _span(p, a, rest) for a in anchors}
    for b in rest:
        above = [a for a in anchors if a.head_top <= b.top + 0.5 * p.body_size]
        under = [a for a in above
                 if _overlap(*spans[a], b.x0, b.x1) > 0.25 * (b.x1 - b.x0)]
        if under:  # the lowest tier; within a tier, the headline nearest across
            low = max(a.top for a in under)
            tier = [a for a in under if a.top >= low - 0.75 * a.head[0].size]
            owner[b] = min(tier, key=lambda a: (_gap(a.x0, a.x1, b.x0, b.x1), -a.head_top))
    # A headline narrower than its module leaves columns under no headline, or
    # under a bigger one in a higher tier: a column whose top is level with the
    # column just left of it continues that column's article, and a block
    # with no headline over it continues the column above it.
    changed = True
    while changed:
        changed = False
        for b in sorted(rest, key=lambda b: (b.x0, b.top)):
            others = [c for c in owner if c is not b]
            for src in (_left_neighbour(p, b, others), _block_above(b, others, anchors)):
                if src is None or owner.get(b) is owner[src]:
                    continue
                if b not in owner:
                    owner[b] = owner[src]
                    changed = True
                    break
    orphans = []
    for b in rest:
        if b in owner:
            continue
        above = [a for a in anchors if a.head_top <= b.top + 0.5 * p.body_size]
        if above:
            owner[b] = min(above, key=lambda a: _distance(a, b))
        elif p.is_body(b):
            owner[b] = min(anchors, key=lambda a: _distance(a, b))
        else:
            orphans.append(b)
    for b, a in owner.items():
        a.members.append(b)
    return orphans


def _span(p: _Page, a: _Anchor, blocks: list[Block]) -> tuple[float, float]:
    """How far across the page an article runs: its headline widened, at the
    headline's height, up to the nearest other text on either side (or the
    page's text edge): a headline need not reach its outer columns. A
    headline flush with a column's left edge starts its module there."""
    x0 = min([a.x0] + [b.x0 for b in a.above])
    x1 = max([a.x1] + [b.x1 for b in a.above])
    band = [b for b in p.blocks if b not in a.head and b not in a.above
            and b.top < a.bottom and b.bottom > a.head_top]
    left = max([b.x1 for b in band if b.x1 <= x0 + 1] + [min(b.x0 for b in p.blocks)])
    right = min([b.x0 for b in band if b.x0 >= x1 - 1] + [max(b.x1 for b in p.blocks)])
    if any(abs(b.x0 - a.x0) <= 0.25 * p.body_size for b in blocks
           if p.is_body(b) and b.top >= a.bottom):
        left = x0
    return left, right


def _left_neighbour(p: _Page, b: Block, blocks: list[Block]) -> Block | None:
    """The column block just left of `b` whose top is level with b's."""
    level = [c for c in blocks if abs(c.top - b.top) <= 0.5 * p.body_size
             and 0 < b.x0 - c.x1 <= 5 * p.body_size]
    return max(level, key=lambda c: c.x1) if level else None


def _block_above(b: Block, blocks: list[Block], anchors: list[_Anchor]) -> Block | None:
    """The nearest block above `b` in its column, unless a headline comes between."""
    col = [c for c in blocks if c.bottom <= b.top + 1
           and _overlap(c.x0, c.x1, b.x0, b.x1) >= 0.5 * min(c.x1 - c.x0, b.x1 - b.x0)]
    if not col:
        return None
    up = max(col, key=lambda c: c.bottom)
    between = [a for a in anchors if up.bottom <= a.head_top and a.bottom <= b.top
               and _overlap(a.x0, a.x1, b.x0, b.x1) > 0]
    return None if between else up


def _distance(a: _Anchor, b: Block) -> float:
    dx = max(0.0, a.x0 - b.x1, b.x0 - a.x1)
    dy = max(0.0, a.top - b.bottom, b.top - a.bottom)
    return dx + dy


def _just_below(p: _Page, a: _Anchor, b: Block) -> bool:
    """Set right under a headline: its deck or credit line, not a label."""
    return (0 <= b.top - a.bottom <= 3 * p.body_size
            and _overlap(a.x0, a.x1, b.x0, b.x1) > -p.body_size)


def _in_column(p: _Page, b: Block) -> bool:
    """Set just below body text of its column (a section heading, not a label)."""
    return any(p.is_body(c) and 0 <= b.top - c.bottom <= 1.5 * p.body_size
               and _overlap(c.x0, c.x1, b.x0, b.x1) > 0 for c in p.blocks)


def _reading_order(anchors: list[_Anchor]) -> list[_Anchor]:
    """Rows of articles whose tops are level (within half a headline), each
    row left to right, rows top to bottom."""
    rows: list[list[_Anchor]] = []
    for a in sorted(anchors, key=lambda a: a.top):
        if rows and a.top - rows[-1][0].top <= 0.75 * rows[-1][0].head[0].size:
            rows[-1].append(a)
        else:
            rows.append([a])
    return [a for row in rows for a in sorted(row, key=lambda a: a.x0)]


def _assemble(p: _Page, a: _Anchor) -> FoundArticle:
    asides: list[Aside] = []
    decks: list[Block] = []
    credit: Block | None = None
    flow: list[Block] = []
    body_top = min((b.top for b in a.members if p.is_body(b) and b.top >= a.bottom - 1),
                   default=float("inf"))

    def aside(kind: str, b: Block) -> None:
        asides.append(Aside(kind, join_lines([ln.text for ln in b.lines]),
                            tuple(ln.text for ln in b.lines)))

    for b in a.above:
        if label_like(b.text):
            aside("column_label", b)
        else:
            decks.append(b)
    decks += a.head[1:]
    for b in sorted(a.members, key=lambda b: (b.top, b.x0)):
        boxed = b in p.box_of
        if boxed:
            aside("column_label" if label_like(b.text) else "pull_quote", b)
        elif not p.is_body(b) and b.bottom <= body_top + 1 and b.top >= a.bottom - 1:
            if credit is None and b.size < 1.2 * p.body_size and credit_names(b.text):
                credit = b
            elif b.text.strip()[0] in _MARKS and label_like(b.text):
                aside("column_label", b)
            else:
                decks.append(b)
        elif p.is_body(b) or _heading_like(p, b):
            flow.append(b)
        elif b.size < 0.85 * p.body_size:
            aside("small_print", b)
        else:
            aside("pull_quote", b)
    title = " ".join(ln.text for ln in a.head[0].lines)  # headline lines break at phrases
    blocks, body_lines = _paragraphs(p, flow)
    credit_text = " ".join(ln.text for ln in credit.lines) if credit else ""
    if blocks and not blocks[0][0] and not credit_text and credit_names(blocks[0][1]) \
            and _CREDIT_ROLE.search(blocks[0][1]):
        credit_text = blocks.pop(0)[1]
    note = ""
    for k in range(1, 4):  # the note may wrap onto lines set as paragraphs of their own
        tail = blocks[-k:]
        if len(tail) < k or any(is_heading for is_heading, _ in tail):
            break
        head, note = split_byline(join_lines([text for _, text in tail]))
        if note:
            blocks[-k:] = [(False, head)] if head else []
            break
    credit_text = credit_text.strip().lstrip(_MARKS).strip()
    deck_blocks = sorted(decks, key=lambda b: b.top)
    lines = [(ln.text, i == 0) for b in a.above for i, ln in enumerate(b.lines)]
    lines += [(ln.text, i == 0) for b in a.head for i, ln in enumerate(b.lines)]
    lines += [(ln.text, i == 0) for b in deck_blocks if b not in a.head
              for i, ln in enumerate(b.lines)]
    lines += [(ln.text, i == 0) for i, ln in enumerate(credit.lines)] if credit else []
    lines += body_lines
    return FoundArticle(
        title=title,
        deck=" ".join(join_lines([ln.text for ln in b.lines]) for b in deck_blocks),
        credit=credit_text, author=credit_names(credit_text) or "" if credit_text else "",
        note=note, blocks=tuple(blocks), lines=tuple(lines), asides=tuple(asides))


def _heading_like(p: _Page, b: Block) -> bool:
    """A section heading: a short line or two in another type, no sentence end."""
    text = b.text.strip()
    return (len(b.lines) <= 3 and len(_compact(text)) <= 40 and b.size >= 0.95 * p.body_size
            and not _SENTENCE_PUNCT.search(text[-1:]))


def _paragraphs(p: _Page, flow: list[Block]) -> tuple[list[tuple[bool, str]],
                                                       list[tuple[str, bool]]]:
    """Body paragraphs and headings in reading order, and the lines with a
    flag for each that starts a paragraph. A paragraph starts with an
    indented line or after a wider gap; a column break alone does not end it."""
    columns: list[list[Block]] = []
    for b in sorted(flow, key=lambda b: b.x0):
        for col in columns:
            c0, c1 = min(x.x0 for x in col), max(x.x1 for x in col)
            if _overlap(c0, c1, b.x0, b.x1) >= 0.5 * min(c1 - c0, b.x1 - b.x0):
                col.append(b)
                break
        else:
            columns.append([b])
    columns.sort(key=lambda col: min(b.x0 for b in col))
    paras: list[tuple[bool, list[str]]] = []
    lines: list[tuple[str, bool]] = []
    for col in columns:
        body = [b for b in col if p.is_body(b)]
        left = min((ln.x0 for b in body for ln in b.lines), default=0.0)
        for b in sorted(col, key=lambda b: b.top):
            if not p.is_body(b):
                paras.append((True, [ln.text for ln in b.lines]))
                lines += [(ln.text, i == 0) for i, ln in enumerate(b.lines)]
                continue
            gaps = [n.top - m.bottom for m, n in zip(b.lines, b.lines[1:], strict=False)]
            usual = sorted(gaps)[len(gaps) // 2] if gaps else 0.0
            for i, ln in enumerate(b.lines):
                starts = (not paras or paras[-1][0] or ln.x0 - left >= 1.2 * ln.size
                          or (i > 0 and gaps[i - 1] > usual + 0.6 * ln.size))
                if starts:
                    paras.append((False, []))
                paras[-1][1].append(ln.text)
                lines.append((ln.text, starts))
    return [(h, join_lines(t)) for h, t in paras], lines

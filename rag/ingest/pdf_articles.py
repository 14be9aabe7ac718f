"""Finding the articles on a newspaper page from its positioned text.

A Chinese newspaper page is a set of rectangular modules, one article each:
the headline (the biggest type) across the module's top, possibly with a
kicker above it or a subtitle (deck) below and a credit line (本报记者 …,
or the author's bare name); then the body in columns, paragraphs indented
two characters, section headings in another type. Pull quotes sit in boxes
or between rules; column labels (●观 点) sit above headlines. So: the body
size is the commonest size (pdf_page.py); every headline anchors an article
and every other block goes to the headline it lies under (pdf_modules.py);
an article's columns are read left to right, each top to bottom, and a
paragraph starts with an indented line, not at a column break (here).
"""

from __future__ import annotations

from dataclasses import dataclass

from .furniture import CAPTION, PageMeta
from .layout import CREDIT_ROLE, MARKS, credit_names, join_lines, split_byline
from .pdf_modules import Anchor, assign, find_anchors, reading_order
from .pdf_page import SENTENCE_PUNCT, Aside, PageModel, compact, label_like, overlap
from .pdf_text import Block, PageText


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
    scores: tuple[float, ...] = ()  # OCR: each block's least sure line (as `blocks`)


@dataclass(frozen=True)
class PageLayout:
    articles: tuple[FoundArticle, ...]
    asides: tuple[Aside, ...]  # set aside outside any article (page header, footer…)
    date: str  # ISO date printed in the page header, or ""
    meta: PageMeta = PageMeta()  # what the running head says
    ocr: bool = False  # the page was read by OCR


def analyse(page: PageText) -> PageLayout:
    """The articles on one page, in reading order, and what was set aside."""
    if not page.lines:
        return PageLayout((), (), "", ocr=page.ocr)
    p = PageModel(page)
    anchors = find_anchors(p)
    if not anchors:
        return PageLayout((), tuple(p.furniture) + tuple(
            Aside("unplaced", b.text, tuple(ln.text for ln in b.lines)) for b in p.blocks),
            p.date, p.meta, page.ocr)
    taken = {b for a in anchors for b in a.head + a.above}
    rest = [b for b in p.blocks if b not in taken]
    orphans = assign(p, anchors, rest)
    articles, asides = [], list(p.furniture)
    for anchor in reading_order(anchors):
        found = _assemble(p, anchor)
        if found.blocks:
            articles.append(found)
        else:  # a big line with nothing under it: not an article
            asides.append(Aside("headline_without_body", found.title,
                                tuple(t for t, _ in found.lines)))
            asides.extend(found.asides)
    asides += [Aside("unplaced", b.text, tuple(ln.text for ln in b.lines)) for b in orphans]
    return PageLayout(tuple(articles), tuple(asides), p.date, p.meta, page.ocr)


def _assemble(p: PageModel, a: Anchor) -> FoundArticle:
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
        elif not p.is_body(b) and CAPTION.search(b.text.strip()):
            aside("caption", b)  # under a photo: 图为… 张三 摄
        elif not p.is_body(b) and b.bottom <= body_top + 1 and b.top >= a.bottom - 1:
            # a credit wrapped in a narrow column breaks between names
            if credit is None and b.size < 1.2 * p.body_size \
                    and credit_names(" ".join(ln.text for ln in b.lines)):
                credit = b
            elif b.text.strip()[0] in MARKS and label_like(b.text):
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
    blocks, body_lines, scores = _paragraphs(p, flow)
    credit_text = " ".join(ln.text for ln in credit.lines) if credit else ""
    if blocks and not blocks[0][0] and not credit_text and credit_names(blocks[0][1]) \
            and CREDIT_ROLE.search(blocks[0][1]):
        credit_text = blocks.pop(0)[1]
        scores.pop(0)
    note = ""
    for k in range(1, 4):  # the note may wrap onto lines set as paragraphs of their own
        tail = blocks[-k:]
        if len(tail) < k or any(is_heading for is_heading, _ in tail):
            break
        head, note = split_byline(join_lines([text for _, text in tail]))
        if note:
            blocks[-k:] = [(False, head)] if head else []
            scores[-k:] = [min(scores[-k:])] if head else []
            break
    credit_text = credit_text.strip().lstrip(MARKS).strip()
    deck_blocks = sorted(decks, key=lambda b: b.top)
    lines = [(ln.text, i == 0) for b in a.above if b in decks for i, ln in enumerate(b.lines)]
    lines += [(ln.text, i == 0) for i, ln in enumerate(a.head[0].lines)]
    lines += [(ln.text, i == 0) for b in deck_blocks if b not in a.above
              for i, ln in enumerate(b.lines)]
    lines += [(ln.text, i == 0) for i, ln in enumerate(credit.lines)] if credit else []
    lines += body_lines
    return FoundArticle(
        title=title,
        deck=" ".join(join_lines([ln.text for ln in b.lines]) for b in deck_blocks),
        credit=credit_text, author=credit_names(credit_text) or "" if credit_text else "",
        note=note, blocks=tuple(blocks), lines=tuple(lines), asides=tuple(asides),
        scores=tuple(scores))


def _heading_like(p: PageModel, b: Block) -> bool:
    """A section heading: a short line or two in another type, no sentence end."""
    text = b.text.strip()
    return (len(b.lines) <= 3 and len(compact(text)) <= 40 and b.size >= 0.95 * p.body_size
            and not SENTENCE_PUNCT.search(text[-1:]))


def _paragraphs(p: PageModel, flow: list[Block]) -> tuple[list[tuple[bool, str]],
                                                       list[tuple[str, bool]], list[float]]:
    """Body paragraphs and headings in reading order, the lines with a flag
    for each that starts a paragraph, and each paragraph's least OCR score.
    A paragraph starts with an indented line or after a wider gap; a column
    break alone does not end it."""
    columns: list[list[Block]] = []
    for b in sorted(flow, key=lambda b: b.x0):
        for col in columns:
            c0, c1 = min(x.x0 for x in col), max(x.x1 for x in col)
            if overlap(c0, c1, b.x0, b.x1) >= 0.5 * min(c1 - c0, b.x1 - b.x0):
                col.append(b)
                break
        else:
            columns.append([b])
    columns.sort(key=lambda col: min(b.x0 for b in col))
    paras: list[tuple[bool, list[str]]] = []
    lines: list[tuple[str, bool]] = []
    scores: list[float] = []
    for col in columns:
        body = [b for b in col if p.is_body(b)]
        left = min((ln.x0 for b in body for ln in b.lines), default=0.0)
        for b in sorted(col, key=lambda b: b.top):
            if not p.is_body(b):
                paras.append((True, [ln.text for ln in b.lines]))
                scores.append(min(ln.score for ln in b.lines))
                lines += [(ln.text, i == 0) for i, ln in enumerate(b.lines)]
                continue
            gaps = [n.top - m.bottom for m, n in zip(b.lines, b.lines[1:], strict=False)]
            usual = sorted(gaps)[len(gaps) // 2] if gaps else 0.0
            for i, ln in enumerate(b.lines):
                starts = (not paras or paras[-1][0] or ln.x0 - left >= 1.2 * ln.size
                          or (i > 0 and gaps[i - 1] > usual + 0.6 * ln.size))
                if starts:
                    paras.append((False, []))
                    scores.append(1.0)
                paras[-1][1].append(ln.text)
                scores[-1] = min(scores[-1], ln.score)
                lines.append((ln.text, starts))
    return [(h, join_lines(t)) for h, t in paras], lines, scores

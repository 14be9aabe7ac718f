"""Which blocks of a page make up which article.

Every headline anchors an article; labels and kickers just above it join it.
Each other block belongs to the nearest headline above it whose reach across
the page covers it: the headline widened, at its own height, up to the
nearest other text on either side, so that a centred headline narrower than
its module still reaches its outer columns. A block under no headline's
reach continues its column. Articles are read in rows, each left to right.
"""

from __future__ import annotations

from .pdf_page import PageModel, gap, label_like, overlap
from .pdf_text import Block


class Anchor:
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


def find_anchors(p: PageModel) -> list[Anchor]:
    anchors: list[Anchor] = []
    for b in sorted(p.headline, key=lambda b: b.top):
        for a in anchors:  # a smaller headline right under a bigger one is its subtitle
            last = a.head[-1]
            if (overlap(a.x0, a.x1, b.x0, b.x1) > 0
                    and 0 <= b.top - last.bottom <= 1.0 * min(b.size, last.size)):
                a.head.append(b)
                break
        else:
            anchors.append(Anchor(b))
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
            reach = float("inf") if label_like(b.text) else 0.0
            fits = [a for a in anchors if b.bottom <= a.top + 1
                    and a.top - b.bottom <= 2.0 * p.body_size
                    and overlap(a.x0, a.x1, b.x0, b.x1) >= -reach]
            if fits:
                a = min(fits, key=lambda a: (gap(a.x0, a.x1, b.x0, b.x1), a.top - b.bottom))
                a.above.insert(0, b)
                free.remove(b)
                changed = True
                break
    return anchors


def assign(p: PageModel, anchors: list[Anchor], rest: list[Block]) -> list[Block]:
    """Give each block to the nearest headline above that it lies under, else
    to the article of the column it continues; returns the blocks above every
    headline that are not body text."""
    owner: dict[Block, Anchor] = {}
    spans = {a: _span(p, a, rest) for a in anchors}
    for b in rest:
        above = [a for a in anchors if a.head_top <= b.top + 0.5 * p.body_size]
        under = [a for a in above
                 if overlap(*spans[a], b.x0, b.x1) > 0.25 * (b.x1 - b.x0)]
        if under:  # the lowest tier; within a tier, the headline nearest across
            low = max(a.top for a in under)
            tier = [a for a in under if a.top >= low - 0.75 * a.head[0].size]
            owner[b] = min(tier, key=lambda a: (gap(a.x0, a.x1, b.x0, b.x1), -a.head_top))
    # A block under no headline's reach continues the column just left of it
    # when their tops are level, else the column above it.
    changed = True
    while changed:
        changed = False
        for b in sorted((b for b in rest if b not in owner), key=lambda b: (b.x0, b.top)):
            src = (_left_neighbour(p, b, list(owner))
                   or _block_above(b, list(owner), anchors))
            if src is not None:
                owner[b] = owner[src]
                changed = True
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


def _span(p: PageModel, a: Anchor, blocks: list[Block]) -> tuple[float, float]:
    """How far across the page an article runs. At most: its headline
    widened, at the headline's height, up to the nearest other text on either
    side (or the page's text edge), as a headline need not reach its outer
    columns. A headline flush with a column's left edge starts its module
    there; a centred one stands over the middle of its module, so the module
    is the widest run of whole columns centred under it."""
    x0 = min([a.x0] + [b.x0 for b in a.above])
    x1 = max([a.x1] + [b.x1 for b in a.above])
    band = [b for b in p.blocks if b not in a.head and b not in a.above
            and b.top < a.bottom and b.bottom > a.head_top]
    left = max([b.x1 for b in band if b.x1 <= x0 + 1] + [min(b.x0 for b in p.blocks)])
    right = min([b.x0 for b in band if b.x0 >= x1 - 1] + [max(b.x1 for b in p.blocks)])
    columns = [b for b in blocks if p.is_body(b) and b.top >= a.bottom]
    tol = 0.5 * p.body_size
    if any(abs(b.x0 - a.x0) <= tol / 2 for b in columns):
        return x0, right
    centre = (a.x0 + a.x1) / 2
    edges = {round(b.x1) for b in columns}
    for start in sorted({b.x0 for b in columns if left - tol <= b.x0 < a.x0}):
        end = 2 * centre - start
        if end <= right + tol and any(abs(end - e) <= tol for e in edges):
            return min(start, x0), max(end, x1)
    return left, right


def _left_neighbour(p: PageModel, b: Block, blocks: list[Block]) -> Block | None:
    """The column block just left of `b` whose top is level with b's."""
    level = [c for c in blocks if abs(c.top - b.top) <= 0.5 * p.body_size
             and 0 < b.x0 - c.x1 <= 5 * p.body_size]
    return max(level, key=lambda c: c.x1) if level else None


def _block_above(b: Block, blocks: list[Block], anchors: list[Anchor]) -> Block | None:
    """The nearest block above `b` in its column, unless a headline comes between."""
    col = [c for c in blocks if c.bottom <= b.top + 1
           and overlap(c.x0, c.x1, b.x0, b.x1) >= 0.5 * min(c.x1 - c.x0, b.x1 - b.x0)]
    if not col:
        return None
    up = max(col, key=lambda c: c.bottom)
    between = [a for a in anchors if up.bottom <= a.head_top and a.bottom <= b.top
               and overlap(a.x0, a.x1, b.x0, b.x1) > 0]
    return None if between else up


def _distance(a: Anchor, b: Block) -> float:
    dx = max(0.0, a.x0 - b.x1, b.x0 - a.x1)
    dy = max(0.0, a.top - b.bottom, b.top - a.bottom)
    return dx + dy


def _just_below(p: PageModel, a: Anchor, b: Block) -> bool:
    """Set right under a headline: its deck or credit line, not a label."""
    return (0 <= b.top - a.bottom <= 3 * p.body_size
            and overlap(a.x0, a.x1, b.x0, b.x1) > -p.body_size)


def _in_column(p: PageModel, b: Block) -> bool:
    """Set just below body text of its column (a section heading, not a label)."""
    return any(p.is_body(c) and 0 <= b.top - c.bottom <= 1.5 * p.body_size
               and overlap(c.x0, c.x1, b.x0, b.x1) > 0 for c in p.blocks)


def reading_order(anchors: list[Anchor]) -> list[Anchor]:
    """Rows of articles whose tops are level (within half a headline), each
    row left to right, rows top to bottom."""
    rows: list[list[Anchor]] = []
    for a in sorted(anchors, key=lambda a: a.top):
        if rows and a.top - rows[-1][0].top <= 0.75 * rows[-1][0].head[0].size:
            rows[-1].append(a)
        else:
            rows.append([a])
    return [a for row in rows for a in sorted(row, key=lambda a: a.x0)]



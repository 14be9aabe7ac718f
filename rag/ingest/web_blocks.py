"""The paragraphs and section headings of a web page's main text, as the
page sets them.

trafilatura (favor_precision) picks the main text and keeps a <br> as <lb/>
inside one <p>; pages from older CMSs (当代商报 and many others) set a whole
article as one block of text with <br><br> between paragraphs, so a run of
line breaks starts a new paragraph here. What trafilatura keeps that is not
the article is taken out with reasons it cannot know: photo captions (a
<figcaption>, the short centred line under an image-only paragraph, a line
ending in X摄), headings it keeps twice (an <h2> and the same words in bold
under it), and the comment widget's notices a portal prints after the text.
"""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"[。！？!?…]$")
_CAPTION_CLASS = re.compile(r"caption|pic|photo|img|image|tuzhu|picture|figure", re.I)
# Notices of comment widgets and sharing bars, printed after the article.
_WIDGET = re.compile(r"跟贴|跟帖|网友评论|发表评论|我要评论|文明上网|理性发言|注册\s*/\s*登录|"
                     r"\d+\s*人参与|分享到|分享让更多人看到|打印本页|【打印】|【关闭】|【纠错】|"
                     r"扫一扫|下载.{0,6}客户端")
# A photo's credit ends its caption: 本报记者 刘洋摄, （新华社记者 王鹏 摄）; a
# caption opens with 图为; (but 他迷上了摄影 is a sentence, not a credit).
_PHOTO_CREDIT = re.compile(r"(?:^|[\s。，（(]|记者)[\u4e00-\u9fff]{2,4}\s*摄[）)]?$|^图为|"
                           r"[（(]图片来源[：:]")
MAX_CAPTION = 80  # characters: a caption is a line, not a paragraph


def text_of(element) -> str:
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def _pieces(element):
    """The text of `element` cut at its line breaks (<lb/>), in order."""
    current = [element.text or ""]
    for child in element:
        if child.tag == "lb":
            yield "".join(current)
            current = []
        else:
            inner = list(_pieces(child))
            current.append(inner[0])
            for more in inner[1:]:
                yield "".join(current)
                current = [more]
        current.append(child.tail or "")
    yield "".join(current)


def _lines(element) -> list[str]:
    return [t for t in (re.sub(r"\s+", " ", p).strip() for p in _pieces(element)) if t]


def body_blocks(body) -> list[tuple[bool, str]]:
    """(is_heading, text) for trafilatura's output elements; a paragraph all
    in bold without a sentence end is a section heading (<p><strong>…)."""
    blocks: list[tuple[bool, str]] = []
    for el in body:
        if el.tag == "list":
            blocks += [(False, text_of(item)) for item in el if text_of(item)]
            continue
        if el.tag == "table":
            for row in el.iter("row"):
                cells = [text_of(c) for c in row if text_of(c)]
                if cells:
                    blocks.append((False, " | ".join(cells)))
            continue
        text = text_of(el)
        if not text:
            continue
        bold = el.tag == "p" and len(el) == 1 and el[0].tag == "hi" and \
            text_of(el[0]) == text and not (el.text or "").strip()
        heading = el.tag == "head" or (bold and len(text) <= 40
                                       and not _SENTENCE_END.search(text))
        if heading:
            blocks.append((True, text))
        else:
            blocks += [(False, line) for line in _lines(el)]
    return blocks


def with_headings(blocks: list[tuple[bool, str]], tree) -> list[tuple[bool, str]]:
    """Put back the <h2>–<h6> headings printed between kept paragraphs (on
    pages without <article> trafilatura drops them)."""
    if tree is None:
        return blocks
    texts = [t for h, t in blocks if not h]
    kept = {t for h, t in blocks if h}
    before: dict[int, list[str]] = {}
    pending: list[str] = []
    i = 0
    for el in tree.iter("p", "div", "h2", "h3", "h4", "h5", "h6"):
        text = text_of(el)
        if i < len(texts) and text == texts[i]:
            if pending and i > 0:
                before[i] = pending
            pending = []
            i += 1
        elif el.tag[0] == "h" and text and 0 < i < len(texts) and text not in kept:
            pending.append(text)
    out, n = [], 0
    for heading, text in blocks:
        if not heading:
            out += [(True, h) for h in before.get(n, ())]
            n += 1
        out.append((heading, text))
    return out


def captions(tree) -> set[str]:
    """Texts of the page's photo captions."""
    found: set[str] = set()
    if tree is None:
        return found
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        text = text_of(el)
        if not text or len(text) > MAX_CAPTION:
            continue
        if el.tag == "figcaption" or _CAPTION_CLASS.search(el.get("class") or ""):
            found.add(text)
            continue
        if el.tag in ("p", "div", "span", "center") and _after_image(el) and (
                _centred(el) or (len(text) <= 40 and not _SENTENCE_END.search(text))):
            found.add(text)
        elif _PHOTO_CREDIT.search(text):
            found.add(text)
    return found


def _centred(el) -> bool:
    """Set centred, as captions are (a short paragraph of text under a
    picture is left-aligned like the rest)."""
    style = (el.get("style") or "").replace(" ", "").lower()
    return ("text-align:center" in style or (el.get("align") or "").lower() == "center"
            or el.tag == "center")


def _after_image(el) -> bool:
    """Whether `el` directly follows a block that holds an image and no text
    (<p><img></p><p>caption</p>), or sits in one with the image before it."""
    prev = el.getprevious()
    if prev is not None:
        return (prev.tag == "img" or next(prev.iter("img"), None) is not None) and \
            not text_of(prev)
    parent = el.getparent()
    return parent is not None and parent.tag in ("figure", "center") and \
        next(parent.iter("img"), None) is not None


def drop_captions(blocks: list[tuple[bool, str]], found: set[str]) -> list[tuple[bool, str]]:
    return [(h, t) for h, t in blocks if t not in found]


def dedupe_headings(blocks: list[tuple[bool, str]], title: str) -> list[tuple[bool, str]]:
    """Each heading once: not the headline again, not repeated right under
    itself (as a heading or as a bold line)."""
    out: list[tuple[bool, str]] = []
    for heading, text in blocks:
        if heading and text == title:
            continue
        if out and out[-1][0] and out[-1][1] == text:
            continue
        out.append((heading, text))
    return out


def is_widget(text: str) -> bool:
    """A comment widget's or sharing bar's line, after the article: two of
    its phrases, or one in a line too short to be a paragraph (a last
    paragraph may well say 网友评论 once)."""
    found = len(_WIDGET.findall(text))
    return len(text) <= 120 and (found >= 2 or (found == 1 and len(text) <= 30))

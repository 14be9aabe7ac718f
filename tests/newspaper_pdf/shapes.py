"""What real pages add around the articles (issue 25): running heads in the
many ways Chinese papers print a date, set off by a rule or not; photos with
captions; jump lines (下转第X版). Each is printed text that belongs to no
article body, or a picture with no text at all."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

from .content import NEWSPAPERS, Story, name

PAGE_NAMES = ("要闻", "理论周刊", "评论", "经济", "文化")
_WEEKDAYS = "一二三四五六日"
_CN = "〇一二三四五六七八九"



def cn_year(year: int) -> str:
    return "".join(_CN[int(d)] for d in str(year))


def cn_small(n: int) -> str:
    """1–31 in Chinese numerals: 五, 十二, 三十."""
    tens, ones = divmod(n, 10)
    return ((_CN[tens] if tens > 1 else "") + ("十" if tens else "")
            + (_CN[ones] if ones or not tens else ""))


def running_head(rng: random.Random, day: dt.date) -> str:
    """A running head "left|centre|right" in one of the forms papers use."""
    paper, page, section = rng.choice(NEWSPAPERS), rng.randint(2, 16), rng.choice(PAGE_NAMES)
    weekday = f"星期{_WEEKDAYS[day.weekday()]}"
    dates = (f"{day.year}年{day.month}月{day.day}日 {weekday}",
             f"{day.year}年{day.month:02d}月{day.day:02d}日",
             f"{cn_year(day.year)}年{cn_small(day.month)}月{cn_small(day.day)}日 {weekday}",
             f"{day.year}-{day.month:02d}-{day.day:02d}")
    date = rng.choice(dates)
    form = rng.randrange(3)
    if form == 0:
        return f"{paper}|{date}|第{page}版 · {section}"
    if form == 1:
        return f"{section}|{date}|第{page:02d}版"
    return f"第{page}版|{paper}|{date}"


def header_source(header: str) -> str:
    """The source a running head names: paper · 第N版 · page name."""
    import re

    parts = [p.strip() for p in header.split("|")]
    paper = next((p for p in parts if p in NEWSPAPERS), "")
    page = next((str(int(m.group(1))) for p in parts if (m := re.search(r"第(\d+)版", p))), "")
    named = [p.split("·")[-1].strip() for p in parts if "·" in p]
    # a page name stands alone or after "·" (经济 in 经济日报 is the paper's name)
    section = next((p for p in parts if p in PAGE_NAMES), "") or next(iter(named), "")
    return " · ".join(x for x in (paper, f"第{page}版" if page else "", section) if x)


def with_shapes(rng: random.Random, story: Story, pool) -> Story:
    """The story, sometimes with a photo and caption and a jump line."""
    extra = dict(story.extra)
    if rng.random() < 0.35:
        extra["photo"] = f"图为{story.title.split(' ')[0]}。{name(rng)} 摄"
    if rng.random() < 0.3:
        extra["jump"] = f"（下转第{rng.randint(2, 16)}版）"
    return replace(story, extra=extra)


def photo_image(width: int, height: int, seed: int):
    """A photo-like picture without text: soft shapes over a gradient."""
    import numpy as np
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    rng = np.random.default_rng(seed)
    w, h = max(8, width * 2), max(8, height * 2)
    y, x = np.mgrid[0:h, 0:w]
    img = 90 + 120 * (x / w) * 0.5 + 60 * (y / h)
    for _ in range(5):
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.1, 0.4) * min(w, h)
        img -= 70 * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r))
    gray = np.clip(img, 0, 255).astype("uint8")
    return ImageReader(Image.fromarray(np.stack([gray, gray * 0.9, gray * 0.8], -1)
                                       .astype("uint8")))

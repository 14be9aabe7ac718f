"""Who wrote a Chinese news page and which paper it comes from, read from
the lines newspapers print rather than the meta tags portals fill in.

Meta tags on Chinese portals name a CMS id (104363), the portal itself (网易),
a copyright line (人民网版权所有) or the editor (责任编辑：…). The writer is
in the text, in one of a few printed conventions:

    本报记者 张三 通讯员 李四          a credit line of its own
    文/图 澎湃新闻记者 周頔            the writer (and photographer) of the piece
    本文来源：21世纪经济报道 作者：何苗   a reprint: the paper and its writers
    新华社北京7月3日电（记者唐霁）……    an agency dateline with the byline in brackets
    中国日报网7月12日电 作者：刘佳宁
    《光明日报》（2025年07月22日 09版）  the print edition a web page reprints

Editors (编辑, 责编, 责任编辑) and photographers (X摄, 摄影：X) are named on
the same pages and are never the author.
"""

from __future__ import annotations

import re

from .layout import credit_names

_HAN = r"\u4e00-\u9fff"
# An agency or paper's dateline opening a lede: 新华社北京7月3日电, 本报讯.
DATELINE = re.compile(rf"^(?P<agency>[{_HAN}A-Za-z]{{2,12}}(?:社|网|报|台))"
                      rf"(?P<place>[{_HAN}]{{0,8}}?)\d{{1,2}}月\d{{1,2}}日(?:电|讯)"
                      r"|^(?P<agency2>本报|本刊)讯")
# （记者唐霁）, （本报记者 张三 通讯员 李四）, (记者 X): the byline inside a lede.
_LEDE_CREDIT = re.compile(r"^\s*[（(]([^（）()]{2,40})[）)]\s*")
_REPRINT = re.compile(r"^(?:本文)?来源\s*[：:]\s*(?P<source>[^\s：:]{2,20})\s*"
                      r"(?:作者\s*[：:]\s*(?P<names>.+))?$")
_WRITER_MARK = re.compile(r"^(?:文\s*/\s*图|文／图|图\s*/\s*文|图文|文|撰文)\s*[/／|｜:：]?\s*")
# The organisation before a reporter's title: 澎湃新闻记者, 中国青年报记者.
# 南方周末记者, 南方周末实习生, 界面新闻记者: a name of three or more characters
# opening the line or a part of it and set right before a role is the
# organisation (a person's name comes after the role).
_ORG_BEFORE_ROLE = re.compile(rf"(?:[{_HAN}A-Za-z]{{2,10}}?(?:新闻|日报|晚报|报|社|网|台)"
                              rf"|(?:^|(?<=[\s|｜]))(?:(?!记者|通讯员)[{_HAN}]){{3,10}}?)"
                              r"(?=(?:特约|首席|实习)?记者|通讯员|实习生)")
_ORGANISATION = re.compile(r"(?:新闻|日报|晚报|报社|网|社|台|频道|中心)$")
_PHOTOGRAPHER = re.compile(rf"(?:摄影|摄)\s*[：:]\s*[{_HAN}、\s]{{2,20}}$"
                           rf"|[{_HAN}]{{2,4}}\s*(?:摄影|摄)$")
_EDITOR = re.compile(r"(?:责任编辑|责编|编辑|审核|校对|审校|值班编辑|监制|主编|编审)")
# 《光明日报》（2025年07月22日 09版）: the print edition a page reprints.
PRINT_NOTE = re.compile(r"^《(?P<paper>[^《》]{2,20})》\s*[（(]\s*\d{4}\s*年\s*\d{1,2}\s*月"
                        r"\s*\d{1,2}\s*日[^）)]{0,20}[）)]$")
# Meta values that name no person: the site, a copyright line, a role, a domain.
_NOT_A_PERSON = re.compile(r"版权|所有|编辑|责编|来源|新闻|网|报$|社$|频道|有限公司|"
                           r"News|Online|Press|\.com|\.cn|www|https?:", re.IGNORECASE)
_LATIN_NAME = re.compile(r"[A-Z][a-zA-Z.'-]+(?: [A-Z][a-zA-Z.'-]+){1,3}")
HEADER_AUTHOR = re.compile(r"作者\s*[：:]\s*(.+?)(?=\s{2,}|　|\||｜|来源|发布|时间|\d{4}|$)")
HEADER_SOURCE = re.compile(r"来源\s*[：:]\s*([^\s　|｜/]{2,20})")


def writers(line: str) -> str | None:
    """The writers a credit line names, without photographers or the
    organisation before a reporter's title ("文/图 澎湃新闻记者 周頔" ->
    "周頔"); None when the line is not a credit."""
    text = line.strip()
    if not text or _EDITOR.match(text.lstrip("（(【[")):
        return None
    marked = bool(_WRITER_MARK.match(text))
    text = _WRITER_MARK.sub("", text)
    text = re.sub(r"^作者\s*[：:]\s*", "", text)
    parts = re.split(r"\s*[/／|｜]\s*", text)
    # 本报记者 陈静 文 / 刘洋 摄: the writer's part ends in 文, the photographer's in 摄.
    kept = [re.sub(r"\s+(?:文|撰文)$", "", p) for p in parts if p and not _PHOTOGRAPHER.search(p)]
    if not kept:
        return None
    text = _ORG_BEFORE_ROLE.sub("", " ".join(kept))
    names = credit_names(text)
    if names is None and marked:
        names = credit_names(f"记者 {text}")  # 文/张三: the mark is the role
    if names and any(_ORGANISATION.search(n) for n in names.split("、")):
        return None  # 澎湃新闻 on a line of its own is the site, not a writer
    return names


def reprint(line: str) -> tuple[str, str] | None:
    """(source, writers) of a reprint line, 本文来源：X 作者：Y; None otherwise."""
    match = _REPRINT.match(line.strip())
    if not match:
        return None
    names = writers(match.group("names")) if match.group("names") else ""
    if names is None:
        return None
    return match.group("source"), names


def split_lede(text: str) -> tuple[str, str, str] | None:
    """A lede's dateline and bracketed byline: (agency, writers, text without
    the byline) for 新华社北京7月3日电（记者唐霁）记者从…, or for a block that is
    only a dateline and a credit (中国日报网7月12日电 作者：刘佳宁) the text "";
    None when the block opens with neither."""
    match = DATELINE.match(text)
    if not match:
        return None
    agency = match.group("agency") or match.group("agency2") or ""
    rest = text[match.end():]
    bracket = _LEDE_CREDIT.match(rest)
    if bracket:
        names = writers(bracket.group(1)) or writers(f"记者 {bracket.group(1)}")
        if names:
            body = rest[bracket.end():]
            return agency, names, f"{text[:match.end()]} {body}" if body else ""
    names = writers(rest.strip()) if rest.strip() else None
    if names:
        return agency, names, ""
    return (agency, "", text) if agency else None


def is_masthead(line: str) -> bool:
    """A line that only names the site or paper (澎湃新闻, 人民网), as portals
    print above the text."""
    text = line.strip()
    return len(text) <= 16 and not re.search(r"[，。！？：:\s]", text) and \
        bool(_ORGANISATION.search(text))


def agency_source(agency: str) -> str:
    """The paper a dateline names; 本报 (this paper) names none."""
    return "" if agency in ("本报", "本刊") else agency


def is_editorial(line: str) -> bool:
    """An editor's, reviewer's or photographer's line: （编辑：王丽）, 【责任编辑：赵静】,
    [责编：张悦], 摄影：王强."""
    text = line.strip().strip("（()）【】[]［］").strip()
    return len(text) <= 60 and bool(_EDITORIAL.match(text))


_ROLES = r"(?:责任编辑|责编|编辑|审核|校对|审校|值班编辑|监制|主编|编审|摄影|纠错)"
# 编辑：王丽, or 责任编辑 钱昊平 without the colon when only names follow.
_EDITORIAL = re.compile(rf"{_ROLES}\s*[：:]"
                        rf"|{_ROLES}\s+[{_HAN}]{{2,4}}(?:[\s、，,][{_HAN}]{{2,4}})*$")


def person(value: str, *, site_names=()) -> str:
    """A meta tag's author when it names people: Chinese names (as a credit
    line gives them) or a Latin name; "" for ids, site names, copyright
    lines, editors and domains."""
    value = (value or "").strip()
    if not value or any(value == s or value in s for s in site_names if s):
        return ""
    if re.search(r"\d", value) or _NOT_A_PERSON.search(value) or len(value) > 40:
        return ""
    names = writers(value)
    if names:
        return names
    return value if _LATIN_NAME.fullmatch(value) else ""

"""Place names a question may restrict itself to: countries, world regions,
and China's provinces and prefecture-level cities.

"法国的灵活就业人员怎样享受生育保险待遇？" shares every other word with the
page's maternity-insurance passages, so coverage and cosine both say answer.
But a corpus that never names France cannot say what France does: the
retriever abstains when a question names a place its corpus never mentions.

The names come from maintained data, not a hand list: CLDR's Chinese
territory names through Babel (法国, 韩国, 东南亚 ...) and the national
administrative-division codes shipped with cpca (浙江省/浙江, 石家庄市/石家庄,
大理白族自治州/大理). Counties are left out: their short names are too often
ordinary words (河北区 would make 河北 a county).
"""

from __future__ import annotations

import csv
import importlib.util
import re
from functools import lru_cache
from pathlib import Path

# The forms a division's short name drops: 浙江省 -> 浙江, 广西壮族自治区 -> 广西,
# 大理白族自治州 -> 大理.
_DIVISION_SUFFIX = re.compile(r"(?:特别行政区|自治区|自治州|地区|省|市|盟)$")
# Not places a question can be "outside" of: the corpus is Chinese news.
_EVERYWHERE = {"中国", "世界"}


def short_name(division: str, ethnic_groups: re.Pattern) -> str:
    """浙江省 -> 浙江; 新疆维吾尔自治区 -> 新疆; 内蒙古自治区 -> 内蒙古."""
    name = _DIVISION_SUFFIX.sub("", division)
    bare = ethnic_groups.sub("", name)
    return bare if len(bare) >= 2 else name


def _cpca_resource(name: str) -> Path:
    """A data file of cpca's, found without importing cpca (whose import
    loads pandas)."""
    spec = importlib.util.find_spec("cpca")
    if spec is None or spec.origin is None:
        raise ImportError("the package cpca is missing: pip install cpca")
    return Path(spec.origin).parent / "resources" / name


def _divisions() -> list[frozenset[str]]:
    """Province- and prefecture-level divisions, each as its full and short name."""
    nations = _cpca_resource("56_nations.csv").read_text(encoding="utf-8").split()
    stems = sorted({n.removesuffix("族") for n in nations}, key=len, reverse=True)
    ethnic_groups = re.compile("(?:" + "|".join(stems) + ")(?:族)?$")
    with _cpca_resource("adcodes.csv").open(encoding="utf-8") as f:
        # An adcode is PPCCDD...: DD == 00 marks a province or a prefecture.
        names = [row["name"] for row in csv.DictReader(f) if row["adcode"][4:6] == "00"]
    places = []
    for name in names:
        if "直辖" in name or "行政区划" in name:  # bookkeeping rows, not places
            continue
        short = name
        while (shorter := short_name(short, ethnic_groups)) != short:
            short = shorter
        places.append(frozenset({name, short}))
    return places


def _territories() -> list[str]:
    from babel import Locale

    return list(Locale.parse("zh").territories.values())


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, frozenset[str]]:
    """Every place form -> all forms of the places it names."""
    places = _divisions() + [frozenset({n}) for n in _territories()]
    table: dict[str, set[str]] = {}
    for forms in places:
        for form in forms:
            if len(form) >= 2 and form not in _EVERYWHERE:
                table.setdefault(form, set()).update(f for f in forms if len(f) >= 2)
    return {form: frozenset(forms) for form, forms in table.items()}


def unknown_places(words: list[str], vocab) -> list[str]:
    """The places a question's jieba words name that a BM25 vocabulary (jieba
    words and ~bigrams, as rag.text.tokenize makes them) never mentions, in
    the question's form. Whole words only: 确保山区 holds the city name 保山,
    but not as a word. A form counts as mentioned when it is a word of the
    corpus or all its character pairs are: the looser test errs towards
    answering."""

    def mentioned(form: str) -> bool:
        return form in vocab or all(f"~{form[i:i + 2]}" in vocab for i in range(len(form) - 1))

    return [w for w in dict.fromkeys(words)
            if (forms := gazetteer().get(w)) and not any(map(mentioned, forms))]

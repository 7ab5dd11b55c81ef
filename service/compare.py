"""Comparisons: two or more districts, years or both in one question, answered side by side.

"吴中区2023年和2025年的高标准农田目标有什么变化" is two questions, one per
side, each answered under its own district and year with its own figure and
citation; a side the index has nothing for is named as missing, never dropped.
"""

from __future__ import annotations

import re

# A comparison says so ("对比", "变化", "分别", "哪个更高"), or joins its sides and asks for a figure.
_JOINED = re.compile(r"和|与|跟|及|、")
_FIGURE = re.compile(r"多少|几|目标|增长|增速|比重|规模|总额|达到|预期")
_TOGETHER = re.compile(r"联手|协同|合作|共同|一起|联合|携手|对接")
_COMPARE = re.compile(r"对比|比较|相比|变化|怎么变|变了|从.{1,12}到|分别|各是|各为|各自|哪个|哪一个|谁更|更高|更低|更多|更少|差别|区别|不同")
_YEAR = re.compile(r"(20\d{2})\s*年?(?!\s*(?:政府)?(?:工作)?(?:报告|方案))")
_FILLER = re.compile(
    r"[,，]?(有什么变化|有何变化|变化|分别是多少|分别是|分别|各是多少|各是|各为|各自|对比一下|对比|比较一下|比较|相比|哪个更高|哪个更低|"
    r"哪个更多|哪个更少|哪个高|哪个低|哪一个|哪个|谁更高|谁更多|有什么不同|有何不同|差别|区别)"
)


def read_sides(q: str, districts_in) -> list[tuple[str | None, int | None]] | None:
    """The (district, year) of each side, in the order the question names them; None when it compares nothing."""
    if not (_COMPARE.search(q) or (_JOINED.search(q) and _FIGURE.search(q) and not _TOGETHER.search(q))):
        return None
    if _TOGETHER.search(q) and not _COMPARE.search(q):
        return None
    years = [(m.start(), int(m.group(1))) for m in _YEAR.finditer(q)]
    years = [y for i, y in enumerate(years) if all(y[1] != other[1] for other in years[:i])]
    districts = []
    for d in districts_in(q):
        at = min((q.find(form) for form in (d, d[:-1]) if form in q), default=-1)
        districts.append((at, d))
    districts.sort()
    if len(districts) < 2 and len(years) < 2:
        return None
    varying = [at for at, _ in districts] if len(districts) >= 2 else [at for at, _ in years]
    between = q[varying[0] : varying[1] + 1]
    if not _COMPARE.search(q) and not re.search(r"各", q) and not _JOINED.search(between):
        return None  # "和" elsewhere ("目标和任务") does not make the two places sides of a comparison
    if len(districts) >= 2 and len(years) >= 2 and len(districts) == len(years):
        return [(d, y) for (_, d), (_, y) in zip(districts, years, strict=True)]
    if len(districts) >= 2:
        year = years[0][1] if years else None
        return [(d, year) for _, d in districts]
    district = districts[0][1] if districts else None
    return [(district, y) for _, y in years]


def side_question(q: str, district: str | None, year: int | None, districts_in) -> str:
    """The question for one side: the other sides' districts and years and the comparing words taken out."""
    topic = _YEAR.sub("", q)
    for d in districts_in(q):
        topic = topic.replace(d, "").replace(d[:-1], "")
    topic = _FILLER.sub("", topic)
    topic = re.sub(r"^[和与跟及、，,的\s]+|[和与跟及、，,\s]+(?=[的])", "", topic)
    topic = re.sub(r"(?<=[^\u4e00-\u9fff])[和与跟及、]|[和与跟及、](?=[的，,？?])", "", topic)
    topic = re.sub(r"[？?。！!]+$", "", topic).strip("的，, ")
    topic = re.sub(r"^各(?=[\u4e00-\u9fff])", "", topic)
    asks = re.search(r"多少|几|什么|哪|谁", topic)
    return f"{district or ''}{f'{year}年' if year else ''}{topic}{'？' if asks else '是多少？'}"

"""What a report is: its district, its year and a title a person would cite.

Read from the text itself (the issuing government's name, the dates on the
title lines), never from the file name, so a renamed file keeps its identity.
"""

from __future__ import annotations

import re
from collections import Counter

from .data import places
from .textnorm import join_cjk

_GOV = re.compile(r"([\u4e00-\u9fff]{2,6}[区县市])人民政府")
_CITY_GOV = re.compile(r"([\u4e00-\u9fff]{2,6}市)人民政府")
_DISTRICT_WORD = re.compile(r"([\u4e00-\u9fff]{2}[区县])(?!领导|委|长)")
# Words ending in 区 that are not districts.
NOT_DISTRICTS = {
    "开发区", "示范区", "先导区", "度假区", "高新区", "经开区", "新城区", "中心区", "集聚区", "功能区",
    "试验区", "保税区", "风景区", "景区区", "社区", "片区", "园区", "城区", "新区", "湖区", "街区",
    "小区", "山区", "水区", "市区", "辖区", "全区", "本区", "我区", "各区", "该区", "城乡区", "核心区",
    "联动区", "创新区", "样板区", "承载区", "引领区", "协作区", "合作区", "服务区", "商务区", "生活区",
}
_YEAR = re.compile(r"(20\d{2})\s*年")
_TITLE_TAIL = re.compile(r"(方案|清单|计划|要点|安排|报告|任务书|责任书|分工|[分工解览]表|台账)$")
_PAREN_TAIL = re.compile(r"[（(][^（()）]*[)）]$")
_PAREN_HEAD = re.compile(r"^[（(][^（()）]*[)）]")


_NOT_A_NAME = re.compile(r"[我代表向在的和与及对由是将为]")
_TITLE_PLACE = re.compile(r"^(?:[\u4e00-\u9fff]{2,4}?[省市])?([\u4e00-\u9fff]{2,4}?[区县市])(?=20\d\d|人民政府|政府)")


def detect_district(lines: list[str], title: str | None = None) -> str:
    """The issuing district or county-level city: 'XX区/县/市人民政府' wins (the lowest level
    named, so 苏州市昆山市 gives 昆山市), then the place the title starts with, then a known
    place name, then the most named XX区."""
    text = join_cjk("\n".join(lines))
    found = Counter(_after_parent(m) for m in _GOV.findall(text))
    found = Counter({k: v for k, v in found.items() if k not in NOT_DISTRICTS and len(k) >= 3 and not _NOT_A_NAME.search(k)})
    local = Counter({k: v for k, v in found.items() if k[-1] in "区县"})
    if local:
        return local.most_common(1)[0][0]
    m = _TITLE_PLACE.match(join_cjk(title or "").replace(" ", ""))
    if m and m.group(1) not in NOT_DISTRICTS and not _NOT_A_NAME.search(m.group(1)):
        return m.group(1)
    cities = [k for k in found if k[-1] == "市"]
    lower = [c for c in cities if not any(c != o and text.count(o + c) for o in cities)]  # 苏州市昆山市 → 昆山市
    if lower:
        return max(lower, key=lambda c: found[c])
    named = Counter({p: text.count(p) for p in places() if p in text})
    if named:
        return named.most_common(1)[0][0]
    words = Counter(m for m in _DISTRICT_WORD.findall(text) if m not in NOT_DISTRICTS and m[1] != "各" and not _NOT_A_NAME.search(m))
    return words.most_common(1)[0][0] if words else ""


def _after_parent(name: str) -> str:
    """'苏州市吴中区' → '吴中区'; '江苏省苏州市' → '苏州市'."""
    m = re.search(r"^.*[省市](?=.{2,})", name[:-1])
    return name[m.end():] if m else name


def detect_year(lines: list[str], title_line: str | None) -> int | None:
    """The year the document is for: the title's year, else the first year in its opening lines."""
    if title_line:
        m = _YEAR.search(join_cjk(title_line))
        if m:
            return int(m.group(1))
    for line in lines[:30]:
        m = _YEAR.search(join_cjk(line))
        if m:
            return int(m.group(1))
    found = Counter(int(y) for y in _YEAR.findall("\n".join(lines)))
    return found.most_common(1)[0][0] if found else None


def find_title_line(lines: list[str], before: int | None = None) -> int | None:
    """Index of the line that names the document (…方案, …报告), the last one before the body.

    Covering notices ("…的通知") name the act of sending, not the document, so
    they are passed over.
    """
    end = len(lines) if before is None else before
    best = None
    for i, raw in enumerate(lines[:end]):
        line = _PAREN_TAIL.sub("", join_cjk(raw.strip()).replace(" ", ""))
        if not line or len(line) > 60 or line.endswith(("通知", "。", "：", ":")):
            continue
        if line.startswith(("附件", "根据", "各")):
            continue
        if _TITLE_TAIL.search(line):
            best = i
            if before is None:
                return i
    return best


_NOTICE = re.compile(r"关于(?:印发|下达|转发|分解|明确)?[《“]?(.+?)[》”]?(?:的|分工的|责任分工的)?通知(?:$|[_|｜\-—－]+)")
_META_TITLE = re.compile(r"^【?(?:标题|名称)】?\s*[：:]\s*(.+)$")


def notice_title(lines: list[str], limit: int = 60) -> str | None:
    """The document's own name from its covering notice, "…关于印发《X》的通知" → X, or from the
    page's 标题 field; None when the opening lines carry neither."""
    candidates = []
    for raw in lines[:limit]:
        for cell in raw.split("\t") if "\t" in raw else [raw]:
            line = join_cjk(cell.strip()).replace(" ", "")
            m = _META_TITLE.match(line)
            if m:
                line = m.group(1)
            if len(line) > 120:
                continue
            m = _NOTICE.search(line)
            if m and len(m.group(1)) >= 4:
                candidates.append(m.group(1))
    return candidates[0] if candidates else None


def hinted_title(hint: str | None) -> str | None:
    """A title the file carries beside its text (a PDF's or Word file's Title property, a web
    page's <title>), without the site name after it; used only when the text names none."""
    if not hint:
        return None
    name = re.split(r"[_|｜]|\s[-—－]\s", join_cjk(hint).strip())[0].strip()
    m = _NOTICE.search(name.replace(" ", ""))
    if m:
        return m.group(1)
    return name if len(name) >= 6 and _TITLE_TAIL.search(name.replace(" ", "")) else None


def title_for(title_line: str | None, district: str, year: int | None, fallback: str) -> str:
    """'吴中区2023年主要工作任务分解方案' from '苏州市吴中区人民政府2023年主要工作任务分解方案'."""
    if not title_line:
        name = f"文件（{fallback}）"
    else:
        name = join_cjk(title_line).replace(" ", "")
        name = _PAREN_TAIL.sub("", _PAREN_HEAD.sub("", name))
        m = _YEAR.search(name)
        if m:  # everything after the year is the document's own name
            name = name[m.end():]
        name = re.sub(r"^.*?(人民政府|区政府|县政府|市政府)(办公室|办公厅)?(关于(印发|下达|转发)?)?", "", name) or name
        name = re.sub(r"^([\u4e00-\u9fff]{2,3}?[省市区县])+", "", name) or name
        name = re.sub(r"^人民", "", name)
        if name.startswith("工作报告"):
            name = "政府" + name
    prefix = f"{district}{year}年" if year else district
    return f"{prefix}{name}" if not name.startswith(prefix) else name

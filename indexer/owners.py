"""Who owns a task, and by when: one vocabulary for table columns and responsibility lines.

Documents name the same roles in many ways — 牵头单位 / 主要责任部门 / 主办单位 for the
lead, 配合单位 / 协办单位 / 参与单位 for the others, 牵头领导 / 责任领导 / 分管区领导 for
the leader, 完成时限 / 时间节点 for the deadline — as a column header or as a
"牵头单位：…；责任单位：…" line. Which unit leads is said in one of four ways: a ★ on
it, a lead column or field of its own, its place (列第一位的为牵头单位), or a rule that
a task without a lead is led by all its responsible units (无牵头单位的，责任单位即为牵头单位).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .textnorm import clean_line, is_placeholder, join_cjk, split_list

LEADERS, AREAS, DEADLINE, LEAD, PARTNERS, DEPARTMENTS = "leaders", "areas", "deadline", "lead", "partners", "departments"

# (role, words), checked in this order: the first role whose words a header or key holds wins.
_ROLE_WORDS: list[tuple[str, str]] = [
    (LEADERS, r"领导|负责人"),
    (AREAS, r"板块|属地|责任镇|镇街"),
    (DEADLINE, r"时限|完成时间|时间节点|完成期限|进度安排|时间要求|完成时段|截止时间"),
    (LEAD, r"牵头|主办|主责|主要责任(单位|部门)"),
    (PARTNERS, r"配合|协办|参与|协同|协助|协作"),
    (DEPARTMENTS, r"单位|部门"),
]
_ROLE_RES = [(role, re.compile(words)) for role, words in _ROLE_WORDS]

# A responsibility field in running text: "牵头单位：", "责任领导:", "完成时限：".
_KEY = (
    r"(?:(?:区|县|市)?(?:牵头|责任|分管|联系|包挂|主管)(?:区|县|市)?领导|牵头(?:责任)?(?:单位|部门)|主办(?:单位|部门)|"
    r"主责(?:单位|部门)|主要责任(?:单位|部门)|(?:配合|协办|参与|协同|协助|协作)(?:单位|部门)|"
    r"责任(?:单位|部门|板块)|实施(?:单位|部门)|承办(?:单位|部门)|落实(?:单位|部门)|"
    r"完成时限|完成时间|时间节点|完成期限|时限要求)"
)
FIELD_KEY = re.compile(rf"({_KEY})\s*[：:]\s*")
FIELD_LINE = re.compile(rf"^\s*[（(【\[]?\s*{_KEY}\s*[：:]")
_INLINE = re.compile(rf"[（(]\s*({_KEY}\s*[：:][^（()）]*(?:[（(][^（()）]*[)）][^（()）]*)*)[)）]\s*[。；;]?\s*$")

LEAD_FIRST = "first"  # the first-listed unit leads
LEAD_ALL = "all"  # without a lead unit, every responsible unit leads
_RULE_FIRST = re.compile(r"(列|排|位|名)[在于]?(第一|首)(位|个)?的?[^，。；;]{0,10}(为|是|即为|作为)[^，。；;]{0,4}牵头|第一(个|家|位)?(责任)?单位(为|是)牵头")
_RULE_ALL = re.compile(
    r"((无|没有|未明确|未列明?|未注明)牵头单位|(仅|只)(列明?|列出|明确|注明)了?责任单位)[^。；;]{0,20}?(责任单位|承办单位)[^。；;]{0,8}牵头"
)


def column_role(word: str) -> str | None:
    """The responsibility role a table header names, or None."""
    for role, pattern in _ROLE_RES:
        if pattern.search(word):
            return role
    return None


def lead_rule(text: str) -> str | None:
    """How the document says which unit leads, when it marks none with ★ or a lead column."""
    flat = join_cjk(text).replace(" ", "")
    if _RULE_FIRST.search(flat):
        return LEAD_FIRST
    if _RULE_ALL.search(flat):
        return LEAD_ALL
    return None


@dataclass
class Fields:
    """The raw responsibility values of one task, by role."""

    values: dict[str, str] = field(default_factory=dict)

    def add(self, role: str, value: str) -> None:
        value = clean_line(value).strip("；;，,。 ")
        if value and not is_placeholder(value):
            self.values[role] = f"{self.values[role]}、{value}" if role in self.values else value

    def merged(self, defaults: Fields) -> Fields:
        """These values, and a group's where the task states none of that role."""
        return Fields({**defaults.values, **self.values})

    def __bool__(self) -> bool:
        return bool(self.values)


def parse_fields(text: str) -> Fields:
    """'牵头单位：区发改局；责任单位：区财政局、各街道；完成时限：6月底前' → fields by role."""
    found = Fields()
    marks = list(FIELD_KEY.finditer(text))
    for n, m in enumerate(marks):
        end = marks[n + 1].start() if n + 1 < len(marks) else len(text)
        role = column_role(m.group(1)) or DEPARTMENTS
        found.add(role, _strip_unbalanced(text[m.end() : end]))
    return found


def _strip_unbalanced(value: str) -> str:
    """'区发改局、各镇（街道））' → '区发改局、各镇（街道）': the brackets of a wrapping line go, a name's own stay."""
    value = value.strip(" 【】[]")
    while value and value[-1] in "）)" and value.count("（") + value.count("(") < value.count("）") + value.count(")"):
        value = value[:-1].rstrip()
    while value and value[0] in "（(" and value.count("（") + value.count("(") > value.count("）") + value.count(")"):
        value = value[1:].lstrip()
    return value


def inline_fields(text: str) -> tuple[str, Fields]:
    """A task sentence that ends with its owners in brackets: (the sentence, the fields)."""
    m = _INLINE.search(text)
    if not m:
        return text, Fields()
    return text[: m.start()].rstrip(), parse_fields(m.group(1))


_UNIT = r"[^，,。；;（()）]{1,40}?(?:局|委|办|院|中心|政府|镇|街道|公司|集团|部|会|所|队|站|处|室|馆|园|区|单位)(?:[（(][^（()）]{1,8}[)）])?"
_PHRASE = re.compile(
    rf"^(?:由)?(?P<lead>{_UNIT}(?:、{_UNIT})*)(?:共同)?牵头(?:负责)?"
    rf"(?:[，,；;]\s*(?P<partners>{_UNIT}(?:、{_UNIT})*)(?:等)?(?:单位|部门)?(?:配合|协助|参与|协同|按职责分工负责))?"
    r"(?:[，,；;]\s*(?P<deadline>[^，,。；;]{2,20}?)完成)?[。；;]?$"
)
_PHRASE_INLINE = re.compile(r"[（(]([^（()）]{2,160}?牵头[^（()）]*)[)）]\s*[。；;]?\s*$")


def phrase_fields(text: str) -> Fields:
    """Owners said as a phrase: "区发改局牵头，区财政局、各街道配合，2024年10月底前完成"."""
    m = _PHRASE.match(clean_line(text))
    found = Fields()
    if m:
        found.add(LEAD, m.group("lead"))
        if m.group("partners"):
            found.add(PARTNERS, m.group("partners"))
        if m.group("deadline"):
            found.add(DEADLINE, m.group("deadline"))
    return found


def inline_phrase(text: str) -> tuple[str, Fields]:
    """A task sentence ending with its owners as a bracketed phrase: "……。（区发改局牵头，区财政局配合）"."""
    m = _PHRASE_INLINE.search(text)
    if m:
        found = phrase_fields(m.group(1))
        if found:
            return text[: m.start()].rstrip(), found
    return text, Fields()


def heading_owners(heading: str) -> tuple[str, Fields]:
    """'（三）优化营商环境（分管领导：李明）' → ('（三）优化营商环境', leader 李明 for the group)."""
    return inline_fields(heading)


@dataclass
class Owners:
    departments: list[str]
    lead_departments: list[str]
    leaders_cell: str
    areas: list[str]
    deadline: str | None


def resolve(fields: Fields, rule: str | None, stars: bool) -> Owners:
    """Departments in printed order (lead first) and the lead among them.

    `stars`: the document marks its leads with ★, so a task without one has no known lead.
    """
    lead_items = _names(fields.values.get(LEAD, ""))
    dept_items = _names(fields.values.get(DEPARTMENTS, ""))
    partner_items = _names(fields.values.get(PARTNERS, ""))
    departments: list[str] = []
    for name, _ in lead_items + dept_items + partner_items:
        if name not in departments:
            departments.append(name)
    starred = [name for name, star in lead_items + dept_items + partner_items if star]
    if stars or starred:
        leads = starred
    elif lead_items:
        leads = [name for name, _ in lead_items]
    elif partner_items and dept_items:
        leads = [name for name, _ in dept_items]  # the main column beside a 配合 column
    elif rule == LEAD_FIRST and dept_items:
        leads = [dept_items[0][0]]
    elif rule == LEAD_ALL:
        leads = [name for name, _ in dept_items]
    else:
        leads = []
    leads = list(dict.fromkeys(leads))
    deadline = clean_line(join_cjk(fields.values.get(DEADLINE, ""))).replace(" ", "") or None
    return Owners(departments, leads, fields.values.get(LEADERS, ""), [n for n, _ in _names(fields.values.get(AREAS, ""))], deadline)


def _names(cell: str) -> list[tuple[str, bool]]:
    out = []
    for item in split_list(cell):
        marked = re.search(r"[（(]牵头[)）]$", item)
        name = re.sub(r"[（(]牵头[)）]$", "", item).replace("★", "").replace("☆", "").strip()
        if "牵头单位" in name or "牵头部门" in name or len(name) > 40:
            continue  # the document's rule said inside the field ("列第一位的为牵头单位"), not a unit
        if name and not is_placeholder(name):
            out.append((name, "★" in item or bool(marked)))
    return out

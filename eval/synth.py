"""Synthetic reports for scale benchmarks, made from the sample corpus's own clauses.

Five sample reports say nothing about how indexing, search and memory behave
with thousands of documents. This module writes as many as asked: task tables
(年度主要工作任务分解方案) and work reports (政府工作报告) for the districts of
indexer/data/places.txt and the years 2019-2026, in the same layouts as the
samples so that the real parser reads them. Their text is real text
recombined: clauses, lead sentences, headings, glossary entries, department
and leader names harvested from data/reports, with every number changed and
the sample's own district and years replaced by the new document's.

Everything is a function of the seed: one random.Random per document, seeded
from (seed, document number), so the same seed gives byte-identical files and
a corpus can be grown without changing the documents it already has.
`synth_passages` skips files and parsing for runs of a million passages.
"""

from __future__ import annotations

import argparse
import functools
import random
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from indexer.boilerplate import _ADDRESS, _FOOTER
from indexer.data import places
from indexer.headings import numbered_level, short_label
from indexer.parse import parse_file
from indexer.passage import KIND_TASK_TABLE, KIND_WORK_REPORT, ROLE_GLOSSARY, ROLE_PARAGRAPH, ROLE_TARGET, ROLE_TASK, Passage

REPORTS = Path(__file__).resolve().parents[1] / "data" / "reports"
YEARS = (2019, 2026)
TASKS_PER_TABLE = (40, 120)
PARAGRAPHS_PER_REPORT = (30, 80)
PASSAGES_PER_DOC = (80, 120)  # synth_passages: about 100 per document
MAX_BROKEN = 0.1  # documents with more lone characters than this are damaged copies (000_… has 0.25)
HEADER = "序号\t名称\t工作任务\t主要责任部门\t主要责任板块\t分管区领导"
NUMERALS = "一二三四五六七八九"

# Slots in harvested text: the district ({D} 吴中区, {d} 吴中) and years relative to the report's own ({Y}, {Y-1}, {Y+2}).
_SLOT = re.compile(r"\{(D|d|Y([+-]\d+)?)\}")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)(?=\s*(?:年|[—–\-～~至]\s*(?:19|20)\d{2}))")
_TASK_MARK = re.compile(r"[（(]\s*\d{1,3}\s*[)）]")
_SENTENCE = re.compile(r"[^。！？]+[。！？][”’」』）)]*")
_LEAD_STOPS = re.compile(r"[。：:！!？?；;]")
# What vary() leaves alone, then the numbers it changes.
_NUMBERS = re.compile(
    r"(?P<keep>“[^“”\n]{0,30}”"  # names in quotes: “3+3+3”, “纾困解难 45 条”
    r"|[A-Za-z][A-Za-z0-9.+\-]*"  # Latin words with digits: PM2.5, B+R, G60
    r"|\d+[A-Za-z]\w*"  # 5G, 3D
    r"|\d+(?:\s*[+＋]\s*[\dA-Za-z]+)+"  # 1+2+3, 2+2+N
    r"|第\s*\d+"  # ordinals
    r"|\d{1,2}(?=\s*(?:月|日|号|时))"  # dates, line numbers
    r"|\d+(?=\s*(?:热线|专线))"  # 12345 热线
    r"|(?<!\d)(?:19|20)\d{2}(?!\d)(?=\s*(?:年|[—–\-～~至]\s*(?:19|20)\d{2})))"  # years
    r"|(?P<lo>\d+(?:\.\d+)?)(?P<mid>\s*[—–\-～~至]\s*)(?P<hi>\d+(?:\.\d+)?)"  # ranges move together
    r"|(?P<num>\d+(?:\.\d+)?)(?P<pct>\s*[%％])?"
)
_GENERIC_TARGET = re.compile(r"增长|超过?|达到?|突破|保持|稳定|力争|实现|完成|控制|不低于|高于|低于|占|\d")


@dataclass(frozen=True)
class Pools:
    """What the sample corpus offers for recombination.

    Texts are templates: the sample's district is the slot {D} (or {d} without
    区/县), and years near the sample's own are {Y}, {Y-1}, … so that a clause
    moved into another district's 2019 report speaks of that district and year.
    """

    tasks: tuple[str, ...]
    paragraphs: tuple[str, ...]
    sentences: tuple[str, ...]  # sentences of paragraphs and tasks, for recombining
    leads: tuple[str, ...]  # short opening sentences of paragraphs, without the stop
    targets: tuple[tuple[str, str], ...]  # (name, target)
    glossary: tuple[tuple[str, str], ...]  # (term, definition)
    departments: tuple[str, ...]
    leaders: tuple[str, ...]
    areas: tuple[str, ...]
    groups: tuple[str, ...]  # task-table group names (名称 column)
    headings: tuple[str, ...]  # 一、/（一） headings without their numbers


@dataclass
class _Context:
    """One synthetic document's identity, and its text filler."""

    district: str
    year: int
    kind: str
    rng: random.Random
    short: str = ""
    leaders: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.short = _short_name(self.district)

    @property
    def level(self) -> str:
        return self.district[-1]  # 区, 县 or 市: 区长, 区政协, 区五届人大

    def fill(self, template: str) -> str:
        return _SLOT.sub(self._slot, template)

    def text(self, template: str) -> str:
        return vary(self.fill(template), self.rng)

    def _slot(self, m: re.Match) -> str:
        key = m.group(1)
        if key == "D":
            return self.district
        if key == "d":
            return self.short
        return str(self.year + int(m.group(2) or 0))


@dataclass
class _Task:
    no: int
    text: str
    departments: tuple[str, ...]
    leads: tuple[str, ...]
    areas: tuple[str, ...]
    leaders: tuple[str, ...]


@dataclass
class _Group:
    seq: int
    name: str
    tasks: list[_Task]


@dataclass
class _Paragraph:
    lead: str
    sentences: list[str]

    @property
    def text(self) -> str:
        return f"{self.lead}。" + "".join(self.sentences)


# --- harvesting ---------------------------------------------------------------------------------------------------


def harvest(reports: Path = REPORTS) -> Pools:
    """Pools of the sample corpus; parsed once per folder (parsing is the slow part)."""
    return _harvest(Path(reports).resolve())


@functools.lru_cache(maxsize=8)
def _harvest(reports: Path) -> Pools:
    parsed = [parse_file(p) for p in sorted(reports.iterdir()) if p.is_file()]
    parsed = [d for d in parsed if d.broken_rate <= MAX_BROKEN and d.passages]
    shorts = sorted({_short_name(d.document.district) for d in parsed if d.document.district}, key=lambda s: (-len(s), s))
    own = re.compile(f"({'|'.join(map(re.escape, shorts))})([区县市])?") if shorts else None

    def template(text: str, year: int | None) -> str:
        if year:
            text = _YEAR.sub(lambda m: _year_slot(int(m.group(1)), year), text)
        if own:
            text = own.sub(lambda m: "{D}" if m.group(2) else "{d}", text)
        return text

    tasks, paragraphs, sentences, leads, targets, glossary = [], [], [], [], [], []
    departments, leaders, areas, groups, headings = [], [], [], [], []
    for doc in parsed:
        year = doc.document.year
        runs: list[tuple[tuple[str, ...], list[str]]] = []  # paragraphs split into passages, joined back
        for p in doc.passages:
            for heading in p.section:
                if numbered_level(heading) in (1, 2):
                    headings.append(template(_strip_number(heading), year))
            if p.role in (ROLE_TASK, ROLE_TARGET):
                departments += [template(d, year) for d in p.departments]
                leaders += p.leaders
                areas += [template(a, year) for a in p.areas]
            if p.role == ROLE_TASK:
                if not _TASK_MARK.search(p.text):
                    tasks.append(template(p.text, year))
                    sentences += [template(s, year) for s in _sentences(p.text)]
                if p.section and numbered_level(p.section[-1]) is None:
                    groups.append(template(p.section[-1], year))
            elif p.role == ROLE_TARGET:
                name = p.section[-1] if p.section and "目标" not in p.section[-1] else _GENERIC_TARGET.split(p.text)[0]
                if 2 <= len(name) <= 12:
                    targets.append((template(name, year), template(p.text, year)))
            elif p.role == ROLE_GLOSSARY and "：" in p.text and not _FOOTER.search(p.text):
                term, definition = p.text.split("：", 1)
                glossary.append((template(term, year), template(definition, year)))
            elif p.role == ROLE_PARAGRAPH and doc.document.kind == KIND_WORK_REPORT:
                if runs and runs[-1][0] == p.section:
                    runs[-1][1].append(p.text)
                else:
                    runs.append((p.section, [p.text]))
        for section, texts in runs:
            text = "".join(texts)
            lead = section[-1] if section else ""
            if lead and text.startswith(lead) and numbered_level(lead) is None and _good_lead(lead):
                leads.append(template(lead, year))
                text = text[len(lead) :].lstrip("。：:！")
            body = [s for s in _sentences(text) if _good_sentence(s)]
            if body:
                paragraphs.append(template("".join(body), year))
                sentences += [template(s, year) for s in body]
    leads += [g for g in groups if _good_lead(g)]
    headings = [h for h in headings if 6 <= len(h) <= 40 and not re.search(r"目标|任务分解|工作总结|主要任务|名词", h)]
    return Pools(
        tasks=_unique(tasks),
        paragraphs=_unique(paragraphs),
        sentences=_unique(s for s in sentences if _good_sentence(s)),
        leads=_unique(leads),
        targets=_unique(targets),
        glossary=_unique(glossary),
        departments=_unique(d for d in departments if _good_department(d)),
        leaders=_unique(n for n in leaders if 2 <= len(n) <= 3),
        areas=_unique(a for a in areas if 2 <= len(a) <= 8),
        groups=_unique(groups),
        headings=_unique(headings),
    )


def _year_slot(found: int, year: int) -> str:
    delta = found - year
    if abs(delta) > 3:
        return str(found)  # a fixed milestone (2035年远景目标), not a year relative to the report
    return "{Y}" if delta == 0 else f"{{Y{delta:+d}}}"


def _strip_number(heading: str) -> str:
    return re.sub(r"^([一二三四五六七八九十百]+\s*[、．.]|[（(]\s*[一二三四五六七八九十百]+\s*[)）])\s*", "", heading).strip()


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def _good_sentence(s: str) -> bool:
    """A clause that reads as content wherever it lands: the boilerplate filter takes "领导留言板" near a page's end for a footer."""
    return (
        12 <= len(s) <= 160
        and not _TASK_MARK.search(s)
        and not re.search(r"各位代表|我代表|请予审议|\t", s)
        and not _FOOTER.search(s)
        and not _ADDRESS.search(s)
    )


def _good_lead(lead: str) -> bool:
    return 4 <= len(lead) <= 22 and not _LEAD_STOPS.search(lead) and not lead.startswith(("各位代表", "今年")) and not _FOOTER.search(lead)


def _good_department(name: str) -> bool:
    return 2 <= len(name) <= 14 and " " not in name and not name.startswith("各") and name not in {"单位", "部门"} and not re.search(r"等|成员单位|小组", name)


def _unique(items) -> tuple:
    return tuple(dict.fromkeys(items))


def _short_name(district: str) -> str:
    """吴中区 → 吴中, 浦东新区 → 浦东, 如东县 → 如东."""
    short = district[:-1] if len(district) > 2 and district[-1] in "区县市" else district
    return short[:-1] if short.endswith("新") and len(short) > 2 else short


@functools.lru_cache(maxsize=1)
def districts() -> tuple[str, ...]:
    """The county-level places of indexer/data/places.txt that a report can come from."""
    return tuple(w for w in places() if w.endswith(("区", "县", "市")))


# --- numbers ------------------------------------------------------------------------------------------------------


def vary(text: str, rng: random.Random) -> str:
    """Every figure of a clause changed by up to ±40 %, in its own format, so that no synthetic report repeats the samples' numbers.

    Years, dates, ordinals, numbered names (“3+3+3”, “纾困解难 45 条”, PM2.5)
    are not figures and stay; a range moves as a whole; a share stays ≤ 100 %.
    """

    def change(m: re.Match) -> str:
        if m.group("keep") is not None:
            return m.group(0)
        if m.group("lo") is not None:
            factor = rng.uniform(0.6, 1.4)
            lo, hi = _scaled(m.group("lo"), factor), _scaled(m.group("hi"), factor)
            return f"{lo}{m.group('mid')}{hi}"
        number = _scaled(m.group("num"), rng.uniform(0.6, 1.4), share=m.group("pct") is not None)
        return number + (m.group("pct") or "")

    return _NUMBERS.sub(change, text)


def _scaled(token: str, factor: float, share: bool = False) -> str:
    value = float(token)
    if value == 0:
        return token
    new = value * factor
    if share and value <= 100:
        new = min(new, 100.0)
    if "." in token:
        decimals = len(token.split(".", 1)[1])
        step = 10.0**-decimals
        out = f"{new:.{decimals}f}"
        if out == token or float(out) <= 0:  # the same again: one step the way the factor points
            out = f"{max(step, value + (step if factor >= 1 else -step)):.{decimals}f}"
        return out
    digits = token.rstrip("0")
    keep = max(2, len(digits))  # as many significant digits as the original shows, at least two
    whole = round(new)
    magnitude = len(str(whole)) - keep
    if magnitude > 0:
        whole = round(whole, -magnitude)
    whole = max(1, whole)
    if share and value <= 100:
        whole = min(whole, 100)
    if whole == int(token):  # the same again: one step the way the factor points, if that way is open
        step = 10 ** max(0, magnitude)
        up, down = whole + step, whole - step
        up_open, down_open = not (share and value <= 100 and up > 100), down >= 1
        whole = up if up_open and (factor >= 1 or not down_open) else down
    return str(whole)


# --- documents ----------------------------------------------------------------------------------------------------


def generate_documents(n_docs: int, seed: int = 0, pools: Pools | None = None) -> list[tuple[str, str]]:
    """(file name, text) of n_docs reports; the same seed gives the same bytes."""
    pools = pools or harvest()
    out = []
    for i in range(n_docs):
        ctx = _context(seed, i, pools)
        if ctx.kind == KIND_TASK_TABLE:
            text = _render_table(ctx, _targets(ctx, pools), _task_sections(ctx, pools, ctx.rng.randint(*TASKS_PER_TABLE)))
        else:
            text = _render_report(ctx, pools, ctx.rng.randint(*PARAGRAPHS_PER_REPORT))
        out.append((f"synth_{seed}_{i:05d}.txt", text))
    return out


def write_corpus(folder: Path, n_docs: int, seed: int = 0) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in generate_documents(n_docs, seed):
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _doc_seed(seed: int, i: int) -> int:
    """Documents of different seeds never share a random stream (seed + i would: seed 1's first is seed 0's second)."""
    return seed * 1_000_003 + i


def _kind(i: int) -> str:
    return KIND_TASK_TABLE if i % 5 in (0, 2, 4) else KIND_WORK_REPORT  # T R T R T: 60 % task tables


def _context(seed: int, i: int, pools: Pools) -> _Context:
    rng = random.Random(_doc_seed(seed, i))
    ctx = _Context(district=rng.choice(districts()), year=rng.randint(*YEARS), kind=_kind(i), rng=rng)
    ctx.leaders = _leaders(rng, pools.leaders, rng.randint(5, 7))
    return ctx


def _leaders(rng: random.Random, pool: tuple[str, ...], n: int) -> list[str]:
    """A district's own leaders: real names, or a real surname with another real given name."""
    names: list[str] = []
    for _ in range(20 * n):  # a tiny pool may not have n different names in it
        if len(names) == n:
            break
        name = rng.choice(pool)
        if rng.random() < 0.6:
            name = rng.choice(pool)[0] + rng.choice(pool)[1:]
        if name not in names:
            names.append(name)
    return names


def _pick(rng: random.Random, pool: tuple, n: int) -> list:
    """n items, without repeats while the pool lasts."""
    if not pool:
        return []
    picked = rng.sample(pool, min(n, len(pool)))
    while len(picked) < n:
        picked += rng.sample(pool, min(n - len(picked), len(pool)))
    return picked


def _owners(ctx: _Context, pools: Pools) -> tuple[tuple[str, ...], tuple[str, ...]]:
    rng = ctx.rng
    if rng.random() < 0.04:
        return ("各部门", "单位"), ()  # the samples' "各部门、单位": owners without a lead
    departments = tuple(ctx.fill(d) for d in _pick(rng, pools.departments, rng.randint(1, 5)))
    leads = departments[: 1 if len(departments) == 1 or rng.random() < 0.75 else 2]
    return departments, leads


def _targets(ctx: _Context, pools: Pools) -> list[tuple[str, str, tuple[str, ...], str]]:
    rng = ctx.rng
    rows = []
    for name, text in _pick(rng, pools.targets, rng.randint(min(8, len(pools.targets)), min(14, len(pools.targets)))):
        departments, leads = _owners(ctx, pools)
        rows.append((ctx.fill(name), ctx.text(text), leads or departments[:1], rng.choice(ctx.leaders)))
    return rows


def _task_sections(ctx: _Context, pools: Pools, n_tasks: int) -> list[tuple[str, list[_Group]]]:
    """(heading, groups) with tasks numbered 1..n_tasks and groups 1..G across the whole table."""
    rng = ctx.rng
    texts = _pick(rng, pools.tasks, n_tasks)
    headings = _pick(rng, pools.headings, max(1, n_tasks // 8))
    group_names = _pick(rng, pools.groups, max(1, n_tasks // 2))
    sections: list[tuple[str, list[_Group]]] = []
    no = seq = 0
    while no < n_tasks:
        heading = f"({_numeral(len(sections) + 1)}) {ctx.fill(headings[len(sections) % len(headings)])}"
        groups: list[_Group] = []
        for _ in range(rng.randint(2, 5)):
            if no >= n_tasks:
                break
            seq += 1
            group = _Group(seq, ctx.fill(group_names[(seq - 1) % len(group_names)]), [])
            leaders = tuple(rng.sample(ctx.leaders, min(len(ctx.leaders), rng.choice((1, 1, 1, 2)))))
            for _ in range(min(rng.randint(1, 6), n_tasks - no)):
                text = texts[no]
                no += 1
                if rng.random() < 0.3:  # recombine: a clause of another task joins this one
                    text = text.rstrip() + ("" if text.rstrip().endswith(("。", "！", "？")) else "。") + rng.choice(pools.sentences)
                departments, leads = _owners(ctx, pools)
                areas = tuple(ctx.fill(a) for a in _pick(rng, pools.areas, rng.randint(1, 3))) if rng.random() < 0.4 else ()
                group.tasks.append(_Task(no, ctx.text(text), departments, leads, areas, leaders))
            groups.append(group)
        sections.append((heading, groups))
    return sections


def _report_sections(ctx: _Context, pools: Pools, n_paragraphs: int) -> list[tuple[str, list[tuple[str | None, list[_Paragraph]]]]]:
    """一、review / 二、tasks with （一）… / 三、government: (heading, [(subheading, paragraphs)])."""
    rng = ctx.rng
    leads = _pick(rng, pools.leads, n_paragraphs)
    sentences = iter(_pick(rng, pools.sentences, n_paragraphs * 4))
    paragraphs = [_Paragraph(ctx.fill(lead), [ctx.text(next(sentences)) for _ in range(rng.randint(1, 4))]) for lead in leads]
    review = min(max(3, n_paragraphs // 5), n_paragraphs)
    government = min(rng.randint(2, 4), n_paragraphs - review)
    tasks = paragraphs[review : n_paragraphs - government]
    subheadings = _pick(rng, pools.headings, max(1, min(9, len(tasks) // 4)))
    parts: list[tuple[str | None, list[_Paragraph]]] = []
    per = -(-len(tasks) // len(subheadings))
    for k, heading in enumerate(subheadings):
        chunk = tasks[k * per : (k + 1) * per]
        if chunk:
            parts.append((f"（{_numeral(k + 1)}）{ctx.fill(heading)}", chunk))
    return [
        (f"一、{ctx.year - 1}年工作回顾", [(None, paragraphs[:review])]),
        (f"二、{ctx.year}年主要任务", parts),
        ("三、全面加强政府自身建设", [(None, paragraphs[n_paragraphs - government :])]),
    ]


def _render_table(ctx: _Context, targets, sections) -> str:
    rng, d, y, lv = ctx.rng, ctx.district, ctx.year, ctx.level
    title = f"苏州市{d}人民政府{y}年主要工作任务分解方案"
    lines = [
        "",
        f"苏州市{d}人民政府文件",
        "",
        f"{ctx.short[:1]}政发〔{y}〕{rng.randint(1, 9)}号",
        "",
        f"{d}人民政府关于下达{y}年主要工作任务的通知",
        "",
        f"各开发区管委会，各镇、街道政府（办事处），{lv}级机关各部门、公司：",
        "",
        f"根据{lv}{_session(rng)}确定的经济社会发展目标任务，{lv}政府将{y}年政府主要工作任务分解，现下达给你们，请认真组织实施。",
        "",
        "各地、各部门要对照工作目标任务，落实推进措施，及时上报进度。请各主要责任单位每月 "
        f"{rng.randint(20, 28)} 日前报送工作进展，{lv}政府办公室将定期组织专项督查和通报。",
        "",
        f"附件：{title}",
        "",
        "(此件公开发布)",
        "",
        "附件：",
        "",
        title,
        "",
        HEADER,
        "一、经济社会发展主要预期目标\t\t\t\t\t",
    ]
    for seq, (name, text, leads, leader) in enumerate(targets, start=1):
        lines.append(f"{seq}\t{name}\t{text}\t{'、'.join('★' + x for x in leads)}\t——\t{leader}")
    lines += ["", HEADER, "二、工作任务分解\t\t\t\t\t"]
    rows_on_page = 0
    for heading, groups in sections:
        lines.append(f"{heading}\t\t\t\t\t")
        for group in groups:
            for k, task in enumerate(group.tasks):
                if rows_on_page >= rng.randint(8, 12):  # a new page repeats the header
                    lines += ["", HEADER]
                    rows_on_page = 0
                owners = "、".join(("★" if x in task.leads else "") + x for x in task.departments)
                areas = "、".join(task.areas) or rng.choice(("——", "_____"))
                head = f"{group.seq}\t{group.name}" if k == 0 else "\t"
                lines.append(f"{head}\t({task.no}) {task.text}\t{owners}\t{areas}\t{' '.join(task.leaders)}")
                rows_on_page += 1
    return "\n".join(lines) + "\n"


def _render_report(ctx: _Context, pools: Pools, n_paragraphs: int) -> str:
    rng, d, lv = ctx.rng, ctx.district, ctx.level
    lines = [
        "",
        "政府工作报告",
        "",
        f"——{ctx.year}年1月{rng.randint(3, 20)}日在{lv}{_session(rng)}上",
        f"{lv}长{ctx.leaders[0]}",
        "",
        "各位代表：",
        "",
        f"现在，我代表苏州市{d}人民政府，向大会作工作报告，请予审议，并请{lv}政协委员和其他列席人员提出意见。",
        "",
    ]
    for heading, parts in _report_sections(ctx, pools, n_paragraphs):
        lines += [heading, ""]
        for subheading, paragraphs in parts:
            if subheading:
                lines += [subheading, ""]
            for paragraph in paragraphs:
                lines += [paragraph.text, ""]
    lines += ["名 词 解 释", ""]
    for n, (term, definition) in enumerate(_pick(rng, pools.glossary, rng.randint(6, 12)), start=1):
        lines.append(f"{n}.{ctx.fill(term)}：{ctx.text(definition)}")
    return "\n".join(lines) + "\n"


def _session(rng: random.Random) -> str:
    return f"{_numeral(rng.randint(4, 8))}届人大{_numeral(rng.randint(1, 5))}次会议"


def _numeral(n: int) -> str:
    """1-99 in Chinese numerals, as headings are numbered: 三, 十, 十二, 二十一."""
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + ("十" if tens else "") + (NUMERALS[ones - 1] if ones else "")


# --- passages without files ---------------------------------------------------------------------------------------


def synth_passages(n: int, seed: int = 0, pools: Pools | None = None) -> list[Passage]:
    """n passages built directly (no files, no parser), for index and search runs at 10^5-10^6 passages."""
    pools = pools or harvest()
    out: list[Passage] = []
    titles: dict[str, int] = {}
    doc = 0
    while len(out) < n:
        ctx = _context(seed, doc, pools)
        doc_id = f"synth-{doc}"
        title = f"{ctx.district}{ctx.year}年" + ("主要工作任务分解方案" if ctx.kind == KIND_TASK_TABLE else "政府工作报告")
        titles[title] = titles.get(title, 0) + 1
        if titles[title] > 1:
            title = f"{title}（{doc_id}）"  # as the indexer makes a repeated title unique
        size = min(ctx.rng.randint(*PASSAGES_PER_DOC), n - len(out))
        base = dict(doc_id=doc_id, title=title, district=ctx.district, year=ctx.year, kind=ctx.kind)
        if ctx.kind == KIND_TASK_TABLE:
            for heading, groups in _task_sections(ctx, pools, size):
                for group in groups:
                    for t in group.tasks:
                        out.append(
                            Passage(
                                id=f"{doc_id}-{t.no:06d}",
                                role=ROLE_TASK,
                                section=("二、工作任务分解", heading, group.name),
                                task_no=f"({t.no})",
                                citation=f"{title} · ({t.no})",
                                text=t.text,
                                lead_departments=t.leads,
                                departments=t.departments,
                                areas=t.areas,
                                leaders=t.leaders,
                                **base,
                            )
                        )
        else:
            k = 0
            counts: dict[str, int] = {}
            for heading, parts in _report_sections(ctx, pools, size):
                for subheading, paragraphs in parts:
                    for paragraph in paragraphs:
                        k += 1
                        label = short_label(paragraph.lead)
                        counts[label] = counts.get(label, 0) + 1
                        section = (heading, subheading, paragraph.lead) if subheading else (heading, paragraph.lead)
                        out.append(
                            Passage(
                                id=f"{doc_id}-{k:06d}",
                                role=ROLE_PARAGRAPH,
                                section=section,
                                task_no=None,
                                citation=f"{title} · {label} 第{counts[label]}段",
                                text=paragraph.text,
                                **base,
                            )
                        )
        doc += 1
    return out[:n]


# --- command line -------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.synth", description="Write a synthetic corpus of task tables and work reports.")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--docs", type=int, required=True, help="how many documents")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.docs < 0:
        parser.error("--docs must be ≥ 0")
    start = time.perf_counter()
    paths = write_corpus(args.out_dir, args.docs, args.seed)
    size = sum(p.stat().st_size for p in paths)
    tables = sum(_kind(i) == KIND_TASK_TABLE for i in range(args.docs))
    print(
        f"wrote {len(paths)} documents ({tables} task tables, {len(paths) - tables} work reports, {size / 1e6:.1f} MB) "
        f"to {args.out_dir} in {time.perf_counter() - start:.1f} s (seed {args.seed})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Follow-ups: an elliptical question is read against the conversation's earlier questions.

"配合单位有哪些？" after a question about one task asks about that task;
"那2025年呢？" or "那吴江区呢？" asks the previous question again with the year
or district changed. A question that says what it is about is left alone, so
`history` never changes the answer of a self-contained question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_YEAR = re.compile(r"(20\d{2})\s*年?")
_SWAP = re.compile(r"^(?:那么?|那如果是|如果是|换成|改成|再看看?)?\s*(?P<what>.{1,14}?)\s*(?:的情况)?(?:呢|的呢|怎么样|如何)[？?。!！]*$")
# Words that only ask (what, who, which field): a question made of nothing else has no subject of its own.
_ASKING = re.compile(
    r"配合单位|配合部门|协办单位|牵头单位|牵头部门|责任单位|责任部门|主要责任部门|分管领导|分管区领导|区领导|领导|负责人|"
    r"责任板块|哪个镇|哪些镇|哪个板块|哪些板块|哪些街道|哪个街道|在哪里|在哪|板块|街道|镇|分组|小标题|属于哪|归在|"
    r"完成时限|什么时候|何时|时限|期限|截止|目标|多少|几|谁|哪个|哪些|哪位|哪几|哪|什么|啥|是|有|要|的|了|吗|呢|那|还|"
    r"都|一下|具体|请问|一共|总共|共|其中|分别|多少项|几项|这项|该项|这个|那个|任务|工作|牵头|负责|分管|配合|参与|涉及|单位|部门|完成|情况|怎么样|如何|呀|啊"
)
_PUNCT = re.compile(r"[\s，。？?！!、：:；;“”\"'（）()]")


@dataclass
class Turn:
    question: str  # what is searched and answered: the follow-up made self-contained
    asked: str  # what this turn asks for (decides the kind of answer)
    followup: bool


def is_elliptical(q: str) -> bool:
    """Nothing is left of the question once its asking words are taken away."""
    rest = _PUNCT.sub("", _ASKING.sub("", q))
    return len(rest) < 2


_NARROWS = re.compile(r"^(其中|这其中|这些|这里面|里面|在这些|这中间|当中)")


def resolve(q: str, history: list[str], districts_in, names_in=lambda text: []) -> Turn:
    """The question as it stands in the conversation. `districts_in(text)` names the districts a text
    mentions; `names_in(text)` the (field, name) of the departments, leaders and areas it names."""
    subject: str | None = None
    for earlier in history:
        subject = _merge(subject, earlier, districts_in, names_in).question
    return _merge(subject, q, districts_in, names_in)


def _merge(previous: str | None, q: str, districts_in, names_in) -> Turn:
    q = q.strip()
    if not previous:
        return Turn(q, q, False)
    if _NARROWS.match(q):  # "其中周学斌分管的是哪几项？": the previous list, narrowed
        topic = re.sub(r"[？?。！!]+$", "", previous)
        return Turn(f"{topic}，{q}", q, True)
    swap = _SWAP.match(q)
    if swap:
        what = swap.group("what")
        named = names_in(what)
        if named:  # "那张华谦呢？": the same question about another leader, department or area
            earlier = names_in(previous)
            field, name = named[0]
            old = next((n for f, n in earlier if f == field), None) or next((n for _, n in earlier), None)
            if old:
                out = _replace_name(previous, old, name)
                return Turn(out, out, True)
        year = _YEAR.search(what)
        districts = districts_in(what)
        if year or districts:
            out = previous
            if year:
                out, n = _YEAR.subn(f"{year.group(1)}年", out, count=1)
                if not n:
                    out = f"{year.group(1)}年{out}"
            if districts:
                written = _written(previous, districts_in(previous))
                out = out.replace(written, districts[0], 1) if written else f"{districts[0]}{out}"
            return Turn(out, out, True)
    if is_elliptical(q):
        topic = re.sub(r"[？?。！!]+$", "", previous)
        return Turn(f"{topic}，{q}", q, True)
    return Turn(q, q, False)


def _written(text: str, districts: list[str]) -> str | None:
    """How the text writes its first district: "吴中区", or its short form "吴中"."""
    for d in districts:
        for form in (d, d[:-1] if len(d) >= 3 else d):
            if form in text:
                return form
    return None


def _replace_name(text: str, old: str, new: str) -> str:
    """The previous question with one name put for another (however the question wrote the old one)."""
    if old in text:
        return text.replace(old, new, 1)
    # written with a prefix or another form ("区人社局" for 人社局): replace the longest run that contains it
    m = re.search(rf"[\u4e00-\u9fff]{{0,4}}{re.escape(old[-2:])}", text)
    return text[: m.start()] + new + text[m.end() :] if m else f"{new}{text}"

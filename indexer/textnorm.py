"""Small text rules shared by the table and narrative parsers.

Chinese reports come with the scars of their export: spaces inside words
("李 烨", "名 词 解 释"), HTML tags inside cells, placeholders for empty cells,
lists separated by 、 or ， or spaces. These functions undo them in one place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

CJK = "\u4e00-\u9fff"
_CJK_RE = re.compile(f"[{CJK}]")
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{CJK}])[ \t]+(?=[{CJK}])")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# Formatting tags that exports leave in cells ("<p>(70) …</p>"); any other angle-bracket
# text is content and stays (and is shown as text, never as markup).
_TAG = re.compile(
    r"</?(?:p|br|span|div|font|b|i|u|s|strong|em|sub|sup|small|big|center|strike|a|td|tr|th|table|tbody|thead|tfoot|"
    r"li|ul|ol|hr|section|article|h[1-6]|o:p)(?:\s[^<>]*)?/?>",
    re.I,
)
_PLACEHOLDER = re.compile(r"^[\s_\-—–―－~～/／\\、，,.。·…]*$|^(无|暂无|/)$")

# A sentence or a line that ends a thought (including a closing quote or
# bracket after the stop).
SENTENCE_END = "。！？；;!?…"
_ENDS_THOUGHT = re.compile(r"[。！？；;!?…：:][”’」』）)】\]\s]*$")


def clean_line(line: str) -> str:
    """One physical line, with invisible characters, odd spaces and runs of blanks tidied."""
    line = line.translate(_INVISIBLE).replace("\u3000", " ").replace("\xa0", " ").replace("\r", "")
    line = re.sub(r"[ \t\f\v]+", " ", line).strip()
    return line


def join_cjk(text: str) -> str:
    """Remove blanks that split Chinese words ("李 烨" → "李烨"); keep them next to digits and Latin."""
    return _SPACE_BETWEEN_CJK.sub("", text)


def join_pieces(pieces: Iterable[str]) -> str:
    """Pieces of one text cut by the layout (a cell's wrapped lines, OCR boxes of one line) joined
    again: a blank only between Latin letters or digits, never inside Chinese."""
    text = ""
    for piece in (p.strip() for p in pieces):
        if not piece:
            continue
        if text and text[-1].isascii() and text[-1].isalnum() and piece[0].isascii() and piece[0].isalnum():
            text += " "
        text += piece
    return text


def clean_text(text: str) -> str:
    """Normalise a passage's text: no tags, no broken words, single spaces."""
    text = strip_tags(text)
    text = clean_line(text.replace("\n", " "))
    return join_cjk(text)


def strip_tags(text: str) -> str:
    return _TAG.sub(" ", text).replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def cjk_count(text: str) -> int:
    return len(_CJK_RE.findall(text))


def ends_thought(line: str) -> bool:
    return bool(_ENDS_THOUGHT.search(line))


def is_placeholder(cell: str) -> bool:
    """True for cells that mean 'nothing here': ——, _____, /, 无."""
    return bool(_PLACEHOLDER.match(cell.strip()))


# How the name of a government unit ends; a blank after one is a gap between two names
# ("区经信局 市自然资源规划局" from a cell whose names stand on separate lines), while a
# blank inside a name ("农业 农村局") is a scar of the export.
UNIT_SUFFIX = "局|委|办|院|中心|政府|管委会|镇|街道|公司|集团|部|会|所|队|站|处|室|馆|园|单位|区"
_UNIT_GAP = re.compile(rf"((?:{UNIT_SUFFIX})(?:[（(][^（()）]{{1,8}}[)）])?)[ \t]+(?=[{CJK}★])")


def split_list(cell: str) -> list[str]:
    """Split a list cell on 、，,；; and blanks, but never inside brackets.

    "★财政局（国资办、审计）、各国资公司" gives ["★财政局（国资办、审计）", "各国资公司"].
    """
    cell = join_cjk(_UNIT_GAP.sub(r"\1、", clean_line(strip_tags(cell.replace("\n", " ")))))
    items, depth, current = [], 0, []
    for ch in cell:
        if ch in "（(【[":
            depth += 1
        elif ch in "）)】]":
            depth = max(0, depth - 1)
        if depth == 0 and ch in "、，,；; ":
            items.append("".join(current))
            current = []
        else:
            current.append(ch)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip() and not is_placeholder(item)]


def split_departments(cell: str) -> tuple[list[str], list[str]]:
    """All departments in their order, and the ★-marked lead departments."""
    departments, leads = [], []
    for item in split_list(cell):
        lead = "★" in item
        name = item.replace("★", "").strip()
        if not name or is_placeholder(name):
            continue
        if name not in departments:
            departments.append(name)
        if lead and name not in leads:
            leads.append(name)
    return departments, leads


def split_names(cell: str, lexicon: Iterable[str] = ()) -> list[str]:
    """Split a cell of people's names, mending names broken by stray blanks.

    Chinese names have two to four characters, so a lone character is a piece
    of a name: "李 烨" → 李烨, "陈建忠   吉  伟" → 陈建忠, 吉伟. A lone character
    that ends (or starts) exactly one name known from the same document is
    read as that name ("张伟 烨" → 张伟, 李烨 when 李烨 occurs elsewhere).
    """
    tokens = [t for t in re.split(r"[\s、，,；;/]+", strip_tags(cell).replace("\u3000", " ")) if t and not is_placeholder(t)]
    names: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if len(token) == 1 and i + 1 < len(tokens) and len(tokens[i + 1]) <= 2:
            names.append(token + tokens[i + 1])
            i += 2
            continue
        names.append(token)
        i += 1
    known = [n for n in lexicon if len(n) >= 2]
    mended: list[str] = []
    for name in names:
        if len(name) == 1:
            matches = {k for k in known if k.endswith(name) or k.startswith(name)}
            if len(matches) == 1:
                name = matches.pop()
            elif mended:
                mended[-1] += name
                continue
        if name not in mended:
            mended.append(name)
    return mended


# CJK Radicals Supplement code points that PDF text layers of CJK fonts put in place of the
# ordinary character (⺠ for 民, ⻓ for 长); NFKC does not map this block, so it is spelt out
# here (Unicode's EquivalentUnifiedIdeograph data, the entries that stand for a whole character).
_RADICAL_SUPPLEMENT = dict(
    zip(
        map(ord, "⺁⺅⺆⺉⺊⺌⺍⺎⺏⺐⺒⺓⺔⺖⺘⺙⺛⺜⺝⺞⺟⺠⺡⺢⺣⺤⺥⺦⺧⺨⺩⺪⺫⺬⺭⺮⺯⺰⺱⺲⺶⺷⺹⺺⺼⺽⺾⺿⻀⻁⻂⻃⻄⻅⻆⻈⻉⻊⻋⻌⻍⻎⻏⻐⻑⻒⻓⻔⻕⻖⻗⻘⻙⻚⻛⻜⻝⻟⻠⻢⻣⻤⻥⻦⻧⻨⻩⻪⻬⻮⻰⻱⻳"),
        "厂亻冂刂卜小小尢尣尢巳幺彑忄扌攵旡日月歺母民氵氺灬爫爫丬牛犭王疋目示礻竹糸纟网罒羊羊耂肀肉臼艹艹艹虎衤覀西见角讠贝足车辶辶辶阝钅長镸长门阜阝雨青韦页风飞食飠饣马骨鬼鱼鸟卤麦黄黾齐齿龙龜龟",
        strict=True,
    )
)
_COMPAT = re.compile("[\u2f00-\u2fdf\uf900-\ufaff]")  # Kangxi radicals, CJK compatibility ideographs: NFKC maps them


def normalize_chars(text: str) -> str:
    """Ordinary characters for the look-alike code points of PDF text layers (⼯ → 工, ⺠ → 民)."""
    if _COMPAT.search(text):
        import unicodedata

        text = _COMPAT.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)
    return text.translate(_RADICAL_SUPPLEMENT)


TRADITIONAL_SHARE = 0.08  # a simplified text has almost no character that t2s changes; a traditional one has many
_t2s = None


def to_simplified(text: str) -> tuple[str, bool]:
    """The text in simplified characters when it is written in traditional ones (OpenCC t2s).

    A simplified text is returned as it is: t2s also rewrites a few variant characters of
    ordinary simplified text, and those are the document's own words.
    """
    global _t2s
    cjk = cjk_count(text)
    if not cjk:
        return text, False
    if _t2s is None:
        import opencc

        _t2s = opencc.OpenCC("t2s")
    converted = _t2s.convert(text)
    changed = sum(1 for a, b in zip(text, converted, strict=False) if a != b)
    if changed / cjk >= TRADITIONAL_SHARE:
        return converted, True
    return text, False

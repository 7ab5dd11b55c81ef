"""Remove what a web page wraps around a report: menus, links, footers, comment forms.

Rules about the shape of such text, not strings of one site: addresses and
file paths are never report text; a page's footer starts at the first line in
the last part of the page that speaks about the site (本站, 转载, 评论,
验证码 …), and everything after it goes; menu lines before the report's
first real sentence go.
"""

from __future__ import annotations

import re

from .textnorm import cjk_count, clean_line, join_cjk

_ADDRESS = re.compile(r"https?://|www\.|\.s?html?\b|\.php\b|\.aspx?\b|\.jsp\b|^[/\w.-]*/[\w.-]+/[\w./-]*$", re.I)
_FOOTER = re.compile(
    r"本站|本网|版权|转载|免责|评论|留言|验证码|昵称|匿名发表|分享到|打印本页|关闭窗口|上一篇|下一篇|"
    r"责任编辑|扫一扫|二维码|Copyright|ICP备|本文地址|原文链接|相关阅读|相关文章|相关解读|相关链接|相关稿件|浏览次数|阅读次数",
    re.I,
)
_MENU = re.compile(r"导航|菜单|首页|当前位置|您的位置|网站地图|无障碍|繁体|English|登录|注册|搜索|[>»›]")
FOOTER_ZONE = 0.75  # a footer starts in the last quarter of the lines
# A portal's catalogue fields before the body ("索引号：…", "发文字号：…", or the same as table cells).
META_KEYS = (
    "索引号|发文字号|文号|发布机构|发文机关|发文单位|成文日期|发文日期|发布日期|发布时间|生效日期|废止日期|有效性|"
    "主题分类|体裁分类|组配分类|服务对象|公开方式|公开范围|公开时限|信息来源|来源|浏览次数|访问量|点击数|字号|作者|"
    "关键词|主题词|信息分类|所属机构|统一编码|标题|名称"
)
_META = re.compile(rf"^\s*【?({META_KEYS})】?\s*[：:]")
_META_CELL = re.compile(rf"^\s*【?({META_KEYS})】?\s*[：:]?\s*$")
_PRINTED_PAGE = re.compile(r"^[-—–－]+\s*\d{1,4}\s*[-—–－]+$|^第\s*\d+\s*页(\s*[,，/]?\s*共\s*\d+\s*页)?$")


def is_metadata(line: str) -> bool:
    """A catalogue field of a web page: a short "key：value" line, or a table row of such keys."""
    line = join_cjk(line)
    if "\t" in line:
        cells = [c for c in line.split("\t") if c.strip()]
        keys = sum(1 for c in cells if _META_CELL.match(c) or (_META.match(c) and len(c) <= 60))
        return keys >= 1 and keys * 2 >= len(cells) - 1 if len(cells) >= 2 else False
    text = clean_line(line)
    return bool(_META.match(text)) and len(text) <= 80 and text.count("。") == 0


def _is_footer(line: str) -> bool:
    """A site's words on a short line, or several of them, or an address; a report's own long
    sentence that happens to mention 留言 or 评论 ("领导留言板受理诉求……") is not a footer."""
    text = line.strip()
    signals = {m.group(0) for m in _FOOTER.finditer(text)}
    sentence = len(text) > 20 and any(mark in text for mark in "。，；")
    return bool(_ADDRESS.search(text)) or len(signals) >= 2 or (len(signals) == 1 and not sentence)


def strip_boilerplate(lines: list[str]) -> tuple[list[str], int]:
    """Lines without web furniture, and how many lines were removed."""
    kept = list(lines)
    filled = [i for i, line in enumerate(kept) if line.strip()]
    removed = 0
    if filled:
        zone_start = filled[int(len(filled) * FOOTER_ZONE)] if len(filled) > 4 else filled[-1] + 1
        for i in filled:
            line = kept[i]
            if i >= zone_start and "\t" not in line and _is_footer(line):
                removed += sum(1 for x in kept[i:] if x.strip())
                kept = kept[:i]
                break
    first_sentence = next((i for i, line in enumerate(kept) if cjk_count(line) >= 20 and re.search("[，。；]", line)), len(kept))
    out = []
    for i, line in enumerate(kept):
        text = clean_line(line)
        is_address = bool(text) and len(text) <= 120 and _ADDRESS.search(text) and cjk_count(text) < 10
        is_menu = i < first_sentence and text and len(text) <= 30 and _MENU.search(text) and "\t" not in line
        is_meta = i < max(first_sentence + 40, len(kept) // 2) and is_metadata(line)
        if is_address or is_menu or is_meta or _PRINTED_PAGE.match(text):
            removed += 1
            continue
        out.append(line)
    return out, removed

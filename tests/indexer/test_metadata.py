"""District, year and title come from the text, not the file name."""

from __future__ import annotations

import pytest

from indexer.metadata import detect_district, title_for
from tests.conftest import WUJIANG_2022, WUZHONG_2023, WUZHONG_2025, XIANGCHENG_2023


@pytest.mark.parametrize(
    ("doc_id", "title", "district", "year", "kind"),
    [
        (WUZHONG_2023, "吴中区2023年主要工作任务分解方案", "吴中区", 2023, "task_table"),
        (WUJIANG_2022, "吴江区2022年重点工作目标任务分解落实方案", "吴江区", 2022, "task_table"),
        (WUZHONG_2025, "吴中区2025年政府工作报告", "吴中区", 2025, "work_report"),
        (XIANGCHENG_2023, "相城区2023年政府工作报告", "相城区", 2023, "work_report"),
    ],
)
def test_document_metadata(parsed, doc_id, title, district, year, kind):
    doc = parsed[doc_id].document
    assert (doc.title, doc.district, doc.year, doc.kind) == (title, district, year, kind)
    assert all(p.title == title and p.district == district and p.year == year for p in parsed[doc_id].passages)


def test_district_from_the_issuing_government():
    assert detect_district(["江苏省苏州市姑苏区人民政府文件", "关于开发区和度假区的安排"]) == "姑苏区"
    assert detect_district(["昆山市人民政府工作报告"]) == "昆山市"


def test_title_from_a_notice_title_line():
    assert title_for("苏州市吴中区人民政府2023年主要工作任务分解方案", "吴中区", 2023, "x") == "吴中区2023年主要工作任务分解方案"
    assert title_for("(江苏省)苏州市吴中区人民政府工作报告(2025年1月6日)", "吴中区", 2025, "x") == "吴中区2025年政府工作报告"
    assert title_for(None, "相城区", 2023, "004") == "相城区2023年文件（004）"

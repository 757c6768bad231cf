"""The digest summary: the news lede (when, who, what), at most about 200 characters, cut at a sentence end."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.summary import make_summary

LEDE = "7月24日，某市总工会在市工人文化宫举办职工技能大赛，来自全市四十家企业的两百名职工参加比赛。"
LONG = ("7月24日，某市总工会在市工人文化宫举办职工技能大赛，来自全市四十家企业的两百名职工参加比赛。"
        "大赛设置电工、焊工、数控车工等八个项目，分理论考试和实际操作两个环节进行。"
        "获得各项目前三名的选手将获得市总工会颁发的证书，并按规定申报技术能手称号。"
        "市总工会有关负责人表示，将以赛促学、以赛促训，推动更多职工提升技能水平，为企业发展提供人才支撑。"
        "下一步还将组织优胜选手参加全省比赛。")

CASES = [
    # The lede paragraph as it is.
    (LEDE + "\n第二段。", LEDE + "第二段。"),
    # The byline is not part of the summary.
    ("本报讯（记者 王某）" + LEDE, LEDE),
    ("本报记者 王某 通讯员 李某\n" + LEDE, LEDE),
    # The original headline, an editor's note and a photo caption are not the lede.
    ("（原标题：旧的标题）\n" + LEDE, LEDE),
    ("编者按：本期关注职工技能。\n" + LEDE, LEDE),
    ("比赛现场。 张三 摄\n" + LEDE, LEDE),
    # A short opener (a quote) is continued by the next paragraph.
    ("“今天真热。”\n工人老周说，工会送来的绿豆汤正是大家需要的。",
     "“今天真热。”工人老周说，工会送来的绿豆汤正是大家需要的。"),
    # Nothing to summarize.
    ("", ""),
    ("\n\n", ""),
]


@pytest.mark.parametrize(("body", "summary"), CASES, ids=range(len(CASES)))
def test_make_summary(body: str, summary: str) -> None:
    assert make_summary(body) == summary


def test_long_lede_is_cut_at_a_sentence_end() -> None:
    summary = make_summary(LONG)
    assert len(summary) <= 200
    assert summary.endswith("。")
    assert LONG.startswith(summary)
    assert len(summary) > 100  # as many whole sentences as fit


def test_one_endless_sentence_is_cut_at_a_clause_with_an_ellipsis() -> None:
    sentence = "，".join(["某市总工会组织劳模工匠走进企业开展技术服务"] * 20) + "。"
    summary = make_summary(sentence)
    assert len(summary) <= 200 and summary.endswith("…")
    assert summary[:-1] == sentence[: len(summary) - 1]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("工会职工举办活动。，！？“”\n 本报讯（记者王某）7月24日")), max_size=600))
def test_summary_is_short_and_never_crashes(body: str) -> None:
    summary = make_summary(body)
    assert len(summary) <= 200
    assert "\n" not in summary

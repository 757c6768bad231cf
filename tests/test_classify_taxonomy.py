"""data/sections.toml: the six sections in digest order with definitions, and every boundary rule as written."""

from __future__ import annotations

from pathlib import Path

import pytest

from aggregator.classify import LABELS, SECTIONS, SectionClassifier, default_classifier, load_taxonomy
from aggregator.classify.taxonomy import Example, TaxonomyError
from tests.conftest import ROOT

TAXONOMY_PATH = ROOT / "data" / "sections.toml"
TAXONOMY = load_taxonomy(TAXONOMY_PATH)
BOUNDARY_EXAMPLES = [(rule.id, ex) for rule in TAXONOMY.boundaries for ex in rule.examples]


@pytest.fixture(scope="module")
def classifier() -> SectionClassifier:
    return default_classifier()


def test_sections_are_the_reference_digests_six_in_order_then_none() -> None:
    assert [s.name for s in TAXONOMY.sections] == ["工作动态", "思想引领", "建功立业", "维权服务", "构建和谐劳动关系", "组织建设"]
    assert TAXONOMY.labels == LABELS == SECTIONS + ("none",)


@pytest.mark.parametrize("section", [*TAXONOMY.sections, TAXONOMY.none], ids=lambda s: s.name)
def test_every_section_has_a_definition_and_examples(section) -> None:  # type: ignore[no-untyped-def]
    assert len(section.definition) > 40 and section.summary and section.examples


# The boundary rules the reference digest shows (issue 7), one row each, decided by the shipped classifier.
ISSUE_BOUNDARIES = [
    ("徐留平's 送清凉 visit is 工作动态", "徐留平带队在北京开展送清凉调研慰问",
     "7月24日，全国总工会党组书记、副主席、书记处第一书记徐留平带队来到基层单位，为高温下坚守岗位的一线职工送清凉。",
     "工作动态"),
    ("a local union's 送清凉 is 维权服务", "德州市总工会为外卖骑手送清凉",
     "德州市总工会近日走进外卖配送站点，为骑手送去防暑药品、毛巾和清凉饮品，叮嘱大家错峰配送。", "维权服务"),
    ("stations handing out water are 维权服务", "江苏昆山市:10万瓶饮用水赠给户外劳动者",
     "昆山市总工会启动公益赠水行动，首批3万余瓶饮用水已配送至全市126处站点，为快递员、外卖骑手提供饮水补给。", "维权服务"),
    ("building or sharing the station network is 组织建设", "嘉兴召开工会驿站“共建共享”专题恳谈会",
     "嘉兴市召开工会驿站“共建共享”专题恳谈会，市总工会与城管、交通、商务等部门代表围绕驿站多方联动共建开展讨论。",
     "组织建设"),
    ("certifying skills training (养老护理) is 建功立业", "陕西工会打造养老护理人才全链条服务体系",
     "陕西工会养老护理人才专项培训班第三期正在进行，学员完成培训并通过考核，可获得养老护理员职业技能等级证书。",
     "建功立业"),
    ("platform workers' dispute mechanisms are 构建和谐劳动关系", "安徽舒城县总工会联合县邮政管理局探索建立“1+1+1”机制",
     "舒城县总工会快速调处了一起新就业形态劳动者薪资纠纷，快递小哥在工会、邮政管理部门和行业工会的共同协调下拿回了薪资。",
     "构建和谐劳动关系"),
    ("algorithm consultation with riders is 构建和谐劳动关系", "饿了么(江苏)算法协商恳谈会推进优化配送算法规则",
     "在江苏省总工会等指导下，饿了么(江苏)平台与骑手代表面对面恳谈，就优化配送时间达成共识。", "构建和谐劳动关系"),
]


@pytest.mark.parametrize("why,title,text,section", ISSUE_BOUNDARIES, ids=[row[0] for row in ISSUE_BOUNDARIES])
def test_issue_boundary_rules(classifier: SectionClassifier, why: str, title: str, text: str, section: str) -> None:
    assert classifier.classify(title, text).section == section, why


@pytest.mark.parametrize("rule_id,example", BOUNDARY_EXAMPLES, ids=[f"{r}:{e.title[:12]}" for r, e in BOUNDARY_EXAMPLES])
def test_written_boundary_examples_land_where_the_rule_says(classifier: SectionClassifier, rule_id: str,
                                                            example: Example) -> None:
    decision = classifier.classify(example.title, example.text)
    assert decision.section == example.label, f"{rule_id}: {decision.evidence}"


@pytest.mark.parametrize("rule", TAXONOMY.deciding_rules, ids=lambda r: r.id)
def test_rules_with_a_matcher_decide_their_own_examples(classifier: SectionClassifier, rule) -> None:  # type: ignore[no-untyped-def]
    for example in rule.examples:
        decision = classifier.classify(example.title, example.text)
        assert decision.origin == "rule" and decision.evidence[0].startswith(f"rule {rule.id}:"), decision.evidence


def test_headline_match_beats_a_lede_match(classifier: SectionClassifier) -> None:
    # The lede mentions water handed out at the stations; the headline is about building the network.
    decision = classifier.classify("绍兴市新建一批工会驿站并统一建设标准",
                                   "绍兴市总工会今年新建工会驿站五十家，统一标识和设施，驿站为户外劳动者免费提供饮用水。")
    assert decision.section == "组织建设" and "station-network" in decision.evidence[0]


def test_legal_aid_to_one_rider_is_not_a_dispute_mechanism(classifier: SectionClassifier) -> None:
    decision = classifier.classify("工会援助律师为骑手讨回工伤赔偿",
                                   "外卖骑手小王送餐途中受伤，与站点协商无果，区总工会法律援助律师代理仲裁，帮他拿到赔偿。")
    assert decision.section == "维权服务"


def test_rule_against_a_confident_model_goes_to_review() -> None:
    """When the combination gives the rule's section almost no chance, the rule decides but an editor checks."""
    taxonomy = load_taxonomy(TAXONOMY_PATH)
    taxonomy.classifier["rule_agreement"] = 1.01  # no model could agree this much
    strict = SectionClassifier(taxonomy, default_classifier().lexicon, default_classifier().model)
    decision = strict.classify("徐留平带队在北京开展送清凉调研慰问", "徐留平带队来到基层单位送清凉。")
    assert decision.section == "工作动态" and decision.needs_review and decision.confidence == 0.5
    assert any("prefer" in line for line in decision.evidence)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sections.toml"
    path.write_text(text, encoding="utf-8")
    return path


BROKEN = [
    ("wrong order", lambda s: s.replace('name = "思想引领"', 'name = "X"', 1), "in this order"),
    ("no definition", lambda s: s.replace('definition = "职工思想政治引领', 'definition_ = "职工思想政治引领', 1), "no definition"),
    ("bad regex", lambda s: s.replace('all = ["^(中华)?全国总工会|^全总"]', 'all = ["(全总"]', 1), "bad regular expression"),
    ("unknown section", lambda s: s.replace('section = "组织建设"\nrule', 'section = "其他"\nrule', 1), "is not one of"),
    ("bad scope", lambda s: s.replace('scope = "lead"', 'scope = "body"', 1), "scope"),
    ("not TOML", lambda s: s + "\n[[[", "cannot read"),
]


@pytest.mark.parametrize("case,edit,message", BROKEN, ids=[row[0] for row in BROKEN])
def test_broken_taxonomy_is_a_clear_error(tmp_path: Path, case: str, edit, message: str) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, edit(TAXONOMY_PATH.read_text(encoding="utf-8")))
    with pytest.raises(TaxonomyError, match=message) as info:
        load_taxonomy(path)
    assert str(path) in str(info.value)

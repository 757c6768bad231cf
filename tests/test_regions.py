"""Region detection: the region an editor gives each item of the reference digest, and the gazetteer's rules.

The 25 headlines are the reference digest's; the ledes are our own paraphrases that keep the places and actors
an editor would go by (who acts, where it happens), not the digest's sentences.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from aggregator.regions import NATIONAL, Gazetteer, Region, default_gazetteer, detect_region

GAZETTEER_PATH = Path(__file__).resolve().parent.parent / "data" / "gazetteer.toml"

# (headline, our paraphrased lede, source region fallback, expected province, expected city)
DIGEST_ITEMS = [
    ("徐留平带队在北京开展送清凉调研慰问",
     "7月24日，全国总工会党组书记、副主席徐留平带队来到北京一家电力企业的班组和服务中心，看望高温下坚守岗位的一线职工。",
     "全国", NATIONAL, None),
    ("全国总工会党组理论学习中心组赴中国人民抗日战争纪念馆开展现场教学",
     "7月21日，全总党组理论学习中心组成员来到抗战纪念馆参观学习，并面向党旗重温入党誓词。",
     "全国", NATIONAL, None),
    ("首届全国工会融媒宣传技能大赛决赛在蓉收官",
     "由中华全国总工会主办、四川省总工会参与承办的工会融媒宣传技能大赛决赛7月下旬在成都举行，35支代表队参赛。",
     "全国", NATIONAL, None),
    ("“巾帼劳模工匠助企行”走进陕西",
     "7月24日上午，在全国总工会女职工委员会指导下，陕西省总工会女职工委员会组织劳模工匠走进西安高陵区一处汽车产业园，为企业提供技术服务。",
     "陕西", "陕西", None),
    ("青岛市企业班组建设原创话剧《地铁六号线》在京展演",
     "7月18日晚，由全国总工会宣传教育部指导、山东省总工会主办，青岛市总工会和青岛地铁集团出品的班组建设话剧在北京上演。",
     "全国", "山东", "青岛"),
    ("广州市荔湾区总工会邀职工分享奋斗故事",
     "近日，广州市荔湾区总工会组织劳模工匠和先进职工代表登台宣讲，讲述各自岗位上的奋斗经历。",
     "广东", "广东", "广州"),
    ("浙江省总工会打造工匠人才培育品牌",
     "宁波一家石化建安企业的培训中心负责人日前参加了浙江省总工会为大国工匠培育对象举办的集中培训，省总工会为每位对象制定专门方案。",
     "浙江", "浙江", None),
    ("陕西“产改”向新就业形态劳动者再延伸",
     "记者日前获悉，陕西省总工会推动产业工人队伍建设改革覆盖网约货车司机等新就业形态劳动者，相关地方标准已于今年施行。",
     "陕西", "陕西", None),
    ("陕西工会打造养老护理人才全链条服务体系",
     "这一周，陕西工会养老护理人才专项培训班第三期的学员正在西安集中学习，培训、考证和就业推荐由工会一条龙服务。",
     "陕西", "陕西", None),
    ("黑龙江发布百万职工技能提升三年行动方案",
     "记者从黑龙江省总工会获悉，全省职工技能提升三年行动方案近日出台，省总工会还将联合哈尔滨工业大学开设工匠人才培训营。",
     "黑龙江", "黑龙江", None),
    ("上海长宁工会推动产业工人成长与产业发展同频共振",
     "记者近日了解到，上海市长宁区总工会围绕区里的重点产业，通过建组织、育人才、强服务，推动产业工人与区域经济共同发展。",
     "上海", "上海", "长宁"),
    ("福建工会为劳动者平安度夏定制“工会方案”",
     "一位来自四川的模板安装工说，项目部把上工时间调到了清晨和傍晚。福建省总工会日前发出提示函，要求用人单位做好防暑降温。",
     "福建", "福建", None),
    ("山东工会:“工助未来”帮职工解决带娃之忧",
     "7月16日晚，山东省济宁市工人文化宫里，职工在一间教室学国画，隔壁的孩子们在志愿者辅导下写作业。",
     "山东", "山东", None),
    ("洛阳工会“敞开大门、打破围墙”点亮职工夜生活",
     "近日，河南省洛阳市总工会在晚间开放机关院内广场等场所，开设职工夜校和公益课堂。",
     "河南", "河南", "洛阳"),
    ("江苏昆山市:10万瓶饮用水赠给户外劳动者",
     "连日高温，江苏省昆山市总工会启动公益赠水活动，首批饮用水已送到全市一百多个站点。",
     "江苏", "江苏", "苏州"),
    ("重庆渝中区:“清凉护航”行动慰问职工超2万人次",
     "近日，重庆市渝中区总工会在市劳动人民文化宫的工会驿站为外卖骑手、环卫工人等送去清凉物资。",
     "重庆", "重庆", "渝中"),
    ("新疆生产建设兵团八师石河子市:夏送清凉,“码”上就到",
     "7月15日起，兵团第八师石河子市总工会通过小程序为外卖配送员、快递员和环卫工人每天免费发放饮用水。",
     "兵团", "兵团", "第八师"),
    ("饿了么(江苏)算法协商恳谈会推进优化配送算法规则",
     "日前，饿了么（江苏）算法协商恳谈会在南京召开，江苏省总工会等部门指导平台与骑手代表面对面协商。今年4月，平台曾在上海签订首份相关协议。",
     "江苏", "江苏", None),
    ("美团(河北)多轮协商恳谈保障骑手权益",
     "7月24日，在河北省总工会等单位指导下，美团（河北）平台与骑手代表在石家庄协商，就算法优化等议题达成共识。",
     "河北", "河北", None),
    ("江苏徐州市“一站式”联合调处解纠纷",
     "近日，江苏省徐州市一名物业保洁员在市劳动人事争议联合调处中心帮助下拿回了被拖欠的工资。",
     "江苏", "江苏", "徐州"),
    ("安徽舒城县总工会联合县邮政管理局探索建立“1+1+1”机制",
     "日前，安徽省六安市舒城县总工会很快调处了一起快递员的薪资纠纷。",
     "安徽", "安徽", "六安"),
    ("甘肃山丹县饿了么外卖配送中心开展集体协商",
     "日前，甘肃省山丹县一家外卖配送中心召开集体协商会议，骑手和企业就劳动报酬、派单规则达成一致。",
     "甘肃", "甘肃", "张掖"),
    ("山东省总工会召开中央驻鲁企业工会组织建设工作座谈会",
     "7月17日，山东省总工会召开座谈会，交流中央驻鲁企业工会的组织建设情况并部署下一步工作。",
     "山东", "山东", None),
    ("嘉兴召开工会驿站“共建共享”专题恳谈会",
     "近日，浙江省嘉兴市围绕工会驿站的共建共享召开恳谈会，多个部门就驿站服务达成共识。",
     "浙江", "浙江", "嘉兴"),
    ("泰安市总工会持续加强阵地建设",
     "记者近日获悉，山东省泰安市总工会建立行业工会联合会，为货车司机等新就业形态劳动者建起多处“司机之家”。",
     "山东", "山东", "泰安"),
]


@pytest.mark.parametrize(("title", "lede", "fallback", "province", "city"), DIGEST_ITEMS,
                         ids=[item[0][:16] for item in DIGEST_ITEMS])
def test_reference_digest_item_region(title: str, lede: str, fallback: str, province: str, city: str | None) -> None:
    assert detect_region(title, lede, fallback=fallback) == Region(province, city)


def test_the_table_covers_all_25_digest_items() -> None:
    assert len({item[0] for item in DIGEST_ITEMS}) == 25


# Rules, one case each: (title, text, fallback, expected province, expected city)
RULES = [
    # The source's region when the article names no place.
    ("上半年新能源汽车产销两旺", "记者从行业协会获悉，今年上半年产销量继续增长。", "全国", "全国", None),
    ("职工书屋开放", "书屋每天开放到晚上九点。", None, None, None),
    # Text before the source: a national outlet's story about a province.
    ("技能大赛落幕", "7月20日，四川省总工会主办的技能大赛在绵阳落幕。", "全国", "四川", "绵阳"),
    # A county names its prefecture-level city.
    ("舒城县总工会调处薪资纠纷", "日前，舒城县总工会调处了一起纠纷。", None, "安徽", "六安"),
    # 石河子 belongs to the 兵团's 第八师, not to 新疆's prefectures.
    ("石河子市总工会送清凉", "石河子市总工会为户外劳动者送水。", "新疆", "兵团", "第八师"),
    ("八师石河子市开展技能竞赛", "兵团八师石河子市总工会举办技能竞赛。", None, "兵团", "第八师"),
    # A 兵团 division short form counts only when 兵团 is named.
    ("第一师范学院举办讲座", "湖南第一师范学院举办职工讲座。", None, "湖南", None),
    ("一师阿拉尔市工会开展慰问", "兵团一师阿拉尔市总工会开展慰问。", None, "兵团", "第一师"),
    # Stop phrases: a clock, a melon and a wish are not places.
    ("发布会凌晨举行", "北京时间9月11日凌晨，发布会在美国举行。", None, None, None),
    ("哈密瓜丰收", "瓜农迎来哈密瓜丰收季。", "新疆", "新疆", None),
    ("长治久安", "维护社会长治久安。", None, None, None),
    # Ambiguous shorts need their province: 长宁 alone is not 上海's district (四川 has a 长宁县).
    ("长宁区总工会开展培训", "上海长宁区总工会举办培训。", None, "上海", "长宁"),
    ("朝阳区职工运动会开幕", "北京市朝阳区总工会举办职工运动会。", None, "北京", "朝阳"),
    # A venue counts less than the actor in the headline.
    ("青岛职工艺术团在京演出", "青岛市总工会组织职工艺术团赴北京演出。", None, "山东", "青岛"),
    # The national federation as actor in the headline wins over any place.
    ("全国总工会召开座谈会", "全国总工会在武汉召开座谈会。", None, NATIONAL, None),
    # ...but only as actor: guidance from it does not make a provincial item national.
    ("劳模进企业", "在全国总工会指导下，江西省总工会组织劳模走进南昌的企业。", None, "江西", "南昌"),
    # Province names in their full form and for autonomous regions.
    ("宁夏回族自治区总工会部署工作", "自治区总工会召开全委会。", None, "宁夏", None),
    ("内蒙古职工创新成果展开幕", "展览在呼和浩特开幕。", None, "内蒙古", None),
    ("香港工会联合会举办活动", "香港工联会在九龙城举办活动。", None, "香港", None),
]


@pytest.mark.parametrize(("title", "text", "fallback", "province", "city"), RULES, ids=[r[0][:12] for r in RULES])
def test_region_rules(title: str, text: str, fallback: str | None, province: str | None, city: str | None) -> None:
    assert detect_region(title, text, fallback=fallback) == Region(province, city)


def _gazetteer_data() -> dict:
    return tomllib.loads(GAZETTEER_PATH.read_text(encoding="utf-8"))


def test_gazetteer_has_every_provincial_division() -> None:
    data = _gazetteer_data()
    names = {p["name"] for p in data["province"]}
    assert len([p for p in data["province"] if p["kind"] != "xpcc"]) == 34
    for expected in ("北京市", "新疆维吾尔自治区", "西藏自治区", "香港特别行政区", "澳门特别行政区", "台湾省",
                     "新疆生产建设兵团"):
        assert expected in names


@pytest.mark.parametrize(("province", "count"), [
    ("河北", 11), ("山西", 11), ("内蒙古", 12), ("辽宁", 14), ("吉林", 9), ("黑龙江", 13), ("江苏", 13), ("浙江", 11),
    ("安徽", 16), ("福建", 9), ("江西", 11), ("山东", 16), ("广东", 21), ("广西", 14), ("四川", 21), ("贵州", 9),
    ("云南", 16), ("西藏", 7), ("陕西", 10), ("甘肃", 14), ("青海", 8), ("宁夏", 5), ("新疆", 14), ("兵团", 14),
])
def test_gazetteer_prefecture_counts(province: str, count: int) -> None:
    """Prefecture-level divisions per province (河南, 湖北 and 海南 also list their 省直辖 units)."""
    data = _gazetteer_data()
    entry = next(p for p in data["province"] if p["short"] == province)
    assert len(entry["city"]) == count


@pytest.mark.parametrize(("name", "province", "city"), [
    ("石河子市", "兵团", "第八师"), ("五家渠市", "兵团", "第六师"), ("昆山市", "江苏", "苏州"), ("舒城县", "安徽", "六安"),
    ("山丹县", "甘肃", "张掖"), ("荔湾区", "广东", "广州"), ("莱芜区", "山东", "济南"), ("济源", "河南", "济源"),
    ("海南州", "青海", "海南州"), ("和安县", "新疆", "和田"),
])
def test_gazetteer_places(name: str, province: str, city: str) -> None:
    hits = default_gazetteer().scan(name)
    assert len(hits) == 1 and {(p.province, p.city) for p in hits[0].places} == {(province, city)}


def test_city_names_are_unique_within_each_province() -> None:
    for province in _gazetteer_data()["province"]:
        names = [c["name"] for c in province.get("city", [])]
        if province["short"] == "台湾":
            continue  # 新竹 and 嘉义 are each a city and a county
        assert len(names) == len(set(names)), province["name"]


def test_gazetteer_loads_from_any_path(tmp_path: Path) -> None:
    path = tmp_path / "g.toml"
    path.write_text('[[province]]\nname = "测试省"\nshort = "测试"\nkind = "province"\n'
                    '  [[province.city]]\n  name = "样例市"\n  short = "样例"\n  districts = ["示范县"]\n', encoding="utf-8")
    gaz = Gazetteer(path)
    assert detect_region("示范县召开会议", "", gazetteer=gaz) == Region("测试", "样例")


def test_scan_longest_match_one_character_names_and_stops(tmp_path: Path) -> None:
    # One-character names make every position a candidate; the longest name still wins and a stop phrase hides
    # the names inside it.
    path = tmp_path / "g.toml"
    path.write_text('stop_phrases = ["样例市场"]\n[[province]]\nname = "测试省"\nshort = "测"\naliases = ["测试"]\n'
                    '  [[province.city]]\n  name = "样例市"\n  short = "样例"\n', encoding="utf-8")
    gaz = Gazetteer(path)
    hits = gaz.scan("测试省样例市场，测样例市\ud800测")
    assert [(h.pos, h.name) for h in hits] == [(0, "测试省"), (8, "测"), (9, "样例市"), (13, "测")]


def test_scan_all_is_scan_of_each_text_and_no_name_spans_two_texts() -> None:
    gaz = default_gazetteer()
    texts = ("北", "京市总工会", "", "走进江苏南京", "江")
    assert gaz.scan_all(texts) == [gaz.scan(text) for text in texts]
    assert [h.name for h in gaz.scan_all(("北", "京"))[0] + gaz.scan_all(("北", "京"))[1]] == []
    assert gaz.scan_all(()) == []


@pytest.mark.parametrize(("title", "pos", "venue"), [
    ("青岛职工艺术团在京演出", 8, True),  # 京 after 在
    ("青岛职工艺术团在京演出", 0, False),  # the start of the title
    ("赴北京", 1, True),
    ("走进\n北京", 3, True),  # 进, then a newline: $ matches before a final newline
    ("走进\n\n北京", 4, False),  # two newlines are not one
    ("\n北京", 1, False),
    ("北京在", 3, True),
])
def test_venue_at_is_the_regex_on_the_prefix(title: str, pos: int, venue: bool) -> None:
    from aggregator.regions import _VENUE_WORDS, _venue_at

    regex = re.search("(?:" + "|".join(_VENUE_WORDS) + ")$", title[:pos]) is not None
    assert _venue_at(title, pos) == regex == venue


@pytest.mark.parametrize("texts", [("北京", "市总工会"), ("江苏南", "京市", ""), ("", "南京市"), ("样\0例市", "样"),
                                   ("京", "市总工会")])  # the last: 京\0市 across the join
def test_scan_all_with_a_nul_in_a_name_scans_each_text_alone(tmp_path: Path, texts: tuple[str, ...]) -> None:
    # The joined scan separates texts by NUL: a name holding one must not match across two texts.
    path = tmp_path / "g.toml"
    path.write_text('[[province]]\nname = "北京市"\nshort = "北京"\naliases = ["京\\u0000市", "样\\u0000例市"]\n'
                    '  [[province.city]]\n  name = "南京市"\n  short = "南京"\n', encoding="utf-8")
    gaz = Gazetteer(path)
    assert gaz._nul_in_names
    assert gaz.scan_all(texts) == [gaz.scan(text) for text in texts]
    assert [h.name for hits in gaz.scan_all(texts) for h in hits if "\0" in h.name] == (
        ["样\0例市"] if texts[0].startswith("样\0") else [])

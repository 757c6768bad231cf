"""Build the bundled sample sites from the article texts in content/*.toml.

Writes, next to this file:
  sites/<host>/<path>   the pages, as raw bytes in each site's encoding (people.cn pages in GB2312)
  sites/routes.toml     what the local server needs beyond static files: query routes, statuses, headers
  sources.toml          the registry of the sample's sources (real domains, served locally by the demo)
  expected.json         ground truth per article page and per story, for the tests

Run `python data/samples/build.py` after editing content/; tests/test_samples.py fails when the committed
output is stale. The shapes follow ../research/sources.md (see docs/sources.md); all text is our own.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import shutil
import sys
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONTENT = HERE / "content"
TZ = "+08:00"


@dataclass
class Art:
    """One article of the sample, with its place on its outlet."""

    story: str
    digest_item: int
    section: str
    belongs: bool
    outlet: str
    role: str
    title: str
    published: str
    author: str
    origin: str
    byline: str
    paragraphs: list[str]
    captions: list[str]
    url: str = ""
    path: str = ""
    n: int = 0
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def day(self) -> str:
        return self.published[:10]

    @property
    def dt(self) -> datetime:
        return datetime.strptime(self.published, "%Y-%m-%d %H:%M:%S")

    def body_paragraphs(self) -> list[str]:
        """Paragraphs as printed: the byline leads the first one."""
        paras = list(self.paragraphs)
        if self.byline and paras:
            paras[0] = self.byline + paras[0]
        return paras


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def load() -> list[Art]:
    arts: list[Art] = []
    for path in sorted(CONTENT.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for a in data["article"]:
            arts.append(Art(
                story=path.stem, digest_item=data["digest_item"], section=data["section"], belongs=data["belongs"],
                outlet=a["outlet"], role=a["role"], title=a["title"], published=a["published"],
                author=a.get("author", ""), origin=a.get("origin", ""), byline=a.get("byline", ""),
                paragraphs=a["paragraphs"], captions=a.get("image_captions", []),
            ))
    return arts


def sid(*parts: object) -> int:
    """A stable number from text (ids in URLs must not change between builds)."""
    return int(hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:8], 16)


# ---------------------------------------------------------------------------------------------- chrome
def page(title: str, body: str, *, charset: str = "utf-8", head_extra: str = "", lang: str = "zh-CN") -> str:
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n'
            f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(title)}</title>\n{head_extra}"
            '<link rel="stylesheet" href="/static/style.css">\n'
            '<script src="/static/jquery.min.js"></script>\n'
            "<script>var _hmt = _hmt || []; (function(){ /* site analytics */ })();</script>\n"
            f"</head>\n<body>\n{body}\n</body>\n</html>\n")


def nav(items: list[tuple[str, str]], cls: str = "nav") -> str:
    links = "".join(f'<li><a href="{href}">{esc(name)}</a></li>' for name, href in items)
    return f'<div class="{cls}"><ul>{links}</ul></div>'


def related(arts: list[Art], current: Art, title: str = "相关新闻") -> str:
    others = [a for a in arts if a is not current][:5]
    items = "".join(f'<li><a href="{a.path}">{esc(a.title)}</a><span>{a.day}</span></li>' for a in others)
    return f'<div class="related"><h3>{title}</h3><ul>{items}</ul></div>'


def figure(a: Art, img_base: str, i: int, lazy: bool = False) -> str:
    src = f"{img_base}/{a.day.replace('-', '/')}/{sid(a.url, i) % 10**7}.jpg"
    img = f'<img data-src="{src}" src="/static/blank.gif" alt="">' if lazy else f'<img src="{src}" alt="">'
    return f'<p style="text-align:center">{img}</p><p class="pic-caption" style="text-align:center">{esc(a.captions[i])}</p>'


def body_html(a: Art, img_base: str, indent: bool = True, lazy: bool = False) -> str:
    paras = a.body_paragraphs()
    style = ' style="text-indent:2em"' if indent else ""
    out = []
    for i, text in enumerate(paras):
        if i == 1 and a.captions:
            out.append(figure(a, img_base, 0, lazy))
        out.append(f"<p{style}>{esc(text)}</p>")
    if len(a.captions) > 1:
        out.append(figure(a, img_base, 1, lazy))
    return "\n".join(out)


EDITORS = ["刘佳", "王宁", "陈思远", "赵敏", "孙浩", "李晓峰", "周婷"]


def editor(a: Art) -> str:
    return EDITORS[sid(a.url) % len(EDITORS)]


# ---------------------------------------------------------------------------------------------- workercn
WORKERCN = "www.workercn.cn"


def workercn_article(a: Art, peers: list[Art]) -> str:
    hot = "".join(f'<li><a href="{p.path}">{esc(p.title)}</a></li>' for p in peers[:6])
    author = f'<span class="author">作者：{esc(a.author)}</span>' if a.author else ""
    body = f"""<div class="top-bar"><a href="/">中工网首页</a> | <a href="/papers/grrb/">工人日报</a> | <a href="/login.html">登录</a></div>
{nav([("首页", "/"), ("要闻", "/yaowen/"), ("工会", "/gonghui/"), ("人物", "/character/"), ("维权", "/weiquan/"), ("评论", "/pinglun/"), ("视频", "/video/")])}
<div class="container">
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/gonghui/">工会</a> &gt; 正文</div>
<div class="left">
<div class="xq_title"><h1>{esc(a.title)}</h1>
<div class="xq_info"><span class="time">{a.published}</span><span class="source">来源：{esc(a.origin)}</span>{author}</div></div>
<div class="xq_content">
{body_html(a, "https://www.workercn.cn/upload/resources/image")}
</div>
<div class="xq_editor">责任编辑：{editor(a)}</div>
<div class="share">分享到：<a href="javascript:void(0)" onclick="share('weixin')">微信</a> <a href="javascript:void(0)" onclick="share('weibo')">微博</a></div>
{related(peers, a)}
</div>
<div class="right"><div class="hot"><h3>热点排行</h3><ol>{hot}</ol></div></div>
</div>
<div class="footer"><p>中工网版权所有 未经书面授权 不得复制或建立镜像</p><p>京ICP备05058290号 京公网安备11010202007号</p></div>"""
    return page(f"{a.title}_中工网", body, head_extra=f'<meta name="description" content="{esc(a.paragraphs[0][:80])}">\n')


def workercn_list(items: list[Art], page_no: int, pages: int) -> str:
    lis = []
    for a in items:
        img = f"/upload/resources/image/{a.day.replace('-', '/')}/{sid(a.url, 'cover') % 10**7}_526x296c.jpg"
        media = '<font color="#ff0000">原创</font>' if a.origin == "工人日报" else "滚动"
        lis.append(f"""<li id="li_{a.n}">
<a href="{a.path}" target="_blank"><img class="lazy" data-src="{img}" alt="{esc(a.title)}" title="{esc(a.title)}" src="{img}" /></a>
<h3><a href="{a.path}" target="_blank">{esc(a.title)}</a></h3>
<div class="info"><div class="info1"><span class="media">{media}</span></div><div class="info2" style="float:left">{a.published}</div><span style="float:right">{esc(a.origin)}</span></div>
</li>""")
    pager = []
    for i in range(1, pages + 1):
        href = "/gonghui/" if i == 1 else f"/gonghui/index_{i}.shtml"
        pager.append(f'<span class="cur">{i}</span>' if i == page_no else f'<a href="{href}">{i}</a>')
    if page_no < pages:
        pager.append(f'<a href="/gonghui/index_{page_no + 1}.shtml">下一页</a>')
    body = f"""{nav([("首页", "/"), ("要闻", "/yaowen/"), ("工会", "/gonghui/"), ("人物", "/character/")])}
<div class="container"><div class="left"><div class="column-title">工会</div><ul class="list">
{"".join(lis)}
</ul><div class="page">{"".join(pager)}</div></div>
<div class="right"><div class="hot"><h3>专题</h3><ul><li><a href="/zt/2025xsql/">2025夏送清凉</a></li></ul></div></div></div>
<div class="footer">中工网版权所有 京ICP备05058290号</div>"""
    return page("工会 - 中工网", body)


# ---------------------------------------------------------------------------------------------- acftu (TRS)
ACFTU = "www.acftu.org"


def trs_article(a: Art, peers: list[Art], site: str, position: str) -> str:
    body = f"""<div class="head"><div class="logo"><a href="/">{site}</a></div>
{nav([("首页", "/"), ("新闻动态", "/xwdt/"), ("文件资料", "/wjzl/"), ("工会概况", "/ghgk/"), ("服务职工", "/fwzg/")])}</div>
<div class="position">您现在的位置：<a href="/">首页</a> &gt; {position}</div>
<div class="detail">
<h2 class="detail-title">{esc(a.title)}</h2>
<div class="detail-info"><span>发布时间：{a.published[:16]}</span><span>来源：{esc(a.origin)}</span><span class="font">【字体：<a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a> <a href="javascript:doZoom(12)">小</a>】</span><span><a href="javascript:window.print()">【打印】</a></span></div>
<div class="TRS_Editor">
{body_html(a, "https://www.acftu.org/xwdt/ghyw/202507", indent=True)}
</div>
<div class="sxp"><p>上一篇：<a href="{peers[0].path if peers else '#'}">{esc(peers[0].title) if peers else '无'}</a></p><p>下一篇：<a href="{peers[-1].path if peers else '#'}">{esc(peers[-1].title) if peers else '无'}</a></p></div>
</div>
<div class="foot"><p>版权所有：中华全国总工会 地址：北京市西城区复兴门外大街10号</p><p>京ICP备05058307号 网站标识码bm57000001</p></div>"""
    meta = (f'<meta name="PubDate" content="{a.published[:16]}">\n<meta name="ContentSource" content="{esc(a.origin)}">\n'
            f'<meta name="ColumnName" content="工会要闻">\n')
    return page(f"{a.title}-中华全国总工会", body, head_extra=meta)


def trs_list(items: list[Art], page_no: int, pages: int, column: str) -> str:
    lis = "".join(f'<li><a href="{a.path}" target="_blank" title="{esc(a.title)}">{esc(a.title)}</a><span class="date">{a.day}</span></li>'
                  for a in items)
    body = f"""{nav([("首页", "/"), ("新闻动态", "/xwdt/"), ("文件资料", "/wjzl/")])}
<div class="position">您现在的位置：<a href="/">首页</a> &gt; 新闻动态 &gt; {column}</div>
<div class="list-box"><ul class="news-list">{lis}</ul>
<div class="pages"><script type="text/javascript">
var countPage = {pages}//共多少页
createPageHTML({pages}, {page_no}, "index", "html");
</script></div></div>
<div class="foot">版权所有：中华全国总工会 京ICP备05058307号</div>"""
    return page(f"{column}-中华全国总工会", body)


# ---------------------------------------------------------------------------------------------- jsgh (Hanweb)
JSGH = "www.jsgh.org"
JSGH_COL, JSGH_UNIT, JSGH_PERPAGE = 3577, 18462, 4


def hanweb_article(a: Art, peers: list[Art]) -> str:
    meta = (f'<meta name="SiteName" content="江苏工会网">\n<meta name="SiteDomain" content="www.jsgh.org">\n'
            f'<meta name="ColumnName" content="工会要闻">\n<meta name="ArticleTitle" content="{esc(a.title)}">\n'
            f'<meta name="PubDate" content="{a.published[:16]}">\n<meta name="ContentSource" content="{esc(a.origin)}">\n'
            f'<meta name="Keywords" content="工会">\n<meta name="Url" content="{a.url}">\n')
    body = f"""<div class="header"><img src="/picture/0/logo.png" alt="江苏工会网">
{nav([("首页", "/"), ("工会要闻", f"/col/col{JSGH_COL}/index.html"), ("基层动态", "/col/col3578/index.html"), ("维权服务", "/col/col3580/index.html")])}</div>
<div class="bt_position">当前位置：<a href="/">首页</a> &gt; <a href="/col/col{JSGH_COL}/index.html">工会要闻</a></div>
<div class="article">
<div class="title"><!--<$[标题名称]>begin-->{esc(a.title)}<!--<$[标题名称]>end--></div>
<div class="info">信息来源：<!--<$[信息来源]>begin-->{esc(a.origin)}<!--<$[信息来源]>end--> 发布日期：<!--<$[发布日期]>begin-->{a.published[:10]}<!--<$[发布日期]>end--> 浏览次数：<script src="/module/visitcount/articlehits.jsp?colid={JSGH_COL}&artid={a.n}"></script></div>
<div id="zoom"><!--ContentStart--><!--<$[信息内容]>begin-->
{body_html(a, "https://www.jsgh.org/picture/0")}
<!--<$[信息内容]>end--><!--ContentEnd--></div>
<div class="fx">分享到：<div class="bdsharebuttonbox"><a class="bds_weixin" data-cmd="weixin"></a></div></div>
<div class="close"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
</div>
<div class="footer">主办：江苏省总工会 苏ICP备10208773号-1 苏公网安备32010202010131号</div>"""
    return page(f"{a.title}", body, head_extra=meta)


def hanweb_record(a: Art) -> str:
    return (f'<li><a href="{a.path}" target="_blank" title="{esc(a.title)}">{esc(a.title)}</a>'
            f'<span class="bt-data-time">{a.day}</span></li>')


def hanweb_nextgroup() -> str:
    return (f'<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1&path=/&columnid={JSGH_COL}'
            f'&unitid={JSGH_UNIT}&webname=江苏工会网&permissiontype=0"></a>')


def hanweb_datastore(items: list[Art], total: int) -> str:
    records = "\n".join(f"<record><![CDATA[\n{hanweb_record(a)}\n]]></record>" for a in items)
    pages = -(-total // JSGH_PERPAGE)
    return (f"<datastore>\n<nextgroup><![CDATA[{hanweb_nextgroup()}]]></nextgroup>\n<recordset>\n{records}\n</recordset>\n"
            f"<totalrecord>{total}</totalrecord><totalpage>{pages}</totalpage><perpage>{JSGH_PERPAGE}</perpage>\n</datastore>")


def hanweb_column(first: list[Art], total: int) -> str:
    body = f"""<div class="header">{nav([("首页", "/"), ("工会要闻", f"/col/col{JSGH_COL}/index.html")])}</div>
<div class="bt_position">当前位置：<a href="/">首页</a> &gt; 工会要闻</div>
<div class="main"><div id="{JSGH_UNIT}"><script type="text/xml">
{hanweb_datastore(first, total)}
</script><script language="javascript" src="/module/web/jpage/jpage.js"></script>
<script>var _pageSettings = {{columnid:{JSGH_COL}, unitid:{JSGH_UNIT}, webid:1, perpage:{JSGH_PERPAGE}}};</script></div></div>
<div class="footer">主办：江苏省总工会 苏ICP备10208773号-1</div>"""
    return page("工会要闻 江苏工会网", body)


# ---------------------------------------------------------------------------------------------- people.cn
PEOPLE = "acftu.people.com.cn"


def people_article(a: Art, peers: list[Art]) -> str:
    when = datetime.strptime(a.published, "%Y-%m-%d %H:%M:%S").strftime("%Y年%m月%d日%H:%M")
    meta = (f'<meta name="keywords" content="工会">\n<meta name="description" content="{esc(a.paragraphs[0][:60])}">\n'
            f'<meta name="publishdate" content="{a.published[:10]}">\n<meta name="source" content="来源：{esc(a.origin)}">\n'
            f'<meta name="author" content="{esc(a.author)}">\n<meta name="editor" content="{editor(a)}">\n'
            f'<meta name="contentid" content="{a.n}">\n')
    hot = "".join(f'<li><a href="{p.path}" target="_blank">{esc(p.title)}</a></li>' for p in peers[:5])
    body = f"""<div class="w1000 top"><a href="http://www.people.com.cn/">人民网</a>&gt;&gt;<a href="http://acftu.people.com.cn/">中国工会新闻</a></div>
<div class="clearfix w1000_320 text_title"><h3 class="pre"></h3><h1>{esc(a.title)}</h1><h4 class="sub"></h4>
<p class="author">{esc(a.author)}</p>
<div class="box01"><div class="fl">{when}&nbsp;&nbsp;来源：<a href="http://www.workercn.cn/" target="_blank">{esc(a.origin)}</a></div>
<div class="fr"><div class="fx">分享到：</div></div></div></div>
<div class="clearfix w1000_320 text_con"><div class="fl text_con_left">
<div class="box_con" id="rwb_zw">
{body_html(a, "http://acftu.people.com.cn/NMediaFile/2025/0724", indent=True)}
<div class="edit clearfix">(责编：{editor(a)}、{EDITORS[(sid(a.url) + 3) % len(EDITORS)]})</div>
</div>
<div class="box_news"><h2>相关新闻</h2><ul>{hot}</ul></div>
</div><div class="fr text_con_right"><h2>热门排行</h2><ol>{hot}</ol></div></div>
<div class="w1000 copyright">人 民 网 版 权 所 有 ，未 经 书 面 授 权 禁 止 使 用<br>Copyright &copy; 1997-2025 by www.people.com.cn. all rights reserved</div>"""
    return page(f"{a.title}--中国工会新闻--人民网", body, charset="GB2312", head_extra=meta)


def people_list(items: list[Art]) -> str:
    lis = "".join(f'<li><a href="{a.path}" target="_blank">{esc(a.title)}</a> <i>{a.dt:%Y年%m月%d日%H:%M}</i></li>' for a in items)
    body = f"""<div class="w1000 top"><a href="http://www.people.com.cn/">人民网</a>&gt;&gt;中国工会新闻</div>
<div class="w1000 p2j_list"><div class="title"><h2>工会新闻</h2></div><ul class="list_16">{lis}</ul></div>
<div class="w1000 copyright">人民网版权所有，未经书面授权禁止使用</div>"""
    return page("工会新闻--中国工会新闻--人民网", body, charset="GB2312")


# ---------------------------------------------------------------------------------------------- ldwb (Founder)
LDWB = "ldwb.workerbj.cn"
LDWB_PAGES = {2: "第01版：要闻", 3: "第02版：综合新闻"}


def founder_node(day: str, node: int, items: list[Art]) -> str:
    ym, d = day[:7], day[8:]
    pages = "".join(f'<li><a id="pageLink" href="node_{n}.htm">{esc(name)}</a></li>' for n, name in LDWB_PAGES.items())
    titles = "".join(f'<li><a href="{a.path.rsplit("/", 1)[-1]}">{esc(a.title)}</a></li>' for a in items)
    body = f"""<div class="header">劳动午报 {day} <a href="/content/{ym}/period.xml">往期回顾</a></div>
<div class="paper-nav"><ul id="pageList">{pages}</ul></div>
<div class="page-title">{esc(LDWB_PAGES[node])}</div>
<div class="page-pic"><img src="/images/{ym}/{d}/{node}/page.jpg" usemap="#PagePicMap"></div>
<div class="title-list"><ul id="titleList">{titles}</ul></div>
<div class="footer">劳动午报社版权所有</div>"""
    return page(f"劳动午报-{LDWB_PAGES[node]}", body)


def founder_article(a: Art, node: int) -> str:
    comment = (f"<!--<founder-title>{esc(a.title)}</founder-title><founder-subtitle></founder-subtitle>"
               f"<founder-author>{esc(a.author)}</founder-author><founder-date>{a.day}</founder-date>-->")
    paras = "".join(f"<p>　　{esc(p)}</p>" for p in a.body_paragraphs())
    body = f"""<div class="header">劳动午报 {a.day}</div>
<div class="paper-nav"><a href="node_{node}.htm">{esc(LDWB_PAGES[node])}</a></div>
{comment}
<div class="article">
<h3 class="pretitle"></h3><h1 class="title">{esc(a.title)}</h1><h3 class="subtitle"></h3>
<div class="author">{esc(a.author)}</div>
<founder-content>{paras}</founder-content>
</div>
<div class="footer">劳动午报社版权所有 未经许可不得转载</div>"""
    return page(f"劳动午报-{a.title}", body)


def founder_period(days: list[str]) -> str:
    entries = "".join(f"<period><period_name>{d[:4]}年{d[5:7]}月{d[8:]}日</period_name><period_date>{d}</period_date>"
                      f"<front_page>node_2.htm</front_page></period>" for d in days)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<periodlist>{entries}</periodlist>\n'


# ---------------------------------------------------------------------------------------------- nfgb (post_<id>)
NFGB = "www.nfgb.com.cn"


def gdpost_article(a: Art, peers: list[Art]) -> str:
    author = f" 作者:{esc(a.author)}" if a.author else ""
    body = f"""<div class="top">{nav([("首页", "/"), ("要闻", "/yw/"), ("工会", "/gh/"), ("维权", "/wq/")])}</div>
<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="/yw/">要闻</a></div>
<div class="article-box"><h1 class="article-title">{esc(a.title)}</h1>
<div class="article-info">{a.published[:10]} 来源:{esc(a.origin)}{author} <span class="share">分享:</span></div>
<div class="article-content">
{body_html(a, "https://www.nfgb.com.cn/attachement/jpg/site2/20250723", indent=False)}
<p class="article-editor">编辑:{editor(a)} 二审:{EDITORS[(sid(a.url) + 2) % len(EDITORS)]}</p>
</div></div>
{related(peers, a, "推荐阅读")}
<div class="footer">南方工报社版权所有 粤ICP备12345678号</div>"""
    return page(f"{a.title}_南方工报", body)


def gdpost_list(items: list[Art]) -> str:
    lis = "".join(f'<li><a href="{a.path}">{esc(a.title)}</a><span>{a.day}</span></li>' for a in items)
    body = f"""{nav([("首页", "/"), ("要闻", "/yw/")])}<div class="list"><ul>{lis}</ul></div>
<div class="footer">南方工报社版权所有</div>"""
    return page("要闻_南方工报", body)


# ---------------------------------------------------------------------------------------------- WeChat
WECHAT = "mp.weixin.qq.com"
ACCOUNTS = {
    "wx_acftu": ("全国总工会", "3071856612", "gh_1a2b3c4d5e6f"),
    "wx_shaanxi": ("陕西工会", "3210458870", "gh_2b3c4d5e6f70"),
    "wx_jining": ("济宁工会", "3572219043", "gh_3c4d5e6f7081"),
    "wx_jiaxing": ("嘉兴市总工会", "3924571186", "gh_4d5e6f708192"),
}
WECHAT_IP = {"wx_acftu": "北京", "wx_shaanxi": "陕西", "wx_jining": "山东", "wx_jiaxing": "浙江"}


def biz_of(outlet: str) -> str:
    return base64.b64encode(ACCOUNTS[outlet][1].encode()).decode()


def wechat_article(a: Art, new_form: bool) -> str:
    name, _uid, user_name = ACCOUNTS[a.outlet]
    biz, mid, idx, sn = a.extra["biz"], a.extra["mid"], a.extra["idx"], a.extra["sn"]
    ct = str(int(datetime.fromisoformat(a.published + TZ).timestamp()))
    create_time = a.published[:16]
    title_html = (f'<h1 class="rich_media_title" id="activity-name"><span class="js_title_inner">{esc(a.title)}</span></h1>'
                  if new_form else f'<h2 class="rich_media_title" id="activity-name">\n{esc(a.title)}\n</h2>')
    paras = []
    for i, text in enumerate(a.body_paragraphs()):
        paras.append(f'<section style="margin-bottom:16px;"><p style="text-indent:2em;line-height:1.75em;"><span leaf="">{esc(text)}</span></p></section>')
        if i == 0 and a.captions:
            key = hashlib.md5(f"{a.url}img".encode()).hexdigest()[:24]
            paras.append(f'<section style="text-align:center;"><img class="rich_pages wxw-img" data-src="https://mmbiz.qpic.cn/mmbiz_jpg/{key}/640?wx_fmt=jpeg" '
                         f'data-ratio="0.6667" data-w="1080" data-type="jpeg" data-s="300,640" src="" style="width:100%;"></section>'
                         f'<p style="text-align:center;font-size:12px;color:#888;"><span leaf="">{esc(a.captions[0])}</span></p>')
    author_html = f'<span class="rich_media_meta rich_media_meta_text" id="js_author_name">{esc(a.author)}</span>' if a.author else ""
    ip = (f'<span id="js_ip_wording_wrp" class="rich_media_meta_text">发表于<span id="js_ip_wording">{WECHAT_IP[a.outlet]}</span></span>'
          if new_form else "")
    script = f"""<script nonce="{sid(a.url) % 10**9}" type="text/javascript">
    var biz = "" || "{biz}";
    var sn = "" || "{sn}";
    var mid = "" || "{mid}";
    var idx = "" || "{idx}";
    var appmsgid = "" || "{mid}";
    var ct = "{ct}";
    var svr_time = "{int(ct) + 86400}";
    var nickname = htmlDecode("{name}");
    var user_name = "{user_name}";
    var msg_title = '{a.title.replace("'", "")}'.html(false);
    var msg_desc = htmlDecode("{esc(a.paragraphs[0][:54])}");
    var msg_cdn_url = "https://mmbiz.qpic.cn/mmbiz_jpg/{hashlib.md5(a.url.encode()).hexdigest()[:24]}/0?wx_fmt=jpeg";
    var msg_link = "http://mp.weixin.qq.com/s?__biz={biz}&amp;mid={mid}&amp;idx={idx}&amp;sn={sn}#rd";
    var msg_source_url = '';
    var copyright_stat = "{1 if a.role == 'original' else 0}";
    var _ori_article_type = "";
    var item_show_type = "0";
    var real_item_show_type = "0";
    {"var createTime = '" + create_time + "';" if new_form else ""}
</script>"""
    body = f"""<div id="js_article" class="rich_media"><div id="js_top_ad_area" class="top_banner"></div>
<div class="rich_media_inner"><div id="page-content" class="rich_media_area_primary">
<div class="rich_media_area_primary_inner"><div id="img-content" class="rich_media_wrp">
{title_html}
<div id="meta_content" class="rich_media_meta_list">
{'<span id="copyright_logo" class="wx_tap_link js_wx_tap_highlight rich_media_meta icon_appmsg_tag appmsg_title_tag weui-wa-hotarea">原创</span>' if a.role == 'original' else ''}
{author_html}
<span class="rich_media_meta rich_media_meta_nickname" id="profileBt"><a href="javascript:void(0);" class="wx_tap_link js_wx_tap_highlight weui-wa-hotarea" id="js_name">{esc(name)}</a></span>
<em id="publish_time" class="rich_media_meta rich_media_meta_text"></em>
{ip}
</div>
<div class="rich_media_content js_underline_content autoTypeSetting24psection" id="js_content" style="visibility: hidden; opacity: 0;">
{"".join(paras)}
</div>
<div class="rich_media_tool" id="js_toobar3"><div id="js_read_area3" class="media_tool_meta tips_global meta_primary">阅读 <span id="readNum3"></span></div>
<a class="media_tool_meta meta_primary" id="js_view_source" href="##">阅读原文</a></div>
</div></div></div></div>
<div id="js_pc_qr_code" class="qr_code_pc_outer"><div class="qr_code_pc_inner"><p>微信扫一扫<br>关注该公众号</p></div></div>
</div>
{script}
<script nonce="{sid(a.url) % 10**9}" type="text/javascript">seajs.use("appmsg/index.js");</script>"""
    head = (f'<meta name="description" content="{esc(a.paragraphs[0][:54])}">\n<meta name="author" content="{esc(a.author)}">\n'
            f'<meta property="og:title" content="{esc(a.title)}">\n<meta property="og:url" content="http://mp.weixin.qq.com/s?__biz={biz}&amp;mid={mid}&amp;idx={idx}&amp;sn={sn}#rd">\n'
            f'<meta property="og:site_name" content="微信公众平台">\n<meta property="og:type" content="article">\n'
            f'<meta property="og:article:author" content="{esc(name)}">\n')
    return page(a.title, body, head_extra=head)


def rss(title: str, link: str, items: list[str], generator: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" '
            f'xmlns:content="http://purl.org/rss/1.0/modules/content/">\n<channel>\n<title><![CDATA[{title}]]></title>\n'
            f"<link>{esc(link)}</link>\n<description><![CDATA[{title}]]></description>\n<generator>{generator}</generator>\n"
            f"<language>zh-cn</language>\n{''.join(items)}</channel>\n</rss>\n")


def rfc822(a: Art) -> str:
    return datetime.fromisoformat(a.published + TZ).strftime("%a, %d %b %Y %H:%M:%S +0800")


# ---------------------------------------------------------------------------------------------- build
OUTLETS = {
    "workercn": WORKERCN, "acftu": ACFTU, "jsgh": JSGH, "acftu_people": PEOPLE, "ldwb": LDWB, "nfgb": NFGB,
    "wx_acftu": WECHAT, "wx_shaanxi": WECHAT, "wx_jining": WECHAT, "wx_jiaxing": WECHAT,
}
# One workercn repost is cut off in transfer (the server sends part of the page).
TRUNCATED_STORY, TRUNCATED_OUTLET = "14-luoyang-zhigong-yeshenghuo", "acftu_people"
# One WeChat story is in two mirrors: one gives the permanent link, the other the short /s/<id> link.
SHORT_LINK_STORY = "24-jiaxing-yizhan-kentanhui"


class Writer:
    """Collects files and routes, then writes them out."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.routes: list[dict[str, object]] = []

    def put(self, host: str, path: str, text: str, encoding: str = "utf-8") -> None:
        rel = path.lstrip("/")
        if not rel or rel.endswith("/"):
            rel += "index.html"
        self.files[f"{host}/{rel}"] = text.encode(encoding)


def assign_urls(arts: list[Art]) -> None:
    counters: dict[str, int] = {}
    for a in sorted(arts, key=lambda x: (x.outlet, x.published, x.story)):
        counters[a.outlet] = counters.get(a.outlet, 0) + 1
        k = counters[a.outlet]
        y, m, d = a.day.split("-")
        if a.outlet == "workercn":
            a.n = 8540000 + sid(a.story, a.outlet) % 9000
            a.path = f"/c/{a.day}/{a.n}.shtml"
        elif a.outlet == "acftu":
            a.n = 651200 + k * 7
            a.path = f"/xwdt/ghyw/{y}{m}/t{y}{m}{d}_{a.n}.html"
        elif a.outlet == "jsgh":
            a.n = 19236000 + sid(a.story) % 900
            a.path = f"/art/{y}/{int(m)}/{int(d)}/art_{JSGH_COL}_{a.n}.html"
        elif a.outlet == "acftu_people":
            a.n = 40530000 + sid(a.story) % 9000
            a.path = f"/n1/{y}/{m}{d}/c67502-{a.n}.html"
        elif a.outlet == "ldwb":
            a.n = 123400 + k * 3
            a.extra["node"] = "2" if k % 2 else "3"
            a.path = f"/content/{y}-{m}/{d}/content_{a.n}.htm"
        elif a.outlet == "nfgb":
            a.n = 214800 + k * 11
            a.path = f"/yw/content/post_{a.n}.html"
        else:
            biz = biz_of(a.outlet)
            mid = str(2651000000 + sid(a.story, a.outlet) % 900000)
            idx = "1"
            sn = hashlib.md5(f"{biz}{mid}{idx}".encode()).hexdigest()
            a.extra.update(biz=biz, mid=mid, idx=idx, sn=sn)
            a.extra["short"] = base64.urlsafe_b64encode(hashlib.sha1(sn.encode()).digest()[:16]).decode().rstrip("=")
            a.path = f"/s?__biz={biz}&mid={mid}&idx={idx}&sn={sn}"
        # people.cn channels are still served over plain http; the others over https.
        a.url = f"{'http' if a.outlet == 'acftu_people' else 'https'}://{OUTLETS[a.outlet]}{a.path}"


def build(arts: list[Art]) -> tuple[Writer, dict[str, object]]:
    w = Writer()
    by_outlet: dict[str, list[Art]] = {}
    for a in arts:
        by_outlet.setdefault(a.outlet, []).append(a)
    for items in by_outlet.values():
        items.sort(key=lambda x: x.published, reverse=True)

    # workercn: 8 per list page, newest first
    items = by_outlet["workercn"]
    pages = [items[i : i + 8] for i in range(0, len(items), 8)]
    for i, chunk in enumerate(pages, 1):
        w.put(WORKERCN, "/gonghui/" if i == 1 else f"/gonghui/index_{i}.shtml", workercn_list(chunk, i, len(pages)))
    for a in items:
        w.put(WORKERCN, a.path, workercn_article(a, [p for p in items if p is not a]))

    # acftu: TRS, 2 per page so paging is exercised
    items = by_outlet["acftu"]
    pages = [items[i : i + 2] for i in range(0, len(items), 2)]
    for i, chunk in enumerate(pages):
        w.put(ACFTU, "/xwdt/ghyw/index.html" if i == 0 else f"/xwdt/ghyw/index_{i}.html", trs_list(chunk, i, len(pages), "工会要闻"))
    for a in items:
        w.put(ACFTU, a.path, trs_article(a, [p for p in items if p is not a], "中华全国总工会", "新闻动态 &gt; 工会要闻"))

    # jsgh: Hanweb column with datastore (first page) and dataproxy.jsp for the rest
    items = by_outlet["jsgh"]
    w.put(JSGH, f"/col/col{JSGH_COL}/index.html", hanweb_column(items[:JSGH_PERPAGE], len(items)))
    for p in range(2, -(-len(items) // JSGH_PERPAGE) + 1):
        chunk = items[(p - 1) * JSGH_PERPAGE : p * JSGH_PERPAGE]
        name = f"/module/web/jpage/dataproxy-page{p}.xml"
        w.put(JSGH, name, '<?xml version="1.0" encoding="UTF-8"?>\n' + hanweb_datastore(chunk, len(items)))
        w.routes.append({"host": JSGH, "path": "/module/web/jpage/dataproxy.jsp", "query": {"page": str(p), "columnid": str(JSGH_COL)},
                         "file": f"{JSGH}{name}", "content_type": "text/xml; charset=UTF-8"})
    for a in items:
        w.put(JSGH, a.path, hanweb_article(a, [p for p in items if p is not a]))

    # people.cn: GB18030 bytes declared as GB2312 (GB2312 pages routinely hold characters beyond it); the list and most articles say so in the header, two only in the meta tag
    items = by_outlet["acftu_people"]
    w.put(PEOPLE, "/GB/67582/index.html", people_list(items), "gb18030")
    for i, a in enumerate(items):
        text = people_article(a, [p for p in items if p is not a])
        if a.story == TRUNCATED_STORY and a.outlet == TRUNCATED_OUTLET:
            # The CMS wrote half the page: the response is complete, the HTML is not.
            w.put(PEOPLE, a.path, text[: int(len(text) * 0.55)], "gb18030")
            continue
        w.put(PEOPLE, a.path, text, "gb18030")
        if i % 3 == 1:
            w.routes.append({"host": PEOPLE, "path": a.path, "content_type": "text/html"})

    # ldwb: Founder e-paper, issues Mon-Sat, two pages per issue
    items = by_outlet["ldwb"]
    issue_days = sorted({"2025-07-21", "2025-07-22", "2025-07-23", "2025-07-24", "2025-07-25", "2025-07-26"} | {a.day for a in items})
    w.put(LDWB, "/content/2025-07/period.xml", founder_period(sorted(issue_days, reverse=True)))
    w.routes.append({"host": LDWB, "path": "/content/2025-07/period.xml", "content_type": "text/xml; charset=UTF-8"})
    for day in issue_days:
        for node in LDWB_PAGES:
            on_page = [a for a in items if a.day == day and a.extra["node"] == str(node)]
            w.put(LDWB, f"/content/{day[:7]}/{day[8:]}/node_{node}.htm", founder_node(day, node, on_page))
    for a in items:
        w.put(LDWB, a.path, founder_article(a, int(a.extra["node"])))

    # nfgb: post_<id> family
    items = by_outlet["nfgb"]
    w.put(NFGB, "/yw/index.html", gdpost_list(items))
    for a in items:
        w.put(NFGB, a.path, gdpost_article(a, [p for p in items if p is not a]))

    # WeChat: article pages (query routes), short links, and mirror feeds
    feeds: dict[str, list[str]] = {}
    for outlet in ACCOUNTS:
        for a in by_outlet.get(outlet, []):
            new_form = outlet in ("wx_acftu", "wx_jiaxing")
            fname = f"{WECHAT}/s/{a.extra['mid']}_{a.extra['idx']}.html"
            w.files[fname] = wechat_article(a, new_form).encode()
            w.routes.append({"host": WECHAT, "path": "/s", "query": {"__biz": a.extra["biz"], "mid": a.extra["mid"], "idx": a.extra["idx"]},
                             "file": fname})
            w.routes.append({"host": WECHAT, "path": f"/s/{a.extra['short']}", "file": fname})
            link = f"https://{WECHAT}/s?__biz={a.extra['biz']}&amp;mid={a.extra['mid']}&amp;idx={a.extra['idx']}&amp;sn={a.extra['sn']}&amp;chksm=98f2{sid(a.url) % 10**8:08d}&amp;scene=27#wechat_redirect"
            feeds.setdefault(outlet, []).append(
                f"<item>\n<title><![CDATA[{a.title}]]></title>\n<link>{link}</link>\n"
                f'<guid isPermaLink="false">{outlet}-{a.extra["mid"]}</guid>\n<description><![CDATA[{a.paragraphs[0][:80]}]]></description>\n'
                f"<pubDate>{rfc822(a)}</pubDate>\n<author><![CDATA[{ACCOUNTS[outlet][0]}]]></author>\n</item>\n")
    mirrors: dict[str, list[tuple[str, str]]] = {}
    for outlet, items_xml in feeds.items():
        name = ACCOUNTS[outlet][0]
        host, path = "rsshub.app", f"/wechat/wechat2rss/{hashlib.sha1(outlet.encode()).hexdigest()}"
        w.files[f"{host}{path}.xml"] = rss(name, f"https://{WECHAT}/", items_xml, "RSSHub").encode()
        w.routes.append({"host": host, "path": path, "file": f"{host}{path}.xml", "content_type": "application/rss+xml; charset=utf-8"})
        mirrors.setdefault(outlet, []).append((f"https://{host}{path}", "rss"))
    # The short-link mirror (shaped like WeWe-RSS output: guid = link = /s/<id>)
    short = [a for a in by_outlet["wx_jiaxing"] if a.story == SHORT_LINK_STORY]
    items_xml = [f"<item>\n<title><![CDATA[{a.title}]]></title>\n<link>https://{WECHAT}/s/{a.extra['short']}</link>\n"
                 f'<guid isPermaLink="true">https://{WECHAT}/s/{a.extra["short"]}</guid>\n<pubDate>{rfc822(a)}</pubDate>\n</item>\n' for a in short]
    host, path = "wewe-rss.jiaxing-union.example", "/feeds/MP_WXS_3924571186.rss"
    w.files[f"{host}{path}"] = rss("嘉兴市总工会", f"https://{WECHAT}/", items_xml, "WeWe-RSS").encode()
    w.routes.append({"host": host, "path": path, "file": f"{host}{path}", "content_type": "application/rss+xml; charset=utf-8"})
    mirrors["wx_jiaxing"].append((f"https://{host}{path}", "rss"))

    # A source that only answers with server errors.
    w.routes.append({"host": "www.scgh.org", "prefix": "/", "status": 503})
    # Robots: every host allows articles; workercn keeps crawlers out of its search.
    for host in (WORKERCN, ACFTU, JSGH, PEOPLE, LDWB, NFGB):
        w.put(host, "/robots.txt", "User-agent: *\nDisallow: /search/\nDisallow: /login.html\n")
    w.put(WECHAT, "/robots.txt", "User-agent: *\nAllow: /\n")
    return w, {"mirrors": mirrors}


def registry(mirrors: dict[str, list[tuple[str, str]]]) -> str:
    wx = []
    for outlet, (name, _uid, _user) in ACCOUNTS.items():
        region = {"wx_acftu": "全国", "wx_shaanxi": "陕西", "wx_jining": "山东", "wx_jiaxing": "浙江"}[outlet]
        urls = ", ".join(f'{{ url = "{u}", format = "{f}" }}' for u, f in mirrors.get(outlet, []))
        wx.append(f"""
[[source]]
id = "{outlet}"
name = "{name}微信公众号"
kind = "wechat"
account = "{name}"
biz = "{biz_of(outlet)}"
region = "{region}"
authority = {3 if region == "全国" else 2}
mirrors = [{urls}]
""")
    return f"""# The bundled sample's sources: real domains, answered by the local sample server during `union-news demo`.
# Generated by data/samples/build.py; the real registry is data/sources.toml.

[[source]]
id = "workercn"
name = "中工网"
aliases = ["工人日报", "工人日报客户端"]
family = "workercn"
region = "全国"
authority = 3
home = "https://www.workercn.cn/"
lists = ["https://www.workercn.cn/gonghui/"]

[[source]]
id = "acftu"
name = "中华全国总工会"
aliases = ["全国总工会", "全总"]
family = "trs"
region = "全国"
authority = 3
home = "https://www.acftu.org/"
lists = ["https://www.acftu.org/xwdt/ghyw/index.html"]
article_pattern = '/xwdt/ghyw/\\d{{6}}/t\\d{{8}}_\\d+\\.html$'

[[source]]
id = "jsgh"
name = "江苏工会网"
aliases = ["江苏省总工会", "江苏工会"]
family = "hanweb"
region = "江苏"
home = "https://www.jsgh.org/"
lists = ["https://www.jsgh.org/col/col{JSGH_COL}/index.html?uid={JSGH_UNIT}&pageNum=1"]

[[source]]
id = "acftu_people"
name = "中国工会新闻网"
aliases = ["中国工会新闻", "人民网"]
family = "peoplecn"
region = "全国"
authority = 3
home = "http://acftu.people.com.cn/"
lists = ["http://acftu.people.com.cn/GB/67582/index.html"]

[[source]]
id = "ldwb"
name = "劳动午报"
family = "founder"
region = "北京"
home = "https://ldwb.workerbj.cn/"
lists = ["https://ldwb.workerbj.cn/content/{{date:%Y-%m}}/period.xml"]

[[source]]
id = "nfgb"
name = "南方工报"
family = "gdpost"
region = "广东"
home = "https://www.nfgb.com.cn/"
lists = ["https://www.nfgb.com.cn/yw/index.html"]

[[source]]
id = "scgh"
name = "四川工会"
family = "generic"
region = "四川"
home = "https://www.scgh.org/"
lists = ["https://www.scgh.org/page/news/tmore6c0d4b9e2f8a4e1b9d3c7a5f0e2b4d6c.html"]
article_pattern = '/page/inf_src[0-9a-f]{{32}}\\.html$'
note = "Answers 503 to everything in the sample: the source that fails."
{"".join(wx)}"""


def expected(arts: list[Art]) -> dict[str, object]:
    pages: dict[str, object] = {}
    stories: dict[str, dict[str, object]] = {}
    for a in arts:
        paras = a.body_paragraphs()
        truncated = a.story == TRUNCATED_STORY and a.outlet == TRUNCATED_OUTLET
        pages[a.url] = {
            "story": a.story, "digest_item": a.digest_item, "section": a.section, "belongs": a.belongs,
            "outlet": a.outlet, "role": a.role, "title": a.title, "published": a.published[:16],
            "author": a.author, "origin": a.origin, "byline": a.byline, "body_first": a.paragraphs[0][:40],
            "body_last": a.paragraphs[-1][-30:], "truncated": truncated, "paragraphs": len(paras),
            "short_url": f"https://{WECHAT}/s/{a.extra['short']}" if "short" in a.extra else None,
        }
        story = stories.setdefault(a.story, {"digest_item": a.digest_item, "section": a.section, "belongs": a.belongs, "urls": []})
        story["urls"].append(a.url)  # type: ignore[union-attr]
    return {"pages": pages, "stories": stories, "truncated_story": TRUNCATED_STORY, "short_link_story": SHORT_LINK_STORY}


def main(argv: list[str] | None = None) -> int:
    """Build into this folder, or into the folder given as the only argument (tests compare the two)."""
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else HERE
    sites = out / "sites"
    arts = load()
    assign_urls(arts)
    writer, meta = build(arts)
    if sites.exists():
        shutil.rmtree(sites)
    for rel, data in sorted(writer.files.items()):
        path = sites / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    lines = ["# Routes of the sample server beyond static files (generated by data/samples/build.py).\n"]
    for route in writer.routes:
        lines.append("[[route]]")
        for key, value in route.items():
            if isinstance(value, dict):
                inner = ", ".join(f'"{k}" = "{v}"' for k, v in value.items())
                lines.append(f"{key} = {{ {inner} }}")
            else:
                lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
        lines.append("")
    lines += ["[hosts]", f'"{PEOPLE}" = {{ content_type = "text/html; charset=GB2312" }}', ""]
    (sites / "routes.toml").write_text("\n".join(lines), encoding="utf-8")
    (out / "sources.toml").write_text(registry(meta["mirrors"]), encoding="utf-8")  # type: ignore[arg-type]
    (out / "expected.json").write_text(json.dumps(expected(arts), ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                        encoding="utf-8")
    print(f"wrote {len(writer.files)} files, {len(writer.routes)} routes, {len(arts)} articles", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

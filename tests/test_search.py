"""Chinese full-text search: tokenization tables, then the same searches on SQLite (FTS5) and PostgreSQL."""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta

import pytest
from sqlalchemy import text

from aggregator import search
from aggregator.records import ArticleRecord
from aggregator.search import Filters, SearchError
from aggregator.store import Store
from aggregator.store.models import Article
from aggregator.store.writer import apply_record
from tests._stores import BASE, add_article, add_source, any_db_url, any_store, pg_template, pg_url  # noqa: F401

TOKENS = [
    ("工会", ["工会", "会"]),
    ("江苏省总工会", ["江苏", "苏省", "省总", "总工", "工会", "会"]),
    ("ＡＢＣ 2025年", ["abc", "2025", "年"]),
    ("Union-News", ["union", "news"]),
    ("a工b", ["a", "工", "b"]),
    ("工会，驿站", ["工会", "会", "驿站", "站"]),
    ("，。！……", []),
    ("", []),
    # Long enough for the vectorised path (search._VECTOR_MIN characters and more).
    ("工会" * 100, ["工会", "会工"] * 99 + ["工会", "会"]),
    ("ａ工Ｂ，" * 60, ["a", "工", "b"] * 60),
    ("驿站" + "。" * 200 + "x1", ["驿站", "站", "x1"]),
]


@pytest.mark.parametrize(("value", "expected"), TOKENS)
def test_tokens(value: str, expected: list[str]) -> None:
    assert search.tokens(value) == expected


@pytest.mark.parametrize("value", ["\ud800工", "\ud800" * 150 + "工"])
def test_lone_surrogates_are_no_token(value: str) -> None:
    # An undecodable command-line argument arrives with lone surrogates; PostgreSQL cannot even store one.
    assert search.tokens(value) == ["工"]


QUERY_TOKENS = [
    ("驿站", ["驿站"], False),
    ("职工驿站", ["职工", "工驿", "驿站"], False),
    ("站", ["站"], True),
    ("abc", ["abc"], False),
    ("工会abc", ["工会", "会", "abc"], False),
    ("abc站", ["abc", "站"], True),
]


@pytest.mark.parametrize(("word", "expected", "prefix"), QUERY_TOKENS)
def test_query_tokens(word: str, expected: list[str], prefix: bool) -> None:
    assert search.query_tokens(word) == (expected, prefix)


QUERIES = [
    ("驿站", '("驿站")', "('驿站')"),
    ("职工驿站", '("职工 工驿 驿站")', "(('职工' <-> '工驿' <-> '驿站'))"),
    ("站", '("站"*)', "('站':*)"),
    ("工会 驿站", '("工会" AND "驿站")', "('工会' & '驿站')"),
    ("工会 -驿站", '(("工会") NOT "驿站")', "('工会' & !'驿站')"),
    ("外卖 OR 快递", '("外卖") OR ("快递")', "('外卖') | ('快递')"),
]


@pytest.mark.parametrize(("query", "fts5", "tsquery"), QUERIES)
def test_query_translation(query: str, fts5: str, tsquery: str) -> None:
    assert search.fts5_query(query) == fts5
    assert search.tsquery(query) == tsquery


@pytest.mark.parametrize("query", ["", "  ", "，。", "-工会", '"unclosed'])
def test_unsearchable_queries_say_why(query: str) -> None:
    with pytest.raises(SearchError):
        search.fts5_query(query)


def test_sort_key_orders_by_day_then_id() -> None:
    assert search.sort_key(BASE, 5) < search.sort_key(BASE + timedelta(days=1), 1)
    assert search.sort_key(BASE, 1) < search.sort_key(BASE + timedelta(hours=3), 2)
    # Days are Shanghai days: 23:30 and 00:30 the next morning are different days.
    late = BASE.replace(hour=23, minute=30)
    assert search.sort_key(late, 9) < search.sort_key(late + timedelta(hours=1), 1)
    assert search.sort_key(BASE, 7) & search.ID_MASK == 7
    assert search.sort_key(None, 3) == 3


# -- the same searches on both databases -----------------------------------------------------------------

@pytest.fixture
def corpus(any_store: Store) -> dict[str, int]:
    """Five articles over a week; returns their ids by name."""
    with any_store.session() as s:
        for sid, name, region in [("jsgh", "江苏工会网", "江苏"), ("ldwb", "劳动午报", "北京"), ("whgh", "武汉工会", "湖北")]:
            add_source(s, sid, name, region)
        ids = {
            "jiangsu": add_article(s, "jsgh", "江苏省总工会开展夏送清凉活动", "户外劳动者在职工驿站歇脚，领取清凉物品。",
                                   days=0, region="江苏").id,
            "weather": add_article(s, "ldwb", "天气预报", "明天有雷阵雨。工会提醒注意安全。", days=1,
                                   section="none", region="北京").id,
            "wuhan": add_article(s, "whgh", "工会驿站延时开放", "武汉的驿站夜间也开放，Union News 报道。", days=2,
                                 region="湖北").id,
            "station": add_article(s, "ldwb", "地铁新线开通", "新站台今天启用。", days=3, section="建功立业",
                                   region="北京").id,
            "broken": add_article(s, "ldwb", "空白页面", "", days=4, status="empty", section=None),
        }
    return ids


def ids(store: Store, query: str, **kwargs: object) -> list[int]:
    filters = Filters(**{k: v for k, v in kwargs.items() if k in ("section", "region", "source", "since", "until")})
    options = {k: v for k, v in kwargs.items() if k in ("limit", "order")}
    with store.sessions() as session:
        return [hit.id for hit in search.search(session, query, filters, **options)]  # type: ignore[arg-type]


def test_two_character_word_found_in_titles_and_bodies_newest_first(any_store: Store, corpus: dict[str, int]) -> None:
    assert ids(any_store, "驿站") == [corpus["wuhan"], corpus["jiangsu"]]
    assert ids(any_store, "工会") == [corpus["wuhan"], corpus["weather"], corpus["jiangsu"]]


def test_a_word_inside_a_longer_run_is_found(any_store: Store, corpus: dict[str, int]) -> None:
    assert ids(any_store, "省总工会") == [corpus["jiangsu"]]
    assert ids(any_store, "清凉") == [corpus["jiangsu"]]


def test_phrase_matches_only_the_exact_sequence(any_store: Store, corpus: dict[str, int]) -> None:
    assert ids(any_store, "职工驿站") == [corpus["jiangsu"]]
    assert ids(any_store, "工会驿站") == [corpus["wuhan"]]
    assert ids(any_store, "驿站工会") == []


def test_single_character_matches_anywhere(any_store: Store, corpus: dict[str, int]) -> None:
    # 站 ends a run in 驿站 and starts one in 站台: both are found.
    assert ids(any_store, "站") == [corpus["station"], corpus["wuhan"], corpus["jiangsu"]]


def test_and_or_not(any_store: Store, corpus: dict[str, int]) -> None:
    assert ids(any_store, "工会 驿站") == [corpus["wuhan"], corpus["jiangsu"]]
    assert ids(any_store, "工会 -驿站") == [corpus["weather"]]
    assert ids(any_store, "雷阵雨 OR 站台") == [corpus["station"], corpus["weather"]]


def test_latin_words_ignore_case_and_width(any_store: Store, corpus: dict[str, int]) -> None:
    assert ids(any_store, "UNION") == [corpus["wuhan"]]
    assert ids(any_store, "ｎｅｗｓ") == [corpus["wuhan"]]


def test_filters(any_store: Store, corpus: dict[str, int]) -> None:
    assert ids(any_store, "工会", section="维权服务") == [corpus["wuhan"], corpus["jiangsu"]]
    assert ids(any_store, "工会", region="北京") == [corpus["weather"]]
    assert ids(any_store, "驿站", source="jsgh") == [corpus["jiangsu"]]
    assert ids(any_store, "工会", since=BASE + timedelta(hours=12)) == [corpus["wuhan"], corpus["weather"]]
    assert ids(any_store, "工会", until=BASE + timedelta(days=1, hours=1)) == [corpus["weather"], corpus["jiangsu"]]
    assert ids(any_store, "工会", since=BASE + timedelta(hours=12), until=BASE + timedelta(days=1, hours=1)) == [corpus["weather"]]
    assert ids(any_store, "工会", limit=1) == [corpus["wuhan"]]


def test_relevance_puts_title_hits_first(any_store: Store, corpus: dict[str, int]) -> None:
    # 工会 is in the title of jiangsu and wuhan, only in the body of weather.
    assert ids(any_store, "工会", order="relevance")[-1] == corpus["weather"]


def test_hits_carry_the_article_and_a_snippet(any_store: Store, corpus: dict[str, int]) -> None:
    with any_store.sessions() as session:
        hit = search.search(session, "职工驿站")[0]
    assert (hit.title, hit.source_id, hit.source_name, hit.region) == ("江苏省总工会开展夏送清凉活动", "jsgh", "江苏工会网", "江苏")
    assert hit.published_at == "2025-07-21T09:00+08:00"
    assert "职工驿站" in hit.snippet


def test_index_follows_updates_deletes_and_reprocessing(any_store: Store, corpus: dict[str, int]) -> None:
    with any_store.session() as session:
        article = session.get(Article, corpus["weather"])
        assert article is not None
        article.body_text = "高温天气，职工驿站全天开放。"
    assert ids(any_store, "雷阵雨") == []
    assert ids(any_store, "职工驿站") == [corpus["weather"], corpus["jiangsu"]]
    # Reprocessing copies a fresh record onto the row (aggregator.processing.reprocess uses apply_record).
    with any_store.session() as session:
        article = session.get(Article, corpus["station"])
        assert article is not None
        record = ArticleRecord(url=article.url, source_id="ldwb", title="地铁新线开通 驿站同步启用", body_text="新站台今天启用。")
        apply_record(article, record)
    assert corpus["station"] in ids(any_store, "驿站")
    # A later publication date moves the article in the newest-first order.
    with any_store.session() as session:
        article = session.get(Article, corpus["jiangsu"])
        assert article is not None
        article.published_at = BASE + timedelta(days=30)
    assert ids(any_store, "职工驿站") == [corpus["jiangsu"], corpus["weather"]]
    with any_store.session() as session:
        session.delete(session.get(Article, corpus["jiangsu"]))
    assert ids(any_store, "职工驿站") == [corpus["weather"]]
    with any_store.engine.begin() as connection:
        search.check_index(connection)
        assert search.count(connection, "站") == 3  # weather, wuhan, station


def test_rebuild_index_gives_the_same_answers(any_store: Store, corpus: dict[str, int]) -> None:
    before = ids(any_store, "工会")
    with any_store.engine.begin() as connection:
        assert search.rebuild_index(connection) == len(corpus)
        search.check_index(connection)
    assert ids(any_store, "工会") == before


def test_postgres_tokenizer_matches_python(pg_url: str) -> None:
    from aggregator.store import open_store

    store = open_store(pg_url)
    samples = [value for value, _ in TOKENS] + ["甘肃山丹：饿了么骑手集体协商签约（2025年7月）", "ＡＰＰ平台「外卖」3.5万单",
                                                  "ｋａｎａ カタカナ 한국어 테스트", "Ⅻ号线 ｍ²"]
    with store.engine.connect() as connection:
        for value in samples:
            got = connection.execute(text("SELECT un_search_tokens(:v)"), {"v": value}).scalar_one()
            assert list(got) == search.tokens(value), value
    store.close()


def test_sqlite_analysts_can_match_with_un_fts_query(tmp_path: object) -> None:
    from aggregator.store import open_store

    store = open_store(f"sqlite:///{tmp_path}/s.db")  # type: ignore[str-bytes-safe]
    with store.session() as session:
        add_source(session, "a", "甲")
        wanted = add_article(session, "a", "职工驿站开放", "内容").id
        add_article(session, "a", "其他", "内容")
    with store.engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT a.id FROM articles_fts f JOIN articles a ON a.id = (f.rowid & 4294967295) "
            "WHERE articles_fts MATCH un_fts_query(:q)"), {"q": "驿站"}).scalars().all()
    assert rows == [wanted]
    store.close()


# -- property: every piece of a text is found in it ------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_ALPHABET = "工会驿站职送清凉ab1，。 "


@settings(max_examples=200, deadline=None)
@given(body=st.text(alphabet=_ALPHABET, min_size=1, max_size=30), data=st.data())
def test_any_substring_of_a_text_finds_it(body: str, data: st.DataObject) -> None:
    import sqlite3

    start = data.draw(st.integers(0, len(body) - 1))
    end = data.draw(st.integers(start + 1, len(body)))
    piece = body[start:end]
    if not search.tokens(piece) or '"' in piece:
        return  # nothing searchable in it

    def word(ch: str) -> bool:
        return ch.isascii() and ch.isalnum()

    if (start > 0 and word(body[start - 1]) and word(body[start])) or (end < len(body) and word(body[end - 1])
                                                                         and word(body[end])):
        return  # ASCII words are matched whole, not in part (as in any word search)
    connection = sqlite3.connect(":memory:")
    search.register_sqlite_functions(connection)
    connection.execute("CREATE VIRTUAL TABLE f USING fts5(title, body, content='', tokenize='unicode61 remove_diacritics 0')")
    connection.execute("INSERT INTO f(rowid, title, body) VALUES (1, '', un_search_text(?))", (body,))
    # Quoted, so the piece's spaces and punctuation stay inside one term, as a user would type it.
    query = '"' + piece.replace('"', "") + '"' if " " in piece else piece
    found = connection.execute("SELECT rowid FROM f WHERE f MATCH ?", (search.fts5_query(query),)).fetchall()
    connection.close()
    assert found == [(1,)], (body, piece, search.fts5_query(query))


# -- property: both tokenizer paths give what the plain loop over runs gives ----------------------------

_TOKEN_ALPHABET = ("工会驿站ぁァ가豈ＡＢ１ab09AZ ，。\t\n-_\u3040\u30ff\u3400\u4dbf\u4e00\u9fff\uac00\ud7af\uf900\ufaff"
                   "\u303f\u3100\u33ff\u4dc0\ua000\ud7b0\ufb00\ud800\U00020000İẞⅫ")


def _reference_tokens(value: str) -> list[str]:
    """The tokenizer as first written: one regex match per run, the bigrams sliced one by one."""
    out: list[str] = []
    for match in re.finditer(f"([{search.CJK_CLASS}]+)|([a-z0-9]+)", search.normalize(value)):
        run, word = match.group(1), match.group(2)
        if word:
            out.append(word)
            continue
        out.extend(run[i:i + 2] for i in range(len(run) - 1))
        out.append(run[-1])
    return out


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(st.text(alphabet=_TOKEN_ALPHABET, max_size=300), st.text(max_size=300)))
def test_both_tokenizer_paths_match_the_reference(value: str) -> None:
    expected = _reference_tokens(value)
    normal = search.normalize(value)
    assert search._run_tokens(normal) == " ".join(expected)
    assert search._vector_tokens(normal) == " ".join(expected)
    assert search.tokens(value) == expected


# -- property: normalize() is NFKC and lower case, whatever the text -------------------------------------

# The characters normalize() replaces first, their neighbours in the compatibility blocks, combining marks
# (which compose with what precedes them, a replaced character's ASCII too), kana and hangul that compose.
_NORMALIZE_ALPHABET = ("，：；！？（）％～…\u3000\u00a0．＋－０９ＡＺａｚ｡､ｶﾞ\u2025\u2026\u00b7"
                       "工会aA1 .,~e\u0301\u0308\u0327\u0323\u3099\u309a\u1100\u1161\u11a8かカ가ẞİ")


@settings(max_examples=500, deadline=None)
@given(value=st.one_of(st.text(alphabet=_NORMALIZE_ALPHABET, max_size=80), st.text(max_size=80)))
def test_normalize_is_nfkc_and_lower_case(value: str) -> None:
    assert search.normalize(value) == unicodedata.normalize("NFKC", value).lower()


def test_normalize_folds_what_it_replaces_first_as_nfkc_does() -> None:
    for char, _decomposed in search._COMPATIBLE:
        text = f"工会{char}\u0301驿站{char}{char}"  # a combining mark after it composes with its ASCII form
        assert search.normalize(text) == unicodedata.normalize("NFKC", text).lower() != text

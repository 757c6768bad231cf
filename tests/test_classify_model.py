"""The n-gram model: deterministic training, versioned files, prediction equal to scikit-learn's, clear errors."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from aggregator.classify import LABELS, Lexicon, data_paths, load_model, load_taxonomy
from aggregator.classify.data import read_training
from aggregator.classify.model import CURRENT, dumps, model_name, save_model, train_model
from aggregator.classify.taxonomy import Example, TaxonomyError
from aggregator.classify.text import char_ngrams, clean, lede, model_grams

PATHS = data_paths()
TAXONOMY = load_taxonomy(PATHS["taxonomy"])
LEDE = int(TAXONOMY.setting("lede_chars"))
SHIPPED = read_training(PATHS["labels"])


def small_set(seed: int = 3, per_label: int = 20) -> list[Example]:
    """A quick, stratified subset of the shipped examples."""
    rng = random.Random(seed)
    picked: list[Example] = []
    for label in LABELS:
        rows = [e for e in SHIPPED if e.label == label]
        picked += rng.sample(rows, per_label)
    return picked


def test_shipped_model_is_exactly_what_training_on_the_shipped_data_gives() -> None:
    """Same data, same model, byte for byte: retraining data/labels/ reproduces data/models/CURRENT."""
    current = Path(PATHS["models"]) / (Path(PATHS["models"]) / CURRENT).read_text(encoding="utf-8").strip()
    with threadpool_limits(1):
        model = train_model(SHIPPED, dict(TAXONOMY.model), LEDE, {"shipped": len(SHIPPED), "manual": 0})
    assert current.name == f"{model.name}.json.gz", "data/labels changed: run `union-news train --no-store`"
    assert dumps(model) == current.read_bytes()


def test_training_does_not_depend_on_the_order_of_the_examples() -> None:
    examples = small_set()
    shuffled = list(examples)
    random.Random(11).shuffle(shuffled)
    with threadpool_limits(1):
        first, second = train_model(examples, dict(TAXONOMY.model), LEDE), train_model(shuffled, dict(TAXONOMY.model), LEDE)
    assert first.name == second.name
    assert dumps(first) == dumps(second)


def test_model_name_follows_the_data_and_the_settings() -> None:
    examples = small_set()
    params = dict(TAXONOMY.model)
    name = model_name(examples, params)
    assert name.startswith("sections-lr-") and len(name) == len("sections-lr-") + 12
    relabelled = [Example(examples[0].title, examples[0].text, "none")] + examples[1:]
    assert model_name(relabelled, params) != name
    assert model_name(examples, {**params, "C": 1.0}) != name
    assert model_name(list(reversed(examples)), params) == name


def test_prediction_matches_scikit_learn_on_the_same_fit() -> None:
    """The numpy-only prediction reads the stored weights exactly as scikit-learn's pipeline would."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    examples = small_set()
    params = dict(TAXONOMY.model)
    with threadpool_limits(1):
        model = train_model(examples, params, LEDE)
        ordered = sorted({(clean(e.title), clean(e.text), e.label) for e in examples})
        nmin, nmax, repeat = params["ngram_min"], params["ngram_max"], params["title_repeat"]
        vectorizer = TfidfVectorizer(analyzer=lambda d: model_grams(d[0], d[1], nmin, nmax, repeat),
                                     min_df=params["min_df"], sublinear_tf=True)
        matrix = vectorizer.fit_transform([(t, x[:LEDE]) for t, x, _ in ordered])
        reference = LogisticRegression(C=params["C"], max_iter=params["max_iter"]).fit(
            matrix, [LABELS.index(lab) for _, _, lab in ordered])
    probe = [e for e in SHIPPED if e not in examples][:40]
    expected = reference.predict_proba(vectorizer.transform([(clean(e.title), lede(e.text, LEDE)) for e in probe]))
    for row, e in zip(expected, probe):
        logits = model.predict(e.title, lede(e.text, LEDE)).logits
        got = np.exp(logits - logits.max())
        np.testing.assert_allclose(got / got.sum(), row, atol=1e-5)


def test_packed_lookup_predicts_exactly_what_the_vocabulary_dict_does() -> None:
    """The integer-packed n-gram lookup is a shortcut: its predictions equal the plain dictionary lookup's."""
    model = load_model(PATHS["models"])
    plain = load_model(PATHS["models"])
    plain._packed = None  # the path models with n-grams longer than three characters take
    items = [(e.title, lede(e.text, LEDE)) for e in SHIPPED[:300]] + [
        ("", ""), ("工", ""), ("", "会"), ("工会", "工会"), ("Ａ工会 \x00 x", "\U0010ffff工会\ud800职工 ABC"),
        ("职工\U0010ffff", "劳模\n工会"),
    ]
    for title, text in items:
        got, want = model.predict(title, text), plain.predict(title, text)
        np.testing.assert_array_equal(got.logits, want.logits)
        np.testing.assert_array_equal(got.index, want.index)
        np.testing.assert_array_equal(got.values, want.values)


def test_saved_model_loads_back_with_the_same_predictions(tmp_path: Path) -> None:
    with threadpool_limits(1):
        model = train_model(small_set(), dict(TAXONOMY.model), LEDE)
    path = save_model(model, tmp_path)
    assert (tmp_path / CURRENT).read_text().strip() == path.name
    loaded = load_model(tmp_path)
    assert loaded.name == model.name and loaded.vocabulary == model.vocabulary
    title, text = "常州市总工会为环卫工人送清凉", "常州市总工会近日为环卫工人送去防暑药品和清凉饮品。"
    np.testing.assert_array_equal(loaded.predict(title, text).logits, model.predict(title, text).logits)
    # gzip without a timestamp: the file's bytes carry no trace of when it was written.
    assert path.read_bytes()[4:8] == b"\x00\x00\x00\x00"


def test_save_without_activate_leaves_current_alone(tmp_path: Path) -> None:
    (tmp_path / CURRENT).write_text("older.json.gz\n")
    with threadpool_limits(1):
        path = save_model(train_model(small_set(), dict(TAXONOMY.model), LEDE), tmp_path, activate=False)
    assert path.exists() and (tmp_path / CURRENT).read_text() == "older.json.gz\n"


def test_training_without_some_label_says_which(tmp_path: Path) -> None:
    examples = [e for e in small_set() if e.label != "none"]
    with pytest.raises(TaxonomyError, match="no example of none"):
        train_model(examples, dict(TAXONOMY.model), LEDE)


def test_model_folder_without_current_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match="union-news train"):
        load_model(tmp_path)


def test_corrupt_model_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "sections-lr-000000000000.json.gz"
    path.write_bytes(b"not gzip at all")
    with pytest.raises(TaxonomyError, match="cannot read the model"):
        load_model(path)


def test_model_with_other_labels_is_refused(tmp_path: Path) -> None:
    with threadpool_limits(1):
        data = train_model(small_set(), dict(TAXONOMY.model), LEDE).to_json()
    data["labels"] = list(reversed(data["labels"]))
    path = tmp_path / "odd.json.gz"
    path.write_bytes(gzip.compress(json.dumps(data).encode()))
    with pytest.raises(TaxonomyError, match="differ from the taxonomy"):
        load_model(path)


LEXICON_CASES = [
    # 集体协商 (6) and 协商 (4): title_weight 2 in the title, plus 1 in the lede.
    ("terms in title and lede", "苏州市总工会开展集体协商", "双方开展集体协商。", "构建和谐劳动关系", (6 + 4) * 3),
    ("terms only in the lede count once", "苏州市总工会召开会议", "会议部署集体协商工作。", "构建和谐劳动关系", 6 + 4),
    # 雷阵雨 (5) in both, 预报 (3) in the lede, and no union marker (6).
    ("no union marker leans to none", "明天有雷阵雨", "气象台预报明天午后有雷阵雨。", "none", 5 * 3 + 3 + 6),
]


@pytest.mark.parametrize("case,title,head,label,score", LEXICON_CASES, ids=[c[0] for c in LEXICON_CASES])
def test_lexicon_scores(case: str, title: str, head: str, label: str, score: float) -> None:
    result = Lexicon(PATHS["lexicon"]).score(title, head)
    assert result.scores[LABELS.index(label)] == score
    assert result.evidence[label]


def test_char_ngrams_are_every_substring_of_the_lengths() -> None:
    assert char_ngrams("工会", 1, 3) == ["工", "会", "工会"]
    assert model_grams("送水", "驿站", 1, 2, 2) == ["送", "水", "送水"] * 2 + ["驿", "站", "驿站"]


LEDE_CASES = [
    ("whitespace collapsed", "第一段。\n\n  第二段。", 20, "第一段。 第二段。"),
    ("cut at the limit", "一二三四五六", 4, "一二三四"),
    ("leading blank lines skipped", "\n" * 500 + "正文开始", 10, "正文开始"),
]


@pytest.mark.parametrize("case,body,chars,expected", LEDE_CASES, ids=[c[0] for c in LEDE_CASES])
def test_lede(case: str, body: str, chars: int, expected: str) -> None:
    assert lede(body, chars) == expected

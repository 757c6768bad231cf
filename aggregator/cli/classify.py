"""classify, label, train, review: the section classifier for editors (decide, correct, teach, check)."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from aggregator.cli import main
from aggregator.cli.common import ConfigError, config_errors, db_option, echo_table

F = TypeVar("F", bound=Callable[..., Any])


def classify_errors(func: F) -> F:
    """Taxonomy, lexicon, label-file and model problems, and unknown articles: exit 2 with what to fix."""
    from aggregator.classify.editing import ArticleNotFound
    from aggregator.classify.taxonomy import TaxonomyError

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (TaxonomyError, ArticleNotFound) as exc:
            raise ConfigError(str(exc)) from None

    return config_errors(wrapper)  # type: ignore[return-value]


def model_option(func: F) -> F:
    """--model: a model file or a folder whose CURRENT names one (default: the one in use)."""
    return click.option("--model", "model_path", metavar="PATH", type=click.Path(exists=True, path_type=Path),
                        help="Model file (*.json.gz) or models folder with CURRENT. Default: $UNION_NEWS_MODEL, "
                             "else data/models/CURRENT.")(func)


@main.command()
@click.option("--title", metavar="TEXT", help="Headline of one item to classify.")
@click.option("--text", default="", metavar="TEXT", help="Its text (only the lede is read). Use with --title.")
@click.option("--eval", "eval_file", metavar="FILE.jsonl", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='Score the classifier on JSON lines {"title", "text", "label"}; prints one JSON object.')
@click.option("--cv", "cv_folds", type=click.IntRange(2, 20), metavar="K",
              help="K-fold cross-validated figures on the training data (data/labels/), as one JSON object.")
@click.option("--reclassify", is_flag=True, help="Decide every stored article again (editors' labels win).")
@click.option("--only", type=click.Choice(["combined", "model", "lexicon"]), default="combined", show_default=True,
              help="Which parts decide (for comparisons): rules + lexicon + model, the model alone, the lexicon alone.")
@click.option("--json", "as_json", is_flag=True, help="With --title: print the decision as JSON.")
@model_option
@db_option
@classify_errors
def classify(title: str | None, text: str, eval_file: Path | None, cv_folds: int | None, reclassify: bool,
             only: str, as_json: bool, model_path: Path | None, db: str | None) -> None:
    """Classify one item, score the classifier on a labelled file, or re-decide the store.

    \b
    Examples:
      union-news classify --title "昆明市总工会为环卫工人送清凉" --text "近日，昆明市总工会..."
      union-news classify --eval data/eval/sections_heldout.jsonl
      union-news classify --cv 5
      union-news classify --reclassify --db out/demo/union_news.db
    """
    from aggregator.classify import load_classifier

    chosen = [name for name, value in (("--title", title), ("--eval", eval_file), ("--cv", cv_folds),
                                       ("--reclassify", reclassify)) if value]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --title, --eval, --cv, --reclassify (see --help)")
    if cv_folds:
        _print_json(_cross_validation(cv_folds, only))
        return
    classifier = load_classifier(model_path, only)
    if not title:  # a single decision names its classifier itself
        click.echo(f"classifier: {classifier.version}", err=True)
    if eval_file is not None:
        from aggregator.classify.data import read_examples
        from aggregator.classify.evaluate import evaluate

        examples = read_examples(eval_file)
        _print_json(evaluate(lambda t, x: classifier.classify(t, x).section, examples))
    elif reclassify:
        from aggregator.classify.editing import reclassify as do_reclassify
        from aggregator.store import open_store

        store = open_store(db)
        with store.session() as session:
            report = do_reclassify(session, classifier)
        store.close()
        click.echo(f"articles: {report.articles}; sections changed: {report.changed}; manual labels kept: "
                   f"{report.manual}; need review: {report.needs_review}")
    else:
        decision = classifier.classify(title or "", text)
        if as_json:
            _print_json({"section": decision.section, "confidence": decision.confidence, "origin": decision.origin,
                         "model": decision.model, "needs_review": decision.needs_review,
                         "evidence": decision.evidence, "probabilities": decision.probabilities})
            return
        click.echo(f"section: {decision.section}")
        click.echo(f"confidence: {decision.confidence:.3f}" + ("  (below the review threshold)" if decision.needs_review else ""))
        click.echo(f"decided by: {decision.origin} ({decision.model})")
        click.echo("evidence:")
        for line in decision.evidence or ["(none)"]:
            click.echo(f"  {line}")
        ranked = sorted(decision.probabilities.items(), key=lambda kv: -kv[1])[:3]
        click.echo("probabilities: " + ", ".join(f"{label} {p:.2f}" for label, p in ranked))


def _cross_validation(folds: int, mode: str) -> dict[str, Any]:
    """Cross-validated figures on the shipped training data."""
    from threadpoolctl import threadpool_limits

    from aggregator.classify import Lexicon, data_paths, load_taxonomy
    from aggregator.classify.data import read_training
    from aggregator.classify.training import cross_validation

    paths = data_paths()
    with threadpool_limits(1):  # one core: steadier timing, and the solver's result never depends on threads
        return cross_validation(read_training(paths["labels"]), load_taxonomy(paths["taxonomy"]),
                                Lexicon(paths["lexicon"]), mode, folds)


def _print_json(data: dict[str, Any]) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@main.command()
@click.argument("article")
@click.argument("section", required=False)
@click.option("--editor", metavar="NAME", default=lambda: os.environ.get("USER"), show_default="$USER",
              help="Who labelled it (kept with the label).")
@click.option("--note", metavar="TEXT", help="Why (kept with the label).")
@click.option("--remove", is_flag=True, help="Drop the article's label; the classifier decides again.")
@db_option
@classify_errors
def label(article: str, section: str | None, editor: str | None, note: str | None, remove: bool, db: str | None) -> None:
    """Give an article its section by hand: the label always wins and survives reprocessing.

    ARTICLE is the article's id (see `union-news review`) or its URL; SECTION is one of 工作动态, 思想引领,
    建功立业, 维权服务, 构建和谐劳动关系, 组织建设, none. `union-news train` learns from these labels.

    Example: union-news label 42 构建和谐劳动关系 --note "调处机制"
    """
    from aggregator.classify import default_classifier
    from aggregator.classify.editing import check_section, find_article, label_article, unlabel_article
    from aggregator.clock import crawl_now
    from aggregator.store import open_store

    if remove == bool(section):
        raise click.UsageError("give a SECTION, or --remove to drop the label")
    if section:
        check_section(section)
    store = open_store(db)
    try:
        with store.session() as session:
            row = find_article(session, article)
            if remove:
                decision = unlabel_article(session, row, default_classifier())
                if decision is None:
                    click.echo(f"article {row.id} had no label; unchanged ({row.section})")
                else:
                    click.echo(f"article {row.id}: label removed; classifier says {decision.section} "
                               f"({decision.confidence:.2f})")
                return
            before = row.section
            label_article(session, row, section or "", crawl_now(), editor, note)
            click.echo(f"article {row.id}: {before or '-'} -> {section} (manual) | {row.title}")
    finally:
        store.close()


@main.command()
@click.option("--labels", "labels_dir", metavar="DIR", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of *.jsonl training examples. Default: data/labels/")
@click.option("--out", metavar="DIR", type=click.Path(file_okay=False, path_type=Path),
              help="Write the model here. Default: $UNION_NEWS_MODELS_DIR, else data/models/")
@click.option("--no-activate", is_flag=True, help="Write the model but leave CURRENT (the model in use) as it is.")
@click.option("--no-store", is_flag=True, help="Ignore the store's manual labels (train on the shipped data only).")
@click.option("--cv", "cv_folds", type=click.IntRange(0, 20), default=0, metavar="K",
              help="Also report K-fold cross-validated figures on the same data (slower).")
@db_option
@classify_errors
def train(labels_dir: Path | None, out: Path | None, no_activate: bool, no_store: bool, cv_folds: int,
          db: str | None) -> None:
    """Retrain the section model on the shipped examples plus editors' manual labels; write a versioned model.

    The model file is named after a hash of its training data and settings (sections-lr-<hash>.json.gz): the
    same data gives the same file, byte for byte. CURRENT in the models folder names the model in use; new
    crawls record its name with every decision. Run `union-news classify --reclassify` to re-decide stored articles.

    Example: union-news train --db ~/.local/share/union-news/union_news.db --cv 5
    """
    from threadpoolctl import threadpool_limits

    from aggregator.classify import Lexicon, data_paths, load_taxonomy
    from aggregator.classify.editing import manual_examples
    from aggregator.classify.training import train as do_train

    paths = data_paths()
    taxonomy = load_taxonomy(paths["taxonomy"])
    manual = [] if no_store else _store_labels(db, lambda session: manual_examples(session, int(taxonomy.setting("lede_chars"))))
    with threadpool_limits(1):  # deterministic and polite on a shared machine
        result = do_train(labels_dir or paths["labels"], taxonomy, Lexicon(paths["lexicon"]), manual,
                          out or paths["models"], activate=not no_activate, cv_folds=cv_folds)
    click.echo(f"model: {result.model.name} ({result.model.training['features']} features)")
    click.echo(f"trained on: {result.shipped} shipped examples + {result.manual} manual labels")
    click.echo(f"wrote: {result.path}" + ("" if no_activate else " (now in use)"))
    if result.cross_validation:
        cv = result.cross_validation
        click.echo(f"{cv_folds}-fold cross-validation: macro-F1 {cv['macro_f1']:.3f}, accuracy {cv['accuracy']:.3f}")


def _store_labels(db: str | None, read: Callable[[Any], list[Any]]) -> list[Any]:
    """Manual labels from the store; none (with a note) when no store was named and the default one does not exist."""
    from aggregator.store import DEFAULT_DB_PATH, open_store

    if not db and not DEFAULT_DB_PATH.exists():
        click.echo(f"no store at {DEFAULT_DB_PATH}: training on the shipped examples only (use --db)", err=True)
        return []
    store = open_store(db)
    try:
        with store.sessions() as session:
            return read(session)
    finally:
        store.close()


@main.command()
@click.option("--week", metavar="YYYY-Www", help="Only articles published in this ISO week (e.g. 2025-W30).")
@click.option("--section", metavar="SECTION", help="Only articles the classifier put in this section.")
@click.option("--limit", type=click.IntRange(1), default=100, show_default=True, help="At most this many.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of a table.")
@db_option
@classify_errors
def review(week: str | None, section: str | None, limit: int, as_json: bool, db: str | None) -> None:
    """List the articles the classifier is unsure about (below the review threshold) and no editor has labelled.

    Correct one with `union-news label ID SECTION`. Example: union-news review --db out/demo/union_news.db --week 2025-W30
    """
    from aggregator.classify.editing import review_queue
    from aggregator.dates import iso_week_bounds
    from aggregator.store import open_store

    since = until = None
    if week:
        try:
            since, until = iso_week_bounds(week)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--week") from None
    store = open_store(db)
    try:
        with store.sessions() as session:
            rows = review_queue(session, since, until, limit, section)
            items = [{"id": a.id, "published": a.published_at.strftime("%Y-%m-%d %H:%M") if a.published_at else "",
                      "section": a.section, "confidence": f"{a.section_confidence:.2f}" if a.section_confidence is not None else "",
                      "source": a.source_id, "title": a.title, "url": a.url,
                      "evidence": (a.extra or {}).get("section_evidence", [])[:2]} for a in rows]
    finally:
        store.close()
    if as_json:
        for item in items:
            click.echo(json.dumps(item, ensure_ascii=False))
        return
    if not items:
        click.echo("nothing to review")
        return
    echo_table(items, ["id", "published", "section", "confidence", "source", "title"])
    click.echo(f"\n{len(items)} to review; correct one with: union-news label ID SECTION", err=True)

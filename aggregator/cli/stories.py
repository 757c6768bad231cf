"""stories: list the week's stories, show one, check the index, or measure the clustering on labelled data."""

from __future__ import annotations

import json
from pathlib import Path

import click

from aggregator.cli import main
from aggregator.cli.common import ConfigError, config_errors, db_option, echo_table


@main.command()
@db_option
@click.option("--eval", "eval_path", metavar="FILE.jsonl", type=click.Path(dir_okay=False, path_type=Path),
              help='Cluster labelled lines {"id","title","text","published"?,"outlet"?,"cluster"} with the '
                   "pipeline's code and print pairwise and B-cubed precision/recall/F1 as JSON (no store needed).")
@click.option("--explain", is_flag=True, help="With --eval: also list merged and split labels on stderr.")
@click.option("--week", metavar="YYYY-Www", help="List the stories first seen in this ISO week (default: the newest).")
@click.option("--min-size", type=click.IntRange(min=1), default=1, show_default=True,
              help="Only stories with at least this many articles.")
@click.option("--story", "story_id", type=int, metavar="ID", help="Show the articles of one story and why they match.")
@click.option("--status", is_flag=True, help="Print index coverage (run `union-news reprocess --stories` if it lags).")
@config_errors
def stories(db: str | None, eval_path: Path | None, explain: bool, week: str | None, min_size: int,
            story_id: int | None, status: bool) -> None:
    """Same story, many outlets: the store's stories, or a measurement of the clustering.

    \b
    Examples:
      union-news stories --eval tests/data/stories_labeled.jsonl
      union-news stories --week 2025-W30 --min-size 2
      union-news stories --story 12
      union-news stories --status
    """
    if eval_path is not None:
        _evaluate(eval_path, explain)
        return
    from aggregator.dates import iso_week_bounds
    from aggregator.digest import weeks_with_articles
    from aggregator.store import open_store
    from aggregator.stories.queries import index_status, stories_between, story_members

    store = open_store(db)
    try:
        with store.sessions() as session:
            if status:
                for key, value in index_status(session).items():
                    click.echo(f"{key}: {value}")
                return
            if story_id is not None:
                members = story_members(session, story_id)
                if not members:
                    raise click.BadParameter(f"no story {story_id} in {store.url}", param_hint="--story")
                echo_table([{
                    "article": m.article_id, "outlet": m.outlet,
                    "published": m.published_at.strftime("%Y-%m-%d %H:%M") if m.published_at else "",
                    "match": "representative" if m.representative else _match(m),
                    "title": m.title,
                } for m in members], ["article", "outlet", "published", "match", "title"])
                return
            if week is None:
                weeks = weeks_with_articles(session, 1)
                if not weeks:
                    click.echo(f"no articles in {store.url}", err=True)
                    return
                week = weeks[0]
            try:
                start, end = iso_week_bounds(week)
            except ValueError as exc:
                raise click.BadParameter(str(exc), param_hint="--week") from None
            rows = stories_between(session, start, end, min_size)
            click.echo(f"{week}: {len(rows)} stories", err=True)
            echo_table([{
                "story": r.id, "size": r.size, "outlets": r.outlets,
                "first seen": r.first_seen.strftime("%m-%d %H:%M") if r.first_seen else "",
                "title": r.title, "carried by": "、".join(r.outlet_names),
            } for r in rows], ["story", "size", "outlets", "first seen", "title", "carried by"])
    finally:
        store.close()


def _match(member: object) -> str:
    verdict, via = getattr(member, "verdict", None), getattr(member, "via", None)
    if verdict is None:
        return ""
    return f"{verdict.reason} of {via}" if via is not None else f"({verdict.reason})"


def _evaluate(path: Path, explain: bool) -> None:
    from aggregator.stories.evaluate import EvalDataError, bcubed, cluster_items, disagreements, pairwise, read_items

    try:
        items = read_items(path)
    except (OSError, EvalDataError) as exc:
        raise ConfigError(f"{exc}. Each line must be a JSON object with id, title, text and cluster.") from None
    predicted = cluster_items(items)
    gold = {item.id: item.cluster for item in items}
    result = {"pairwise": pairwise(predicted, gold), "bcubed": bcubed(predicted, gold),
              "clusters": len(set(predicted.values())), "items": len(items)}
    click.echo(json.dumps(result, ensure_ascii=False))
    if explain:
        for kind, groups in disagreements(items, predicted).items():
            for group in groups:
                click.echo(f"{kind}: {' '.join(group)}", err=True)

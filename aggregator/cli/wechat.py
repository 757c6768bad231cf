"""wechat: look at WeChat links and at the articles waiting for a retry (deleted, verification gate, blocked)."""

from __future__ import annotations

import json

import click

from aggregator.cli import main
from aggregator.cli.common import config_errors, db_option, echo_table


@main.group()
def wechat() -> None:
    """WeChat 公众号 articles: link identity and the retry queue (docs/wechat.md)."""


@wechat.command("url")
@click.argument("urls", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of a table.")
def url_command(urls: tuple[str, ...], as_json: bool) -> None:
    """Show what WeChat links identify: kind (long, short, temporary), canonical URL, key, account id.

    The account id is the number __biz encodes; WeWe-RSS names its feed MP_WXS_<id> and Wechat2RSS /feed/<id>.xml.

    Example: union-news wechat url 'https://mp.weixin.qq.com/s?__biz=MzA3MTg1NjYxMg==&mid=2651106651&idx=1&sn=…'
    """
    from aggregator.urls import biz_to_id, parse_wechat_url

    rows = []
    for url in urls:
        ref = parse_wechat_url(url)
        rows.append({"kind": ref.kind, "url": ref.url, "key": list(ref.key) if ref.key else None,
                     "account_id": biz_to_id(ref.biz) if ref.biz else None, "given": url})
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    shown = {"temporary": "(expires: never an identity)", "other": "(not a WeChat article link)"}
    echo_table([{**r, "key": "/".join(r["key"]) if r["key"] else "", "url": r["url"] or shown.get(r["kind"], "")}
                for r in rows], ["kind", "account_id", "key", "url"])


@wechat.command("pending")
@db_option
@click.option("--source", "source_id", default=None, help="Only this account's pages.")
@click.option("--all", "show_all", is_flag=True, help="Also list deleted pages (never retried).")
@config_errors
def pending(db: str | None, source_id: str | None, show_all: bool) -> None:
    """List the pages that gave no article: state (verify, blocked, error, deleted…), attempts, next try.

    Exit code 0 always: this only reports. Example: union-news wechat pending --source wx_acftu
    """
    from sqlalchemy import select

    from aggregator.store import open_store
    from aggregator.store.models import FetchStatus, Source

    store = open_store(db)
    with store.sessions() as session:
        wechat_ids = set(session.scalars(select(Source.id).where(Source.kind == "wechat")))
        query = select(FetchStatus).order_by(FetchStatus.next_attempt_at, FetchStatus.url)
        rows = [r for r in session.scalars(query)
                if (r.source_id in wechat_ids or "mp.weixin.qq.com" in r.url)
                and (source_id is None or r.source_id == source_id) and (show_all or r.next_attempt_at is not None)]
    store.close()
    echo_table([{"state": r.status, "attempts": r.attempts, "source": r.source_id or "",
                 "next try": f"{r.next_attempt_at:%Y-%m-%d %H:%M}" if r.next_attempt_at else "never",
                 "url": r.url} for r in rows], ["state", "attempts", "source", "next try", "url"])
    click.echo(f"{len(rows)} page(s)", err=True)

"""The README stays true: every command is documented, and its SQL examples run on the demo store."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import click
import pytest

from aggregator.cli import main
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _top_level_commands() -> list[str]:
    return sorted(main.commands)


@pytest.mark.parametrize("name", _top_level_commands())
def test_every_command_is_in_the_readme(name: str) -> None:
    assert f"union-news {name}" in README, f"README.md does not mention `union-news {name}`"


def test_every_subcommand_is_in_the_readme() -> None:
    for name, command in main.commands.items():
        if isinstance(command, click.Group):
            for sub in command.commands:
                assert re.search(rf"union-news {name} [^|\n]*\b{sub}\b", README), f"README.md lacks `{name} {sub}`"


def test_readme_mentions_only_commands_that_exist() -> None:
    mentioned = set(re.findall(r"`union-news ([a-z]+)", README))
    assert mentioned <= set(main.commands), mentioned - set(main.commands)


def test_readme_sql_runs_on_the_demo_store(demo_out: Path) -> None:
    block = re.search(r"## Three queries for analysts\s+```sql\n(.*?)```", README, re.S)
    assert block
    statements = [s.strip() for s in re.sub(r"--[^\n]*", "", block.group(1)).split(";") if s.strip()]
    assert len(statements) == 3
    connection = sqlite3.connect(f"file:{demo_out / 'union_news.db'}?mode=ro", uri=True)
    for statement in statements:
        assert connection.execute(statement).fetchall(), statement


def test_docs_linked_from_the_readme_exist() -> None:
    for link in re.findall(r"\]\((docs/[^)]+)\)", README):
        assert (ROOT / link).is_file(), link

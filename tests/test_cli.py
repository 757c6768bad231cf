"""The command line: every command has help, configuration errors exit 2 with a message that names the problem."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from aggregator.cli import main


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name, command in sorted(group.commands.items()):
        found.append(prefix + (name,))
        if isinstance(command, click.Group):
            found += _commands(command, prefix + (name,))
    return found


@pytest.mark.parametrize("path", _commands(main), ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    command = main
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    assert command.help and len(command.help.strip()) > 20, f"{' '.join(path)} needs a real help text"


def test_bad_registry_is_a_configuration_error(tmp_path: Path) -> None:
    bad = tmp_path / "sources.toml"
    bad.write_text('[[source]]\nid = "x1"\nname = "X"\nlists = ["https://x.example/"]\narticle_pattern = "["\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["sources", "validate", "--sources", str(bad)])
    assert result.exit_code == 2
    assert "x1" in result.output and "article_pattern" in result.output and str(bad) in result.output


def test_crawl_with_bad_registry_exits_2_before_crawling(tmp_path: Path) -> None:
    bad = tmp_path / "sources.toml"
    bad.write_text('[[source]]\nid = "x1"\nname = "X"\ncolour = "red"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["crawl", "--db", str(tmp_path / "s.db"), "--sources", str(bad)])
    assert result.exit_code == 2
    assert "colour" in result.output


def test_digest_rejects_a_bad_week(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["digest", "--db", str(tmp_path / "s.db"), "--week", "2025-30"])
    assert result.exit_code == 2
    assert "ISO week" in result.output


@pytest.mark.parametrize(("name", "value", "message"), [
    ("UNION_NEWS_RETRY_BACKOFF", "soon", "must be a number"),
    ("UNION_NEWS_HOSTMAP", "{not json", "not valid JSON"),
    ("UNION_NEWS_STORE_WORKER", "maybe", "must be 1 or 0"),
])
def test_a_bad_environment_variable_is_a_configuration_error(name: str, value: str, message: str) -> None:
    from tests.conftest import run_cli

    result = run_cli("sources", "list", env={name: value})
    assert result.returncode == 2, result.stderr
    assert name in result.stderr and message in result.stderr

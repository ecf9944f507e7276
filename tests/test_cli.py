"""The command line: help on every command, one-line errors, non-zero exits."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

TRENDS = [sys.executable, "-m", "trends.cli"]
COMMANDS = ["ingest", "run", "backfill", "refit", "report", "topics", "serve"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TRENDS, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


@pytest.mark.parametrize("cmd", COMMANDS)
def test_every_command_has_help(cmd):
    out = run(cmd, "--help")
    assert out.returncode == 0, out.stderr
    assert "Usage" in out.stdout


def test_missing_config_is_one_line_error(tmp_path):
    out = run("--config", str(tmp_path / "nope.yaml"), "topics")
    assert out.returncode == 1
    assert out.stderr.strip().startswith("error: config file not found")
    assert len(out.stderr.strip().splitlines()) == 1


def test_bad_config_key_named(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("store: {pth: x.duckdb}\n")
    out = run("--config", str(cfg), "topics")
    assert out.returncode == 1
    assert "store.pth" in out.stderr


def test_bad_date_and_empty_store(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("store: {path: s.duckdb}\n")
    out = run("--config", str(cfg), "report", "--date", "yesterday")
    assert out.returncode == 1 and "YYYY-MM-DD" in out.stderr
    out = run("--config", str(cfg), "topics")
    assert out.returncode == 1 and "no store" in out.stderr

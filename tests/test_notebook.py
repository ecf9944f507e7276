"""The analyst notebook runs top to bottom against a real (small, synthetic) store."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import nbformat
import pytest
import yaml
from nbclient import NotebookClient

from trends.config import load_config
from trends.pipeline import run_backfill
from trends.store import Store

from .synth import TEST_TOPICS, BagOfWordsEmbedder, make_papers, write_jsonl

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "analyst_session.ipynb"


@pytest.mark.slow
def test_notebook_executes(tmp_path, monkeypatch):
    data = write_jsonl(make_papers(), tmp_path / "papers.jsonl")
    cfg_path = tmp_path / "config.yaml"
    cfg_path.write_text(
        yaml.safe_dump(
            {
                "store": {"path": "store.duckdb"},
                "ingest": {"source": {"kind": "local", "path": str(data)}},
                "topics": TEST_TOPICS,
                "momentum": {"recent_periods": 2, "baseline_periods": 4},
                "report": {"out_dir": "reports"},
            }
        )
    )
    cfg = load_config(cfg_path)
    with Store(cfg.store.path) as store:
        run_backfill(
            cfg, None, date(2025, 3, 1), store=store, embedder=BagOfWordsEmbedder(), report=False
        )
    nb = nbformat.read(NOTEBOOK, as_version=4)
    monkeypatch.setenv("TRENDS_CONFIG", str(cfg_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "papers from 2025-01-01" in text
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert os.environ["TRENDS_CONFIG"] == str(cfg_path)

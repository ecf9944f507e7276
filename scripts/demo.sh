#!/usr/bin/env bash
# Fresh machine to PDF report: set up, backfill the bundled sample of real Hugging Face daily
# papers (2026-01-01 .. 2026-08-19, vectors from the bundled snapshot), then two daily runs that
# embed their papers for real. Ends with reports/2026-08-21/report.pdf.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DO_NOT_TRACK=1 PREFECT_SERVER_ANALYTICS_ENABLED=false
T=.venv/bin/trends
$T backfill --until 2026-08-19
$T run --date 2026-08-20
$T run --date 2026-08-21
$T topics | head -25
echo "report: $(pwd)/reports/2026-08-21/report.pdf"

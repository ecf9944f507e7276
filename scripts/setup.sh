#!/usr/bin/env bash
# Create .venv and install trends with its test tools. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# torch first, pinned to the CPU build on this machine's disk: any other torch requirement
# would download a multi-GB CUDA build.
.venv/bin/python -m pip install -q "torch==2.13.0"
.venv/bin/python -m pip install -q -e ".[dev]"
echo "setup done: $(.venv/bin/python -c 'import trends, torch; print("trends", trends.__version__, "torch", torch.__version__)')"

#!/usr/bin/env bash
# Build .venv-rasa: Rasa 3.6.21 (the last open-source release) in its own virtual environment.
# Rasa declares Python < 3.11 but installs, trains and serves on 3.11 with these pins.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-rasa
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
if [ -x "$VENV/bin/rasa" ] && [ "$VENV/.stamp" -nt integrations/rasa/requirements.lock ]; then
  exit 0
fi
need=()
for pkg in libfreetype-dev libqhull-dev pkg-config; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
"$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --upgrade "pip<25" "setuptools<70" wheel
export MPLSETUPCFG=$PWD/integrations/rasa/mplsetup.cfg
if [ -s integrations/rasa/requirements.lock ]; then
  "$VENV/bin/pip" install --quiet --ignore-requires-python --no-deps -r integrations/rasa/requirements.lock
else
  "$VENV/bin/pip" install --quiet --ignore-requires-python -c integrations/rasa/constraints.txt \
    rasa==3.6.21 numpy==1.23.5 scipy==1.10.1 scikit-learn==1.1.3 dask==2022.10.2
fi
touch "$VENV/.stamp"

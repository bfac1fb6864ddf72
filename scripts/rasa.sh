#!/usr/bin/env bash
# Train and serve the real Rasa 3.6.21 NLU from nlu_data/ (the same data as the built-in NLU).
#
#   scripts/rasa.sh train            rasa train nlu -> $BANBOT_RASA_MODELS/nlu-<hash>.tar.gz
#                                    (skipped when the model for the same data hash exists)
#   scripts/rasa.sh serve [PORT]     rasa run --enable-api on 127.0.0.1:PORT (default 5005),
#                                    trains first if needed, returns once /status answers and a
#                                    warm-up parse succeeded; pid in var/rasa-PORT.pid
#   scripts/rasa.sh stop [PORT]      stop the server started by `serve`
#   scripts/rasa.sh model            print the model path for the current data
#
# Environment: RASA_VENV (default .venv-rasa, built by scripts/rasa-venv.sh), RASA_RUN_DIR (where
# the pid file and logs go, default var/; scripts/stack.sh uses var/stack),
# RASA_READY_TIMEOUT seconds (default 180), BANBOT_RASA_MODELS (default ~/.cache/banbot/rasa-models:
# outside the checkout, so a fresh clone — CI — reuses a model trained from the same data; the
# hash covers every file rasa reads and the Rasa version). Prints the figures it sees on stderr.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV=${RASA_VENV:-$ROOT/.venv-rasa}
RASA=$VENV/bin/rasa
DATA=$ROOT/nlu_data
RUN_DIR=${RASA_RUN_DIR:-$ROOT/var}
MODELS=${BANBOT_RASA_MODELS:-${XDG_CACHE_HOME:-$HOME/.cache}/banbot/rasa-models}
export RASA_TELEMETRY_ENABLED=false
export RASA_CACHE_DIRECTORY=$ROOT/var/rasa-cache
export TF_CPP_MIN_LOG_LEVEL=2 PYTHONWARNINGS=ignore

need_rasa() {
  if [ ! -x "$RASA" ]; then
    echo "rasa.sh: no Rasa at $RASA (build it: bash scripts/rasa-venv.sh, or set RASA_VENV)" >&2
    exit 3
  fi
}

data_hash() {
  # Everything rasa train nlu reads; the Rasa version too, so an upgrade retrains.
  (
    cd "$DATA"
    find config.yml domain.yml data -type f \( -name '*.yml' -o -name '*.yaml' \) | LC_ALL=C sort |
      while read -r f; do printf '%s\n' "$f"; cat "$f"; done
    echo "rasa-3.6.21"
  ) | sha256sum | cut -c1-16
}

model_path() { echo "$MODELS/nlu-$(data_hash).tar.gz"; }

train() {
  local model
  model=$(model_path)
  if [ -s "$model" ]; then
    echo "rasa.sh: model up to date: $model" >&2
    return 0
  fi
  need_rasa
  mkdir -p "$MODELS" "$ROOT/var"
  local started=$SECONDS name
  name=$(basename "$model" .tar.gz)
  (cd "$ROOT/var" && "$RASA" train nlu --nlu "$DATA/data" --config "$DATA/config.yml" \
    --domain "$DATA/domain.yml" --out "$MODELS" --fixed-model-name "$name") \
    >"$ROOT/var/rasa-train.log" 2>&1 || {
    tail -30 "$ROOT/var/rasa-train.log" >&2
    echo "rasa.sh: training failed (log: var/rasa-train.log)" >&2
    exit 1
  }
  echo "rasa.sh: trained $model in $((SECONDS - started)) s" >&2
  # models of other data (other branches may still use them) go after a month unused
  find "$MODELS" -name 'nlu-*.tar.gz' ! -name "$name.tar.gz" -mtime +30 -delete
}

serve() {
  local port=${1:-5005} pidfile log model started=$SECONDS
  pidfile=$RUN_DIR/rasa-$port.pid
  log=$RUN_DIR/rasa-$port.log
  if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "rasa.sh: already running on port $port (pid $(cat "$pidfile"))" >&2
    return 0
  fi
  train
  need_rasa
  mkdir -p "$RUN_DIR"
  model=$(model_path)
  started=$SECONDS
  (cd "$ROOT/var" && exec setsid "$RASA" run --enable-api -i 127.0.0.1 -p "$port" \
    --model "$model" --log-file "$log.rasa") >"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  local url=http://127.0.0.1:$port deadline=$((SECONDS + ${RASA_READY_TIMEOUT:-180}))
  until curl -sf "$url/status" 2>/dev/null | grep -q '"model_file"'; do
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      tail -30 "$log" >&2
      rm -f "$pidfile"
      echo "rasa.sh: server exited (log: $log)" >&2
      exit 1
    fi
    if [ $SECONDS -ge "$deadline" ]; then
      echo "rasa.sh: not ready after ${RASA_READY_TIMEOUT:-180} s (log: $log)" >&2
      stop "$port"
      exit 1
    fi
    sleep 1
  done
  # The first parse builds DIET's prediction graph; pay for it here, not in the first user's.
  curl -sf -X POST "$url/model/parse" -H 'Content-Type: application/json' \
    -d '{"text": "xin chào"}' >/dev/null
  local rss
  rss=$(ps -o rss= -p "$(cat "$pidfile")" | awk '{printf "%d", $1/1024}')
  echo "rasa.sh: serving $model on $url (pid $(cat "$pidfile"), ready in $((SECONDS - started)) s, RSS ${rss} MB)" >&2
}

stop() {
  local port=${1:-5005} pidfile pid
  pidfile=$RUN_DIR/rasa-$port.pid
  [ -s "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 30); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile" "$RUN_DIR/rasa-$port.log" "$RUN_DIR/rasa-$port.log.rasa"
  echo "rasa.sh: stopped the server on port $port" >&2
}

case "${1:-}" in
  train) train ;;
  serve) serve "${2:-5005}" ;;
  stop) stop "${2:-5005}" ;;
  model) model_path ;;
  *)
    echo "usage: scripts/rasa.sh train | serve [PORT] | stop [PORT] | model" >&2
    exit 2
    ;;
esac

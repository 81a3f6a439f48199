#!/usr/bin/env bash
# The load test (`make load`; docs/performance.md "Load test"). On a throwaway database it loads
# the demo council, grows the directory to LOAD_SERVICES services and the consent register to
# LOAD_REGISTER people, serves the portal under gunicorn with production's settings on
# 127.0.0.1, finds the highest rate the workers sustain (a short probe), holds that rate for
# LOAD_DURATION with locust, and prints requests/s, p50/p95/p99 per endpoint, errors and the
# workers' memory. Everything it starts is stopped, and its temporary folder removed, on exit,
# failure or Ctrl+C. Traffic goes to 127.0.0.1 only.
#
#   LOAD_DATABASE=postgres|sqlite  postgres (default: a throwaway cluster, scripts/with-postgres.sh)
#   LOAD_SERVICES=10000            directory size          LOAD_REGISTER=100000  register people
#   LOAD_DURATION=3m               the measured run (Ns, Nm or seconds)
#   LOAD_RATE=                     requests/s to hold; unset, the probe finds it
#   LOAD_WORKERS=2                 gunicorn workers        LOAD_THINK=2  seconds between a visitor's requests
#   LOAD_CHECK_NUMBERS=1000        NHS numbers per IG bulk check
#   LOAD_PROBE_P95_MS=1000         a step is sustained when >= 95% of its rate is achieved, with no
#                                  error and the p95 of all requests under this (probe knobs:
#                                  LOAD_PROBE_USERS, _CAPACITY_SECONDS, _STEP_SECONDS, _FRACTIONS)
#   LOAD_REPORT=                   also write the figures (Markdown) to this file
#   LOAD_KEEP=1                    keep the temporary folder (logs, timings) for a look afterwards
# Exit status: 0 when every target is met (zero errors, search p95 under 300 ms), 1 otherwise.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
PY=$ROOT/.venv/bin/python
LOCUST=$ROOT/.venv/bin/locust
GUNICORN=$ROOT/.venv/bin/gunicorn
LOAD_DATABASE=${LOAD_DATABASE:-postgres}

case "$LOAD_DATABASE" in
  postgres)
    if [ -z "${LOAD_IN_THROWAWAY_CLUSTER:-}" ]; then
      # Start again inside a throwaway PostgreSQL cluster, which goes when this script ends.
      exec env LOAD_IN_THROWAWAY_CLUSTER=1 scripts/with-postgres.sh "$0" "$@"
    fi
    ;;
  sqlite) ;;
  *) echo "LOAD_DATABASE must be postgres or sqlite, not '$LOAD_DATABASE'" >&2; exit 2 ;;
esac

seconds() {
  case "$1" in
    *m) echo $(( ${1%m} * 60 )) ;;
    *s) echo "${1%s}" ;;
    *) echo "$1" ;;
  esac
}
SERVICES=${LOAD_SERVICES:-10000}
REGISTER=${LOAD_REGISTER:-100000}
DURATION=$(seconds "${LOAD_DURATION:-3m}")
WORKERS=${LOAD_WORKERS:-2}
export LOAD_THINK=${LOAD_THINK:-2}
export LOAD_CHECK_NUMBERS=${LOAD_CHECK_NUMBERS:-1000}

WORK=$(mktemp -d /tmp/portal-load.XXXXXX)
GUNICORN_PID=""
SAMPLER_PID=""
LOCUST_PID=""
# Background jobs of a script ignore Ctrl+C, so each is stopped here by its own id.
stop_processes() {
  if [ -n "$LOCUST_PID" ]; then kill -TERM "$LOCUST_PID" 2>/dev/null || true; fi
  if [ -n "$SAMPLER_PID" ]; then kill "$SAMPLER_PID" 2>/dev/null || true; fi
  if [ -n "$GUNICORN_PID" ] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
    kill -TERM "$GUNICORN_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$GUNICORN_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$GUNICORN_PID" 2>/dev/null || true
  fi
  GUNICORN_PID=""
  SAMPLER_PID=""
  LOCUST_PID=""
}
cleanup() {
  local status=$?
  stop_processes
  if [ -n "${LOAD_KEEP:-}" ]; then echo "==> Logs and timings kept in $WORK"; else rm -rf "$WORK"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'echo; echo "==> Interrupted"; exit 130' INT TERM

# --- the portal's environment: production settings, throwaway values, nothing from outside -----
# Integrations a developer may have switched on in their shell stay off: the test must not
# reach anything but 127.0.0.1, nor run on their own database.
unset DEBUG ELASTICSEARCH_URL ELASTICSEARCH_API_KEY ELASTICSEARCH_USERNAME ELASTICSEARCH_PASSWORD \
  SELFCARE_WEBHOOK_URL SELFCARE_WEBHOOK_SECRET CONSENT_ALLOW_TEST_NHS_NUMBERS IG_PSEUDONYM_DEV_KEYS \
  IG_PSEUDONYM_KEYS_DIR CACHE_IN_DATABASE CSRF_TRUSTED_ORIGINS DIRECTORY_HIDE_STALE_AFTER_MONTHS \
  EMAIL_HOST_USER EMAIL_HOST_PASSWORD
if [ "$LOAD_DATABASE" = sqlite ]; then
  unset DATABASE_URL
  export LOAD_DATABASE LOAD_SQLITE_PATH=$WORK/db.sqlite3
fi
random_secret() { "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))'; }
export DJANGO_SETTINGS_MODULE=portal.settings.load
SECRET_KEY=$(random_secret)
CONSENT_ACCESS_LOG_KEY=$(random_secret)
export SECRET_KEY CONSENT_ACCESS_LOG_KEY
export ALLOWED_HOSTS=127.0.0.1
export WAGTAILADMIN_BASE_URL=https://127.0.0.1
# No mail is sent by the scenario; a closed port on loopback makes sure none could leave.
export EMAIL_HOST=127.0.0.1 EMAIL_PORT=9 DEFAULT_FROM_EMAIL=load-test@portal.invalid
export TASK_BACKEND=database
export STATIC_ROOT=$WORK/static MEDIA_ROOT=$WORK/media CONSENT_IMPORT_DIR=$WORK/imports
export LOG_LEVEL=WARNING
mkdir -p "$MEDIA_ROOT" "$CONSENT_IMPORT_DIR"

echo "==> Load test: $SERVICES services, $REGISTER register people, $LOAD_DATABASE, $WORKERS workers"
"$PY" scripts/load/prepare.py --services "$SERVICES" --register "$REGISTER" --out "$WORK/targets.json"

PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
HOST_URL=http://127.0.0.1:$PORT
echo "==> gunicorn with $WORKERS workers on $HOST_URL (portal.settings.load: production's settings)"
"$GUNICORN" portal.wsgi:application --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
  --logger-class portal.access_log.RedactingLogger \
  --access-logfile "$WORK/access.log" --error-logfile "$WORK/gunicorn.log" >>"$WORK/gunicorn.log" 2>&1 &
GUNICORN_PID=$!
for attempt in $(seq 1 120); do
  if curl -sf -o /dev/null "$HOST_URL/healthz"; then break; fi
  if ! kill -0 "$GUNICORN_PID" 2>/dev/null || [ "$attempt" = 120 ]; then
    echo "gunicorn did not answer /healthz; its log:" >&2
    tail -n 40 "$WORK/gunicorn.log" >&2
    exit 1
  fi
  sleep 0.5
done

"$PY" scripts/load/memory.py --master "$GUNICORN_PID" --out "$WORK/memory.jsonl" \
  --max-seconds $(( DURATION + 600 )) &
SAMPLER_PID=$!

run_locust() {
  # In the background, so Ctrl+C is handled at once; bounded twice: the scenario stops
  # itself, and `timeout` stops locust if it did not. Its progress lines are shown as they come.
  local limit=$1 log=$2; shift 2
  ( exec timeout --signal=INT --kill-after=30 "$limit" "$LOCUST" -f scripts/load/locustfile.py \
    --headless --host "$HOST_URL" --only-summary --stop-timeout 10 --loglevel WARNING "$@" \
    >"$log" 2>&1 ) &
  LOCUST_PID=$!
  tail -f "$log" --pid "$LOCUST_PID" 2>/dev/null | sed -un 's/^\[load\] /    /p' || true
  wait "$LOCUST_PID" || true  # locust exits 1 on any failed request; the report says which
  LOCUST_PID=""
}

export LOAD_TARGETS=$WORK/targets.json
PROBE_ARG=()
if [ -n "${LOAD_RATE:-}" ]; then
  RATE=$LOAD_RATE
  echo "==> Holding LOAD_RATE=$RATE requests/s (no probe)"
else
  echo "==> Probe: the highest rate $WORKERS workers sustain (about 90 s)"
  LOAD_PHASE=probe LOAD_RESULTS=$WORK/probe.json run_locust 300 "$WORK/locust-probe.log"
  if [ ! -s "$WORK/probe.json" ]; then
    echo "The probe did not finish; its log:" >&2
    tail -n 40 "$WORK/locust-probe.log" >&2
    exit 1
  fi
  RATE=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["sustained"])' "$WORK/probe.json")
  PROBE_ARG=(--probe "$WORK/probe.json")
fi

echo "==> Run: $RATE requests/s for ${DURATION}s"
LOAD_PHASE=run LOAD_RATE=$RATE LOAD_DURATION_SECONDS=$DURATION LOAD_RESULTS=$WORK/run.json \
  run_locust $(( DURATION + 120 )) "$WORK/locust-run.log" --csv "$WORK/locust"
if [ ! -s "$WORK/run.json" ]; then
  echo "The run did not finish; its log:" >&2
  tail -n 40 "$WORK/locust-run.log" >&2
  exit 1
fi
sleep 1.5  # a last memory sample after the run
stop_processes

COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
echo
echo "==> Figures"
status=0
"$PY" scripts/load/report.py --results "$WORK/run.json" --memory "$WORK/memory.jsonl" \
  "${PROBE_ARG[@]}" ${LOAD_REPORT:+--markdown-out "$LOAD_REPORT"} \
  --title "make load, $(date -u +%Y-%m-%d), commit $COMMIT: $SERVICES services, $REGISTER register people, $LOAD_DATABASE, $WORKERS gunicorn workers, $(nproc) cores" \
  || status=$?
if grep -q " 50[0-9] " "$WORK/access.log" 2>/dev/null; then
  echo; echo "Server errors were logged; the end of gunicorn's log:"; tail -n 30 "$WORK/gunicorn.log"
fi
exit "$status"

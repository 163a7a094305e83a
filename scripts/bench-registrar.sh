#!/usr/bin/env bash
# Bundle pulls per second and their latency (wrk, loopback), against a registrar with a
# small pool and one VPXI: first on SQLite, then on PostgreSQL (a temporary server of
# its own, as in the tests). Each pull sends If-None-Match with the bundle's ETag, so it
# is the agent's "has my bundle changed?" check. Target: >= 5,000 pulls/s, p99 < 20 ms.
#
# For each store, three runs of wrk (-t2):
#   saturated   CONNECTIONS (64) connections as fast as they go: the most pulls/s;
#   paced       RATE (5,000) pulls/s in all (wrk's Lua delay() per connection): the
#               latency at the target rate rather than the queueing of a saturated run;
#   no memory   saturated again against a registrar started with --no-etag-memory, so
#               that every check reads the database (what each pull would cost without
#               the registrar's memory of current ETags).
# Beside each: the CPU seconds of the load generator (wrk), of the registrar and of the
# PostgreSQL server during the run (on 2 cores all three share them), where the ETags
# came from (/metrics: memory or database), and the load average before and after.
#
#   scripts/bench-registrar.sh [BUILD_DIR]     (default: .build/release, else .build/debug)
#   DURATION=20 CONNECTIONS=64 RATE=5000 scripts/bench-registrar.sh
#   RENEWAL=1 scripts/bench-registrar.sh       also `spki-bench registrar` on both stores
#   RENEWAL=only RUNS=3 scripts/bench-registrar.sh   only `spki-bench registrar`, RUNS times on each store
#   RENEWAL=only RENEWAL_OPTIONS="--vpxis 40" scripts/bench-registrar.sh   a larger pass (40 VPXIs, 360 signatures)
#   RENEWAL=only BENCH_BEFORE=/path/to/old/spki-bench scripts/bench-registrar.sh
#                                              also an earlier build's spki-bench, alternating with this one
#   RENEWAL=only PROFILE=DIR RENEWAL_OPTIONS="--vpxis 40 --epochs 12" scripts/bench-registrar.sh
#                                              perf profiles of the warm renewal passes only (epoch 2 on:
#                                              `--perf-control`), DIR/STORE.data, with the top items
#                                              in self and in children time (PERF_CALLGRAPH, PERF_FREQUENCY)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bin=${1:-}
if [ -z "$bin" ]; then
  if [ -x .build/release/vpxi-registrar ]; then bin=.build/release; else bin=.build/debug; fi
fi
bin=$(cd "$bin" && pwd)
# `spki` only signs the setup requests: any build will do.
spki=$bin/spki
[ -x "$spki" ] || spki=$root/.build/debug/spki
duration=${DURATION:-20}
connections=${CONNECTIONS:-64}
rate=${RATE:-5000}
paced_connections=${PACED_CONNECTIONS:-50}
ticks=$(getconf CLK_TCK)
[ "${RENEWAL:-}" = only ] || command -v wrk >/dev/null || { echo "bench-registrar: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
work=$(mktemp -d /tmp/bench-registrar.XXXXXX)
chmod 755 "$work"
server_pid=""
pg_data=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  if [ -n "$pg_data" ]; then pg_run pg_ctl -D "$pg_data" -m immediate -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

keys=$root/corpus/keys
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
pg_run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$pg_bin/$1" "${@:2}"; else "$pg_bin/$1" "${@:2}"; fi; }

# A signed request from the (request ...) on stdin, signed with key $1.
signed() {
  cat > "$work/request.sexp"
  "$spki" sign --key "$1" "$work/request.sexp" > "$work/request.sig"
  { echo '(signed-request'; cat "$work/request.sexp" "$work/request.sig"; echo ')'; }
}
nonce() { openssl rand -hex 12; }

run_one() {
  local db=$1 label=$2 port=$3
  "$bin/vpxi-registrar" user add --db "$db" --registrar lyon --registrar-key "$keys/lyon.key" \
    --name alice --key "$keys/alice.key" --member-of hospital --clearance high >/dev/null
  token=$("$bin/vpxi-registrar" token create --db "$db" --registrar lyon --registrar-key "$keys/lyon.key" --host cap-01)
  start_server "$db" "$label" "$port"
  now=$(date +%s)
  vms=""
  for i in 00 01 02 03; do
    vms+="(vm $("$spki" cert --issuer "$keys/user-$i.key" --subject @"$root/corpus/policies/ok/keys/lyon.pub" --tag '(tag (*))' --propagate --not-after 2030-01-01T00:00:00Z))"
  done
  signed "$keys/user-40.key" <<REQ | curl -sf --data-binary @- "http://127.0.0.1:$port/v1/enroll" >/dev/null
(request (op enroll) (time "$now") (nonce "$(nonce)")
  (host (name cap-01) (cpus "4") (memory "17179869184") (disk "0") (hypervisor xen) (trusted-by hospital) (locator "192.0.2.1"))
  (token "$token") $vms)
REQ
  start=$(date -u -d "@$((now - 600))" +%Y-%m-%dT%H:%M:%SZ)
  end=$(date -u -d "@$((now + 86400))" +%Y-%m-%dT%H:%M:%SZ)
  policy="vpxi bench { owner alice registrar lyon window $start .. $end certificates valid 2h renew every 1h require trusted-by hospital cluster node[4] { cpus 1 memory 1 GiB } grant alice ssh on all }"
  signed "$keys/alice.key" <<REQ | curl -sf --data-binary @- "http://127.0.0.1:$port/v1/vpxis" >/dev/null
(request (op create-vpxi) (time "$now") (nonce "$(nonce)") (policy |$(printf '%s' "$policy" | base64 -w0)|))
REQ
  url="http://127.0.0.1:$port/v1/hosts/cap-01/bundles/bench"
  etag=$(curl -si "$url" | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')
  [ -n "$etag" ] || { echo "bench-registrar: no bundle ETag ($label)" >&2; cat "$work/server-$label.log" >&2; exit 3; }
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$url")" = 304 ] || { echo "bench-registrar: no 304" >&2; exit 3; }
  measure "$label" saturated "$url" "$etag" -c"$connections"
  measure "$label" "paced" "$url" "$etag" -c"$paced_connections" -s "$work/paced.lua"
  stop_server
  start_server "$db" "$label-nomem" "$port" --no-etag-memory
  measure "$label" "no memory" "$url" "$etag" -c"$connections"
  stop_server
}

start_server() {
  local db=$1 label=$2 port=$3
  # --keys: the ESP master secret in the work folder, not beside the repository's demo keys.
  "$bin/vpxi-registrar" serve --db "$db" --name lyon --key "$keys/lyon.key" --keys "$work" --listen "127.0.0.1:$port" "${@:4}" >"$work/server-$label.log" 2>&1 &
  server_pid=$!
  server_port=$port
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
}

stop_server() {
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
}

# CPU ticks (user + system) of the given processes, summed.
cpu_ticks() {
  local total=0 pid
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] || continue
    # Fields after the command name (which may hold spaces): utime is the 12th, stime the 13th.
    set -- $(sed 's/^.*) //' "/proc/$pid/stat")
    total=$((total + ${12} + ${13}))
  done
  echo "$total"
}

postgres_pids() {
  [ -n "$pg_data" ] && [ -r "$pg_data/postmaster.pid" ] || return 0
  local main
  main=$(head -1 "$pg_data/postmaster.pid")
  echo "$main" $(pgrep -P "$main" || true)
}

metric() { curl -s "http://127.0.0.1:$server_port/metrics" | awk -v want="$1" 'index($0, want) == 1 {print $2}'; }

# measure LABEL RUN URL ETAG WRK-OPTIONS...
measure() {
  local label=$1 run=$2 url=$3 etag=$4
  local load_before server_before pg_before memory_before db_before
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  server_before=$(cpu_ticks "$server_pid")
  pg_before=$(cpu_ticks $(postgres_pids))
  memory_before=$(metric 'registrar_pull_etag_checks_total{source="memory"}'); db_before=$(metric 'registrar_pull_etag_checks_total{source="database"}')
  local TIMEFORMAT='%U %S'
  { time wrk -t2 "${@:5}" -d"${duration}s" --latency -H "If-None-Match: $etag" "$url" > "$work/wrk.txt"; } 2> "$work/wrk-time.txt"
  local server_cpu pg_cpu wrk_cpu load_after memory db
  server_cpu=$(awk -v a="$server_before" -v b="$(cpu_ticks "$server_pid")" -v t="$ticks" 'BEGIN {printf "%.1f", (b - a) / t}')
  pg_cpu=$(awk -v a="$pg_before" -v b="$(cpu_ticks $(postgres_pids))" -v t="$ticks" 'BEGIN {printf "%.1f", (b - a) / t}')
  wrk_cpu=$(awk '{printf "%.1f", $1 + $2}' "$work/wrk-time.txt")
  load_after=$(cut -d' ' -f1-3 /proc/loadavg)
  memory=$(( ${memory_before:-0} )); db=$(( ${db_before:-0} ))
  memory=$(( $(metric 'registrar_pull_etag_checks_total{source="memory"}') - memory ))
  db=$(( $(metric 'registrar_pull_etag_checks_total{source="database"}') - db ))
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$work/wrk.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
  errors=$(awk '/Non-2xx|Socket errors/' "$work/wrk.txt" | tr -s ' ' | tr '\n' ';')
  printf '| %s | %s | %s | %s | %s | %s s | %s s | %s s | %s / %s | %s → %s |%s\n' "$label" "$run" "$rps" "$p50" "$p99" \
    "$wrk_cpu" "$server_cpu" "$pg_cpu" "$memory" "$db" "$load_before" "$load_after" "${errors:+ $errors}"
}

# Paced: each connection waits before its next request, so that all of them together
# send about RATE per second.
echo "function delay() return $(awk -v c="$paced_connections" -v r="$rate" 'BEGIN {printf "%.3f", 1000 * c / r}') end" > "$work/paced.lua"

pulls=1
[ "${RENEWAL:-}" = only ] && pulls=""
if [ -n "$pulls" ]; then
  echo "bundle pulls (If-None-Match, unchanged) on loopback, wrk -t2 -d${duration}s; saturated: -c$connections; paced: -c$paced_connections at about $rate/s ($(basename "$bin") build)"
  echo
  echo "| store | run | pulls/s | p50 | p99 | wrk CPU | registrar CPU | PostgreSQL CPU | ETags from memory / database | load average before → after |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"
  run_one "$work/registrar.sqlite" sqlite 18440
fi

if [ -n "$pg_bin" ]; then
  pg_dir=$work/pg
  mkdir -p "$pg_dir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$pg_dir"
  pg_data=$pg_dir/data
  pg_run initdb -D "$pg_data" -A trust -U registrar -E UTF8 --no-sync >/dev/null
  pg_run pg_ctl -D "$pg_data" -l "$pg_dir/log" -o "-p 18432 -k $pg_dir -c listen_addresses=127.0.0.1" -w start >/dev/null
  pg_run createdb -h 127.0.0.1 -p 18432 -U registrar registrar
  [ -n "$pulls" ] && run_one "postgres://registrar@127.0.0.1:18432/registrar?sslmode=disable" postgres 18441
else
  echo "postgres   skipped: Debian's postgresql is not installed"
fi

if [ -n "${RENEWAL:-}" ]; then
  bench=$bin/spki-bench
  [ -x "$bench" ] || { echo "bench-registrar: $bench is not built (swift build -c release --product spki-bench)" >&2; exit 2; }
  builds=("$bench")
  if [ -n "${BENCH_BEFORE:-}" ]; then
    [ -x "$BENCH_BEFORE" ] || { echo "bench-registrar: BENCH_BEFORE=$BENCH_BEFORE is not an executable" >&2; exit 2; }
    builds=("$BENCH_BEFORE" "$bench")
  fi
  # One renewal benchmark (`run_bench BINARY LABEL ARGS...`), under perf when PROFILE is set.
  run_bench() {
    local binary=$1 label=$2
    echo
    [ "${#builds[@]}" -gt 1 ] && echo "build: $binary"
    if [ -z "${PROFILE:-}" ]; then
      "$binary" registrar "${@:3}" ${RENEWAL_OPTIONS:-}
      return
    fi
    command -v perf >/dev/null || { echo "bench-registrar: perf is not installed (apt-get install linux-perf)" >&2; exit 2; }
    mkdir -p "$PROFILE"
    rm -f "$work/perf-ctl" "$work/perf-ack"; mkfifo "$work/perf-ctl" "$work/perf-ack"
    perf record -q -o "$PROFILE/$label.data" -F "${PERF_FREQUENCY:-999}" --call-graph "${PERF_CALLGRAPH:-dwarf,16384}" -D -1 \
      --control "fifo:$work/perf-ctl,$work/perf-ack" -- \
      "$binary" registrar "${@:3}" ${RENEWAL_OPTIONS:-} --perf-control "$work/perf-ctl,$work/perf-ack"
    for mode in --no-children --children; do
      echo
      echo "perf report $mode ($label, warm passes only; top 30)"
      perf report -i "$PROFILE/$label.data" $mode --no-demangle -g none --percent-limit 0.5 --stdio 2>/dev/null \
        | grep -v '^#' | grep -v '^$' | head -30 | swift demangle --simplified | cut -c1-200 || true
    done
  }
  # Each run on a fresh database; the stores alternate so that both see the same load.
  for run in $(seq "${RUNS:-1}"); do
    index=0
    for binary in "${builds[@]}"; do
      index=$((index + 1))
      run_bench "$binary" "sqlite-$run-$index"
      if [ -n "$pg_bin" ]; then
        pg_run createdb -h 127.0.0.1 -p 18432 -U registrar "renewal$run$index"
        run_bench "$binary" "postgres-$run-$index" --db "postgres://registrar@127.0.0.1:18432/renewal$run$index?sslmode=disable"
      fi
    done
  done
fi

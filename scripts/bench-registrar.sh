#!/usr/bin/env bash
# Bundle pulls per second and their latency (wrk, loopback), against a registrar with a
# small pool and one VPXI: first on SQLite, then on PostgreSQL (a temporary server of
# its own, as in the tests). Each pull sends If-None-Match with the bundle's ETag, so it
# is the agent's "has my bundle changed?" check. Target: >= 5,000 pulls/s, p99 < 20 ms.
#
#   scripts/bench-registrar.sh [BUILD_DIR]     (default: .build/release, else .build/debug)
#   DURATION=20 CONNECTIONS=64 scripts/bench-registrar.sh
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
command -v wrk >/dev/null || { echo "bench-registrar: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
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
  "$bin/vpxi-registrar" serve --db "$db" --name lyon --key "$keys/lyon.key" --listen "127.0.0.1:$port" >"$work/server-$label.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
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
  wrk -t2 -c"$connections" -d"${duration}s" --latency -H "If-None-Match: $etag" "$url" > "$work/wrk-$label.txt"
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk-$label.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$work/wrk-$label.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk-$label.txt")
  non2xx=$(awk '/Non-2xx/ {print $4}' "$work/wrk-$label.txt")
  printf '%-10s %10s pulls/s   p50 %8s   p99 %8s   (304s; %s)\n' "$label" "$rps" "$p50" "$p99" "$(basename "$bin")"
  grep -q "Socket errors" "$work/wrk-$label.txt" && grep "Socket errors" "$work/wrk-$label.txt" || true
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
}

echo "bundle pulls (If-None-Match, unchanged), wrk -t2 -c$connections -d${duration}s on loopback"
run_one "$work/registrar.sqlite" sqlite 18440

if [ -n "$pg_bin" ]; then
  pg_dir=$work/pg
  mkdir -p "$pg_dir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$pg_dir"
  pg_data=$pg_dir/data
  pg_run initdb -D "$pg_data" -A trust -U registrar -E UTF8 --no-sync >/dev/null
  pg_run pg_ctl -D "$pg_data" -l "$pg_dir/log" -o "-p 18432 -k $pg_dir -c listen_addresses=127.0.0.1" -w start >/dev/null
  pg_run createdb -h 127.0.0.1 -p 18432 -U registrar registrar
  run_one "postgres://registrar@127.0.0.1:18432/registrar?sslmode=disable" postgres 18441
else
  echo "postgres   skipped: Debian's postgresql is not installed"
fi

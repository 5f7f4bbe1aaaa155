#!/usr/bin/env bash
# What the loopback Unbound itself can serve for the Bulk benchmark's questions, measured with
# Debian's dnsperf: N distinct domains, each with MX 10 + MX 20, each exchange with A and AAAA, so
# five questions a domain (MX, then A and AAAA of both exchanges). Prints queries/s for UDP and for
# TCP with 1, 4 and 16 connections, UDP on 4 sockets, and the domains/s they imply (queries/s ÷ 5).
#
# Usage: benchmarks/dnsperf-bulk.sh [domains=20000] [seconds=10] [in-flight=64]
# Needs: unbound, dnsperf (apt-get install -y unbound dnsperf). Loopback only; stops by itself.
set -euo pipefail
domains=${1:-20000}
seconds=${2:-10}
inflight=${3:-64}

command -v unbound >/dev/null || { echo "unbound is not installed (apt-get install -y unbound)" >&2; exit 1; }
command -v dnsperf >/dev/null || { echo "dnsperf is not installed (apt-get install -y dnsperf)" >&2; exit 1; }

dir=$(mktemp -d /tmp/mxr-dnsperf.XXXXXX)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

# The same shape as the Bulk benchmark's zone (benchmarks/MxResolver.Benchmarks): d<i>.bulk.test.
zone="$dir/bulk.test.zone"
queries="$dir/queries.txt"
{
  echo '$TTL 3600'
  echo '@ IN SOA ns.bulk.test. hostmaster.bulk.test. 1 3600 600 86400 300'
  echo '@ IN NS ns.bulk.test.'
  echo 'ns IN A 127.0.0.1'
} >"$zone"
awk -v n="$domains" 'BEGIN {
  for (i = 0; i < n; i++) {
    d = "d" i;
    printf "%s IN MX 10 mx1.%s.bulk.test.\n%s IN MX 20 mx2.%s.bulk.test.\n", d, d, d, d;
    printf "mx1.%s IN A 192.0.2.%d\nmx1.%s IN AAAA 2001:db8::%x:1\n", d, i % 250 + 1, d, i % 65536;
    printf "mx2.%s IN A 198.51.100.%d\nmx2.%s IN AAAA 2001:db8::%x:2\n", d, i % 250 + 1, d, i % 65536;
  }
}' >>"$zone"
awk -v n="$domains" 'BEGIN {
  for (i = 0; i < n; i++) {
    d = "d" i ".bulk.test";
    printf "%s MX\nmx1.%s A\nmx1.%s AAAA\nmx2.%s A\nmx2.%s AAAA\n", d, d, d, d, d;
  }
}' >"$queries"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$dir/unbound.conf" <<EOF
server:
  verbosity: 0
  interface: 127.0.0.1@$port
  port: $port
  interface-automatic: no
  do-ip6: no
  access-control: 127.0.0.0/8 allow
  username: ""
  chroot: ""
  directory: "$dir"
  pidfile: ""
  logfile: "$dir/unbound.log"
  use-syslog: no
  module-config: "iterator"
  local-zone: "." static
  local-zone: "test." nodefault
  # Under the static root, only a transparent local zone lets the auth-zone answer (else NXDOMAIN).
  local-zone: "bulk.test." transparent
  wait-limit: 0
  num-queries-per-thread: 4096
  incoming-num-tcp: 64
  so-rcvbuf: 8m
  rrset-roundrobin: no
  msg-cache-size: 64m
  rrset-cache-size: 128m
auth-zone:
  name: "bulk.test."
  zonefile: "$zone"
  for-downstream: yes
  for-upstream: yes
  fallback-enabled: no
remote-control:
  control-enable: no
EOF
unbound-checkconf "$dir/unbound.conf" >/dev/null
unbound -d -c "$dir/unbound.conf" &
pid=$!
for _ in $(seq 1 100); do
  if dig +short +time=1 +tries=1 -p "$port" @127.0.0.1 d0.bulk.test MX >/dev/null 2>&1 \
     && [ -n "$(dig +short +time=1 +tries=1 -p "$port" @127.0.0.1 d0.bulk.test MX)" ]; then
    break
  fi
  sleep 0.1
done

run() {
  local label=$1; shift
  local out qps
  out=$(dnsperf -s 127.0.0.1 -p "$port" -d "$queries" -l "$seconds" -q "$inflight" "$@" 2>&1)
  qps=$(awk '/Queries per second:/ {print $4}' <<<"$out")
  lat=$(awk '/Average Latency/ {print $4 " s avg, max " $8; exit}' <<<"$out" | tr -d ')')
  printf '%-28s %12s queries/s  %10.0f domains/s  latency %s\n' "$label" "$qps" "$(awk -v q="$qps" 'BEGIN {print q / 5}')" "$lat"
}

echo "dnsperf $(dpkg-query -W -f '${Version}' dnsperf 2>/dev/null || echo '?'), unbound $(unbound -V | awk 'NR==1 {print $2}'), $domains domains, ${seconds}s each, $inflight in flight, $(nproc) cores"
# Warm Unbound's caches once so every run measures answering, not loading.
dnsperf -s 127.0.0.1 -p "$port" -d "$queries" -n 1 -q "$inflight" >/dev/null 2>&1 || true
run "UDP, 1 socket"             -c 1
run "TCP, 1 connection"         -c 1 -m tcp
run "TCP, 4 connections"        -c 4 -m tcp
run "TCP, 16 connections"       -c 16 -m tcp
run "UDP, 4 sockets"            -c 4

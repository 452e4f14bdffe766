#!/usr/bin/env bash
# Load test: builds release, fills a fresh database with `spot demo`, starts SPOT on
# loopback, signs in as a demo member and drives each page with wrk for a bounded time.
# Prints a Markdown table (requests/s, p50/p99 latency, errors, server peak RSS).
#
#   bench/load.sh [--scale N] [--seconds S] [--connections C] [--engine sqlite|postgres]
#                 [--data DIR] [--pages REGEX] [--binary PATH] [--check]
#
# --data DIR keeps the database and reuses it on later runs (scale 50 takes a few minutes to
# make): SQLite's file goes in DIR; for PostgreSQL DIR keeps the demo's sign-in details and
# the database spot_bench_<DIR's name> stays on the server. Without it everything is thrown
# away at the end.
# --pages REGEX runs only the rows whose label matches (grep -E), e.g. --pages 'thread|mixed'.
# --binary PATH runs that spot binary instead of building release (CI's smoke run uses the
# debug build `cargo test` made). --check exits 1 when a page answered with errors or not at
# all, or "database is locked" was logged: the smoke run, `.ci/run` calls
#   bench/load.sh --scale 0.01 --seconds 1 --binary target/debug/spot --check
#
# Needs wrk (Debian package `wrk`). For PostgreSQL it uses a throwaway database on the
# local server (postgres://postgres@127.0.0.1:5432); SPOT_BENCH_PG_OPTIONS adds connection
# options to its URL, e.g. SPOT_BENCH_PG_OPTIONS=sslmode=disable.
set -euo pipefail
cd "$(dirname "$0")/.."

scale=1
seconds=10
connections=16
engine=sqlite
data=""
pages=""
binary=""
check=""
while [ $# -gt 0 ]; do
    case "$1" in
        --scale) scale=$2; shift 2 ;;
        --seconds) seconds=$2; shift 2 ;;
        --connections) connections=$2; shift 2 ;;
        --engine) engine=$2; shift 2 ;;
        --data) data=$2; shift 2 ;;
        --pages) pages=$2; shift 2 ;;
        --binary) binary=$2; shift 2 ;;
        --check) check=1; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 2; }

if [ -n "$binary" ]; then
    spot=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
else
    cargo build --release --quiet
    spot="${CARGO_TARGET_DIR:-target}/release/spot"
fi
if [ -n "$data" ]; then
    mkdir -p "$data"
    work=$(cd "$data" && pwd)
else
    work=$(mktemp -d)
fi
port=18080
base="http://127.0.0.1:$port"
case "$engine" in
    sqlite) url="sqlite://$work/spot.db" ;;
    postgres)
        if [ -n "$data" ]; then
            # Kept between runs, named after the folder that keeps demo.txt.
            name="spot_bench_$(basename "$work" | tr -c 'a-z0-9_\n' '_')"
            if [ "$(psql -At -h 127.0.0.1 -U postgres -c "SELECT 1 FROM pg_database WHERE datname = '$name'")" != 1 ]; then
                psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $name" >/dev/null
                rm -f "$work/demo.txt"
            fi
        else
            name="spot_bench_$$"
            psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $name" >/dev/null
        fi
        # SPOT_BENCH_PG_OPTIONS: connection options, e.g. sslmode=disable (libpq prefers TLS
        # even on loopback when the server offers it).
        url="postgres://postgres@127.0.0.1:5432/$name${SPOT_BENCH_PG_OPTIONS:+?$SPOT_BENCH_PG_OPTIONS}" ;;
    *) echo "engine is sqlite or postgres" >&2; exit 2 ;;
esac
export DATABASE_URL="$url" SPOT_DATA_DIR="$work" SPOT_UPLOADS="$work/uploads" SPOT_BIND="127.0.0.1:$port" RUST_LOG=warn

server=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null || true
    [ "$engine" = postgres ] && [ -z "$data" ] && psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null || true
    [ -z "$data" ] && rm -rf "$work"
    return 0
}
trap cleanup EXIT

if [ -n "$data" ] && { [ "$engine" = postgres ] || [ -s "$work/spot.db" ]; } && [ -s "$work/demo.txt" ]; then
    echo "reusing the database in $work" >&2
else
    start=$(date +%s%N)
    "$spot" demo --scale "$scale" --seed 7 > "$work/demo.txt"
    echo "demo data (scale $scale, $engine): $(( ($(date +%s%N) - start) / 1000000 )) ms" >&2
fi
# Cold start: from launching the binary on the existing database to its first answer.
start=$(date +%s%N)
"$spot" > "$work/server.log" 2>&1 &
server=$!
until curl -sf "$base/healthz" >/dev/null; do
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.005
done
cold_start_ms=$(( ($(date +%s%N) - start) / 1000000 ))

# Sign in as a demo member: the cookie and form token go into the wrk scripts.
email=$(grep -o '[a-z.]*@[a-z]*\.spot\.example' "$work/demo.txt" | head -n 1)
password=$(sed -n 's/.*[Pp]assword[^"]*"\(.*\)".*/\1/p' "$work/demo.txt" | head -n 1)
password=${password:-demo password please change}
jar="$work/cookies"
token=$(curl -s -c "$jar" -b "$jar" "$base/login" | grep -o 'name="csrf_token" value="[^"]*"' | sed 's/.*value="//;s/"$//')
curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf_token=$token" \
    --data-urlencode "email=$email" --data-urlencode "password=$password" "$base/login"
cookie=$(awk '$6 == "spot_session" { print "spot_session=" $7 }' "$jar")
token=$(curl -s -b "$jar" "$base/account" | grep -o 'name="csrf_token" value="[^"]*"' | head -n 1 | sed 's/.*value="//;s/"$//')
[ -n "$cookie" ] || { echo "could not sign in as $email" >&2; exit 1; }

# Straight from the database: the longest thread (its last full page is the deep page), an
# ordinary thread with a full first page of 30 posts, and another such thread for the mixed
# workload's replies. Kept in the data folder, so that later runs on it measure the same
# pages even though the replies have made that thread longer.
threads_sql="SELECT post_count, id FROM threads ORDER BY post_count DESC, id LIMIT 1;
SELECT post_count, id FROM threads WHERE post_count BETWEEN 31 AND 60 ORDER BY id LIMIT 1;
SELECT post_count, id FROM threads WHERE post_count BETWEEN 31 AND 60 ORDER BY id LIMIT 1 OFFSET 1;"
if [ -s "$work/threads.txt" ]; then
    picked=$(cat "$work/threads.txt")
else
    case "$engine" in
        sqlite) picked=$(python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for q in sys.argv[2].split(";")[:3]:
    print(*(c.execute(q).fetchone() or ()))' "$work/spot.db" "$threads_sql") ;;
        # One statement a call: a query that finds nothing still gives its (empty) line.
        postgres) picked=$(echo "$threads_sql" | while IFS= read -r q; do
            echo "$(psql -At -F' ' -h 127.0.0.1 -U postgres -d "$name" -c "$q")"; done) ;;
    esac
    echo "$picked" > "$work/threads.txt"
fi
deep_posts=$(echo "$picked" | sed -n 1p | cut -d' ' -f1)
deep_id=$(echo "$picked" | sed -n 1p | cut -d' ' -f2)
# The last full page: the very last may hold a handful of posts.
deep_pages=$(( deep_posts / 30 ))
small=$(echo "$picked" | sed -n 2p | cut -d' ' -f2)
small=${small:-$deep_id}
replied=$(echo "$picked" | sed -n 3p | cut -d' ' -f2)
replied=${replied:-$small}

cat > "$work/get.lua" <<LUA
wrk.headers["Cookie"] = "$cookie"
LUA
cat > "$work/mixed.lua" <<LUA
wrk.headers["Cookie"] = "$cookie"
local n = 0
request = function()
  n = n + 1
  if n % 20 == 0 then
    local body = "csrf_token=$token&body=Thanks%2C+this+is+useful+for+our+team.&action=post"
    return wrk.format("POST", "/threads/$replied/reply", {["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = "$cookie"}, body)
  end
  return wrk.format("GET", "/threads/$replied")
end
LUA

peak_rss() { awk '/VmHWM/ { print int($2 / 1024) " MB" }' "/proc/$server/status"; }
run() {
    local label=$1 path=$2 script=$3
    if [ -n "$pages" ] && ! echo "$label" | grep -Eq "$pages"; then return 0; fi
    local out
    out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$script" "$base$path" 2>&1)
    local rps p50 p99 errors non2xx
    rps=$(echo "$out" | awk '/Requests\/sec/ { print int($2) }')
    p50=$(echo "$out" | awk '$1 == "50%" { print $2 }')
    p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
    errors=$(echo "$out" | awk '/Socket errors/ { print $0 }' | sed 's/.*Socket errors: //')
    non2xx=$(echo "$out" | awk '/Non-2xx or 3xx/ { print $5 }')
    echo "| $label | $rps | $p50 | $p99 | ${non2xx:-0} non-2xx/3xx${errors:+, $errors} | $(peak_rss) |"
    if [ "${rps:-0}" -eq 0 ] || [ -n "$non2xx" ] || [ -n "$errors" ]; then
        failed="$failed $label;"
    fi
}
failed=""

echo
echo "SPOT load test: $engine, scale $scale, wrk ${seconds}s, $connections connections, $(nproc) cores"
echo
echo "Cold start on the existing database, to the first answered request: $cold_start_ms ms"
echo
echo "| page | requests/s | p50 | p99 | errors | server peak RSS |"
echo "|---|---|---|---|---|---|"
# The whole middleware stack and no page: what every other row is measured against.
run "/healthz (no page)" "/healthz" "$work/get.lua"
run "forum index" "/forum" "$work/get.lua"
run "category page" "/forum/post-covid-rehabilitation" "$work/get.lua"
run "thread page (30 posts)" "/threads/$small" "$work/get.lua"
run "first page of a $deep_posts-post thread" "/threads/$deep_id" "$work/get.lua"
run "deep page (page $deep_pages of the same, 30 posts)" "/threads/$deep_id?page=$deep_pages" "$work/get.lua"
run "resource library, tag filter" "/resources?tag=fatigue" "$work/get.lua"
run "resource library, first page" "/resources" "$work/get.lua"
run "member directory" "/members" "$work/get.lua"
run "member directory, role and borough" "/members?role=occupational_therapist&borough=bolton" "$work/get.lua"
run "course list" "/courses" "$work/get.lua"
run "notifications" "/notifications" "$work/get.lua"
run "search, two words" "/search?q=fatigue+pacing" "$work/get.lua"
run "search, two broad words, discussions" "/search?q=long+covid&kind=posts" "$work/get.lua"
run "search, a rarer word" "/search?q=reablement" "$work/get.lua"
run "search, discussions page 2" "/search?q=energy+diary&kind=posts&page=2" "$work/get.lua"
run "mixed: thread reads, 5% replies" "/threads/$replied" "$work/mixed.lua"
if grep -qi "database is locked" "$work/server.log"; then
    echo
    echo "**database is locked** appeared in the server log"
fi
if [ -n "$check" ]; then
    grep -qi "database is locked" "$work/server.log" && failed="$failed database is locked;"
    if [ -n "$failed" ]; then
        echo "load test check failed:$failed" >&2
        exit 1
    fi
fi

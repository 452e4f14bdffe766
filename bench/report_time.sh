#!/bin/sh
# Times /admin/report on the scale-50 demo: release build, SQLite, signed in as the demo admin.
# Usage: bench/report_time.sh PASSWORD, with the scale-50 demo in $SPOT_BENCH_DIR (made by
# `DATABASE_URL=sqlite://$SPOT_BENCH_DIR/spot.db SPOT_DATA_DIR=$SPOT_BENCH_DIR spot demo --scale 50 --seed 7`).
set -e
dir=${SPOT_BENCH_DIR:-/work/bench-eval}
base=http://127.0.0.1:8197
DATABASE_URL=sqlite://$dir/spot.db SPOT_DATA_DIR=$dir SPOT_BIND=127.0.0.1:8197 ${SPOT_BIN:-target/release/spot} > $dir/server.log 2>&1 &
server=$!
trap 'kill $server' EXIT
until curl -sf $base/healthz >/dev/null; do sleep 0.05; done
jar=$dir/cookies; rm -f $jar
token=$(curl -s -c $jar -b $jar $base/login | grep -o 'name="csrf_token" value="[^"]*"' | sed 's/.*value="//;s/"$//')
curl -s -o /dev/null -c $jar -b $jar --data-urlencode "csrf_token=$token" \
    --data-urlencode "email=admin@spot.example" --data-urlencode "password=$1" $base/login
for path in /admin/report /admin/report.csv; do
  curl -s -o /dev/null -b $jar -w "warm-up $path %{http_code} %{time_total}\n" $base$path
  for i in 1 2 3 4 5 6 7 8 9 10; do
    curl -s -o /dev/null -b $jar -w "%{time_total}\n" $base$path
  done | sort -n | awk -v p=$path '{a[NR]=$1} END {print p": min " a[1] " median " (a[5]+a[6])/2 " max " a[NR]}'
done

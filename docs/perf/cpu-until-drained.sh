#!/bin/bash
# CPU per message of the gateway and PostgreSQL from just before `uifsagw load` until every inbound
# message is processed (the load tool's own meter stops at the last acknowledgment, before the
# processor has caught up). Usage: cpu-until-drained.sh BINARY TAG; appends a line to /tmp/h19b/results.txt.
# Written for issue 19 (docs/PERFORMANCE.md, "The processor decides in batches").
BIN=$1; TAG=$2
rm -rf /tmp/h19b/var-$TAG
setsid $BIN dev --dir /tmp/h19b/var-$TAG --partner-listen 127.0.0.1:58443 --staff-listen 127.0.0.1:58080 --peer-listen 127.0.0.1:59443 --pg-port 55432 > /tmp/h19b/dev-$TAG.log 2>&1 &
DEVPID=$!
for i in $(seq 1 120); do grep -q "gateway serving" /tmp/h19b/dev-$TAG.log && break; sleep 1; done
sleep 2
PM=$(head -1 /tmp/h19b/var-$TAG/pg/data/postmaster.pid 2>/dev/null || pgrep -f "postgres -D /tmp/h19b/var-$TAG" | head -1)
TCK=$(getconf CLK_TCK)
gw() { awk '{print $14+$15}' /proc/$DEVPID/stat; }
pg() { local t=$(awk '{print $14+$15+$16+$17}' /proc/$PM/stat); for c in $(pgrep -P $PM); do t=$((t + $(awk '{print $14+$15}' /proc/$c/stat 2>/dev/null || echo 0))); done; echo $t; }
P="postgres:///uifsagw?host=%2Ftmp%2Fh19b%2Fvar-$TAG%2Fpg&port=55432&sslmode=disable&user=postgres"
G0=$(gw); P0=$(pg); T0=$(date +%s.%N)
$BIN load --dir /tmp/h19b/var-$TAG --addr https://127.0.0.1:58443 --count 3000 --concurrency 16 --no-cpu > /tmp/h19b/m-$TAG.txt 2>&1
T1=$(date +%s.%N)
while [ "$(psql -At "$P" -c "select count(*) from messages where status in ('received','processing')")" != "0" ]; do sleep 0.5; done
T2=$(date +%s.%N)
G1=$(gw); P1=$(pg)
N=$(psql -At "$P" -c "select count(*) from messages where direction='in'")
echo "$TAG inbound=$N gateway_us_per_msg=$(( (G1-G0)*1000000/TCK/N )) pg_us_per_msg=$(( (P1-P0)*1000000/TCK/N )) load_s=$(echo "$T1-$T0"|bc) drain_s=$(echo "$T2-$T1"|bc) $(grep throughput /tmp/h19b/m-$TAG.txt) load:$(cut -d' ' -f1 /proc/loadavg)" | tee -a /tmp/h19b/results.txt
kill -- -$DEVPID; wait $DEVPID 2>/dev/null

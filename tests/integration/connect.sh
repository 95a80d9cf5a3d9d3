#!/bin/sh
# connect.sh: a host name with a blackholed first address connects through
# the next one quickly. The name connect-test.invalid resolves, through a
# hosts file the jail binds over /etc/hosts (jail.sh -H), to ::1 and
# 127.0.0.1; on ::1, at the plain registry's port, a listener with a full
# backlog (one connection queued, never accepted) drops every further SYN.
# getaddrinfo puts ::1 first; ocipull gives it BOARD_CONNECT_ATTEMPT_MS
# (3 s) and moves on to 127.0.0.1, where the registry answers: the inspect
# succeeds in about 3 s, not after the 30 s connect timeout.
. "$(dirname "$0")/../lib/t.sh"

HOME=$T_DIR/home
export HOME
unset DOCKER_CONFIG
name=connect-test.invalid
if [ "$(id -u)" != 0 ]; then
	echo "skipped: $BOARD/connect-blackholed-first (the jail binds a hosts file only as root)"
	exit 0
fi
port=${REG_HTTP##*:}
printf '::1 %s\n127.0.0.1 %s\n' "$name" "$name" > "$T_DIR/hosts"
# The order the resolver gives inside the jail (AI_ADDRCONFIG, as ocipull):
# without a usable IPv6 address ::1 is left out, and nothing is tested.
first=$(jailed -H "$T_DIR/hosts" python3 -c '
import socket, sys
r = socket.getaddrinfo(sys.argv[1], 80, 0, socket.SOCK_STREAM, 0, socket.AI_ADDRCONFIG)
print(" ".join(a[4][0] for a in r))' "$name" 2>&1)
case $first in
"::1 127.0.0.1"*) ;;
*)	echo "skipped: $BOARD/connect-blackholed-first (the resolver gives '$first', not ::1 then 127.0.0.1)"
	exit 0 ;;
esac
python3 -c '
import socket, sys, time
l = socket.socket(socket.AF_INET6)
l.bind(("::1", int(sys.argv[1])))
l.listen(0)
c = socket.socket(socket.AF_INET6)
c.connect(("::1", int(sys.argv[1])))
print("ready", flush=True)
time.sleep(300)' "$port" > "$T_DIR/blackhole.out" 2>&1 &
bh=$!
i=0
while ! grep -q ready "$T_DIR/blackhole.out" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
# The blackhole holds: a connect to it does not complete.
if python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6)
s.settimeout(1)
try:
    s.connect(("::1", int(sys.argv[1])))
except OSError:
    sys.exit(0)
sys.exit(1)' "$port"; then
	pass connect-blackhole-holds
else
	fail connect-blackhole-holds "a connect to [::1]:$port completed: $(cat "$T_DIR/blackhole.out")"
fi
t0=$(date +%s.%N)
jailed -H "$T_DIR/hosts" $RUNNER "$OCIPULL" inspect --plain-http \
	"$name:$port/fixture/multi:latest" > "$OUT_F" 2> "$ERR_F" < /dev/null
RC=$?
LAST="ocipull inspect --plain-http $name:$port/fixture/multi:latest"
took=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
kill "$bh" 2>/dev/null
wait "$bh" 2>/dev/null
expect_rc connect-blackholed-first-exit 0
echo "connect: $BOARD: inspect through a blackholed first address took $took s" >&2
if awk -v t="$took" 'BEGIN { exit !(t >= 2.9 && t < 15) }'; then
	pass connect-blackholed-first-quick
else
	fail connect-blackholed-first-quick "took $took s: expected the 3 s try of ::1, then 127.0.0.1 (not the 30 s connect timeout)"
fi

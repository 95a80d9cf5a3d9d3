#!/bin/sh
# clockfloor.sh: certificate dates when the clock is behind the build's
# time (src/clockfloor.h), through the port's real clock.
#
# make check links each board's objects a second time with the floor at
# 2100-01-01 (build/BOARD/test/ocipull-floor2100: only build_time.o
# differs), so the machine's clock is behind that binary's floor, as a
# device's is at boot. Certificates dated around 2100 come from a CA of
# this run made with `openssl ca -startdate/-enddate`:
#
#   - the run's registry certificate (valid now, expired by 2100): refused,
#     the message says the build's time was used;
#   - valid 2099-12-01 to 2100-02-01: accepted, with one warning a run
#     (and a JSON warning event);
#   - valid from 2100-06-01, after the floor: accepted (a clock behind the
#     floor cannot tell that a certificate is not valid yet);
#   - the ordinary binary (floor at the build, clock after it) refuses the
#     2100 certificate as not valid yet and accepts the run's, with no
#     warning.
#
# The CA and the registries are made by the first board's run and kept.
. "$(dirname "$0")/../lib/t.sh"
. "$ROOT/tests/lib/registry.sh"

HOME=$T_DIR/home
export HOME
unset DOCKER_CONFIG SSL_CERT_FILE SSL_CERT_DIR
F=$WORK/clockfloor
MAIN_BIN=$ROOT/build/$BOARD/ocipull
FLOOR_BIN=$ROOT/build/$BOARD/test/ocipull-floor2100
WARNING='^ocipull: warning: the system clock \([0-9-]+ [0-9:]+ UTC\) is earlier than this build \(2100-01-01 00:00:00 UTC\)'

# cert NAME START END [CA-extensions]: NAME/server.crt and .key for
# localhost and 127.0.0.1 (or, with ca, the self-signed CA), valid from
# START to END (YYYYMMDDHHMMSSZ).
floor_cert() {
	mkdir -p "$F/$1"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$F/$1/server.key" -out "$F/$1/server.csr" \
		-subj "/CN=${4:+ocipull test CA of }localhost" >/dev/null 2>&1 || return 1
	if [ "${4:-}" = ca ]; then
		openssl ca -batch -config "$F/ca.cnf" -selfsign -keyfile "$F/$1/server.key" \
			-in "$F/$1/server.csr" -out "$F/$1/server.crt" -startdate "$2" \
			-enddate "$3" -extensions v3_ca >/dev/null 2>&1
	else
		openssl ca -batch -config "$F/ca.cnf" -cert "$F/ca/server.crt" \
			-keyfile "$F/ca/server.key" -in "$F/$1/server.csr" \
			-out "$F/$1/server.crt" -startdate "$2" -enddate "$3" \
			-extensions v3_server >/dev/null 2>&1
	fi
}

floor_setup() {
	mkdir -p "$F/newcerts" || return 1
	: > "$F/index.txt"
	echo 1000 > "$F/serial"
	cat > "$F/ca.cnf" <<EOC
[ ca ]
default_ca = floor_ca
[ floor_ca ]
database = $F/index.txt
new_certs_dir = $F/newcerts
serial = $F/serial
default_md = sha256
policy = any
unique_subject = no
email_in_dn = no
[ any ]
commonName = supplied
[ v3_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ v3_server ]
basicConstraints = CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
authorityKeyIdentifier = keyid
EOC
	floor_cert ca 20990101000000Z 21010101000000Z ca || return 1
	floor_cert around 20991201000000Z 21000201000000Z || return 1
	floor_cert later 21000601000000Z 21001231000000Z || return 1
	cp "$F/ca/server.crt" "$F/around/ca.crt" && cp "$F/ca/server.crt" "$F/later/ca.crt" ||
		return 1
	set -- $(reg_free_ports 2)
	reg_start floor-around "$1" tls "$F/around" storage "$WORK/registry-tls/data" \
		wait-insecure || return 1
	reg_start floor-later "$2" tls "$F/later" storage "$WORK/registry-tls/data" \
		wait-insecure || return 1
	echo "P_AROUND=$1 P_LATER=$2" > "$F/env"
}
setup_once "$F" floor_setup clockfloor-setup "CA or registries" || exit 0
if [ ! -x "$FLOOR_BIN" ]; then
	fail clockfloor-binary "$FLOOR_BIN missing (make BOARD=$BOARD test-bins)"
	exit 0
fi

# run with the binary whose floor is 2100, then back to the ordinary one
# (both only through run, in the jail).
floor_run() {
	OCIPULL=$FLOOR_BIN
	run "$@"
	OCIPULL=$MAIN_BIN
}
warnings() { grep -cE "$WARNING" "$ERR_F"; }

FCA=$F/ca/server.crt
floor_run inspect --ca-file "$CA_DIR/ca.crt" "$REG_HTTPS/fixture/multi:latest"
expect_rc floor-expired-at-floor-exit 4
expect_err floor-expired-at-floor-says-expired 'not accepted: .*expired'
expect_err floor-expired-at-floor-says-floor '\(the system clock \([0-9-]+ [0-9:]+ UTC\) is earlier than this build \(2100-01-01 00:00:00 UTC\)'
expect_err floor-expired-at-floor-warns "$WARNING"

D=$T_DIR/dest
rm -rf "$D"
# shellcheck disable=SC2154 # P_AROUND, P_LATER: from $F/env
floor_run pull --ca-file "$FCA" "localhost:$P_AROUND/fixture/multi:latest" "$D"
expect_rc floor-valid-around-floor-pull-exit 0
if [ "$(warnings)" = 1 ]; then pass floor-valid-around-floor-warns-once
else fail floor-valid-around-floor-warns-once "$(warnings) warnings: $(head -c 400 "$ERR_F")"; fi

floor_run inspect --progress=json --ca-file "$FCA" "localhost:$P_LATER/fixture/multi:latest"
expect_rc floor-issued-after-floor-exit 0
expect_err floor-issued-after-floor-json-warning '^\{"event":"warning","message":"the system clock .* is earlier than this build \(2100-01-01 00:00:00 UTC\)'

run inspect --ca-file "$FCA" "localhost:$P_AROUND/fixture/multi:latest"
expect_rc clock-trusted-refuses-future-exit 4
expect_err clock-trusted-refuses-future-says-why 'not accepted: .*future'
if [ "$(warnings)" = 0 ]; then pass clock-trusted-refuses-future-no-warning
else fail clock-trusted-refuses-future-no-warning "$(head -c 300 "$ERR_F")"; fi

run inspect --ca-file "$CA_DIR/ca.crt" "$REG_HTTPS/fixture/multi:latest"
expect_rc clock-trusted-accepts-exit 0
if [ "$(warnings)" = 0 ]; then pass clock-trusted-accepts-no-warning
else fail clock-trusted-accepts-no-warning "$(head -c 300 "$ERR_F")"; fi

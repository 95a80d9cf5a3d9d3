# registry.sh: start and stop real registries (Debian's docker-registry) on
# 127.0.0.1 for the test suite. Sourced by tests/run.sh and tests/demo.sh.
#
#   reg_free_port                 print a free TCP port on 127.0.0.1
#   reg_free_ports N              print N distinct free ports
#   reg_free_port6                print a free TCP port on ::1 (fails without
#                                 IPv6 on the loopback)
#   reg_make_ca DIR               CA + server certificate for localhost,
#                                 127.0.0.1 and ::1 (DIR/ca.crt,
#                                 DIR/server.crt, DIR/server.key) and an
#                                 unrelated CA (DIR/wrong-ca.crt)
#   reg_make_cert DIR NAME KEY CN [SAN]
#                                 one more server certificate from that CA:
#                                 DIR/NAME.crt and DIR/NAME.key, KEY ec
#                                 (P-256) or rsa (2048 bits), subject CN,
#                                 subjectAltName SAN (none when not given)
#   reg_start NAME PORT [tls DIR] [htpasswd FILE] [storage DIR] [ipv6]
#             [token REALM_URL ISSUER SERVICE CERTFILE]
#             [clientcas CAFILE CLIENT_CRT CLIENT_KEY] [wait-insecure]
#             [proxy URL]
#                                 start a registry with storage in $WORK/NAME
#                                 (or DIR, e.g. another registry's data),
#                                 listening on 127.0.0.1 (ipv6: ::1), wait
#                                 until it answers, remember its PID;
#                                 with token, clients need a bearer token
#                                 from REALM_URL signed by CERTFILE's key;
#                                 with clientcas (after tls), clients need a
#                                 certificate issued by CAFILE's CA (mutual
#                                 TLS; CLIENT_CRT and _KEY, one of them, for
#                                 the wait); storage DIR serves the images
#                                 another registry's storage holds;
#                                 wait-insecure: the wait does not verify
#                                 the certificate (dated out of range);
#                                 proxy URL: a pull-through cache of the
#                                 registry at URL
#   reg_make_client_cert DIR NAME CA_CRT CA_KEY [rsa]
#                                 a client certificate NAME.crt and its key
#                                 NAME.key (P-256, or RSA 2048) in DIR,
#                                 issued by the CA
#   reg_make_token_key DIR        token signing key DIR/token.key and its
#                                 self-signed certificate DIR/token.crt (the
#                                 CERTFILE for reg_start ... token)
#   tok_start PORT KEY CERT ISSUER SERVICE [tokenserver.py options...]
#                                 start tests/lib/tokenserver.py on PORT
#                                 (e.g. --users FILE --anonymous), wait until
#                                 it is ready, remember its PID; its log is
#                                 $WORK/tokenserver-PORT/log; sets TOK_PORT
#                                 to the port it listens on (PORT 0: any)
#   fp_start UPSTREAM [PORT]      start tests/lib/faultproxy.py on PORT
#                                 (default 0: any free port) in front of the
#                                 plain-HTTP registry UPSTREAM (127.0.0.1:P
#                                 or P), wait until it is ready, remember
#                                 its PID; sets FP_PORT to the port it
#                                 listens on and FP_DIR to its directory
#                                 (log: $FP_DIR/log)
#   tf_start UPSTREAM VERSION CERT KEY [CLIENT_CA]
#                                 start tests/lib/tlsfront.py: TLS VERSION
#                                 (1.2 or 1.3) only, CERT and KEY, in front
#                                 of the plain-HTTP registry UPSTREAM
#                                 (127.0.0.1:P); with CLIENT_CA clients need
#                                 a certificate of that CA; sets TF_PORT and
#                                 TF_DIR (log: $TF_DIR/log, a line per
#                                 connection)
#   tp_start UPSTREAM SPEC...     start tests/lib/tlsproxy.py: one TLS
#                                 endpoint per SPEC
#                                 (NAME,ADDR,CERT,KEY[,MIN[,MAX[,PREF]]]) in front
#                                 of the plain-HTTP registry UPSTREAM; sets
#                                 TP_DIR (TP_DIR/out has "listen NAME PORT"
#                                 lines, TP_DIR/conns one line per
#                                 connection: version, cipher, SNI)
#   bg_ready DIR WHAT CMD...      run CMD in the background until it prints
#                                 "ready PORT" (sets BG_PORT), PID remembered
#   reg_stop_all                  stop every registry, token server and
#                                 fault proxy started, by PID
#
# Needs WORK (a private temporary directory) set by the caller.
# tok_start finds tokenserver.py as $TOKENSERVER, else
# ${ROOT:-.}/tests/lib/tokenserver.py (callers run from the source root);
# fp_start finds faultproxy.py as $FAULTPROXY, else
# ${ROOT:-.}/tests/lib/faultproxy.py; tp_start finds tlsproxy.py as
# $TLSPROXY, else ${ROOT:-.}/tests/lib/tlsproxy.py; tf_start tlsfront.py in
# the same directory.

reg_free_port() {
	reg_free_ports 1
}

# reg_free_ports N: N distinct free ports, one per line (all bound at once,
# so no two are the same).
reg_free_ports() {
	python3 -c 'import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss: s.bind(("127.0.0.1", 0))
print("\n".join(str(s.getsockname()[1]) for s in ss))
for s in ss: s.close()' "$1"
}

reg_free_port6() {
	python3 -c 'import socket
s = socket.socket(socket.AF_INET6)
s.bind(("::1", 0))
print(s.getsockname()[1])' 2>/dev/null
}

reg_make_ca() {
	d=$1
	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$d/ca.key" -out "$d/ca.crt" -days 2 -subj "/CN=ocipull test CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" >/dev/null 2>&1 || return 1
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$d/server.key" -out "$d/server.csr" -subj "/CN=localhost" >/dev/null 2>&1 || return 1
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$d/ext.cnf"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
		-CAcreateserial -out "$d/server.crt" -days 2 -extfile "$d/ext.cnf" >/dev/null 2>&1 || return 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$d/wrong-ca.key" -out "$d/wrong-ca.crt" -days 2 \
		-subj "/CN=unrelated CA" >/dev/null 2>&1 || return 1
}

reg_make_client_cert() {
	rmc_key="ec -pkeyopt ec_paramgen_curve:prime256v1"
	[ "${5:-}" = rsa ] && rmc_key=rsa:2048
	# shellcheck disable=SC2086 # rmc_key is words
	openssl req -newkey $rmc_key -nodes -keyout "$1/$2.key" -out "$1/$2.csr" \
		-subj "/CN=ocipull test client $2" >/dev/null 2>&1 || return 1
	printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' > "$1/$2.ext"
	openssl x509 -req -in "$1/$2.csr" -CA "$3" -CAkey "$4" -CAcreateserial \
		-out "$1/$2.crt" -days 2 -extfile "$1/$2.ext" >/dev/null 2>&1
}

reg_make_cert() {
	d=$1 n=$2
	case $3 in
	ec) k="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1" ;;
	rsa) k="-newkey rsa:2048" ;;
	*) echo "reg_make_cert: key type ec or rsa, not $3" >&2; return 1 ;;
	esac
	# shellcheck disable=SC2086 # k is words
	openssl req $k -nodes -keyout "$d/$n.key" -out "$d/$n.csr" -subj "/CN=$4" \
		>/dev/null 2>&1 || return 1
	printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$d/$n.cnf"
	[ -z "${5:-}" ] || printf 'subjectAltName=%s\n' "$5" >> "$d/$n.cnf"
	openssl x509 -req -in "$d/$n.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
		-CAcreateserial -out "$d/$n.crt" -days 2 -extfile "$d/$n.cnf" >/dev/null 2>&1
}

reg_make_token_key() {
	mkdir -p "$1"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$1/token.key" -out "$1/token.crt" -days 2 \
		-subj "/CN=ocipull test token signer" >/dev/null 2>&1
}

reg_start() {
	name=$1 port=$2
	shift 2
	dir=$WORK/registry-$name
	mkdir -p "$dir/data"
	tls="" auth="" scheme=http curl_ca="" clientcas="" storage=$dir/data proxy=""
	addr=127.0.0.1
	while [ $# -gt 0 ]; do
		case $1 in
		tls)
			tls="  tls:
    certificate: $2/server.crt
    key: $2/server.key"
			scheme=https curl_ca="--cacert $2/ca.crt"
			shift 2 ;;
		clientcas)
			if [ $# -lt 4 ]; then
				echo "reg_start: clientcas needs CAFILE CLIENT_CRT CLIENT_KEY" >&2
				return 1
			fi
			clientcas="    clientcas:
      - $2"
			curl_ca="$curl_ca --cert $3 --key $4"
			shift 4 ;;
		storage)
			storage=$2
			shift 2 ;;
		wait-insecure)
			curl_ca="$curl_ca -k"
			shift ;;
		htpasswd)
			auth="auth:
  htpasswd:
    realm: ocipull-test
    path: $2"
			shift 2 ;;
		token)
			if [ $# -lt 5 ]; then
				echo "reg_start: token needs REALM_URL ISSUER SERVICE CERTFILE" >&2
				return 1
			fi
			auth="auth:
  token:
    realm: $2
    issuer: $3
    service: $4
    rootcertbundle: $5"
			shift 5 ;;
		proxy)
			proxy="proxy:
  remoteurl: $2"
			shift 2 ;;
		ipv6) addr="[::1]"; shift ;;
		*) echo "reg_start: unknown option $1" >&2; return 1 ;;
		esac
	done
	cat > "$dir/config.yml" <<EOC
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $storage
  delete:
    enabled: true
validation:
  manifests:
    urls:
      allow:
        - ^https://
http:
  addr: "$addr:$port"
  secret: ocipull-test-secret
$tls
$clientcas
$auth
$proxy
EOC
	docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
	echo $! > "$dir/pid"
	echo "$dir/pid" >> "$WORK/registry-pids"
	reg_url=$scheme://$addr:$port/v2/ reg_ca=$curl_ca
	bg_wait "registry $name on port $port" "$dir" reg_answers
}

# The registry started last answers /v2/ (200, or 401 with auth).
reg_answers() {
	# shellcheck disable=SC2086
	code=$(curl -s -o /dev/null -w '%{http_code}' $reg_ca "$reg_url" 2>/dev/null) || true
	case $code in 200|401) return 0 ;; esac
	return 1
}

# bg_wait WHAT DIR TEST...: wait up to 10 s until TEST succeeds, failing
# early (with DIR/log) when the process in DIR/pid has died.
bg_wait() {
	bw_what=$1 bw_dir=$2
	shift 2
	bw_i=0
	while [ $bw_i -lt 100 ]; do
		"$@" && return 0
		if ! kill -0 "$(cat "$bw_dir/pid")" 2>/dev/null; then
			echo "$bw_what died:" >&2
			cat "$bw_dir/log" >&2
			return 1
		fi
		sleep 0.1
		bw_i=$((bw_i + 1))
	done
	echo "$bw_what did not get ready" >&2
	cat "$bw_dir/log" >&2
	return 1
}

# bg_ready DIR WHAT CMD...: run CMD in the background (stdout DIR/out,
# stderr DIR/log), remember its PID for reg_stop_all, and wait until it
# prints "ready PORT"; sets BG_PORT. WHAT names it in messages.
bg_ready() {
	bg_dir=$1 bg_what=$2
	shift 2
	mkdir -p "$bg_dir"
	: > "$bg_dir/out"
	"$@" >"$bg_dir/out" 2>"$bg_dir/log" </dev/null &
	echo $! > "$bg_dir/pid"
	echo "$bg_dir/pid" >> "$WORK/registry-pids"
	bg_wait "$bg_what" "$bg_dir" grep -q '^ready ' "$bg_dir/out" || return 1
	BG_PORT=$(sed -n 's/^ready //p' "$bg_dir/out")
}

tok_start() {
	if [ $# -lt 5 ]; then
		echo "tok_start: usage: tok_start PORT KEY CERT ISSUER SERVICE [options...]" >&2
		return 1
	fi
	tok_port=$1 tok_key=$2 tok_cert=$3 tok_iss=$4 tok_svc=$5
	shift 5
	bg_ready "$WORK/tokenserver-$tok_port" "token server on port $tok_port" \
		python3 "${TOKENSERVER:-${ROOT:-.}/tests/lib/tokenserver.py}" --port "$tok_port" \
		--key "$tok_key" --cert "$tok_cert" --issuer "$tok_iss" --service "$tok_svc" "$@" ||
		return 1
	# shellcheck disable=SC2034 # for the caller
	TOK_PORT=$BG_PORT
}

fp_start() {
	if [ $# -lt 1 ]; then
		echo "fp_start: usage: fp_start UPSTREAM [PORT]" >&2
		return 1
	fi
	fp_dir=$(mktemp -d "$WORK/faultproxy.XXXXXX") || return 1
	bg_ready "$fp_dir" "fault proxy in front of $1" \
		python3 "${FAULTPROXY:-${ROOT:-.}/tests/lib/faultproxy.py}" --upstream "$1" \
		--port "${2:-0}" || return 1
	# shellcheck disable=SC2034 # for the caller
	FP_PORT=$BG_PORT FP_DIR=$fp_dir
}

tf_start() {
	if [ $# -lt 4 ]; then
		echo "tf_start: usage: tf_start UPSTREAM VERSION CERT KEY [CLIENT_CA]" >&2
		return 1
	fi
	tf_dir=$(mktemp -d "$WORK/tlsfront.XXXXXX") || return 1
	bg_ready "$tf_dir" "TLS $2 front of $1" \
		python3 "${ROOT:-.}/tests/lib/tlsfront.py" --upstream "$1" --tls "$2" \
		--cert "$3" --key "$4" ${5:+--client-ca "$5"} || return 1
	# shellcheck disable=SC2034 # for the caller
	TF_PORT=$BG_PORT TF_DIR=$tf_dir
}

tp_start() {
	if [ $# -lt 2 ]; then
		echo "tp_start: usage: tp_start UPSTREAM SPEC..." >&2
		return 1
	fi
	tp_up=$1
	shift
	tp_dir=$(mktemp -d "$WORK/tlsproxy.XXXXXX") || return 1
	for spec in "$@"; do
		set -- "$@" --listen "$spec"
		shift
	done
	bg_ready "$tp_dir" "TLS proxy in front of $tp_up" \
		python3 "${TLSPROXY:-${ROOT:-.}/tests/lib/tlsproxy.py}" --upstream "$tp_up" \
		--log "$tp_dir/conns" "$@" || return 1
	# shellcheck disable=SC2034 # for the caller
	TP_DIR=$tp_dir
}

reg_stop_all() {
	[ -f "$WORK/registry-pids" ] || return 0
	while read -r f; do
		pid=$(cat "$f" 2>/dev/null) || continue
		kill "$pid" 2>/dev/null
	done < "$WORK/registry-pids"
	while read -r f; do
		pid=$(cat "$f" 2>/dev/null) || continue
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$pid" 2>/dev/null || true
	done < "$WORK/registry-pids"
	rm -f "$WORK/registry-pids"
}

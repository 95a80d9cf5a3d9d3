#!/bin/sh
# lint.sh: source rules that a compiler does not check (see STYLE.md and
# DESIGN.md). One PASS/FAIL line per rule.
cd "$(dirname "$0")/.." || exit 2

# Project code runs only in the jail (tests/lib/jail.sh): in the integration
# scripts, t.sh and build.sh, every statement that runs "$OCIPULL" or chroot starts
# with `jailed` (t.sh's run/jailed; `run` is built on it). cp and file may
# name the binary. A mention inside single quotes (sh -c '...') is refused:
# where that runs cannot be told here. Continued lines are joined first.
JAILED_RULE='
function seg_ok(pre,   p, n, parts, seg) {
	p = pre
	if (gsub(/\047/, "&", p) % 2) return 0
	gsub(/\047[^\047]*\047/, "", p)
	while (gsub(/\([^()]*\)/, "", p) + gsub(/\{[^{}]*\}/, "", p)) ;
	gsub(/;|&&|\|\||\||&|\(|`|\{/, "\001", p)
	n = split(p, parts, "\001")
	seg = parts[n]
	sub(/^[ \t]*((then|do|else|if|while|until|!)[ \t]+)*/, "", seg)
	sub(/^([A-Za-z_][A-Za-z0-9_]*=[^ \t]*[ \t]+)*/, "", seg)
	if (seg ~ /^jailed([ \t]|$)/) return 1
	return seg ~ /^(cp|file)([ \t]+-[A-Za-z]+)*[ \t]+"?$/
}
FNR == 1 { buf = "" }
buf == "" && /^[ \t]*#/ { next }
{
	if (buf == "") at = FNR
	buf = buf $0
	q = buf
	if (buf ~ /\\$/) { buf = substr(buf, 1, length(buf) - 1) " "; next }
	if (gsub(/\047/, "&", q) % 2) { buf = buf "\n"; next }
	l = buf
	buf = ""
	pre = ""
	rest = l
	while (match(rest, /\$\{?OCIPULL\}?|(^|[^A-Za-z0-9_\/.-])chroot[ \t]/)) {
		m = substr(rest, RSTART, RLENGTH)
		cut = RSTART - 1
		if (m !~ /^(\$|chroot)/) { cut++; m = substr(m, 2) }
		pre = pre substr(rest, 1, cut)
		if (!seg_ok(pre)) { gsub(/[ \t\n]+/, " ", l); print FILENAME ":" at ": " l }
		pre = pre m
		rest = substr(rest, cut + length(m) + 1)
	}
}'
unjailed=$(awk "$JAILED_RULE" tests/lib/t.sh tests/integration/*.sh tests/build.sh | sort -u)
if [ -z "$unjailed" ]; then echo "PASS lint/ocipull-only-jailed"
else echo "FAIL lint/ocipull-only-jailed: $unjailed" | head -5; fi
# The rule itself: it must catch each of these (and pass the last three).
caught=$(awk "$JAILED_RULE" <<'SH' | wc -l
"$OCIPULL" pull a b
$RUNNER "$OCIPULL" --version
jailed true; "$OCIPULL" pull a b
x=$(timeout 5 ${OCIPULL} inspect r)
jailed sh -c 'x; "$OCIPULL" pull'
strace -f \
	"$OCIPULL" pull a b
chroot "$J" /ocipull
O=$OCIPULL
jailed $RUNNER "$OCIPULL" pull a b
f=$(file -b "$OCIPULL") && cp "$OCIPULL" "$J/ocipull"
if jailed chroot "$J" /ocipull; then :; fi
SH
)
if [ "$caught" -eq 8 ]; then echo "PASS lint/ocipull-only-jailed-rule-catches"
else echo "FAIL lint/ocipull-only-jailed-rule-catches: $caught of the 8 unjailed runs caught"; fi

banned=$(grep -nE '\b(sprintf|vsprintf|strcpy|strcat|gets|atoi|atol|strtok)[[:space:]]*\(' \
	src/*.c src/*.h port/*.h port/*/*.c 2>/dev/null | grep -v 'snprintf')
if [ -z "$banned" ]; then echo "PASS lint/banned-functions"
else echo "FAIL lint/banned-functions: $banned" | head -5; fi

# port.h is the only door to the operating system: no OS header in src/.
os=$(grep -nE '#[[:space:]]*include[[:space:]]*<(sys/|netdb|netinet/|arpa/|fcntl|unistd|poll|dirent|signal|pthread|linux/)' \
	src/*.c src/*.h 2>/dev/null)
if [ -z "$os" ]; then echo "PASS lint/no-os-headers-in-src"
else echo "FAIL lint/no-os-headers-in-src: $os" | head -5; fi

# No platform #ifdef in src/ (the port and the board decide).
ifd=$(grep -nE '#[[:space:]]*if(def|ndef)?[[:space:]].*\b(__linux__|__unix__|_WIN32|__APPLE__|__aarch64__|__arm__|__x86_64__)' \
	src/*.c src/*.h 2>/dev/null)
if [ -z "$ifd" ]; then echo "PASS lint/no-platform-ifdef-in-src"
else echo "FAIL lint/no-platform-ifdef-in-src: $ifd" | head -5; fi

# No third-party source in the repository.
vend=$(git ls-files 2>/dev/null | grep -E '(^|/)(jsmn\.[ch]|zlib\.h|inflate\.c|ssl_tls\.c)$')
if [ -z "$vend" ]; then echo "PASS lint/no-vendored-sources"
else echo "FAIL lint/no-vendored-sources: $vend"; fi

# Nothing below main prints: the stages report through the event sink
# (event.h), and only main.c, report.c and progress.c write to the user.
prints=$(grep -nE '\b(progress_[a-z]+|port_out)[[:space:]]*\(|PORT_STD(OUT|ERR)' src/*.c 2>/dev/null |
	grep -vE '^src/(main|progress|report)\.c:')
if [ -z "$prints" ]; then echo "PASS lint/only-main-prints"
else echo "FAIL lint/only-main-prints: $prints" | head -5; fi

# Size limits in src/: files of at most 900 lines, functions of at most 100
# (house style: a definition's body opens and closes with a brace alone at
# column 0; counted from the line of the return type).
long_files=$(wc -l src/*.c src/*.h | awk '$2 != "total" && $1 > 900 { print $2 " has " $1 " lines" }')
if [ -z "$long_files" ]; then echo "PASS lint/file-length"
else echo "FAIL lint/file-length: $(echo $long_files)"; fi
long_funcs=$(awk -v MAX=100 '
	FNR == 1 { start = 0; cname = "" }
	/^[A-Za-z_][A-Za-z0-9_]*\(/ { cand = FNR - 1; cname = $0; sub(/\(.*/, "", cname) }
	/^\{/ { if (cname != "") { start = cand; name = cname } }
	/^\}/ { if (start) { n = FNR - start + 1
		if (n > MAX) printf "%s:%d %s is %d lines; ", FILENAME, start, name, n
		start = 0; cname = "" } }' src/*.c)
if [ -z "$long_funcs" ]; then echo "PASS lint/function-length"
else echo "FAIL lint/function-length: $long_funcs"; fi

# Layer membership decides by what the writer recorded (src/member.h), never
# by a clock or a file's timestamps: the writer's modules call no time
# function and read no time field (port_stat has none).
timers=$(grep -nE 'port_(mono_ms|now|time|sleep_ms)|time\(|clock_gettime|gettimeofday|_time[sn]?\b|ctime|btime' \
	src/member.c src/member.h src/whiteout.c src/whiteout.h src/contain.c src/contain.h)
if [ -z "$timers" ]; then echo "PASS lint/membership-reads-no-time"
else echo "FAIL lint/membership-reads-no-time: $timers"; fi

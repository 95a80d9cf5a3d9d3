#!/bin/sh
# lint.sh: source rules that a compiler does not check (see STYLE.md and
# DESIGN.md). One PASS/FAIL line per rule.
cd "$(dirname "$0")/.." || exit 2

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
# (event.h), and only main.c and progress.c write to the user.
prints=$(grep -nE '\b(progress_[a-z]+|port_out)[[:space:]]*\(|PORT_STD(OUT|ERR)' src/*.c 2>/dev/null |
	grep -vE '^src/(main|progress)\.c:')
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

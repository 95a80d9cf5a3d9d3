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

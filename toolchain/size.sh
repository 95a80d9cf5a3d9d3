#!/bin/sh
# size.sh NAME STRIPPED MAP [LIBC]: the size of the stripped binary and
# each part's share of it, from the GNU ld map of its link (-Wl,-Map).
#
# Every input section the map places in an output section that takes
# room in the file (allocated, not NOBITS: code, read-only data, data,
# unwind tables) is counted for the file it came from:
#
#   ocipull         our objects (build/BOARD/obj/)
#   mbedtls tls     libmbedtls.a
#   mbedtls x509    libmbedx509.a
#   mbedtls crypto  libmbedcrypto.a
#   zlib            libz.a
#   zstd            libzstd.a
#   isa-l           libisal.a (the gzip engine of boards that choose it)
#   libc            libc.a and its crt1.o, crti.o, crtn.o (LIBC names it)
#   libgcc          libgcc.a, libgcc_eh.a, crtbegin*.o, crtend*.o
#   other           the rest: ELF and program headers, alignment padding,
#                   what the linker makes itself, sections kept by strip
#                   that are not loaded (.comment)
#
# so the lines add up to the stripped size.
set -eu
name=$1
bin=$2
map=$3
libc=${4:-}
[ -f "$bin" ] || { echo "size: $bin missing (build BOARD=$name first)" >&2; exit 1; }
[ -f "$map" ] || { echo "size: $map missing: relink (rm $bin; make BOARD=$name)" >&2; exit 1; }
total=$(stat -c %s "$bin")
# The output sections that take room in the file.
secs=$(readelf -SW "$bin" | sed -n 's/^ *\[ *[0-9]*\] //p' |
	awk '$2 != "NOBITS" && $2 != "NULL" { f = ""; for (i = 7; i <= NF; i++)
		if ($i ~ /^[A-Z]+$/ && $i ~ /A/) f = $i; if (f != "") print $1 }')
awk -v name="$name" -v total="$total" -v secs="$secs" -v libc="$libc" '
function hex(s,   i, c, v) {
	v = 0
	s = tolower(substr(s, 3))
	for (i = 1; i <= length(s); i++) {
		c = index("0123456789abcdef", substr(s, i, 1)) - 1
		v = v * 16 + c
	}
	return v
}
function part(f) {
	if (f ~ /\/obj\/(src|port)\//) return "ocipull"
	if (f ~ /libmbedtls\.a\(/) return "mbedtls tls"
	if (f ~ /libmbedx509\.a\(/) return "mbedtls x509"
	if (f ~ /libmbedcrypto\.a\(/) return "mbedtls crypto"
	if (f ~ /libz\.a\(/) return "zlib"
	if (f ~ /libzstd\.a\(/) return "zstd"
	if (f ~ /libisal\.a\(/) return "isa-l"
	if (f ~ /libgcc(_eh)?\.a\(/ || f ~ /\/crt(begin|end)[A-Za-z]*\.o$/) return "libgcc"
	if (f ~ /\/libc\.a\(/ || f ~ /\/[SrM]?crt[1in]\.o$/) return "libc"
	return "other"
}
function count(size, f) {
	if (keep) got[part(f)] += hex(size)
}
BEGIN {
	n = split(secs, s, "\n")
	for (i = 1; i <= n; i++) loaded[s[i]] = 1
}
/^Linker script and memory map/ { inmap = 1; next }
!inmap { next }
# An output section (column 0): counted when it takes room in the file.
/^[^ ]/ { keep = ($1 in loaded); pending = 0; next }
# An input section with its address, size and file on the same line...
/^ [^ *]/ && NF >= 4 && $2 ~ /^0x/ && $3 ~ /^0x/ { count($3, $4); pending = 0; next }
# ... or, when its name is long, on the next one.
/^ [^ *]/ && NF == 1 { pending = 1; next }
pending && /^  +0x/ && NF >= 3 && $2 ~ /^0x/ { count($2, $3); pending = 0; next }
{ pending = 0 }
END {
	split("ocipull|mbedtls tls|mbedtls x509|mbedtls crypto|zlib|zstd|isa-l|libc|libgcc", order, "|")
	printf "%-16s %9d bytes stripped\n", name, total
	sum = 0
	for (i = 1; i <= 9; i++) {
		p = order[i]
		label = p
		if (p == "libc" && libc != "") label = "libc (" libc ")"
		printf "  %-22s %9d  %5.1f%%\n", label, got[p], 100 * got[p] / total
		sum += got[p]
	}
	o = total - sum
	printf "  %-22s %9d  %5.1f%%\n", "other", o, 100 * o / total
	if (o < 0) { print "size: the map counts more than the file holds" > "/dev/stderr"; exit 1 }
}' "$map"

#!/bin/sh
# jail.sh: run a command in a bubblewrap jail, so that project code (ocipull,
# the unit tests) run as root cannot write outside the directories named.
# Executed, not sourced:
#
#   sh tests/lib/jail.sh [-t] [-H FILE] [-w DIR | -r DIR | -m DIR]... [--] CMD [ARG...]
#
#   -w DIR   bind DIR (an existing directory, absolute path) read-write at
#            the same path; everything else of the machine's / is read-only
#   -t       a private, empty tmpfs on /tmp (for code that writes under
#            /tmp; gone when the jail ends); -w and -r directories below
#            /tmp are bound over it
#   -r DIR   bind DIR read-only at the same path (with -t: a directory
#            below /tmp that CMD needs to see, e.g. a checkout there)
#   -m DIR   a private tmpfs mounted on DIR (an existing directory): a
#            mount point, as an A/B slot is (after the -w binds, so DIR
#            may be below one)
#   -H FILE  bind FILE read-only over /etc/hosts (names for a test; not
#            root, unjailed, this cannot be done: the caller checks)
#
# The jail: / read-only (`--ro-bind / /`, submounts included), a fresh
# /dev, a private /proc in its own PID namespace, killed when its parent
# dies; the network is shared (the test registries are on 127.0.0.1), and
# so are the environment, the working directory and open file descriptors.
# It execs bwrap: the caller's $! is bwrap's PID and the exit status is the
# command's (128+N when a signal N ended it). Killing bwrap kills CMD
# (SIGKILL to the whole PID namespace), but does not wait for it: a caller
# that must know CMD is gone before it looks at what CMD wrote sends the
# signal from inside the jail (see tests/integration/crash.sh).
#
# The jail is for root: without bwrap it refuses (exit 125) rather than
# run CMD unjailed. Not root, CMD runs directly, unjailed, options ignored:
# the user's permissions keep it away from the machine's files (not from
# that user's own), and unprivileged bwrap does not work everywhere
# (containers, user namespaces restricted).
if [ "$(id -u)" != 0 ]; then
	while [ $# -gt 0 ]; do
		case $1 in
		-w|-r|-H) shift 2 ;;
		-t) shift ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	exec "$@"
fi
command -v bwrap >/dev/null 2>&1 || {
	echo "jail.sh: bwrap (bubblewrap) is missing: refusing to run '$*' as root outside a jail; install it (make deps)" >&2
	exit 125
}
# Rotate "$@" into the bwrap arguments that follow the fixed ones: each
# -w DIR becomes --bind DIR DIR (-r: --ro-bind), then --, then CMD and its
# arguments.
tmp=""
n=$#
opts=1
while [ "$n" -gt 0 ]; do
	a=$1
	shift
	n=$((n - 1))
	if [ $opts = 1 ]; then
		case $a in
		-w|-r|-m)
			d=""
			[ "$n" -gt 0 ] && d=$1
			case $d in /*) [ -d "$d" ] ;; *) false ;; esac ||
				{ echo "jail.sh: $a '$d': not an absolute path to a directory" >&2; exit 125; }
			case $a in
			-w) set -- "$@" --bind "$d" "$d" ;;
			-r) set -- "$@" --ro-bind "$d" "$d" ;;
			*) set -- "$@" --tmpfs "$d" ;;
			esac
			shift
			n=$((n - 1))
			continue ;;
		-t) tmp="--tmpfs /tmp"; continue ;;
		-H)
			[ "$n" -gt 0 ] && [ -f "$1" ] ||
				{ echo "jail.sh: -H '${1:-}': not a file" >&2; exit 125; }
			set -- "$@" --ro-bind "$1" /etc/hosts
			shift
			n=$((n - 1))
			continue ;;
		--) [ "$n" -gt 0 ] || break; opts=0; set -- "$@" --; continue ;;
		-*) echo "jail.sh: unknown option $a" >&2; exit 125 ;;
		*) opts=0; set -- "$@" -- ;;
		esac
	fi
	set -- "$@" "$a"
done
[ $opts = 0 ] || { echo "jail.sh: no command" >&2; exit 125; }
# /dev, /proc and /tmp come first: the binds go over them.
# shellcheck disable=SC2086 # tmp is words
exec bwrap --ro-bind / / --dev /dev --proc /proc $tmp --unshare-pid \
	--die-with-parent "$@"

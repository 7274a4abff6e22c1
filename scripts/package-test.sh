#!/bin/sh
# The Debian package, end to end (CI runs it, as root, on Debian 12):
#   1. builds it with dpkg-buildpackage out of a copy of the tree (the
#      clone stays clean);
#   2. lintian: any error or warning fails;
#   3. installs it (apt-get install ./kabar_*.deb) and checks the user,
#      the folders, the conffile and the starter capsule;
#   4. runs the installed unit's ExecStart as kabar, in its working folder,
#      on free loopback ports (port 0; kabar prints the ones it bound), and
#      fetches / over Gemini (openssl s_client) and Gopher (curl);
#   5. stops it by its PID and purges the package, leaving the machine as
#      it found it (the kabar user and /srv/kabar too, when it made them).
# Prints each check; exits 1 on the first failure.
set -eu
cd "$(dirname "$0")/.."

say() { echo "package-test: $*"; }
fail() {
	echo "package-test: FAIL: $*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || { echo "package-test: run as root: it installs and purges kabar" >&2; exit 2; }
# A machine that has Kabar already is not this test's to change.
if dpkg-query -W -f='${Status}' kabar 2>/dev/null | grep -q 'ok installed'; then
	fail "the kabar package is installed already; purge it first"
fi
[ ! -e /srv/kabar ] || fail "/srv/kabar exists; the test installs a starter capsule there"
had_user=no
getent passwd kabar >/dev/null && had_user=yes

work=$(mktemp -d /tmp/kabar-package.XXXXXX)
pid=""
cleanup() {
	status=$?
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	if dpkg-query -W -f='${Status}' kabar 2>/dev/null | grep -qv 'not-installed'; then
		apt-get purge -y -q kabar >"$work/purge.log" 2>&1 || cat "$work/purge.log" >&2
	fi
	if [ "$had_user" = no ] && getent passwd kabar >/dev/null; then
		userdel kabar
		getent group kabar >/dev/null && groupdel kabar
	fi
	rm -rf /srv/kabar "$work"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

say "installing the packaging tools"
export DEBIAN_FRONTEND=noninteractive
sh scripts/install-deps.sh package

say "building the .deb from a copy of the tree"
src="$work/kabar"
mkdir "$src"
# What git tracks or would track: no build folders, no certificates.
if git rev-parse --git-dir >/dev/null 2>&1; then
	git ls-files -z -c -o --exclude-standard |
		tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -C "$src" -xf -
else
	tar --exclude=./.git --exclude='./build*' --exclude='./certs/*.*' -cf - . | tar -C "$src" -xf -
fi
[ -f "$src/debian/rules" ] || fail "the copy of the tree has no debian/rules"
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 ||
	{ tail -40 "$work/build.log" >&2; fail "dpkg-buildpackage -us -uc -b"; }
deb=$(ls "$work"/kabar_*.deb)
say "built $(basename "$deb")"

say "lintian: no error, no warning"
if ! lintian --fail-on error,warning "$work"/kabar_*.changes >"$work/lintian.log" 2>&1; then
	cat "$work/lintian.log" >&2
	fail "lintian"
fi
cat "$work/lintian.log"

say "installing it"
apt-get install -y -q "$deb" >"$work/install.log" 2>&1 ||
	{ cat "$work/install.log" >&2; fail "apt-get install $deb"; }

say "the kabar system user"
uid=$(id -u kabar) || fail "no kabar user"
[ "$uid" -lt 1000 ] || fail "kabar is uid $uid, not a system user"
shell=$(getent passwd kabar | cut -d: -f7)
case $shell in */nologin | */false) ;; *) fail "kabar's shell is $shell" ;; esac

check_mode() { # PATH MODE OWNER
	got=$(stat -c '%a %U' "$1") || fail "$1 is missing"
	[ "$got" = "$2 $3" ] || fail "$1 is '$got', not '$2 $3'"
	say "$1: $got"
}
check_mode /var/lib/kabar/certs 700 kabar
dpkg-query -W -f='${Conffiles}\n' kabar | grep -q ' /etc/kabar/kabar.yaml ' ||
	fail "/etc/kabar/kabar.yaml is not a conffile"
say "/etc/kabar/kabar.yaml is a conffile"
if [ ! -f /srv/kabar/index.gmi ] || [ ! -f /srv/kabar/news/welcome.md ]; then
	fail "no starter capsule in /srv/kabar"
fi
say "/srv/kabar holds the starter capsule"

unit=$(dpkg -L kabar | grep '/systemd/system/kabar.service$') || fail "no kabar.service installed"
grep -qx 'User=kabar' "$unit" || fail "$unit does not run as kabar"
grep -q '^DynamicUser' "$unit" && fail "$unit still asks for DynamicUser"
if command -v systemd-analyze >/dev/null; then
	# Exposure 2.0 at most (0 best, 10 worst; the unit scored 3.4 with DynamicUser).
	systemd-analyze security --offline=true --threshold=20 "$unit" >"$work/security.log" 2>&1 ||
		{ cat "$work/security.log" >&2; fail "systemd-analyze security: exposure over 2.0"; }
	say "$(tail -1 "$work/security.log" | sed 's/^[^A-Za-z]*//')"
fi
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
workdir=$(sed -n 's/^WorkingDirectory=//p' "$unit")
if [ -z "$exec_start" ] || [ -z "$workdir" ]; then
	fail "$unit: no ExecStart or WorkingDirectory"
fi
check_cmd=$(printf '%s\n' "$exec_start" | sed 's/ serve / check /')
# shellcheck disable=SC2086
(cd "$workdir" && setpriv --reuid=kabar --regid=kabar --init-groups -- $check_cmd) \
	>"$work/check.log" 2>&1 || { cat "$work/check.log" >&2; fail "kabar check on the installed settings"; }
say "kabar check: $(tail -1 "$work/check.log")"

# The server started last ($pid, logging to $log) has bound its ports and
# read its capsule; or it failed.
wait_loaded() {
	tries=0
	until grep -q 'first load done' "$log"; do
		kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; fail "kabar exited"; }
		tries=$((tries + 1))
		[ "$tries" -le 100 ] || { cat "$log" >&2; fail "no 'first load done' in 10 s"; }
		sleep 0.1
	done
}
stop_kabar() {
	kill "$pid"
	wait "$pid" || fail "kabar did not exit 0 on SIGTERM"
	pid=""
}

say "serving: $exec_start, as kabar, in $workdir"
log="$work/serve.log"
# shellcheck disable=SC2086
(cd "$workdir" && exec setpriv --reuid=kabar --regid=kabar --init-groups -- \
	$exec_start --gemini 127.0.0.1:0 --gopher 127.0.0.1:0) >"$log" 2>&1 &
pid=$!
port_of() { sed -n "s/^listening $1 127.0.0.1:\([0-9]*\)$/\1/p" "$log" | head -1; }
wait_loaded
gemini_port=$(port_of gemini)
gopher_port=$(port_of gopher)
if [ -z "$gemini_port" ] || [ -z "$gopher_port" ]; then
	cat "$log" >&2
	fail "no listening lines"
fi
say "listening: gemini $gemini_port, gopher $gopher_port"

check_mode /var/lib/kabar/certs/kabar.example.key 600 kabar
headline="Kabar is serving this capsule"
page=$(printf 'gemini://kabar.example/\r\n' |
	timeout 10 openssl s_client -quiet -connect "127.0.0.1:$gemini_port" -servername kabar.example \
		2>/dev/null) || true
case $page in
"20 text/gemini"*"Welcome to Kabar"*"$headline"*) say "gemini /: 20, the starter's front page" ;;
*) printf '%s\n' "$page" | head -5 >&2; fail "gemini / is not the starter's front page" ;;
esac
menu=$(curl -s --max-time 10 "gopher://127.0.0.1:$gopher_port/1/") || true
case $menu in
*"Welcome to Kabar"*"$headline"*) say "gopher /: the starter's front page menu" ;;
*) printf '%s\n' "$menu" | head -5 >&2; fail "gopher / is not the starter's front page" ;;
esac

stop_kabar
say "stopped by SIGTERM"

# Started as root by hand (no user: in the settings), kabar runs as the
# package's kabar, not the shared nobody.
say "started as root: it runs as kabar"
log="$work/root.log"
# shellcheck disable=SC2086
(cd "$workdir" && exec $exec_start --gemini 127.0.0.1:0 --gopher 127.0.0.1:0) >"$log" 2>&1 &
pid=$!
wait_loaded
ran_as=$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")
[ "$ran_as" = "$uid" ] || fail "started as root, kabar runs as uid $ran_as, not kabar ($uid)"
grep -q 'shared user nobody' "$log" && fail "a warning about nobody although kabar exists"
stop_kabar
say "uid $ran_as (kabar), no warning about nobody"

say "purging it"
apt-get purge -y -q kabar >"$work/purge.log" 2>&1 || { cat "$work/purge.log" >&2; fail "apt-get purge"; }
[ ! -e /var/lib/kabar ] || fail "/var/lib/kabar is left after purge"
[ ! -e /etc/kabar ] || fail "/etc/kabar is left after purge"
say "purged: /etc/kabar and /var/lib/kabar are gone"
say "passed"

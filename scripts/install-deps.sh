#!/bin/sh
# Installs the Debian packages Kabar needs, when they are missing.
#   install-deps.sh build   what building and serving needs
#   install-deps.sh test    that, and the real clients the tests drive
#   install-deps.sh package build's, and what building, linting and trying
#                           the Debian package needs (scripts/package-test.sh)
set -eu

build_pkgs="gcc make libc6-dev libssl-dev libmagic-dev libyaml-dev libmd4c-dev libgumbo-dev libutf8proc-dev libunibreak-dev libexttextcat-dev libexttextcat-data libstemmer-dev openssl tzdata"
# dpkg-buildpackage wants build-essential; curl fetches over Gopher.
package_pkgs="build-essential dpkg-dev debhelper fakeroot lintian curl"
test_pkgs="python3 python3-cryptography python3-feedparser curl lynx sacc bombadillo amfora tmux valgrind clang libclang-rt-14-dev haproxy rsync mandoc man-db git"

case "${1:-build}" in
build) wanted="$build_pkgs" ;;
test) wanted="$build_pkgs $test_pkgs" ;;
package) wanted="$build_pkgs $package_pkgs" ;;
*) echo "usage: $0 build|test|package" >&2; exit 2 ;;
esac

missing=""
for pkg in $wanted; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $pkg" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "kabar needs these Debian packages:$missing" >&2
	echo "install them with: sudo apt-get install$missing" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing

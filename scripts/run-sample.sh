#!/bin/sh
# Serves the sample capsule with the sample configuration (`make run`).
# usage: sh scripts/run-sample.sh path/to/kabar
set -e
kabar=${1:-build/kabar}
case $kabar in
/*) ;;
*) kabar=$(pwd)/$kabar ;;
esac
cd "$(dirname "$0")/.."
if [ ! -x "$kabar" ]; then
	echo "run-sample: $kabar is not built; run make first" >&2
	exit 1
fi
"$kabar" check --config kabar.yaml || echo "run-sample: check found problems; serving anyway" >&2
echo "Gemini: gemini://localhost:1965/   Gopher: gopher://localhost:7070/   (Ctrl-C stops)"
exec "$kabar" serve --config kabar.yaml

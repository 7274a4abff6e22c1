#!/bin/sh
# make corpus: loads each folder of real articles with `kabar check` and
# reports, per folder, the articles loaded, the files refused (with their
# reasons) and the time taken.
# usage: sh scripts/corpus.sh path/to/kabar [DIR...]   (default: ../shared/corpus/*)
set -u
kabar=$1
shift
if [ $# -eq 0 ]; then
	if [ ! -d ../shared/corpus ]; then
		echo "corpus: ../shared/corpus is absent; name folders of articles: make corpus CORPUS='DIR...'"
		exit 0
	fi
	set -- ../shared/corpus/*
fi
status=0
for dir in "$@"; do
	files=$(find "$dir" -maxdepth 1 -type f \( -name '*.md' -o -name '*.gmi' -o -name '*.txt' \) | wc -l)
	start=$(date +%s.%N)
	out=$("$kabar" check "$dir" 2>&1)
	code=$?
	end=$(date +%s.%N)
	summary=$(printf '%s\n' "$out" | tail -n 1)
	printf '%s\n' "$out" | sed '$d' | sed 's/^/  refused: /'
	echo "$dir: $files files: $summary, $(awk "BEGIN { printf \"%.3f\", $end - $start }") s"
	# Exit 1 means problems were found (reported above); anything else is a crash.
	[ "$code" -le 1 ] || status=1
done
exit $status

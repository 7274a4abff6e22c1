#!/bin/sh
# make corpus: loads each folder of real articles with `kabar check` and
# reports, per folder, the files refused (with their reasons), then one
# summary line: articles published, files refused and why, articles dated by
# their file's time, links that lead nowhere, and the time taken.
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
	files=$(find "$dir" -type f \( -name '*.md' -o -name '*.gmi' -o -name '*.txt' \) | wc -l)
	start=$(date +%s.%N)
	out=$("$kabar" check "$dir" 2>&1)
	code=$?
	end=$(date +%s.%N)
	summary=$(printf '%s\n' "$out" | tail -n 1)
	lines=$(printf '%s\n' "$out" | sed '$d')
	# check writes three kinds of line: notes (dated by file time), warnings
	# (links to nothing) and the rest, files it refused.
	dated=$(printf '%s\n' "$lines" | grep -c ': dated by its file time (')
	dead=$(printf '%s\n' "$lines" | grep -cE ': link to .*: (nothing there|climbs out of the capsule)$')
	refused=$(printf '%s\n' "$lines" | grep -vE ': dated by its file time \(|: link to .*: (nothing there|climbs out of the capsule)$' | grep -v '^$')
	printf '%s\n' "$refused" | grep -v '^$' | sed 's/^/  refused: /'
	n_refused=$(printf '%s\n' "$refused" | grep -c .)
	why=$(printf '%s\n' "$refused" | grep . | sed -E 's/^[^:]*(:[0-9]+)?: ([^:]*).*/\2/' |
		sort | uniq -c | awk '{ n = $1; $1 = ""; printf "%s%s:%s", sep, substr($0, 2), " " n; sep = ", " }')
	published=$(printf '%s\n' "$summary" | sed -E 's/^([0-9]+) articles.*/\1/')
	printf '%s: %s files: %s published, %s refused%s, %s dated by file time, %s links to nothing, %s s\n' \
		"$dir" "$files" "$published" "$n_refused" "${why:+ ($why)}" "$dated" "$dead" \
		"$(awk "BEGIN { printf \"%.3f\", $end - $start }")"
	# Exit 1 means problems were found (reported above); anything else is a crash.
	[ "$code" -le 1 ] || status=1
done
exit $status

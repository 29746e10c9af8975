#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2016 # the checks are perl expressions, in single quotes
#
# cli-host.sh - the host's half of tests/guest/cli.sh: the guest has no
# graphviz and no JSON parser, so it prints what it captured between
#   NP-CAPTURE-BEGIN <name> <dot|json|jsonl|text>
#   NP-CAPTURE-END <name>
# lines, and this script renders and parses it.
#
# Usage: tests/guest/cli-host.sh LOG [OUTDIR]
#
#   LOG     the guest's serial log (run-suites.sh's RESULTS/guest.log, or
#           run-guest.sh --log FILE)
#   OUTDIR  where the captures go, as <name>.<kind>, with <name>.svg for
#           each graph (default: <LOG's directory>/cli)
#
# Checks: every expected capture is there; each dot graph renders with
# "dot -Tsvg"; each JSON document parses (perl's JSON::PP), each line of a
# jsonl capture too; and a few facts inside them (the leak groups' order,
# counts agreeing). Prints TAP lines "ok - host: ..." / "not ok - host:
# ..."; exit status 1 if any is "not ok".
#
# Without graphviz (scripts/install-deps.sh graphviz) the dot checks are
# skipped ("ok ... # SKIP"), unless $CI is set: then they fail.

set -uo pipefail

(($# >= 1 && $# <= 2)) || { echo "usage: $0 LOG [OUTDIR]" >&2; exit 2; }
log=$1
out=${2:-$(dirname -- "$log")/cli}
[[ -r $log ]] || { echo "cli-host: cannot read $log" >&2; exit 2; }
mkdir -p "$out" || exit 2
rm -f -- "$out"/*.dot "$out"/*.json "$out"/*.jsonl "$out"/*.text "$out"/*.svg

failed=0
ok() { printf 'ok - host: %s\n' "$*"; }
not_ok() { printf 'not ok - host: %s\n' "$*"; failed=$((failed + 1)); }
in_ci() { [[ -n ${CI:-} && ${CI:-} != false && ${CI:-} != 0 ]]; }

# Split the log into the captures.
awk -v dir="$out" '
	$1 == "NP-CAPTURE-BEGIN" && NF == 3 { file = dir "/" $2 "." $3; printf "" > file; next }
	$1 == "NP-CAPTURE-END" { if (file) close(file); file = ""; next }
	file { print >> file }
' "$log"

expected=(error-not-loaded.json stat-idle.text leaks-fake.text leaks-fake.json
	  layout-empty.dot stat-busy.text stat-busy.json stat-watch.jsonl
	  layout-busy.dot layout-busy.json layout-huge.dot demo.text demo.json
	  demo-local.json errors.text)
for f in "${expected[@]}"; do
	[[ -s $out/$f ]] || not_ok "capture $f missing from $log"
done

# ------------------------------------------------------------ graphs
dot_bin=$(command -v dot 2>/dev/null || true)
for f in "$out"/*.dot; do
	[[ -e $f ]] || continue
	name=$(basename -- "$f")
	if [[ -z $dot_bin ]]; then
		if in_ci; then
			not_ok "$name renders with dot -Tsvg (graphviz not installed)"
		else
			ok "$name renders with dot -Tsvg # SKIP graphviz not installed"
		fi
		continue
	fi
	if err=$("$dot_bin" -Tsvg -o "${f%.dot}.svg" "$f" 2>&1) && [[ -z $err ]] &&
		grep -q '</svg>' "${f%.dot}.svg"; then
		ok "$name renders with dot -Tsvg ($(grep -c '<g id="node' "${f%.dot}.svg") nodes, $(grep -c '<g id="edge' "${f%.dot}.svg") edges)"
	else
		not_ok "$name renders with dot -Tsvg"
		printf '#   %s\n' "${err:0:500}"
	fi
done

# ------------------------------------------------------------ JSON
if ! perl -MJSON::PP -e 1 2>/dev/null; then
	not_ok "perl JSON::PP missing (package perl): JSON not checked"
	exit 1
fi
# check_json FILE PERL-EXPR DESCRIPTION: FILE parses, and PERL-EXPR (on
# $j, the document) is true.
check_json() {
	local file=$1 expr=$2 desc=$3 msg
	if msg=$(perl -MJSON::PP -e '
		local $/; open my $fh, "<", $ARGV[0] or die "$!\n";
		my $j = JSON::PP->new->decode(<$fh>);
		my $ok = eval $ARGV[1]; die "eval: $@" if $@;
		exit($ok ? 0 : 3);' "$file" "$expr" 2>&1); then
		ok "$(basename -- "$file"): $desc"
	else
		not_ok "$(basename -- "$file"): $desc"
		printf '#   %s\n' "${msg:0:300}"
	fi
}

for f in "$out"/*.json; do
	[[ -e $f ]] || continue
	check_json "$f" 1 "valid JSON"
done
for f in "$out"/*.jsonl; do
	[[ -e $f ]] || continue
	n=0 bad=0
	while IFS= read -r line; do
		n=$((n + 1))
		printf '%s' "$line" | perl -MJSON::PP -e 'local $/; JSON::PP->new->decode(<STDIN>)' \
			2>/dev/null || bad=$((bad + 1))
	done <"$f"
	if ((n > 0 && bad == 0)); then
		ok "$(basename -- "$f"): $n lines, each valid JSON"
	else
		not_ok "$(basename -- "$f"): $bad of $n lines not valid JSON"
	fi
done

f=$out/error-not-loaded.json
[[ -s $f ]] && check_json "$f" \
	'$j->{error} eq "module_not_loaded" && $j->{exit_code} == 3 && $j->{message} =~ /insmod/' \
	"error, exit_code and message"
f=$out/leaks-fake.json
[[ -s $f ]] && check_json "$f" '
	my @g = @{$j->{groups}};
	$j->{suspects} == 7 && $j->{bytes} == 78064 && @g == 4 &&
	join(",", map { $_->{count} } @g) eq "1,3,2,1" &&
	join(",", map { $_->{bytes} } @g) eq "65536,12288,224,16" &&
	$g[0]{stack}[0] =~ /^np_test_leak_big\+/ && $g[0]{buffers}[0]{records}[0]{what} eq "retained at (#1)" &&
	$g[0]{buffers}[0]{records}[0]{stack}[0] =~ /^np_test_keep\+/ &&
	!defined $g[2]{stack} && $g[2]{comm} eq "my server" && $g[2]{tag} eq "0xbeef" &&
	$g[1]{buffers}[0]{addr} =~ /^0xffff888004a1/' \
	"leak groups by stack or comm+tag, biggest first"
f=$out/stat-busy.json
[[ -s $f ]] && check_json "$f" '
	my $p = $j->{pools}[0]; my $n = 0;
	for my $a (@{$p->{arenas}}) { $n += $_->{chunks} for values %{$a->{chunk_lists}} }
	@{$j->{pools}} == 1 && $n == $p->{stats}{chunks} && $n > 96 &&
	@{$p->{subpage_classes}} > 0' \
	"one pool; its chunk lists add up to its chunks"
f=$out/layout-busy.json
[[ -s $f ]] && check_json "$f" '$j->{dot} =~ /^digraph nettypool_pool_$j->{pool} \{$/m' \
	"the dot text of the pool"
f=$out/leaks-paranoid.json
[[ -s $f ]] && check_json "$f" '
	my $g = $j->{groups}[0];
	@{$j->{groups}} == 1 && $g->{kind} eq "user" && $g->{count} == 2048 &&
	@{$g->{buffers}} == 2048 && $j->{bytes} == $g->{bytes}' \
	"the held demo's 2048 buffers, one group (same comm and tag)"
f=$out/demo.json
[[ -s $f ]] && check_json "$f" '
	my @p = @{$j->{phases}};
	$j->{backend} eq "kernel" && $j->{pool} =~ /^\d+$/ && @p == 3 &&
	$p[0]{stats}{active_buffers} == 2048 && $p[2]{stats}{active_buffers} == 0' \
	"kernel backend, three phases, 2048 buffers then none"

((failed == 0))

#!/bin/bash
# "mmu_range_" is three characters shorter than "mmu_interval_". Where a
# renamed function call (or a declaration in a reST code block) continues
# on the next lines aligned with an open parenthesis that the rename moved,
# move those lines left with it, so that they stay aligned. Lines that were
# not aligned with that parenthesis, and comments, are left as they are.
# Runs over the files this patch changed.
set -euo pipefail

git rev-parse --is-inside-work-tree >/dev/null || {
	echo "$0: must run at the top of the kernel git tree" >&2
	exit 1
}

list=$(git diff --name-only HEAD -- '*.c' '*.h' '*.rst')
[ -n "$list" ] || exit 0
mapfile -t files <<<"$list"

# shellcheck source=names.inc
. "$(dirname "$0")/names.inc"
NEW_NAMES=$(names_suffixes NEW) perl -i -ne '
use strict;
use warnings;
our ($re, @open);

BEGIN {
	$re = qr/\bmmu_range_($ENV{NEW_NAMES})\b/;
}

# Visual columns (tabs of 8) of the parens still open at the end of $s.
sub parens {
	my ($s, @stack) = @_;
	my $c = 0;
	for my $ch (split //, $s) {
		if ($ch eq "\t") {
			$c = ($c | 7) + 1;
			next;
		}
		push @stack, $c if $ch eq "(";
		pop @stack if $ch eq ")" && @stack;
		$c++;
	}
	return @stack;
}

sub width {
	my $w = 0;
	$w = $_ eq "\t" ? ($w | 7) + 1 : $w + 1 for split //, $_[0];
	return $w;
}

my $nl = s/\n\z// ? "\n" : "";
my $line = $_;

if (@open) {
	# A continuation line. @open holds [old column, new column] of each
	# paren still open, outermost first.
	my ($lead, $rest) = $line =~ /^([ \t]*)(.*)$/;
	my $w = width($lead);
	my $shift = 0;
	for my $p (reverse @open) {
		if ($w == $p->[0] + 1 && $p->[1] != $p->[0]) {
			$shift = $p->[0] - $p->[1];
			my $n = $p->[1] + 1;
			$line = "\t" x int($n / 8) . " " x ($n % 8) . $rest;
			last;
		}
	}
	if ($rest eq "") {
		@open = ();
	} else {
		# Parens opened on this line move with it.
		my @stack = @open;
		my $c = $w;
		for my $ch (split //, $rest) {
			if ($ch eq "\t") {
				$c = ($c | 7) + 1;
				next;
			}
			push @stack, [$c, $c - $shift] if $ch eq "(";
			pop @stack if $ch eq ")" && @stack;
			$c++;
		}
		@open = @stack;
	}
} elsif ($line =~ $re && $line !~ m{^\s*(\*|/\*|//)}) {
	(my $old = $line) =~ s/$re/mmu_interval_$1/g;
	my @n = parens($line);
	my @o = parens($old);
	@open = map { [$o[$_], $n[$_]] } 0 .. $#n
		if @n == @o && grep { $o[$_] != $n[$_] } 0 .. $#n;
}

print $line, $nl;
@open = () if eof;
' "${files[@]}"

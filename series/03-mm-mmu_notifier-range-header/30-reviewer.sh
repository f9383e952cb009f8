#!/bin/bash
# Name the sender as a reviewer (R:) of MEMORY MANAGEMENT in MAINTAINERS,
# only when asked (REVIEWER=1 in the environment, e.g. make REVIEWER=1)
# and only for a real identity: the git config's user.name and
# user.email, not a placeholder (an .example, .invalid or .test domain, a
# noreply or localhost address). Nobody is made a maintainer (M:).
#
# usage: 30-reviewer.sh          edit MAINTAINERS (at the top of the tree)
#        30-reviewer.sh --why    print what it does or would do, and why
set -euo pipefail

name=$(git config user.name || true)
email=$(git config user.email || true)

# Prints why the identity cannot be named, or nothing.
placeholder() {
	local domain=${email##*@}

	if [ -z "$name" ] || [ -z "$email" ]; then
		echo "git config user.name or user.email is not set"
	elif [[ $email != *@*.* ]]; then
		echo "$email is not a mail address"
	elif [[ $domain =~ (^|\.)(example|invalid|test|localhost|local)$ ]] ||
		[[ $domain =~ ^example\.(com|net|org)$ ]]; then
		echo "$email is in a reserved placeholder domain ($domain)"
	elif [[ ${email,,} =~ noreply ]]; then
		echo "$email is a noreply address"
	fi
}

why=$(placeholder)
line=
if [ "${REVIEWER:-0}" != 1 ]; then
	msg="MAINTAINERS: nobody is named (make REVIEWER=1 names the sender as R: of MEMORY MANAGEMENT)${why:+; the sender could not be: $why}"
elif [ -n "$why" ]; then
	msg="MAINTAINERS: REVIEWER=1, but nobody is named: $why"
else
	line="R:	$name <$email>"
	msg="MAINTAINERS: the sender is named as a reviewer of MEMORY MANAGEMENT ($line)"
fi
if [ "${1:-}" = --why ]; then
	echo "$msg"
	exit 0
fi
if [ -z "$line" ]; then
	# Asked for and refused: say so in the series log too.
	[ "${REVIEWER:-0}" != 1 ] || echo "$msg" >&2
	exit 0
fi

# After the section's last M: or R: line.
awk -v line="$line" '
	$0 == "MEMORY MANAGEMENT" { in_mm = 1 }
	in_mm && $0 == "" { in_mm = 0 }
	in_mm && /^[MR]:\t/ { last = NR }
	{ text[NR] = $0 }
	END {
		if (!last) exit 1
		for (i = 1; i <= NR; i++) {
			print text[i]
			if (i == last) print line
		}
	}' MAINTAINERS >MAINTAINERS.new || {
	rm -f MAINTAINERS.new
	echo "$0: no MEMORY MANAGEMENT section with an M: line in MAINTAINERS" >&2
	exit 1
}
mv MAINTAINERS.new MAINTAINERS

#!/usr/bin/env bash
# Follows a plugin tutorial as a new author would, and times it:
#   examples/plugins/try-tutorial.sh c|assemblyscript|rust
# runs the `sh` blocks of examples/plugins/LANG/README.md in order, in one shell, in an empty
# temporary folder, with CORRAL set to this checkout; a code block announced by a line that
# ends with `FILE`: is written to FILE first. Skipped: the block that sets CORRAL, the optional
# Node 20 install, and the example's own build.sh. Prints the seconds elapsed after each block
# and exits non-zero at the first command that fails (keeping the folder) — so a tutorial that
# no longer works as written is caught. Needs the tutorial's toolchain installable (apt-get, npm) and ../shared.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
lang="${1:-}"
readme="$root/examples/plugins/$lang/README.md"
[[ -n "$lang" && -f "$readme" ]] || { echo "usage: try-tutorial.sh c|assemblyscript|rust" >&2; exit 2; }
work="$(mktemp -d "${TMPDIR:-/tmp}/corral-tutorial-$lang.XXXXXX")"
script="$work/.tutorial.sh"

awk -v work="$work" '
    BEGIN { print "set -euo pipefail"; print "T0=$(date +%s)" }
    /^```/ && !inside {
        inside = 1; lang = substr($0, 4); body = ""; next
    }
    /^```/ && inside {
        inside = 0
        if (lang == "sh") {
            if (body ~ /export CORRAL=|npm install --prefix ~\/node20|build\.sh/) next
            printf "%s", body
            first = body; sub(/\n.*/, "", first); gsub(/["$`\\]/, "", first)
            printf "echo; echo \"== $(( $(date +%%s) - T0 )) s: %s\"\n", substr(first, 1, 60)
        } else if (file != "") {
            printf "mkdir -p \"$(dirname %s)\"\ncat > %s <<'"'"'CORRAL_TUTORIAL_FILE'"'"'\n%sCORRAL_TUTORIAL_FILE\n", file, file, body
            file = ""
        }
        next
    }
    inside { body = body $0 "\n"; next }
    match($0, /`[^`]+`:$/) { file = substr($0, RSTART + 1, RLENGTH - 3) }
' "$readme" >"$script"

cd "$work"
echo "try-tutorial: $readme in $work" >&2
export CORRAL="$root"
# The run step leaves the server in the background; stop it however the script ends.
bash -c "trap 'kill \$(jobs -p) 2>/dev/null || true' EXIT; source '$script'" \
    || { echo "try-tutorial: the $lang tutorial failed; its folder is kept: $work" >&2; exit 1; }
cd / && rm -rf "$work"

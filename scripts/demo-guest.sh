#!/bin/bash
# The demo, inside the guest (scripts/vm has loaded the module).
set -euo pipefail

say() { printf '\n$ %s\n' "$*"; }
run() { say "$*"; "$@"; }

run lsmod
run p2pctl version
run p2pctl show
echo
echo "demo: done"

#!/bin/bash
# make demo: set everything up, boot a guest and show p2pshare at work.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [ "$(id -u)" = 0 ]; then scripts/deps.sh; else sudo scripts/deps.sh; fi
make -s modules-all
make -s p2pctl
kver=${P2P_KVER:-$(find /lib/modules -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n1)}
echo "demo: booting Linux $kver under QEMU (TCG)"
exec scripts/vm --kernel "$kver" -- scripts/demo-guest.sh

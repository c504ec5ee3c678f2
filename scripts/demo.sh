#!/bin/bash
# make demo: set everything up, boot a guest and show p2pshare at work.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [ "$(id -u)" = 0 ]; then scripts/deps.sh demo; else sudo scripts/deps.sh demo; fi
make -s modules-all
make -s p2pctl
# The newest kernel the module was built for and QEMU can boot (the running one may
# have no headers, such as a cloud kernel).
newest() {
	local k
	for k in $(find /lib/modules -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V); do
		[ -d "/lib/modules/$k/build" ] && [ -e "/boot/vmlinuz-$k" ] && echo "$k"
	done | tail -n1
}
kver=${P2P_KVER:-$(newest)}
echo "demo: booting Linux $kver under QEMU (TCG)"
exec scripts/vm --kernel "$kver" -- scripts/demo-guest.sh

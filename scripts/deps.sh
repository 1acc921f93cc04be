#!/bin/sh
# scripts/deps.sh [lint] - install the Debian packages Vanderpool needs, if any is missing.
# Uses apt-get as root, or through sudo otherwise. Quiet when everything is there.
set -eu
# qemu-system-x86 (with SeaBIOS), ovmf and grub-efi-amd64-bin: the QEMU system tests, with BIOS
# and UEFI, and an ISO that boots with UEFI too (scripts/run-qemu.sh).
pkgs="gcc make binutils bochs bochsbios vgabios grub-pc-bin grub-common xorriso mtools \
libcriterion-dev qemu-system-x86 ovmf grub-efi-amd64-bin"
[ "${1:-}" = lint ] && pkgs="clang-format cppcheck"
missing=
for p in $pkgs; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing"
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q >/dev/null
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing >/dev/null
echo "deps: done"

#!/bin/sh
# scripts/linux.sh [MKCPIO] - `make linux`: a Linux kernel and initramfs for Linux guests, in
# build/linux/:
#   bzImage            the Debian cloud kernel (the package linux-image-cloud-amd64 depends on)
#   initramfs.cpio.gz  a static busybox and guests/linux/init, packed by MKCPIO (tools/mkcpio.c,
#                      default build/host/mkcpio) without root
#   release            the kernel release, what `uname -r` prints in the guest
#   config             the kernel's build configuration
# The Debian packages linux-image-<release> and busybox-static are fetched with
# `apt-get download` into build/linux/debs/ and unpacked there with `dpkg-deb -x`: nothing is
# installed on the host and nothing goes into git. A run with everything in place does nothing
# (and needs no network); a changed guests/linux/init or mkcpio rebuilds only the initramfs.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
mkcpio=${1:-$here/build/host/mkcpio}
out=$here/build/linux
debs=$out/debs
init=$here/guests/linux/init
cpio=$out/initramfs.cpio.gz

say() { echo "linux: $*" >&2; }
fail() {
    echo "linux: $*" >&2
    exit 1
}

[ -x "$mkcpio" ] || fail "no $mkcpio (build it with: make build/host/mkcpio)"
for tool in apt-get apt-cache dpkg-deb gzip; do
    command -v "$tool" >/dev/null || fail "$tool not found: this needs a Debian host"
done

up_to_date() {
    [ -s "$out/bzImage" ] && [ -s "$out/release" ] && [ -s "$cpio" ] &&
        [ "$cpio" -nt "$init" ] && [ "$cpio" -nt "$mkcpio" ] && [ "$cpio" -nt "$0" ]
}
if up_to_date; then
    echo "linux: up to date: build/linux/bzImage ($(cat "$out/release")), build/linux/initramfs.cpio.gz"
    exit 0
fi
mkdir -p "$debs"

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
# As root, apt hands downloads to its sandbox user _apt, which cannot write into build/.
apt_dl="apt-get download"
[ -z "$sudo" ] && apt_dl="apt-get -o APT::Sandbox::User=root download"

# The real kernel package behind the metapackage, e.g. linux-image-6.1.0-56-cloud-amd64.
kernel_package() {
    apt-cache depends linux-image-cloud-amd64 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-cloud-amd64\)$/\1/p' | head -n 1
}

# The .deb of package $1 in build/linux/debs/, downloaded when missing; prints its path.
fetch() {
    for f in "$debs/$1"_*.deb; do
        [ -f "$f" ] && echo "$f" && return 0
    done
    say "apt-get download $1"
    # shellcheck disable=SC2086
    if ! (cd "$debs" && $apt_dl "$1") >"$debs/apt.log" 2>&1; then
        sed 's/^/  /' "$debs/apt.log" >&2
        fail "apt-get download $1 failed: is the Debian mirror reachable? (apt-get update)"
    fi
    for f in "$debs/$1"_*.deb; do
        [ -f "$f" ] && echo "$f" && return 0
    done
    fail "apt-get download $1 left no $1_*.deb in $debs"
}

# The kernel: resolve the metapackage (reading the package lists once if they do not know it),
# unless a kernel package was downloaded before.
if [ ! -s "$out/bzImage" ] || [ ! -s "$out/release" ]; then
    pkg=$(kernel_package)
    if [ -z "$pkg" ]; then
        set -- "$debs"/linux-image-[0-9]*-cloud-amd64_*.deb
        if [ -f "$1" ]; then
            pkg=$(basename "$1" | sed 's/_.*//')
        else
            say "apt-cache does not know linux-image-cloud-amd64: apt-get update"
            $sudo apt-get update -q >"$debs/apt.log" 2>&1 ||
                { sed 's/^/  /' "$debs/apt.log" >&2; fail "apt-get update failed"; }
            pkg=$(kernel_package)
            [ -n "$pkg" ] || fail "no linux-image-*-cloud-amd64 package behind linux-image-cloud-amd64 (is this Debian 12?)"
        fi
    fi
    deb=$(fetch "$pkg")
    rm -rf "$out/kernel"
    dpkg-deb -x "$deb" "$out/kernel" || fail "dpkg-deb -x $deb failed"
    release=${pkg#linux-image-}
    [ -s "$out/kernel/boot/vmlinuz-$release" ] || fail "$deb has no boot/vmlinuz-$release"
    cp "$out/kernel/boot/vmlinuz-$release" "$out/bzImage"
    cp "$out/kernel/boot/config-$release" "$out/config" 2>/dev/null || :
    rm -rf "$out/kernel" # its 100 MiB of modules are not used
    echo "$release" >"$out/release"
    say "kernel $release: build/linux/bzImage"
fi

# The initramfs: busybox, /init, the directories busybox --install fills, /dev/console (the
# kernel opens it for init before any devtmpfs is mounted).
busybox=$out/busybox/bin/busybox
if [ ! -x "$busybox" ]; then
    deb=$(fetch busybox-static)
    rm -rf "$out/busybox"
    dpkg-deb -x "$deb" "$out/busybox" || fail "dpkg-deb -x $deb failed"
    [ -x "$busybox" ] || fail "$deb has no bin/busybox"
fi
cat >"$out/initramfs.list" <<EOF
dir /bin 0755
dir /sbin 0755
dir /usr 0755
dir /usr/bin 0755
dir /usr/sbin 0755
dir /dev 0755
dir /proc 0555
dir /sys 0555
dir /tmp 1777
dir /etc 0755
dir /root 0700
nod /dev/console 0600 c 5 1
file /bin/busybox 0755 $busybox
file /init 0755 $init
EOF
"$mkcpio" "$out/initramfs.list" "$out/initramfs.cpio" || fail "mkcpio failed"
gzip -n -9 -f "$out/initramfs.cpio"
say "initramfs: build/linux/initramfs.cpio.gz ($(wc -c <"$cpio") bytes)"

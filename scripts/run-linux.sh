#!/bin/sh
# scripts/run-linux.sh ELF MODEL CPUS MEGS TIMEOUT - `make run GUEST=linux`: the Debian kernel
# and busybox initramfs of `make linux` (build/linux/) as the VM lx under Vanderpool in Bochs,
# with CPUS vCPUs on as many emulated CPUs, 256 MiB of guest RAM (MEGS for Bochs).
#
# On a terminal the VM's console is the user's: its COM1 output comes as the guest sends it
# (console=raw), what is typed goes into it (scripts/run.sh --input -), and the run lasts until
# the guest powers off (`poweroff` in its shell) or Ctrl-C. Without a terminal on stdin (a
# script, CI) /init is told vanderpool=test: it prints its VANDERPOOL-* lines and powers off.
# Either way the boot's phase is shown with the elapsed seconds (--progress linux).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
[ $# -eq 5 ] || { echo "usage: $0 ELF MODEL CPUS MEGS TIMEOUT" >&2; exit 2; }
elf=$1 model=$2 cpus=$3 megs=$4 timeout=$5
for f in bzImage initramfs.cpio.gz; do
    [ -s "$here/build/linux/$f" ] || { echo "run-linux.sh: no build/linux/$f: make linux" >&2; exit 2; }
done
cmdline="console=ttyS0 cryptomgr.notests=1"
if [ -t 0 ]; then
    set -- --input -
    echo "run-linux.sh: Linux boots in Bochs, in 1-3 minutes; then type into its shell ('poweroff' ends it, Ctrl-C stops the run)" >&2
else
    cmdline="$cmdline vanderpool=test"
    set --
    echo "run-linux.sh: no terminal on stdin: the guest runs to its userspace marker and powers off" >&2
fi
# watchdog=0: a shell waiting for a person is idle by design, not stuck
vm="lx:image=bzImage,initrd=initramfs.cpio.gz,mem=256M,vcpus=$cpus,console=raw,watchdog=0"
exec "$here/scripts/run.sh" --live --progress linux --dir "$here/build/run-linux" \
    --model "$model" --cpus "$cpus" --megs "$megs" --timeout "$timeout" --elf "$elf" \
    --module "$here/build/linux/bzImage" --module "$here/build/linux/initramfs.cpio.gz" \
    --args "scenario=vms vm=$vm,cmdline=\"$cmdline\"" "$@"

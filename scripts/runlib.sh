# scripts/runlib.sh - what the two emulator runners share: scripts/run.sh (Bochs) and
# scripts/run-qemu.sh (QEMU). Sourced by them, never run on its own.
#
# The common options and their checks, the ISO for the run, the serial listener
# (tools/serial-listen.c: the emulator connects to it, it writes DIR/serial.txt as the bytes
# come), watching that log for the end and halt markers, stopping the emulator, and turning how
# the run ended into an exit status and a message. The runner sets, before it sources this file:
#   me   its name for messages (run.sh, run-qemu.sh)
#   emu  the emulator's name in messages (Bochs, QEMU)
# and defines emu_explain, which shows what the emulator itself said when a run went wrong
# (tails of its output and log files, and the list of the run's files).
#
# The end marker is the hypervisor's "Vanderpool: power off" line (a bare guest's
# "TEST name: PASS|FAIL", or Linux's power-down); a halt marker ("Vanderpool: halted",
# "Vanderpool: CPU n halted") ends the run once the output has been quiet for 2 s. Every other
# way an emulator can stop is a named failure, never a silent success. Exit statuses:
#   0 end marker, no "SCENARIO ...: FAIL"   1 end marker, the scenario failed
#   2 bad usage or something missing       3 the hypervisor halted
#   4 the emulator died by a signal         5 it ended or went silent before the end marker
#   124 timeout                             130 interrupted

live=0 cpus=1 timeout=120 megs=256 dir=build/run elf= args= bare= input= progress= phase=
nl='
'
mods= # newline-separated FILE[:ARGS]
here=$(cd "$(dirname "$0")/.." && pwd)
bpid= lpid=

rl_die2() { echo "$me: $*" >&2; exit 2; }

# rl_opt OPTION [VALUE...]: take one of the common options; rl_shift says how many words it used
# (0: not a common option).
rl_opt() {
    rl_shift=0
    case $1 in
    --live) live=1 rl_shift=1 ;;
    --cpus | --timeout | --megs | --dir | --elf | --args | --module | --bare | --emulator | \
        --input | --progress)
        [ $# -ge 2 ] || rl_die2 "$1 needs a value ($me --help)"
        case $1 in
        --cpus) cpus=$2 ;;
        --timeout) timeout=$2 ;;
        --megs) megs=$2 ;;
        --dir) dir=$2 ;;
        --elf) elf=$2 ;;
        --args) args=$2 ;;
        --module) mods="$mods$2$nl" ;;
        --bare) bare=$2 ;;
        --emulator) emulator=$2 ;;
        --input) input=$2 ;;
        --progress) progress=$2 ;;
        esac
        rl_shift=2 ;;
    esac
}

rl_isnum() { case $1 in "" | *[!0-9]*) return 1 ;; esac; }

# The common options' values; then the end and halt markers (extended regular expressions over
# whole lines).
rl_check_options() {
    [ -n "$elf" ] || rl_die2 "--elf is required ($me --help)"
    [ -f "$elf" ] || rl_die2 "no such file: $elf (build it first: make; the test guests: make guests)"
    case $bare in
    "" | multiboot | multiboot2 | linux) ;;
    *) rl_die2 "--bare takes multiboot, multiboot2 or linux, not '$bare'" ;;
    esac
    rl_isnum "$cpus" && [ "$cpus" -ge 1 ] || rl_die2 "--cpus takes a number of CPUs, not '$cpus'"
    rl_isnum "$megs" && [ "$megs" -ge 16 ] || rl_die2 "--megs takes a RAM size in MiB (16 or more), not '$megs'"
    rl_isnum "$timeout" && [ "$timeout" -ge 1 ] || rl_die2 "--timeout takes seconds, not '$timeout'"
    case $input in
    "" | -) ;;
    *) [ -f "$input" ] || rl_die2 "--input: no such file: $input" ;;
    esac
    case $progress in
    "" | linux) ;;
    *) rl_die2 "--progress takes linux, not '$progress'" ;;
    esac
    if [ "$bare" = linux ]; then # Linux's last words when it powers off, or when it cannot go on
        end_re='reboot: Power down|Kernel panic - not syncing' halt_re=
    elif [ -n "$bare" ]; then
        end_re='^TEST [^ :]*: (PASS|FAIL)$' halt_re= # a bare guest has no halt marker
    else
        end_re='^Vanderpool: power off' halt_re='^Vanderpool: (CPU [0-9]+ )?halted'
    fi
}

# The run's directory (made absolute) with the old outputs FILES... removed, and its ISO: the
# modules go to mkiso.sh as arguments of their own (their ARGS may hold blanks).
rl_prepare() {
    mkdir -p "$dir" || exit 2
    dir=$(cd "$dir" && pwd)
    for f in serial.txt port "$@"; do rm -f "$dir/$f"; done
    set --
    if [ -n "$mods" ]; then
        old_ifs=$IFS IFS=$nl
        # shellcheck disable=SC2086
        set -- $mods
        IFS=$old_ifs
    fi
    if [ -n "$bare" ]; then
        "$here/scripts/mkiso.sh" --bare "$bare" "$elf" "$dir/boot.iso" "$args" "$@" || exit 2
    else
        "$here/scripts/mkiso.sh" "$elf" "$dir/boot.iso" "$args" "$@" || exit 2
    fi
}

rl_stop_emulator() {
    if [ -n "${bpid:-}" ]; then
        kill -TERM "$bpid" 2>/dev/null # timeout passes it on to the emulator
        i=0
        while kill -0 "$bpid" 2>/dev/null && [ $i -lt 10 ]; do sleep 0.1; i=$((i + 1)); done
        pkill -KILL -P "$bpid" 2>/dev/null
        kill -KILL "$bpid" 2>/dev/null
        wait "$bpid" 2>/dev/null
        bpid=
    fi
}

rl_stop_listener() {
    if [ -n "${lpid:-}" ]; then
        i=0 # let it drain what the emulator sent before the socket closed
        while kill -0 "$lpid" 2>/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
        kill "$lpid" 2>/dev/null
        wait "$lpid" 2>/dev/null
        lpid=
    fi
}

# --input -: the runner's stdin is what is typed into the guest. On a terminal it goes
# character by character without the terminal's echo (the guest echoes), Ctrl-C still
# interrupts the run; the terminal's settings come back when the run ends.
stty_saved=
rl_keyboard() {
    [ "$input" = - ] || return 0
    exec 7<&0
    if [ -t 0 ]; then
        stty_saved=$(stty -g)
        stty -icanon -echo min 1
    fi
}
rl_restore_tty() {
    [ -z "$stty_saved" ] || stty "$stty_saved"
    stty_saved=
}

# --progress linux: the boot's phase with the seconds since the start, on stderr (a Linux guest
# takes tens of seconds in Bochs): loading (GRUB, the hypervisor, the VM's image), the kernel
# started (its "Linux version" line), userspace (/init's VANDERPOOL-USERSPACE marker).
rl_progress() {
    [ "$progress" = linux ] || return 0
    case $phase in
    "") phase=loading
        rl_phase "loading: GRUB, the hypervisor, then the kernel and initramfs into the VM" ;;
    loading)
        grep -q 'Linux version ' "$dir/serial.txt" 2>/dev/null || return 0
        phase=kernel
        rl_phase "the kernel started" ;;
    kernel)
        grep -q 'VANDERPOOL-USERSPACE: up' "$dir/serial.txt" 2>/dev/null || return 0
        phase=user
        if [ "$input" = - ]; then
            rl_phase "userspace: a busybox shell; type into it, 'poweroff' ends the VM, Ctrl-C the run"
        else
            rl_phase "userspace"
        fi ;;
    esac
}
rl_phase() { printf '\n[%s %4d s] %s\n' "$me" $(($(date +%s) - start)) "$*" >&2; }

# timeout(1) puts the emulator in a process group of its own, so a Ctrl-C in the terminal does
# not reach it (Bochs would stop in its debugger); this trap stops it instead.
rl_trap() {
    trap 'rl_stop_emulator; rl_stop_listener; rl_restore_tty; echo "
$me: interrupted; $emu stopped." >&2; exit 130' INT TERM
}

# Start the serial listener; its TCP port on 127.0.0.1 is then in $port.
rl_start_listener() {
    rl_keyboard
    listener="$here/build/host/serial-listen"
    if [ ! -x "$listener" ] || [ "$here/tools/serial-listen.c" -nt "$listener" ]; then
        mkdir -p "$here/build/host"
        cc -O2 -Wall -o "$listener.$$" "$here/tools/serial-listen.c" && mv "$listener.$$" "$listener" ||
            rl_die2 "cannot build $listener (is gcc installed? make deps)"
    fi
    # An asynchronous command's stdin is /dev/null unless redirected: the typed input comes
    # from the runner's own stdin, saved as fd 7 (rl_keyboard).
    set -- "$dir/port" "$dir/serial.txt"
    case $input in
    -) set -- "$@" - ;;
    ?*) set -- "$@" "$(cd "$(dirname "$input")" && pwd)/$(basename "$input")" ;;
    esac
    if [ "$input" = - ] && [ "$live" = 1 ]; then
        "$listener" "$@" <&7 &
    elif [ "$live" = 1 ]; then
        "$listener" "$@" &
    else
        "$listener" "$@" >/dev/null &
    fi
    lpid=$!
    i=0
    while [ ! -s "$dir/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    [ -s "$dir/port" ] || { rl_stop_listener; rl_die2 "the serial listener did not start"; }
    port=$(cat "$dir/port")
}

# Does the serial log end in a GRUB error? Then it prints that error (the first "error: " line of
# the last run of them). The errors must be followed only by GRUB's own lines: blank ones, its
# "Press any key to continue..." (after a menu entry failed; it then waits for a key that never
# comes) or a GRUB prompt. $1 is how long the output has been quiet: an error with the prompt
# after it is final at once (1 s), one without only after 10 s, because GRUB-EFI's "error: no
# suitable video mode found." is followed by the kernel's output, not by a prompt.
rl_grub_error() {
    awk -v quiet="$1" '{ gsub(/\033\[[0-9;=?]*[A-Za-z]/, "") }
         /^error: / { if (!e) first = $0; e = 1; prompt = 0; next }
         e && /^(Press any key to continue|grub( rescue)?>)/ { prompt = 1; next }
         e && /[^[:space:]]/ { e = 0 }
         END { if (e && (prompt || quiet >= 10)) { print first; exit 0 } exit 1 }' "$dir/serial.txt"
}

# Run the emulator command "$@" in the background, bounded by the timeout, its own output in
# the file $emu_out; watch the serial log until the end marker, a GRUB error, a halt or the
# emulator's end. Sets outcome (end, grub, halt or empty), rc (the emulator's status), secs, and
# stopped (1 when the emulator was still running and had to be stopped).
rl_run() {
    start=$(date +%s)
    timeout -k 5 "$timeout" "$@" </dev/null >"$emu_out" 2>&1 &
    bpid=$!
    outcome=
    last_size=0 last_change=$(date +%s)
    while kill -0 "$bpid" 2>/dev/null; do
        rl_progress
        sleep 0.2
        [ -f "$dir/serial.txt" ] || continue
        if grep -qE -- "$end_re" "$dir/serial.txt"; then
            outcome=end # the emulator usually powers off by itself a moment later
            i=0
            while kill -0 "$bpid" 2>/dev/null && [ $i -lt 15 ]; do sleep 0.2; i=$((i + 1)); done
            break
        fi
        size=$(wc -c <"$dir/serial.txt")
        now=$(date +%s)
        [ "$size" = "$last_size" ] || { last_size=$size last_change=$now; }
        quiet=$((now - last_change))
        if [ $quiet -ge 1 ] && grep -q 'error: ' "$dir/serial.txt" && rl_grub_error $quiet >/dev/null; then
            outcome=grub
            break
        fi
        if [ $quiet -ge 2 ] && [ -n "$halt_re" ] && grep -qE -- "$halt_re" "$dir/serial.txt"; then
            outcome=halt
            break
        fi
    done
    stopped=0
    if kill -0 "$bpid" 2>/dev/null; then
        rl_stop_emulator
        rc=0 stopped=1
    else
        wait "$bpid"
        rc=$?
        bpid=
    fi
    rl_stop_listener
    rl_restore_tty
    secs=$(($(date +%s) - start))
    [ -z "$outcome" ] && grep -qE -- "$end_re" "$dir/serial.txt" 2>/dev/null && outcome=end
}

rl_explain() {
    echo "$me: $*" >&2
    emu_explain
}

rl_signame() { kill -l "$1" 2>/dev/null || echo "$1"; }

# The exit status and message for how the run ended (after rl_run).
rl_verdict() {
    serial_bytes=$(wc -c <"$dir/serial.txt" 2>/dev/null || echo 0)
    case $outcome in
    end)
        [ $rc -gt 128 ] && [ $rc -ne 137 ] && [ $rc -ne 143 ] &&
            echo "$me: note: $emu ended by signal SIG$(rl_signame $((rc - 128))) after the end marker (harmless after power-off)" >&2
        if grep -q '^SCENARIO [^ ]*: FAIL' "$dir/serial.txt"; then
            echo "$me: $(grep -m1 '^SCENARIO [^ ]*: FAIL' "$dir/serial.txt")" >&2
            exit 1
        fi
        exit 0 ;;
    grub)
        rl_explain "GRUB could not boot the image: $(rl_grub_error 10)"
        exit 5 ;;
    halt)
        echo "$me: the hypervisor halted: $(grep -E -m1 -- "$halt_re" "$dir/serial.txt"); $emu stopped (serial $dir/serial.txt)" >&2
        exit 3 ;;
    esac
    if [ $rc -eq 124 ] || [ $rc -eq 137 ] && [ $secs -ge "$timeout" ]; then
        if [ "$serial_bytes" -eq 0 ]; then
            rl_explain "$emu printed nothing on the serial port within $timeout s (a GRUB error or a hang before the console)"
        else
            rl_explain "$emu did not finish within $timeout s; stopped it. Last serial line: $(tail -n 1 "$dir/serial.txt")"
        fi
        exit 124
    fi
    if [ $rc -gt 128 ]; then
        rl_explain "$emu died: killed by signal SIG$(rl_signame $((rc - 128))) (status $rc) after ${secs}s, $serial_bytes bytes of serial output"
        exit 4
    fi
    if [ "$serial_bytes" -eq 0 ]; then
        rl_explain "$emu ended (status $rc) after ${secs}s without any serial output"
    else
        rl_explain "$emu ended (status $rc) after ${secs}s before the end marker; last serial line: $(tail -n 1 "$dir/serial.txt")"
    fi
    exit 5
}

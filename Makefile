# Vanderpool - build, run and test.  `make help` lists the targets.
#
# Variables a user may set (`make help` says the same):
#   CPUS=N        CPUs Bochs emulates (default 1)
#   ARGS="..."    hypervisor command line (default: none, i.e. scenario=guest-basic); double
#                 quotes inside are kept: ARGS='scenario=vms vm=a:image=x.elf,cmdline="p q"'
#   MODULES="..." GRUB modules, blank-separated FILE or FILE:ARGS (ARGS without blanks here;
#                 scripts/run.sh --module takes any)
#   MEGS=M        emulated RAM in MiB (default 256)
#   MODEL=name    Bochs CPU model (default corei7_icelake_u)
#   TIMEOUT=s     wall-clock bound of one Bochs (or QEMU) run (default 120)
#   FIRMWARE=bios|efi  make run-qemu: SeaBIOS or OVMF/UEFI (default bios)
#   MACHINE=pc|q35     make run-qemu: QEMU machine (default pc)
#   ACCEL=auto|kvm|tcg make run-qemu: KVM with nested VT-x when there is one (default auto)
#   MEDIA=cdrom|usb    make run-qemu: the image as a CD or as a USB stick (default cdrom)
#   GUEST=linux   make run: boot Linux as a guest (make linux's kernel; scripts/run-linux.sh),
#                 with MODEL default corei7_skylake_x, MEGS 512, and on a terminal no TIMEOUT
#   JOBS=N        system tests run in parallel (default 2)
#   T=a,b         make system: only these tests

CPUS    ?= 1
ARGS    ?=
MODULES ?=
MEGS    ?= 256
MODEL   ?= corei7_icelake_u
TIMEOUT ?= 120
JOBS    ?= 2
FIRMWARE ?= bios
MACHINE ?= pc
ACCEL   ?= auto
MEDIA   ?= cdrom
# The recipes read these from the environment ("$$ARGS"), so quotes in them survive the shell.
export ARGS MODULES

BUILD   := build
ELF     := $(BUILD)/vanderpool.elf
ISO     := $(BUILD)/vanderpool.iso
USB_IMG := $(BUILD)/vanderpool-usb.img

CC      := gcc
LD      := ld
GCC_INC := $(shell $(CC) -print-file-name=include)

KCFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-stack-protector \
           -fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only -mcmodel=small \
           -fomit-frame-pointer -fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables \
           -nostdinc -isystem $(GCC_INC) -Iplatform/libc -I. -MMD -MP
KASFLAGS := -D__ASSEMBLY__ -I. -MMD -MP
KLDFLAGS := -n -nostdlib -static -T boot/linker.ld -z max-page-size=0x1000 --build-id=none --no-warn-rwx-segments

# Everything in the kernel layers is built into the hypervisor image.
KSRCS := $(wildcard boot/*.S boot/*.c platform/*.c platform/*.S vmx/*.c vmx/*.S \
                    vm/*.c devices/*.c guests/builtin/*.c guests/builtin/*.S scenarios/*.c)
KOBJS := $(patsubst %,$(BUILD)/k/%.o,$(KSRCS))

# Pure files: no asm, no hidden hardware; also built for the host and unit-tested.
# One per line, so that additions merge cleanly.
PURE_SRCS :=
PURE_SRCS += platform/fmt.c
PURE_SRCS += platform/cmdline.c
PURE_SRCS += platform/trace.c
PURE_SRCS += platform/mb2.c
PURE_SRCS += platform/mb2_efi.c
PURE_SRCS += platform/efi_tables.c
PURE_SRCS += platform/acpi_tables.c
PURE_SRCS += platform/pmm.c
PURE_SRCS += vmx/vmcs_fields.c
PURE_SRCS += vmx/vmx_names.c
PURE_SRCS += vmx/vmx_caps.c
PURE_SRCS += vmx/vmx_controls.c
PURE_SRCS += vmx/vmcs_dump.c
PURE_SRCS += vmx/ept.c
PURE_SRCS += vmx/ept_violation.c
PURE_SRCS += vmx/mtrr.c
PURE_SRCS += vmx/trace_mask.c
PURE_SRCS += vmx/watchdog.c
PURE_SRCS += vmx/guest_msr.c
PURE_SRCS += vmx/cpuid_policy.c
PURE_SRCS += vmx/cpuid_deps.c
PURE_SRCS += vm/vm_config.c
PURE_SRCS += vm/elf.c
PURE_SRCS += vm/loader.c
PURE_SRCS += vm/loader_mem.c
PURE_SRCS += vm/loader_kernel.c
PURE_SRCS += vm/loader_mb1.c
PURE_SRCS += vm/loader_mb2.c
PURE_SRCS += devices/debugcon.c
PURE_SRCS += devices/uart16550.c
PURE_SRCS += devices/debug_exit.c
PURE_SRCS += devices/fw_cfg.c
PURE_SRCS += devices/shutdown_port.c
PURE_SRCS += devices/port_policy.c
PURE_SRCS += devices/i8259.c
PURE_SRCS += devices/i8254.c
PURE_SRCS += devices/ioapic.c
PURE_SRCS += devices/rtc.c
PURE_SRCS += devices/rtc_clock.c
PURE_SRCS += devices/vlapic.c
PURE_SRCS += devices/vlapic_inbox.c
PURE_SRCS += devices/vlapic_ipi.c
PURE_SRCS += devices/vlapic_lvt.c
PURE_SRCS += devices/vlapic_msr.c
PURE_SRCS += devices/vlapic_regs.c
PURE_SRCS += devices/vlapic_timer.c
PURE_SRCS += vmx/posted_intr.c
PURE_SRCS += vmx/apicv_policy.c
PURE_SRCS += vm/guest_walk.c
PURE_SRCS += vm/insn_decode.c
PURE_SRCS += vm/insn_operand.c
PURE_SRCS += vm/string_io.c
PURE_SRCS += vmx/entry_check.c
PURE_SRCS += vmx/entry_check_ctl.c
PURE_SRCS += vmx/entry_check_guest.c
PURE_SRCS += vmx/entry_check_host.c
PURE_SRCS += vmx/entry_check_seg.c
PURE_SRCS += vmx/entry_mutate.c
PURE_SRCS += vmx/vmcs_image.c
PURE_SRCS += vmx/entry_compare.c
PURE_SRCS += vm/acpi_build.c
PURE_SRCS += vm/loader_linux.c
PURE_SRCS += vm/loader_linux_boot.c
PURE_SRCS += vmx/event.c
PURE_SRCS += vm/io_bus.c
PURE_SRCS += devices/acpi_pm.c
PURE_SRCS += devices/pci_host.c
PURE_SRCS += vm/task_switch.c
PURE_SRCS := $(wildcard $(PURE_SRCS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
HOST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -I. -fsanitize=address,undefined \
               -fno-omit-frame-pointer
UNIT_BIN := $(BUILD)/host/unit_tests
# tools/vptrace: the debug-record reader (docs/trace.md); its library is unit-tested too.
VPTRACE_LIB := tools/vptrace_parse.c tools/vptrace_fields.c tools/vptrace_analyse.c \
               tools/vptrace_report.c tools/vptrace_svg.c tools/vptrace_timeline.c
VPTRACE := $(BUILD)/host/vptrace
UNIT_HELPERS := tests/unit/fixtures.c tests/unit/guest_ram.c tests/unit/entry_fixture.c tools/vmx_dump.c $(VPTRACE_LIB)
VMXCAP := $(BUILD)/host/vmxcap

.PHONY: all iso run test unit system harness lint format bench deps clean help vmxcap FORCE \
        vptrace trace trace-vms linux run-qemu usb
all: $(ISO)

help:
	@echo "make run     install what is missing, build, boot the demo in Bochs, show its output"
	@echo "             ARGS='hypervisor command line' CPUS=N MEGS=M MODEL=name TIMEOUT=s"
	@echo "             MODULES='file[:args] ...' (ARGS=scenario=list lists the scenarios)"
	@echo "make run GUEST=linux  boot Linux (make linux's Debian kernel) as a guest and type into"
	@echo "             its shell (CPUS=2 for two vCPUs); 'poweroff' or Ctrl-C ends it"
	@echo "make run-qemu  the same in QEMU: KVM with nested VT-x (-cpu host,+vmx) on an Intel host"
	@echo "             that has it, else TCG, whose CPU has no VMX (platform scenarios only);"
	@echo "             FIRMWARE=bios|efi (SeaBIOS or OVMF) MACHINE=pc|q35 ACCEL=auto|kvm|tcg"
	@echo "             MEDIA=cdrom|usb (the image as a CD or as a USB stick)"
	@echo "make usb     build/vanderpool-usb.img (ARGS=, MODULES=) and how to dd it to a USB stick"
	@echo "make test    unit, harness and system tests; ends with 'N passed, N failed' (JOBS=N)"
	@echo "make unit    host unit tests only;  make harness  harness self-tests only"
	@echo "make system  system tests in Bochs and QEMU only (T=name,name to pick some)"
	@echo "make guests  build the test guests (build/guests/*.elf) for your own runs"
	@echo "make iso     build/vanderpool.iso with ARGS as its command line (for QEMU or hardware)"
	@echo "make lint    clang-format check and cppcheck;  make format  reformat the tree"
	@echo "make bench   boot the benchmark scenarios and print 'bench <name>: <n> <unit>' lines"
	@echo "make vmxcap  build/host/vmxcap: decode this host's VMX capability MSRs, or a dump"
	@echo "make vptrace build/host/vptrace: exit table, CSV and SVG pictures from a trace dump"
	@echo "make trace   run a scenario with tracedump (ARGS=, CPUS=, MODEL=, MODULES=): exit table,"
	@echo "             build/trace/{table.txt,exits.csv,timeline.svg,histogram.svg}"
	@echo "make trace-vms  the same for scenario vms with three VMs on two CPUs"
	@echo "make linux   build/linux/: a Debian kernel (bzImage) and a busybox initramfs (apt-get download)"
	@echo "make deps    install the Debian packages;  make clean  remove build/"
	@echo "Troubleshooting (no output, Bochs died, timeouts, where the logs are): README.md"

deps:
	@scripts/deps.sh

$(BUILD)/k/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/k/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(KASFLAGS) -c $< -o $@

$(ELF): $(KOBJS) boot/linker.ld
	@echo "  LD      $@"
	@$(LD) $(KLDFLAGS) -o $@ $(KOBJS)

# The ISO's command line is part of it: a stamp that changes when ARGS does.
$(BUILD)/iso.args: FORCE
	@mkdir -p $(BUILD)
	@printf '%s\n' "$$ARGS" | cmp -s - $@ 2>/dev/null || printf '%s\n' "$$ARGS" >$@

$(ISO): $(ELF) scripts/mkiso.sh $(BUILD)/iso.args
	@echo "  ISO     $@ (command line: $$ARGS)"
	@scripts/mkiso.sh $(ELF) $@ "$$ARGS"

iso: $(ISO)

GUEST ?=
# make run GUEST=linux: the model, RAM and time bound a Linux guest needs, unless given.
LINUX_MODEL   := $(if $(filter file,$(origin MODEL)),corei7_skylake_x,$(MODEL))
LINUX_MEGS    := $(if $(filter file,$(origin MEGS)),512,$(MEGS))
LINUX_TIMEOUT := $(if $(filter file,$(origin TIMEOUT)),$$([ -t 0 ] && echo 86400 || echo 900),$(TIMEOUT))
run: deps
ifeq ($(GUEST),linux)
	@$(MAKE) --no-print-directory $(ELF) linux
	@scripts/run-linux.sh $(ELF) $(LINUX_MODEL) $(CPUS) $(LINUX_MEGS) $(LINUX_TIMEOUT)
else ifneq ($(GUEST),)
	@echo "make run: GUEST=$(GUEST): the guest to boot is linux (or none: the built-in demo)" >&2; exit 2
else
	@$(MAKE) --no-print-directory $(ELF)
	@set --; for m in $$MODULES; do set -- "$$@" --module "$$m"; done; \
	scripts/run.sh --live --cpus $(CPUS) --megs $(MEGS) --model $(MODEL) --timeout $(TIMEOUT) \
		--elf $(ELF) --args "$$ARGS" "$$@"
endif

# make run-qemu: scripts/run-qemu.sh builds its own ISO, as run.sh does (README.md, "QEMU, KVM,
# UEFI and USB").
run-qemu: deps
	@$(MAKE) --no-print-directory $(ELF)
	@set --; for m in $$MODULES; do set -- "$$@" --module "$$m"; done; \
	scripts/run-qemu.sh --live --cpus $(CPUS) --megs $(MEGS) --timeout $(TIMEOUT) \
		--firmware $(FIRMWARE) --machine $(MACHINE) --accel $(ACCEL) --media $(MEDIA) --elf $(ELF) \
		--args "$$ARGS" "$$@"

# make usb: the hybrid image for a USB stick, with ARGS and MODULES; it writes no device.
usb: deps
	@$(MAKE) --no-print-directory $(ELF)
	@set --; for m in $$MODULES; do set -- "$$@" "$$m"; done; \
	scripts/usb.sh $(ELF) $(USB_IMG) "$$ARGS" "$$@"

# The unit tests, file by file (each object has its dependency file), linked into one binary.
UNIT_OBJS := $(patsubst %.c,$(BUILD)/host/obj/%.o,$(UNIT_SRCS) $(UNIT_HELPERS) $(PURE_SRCS))
$(BUILD)/host/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	@$(CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(UNIT_BIN): $(UNIT_OBJS)
	@echo "  HOSTLD  $@"
	@$(CC) $(HOST_CFLAGS) $(UNIT_OBJS) -lcriterion -lm -o $@

-include $(UNIT_OBJS:.o=.d)

# tools/vmxcap: the capability decoder on a Linux host (/dev/cpu/N/msr) or a saved dump.
$(VMXCAP): tools/vmxcap.c tools/vmx_dump.c vmx/vmx_caps.c vmx/vmx_controls.c platform/fmt.c \
           $(wildcard tools/*.h vmx/*.h platform/*.h)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	@$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -I. tools/vmxcap.c tools/vmx_dump.c \
		vmx/vmx_caps.c vmx/vmx_controls.c platform/fmt.c -o $@

vmxcap: $(VMXCAP)

$(VPTRACE): tools/vptrace.c $(VPTRACE_LIB) vmx/vmx_names.c platform/trace.c platform/fmt.c \
            $(wildcard tools/*.h vmx/*.h platform/*.h)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	@$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -I. tools/vptrace.c $(VPTRACE_LIB) \
		vmx/vmx_names.c platform/trace.c platform/fmt.c -lm -o $@

vptrace: $(VPTRACE)

# make trace: one run with tracedump, its serial log turned into the table and pictures
# (scripts/trace.sh, docs/trace.md). The command line goes through the environment so that
# quotes in ARGS (cmdline="...") survive.
trace: export TRACE_ARGS := $(ARGS)
trace: deps
	@$(MAKE) --no-print-directory $(ELF) $(VPTRACE) $(if $(MODULES),guests)
	@scripts/trace.sh --cpus $(CPUS) --model $(MODEL) --timeout $(TIMEOUT) --elf $(ELF) \
		$(foreach m,$(MODULES),--module $(m))

# Three VMs: two spin guests time-sliced on CPU 1, the hello guest alone on CPU 0.
trace-vms: export TRACE_ARGS := scenario=vms \
    vm=a:image=spin.elf,cmdline="name=a n=1000000",pin=1 \
    vm=b:image=spin.elf,cmdline="name=b n=1000000",pin=1 \
    vm=hello:image=hello.elf,cmdline="hi",pin=0
trace-vms: deps
	@$(MAKE) --no-print-directory $(ELF) $(VPTRACE) guests
	@scripts/trace.sh --cpus 2 --model $(MODEL) --timeout 300 --elf $(ELF) \
		--module build/guests/spin.elf --module build/guests/hello.elf

unit: $(UNIT_BIN)
	@scripts/unit.sh $(UNIT_BIN)

# Linux guests: a Debian kernel and a busybox initramfs in build/linux/ (scripts/linux.sh,
# docs/linux.md); tools/mkcpio writes the initramfs without root.
MKCPIO := $(BUILD)/host/mkcpio
$(MKCPIO): tools/mkcpio.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	@$(CC) -std=c11 -O2 -Wall -Wextra -Werror -o $@ $<

linux: $(MKCPIO)
	@scripts/linux.sh $(MKCPIO)

system: $(ELF) $(VPTRACE) guests badimages linux
	@tests/system/run.sh --jobs $(JOBS) --elf $(ELF) $(if $(T),--only "$(T)")

harness:
	@tests/harness/run.sh

test: deps
	@$(MAKE) --no-print-directory $(ELF) $(UNIT_BIN) $(VMXCAP) $(VPTRACE) guests badimages linux
	@scripts/test.sh $(UNIT_BIN) $(ELF) $(JOBS)

bench: deps
	@$(MAKE) --no-print-directory $(ELF) guests linux
	@scripts/bench.sh $(ELF)

LINT_FILES := $(shell git ls-files '*.c' '*.h' 2>/dev/null)
lint:
	@scripts/lint.sh $(LINT_FILES)

format:
	clang-format -i $(LINT_FILES)

clean:
	rm -rf $(BUILD)

# Test guests (guests/): multiboot kernels and a real-mode image, run bare and under Vanderpool.
include guests/guests.mk
# Malformed guest images for the loader system tests (tools/mkbadimg.c).
include guests/bad/bad.mk

-include $(KOBJS:.o=.d)

# Vanderpool - build, run and test.  `make help` lists the targets.
#
# Variables a user may set:
#   CPUS=N        CPUs Bochs emulates (default 1)
#   ARGS="..."    hypervisor command line (default: none, i.e. scenario=guest-basic)
#   MODEL=name    Bochs CPU model (default corei7_icelake_u)
#   TIMEOUT=s     wall-clock bound of one Bochs run (default 120)
#   JOBS=N        system tests run in parallel (default 2)
#   MODULES="f[:args] ..."  GRUB modules for `make trace` (e.g. guest images for scenario=vms)

CPUS    ?= 1
ARGS    ?=
MODEL   ?= corei7_icelake_u
TIMEOUT ?= 120
JOBS    ?= 2
MODULES ?=

BUILD   := build
ELF     := $(BUILD)/vanderpool.elf
ISO     := $(BUILD)/vanderpool.iso

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
PURE_SRCS := $(wildcard platform/fmt.c platform/cmdline.c platform/trace.c platform/mb2.c \
                        platform/acpi_tables.c platform/pmm.c vmx/vmcs_fields.c vmx/vmx_names.c \
                        vmx/vmx_caps.c vmx/vmx_controls.c vmx/vmcs_dump.c devices/debugcon.c \
                        vm/vm_config.c devices/uart16550.c devices/debug_exit.c \
                        devices/shutdown_port.c devices/port_policy.c vmx/ept.c \
                        vmx/ept_violation.c vmx/mtrr.c vm/elf.c vm/loader.c vm/loader_mem.c \
                        vm/loader_kernel.c vm/loader_mb1.c vm/loader_mb2.c)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
HOST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -I. -fsanitize=address,undefined \
               -fno-omit-frame-pointer
UNIT_BIN := $(BUILD)/host/unit_tests
# tools/vptrace: the debug-record reader (docs/trace.md); its library is unit-tested too.
VPTRACE_LIB := tools/vptrace_parse.c tools/vptrace_fields.c tools/vptrace_analyse.c tools/vptrace_report.c \
               tools/vptrace_svg.c tools/vptrace_timeline.c
VPTRACE := $(BUILD)/host/vptrace
UNIT_HELPERS := tests/unit/fixtures.c tools/vmx_dump.c $(VPTRACE_LIB)
VMXCAP := $(BUILD)/host/vmxcap

.PHONY: all iso run test unit system lint format bench deps clean help vmxcap vptrace trace \
        trace-vms
all: $(ISO)

help:
	@echo "make run     build and boot the default demo in Bochs (CPUS=, ARGS=, MODEL=)"
	@echo "make test    host unit tests + system tests in Bochs; ends with 'N passed, N failed'"
	@echo "make unit    host unit tests only;  make system  system tests only (T=name to pick)"
	@echo "make lint    clang-format check and cppcheck;  make format  reformat the tree"
	@echo "make bench   boot the benchmark scenarios and print 'bench <name>: <n> <unit>' lines"
	@echo "make vmxcap  build/host/vmxcap: decode this host's VMX capability MSRs, or a dump"
	@echo "make vptrace build/host/vptrace: exit table, CSV and SVG pictures from a trace dump"
	@echo "make trace   run a scenario with tracedump (ARGS=, CPUS=, MODEL=, MODULES=): exit table,"
	@echo "             build/trace/{table.txt,exits.csv,timeline.svg,histogram.svg}"
	@echo "make trace-vms  the same for scenario vms with three VMs on two CPUs"

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

$(ISO): $(ELF) scripts/mkiso.sh
	scripts/mkiso.sh $(ELF) $@ "$(ARGS)"

iso: $(ISO)

run: deps
	@$(MAKE) --no-print-directory $(ELF)
	@scripts/run.sh --live --cpus $(CPUS) --model $(MODEL) --timeout $(TIMEOUT) \
		--elf $(ELF) --args "$(ARGS)"

$(UNIT_BIN): $(UNIT_SRCS) $(UNIT_HELPERS) $(PURE_SRCS) \
             $(wildcard platform/*.h vmx/*.h vm/*.h devices/*.h tools/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	@$(CC) $(HOST_CFLAGS) $(UNIT_SRCS) $(UNIT_HELPERS) $(PURE_SRCS) -lcriterion -lm -o $@

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

system: $(ELF) $(VPTRACE) guests badimages
	@tests/system/run.sh --jobs $(JOBS) --elf $(ELF) $(if $(T),--only "$(T)")

test: deps
	@$(MAKE) --no-print-directory $(ELF) $(UNIT_BIN) $(VMXCAP) $(VPTRACE) guests badimages
	@scripts/test.sh $(UNIT_BIN) $(ELF) $(JOBS)

bench: deps
	@$(MAKE) --no-print-directory $(ELF) guests
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

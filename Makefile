# Vanderpool - build, run and test.  `make help` lists the targets.
#
# Variables a user may set:
#   CPUS=N        CPUs Bochs emulates (default 1)
#   ARGS="..."    hypervisor command line (default: none, i.e. scenario=guest-basic)
#   MODEL=name    Bochs CPU model (default corei7_icelake_u)
#   TIMEOUT=s     wall-clock bound of one Bochs run (default 120)
#   JOBS=N        system tests run in parallel (default 2)

CPUS    ?= 1
ARGS    ?=
MODEL   ?= corei7_icelake_u
TIMEOUT ?= 120
JOBS    ?= 2

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
                        vm/loader_kernel.c vm/loader_mb1.c vm/loader_mb2.c \
                        vm/loader_linux.c vm/loader_linux_boot.c vm/acpi_build.c)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
HOST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -I. -fsanitize=address,undefined \
               -fno-omit-frame-pointer
UNIT_BIN := $(BUILD)/host/unit_tests
UNIT_HELPERS := tests/unit/fixtures.c tools/vmx_dump.c
VMXCAP := $(BUILD)/host/vmxcap

.PHONY: all iso run test unit system lint format bench deps clean help vmxcap linux
all: $(ISO)

help:
	@echo "make run     build and boot the default demo in Bochs (CPUS=, ARGS=, MODEL=)"
	@echo "make test    host unit tests + system tests in Bochs; ends with 'N passed, N failed'"
	@echo "make unit    host unit tests only;  make system  system tests only (T=name to pick)"
	@echo "make lint    clang-format check and cppcheck;  make format  reformat the tree"
	@echo "make bench   boot the benchmark scenarios and print 'bench <name>: <n> <unit>' lines"
	@echo "make vmxcap  build/host/vmxcap: decode this host's VMX capability MSRs, or a dump"
	@echo "make linux   build/linux/: a Debian kernel (bzImage) and a busybox initramfs (apt-get download)"

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
	@$(CC) $(HOST_CFLAGS) $(UNIT_SRCS) $(UNIT_HELPERS) $(PURE_SRCS) -lcriterion -o $@

# tools/vmxcap: the capability decoder on a Linux host (/dev/cpu/N/msr) or a saved dump.
$(VMXCAP): tools/vmxcap.c tools/vmx_dump.c vmx/vmx_caps.c vmx/vmx_controls.c platform/fmt.c \
           $(wildcard tools/*.h vmx/*.h platform/*.h)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	@$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -I. tools/vmxcap.c tools/vmx_dump.c \
		vmx/vmx_caps.c vmx/vmx_controls.c platform/fmt.c -o $@

vmxcap: $(VMXCAP)

# Linux guests: a Debian kernel and a busybox initramfs in build/linux/ (scripts/linux.sh,
# docs/linux.md); tools/mkcpio writes the initramfs without root.
MKCPIO := $(BUILD)/host/mkcpio
$(MKCPIO): tools/mkcpio.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	@$(CC) -std=c11 -O2 -Wall -Wextra -Werror -o $@ $<

linux: $(MKCPIO)
	@scripts/linux.sh $(MKCPIO)

unit: $(UNIT_BIN)
	@scripts/unit.sh $(UNIT_BIN)

system: $(ELF) guests badimages linux
	@tests/system/run.sh --jobs $(JOBS) --elf $(ELF) $(if $(T),--only "$(T)")

test: deps
	@$(MAKE) --no-print-directory $(ELF) $(UNIT_BIN) $(VMXCAP) guests badimages linux
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

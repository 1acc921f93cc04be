# guests/guests.mk - the stand-alone test guests (guests/*/, guests/lib/): small kernels that
# boot bare (GRUB) or under Vanderpool and report `TEST <guest>: PASS`. See guests/README.md.
#
#   make -f guests/guests.mk            build them all on their own (from the top of the tree)
#   include guests/guests.mk            from the Makefile: adds the target `guests`
#
# Produces build/guests/{hello,memcheck,mb2hello,longmode}.elf (ELF32, multiboot) and
# build/guests/realmode.bin (a raw real-mode image for 0x7c00). Everything here is named
# GUEST_* or lives under build/guests/, so it cannot clash with the Makefile.

GUEST_STANDALONE := $(if $(filter %guests.mk,$(firstword $(MAKEFILE_LIST))),1)
GUEST_PREV_GOAL := $(.DEFAULT_GOAL)

GUEST_BUILD   := build/guests
GUEST_OBJCOPY ?= objcopy
GUEST_CC_INC  := $(shell $(CC) -print-file-name=include)

# Freestanding; our own <string.h> (guests/lib/libc); no SSE/x87 code, so the 64-bit guest needs
# no FPU set-up; no loop-to-memset rewriting.
GUEST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-stack-protector \
                -fno-pic -fno-pie -mgeneral-regs-only -fno-omit-frame-pointer \
                -fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns \
                -nostdinc -isystem $(GUEST_CC_INC) -Iguests/lib/libc -I. -MMD -MP
GUEST_CFLAGS32 := -m32 -march=i686 $(GUEST_CFLAGS)
GUEST_CFLAGS64 := -m64 -mno-red-zone -mcmodel=small $(GUEST_CFLAGS)
GUEST_ASFLAGS  := -D__ASSEMBLY__ -I. -MMD -MP
GUEST_LDFLAGS  := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=0x1000 \
                  -Wl,--no-warn-rwx-segments

# The library; platform/fmt.c is the hypervisor's formatter (pure C), linked in as it is.
GUEST_LIB_SRCS := guests/lib/uart.c guests/lib/test.c guests/lib/mb.c guests/lib/mb_print.c \
                  guests/lib/string.c platform/fmt.c
GUEST_LIB32 := $(patsubst %,$(GUEST_BUILD)/o32/%.o,$(GUEST_LIB_SRCS) guests/lib/divdi3.c)
GUEST_LIB64 := $(patsubst %,$(GUEST_BUILD)/o64/%.o,$(GUEST_LIB_SRCS))

GUEST_ELF32_NAMES := hello memcheck mb2hello
GUEST_IMAGES := $(patsubst %,$(GUEST_BUILD)/%.elf,$(GUEST_ELF32_NAMES) longmode) \
                $(GUEST_BUILD)/realmode.bin

.PHONY: guests
guests: $(GUEST_IMAGES)

$(GUEST_BUILD)/o32/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC32    $<"
	@$(CC) $(GUEST_CFLAGS32) -c $< -o $@

$(GUEST_BUILD)/o32/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS32    $<"
	@$(CC) -m32 $(GUEST_ASFLAGS) -c $< -o $@

$(GUEST_BUILD)/o64/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC64    $<"
	@$(CC) $(GUEST_CFLAGS64) -c $< -o $@

$(GUEST_BUILD)/o64/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS64    $<"
	@$(CC) -m64 $(GUEST_ASFLAGS) -c $< -o $@

# What the ELF32 multiboot guests share (guests/lib/): the 32-bit entry start32.S (stack, then
# guest_main(magic, info)), the linker script guest32.ld (one image at 1 MiB, the multiboot
# header first), and, for the multiboot v1 ones, the header mb1_header.S (mb2hello has its own
# multiboot2 header). args.c (command-line arguments) goes only into the guests that take any.
GUEST_START32_OBJ := $(GUEST_BUILD)/o32/guests/lib/start32.S.o
GUEST_MB1_OBJ     := $(GUEST_BUILD)/o32/guests/lib/mb1_header.S.o
GUEST_ARGS_OBJ    := $(GUEST_BUILD)/o32/guests/lib/args.c.o
GUEST_LD32        := guests/lib/guest32.ld

# A 32-bit multiboot guest NAME ($(1)): the shared entry, the objects in $(2) (header, library
# parts of its own), guests/NAME/*.S and *.c, and the 32-bit library.
define GUEST_ELF32_RULE
GUEST_OBJS_$(1) := $$(GUEST_START32_OBJ) $(2) \
                   $$(patsubst %,$$(GUEST_BUILD)/o32/%.o,$$(wildcard guests/$(1)/*.S guests/$(1)/*.c))
$$(GUEST_BUILD)/$(1).elf: $$(GUEST_OBJS_$(1)) $$(GUEST_LIB32) $$(GUEST_LD32)
	@echo "  LD32    $$@"
	@$$(CC) -m32 $$(GUEST_LDFLAGS) -T $$(GUEST_LD32) -o $$@ $$(GUEST_OBJS_$(1)) $$(GUEST_LIB32)
endef
$(foreach g,$(filter-out mb2hello,$(GUEST_ELF32_NAMES)),$(eval $(call GUEST_ELF32_RULE,$(g),$(GUEST_MB1_OBJ))))
$(eval $(call GUEST_ELF32_RULE,mb2hello,))

# longmode: 32-bit multiboot entry and 64-bit C, linked as x86-64, then turned into an ELF32
# file (the same bytes and load addresses) so that any multiboot v1 loader takes it.
GUEST_OBJS_longmode := $(patsubst %,$(GUEST_BUILD)/o64/%.o,$(wildcard guests/longmode/*.S guests/longmode/*.c))
$(GUEST_BUILD)/longmode64.elf: $(GUEST_OBJS_longmode) $(GUEST_LIB64) guests/longmode/linker.ld
	@echo "  LD64    $@"
	@$(CC) -m64 $(GUEST_LDFLAGS) -T guests/longmode/linker.ld -o $@ $(GUEST_OBJS_longmode) $(GUEST_LIB64)

$(GUEST_BUILD)/longmode.elf: $(GUEST_BUILD)/longmode64.elf
	@echo "  OBJCOPY $@"
	@$(GUEST_OBJCOPY) -O elf32-i386 $< $@

# realmode: a raw 16-bit image for 0x7c00 (the book's GuestBoot), 512 bytes with the boot
# signature.
$(GUEST_BUILD)/realmode.elf: $(GUEST_BUILD)/o32/guests/realmode/realmode.S.o guests/realmode/linker.ld
	@echo "  LD16    $@"
	@$(CC) -m32 $(GUEST_LDFLAGS) -T guests/realmode/linker.ld -o $@ $(GUEST_BUILD)/o32/guests/realmode/realmode.S.o

$(GUEST_BUILD)/realmode.bin: $(GUEST_BUILD)/realmode.elf
	@echo "  OBJCOPY $@"
	@$(GUEST_OBJCOPY) -O binary $< $@

GUEST_ALL_OBJS := $(sort $(GUEST_LIB32) $(GUEST_LIB64) $(GUEST_OBJS_longmode) \
                  $(foreach g,$(GUEST_ELF32_NAMES),$(GUEST_OBJS_$(g))) \
                  $(GUEST_BUILD)/o32/guests/realmode/realmode.S.o)
-include $(GUEST_ALL_OBJS:.o=.d)

# Included from the Makefile, leave its default goal alone; on its own, build the guests.
.DEFAULT_GOAL := $(if $(GUEST_STANDALONE),guests,$(GUEST_PREV_GOAL))

# Guests of the VM tests (tests/system/vm-*.test), multiboot v1 like hello: sibling (the victim
# of vm-isolation: fills its RAM, checksums it before and after a busy loop), attack (writes
# outside its own RAM: beyond its end, at a high address, at a host address), spin (a
# CPU-bound counter for time-slicing). Built by the same rule as the guests above, with the
# command-line arguments (guests/lib/args.c).
GUEST_VM_NAMES := sibling attack spin
$(foreach g,$(GUEST_VM_NAMES),$(eval $(call GUEST_ELF32_RULE,$(g),$(GUEST_MB1_OBJ) $(GUEST_ARGS_OBJ))))
guests: $(patsubst %,$(GUEST_BUILD)/%.elf,$(GUEST_VM_NAMES))
-include $(patsubst %.o,%.d,$(foreach g,$(GUEST_VM_NAMES),$(GUEST_OBJS_$(g))))

# guestboot: the book's example 6-1 as one raw image for 0x7c00 (kind=raw, load=0x7c00):
# GuestBoot, a 16-bit boot sector (guests/guestboot/boot.S), followed by GuestKernel, linked as
# x86-64 at 0x20000 (entry.S: header, 32-bit entry, switch to long mode; kernel.c: 64-bit C
# with the library's output part), whole sectors. mkimage.sh joins the two and writes the
# kernel's checksum into its header.
GUEST_GB_BOOT_OBJ := $(GUEST_BUILD)/o32/guests/guestboot/boot.S.o
GUEST_GB_KERNEL_OBJS := $(GUEST_BUILD)/o64/guests/guestboot/entry.S.o \
                        $(GUEST_BUILD)/o64/guests/guestboot/kernel.c.o
GUEST_GB_LIB := $(patsubst %,$(GUEST_BUILD)/o64/%.o,guests/lib/uart.c guests/lib/test.c \
                  guests/lib/string.c platform/fmt.c)

$(GUEST_BUILD)/guestboot-boot.elf: $(GUEST_GB_BOOT_OBJ) guests/guestboot/boot.ld
	@echo "  LD16    $@"
	@$(CC) -m32 $(GUEST_LDFLAGS) -T guests/guestboot/boot.ld -o $@ $(GUEST_GB_BOOT_OBJ)

$(GUEST_BUILD)/guestboot-kernel.elf: $(GUEST_GB_KERNEL_OBJS) $(GUEST_GB_LIB) guests/guestboot/kernel.ld
	@echo "  LD64    $@"
	@$(CC) -m64 $(GUEST_LDFLAGS) -T guests/guestboot/kernel.ld -o $@ $(GUEST_GB_KERNEL_OBJS) $(GUEST_GB_LIB)

$(GUEST_BUILD)/guestboot-boot.raw $(GUEST_BUILD)/guestboot-kernel.raw: %.raw: %.elf
	@echo "  OBJCOPY $@"
	@$(GUEST_OBJCOPY) -O binary $< $@

$(GUEST_BUILD)/guestboot.bin: $(GUEST_BUILD)/guestboot-boot.raw $(GUEST_BUILD)/guestboot-kernel.raw \
                              guests/guestboot/mkimage.sh
	@echo "  MKIMAGE $@"
	@sh guests/guestboot/mkimage.sh $(GUEST_BUILD)/guestboot-boot.raw $(GUEST_BUILD)/guestboot-kernel.raw $@

guests: $(GUEST_BUILD)/guestboot.bin
-include $(patsubst %.o,%.d,$(GUEST_GB_BOOT_OBJ) $(GUEST_GB_KERNEL_OBJS))

# rmfault: a raw real-mode image for 0x7c00 whose faults must arrive through the IVT
# (tests/system/vm-realmode-faults.test).
$(GUEST_BUILD)/rmfault.elf: $(GUEST_BUILD)/o32/guests/rmfault/rmfault.S.o guests/rmfault/linker.ld
	@echo "  LD16    $@"
	@$(CC) -m32 $(GUEST_LDFLAGS) -T guests/rmfault/linker.ld -o $@ $(GUEST_BUILD)/o32/guests/rmfault/rmfault.S.o

$(GUEST_BUILD)/rmfault.bin: $(GUEST_BUILD)/rmfault.elf
	@echo "  OBJCOPY $@"
	@$(GUEST_OBJCOPY) -O binary $< $@

guests: $(GUEST_BUILD)/rmfault.bin

# rmint: a raw real-mode image for 0x7c00 taking INT n, INT3, #GP and #DF through its IVT
# (book example 7-4; tests/system/ex7-4.test).
$(GUEST_BUILD)/rmint.elf: $(GUEST_BUILD)/o32/guests/rmint/rmint.S.o guests/rmint/linker.ld
	@echo "  LD16    $@"
	@$(CC) -m32 $(GUEST_LDFLAGS) -T guests/rmint/linker.ld -o $@ $(GUEST_BUILD)/o32/guests/rmint/rmint.S.o

$(GUEST_BUILD)/rmint.bin: $(GUEST_BUILD)/rmint.elf
	@echo "  OBJCOPY $@"
	@$(GUEST_OBJCOPY) -O binary $< $@

guests: $(GUEST_BUILD)/rmint.bin

# probe: small checks of what the hypervisor does with one guest action each (do=...), with the
# exception library guests/lib/trap (its own GDT and IDT, instructions that may fault).
GUEST_TRAP_OBJS := $(GUEST_BUILD)/o32/guests/lib/trap.c.o $(GUEST_BUILD)/o32/guests/lib/trap32.S.o
$(eval $(call GUEST_ELF32_RULE,probe,$(GUEST_MB1_OBJ) $(GUEST_ARGS_OBJ) $(GUEST_TRAP_OBJS)))
guests: $(GUEST_BUILD)/probe.elf
-include $(patsubst %.o,%.d,$(GUEST_OBJS_probe))

# The interrupt guests (pic, ioapic, lapic-timer, ipi, nmi, smp): multiboot v1 like hello, with
# the exception library and the interrupt library of guests/lib/: local APIC (xAPIC/x2APIC),
# PIT (channel 0, and the channel 2 clock they measure time with), bounded waits, 8259 pair,
# RTC, I/O APIC, the MADT through the hypervisor's pure ACPI parser (platform/acpi_tables.c,
# linked in unchanged like platform/fmt.c), and the APs' start (smp.c, the real-mode trampoline
# ap_tramp.S, copied to 0x8000 at run time). See guests/README.md, "Interrupt guests".
GUEST_IRQ_LIB_SRCS := guests/lib/trap.c guests/lib/trap32.S guests/lib/lapic.c guests/lib/pit.c \
                      guests/lib/wait.c guests/lib/i8259.c guests/lib/rtc.c guests/lib/ioapic.c \
                      guests/lib/madt.c guests/lib/smp.c guests/lib/ap_tramp.S \
                      guests/lib/args.c platform/acpi_tables.c
GUEST_IRQ_OBJS  := $(patsubst %,$(GUEST_BUILD)/o32/%.o,$(GUEST_IRQ_LIB_SRCS))
GUEST_IRQ_NAMES := pic ioapic lapic-timer nmi smp ipi selfipi
$(foreach g,$(GUEST_IRQ_NAMES),$(eval $(call GUEST_ELF32_RULE,$(g),$(GUEST_MB1_OBJ) $(GUEST_IRQ_OBJS))))
guests: $(patsubst %,$(GUEST_BUILD)/%.elf,$(GUEST_IRQ_NAMES))
-include $(patsubst %.o,%.d,$(GUEST_IRQ_OBJS) $(foreach g,$(GUEST_IRQ_NAMES),$(GUEST_OBJS_$(g))))

# events: event delivery checked from inside in 32-bit protected, virtual-8086, real-address and
# 64-bit mode (guests/events/main.c); its own linker script adds the low-memory part that the
# real-mode and v8086 code run from (tests/system/vm-events-*.test).
GUEST_OBJS_events := $(GUEST_START32_OBJ) $(GUEST_MB1_OBJ) $(GUEST_ARGS_OBJ) \
                     $(patsubst %,$(GUEST_BUILD)/o32/%.o,$(wildcard guests/events/*.S guests/events/*.c))
$(GUEST_BUILD)/events.elf: $(GUEST_OBJS_events) $(GUEST_LIB32) guests/events/linker.ld
	@echo "  LD32    $@"
	@$(CC) -m32 $(GUEST_LDFLAGS) -T guests/events/linker.ld -o $@ $(GUEST_OBJS_events) $(GUEST_LIB32)
guests: $(GUEST_BUILD)/events.elf
-include $(patsubst %.o,%.d,$(GUEST_OBJS_events))

# task-switch: every kind of hardware task switch (book example 7-2; JMP, CALL and IRET, task
# gates in the IDT for INT n and exceptions, a 16-bit TSS, the faults of busy and invalid
# TSSs, the T flag), with the exception library for its IDT.
$(eval $(call GUEST_ELF32_RULE,task-switch,$(GUEST_MB1_OBJ) $(GUEST_TRAP_OBJS)))
guests: $(GUEST_BUILD)/task-switch.elf
-include $(patsubst %.o,%.d,$(GUEST_OBJS_task-switch))

# exceptions: #PF with CR2 and error codes, #DE, #GP, #DF from a contributory pair, and a #UD
# whose delivery is interrupted by an EPT violation (book example 7-1; tests/system/ex7-1.test).
$(eval $(call GUEST_ELF32_RULE,exceptions,$(GUEST_MB1_OBJ) $(GUEST_TRAP_OBJS)))
guests: $(GUEST_BUILD)/exceptions.elf
-include $(patsubst %.o,%.d,$(GUEST_OBJS_exceptions))

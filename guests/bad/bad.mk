# guests/bad/bad.mk - malformed guest images for the loader system tests
# (tests/system/bad-images-*.test): tools/mkbadimg.c, built for the host, writes corrupted
# copies of the good test guests hello.elf (Multiboot) and mb2hello.elf (Multiboot2) and a few
# synthetic images into build/guests/bad/, one defect each (`build/host/mkbadimg --list`), and
# one good image, good-aout.bin: hello as a Multiboot a.out-kludge kernel (tests/system/vm-aout.test).
#
#   make -f guests/bad/bad.mk           build them on their own (from the top of the tree)
#   include guests/bad/bad.mk           from the Makefile, after guests/guests.mk: adds the
#                                       target `badimages`
#
# Everything here is named BAD_* or lives under build/guests/bad/ and build/host/mkbadimg.

BAD_STANDALONE := $(if $(filter %bad.mk,$(firstword $(MAKEFILE_LIST))),1)
BAD_PREV_GOAL := $(.DEFAULT_GOAL)

# On its own, the rules for the good guests come from guests/guests.mk.
ifneq ($(BAD_STANDALONE),)
include guests/guests.mk
endif

BAD_BUILD  := build/guests/bad
BAD_TOOL   := build/host/mkbadimg
BAD_BASES  := build/guests/hello.elf build/guests/mb2hello.elf
BAD_STAMP  := $(BAD_BUILD)/.made
BAD_CFLAGS := -std=c11 -O2 -Wall -Wextra -Werror

# The base of good-aout.bin: hello linked again with 20 zero bytes right after its 12-byte
# Multiboot header (a second .multiboot input section, after mb1_header.S's), the room for the
# a.out kludge's five address fields (Multiboot 0.6.96 3.1.3), which mkbadimg fills in. In
# hello.elf the header is followed by _start, and a header put in front of the image would have
# to be loaded below 1 MiB, in the area [0x9fc00, 1 MiB) the Multiboot loader refuses.
BAD_AOUT_ROOM := $(BAD_BUILD)/base/aout-room.o
BAD_AOUT_BASE := $(BAD_BUILD)/base/hello-aout.elf

$(BAD_AOUT_ROOM): guests/bad/bad.mk
	@mkdir -p $(dir $@)
	@echo "  AS32    $@"
	@printf '\t.section .multiboot, "a"\n\t.space 20\n\t.section .note.GNU-stack, "", @progbits\n' | \
	    $(CC) -m32 -c -x assembler -o $@ -

$(BAD_AOUT_BASE): $(GUEST_OBJS_hello) $(BAD_AOUT_ROOM) $(GUEST_LIB32) $(GUEST_LD32)
	@echo "  LD32    $@"
	@$(CC) -m32 $(GUEST_LDFLAGS) -T $(GUEST_LD32) -o $@ $(GUEST_OBJS_hello) $(BAD_AOUT_ROOM) $(GUEST_LIB32)

.PHONY: badimages
badimages: $(BAD_STAMP)

$(BAD_TOOL): tools/mkbadimg.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	@$(CC) $(BAD_CFLAGS) -o $@ $<

# One run writes every image; the stamp stands for all of them. Images of an earlier run go
# first (base/ stays: it holds an input).
$(BAD_STAMP): $(BAD_TOOL) $(BAD_BASES) $(BAD_AOUT_BASE)
	@rm -f $(BAD_BUILD)/*.elf $(BAD_BUILD)/*.bin
	@mkdir -p $(BAD_BUILD)
	@echo "  MKBAD   $(BAD_BUILD)/"
	@$(BAD_TOOL) $(BAD_BASES) $(BAD_AOUT_BASE) $(BAD_BUILD)
	@touch $@

# Included from the Makefile, leave its default goal alone; on its own, build the images.
.DEFAULT_GOAL := $(if $(BAD_STANDALONE),badimages,$(BAD_PREV_GOAL))

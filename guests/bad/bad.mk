# guests/bad/bad.mk - malformed guest images for the loader system tests
# (tests/system/bad-images-*.test): tools/mkbadimg.c, built for the host, writes corrupted
# copies of the good test guests hello.elf (Multiboot) and mb2hello.elf (Multiboot2) and a few
# synthetic images into build/guests/bad/, one defect each (`build/host/mkbadimg --list`).
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

.PHONY: badimages
badimages: $(BAD_STAMP)

$(BAD_TOOL): tools/mkbadimg.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	@$(CC) $(BAD_CFLAGS) -o $@ $<

# One run writes every image; the stamp stands for all of them.
$(BAD_STAMP): $(BAD_TOOL) $(BAD_BASES)
	@rm -rf $(BAD_BUILD)
	@mkdir -p $(BAD_BUILD)
	@echo "  MKBAD   $(BAD_BUILD)/"
	@$(BAD_TOOL) $(BAD_BASES) $(BAD_BUILD)
	@touch $@

# Included from the Makefile, leave its default goal alone; on its own, build the images.
.DEFAULT_GOAL := $(if $(BAD_STANDALONE),badimages,$(BAD_PREV_GOAL))

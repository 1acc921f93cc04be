/* guests/lib/mb_print.h - print what the boot loader told a test guest. */
#ifndef GUEST_MB_PRINT_H
#define GUEST_MB_PRINT_H

#include "guests/lib/mb.h"

/* Prints `<guest>: ...` lines: multiboot version and flags, boot loader name, command line,
 * memory sizes and the memory map, one entry a line: `<guest>: mmap <first>-<last> <type>`. */
void mb_print(const struct mb_info *mi);

#endif

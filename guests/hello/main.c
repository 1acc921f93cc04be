/*
 * guests/hello/main.c - the hello test guest (multiboot v1): prints what the boot loader
 * handed over (loader name, command line, memory map) and checks the essentials of the
 * Multiboot 0.6.96 boot state.
 */
#include "guests/lib/mb.h"
#include "guests/lib/mb_print.h"
#include "guests/lib/test.h"

static struct mb_info mbi;

void guest_main(uint32_t magic, uint32_t info);

void guest_main(uint32_t magic, uint32_t info)
{
    char msg[128] = "";
    test_init("hello");
    test_note("hello from a multiboot v1 guest, 32-bit protected mode");
    test_checkf(magic == MB1_BOOTLOADER_MAGIC, "EAX holds the multiboot1 magic (0x%08x)",
                (unsigned)magic);
    int err = mb_parse(magic, (const void *)(uintptr_t)info, &mbi, msg, sizeof(msg));
    if (!test_checkf(err == MB_OK, "%s", err == MB_OK ? "multiboot information parsed" : msg))
        test_finish();
    mb_print(&mbi);
    test_checkf(mbi.has_meminfo && mbi.mem_upper > 0, "mem_upper > 0 (%u KiB)",
                (unsigned)mbi.mem_upper);
    test_checkf(mbi.has_mmap && mbi.mmap_count > 0, "memory map present (%u entries)",
                (unsigned)mbi.mmap_count);
    test_check(mb_usable_overlaps(&mbi, 0x100000, 0x200000), "usable RAM at 1 MiB in the map");
    test_check(mbi.has_cmdline, "command line present");
    test_finish();
}

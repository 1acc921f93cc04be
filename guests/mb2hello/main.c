/*
 * guests/mb2hello/main.c - the mb2hello test guest: hello as a multiboot2 kernel. Prints what
 * the boot loader handed over and checks that the tags its header requested are there.
 */
#include "guests/lib/mb.h"
#include "guests/lib/mb_print.h"
#include "guests/lib/test.h"

static struct mb_info mbi;

void guest_main(uint32_t magic, uint32_t info);

void guest_main(uint32_t magic, uint32_t info)
{
    char msg[128] = "";
    test_init("mb2hello");
    test_note("hello from a multiboot2 guest, 32-bit protected mode");
    test_checkf(magic == MB2_BOOTLOADER_MAGIC, "EAX holds the multiboot2 magic (0x%08x)",
                (unsigned)magic);
    test_checkf((info & 7) == 0, "information structure 8-byte aligned (0x%08x)",
                (unsigned)info); /* Multiboot2 3.3 */
    int err = mb_parse(magic, (const void *)(uintptr_t)info, &mbi, msg, sizeof(msg));
    if (!test_checkf(err == MB_OK, "%s", err == MB_OK ? "multiboot information parsed" : msg))
        test_finish();
    mb_print(&mbi);
    test_checkf(mbi.has_meminfo && mbi.mem_upper > 0,
                "basic memory information: mem_upper > 0 (%u KiB)", (unsigned)mbi.mem_upper);
    test_checkf(mbi.has_mmap && mbi.mmap_count > 0, "memory map present (%u entries)",
                (unsigned)mbi.mmap_count);
    test_check(mb_usable_overlaps(&mbi, 0x100000, 0x200000), "usable RAM at 1 MiB in the map");
    test_check(mbi.has_cmdline, "command line present");
    test_finish();
}

/* guests/lib/mb_print.c - print the multiboot information of a test guest. */
#include "guests/lib/mb_print.h"
#include "guests/lib/test.h"

void mb_print(const struct mb_info *mi)
{
    test_note("multiboot%u, magic 0x%08x, %s 0x%08x", mi->version, (unsigned)mi->magic,
              mi->version == 1 ? "flags" : "tags seen", (unsigned)mi->flags);
    if (mi->has_loader)
        test_note("boot loader '%s'", mi->loader);
    if (mi->has_cmdline)
        test_note("command line '%s'", mi->cmdline);
    if (mi->has_meminfo)
        test_note("memory lower %u KiB, upper %u KiB", (unsigned)mi->mem_lower,
                  (unsigned)mi->mem_upper);
    if (!mi->has_mmap)
        return;
    test_note("memory map: %u entries%s", (unsigned)(mi->mmap_count + mi->mmap_dropped),
              mi->mmap_dropped ? " (only the first ones shown)" : "");
    for (uint32_t i = 0; i < mi->mmap_count; i++) {
        const struct mb_mmap_entry *e = &mi->mmap[i];
        if (e->len == 0) {
            test_note("mmap %016llx empty %s", (unsigned long long)e->addr,
                      mb_mmap_type_name(e->type));
            continue;
        }
        test_note("mmap %016llx-%016llx %s", (unsigned long long)e->addr,
                  (unsigned long long)(e->addr + e->len - 1), mb_mmap_type_name(e->type));
    }
    uint64_t usable = mb_usable_bytes(mi);
    test_note("usable RAM %llu KiB (%llu MiB)", (unsigned long long)(usable >> 10),
              (unsigned long long)(usable >> 20));
}

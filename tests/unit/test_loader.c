/* Unit tests for the guest loaders (vm/loader*.c): kernels are assembled in memory (a
 * Multiboot header + ELF32 / ELF64 / a.out kludge; a Multiboot2 header with tags), loaded
 * into a fake guest RAM, and the bytes, the boot information (read back field by field, and
 * for Multiboot2 also through platform/mb2.c) and the start state are checked. Every
 * malformed image must fail with its own code and message and leave guest RAM untouched. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "platform/mb2.h"
#include "vm/elf.h"
#include "vm/loader.h"

#define MIB      0x100000ull
#define FILL     0xcc
#define KIMG_MAX 0x12000

/* ---- fake guest RAM ---- */

struct fake_ram {
    uint8_t *mem;
    uint64_t size;
    uint64_t hole_base, hole_end; /* ptr() refuses this range */
};

static struct fake_ram fr;
static struct guest_ram ram;
static char msg[512];

static uint8_t *fr_ptr(void *ctx, uint64_t gpa, uint64_t len)
{
    struct fake_ram *f = ctx;
    if (gpa >= f->size || len > f->size - gpa)
        return NULL;
    if (gpa < f->hole_end && f->hole_base < gpa + len)
        return NULL;
    return f->mem + gpa;
}

static void ram_make(uint64_t size)
{
    free(fr.mem);
    memset(&fr, 0, sizeof(fr));
    fr.mem = malloc(size);
    cr_assert_not_null(fr.mem);
    memset(fr.mem, FILL, size);
    fr.size = size;
    ram.size = size;
    ram.ptr = fr_ptr;
    ram.ctx = &fr;
    memset(msg, 0, sizeof(msg));
}

static void setup(void)
{
    ram_make(4 * MIB);
}

static void teardown(void)
{
    free(fr.mem);
    fr.mem = NULL;
}

// cppcheck-suppress unknownMacro ; Criterion macro
TestSuite(loader, .init = setup, .fini = teardown);

/* All bytes of [from, to) still hold the fill pattern. */
static bool ram_untouched_range(uint64_t from, uint64_t to)
{
    for (uint64_t i = from; i < to; i++)
        if (fr.mem[i] != FILL)
            return false;
    return true;
}

static bool ram_untouched(void)
{
    return ram_untouched_range(0, fr.size);
}

static uint32_t g32(uint64_t gpa)
{
    uint32_t v;
    memcpy(&v, fr.mem + gpa, 4);
    return v;
}

static uint64_t g64(uint64_t gpa)
{
    uint64_t v;
    memcpy(&v, fr.mem + gpa, 8);
    return v;
}

static const char *gstr(uint64_t gpa)
{
    return (const char *)fr.mem + gpa;
}

#define EXPECT_FAIL(call, code, text)                                                              \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        cr_assert_eq(rc_, code, "rc %d (%s), expected %d, msg: %s", rc_, loader_error_str(rc_),    \
                     code, msg);                                                                   \
        cr_assert(strstr(msg, text) != NULL, "message \"%s\" lacks \"%s\"", msg, text);            \
        cr_assert(ram_untouched(), "guest RAM written by a failed load");                          \
    } while (0)

/* ---- image builder ---- */

struct kimg {
    uint8_t b[KIMG_MAX];
    size_t len;
    unsigned bits;
};

static struct kimg k;

static void k_put16(size_t off, uint16_t v)
{
    memcpy(k.b + off, &v, 2);
}

static void k_put32(size_t off, uint32_t v)
{
    memcpy(k.b + off, &v, 4);
}

static void k_put64(size_t off, uint64_t v)
{
    memcpy(k.b + off, &v, 8);
}

static void k_fill(size_t off, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        k.b[off + i] = (uint8_t)(seed + i * 7) | 1; /* never 0, never FILL-aligned runs */
}

static void k_reset(size_t len)
{
    memset(&k, 0, sizeof(k));
    k.len = len;
}

/* Multiboot header (Multiboot 3.1.1-3.1.3); aout = header_addr, load_addr, load_end_addr,
 * bss_end_addr, entry_addr when flags bit 16 is set. */
static void k_mb1(size_t off, uint32_t flags, const uint32_t *aout)
{
    k_put32(off, LOADER_MB1_HEADER_MAGIC);
    k_put32(off + 4, flags);
    k_put32(off + 8, (uint32_t)(0u - LOADER_MB1_HEADER_MAGIC - flags));
    for (unsigned i = 0; aout != NULL && i < 5; i++)
        k_put32(off + 12 + 4 * i, aout[i]);
}

static size_t k_phoff(void)
{
    return k.bits == 32 ? 52 : 64;
}

static void k_elf(unsigned bits, uint64_t entry, uint16_t nph)
{
    k.bits = bits;
    memcpy(k.b,
           "\x7f"
           "ELF",
           4);
    k.b[4] = bits == 32 ? 1 : 2;
    k.b[5] = 1;
    k.b[6] = 1;
    k_put16(16, 2);
    k_put16(18, bits == 32 ? 3 : 62);
    k_put32(20, 1);
    if (bits == 32) {
        k_put32(24, (uint32_t)entry);
        k_put32(28, 52);
        k_put16(42, 32);
        k_put16(44, nph);
    } else {
        k_put64(24, entry);
        k_put64(32, 64);
        k_put16(54, 56);
        k_put16(56, nph);
    }
}

static void k_ph(unsigned i, uint64_t off, uint64_t vaddr, uint64_t paddr, uint64_t filesz,
                 uint64_t memsz)
{
    size_t p = k_phoff() + i * (k.bits == 32 ? 32 : 56);
    k_put32(p, 1); /* PT_LOAD */
    if (k.bits == 32) {
        k_put32(p + 4, (uint32_t)off);
        k_put32(p + 8, (uint32_t)vaddr);
        k_put32(p + 12, (uint32_t)paddr);
        k_put32(p + 16, (uint32_t)filesz);
        k_put32(p + 20, (uint32_t)memsz);
    } else {
        k_put64(p + 8, off);
        k_put64(p + 16, vaddr);
        k_put64(p + 24, paddr);
        k_put64(p + 32, filesz);
        k_put64(p + 40, memsz);
    }
}

#define HIGH_HALF 0xffffffff80000000ull

/* The standard ELF kernel: text 0x800 bytes at 1 MiB (file 0x1000), data 0x100 bytes + bss
 * 0xf00 at 0x101000 (file 0x2000); 64-bit kernels link at HIGH_HALF + physical. */
static void k_std_elf(unsigned bits)
{
    uint64_t v = bits == 64 ? HIGH_HALF : 0;
    k_reset(0x3000);
    k_elf(bits, v + 0x100010, 2);
    k_ph(0, 0x1000, v + 0x100000, 0x100000, 0x800, 0x800);
    k_ph(1, 0x2000, v + 0x101000, 0x101000, 0x100, 0x1000);
    k_fill(0x1000, 0x800, 3);
    k_fill(0x2000, 0x100, 5);
}

static void k_std_mb1(unsigned bits)
{
    k_std_elf(bits);
    k_mb1(0x200, 0x3, NULL);
}

/* Multiboot2 header builder (Multiboot2 3.1.1-3.1.3). */
static size_t h2_off, h2_at;

static void h2_begin(size_t off)
{
    h2_off = off;
    h2_at = off + 16;
}

static void h2_tag(uint16_t type, uint16_t flags, const uint32_t *words, size_t n)
{
    k_put16(h2_at, type);
    k_put16(h2_at + 2, flags);
    k_put32(h2_at + 4, (uint32_t)(8 + 4 * n));
    for (size_t i = 0; i < n; i++)
        k_put32(h2_at + 8 + 4 * i, words[i]);
    h2_at = (h2_at + 8 + 4 * n + 7) & ~(size_t)7;
}

static void h2_end_arch(uint32_t arch)
{
    h2_tag(0, 0, NULL, 0);
    uint32_t hlen = (uint32_t)(h2_at - h2_off);
    k_put32(h2_off, LOADER_MB2_HEADER_MAGIC);
    k_put32(h2_off + 4, arch);
    k_put32(h2_off + 8, hlen);
    k_put32(h2_off + 12, (uint32_t)(0u - LOADER_MB2_HEADER_MAGIC - arch - hlen));
}

static void h2_end(void)
{
    h2_end_arch(0);
}

/* Redo the checksum after editing header_length or architecture. */
static void h2_resum(void)
{
    uint32_t s = 0;
    memcpy(&s, k.b + h2_off + 4, 4);
    uint32_t hl;
    memcpy(&hl, k.b + h2_off + 8, 4);
    k_put32(h2_off + 12, (uint32_t)(0u - LOADER_MB2_HEADER_MAGIC - s - hl));
}

static void k_std_mb2(unsigned bits)
{
    k_std_elf(bits);
    h2_begin(0x200);
    h2_end();
}

/* ---- load wrappers ---- */

static const char *const mod1_text = "first module payload";
static uint8_t mod2_data[5000];
static struct load_module two_mods[2];
static struct load_result res;

static void make_mods(void)
{
    for (size_t i = 0; i < sizeof(mod2_data); i++)
        mod2_data[i] = (uint8_t)(i * 13 + 1);
    two_mods[0] = (struct load_module){(const uint8_t *)mod1_text, strlen(mod1_text), "initrd"};
    two_mods[1] = (struct load_module){mod2_data, sizeof(mod2_data), NULL};
}

static const struct gpa_range low_page[] = {{0, 0x1000}};

static int load1(void)
{
    return loader_load_multiboot1(k.b, k.len, "kernel", NULL, 0, &ram, low_page, 1, &res, msg,
                                  sizeof(msg));
}

static int load2(void)
{
    return loader_load_multiboot2(k.b, k.len, "kernel", NULL, 0, &ram, low_page, 1, &res, msg,
                                  sizeof(msg));
}

static void check_std_segments(void)
{
    cr_assert_eq(res.nsegs, 2);
    cr_assert_eq(res.segs[0].gpa, 0x100000);
    cr_assert_eq(res.segs[1].filesz, 0x100);
    cr_assert_eq(res.segs[1].memsz, 0x1000);
    cr_assert_eq(memcmp(fr.mem + 0x100000, k.b + 0x1000, 0x800), 0, "text not at 1 MiB");
    cr_assert_eq(memcmp(fr.mem + 0x101000, k.b + 0x2000, 0x100), 0, "data not at 0x101000");
    for (uint64_t a = 0x101100; a < 0x102000; a++)
        cr_assert_eq(fr.mem[a], 0, "bss byte at 0x%lx not zeroed", (unsigned long)a);
    cr_assert(ram_untouched_range(0, 0x100000), "RAM below the kernel written");
    cr_assert(ram_untouched_range(0x100800, 0x101000), "gap between segments written");
    cr_assert_eq(res.image_end, 0x102000);
}

static void check_pm_cpu(uint32_t eip, uint32_t magic)
{
    cr_assert(res.cpu.protected_mode);
    cr_assert_eq(res.cpu.eip, eip);
    cr_assert_eq(res.cpu.eax, magic);
    cr_assert_eq(res.cpu.ebx, res.info_gpa);
    cr_assert_eq(res.cpu.cr0, LOADER_CR0_PE);
    cr_assert_eq(res.cpu.eflags, 0x2);
    cr_assert_eq(res.cpu.cs, LOADER_FLAT_CS);
    cr_assert_eq(res.cpu.ss, LOADER_FLAT_DS);
    cr_assert_eq(res.cpu.cs_base, 0);
}

/* ---- detection ---- */

Test(loader, detect_kinds)
{
    k_reset(0x3000);
    cr_assert_eq(loader_detect(k.b, k.len), LOAD_RAW_REAL_MODE);
    k_mb1(0x1ffc - 8, 0, NULL); /* last 4-aligned slot with 12 bytes in 8 KiB */
    cr_assert_eq(loader_detect(k.b, k.len), LOAD_MULTIBOOT1);
    h2_begin(0x1000);
    h2_end();
    cr_assert_eq(loader_detect(k.b, k.len), LOAD_MULTIBOOT2, "Multiboot2 preferred");
    k_reset(0x3000);
    k_mb1(0x2000, 0, NULL); /* past 8 KiB */
    cr_assert_eq(loader_detect(k.b, k.len), LOAD_RAW_REAL_MODE);
    k_reset(0x3000);
    h2_begin(0x804); /* not 8-aligned */
    h2_end();
    cr_assert_eq(loader_detect(k.b, k.len), LOAD_RAW_REAL_MODE);
    cr_assert_eq(loader_detect(NULL, 0), LOAD_RAW_REAL_MODE);
    cr_assert_str_eq(loader_kind_name(LOAD_MULTIBOOT2), "Multiboot2");
}

/* ---- raw real-mode images ---- */

Test(loader, raw_boot_sector_at_7c00)
{
    uint8_t sect[512];
    for (size_t i = 0; i < sizeof(sect); i++)
        sect[i] = (uint8_t)(i ^ 0x5a);
    sect[510] = 0x55;
    sect[511] = 0xaa;
    cr_assert_eq(loader_load_raw(sect, sizeof(sect), 0x7c00, LOADER_DEFAULT, LOADER_DEFAULT, &ram,
                                 low_page, 1, &res, msg, sizeof(msg)),
                 LOADER_OK, "%s", msg);
    cr_assert_eq(memcmp(fr.mem + 0x7c00, sect, sizeof(sect)), 0);
    cr_assert(ram_untouched_range(0, 0x7c00));
    cr_assert(ram_untouched_range(0x7e00, fr.size));
    cr_assert_eq(res.kind, LOAD_RAW_REAL_MODE);
    cr_assert_not(res.cpu.protected_mode);
    cr_assert_eq(res.cpu.cs, 0);
    cr_assert_eq(res.cpu.eip, 0x7c00);
    cr_assert_eq(res.cpu.ss, 0);
    cr_assert_eq(res.cpu.esp, 0x7c00);
    cr_assert_eq(res.cpu.cr0, 0);
    cr_assert_eq(res.nsegs, 1);
    cr_assert_eq(res.segs[0].memsz, 512);
    cr_assert_eq(res.info_gpa, 0);
}

Test(loader, raw_entry_and_stack_normalised)
{
    static uint8_t img[0x3000];
    memset(img, 0x90, sizeof(img));
    cr_assert_eq(loader_load_raw(img, sizeof(img), 0x20000, 0x21234, 0x9f000, &ram, low_page, 1,
                                 &res, msg, sizeof(msg)),
                 LOADER_OK, "%s", msg);
    cr_assert_eq(res.cpu.cs, 0x2000);
    cr_assert_eq(res.cpu.cs_base, 0x20000);
    cr_assert_eq(res.cpu.eip, 0x1234);
    cr_assert_eq(res.cpu.ss, 0x9000);
    cr_assert_eq(res.cpu.ss_base + res.cpu.esp, 0x9f000);

    /* Default stack just below an image at 128 KiB: SS 0x1000, SP 0 (= 0x10000). */
    cr_assert_eq(loader_load_raw(img, 0x100, 0x20000, LOADER_DEFAULT, LOADER_DEFAULT, &ram, NULL, 0,
                                 &res, msg, sizeof(msg)),
                 LOADER_OK, "%s", msg);
    cr_assert_eq(res.cpu.ss, 0x1000);
    cr_assert_eq(res.cpu.esp, 0);
    cr_assert_eq(res.cpu.eip, 0);
    cr_assert_eq(res.cpu.cs, 0x2000);
}

Test(loader, raw_fits_exactly_below_1mib)
{
    static uint8_t img[0x1000];
    memset(img, 0xf4, sizeof(img));
    cr_assert_eq(loader_load_raw(img, sizeof(img), 0xff000, 0xffff0, LOADER_DEFAULT, &ram, NULL, 0,
                                 &res, msg, sizeof(msg)),
                 LOADER_OK, "%s", msg);
    cr_assert_eq(res.cpu.cs, 0xf000);
    cr_assert_eq(res.cpu.eip, 0xfff0);
}

Test(loader, err_raw_empty)
{
    uint8_t b = 0;
    EXPECT_FAIL(loader_load_raw(&b, 0, 0x7c00, LOADER_DEFAULT, LOADER_DEFAULT, &ram, NULL, 0, &res,
                                msg, sizeof(msg)),
                LOADER_ERR_EMPTY, "empty image");
}

Test(loader, err_raw_past_ram)
{
    static uint8_t img[0x800];
    ram_make(0x8000);
    EXPECT_FAIL(loader_load_raw(img, sizeof(img), 0x7c00, LOADER_DEFAULT, LOADER_DEFAULT, &ram,
                                NULL, 0, &res, msg, sizeof(msg)),
                LOADER_ERR_NOT_RAM, "image [0x7c00, 0x8400) is outside guest RAM [0, 0x8000)");
}

Test(loader, err_raw_entry_outside_image)
{
    static uint8_t img[0x200];
    EXPECT_FAIL(loader_load_raw(img, sizeof(img), 0x7c00, 0x7e00, LOADER_DEFAULT, &ram, NULL, 0,
                                &res, msg, sizeof(msg)),
                LOADER_ERR_ENTRY, "entry point 0x7e00 is outside the image [0x7c00, 0x7e00)");
}

Test(loader, err_raw_past_1mib)
{
    static uint8_t img[0x2000];
    EXPECT_FAIL(loader_load_raw(img, sizeof(img), 0xff000, LOADER_DEFAULT, LOADER_DEFAULT, &ram,
                                NULL, 0, &res, msg, sizeof(msg)),
                LOADER_ERR_REAL_MODE, "at most 1 MiB - 0x2000");
}

Test(loader, err_raw_over_reserved)
{
    static uint8_t img[0x200];
    EXPECT_FAIL(loader_load_raw(img, sizeof(img), 0x500, LOADER_DEFAULT, 0x7000, &ram, low_page, 1,
                                &res, msg, sizeof(msg)),
                LOADER_ERR_RESERVED,
                "image [0x500, 0x700) overlaps reserved range 0 [0x0, 0x1000)");
}

Test(loader, err_raw_stack)
{
    static uint8_t img[0x200];
    EXPECT_FAIL(loader_load_raw(img, sizeof(img), 0, LOADER_DEFAULT, LOADER_DEFAULT, &ram, NULL, 0,
                                &res, msg, sizeof(msg)),
                LOADER_ERR_STACK, "no room below it");
    ram_make(0x10000);
    EXPECT_FAIL(loader_load_raw(img, sizeof(img), 0x7c00, LOADER_DEFAULT, 0x20000, &ram, NULL, 0,
                                &res, msg, sizeof(msg)),
                LOADER_ERR_STACK, "stack top 0x20000 is unusable");
}

/* ---- Multiboot: ELF and a.out kludge ---- */

Test(loader, mb1_elf32_boot_information)
{
    k_std_mb1(32);
    make_mods();
    const char *cmd = "/boot/kernel root=/dev/sda1";
    cr_assert_eq(loader_load_multiboot1(k.b, k.len, cmd, two_mods, 2, &ram, low_page, 1, &res, msg,
                                        sizeof(msg)),
                 LOADER_OK, "%s", msg);
    cr_assert_eq(res.kind, LOAD_MULTIBOOT1);
    check_std_segments();
    check_pm_cpu(0x100010, 0x2BADB002);
    uint64_t mbi = res.info_gpa;
    cr_assert_eq(mbi, 0x102000, "info page-aligned right above the kernel");

    /* Multiboot 3.3: flags bits 0 mem, 2 cmdline, 3 mods, 6 mmap, 9 loader name */
    cr_assert_eq(g32(mbi), 0x24d);
    cr_assert_eq(g32(mbi + 4), 639);
    cr_assert_eq(g32(mbi + 8), 3072);
    cr_assert_str_eq(gstr(g32(mbi + 16)), cmd);
    cr_assert_str_eq(gstr(g32(mbi + 64)), "Vanderpool");

    cr_assert_eq(g32(mbi + 20), 2);
    uint64_t mods = g32(mbi + 24);
    uint32_t s0 = g32(mods), e0 = g32(mods + 4), s1 = g32(mods + 16), e1 = g32(mods + 20);
    cr_assert_eq(s0 % 4096, 0);
    cr_assert_eq(s1 % 4096, 0);
    cr_assert_gt(s0, mbi);
    cr_assert_geq(s1, e0);
    cr_assert_eq(e0 - s0, strlen(mod1_text));
    cr_assert_eq(e1 - s1, sizeof(mod2_data));
    cr_assert_eq(memcmp(fr.mem + s0, mod1_text, strlen(mod1_text)), 0);
    cr_assert_eq(memcmp(fr.mem + s1, mod2_data, sizeof(mod2_data)), 0);
    cr_assert_str_eq(gstr(g32(mods + 8)), "initrd");
    cr_assert_str_eq(gstr(g32(mods + 24)), "");
    cr_assert_eq(g32(mods + 12), 0);

    /* mmap: size-prefixed entries, mmap_length bytes */
    uint64_t mm = g32(mbi + 48), mlen = g32(mbi + 44);
    cr_assert_eq(mlen, 72);
    const uint64_t want[3][3] = {{0, 0x9fc00, 1}, {0x9fc00, 0x60400, 2}, {MIB, 3 * MIB, 1}};
    unsigned n = 0;
    for (uint64_t p = mm; p < mm + mlen; p += g32(p) + 4, n++) {
        cr_assert_eq(g32(p), 20);
        cr_assert_eq(g64(p + 4), want[n][0], "entry %u base", n);
        cr_assert_eq(g64(p + 12), want[n][1], "entry %u length", n);
        cr_assert_eq(g32(p + 20), want[n][2], "entry %u type", n);
    }
    cr_assert_eq(n, 3);

    cr_assert_eq(res.boot_base, mbi);
    cr_assert_eq(res.boot_end % 4096, 0);
    cr_assert_geq(res.boot_end, e1);
    cr_assert_eq(res.nmods, 2);
    cr_assert(ram_untouched_range(res.boot_end, fr.size), "RAM above the boot area written");
}

Test(loader, mb1_elf64_higher_half)
{
    k_std_mb1(64);
    cr_assert_eq(load1(), LOADER_OK, "%s", msg);
    check_std_segments();
    check_pm_cpu(0x100010, LOADER_MB1_BOOT_MAGIC);
    cr_assert_eq(g32(res.info_gpa + 20), 0, "no modules");
    cr_assert_str_eq(gstr(g32(res.info_gpa + 16)), "kernel");
}

/* a.out kludge: 0x1000 bytes of foreign header, then text with the Multiboot header 0x40
 * into it; text + data 0x1800 bytes at 2 MiB, bss up to 0x203000. */
static void k_aout(uint32_t header_addr, uint32_t load_addr, uint32_t load_end, uint32_t bss_end,
                   uint32_t entry)
{
    k_reset(0x3000);
    k_fill(0, 0x3000, 9);
    uint32_t a[5] = {header_addr, load_addr, load_end, bss_end, entry};
    k_mb1(0x1040, 0x10003, a);
}

Test(loader, mb1_aout_kludge)
{
    k_aout(0x200040, 0x200000, 0x201800, 0x203000, 0x200100);
    cr_assert_eq(load1(), LOADER_OK, "%s", msg);
    cr_assert_eq(res.nsegs, 1);
    cr_assert_eq(res.segs[0].gpa, 0x200000);
    cr_assert_eq(res.segs[0].filesz, 0x1800);
    cr_assert_eq(res.segs[0].memsz, 0x3000);
    cr_assert_eq(memcmp(fr.mem + 0x200000, k.b + 0x1000, 0x1800), 0, "file offset 0x1000");
    for (uint64_t a = 0x201800; a < 0x203000; a++)
        cr_assert_eq(fr.mem[a], 0, "bss at 0x%lx", (unsigned long)a);
    check_pm_cpu(0x200100, LOADER_MB1_BOOT_MAGIC);
    cr_assert_eq(res.info_gpa, 0x203000);
    cr_assert(ram_untouched_range(0, 0x200000));
}

Test(loader, mb1_aout_whole_file_no_bss)
{
    k_aout(0x200040, 0x200000, 0, 0, 0x200000);
    cr_assert_eq(load1(), LOADER_OK, "%s", msg);
    cr_assert_eq(res.segs[0].filesz, 0x2000, "rest of the file from offset 0x1000");
    cr_assert_eq(res.segs[0].memsz, 0x2000);
    cr_assert_eq(memcmp(fr.mem + 0x200000, k.b + 0x1000, 0x2000), 0);
    cr_assert_eq(res.info_gpa, 0x202000);
}

Test(loader, mb1_boot_info_skips_reserved_range)
{
    k_std_mb1(32);
    const struct gpa_range rsv[] = {{0, 0x1000}, {0x102000, 0x103800}};
    cr_assert_eq(
        loader_load_multiboot1(k.b, k.len, NULL, NULL, 0, &ram, rsv, 2, &res, msg, sizeof(msg)),
        LOADER_OK, "%s", msg);
    cr_assert_eq(res.info_gpa, 0x104000);
    cr_assert(ram_untouched_range(0x102000, 0x104000));
    cr_assert_str_eq(gstr(g32(res.info_gpa + 16)), "", "NULL cmdline gives an empty string");
}

Test(loader, mb1_small_ram_memory_map)
{
    ram_make(0x80000); /* 512 KiB: no upper memory */
    k_reset(0x3000);
    k_elf(32, 0x10000, 1);
    k_ph(0, 0x1000, 0x10000, 0x10000, 0x100, 0x100);
    k_mb1(0x200, 0x2, NULL);
    cr_assert_eq(load1(), LOADER_OK, "%s", msg);
    uint64_t mbi = res.info_gpa;
    cr_assert_eq(g32(mbi + 4), 512);
    cr_assert_eq(g32(mbi + 8), 0);
    cr_assert_eq(g32(mbi + 44), 48, "two entries: low RAM and the legacy hole");
    uint64_t mm = g32(mbi + 48);
    cr_assert_eq(g64(mm + 12), 0x80000);
    cr_assert_eq(g32(mm + 24 + 20), 2);
}

Test(loader, err_mb1_empty)
{
    EXPECT_FAIL(
        loader_load_multiboot1(k.b, 0, NULL, NULL, 0, &ram, NULL, 0, &res, msg, sizeof(msg)),
        LOADER_ERR_EMPTY, "empty kernel image");
}

Test(loader, err_mb1_no_header)
{
    k_std_elf(32);
    EXPECT_FAIL(load1(), LOADER_ERR_NO_HEADER, "magic 0x1badb002 not found");
}

Test(loader, err_mb1_bad_checksum)
{
    k_std_mb1(32);
    k_put32(0x208, 0x12345678);
    EXPECT_FAIL(load1(), LOADER_ERR_CHECKSUM,
                "Multiboot header at offset 0x200: checksum 0x12345678");
}

Test(loader, err_mb1_header_beyond_8k)
{
    k_std_elf(32);
    k.len = 0x3000;
    k_mb1(0x2000, 0x3, NULL);
    EXPECT_FAIL(load1(), LOADER_ERR_HEADER_TOO_FAR,
                "offset 0x2000 does not lie within the first 8192 bytes");
}

Test(loader, err_mb1_video_mode_flag)
{
    k_std_elf(32);
    k_mb1(0x200, 0x7, NULL);
    EXPECT_FAIL(load1(), LOADER_ERR_FLAGS, "video mode (bit 2)");
}

Test(loader, err_mb1_unknown_required_flag)
{
    k_std_elf(32);
    k_mb1(0x200, 0x23, NULL);
    EXPECT_FAIL(load1(), LOADER_ERR_FLAGS, "required bits 0x0020");
}

Test(loader, err_mb1_aout_header_truncated)
{
    k_reset(0x100);
    uint32_t a[5] = {0, 0, 0, 0, 0};
    k_mb1(0xf0, 0x10000, a); /* 16 bytes left, needs 32 */
    EXPECT_FAIL(load1(), LOADER_ERR_HEADER_TRUNCATED, "needs 32 header bytes");
}

Test(loader, err_elf_truncated_header)
{
    k_reset(48);
    memcpy(k.b,
           "\x7f"
           "ELF",
           4);
    k.b[4] = 2;
    k_mb1(16, 0x3, NULL);
    EXPECT_FAIL(load1(), ELF_ERR_TRUNCATED, "file has 48 bytes, an ELF64 header needs 64");
}

Test(loader, err_not_elf_without_aout_flag)
{
    k_reset(0x1000);
    k_mb1(0x100, 0x3, NULL);
    EXPECT_FAIL(load1(), ELF_ERR_MAGIC, "not ELF");
}

Test(loader, err_elf_bad_class)
{
    k_std_mb1(32);
    k.b[4] = 0;
    EXPECT_FAIL(load1(), ELF_ERR_CLASS, "ELF class (e_ident[4]) is 0");
}

Test(loader, err_elf_bad_machine)
{
    k_std_mb2(64);
    k_put16(18, 183); /* EM_AARCH64 */
    EXPECT_FAIL(load2(), ELF_ERR_MACHINE, "e_machine is 183");
}

Test(loader, err_elf_phdr_table_outside_file)
{
    k_std_mb1(32);
    k_put32(28, 0x2fe0);
    EXPECT_FAIL(load1(), ELF_ERR_PHDR_RANGE, "program header table [0x2fe0, 0x3020)");
}

Test(loader, err_elf_load_outside_file)
{
    k_std_mb1(64);
    k_ph(1, 0x2f80, HIGH_HALF + 0x101000, 0x101000, 0x100, 0x1000);
    EXPECT_FAIL(load1(), ELF_ERR_SEG_FILE, "file range [0x2f80, 0x3080)");
}

Test(loader, err_elf_filesz_above_memsz)
{
    k_std_mb1(32);
    k_ph(1, 0x2000, 0x101000, 0x101000, 0x1000, 0x100);
    EXPECT_FAIL(load1(), ELF_ERR_SEG_FILESZ, "p_filesz 0x1000 > p_memsz 0x100");
}

Test(loader, err_elf_overlapping_segments)
{
    k_std_mb1(32);
    k_ph(1, 0x2000, 0x100700, 0x100700, 0x100, 0x1000);
    EXPECT_FAIL(load1(), ELF_ERR_SEG_OVERLAP, "[0x100000, 0x100800) and [0x100700, 0x101700)");
}

Test(loader, err_elf_segment_above_4gib)
{
    k_std_mb2(64);
    k_ph(1, 0x2000, 0x100000000ull, 0x100000000ull, 0x100, 0x1000);
    EXPECT_FAIL(load2(), ELF_ERR_SEG_ADDR, "passes the limit 0x100000000");
}

Test(loader, err_segment_outside_ram)
{
    k_std_mb1(32);
    k_ph(1, 0x2000, 0x3ff800, 0x3ff800, 0x100, 0x1000);
    EXPECT_FAIL(load1(), LOADER_ERR_NOT_RAM,
                "kernel segment 1 [0x3ff800, 0x400800) is outside guest RAM [0, 0x400000)");
}

Test(loader, err_segment_over_unmapped_ram)
{
    k_std_mb1(32);
    fr.hole_base = 0x101000;
    fr.hole_end = 0x102000;
    EXPECT_FAIL(load1(), LOADER_ERR_NOT_RAM, "guest RAM at 0x101000 is not mapped");
}

Test(loader, err_segment_over_reserved_range)
{
    k_std_mb1(32);
    const struct gpa_range rsv[] = {{0, 0x1000}, {0x101800, 0x101900}};
    EXPECT_FAIL(
        loader_load_multiboot1(k.b, k.len, NULL, NULL, 0, &ram, rsv, 2, &res, msg, sizeof(msg)),
        LOADER_ERR_RESERVED, "kernel segment 1 [0x101000, 0x102000) overlaps reserved range 1");
}

Test(loader, err_segment_in_legacy_hole)
{
    k_reset(0x3000);
    k_elf(32, 0xa0000, 1);
    k_ph(0, 0x1000, 0xa0000, 0xa0000, 0x100, 0x100);
    k_mb1(0x200, 0x3, NULL);
    EXPECT_FAIL(load1(), LOADER_ERR_RESERVED, "legacy video/BIOS area");
}

Test(loader, err_elf_entry_outside_segments)
{
    k_std_mb1(32);
    k_put32(24, 0x300000);
    EXPECT_FAIL(load1(), LOADER_ERR_ENTRY, "e_entry 0x300000 lies in no PT_LOAD segment");
}

Test(loader, err_aout_entry_outside_segment)
{
    k_aout(0x200040, 0x200000, 0x201800, 0x203000, 0x203000);
    EXPECT_FAIL(load1(), LOADER_ERR_ENTRY,
                "entry point 0x203000 lies outside every loaded segment [0x200000, 0x203000)");
}

Test(loader, err_aout_load_end_below_load_addr)
{
    k_aout(0x200040, 0x200000, 0x1ff000, 0, 0x200000);
    EXPECT_FAIL(load1(), LOADER_ERR_ADDR, "load_end_addr 0x1ff000 is below load_addr 0x200000");
}

Test(loader, err_aout_load_addr_above_header_addr)
{
    k_aout(0x200040, 0x200080, 0, 0, 0x200080);
    EXPECT_FAIL(load1(), LOADER_ERR_ADDR, "load_addr 0x200080 is above header_addr 0x200040");
}

Test(loader, err_aout_starts_before_file)
{
    k_aout(0x202000, 0x200000, 0, 0, 0x200000);
    EXPECT_FAIL(load1(), LOADER_ERR_FILE_RANGE, "loading would start before the file");
}

Test(loader, err_aout_past_end_of_file)
{
    k_aout(0x200040, 0x200000, 0x203000, 0, 0x200000);
    EXPECT_FAIL(load1(), LOADER_ERR_FILE_RANGE,
                "needs file bytes [0x1000, 0x4000), but the file has 0x3000 bytes");
}

Test(loader, err_aout_bss_below_load_end)
{
    k_aout(0x200040, 0x200000, 0x201800, 0x201000, 0x200000);
    EXPECT_FAIL(load1(), LOADER_ERR_ADDR, "bss_end_addr 0x201000 is below load_end_addr 0x201800");
}

Test(loader, err_aout_header_not_loaded)
{
    k_aout(0x200040, 0x200000, 0x200020, 0, 0x200000);
    EXPECT_FAIL(load1(), LOADER_ERR_ADDR, "header_addr 0x200040 is not inside the loaded");
}

Test(loader, err_modules_do_not_fit)
{
    k_std_mb1(32);
    static uint8_t big[3 * MIB];
    struct load_module m = {big, sizeof(big), "big"};
    EXPECT_FAIL(
        loader_load_multiboot1(k.b, k.len, NULL, &m, 1, &ram, low_page, 1, &res, msg, sizeof(msg)),
        LOADER_ERR_NO_SPACE, "beyond the end of usable RAM 0x400000");
}

Test(loader, err_too_many_modules)
{
    k_std_mb1(32);
    static struct load_module many[LOADER_MAX_MODULES + 1];
    EXPECT_FAIL(loader_load_multiboot1(k.b, k.len, NULL, many, LOADER_MAX_MODULES + 1, &ram, NULL,
                                       0, &res, msg, sizeof(msg)),
                LOADER_ERR_BAD_ARG, "65 modules: at most 64");
}

/* ---- Multiboot2 ---- */

Test(loader, mb2_elf32_boot_information)
{
    k_std_elf(32);
    h2_begin(0x200);
    const uint32_t req[] = {1, 4, 6};
    const uint32_t opt[] = {8, 14};
    const uint32_t fb[] = {1024, 768, 32};
    const uint32_t console[] = {3};
    const uint32_t reloc[] = {0x100000, 0x1000000, 0x1000, 0};
    h2_tag(1, 0, req, 3);
    h2_tag(1, 1, opt, 2);
    h2_tag(6, 0, NULL, 0);
    h2_tag(5, 1, fb, 3);
    h2_tag(4, 1, console, 1);
    h2_tag(7, 1, NULL, 0);
    h2_tag(10, 0, reloc, 4);
    h2_end();
    make_mods();
    const char *cmd = "console=ttyS0 quiet";
    cr_assert_eq(loader_load_multiboot2(k.b, k.len, cmd, two_mods, 2, &ram, low_page, 1, &res, msg,
                                        sizeof(msg)),
                 LOADER_OK, "%s", msg);
    cr_assert_eq(res.kind, LOAD_MULTIBOOT2);
    check_std_segments();
    check_pm_cpu(0x100010, 0x36d76289);
    cr_assert_eq(res.info_gpa % 8, 0);

    /* Parse it back with the hypervisor's own Multiboot2 parser. */
    struct mb2_mmap_entry mmap[8];
    struct mb2_module mods[4];
    struct mb2_info info = {.mmap = mmap, .mmap_cap = 8, .modules = mods, .modules_cap = 4};
    char perr[128] = "";
    cr_assert_eq(mb2_parse(fr.mem + res.info_gpa, res.info_size, &info, perr, sizeof(perr)), MB2_OK,
                 "%s", perr);
    cr_assert_eq(info.total_size, res.info_size);
    cr_assert_str_eq(info.cmdline, cmd);
    cr_assert_str_eq(info.loader_name, "Vanderpool");
    cr_assert(info.has_meminfo);
    cr_assert_eq(info.mem_lower_kb, 639);
    cr_assert_eq(info.mem_upper_kb, 3072);
    cr_assert_eq(info.mmap_total, 3);
    cr_assert_eq(mmap[0].length, 0x9fc00);
    cr_assert_eq(mmap[1].type, 2);
    cr_assert_eq(mmap[2].base, MIB);
    cr_assert_eq(mmap[2].length, 3 * MIB);
    cr_assert_eq(info.modules_total, 2);
    cr_assert_eq(mods[0].start % 4096, 0);
    cr_assert_eq(mods[0].end - mods[0].start, strlen(mod1_text));
    cr_assert_eq(memcmp(fr.mem + mods[0].start, mod1_text, strlen(mod1_text)), 0);
    cr_assert_str_eq(mods[0].cmdline, "initrd");
    cr_assert_eq(mods[1].start % 4096, 0);
    cr_assert_eq(memcmp(fr.mem + mods[1].start, mod2_data, sizeof(mod2_data)), 0);
    cr_assert_str_eq(mods[1].cmdline, "");
    cr_assert_geq(res.boot_end, mods[1].end);

    /* Multiboot2 3.6.8: entry_size 24, entry_version 0; tags 8-aligned up to the end tag */
    uint64_t t = res.info_gpa + 8, mmap_tags = 0;
    while (g32(t) != 0) {
        cr_assert_eq(t % 8, 0);
        if (g32(t) == 6) {
            cr_assert_eq(g32(t + 8), 24);
            cr_assert_eq(g32(t + 12), 0);
            mmap_tags++;
        }
        t = (t + g32(t + 4) + 7) & ~7ull;
    }
    cr_assert_eq(g32(t + 4), 8);
    cr_assert_eq(t + 8 - res.info_gpa, res.info_size);
    cr_assert_eq(mmap_tags, 1);
}

Test(loader, mb2_elf64_entry_tag_overrides)
{
    k_std_elf(64);
    h2_begin(0x200);
    const uint32_t entry[] = {0x100400};
    h2_tag(3, 0, entry, 1);
    h2_end();
    cr_assert_eq(load2(), LOADER_OK, "%s", msg);
    check_std_segments();
    check_pm_cpu(0x100400, LOADER_MB2_BOOT_MAGIC);
}

Test(loader, mb2_address_tag)
{
    k_reset(0x3000);
    k_fill(0, 0x3000, 11);
    h2_begin(0x1040);
    const uint32_t addr[] = {0x300040, 0x300000, 0x301800, 0x304000};
    const uint32_t entry[] = {0x300200};
    h2_tag(2, 0, addr, 4);
    h2_tag(3, 0, entry, 1);
    h2_end();
    cr_assert_eq(load2(), LOADER_OK, "%s", msg);
    cr_assert_eq(res.segs[0].gpa, 0x300000);
    cr_assert_eq(res.segs[0].filesz, 0x1800);
    cr_assert_eq(res.segs[0].memsz, 0x4000);
    cr_assert_eq(memcmp(fr.mem + 0x300000, k.b + 0x1000, 0x1800), 0);
    cr_assert_eq(fr.mem[0x303fff], 0);
    check_pm_cpu(0x300200, LOADER_MB2_BOOT_MAGIC);
    cr_assert_eq(res.info_gpa, 0x304000);
}

Test(loader, mb2_address_tag_load_addr_minus_one)
{
    k_reset(0x2000);
    k_fill(0, 0x2000, 17);
    h2_begin(0x100);
    const uint32_t addr[] = {0x200100, 0xffffffffu, 0, 0};
    const uint32_t entry[] = {0x200000};
    h2_tag(2, 0, addr, 4);
    h2_tag(3, 0, entry, 1);
    h2_end();
    cr_assert_eq(load2(), LOADER_OK, "%s", msg);
    cr_assert_eq(res.segs[0].gpa, 0x200000, "file start at header_addr - header offset");
    cr_assert_eq(res.segs[0].filesz, 0x2000);
    cr_assert_eq(memcmp(fr.mem + 0x200000, k.b, 0x2000), 0);
}

Test(loader, err_mb2_header_beyond_32k)
{
    k_std_elf(32);
    k.len = 0x9000;
    h2_begin(0x8000);
    h2_end();
    EXPECT_FAIL(load2(), LOADER_ERR_HEADER_TOO_FAR,
                "offset 0x8000 does not lie within the first 32768 bytes");
}

Test(loader, err_mb2_header_ends_past_32k)
{
    k_std_elf(32);
    k.len = 0x9000;
    h2_begin(0x7ff0);
    h2_end();
    EXPECT_FAIL(load2(), LOADER_ERR_HEADER_TOO_FAR, "ends at 0x8008, past the first 32768 bytes");
}

Test(loader, err_mb2_bad_checksum)
{
    k_std_mb2(32);
    k_put32(0x20c, 0);
    EXPECT_FAIL(load2(), LOADER_ERR_CHECKSUM, "Multiboot2 header at offset 0x200");
}

Test(loader, err_mb2_architecture)
{
    k_std_elf(32);
    h2_begin(0x200);
    h2_end_arch(4);
    EXPECT_FAIL(load2(), LOADER_ERR_ARCH, "architecture 4");
}

Test(loader, err_mb2_header_length_too_small)
{
    k_std_mb2(32);
    k_put32(0x208, 16);
    h2_resum();
    EXPECT_FAIL(load2(), LOADER_ERR_HEADER_LENGTH, "header_length 16 is below 24");
}

Test(loader, err_mb2_header_length_past_image)
{
    k_std_mb2(32);
    k_put32(0x208, 0x4000);
    h2_resum();
    EXPECT_FAIL(load2(), LOADER_ERR_HEADER_TRUNCATED, "header_length 16384 runs past the end");
}

Test(loader, err_mb2_tag_overrun_and_no_end)
{
    k_std_elf(32);
    h2_begin(0x200);
    const uint32_t entry[] = {0x100000};
    h2_tag(3, 0, entry, 1);
    h2_end();
    k_put32(0x210 + 4, 64); /* entry tag claims 64 bytes */
    EXPECT_FAIL(load2(), LOADER_ERR_TAG,
                "tag type 3 at header offset 0x10: size 64 runs past header_length");
    k_put32(0x210 + 4, 12);
    k_put16(0x220 + 0, 11); /* end tag becomes an optional unknown tag: no end tag */
    k_put16(0x220 + 2, 1);
    EXPECT_FAIL(load2(), LOADER_ERR_TAG, "no end tag");
}

Test(loader, err_mb2_tag_too_short)
{
    k_std_elf(32);
    h2_begin(0x200);
    const uint32_t addr[] = {0x100000, 0x100000};
    h2_tag(2, 0, addr, 2);
    h2_end();
    EXPECT_FAIL(load2(), LOADER_ERR_TAG, "size 16, needs 24");
}

Test(loader, err_mb2_required_info_not_provided)
{
    k_std_elf(32);
    h2_begin(0x200);
    const uint32_t req[] = {1, 8};
    h2_tag(1, 0, req, 2);
    h2_end();
    EXPECT_FAIL(load2(), LOADER_ERR_INFO_REQUEST, "requires tag type 8 (framebuffer)");
}

Test(loader, err_mb2_required_framebuffer)
{
    k_std_elf(32);
    h2_begin(0x200);
    const uint32_t fb[] = {800, 600, 32};
    h2_tag(5, 0, fb, 3);
    h2_end();
    EXPECT_FAIL(load2(), LOADER_ERR_TAG_UNSUPPORTED, "framebuffer tag is required");
}

Test(loader, err_mb2_required_efi_and_unknown_tags)
{
    k_std_elf(32);
    h2_begin(0x200);
    const uint32_t efi_entry[] = {0x100000};
    h2_tag(9, 0, efi_entry, 1);
    h2_end();
    EXPECT_FAIL(load2(), LOADER_ERR_TAG_UNSUPPORTED,
                "tag type 9 at header offset 0x10: EFI tag is required");
    k_std_elf(32);
    h2_begin(0x200);
    h2_tag(42, 0, NULL, 0);
    h2_end();
    EXPECT_FAIL(load2(), LOADER_ERR_TAG_UNSUPPORTED, "tag type 42");
    k_std_elf(32);
    h2_begin(0x200);
    const uint32_t console[] = {1};
    h2_tag(4, 0, console, 1);
    h2_end();
    EXPECT_FAIL(load2(), LOADER_ERR_TAG_UNSUPPORTED, "requires a console");
}

Test(loader, err_mb2_address_tag_without_entry)
{
    k_reset(0x2000);
    h2_begin(0x100);
    const uint32_t addr[] = {0x200100, 0x200000, 0, 0};
    h2_tag(2, 0, addr, 4);
    h2_end();
    EXPECT_FAIL(load2(), LOADER_ERR_ENTRY, "no entry address tag");
}

Test(loader, err_mb2_modules_do_not_fit)
{
    k_std_mb2(32);
    ram_make(0x110000); /* kernel fits, the 64 KiB module does not */
    static uint8_t m[0x10000];
    struct load_module mod = {m, sizeof(m), NULL};
    EXPECT_FAIL(
        loader_load_multiboot2(k.b, k.len, NULL, &mod, 1, &ram, NULL, 0, &res, msg, sizeof(msg)),
        LOADER_ERR_NO_SPACE, "need 0x11000 bytes from 0x102000");
}

Test(loader, error_names)
{
    for (int e = LOADER_ERR_BAD_ARG; e >= LOADER_ERR_NO_SPACE; e--)
        cr_assert_str_neq(loader_error_str(e), "unknown error", "code %d", e);
    cr_assert_str_eq(loader_error_str(ELF_ERR_SEG_FILE), "PT_LOAD file range outside the file");
    cr_assert_str_eq(loader_error_str(-30), "unknown error");
    cr_assert_str_eq(loader_error_str(LOADER_ERR_NO_SPACE),
                     "no room for boot information and modules");
}

Test(loader, null_arguments)
{
    k_std_mb1(32);
    cr_assert_eq(
        loader_load_multiboot1(k.b, k.len, NULL, NULL, 0, NULL, NULL, 0, &res, msg, sizeof(msg)),
        LOADER_ERR_BAD_ARG);
    cr_assert_eq(
        loader_load_multiboot2(k.b, k.len, NULL, NULL, 1, &ram, NULL, 0, &res, msg, sizeof(msg)),
        LOADER_ERR_BAD_ARG);
    cr_assert_eq(loader_load_raw(k.b, 16, 0x7c00, LOADER_DEFAULT, LOADER_DEFAULT, &ram, NULL, 0,
                                 NULL, msg, sizeof(msg)),
                 LOADER_ERR_BAD_ARG);
    cr_assert(ram_untouched());
    /* no message buffer: still fails cleanly */
    cr_assert_eq(loader_load_multiboot1(k.b, 0, NULL, NULL, 0, &ram, NULL, 0, &res, NULL, 0),
                 LOADER_ERR_EMPTY);
}

Test(loader, detect_elf_without_header_is_not_raw)
{
    uint8_t img[64] = {0x7f, 'E', 'L', 'F', 1, 1, 1};
    cr_assert_eq(loader_detect(img, sizeof(img)), LOAD_MULTIBOOT1);
    img[0] = 0xeb; /* a jump: a boot sector */
    cr_assert_eq(loader_detect(img, sizeof(img)), LOAD_RAW_REAL_MODE);
}

/* The VM's start line names the linear entry: load=0x10000,entry=0x10000 is CS:IP 1000:0000,
 * not "entry 0x0". */
Test(loader, entry_described_as_linear_address)
{
    static uint8_t img[0x200];
    char text[64];
    memset(img, 0x90, sizeof(img));
    cr_assert_eq(loader_load_raw(img, sizeof(img), 0x10000, 0x10000, LOADER_DEFAULT, &ram, low_page,
                                 1, &res, msg, sizeof(msg)),
                 LOADER_OK, "%s", msg);
    loader_describe_entry(&res.cpu, text, sizeof(text));
    cr_assert_str_eq(text, "entry 0x10000 (real mode 1000:0000)");
    struct load_cpu pm = {.protected_mode = true, .eip = 0x10000c};
    loader_describe_entry(&pm, text, sizeof(text));
    cr_assert_str_eq(text, "entry 0x10000c");
}

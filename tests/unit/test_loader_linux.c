/* Unit tests for the Linux loader (vm/loader_linux*.c): small bzImages are made in memory
 * from the setup-header layout of Documentation/arch/x86/boot.rst (offsets written out here,
 * independently of the loader's), loaded into a fake guest RAM, and boot_params, the e820
 * map, the page tables, the GDT and the start state are read back. Every malformed image or
 * initrd must fail with its code and a message naming the field, leaving guest RAM untouched. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vm/loader.h"

#define MIB   0x100000ull
#define FILL  0xcc
#define BZ_PM 0x3000u /* protected-mode kernel bytes of the test image */

/* ---- fake guest RAM: `size` bytes reported, the first `backed` of them real ---- */

struct fake_ram {
    uint8_t *mem;
    uint64_t backed;
    uint64_t hole_base, hole_end; /* ptr() refuses this range */
};

static struct fake_ram fr;
static struct guest_ram ram;
static char msg[512];

static uint8_t *fr_ptr(void *ctx, uint64_t gpa, uint64_t len)
{
    struct fake_ram *f = ctx;
    if (gpa >= f->backed || len > f->backed - gpa)
        return NULL;
    if (gpa < f->hole_end && f->hole_base < gpa + len)
        return NULL;
    return f->mem + gpa;
}

static void ram_make2(uint64_t size, uint64_t backed)
{
    free(fr.mem);
    memset(&fr, 0, sizeof(fr));
    fr.mem = malloc(backed);
    cr_assert_not_null(fr.mem);
    memset(fr.mem, FILL, backed);
    fr.backed = backed;
    ram.size = size;
    ram.ptr = fr_ptr;
    ram.ctx = &fr;
    memset(msg, 0, sizeof(msg));
}

static void ram_make(uint64_t size)
{
    ram_make2(size, size);
}

static void teardown(void)
{
    free(fr.mem);
    fr.mem = NULL;
}

static bool ram_untouched(void)
{
    for (uint64_t i = 0; i < fr.backed; i++)
        if (fr.mem[i] != FILL)
            return false;
    return true;
}

static uint8_t g8(uint64_t gpa)
{
    return fr.mem[gpa];
}

static uint16_t g16(uint64_t gpa)
{
    uint16_t v;
    memcpy(&v, fr.mem + gpa, 2);
    return v;
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

// cppcheck-suppress unknownMacro ; Criterion macro
TestSuite(loader_linux, .fini = teardown);

/* ---- bzImage builder: boot sector + one setup sector, then BZ_PM bytes of kernel ---- */

#define SETUP_LEN 0x400u
#define BZ_LEN    (SETUP_LEN + BZ_PM)
#define BZ_VERSTR 0x300u /* the kernel_version string's offset in the image */

static uint8_t bz[BZ_LEN + 0x1000];
static size_t bz_len;

static void b8(size_t off, uint8_t v)
{
    bz[off] = v;
}

static void b16(size_t off, uint16_t v)
{
    memcpy(bz + off, &v, 2);
}

static void b32(size_t off, uint32_t v)
{
    memcpy(bz + off, &v, 4);
}

static void b64(size_t off, uint64_t v)
{
    memcpy(bz + off, &v, 8);
}

/* A protocol 2.15 relocatable 64-bit kernel: pref_address 16 MiB, init_size 4 MiB, 2 MiB
 * alignment (min 2 MiB), initrd up to 2 GiB, a 2047-byte command line, as Debian's 6.1. */
static void bz_make(void)
{
    memset(bz, 0, sizeof(bz));
    bz_len = BZ_LEN;
    b8(0x1F1, 1);           /* setup_sects */
    b32(0x1F4, BZ_PM / 16); /* syssize */
    b16(0x1FA, 0xFFFF);     /* vid_mode */
    b16(0x1FE, 0xAA55);     /* boot_flag */
    b8(0x200, 0xEB);        /* jump ... */
    b8(0x201, 0x6A);        /* ... to 0x26C: the end of the header */
    memcpy(bz + 0x202, "HdrS", 4);
    b16(0x206, 0x020F); /* version 2.15 */
    b16(0x20E, BZ_VERSTR - 0x200);
    b8(0x211, 0x01);        /* loadflags: LOADED_HIGH */
    b32(0x214, 0x100000);   /* code32_start */
    b32(0x22C, 0x7FFFFFFF); /* initrd_addr_max */
    b32(0x230, 0x200000);   /* kernel_alignment */
    b8(0x234, 1);           /* relocatable_kernel */
    b8(0x235, 21);          /* min_alignment */
    b16(0x236, 0x0003);     /* xloadflags: XLF_KERNEL_64 | CAN_BE_LOADED_ABOVE_4G */
    b32(0x238, 2047);       /* cmdline_size */
    b64(0x258, 0x1000000);  /* pref_address */
    b32(0x260, 0x400000);   /* init_size */
    strcpy((char *)bz + BZ_VERSTR, "6.1.0-test (fake)");
    for (size_t i = 0; i < BZ_PM; i++)
        bz[SETUP_LEN + i] = (uint8_t)(i * 7 + 3) | 1;
}

static uint8_t initrd[0x2100];
static struct load_linux_args args;
static struct load_result res;
static const struct gpa_range low_reserved[] = {{0, 0x500}};

static void args_default(void)
{
    memset(&args, 0, sizeof(args));
    memset(&res, 0, sizeof(res));
    for (size_t i = 0; i < sizeof(initrd); i++)
        initrd[i] = (uint8_t)(i * 13 + 5) | 2;
    args.cmdline = "console=ttyS0 quiet";
    args.initrd = initrd;
    args.initrd_len = sizeof(initrd);
}

static int load(void)
{
    return loader_load_linux(bz, bz_len, &args, &ram, low_reserved, 1, &res, msg, sizeof(msg));
}

#define EXPECT_FAIL(code, text)                                                                    \
    do {                                                                                           \
        int rc_ = load();                                                                          \
        cr_assert_eq(rc_, code, "rc %d (%s), expected %d, msg: %s", rc_, loader_error_str(rc_),    \
                     code, msg);                                                                   \
        cr_assert(strstr(msg, text) != NULL, "message \"%s\" lacks \"%s\"", msg, text);            \
        cr_assert(ram_untouched(), "guest RAM written by a failed load");                          \
    } while (0)

#define EXPECT_OK()                                                                                \
    do {                                                                                           \
        int rc_ = load();                                                                          \
        cr_assert_eq(rc_, LOADER_OK, "rc %d (%s): %s", rc_, loader_error_str(rc_), msg);           \
    } while (0)

/* The page tables at CR3 translate a linear address to itself (4-level paging, 2 MiB pages). */
static uint64_t walk(uint64_t cr3, uint64_t la)
{
    uint64_t e = g64(cr3 + 8 * ((la >> 39) & 511));
    cr_assert(e & 1, "PML4 entry for 0x%lx not present", (unsigned long)la);
    e = g64((e & ~0xFFFull) + 8 * ((la >> 30) & 511));
    cr_assert(e & 1, "PDPT entry for 0x%lx not present", (unsigned long)la);
    e = g64((e & ~0xFFFull) + 8 * ((la >> 21) & 511));
    cr_assert(e & 1, "PD entry for 0x%lx not present", (unsigned long)la);
    cr_assert(e & 0x80, "PD entry for 0x%lx is not a 2 MiB page", (unsigned long)la);
    cr_assert(e & 2, "2 MiB page of 0x%lx not writable", (unsigned long)la);
    return (e & ~0x1FFFFFull & 0xFFFFFFFFFFull) | (la & 0x1FFFFF);
}

/* ---- good loads ---- */

Test(loader_linux, detect_by_hdrs)
{
    bz_make();
    cr_assert_eq(loader_detect(bz, bz_len), LOAD_LINUX);
    cr_assert_str_eq(loader_kind_name(LOAD_LINUX), "Linux");
    bz[0x202] = 'X';
    cr_assert_eq(loader_detect(bz, bz_len), LOAD_RAW_REAL_MODE);
}

Test(loader_linux, load_64bit_entry_state)
{
    ram_make(32 * MIB);
    bz_make();
    args_default();
    EXPECT_OK();
    const struct load_cpu *c = &res.cpu;
    cr_assert_eq(res.kind, LOAD_LINUX);
    cr_assert(c->long_mode && c->protected_mode);
    cr_assert_eq(res.segs[0].gpa, 0x1000000, "kernel at pref_address");
    cr_assert_eq(memcmp(fr.mem + 0x1000000, bz + SETUP_LEN, BZ_PM), 0, "kernel bytes");
    cr_assert_eq(res.image_end, 0x1000000 + 0x400000, "init_size reserved");
    cr_assert_eq(c->rip, 0x1000200, "64-bit entry at +0x200");
    cr_assert_eq(c->eip, 0x1000200);
    cr_assert_eq(c->rsi, res.info_gpa);
    cr_assert_eq(c->cs, 0x10);
    cr_assert_eq(c->ds, 0x18);
    cr_assert_eq(c->ss, 0x18);
    cr_assert_eq(c->cr0, 0x80000011u, "PG | ET | PE");
    cr_assert_eq(c->cr4, 0x20u, "PAE");
    cr_assert_eq(c->efer, 0x500u, "LME | LMA");
    cr_assert_eq(c->eflags, 0x2u, "IF = 0");
    cr_assert_eq(c->eax | c->ebx | c->esp, 0u);
    /* the GDT: __BOOT_CS a present 64-bit code segment (L = 1, D = 0), __BOOT_DS writable */
    cr_assert_eq(c->gdt_limit, 31);
    uint64_t cs = g64(c->gdt_base + 0x10), ds = g64(c->gdt_base + 0x18);
    cr_assert_eq((cs >> 40) & 0x9A, 0x9A, "code: present, S, execute/read");
    cr_assert_eq((cs >> 53) & 3, 1, "L = 1, D = 0");
    cr_assert_eq((ds >> 40) & 0x9A, 0x92, "data: present, S, writable, not code");
    cr_assert_eq(g64(c->gdt_base), 0, "null descriptor");
    /* identity mapping of everything the kernel touches first, and of the APIC pages */
    uint64_t probes[] = {c->rip,          res.image_end - 1, c->rsi,
                         res.cmdline_gpa, res.initrd_gpa,    res.initrd_gpa + res.initrd_size - 1,
                         c->gdt_base,     0xFEE00000,        0xFFFFFFFF};
    for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
        cr_assert_eq(walk(c->cr3, probes[i]), probes[i], "0x%lx not identity-mapped",
                     (unsigned long)probes[i]);
    cr_assert_eq(c->cr3 % 4096, 0);
    cr_assert(res.boot_base >= 0x1000 && res.boot_end <= 0x9FC00, "boot area in low memory");
}

Test(loader_linux, load_boot_params)
{
    ram_make(32 * MIB);
    bz_make();
    args_default();
    args.acpi = (const uint8_t *)"RSD PTR acpi-tables-stand-in";
    args.acpi_len = 28;
    args.acpi_gpa = 0xE0000;
    args.rsdp_gpa = 0xE0000;
    EXPECT_OK();
    uint64_t bp = res.info_gpa;
    /* the setup header, copied from 0x1F1 to 0x26C, with the loader's fields filled in */
    cr_assert_eq(memcmp(fr.mem + bp + 0x1F1, bz + 0x1F1, 0x210 - 0x1F1), 0);
    cr_assert_eq(memcmp(fr.mem + bp + 0x22C, bz + 0x22C, 0x26C - 0x22C), 0);
    cr_assert_eq(g16(bp + 0x1FA), 0xFFFF, "vid_mode as given");
    cr_assert_eq(g16(bp + 0x1FE), 0xAA55, "boot_flag");
    cr_assert_eq(g8(bp + 0x210), 0xFF, "type_of_loader: undefined");
    cr_assert_eq(g8(bp + 0x211), 0x01, "loadflags as given");
    cr_assert_eq(g32(bp + 0x214), 0x1000000, "code32_start = load address");
    cr_assert_eq(g32(bp + 0x228), res.cmdline_gpa);
    cr_assert_eq(g32(bp + 0x0C8), 0, "ext_cmd_line_ptr");
    cr_assert_str_eq((const char *)fr.mem + res.cmdline_gpa, "console=ttyS0 quiet");
    cr_assert_eq(g32(bp + 0x218), res.initrd_gpa);
    cr_assert_eq(g32(bp + 0x21C), sizeof(initrd));
    cr_assert_eq(g32(bp + 0x0C0) | g32(bp + 0x0C4), 0, "ext_ramdisk_image/size");
    cr_assert_eq(g64(bp + 0x070), 0xE0000, "acpi_rsdp_addr");
    cr_assert_eq(memcmp(fr.mem + 0xE0000, args.acpi, 28), 0, "ACPI tables copied");
    cr_assert_eq(g8(bp + 0x1EF), 0, "sentinel");
    cr_assert_eq(g8(bp + 0x000), 0, "screen_info zeroed");
    cr_assert_eq(g64(bp + 0x258), 0x1000000, "pref_address copied");
    /* the initrd: page-aligned, as high as RAM allows, clear of the kernel's init_size */
    cr_assert_eq(res.initrd_gpa % 4096, 0);
    cr_assert_eq(res.initrd_gpa, (32 * MIB - sizeof(initrd)) & ~0xFFFull);
    cr_assert_eq(memcmp(fr.mem + res.initrd_gpa, initrd, sizeof(initrd)), 0);
    cr_assert_eq(res.nmods, 1);
}

struct e820 {
    uint64_t addr, size;
    uint32_t type;
};

static size_t e820_read(uint64_t bp, struct e820 *e)
{
    size_t n = g8(bp + 0x1E8);
    for (size_t i = 0; i < n; i++) {
        uint64_t at = bp + 0x2D0 + 20 * i;
        e[i] = (struct e820){g64(at), g64(at + 8), g32(at + 16)};
    }
    return n;
}

Test(loader_linux, e820_map)
{
    ram_make(32 * MIB);
    bz_make();
    args_default();
    static const uint8_t tables[0x300] = {1};
    args.acpi = tables;
    args.acpi_len = sizeof(tables);
    args.acpi_gpa = 0xE0000;
    EXPECT_OK();
    struct e820 e[128];
    size_t n = e820_read(res.info_gpa, e);
    const struct e820 want[] = {
        {0, 0x500, 2},                    /* the VMM's reserved range */
        {0x500, 0x9FC00 - 0x500, 1},      /* low RAM */
        {0x9FC00, 0xE0000 - 0x9FC00, 2},  /* EBDA, video, ROM */
        {0xE0000, 0x1000, 3},             /* ACPI tables (a page) */
        {0xE1000, 0x100000 - 0xE1000, 2}, /* the rest of the BIOS area */
        {0x100000, 31 * MIB, 1},          /* RAM above 1 MiB */
        {0xFEC00000, 0x1000, 2},          /* I/O APIC */
        {0xFEE00000, 0x1000, 2},          /* local APIC */
    };
    cr_assert_eq(n, sizeof(want) / sizeof(want[0]), "%zu entries", n);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(e[i].addr, want[i].addr, "entry %zu addr 0x%lx", i, (unsigned long)e[i].addr);
        cr_assert_eq(e[i].size, want[i].size, "entry %zu size 0x%lx", i, (unsigned long)e[i].size);
        cr_assert_eq(e[i].type, want[i].type, "entry %zu type %u", i, e[i].type);
    }
    cr_assert_eq(res.acpi_gpa, 0xE0000);
    cr_assert_eq(res.acpi_size, sizeof(tables));
}

Test(loader_linux, e820_ram_ends_below_the_apics)
{
    /* 4 GiB of RAM reported, 64 MiB of it real: the map stops RAM at the I/O APIC page */
    ram_make2(4096 * MIB, 64 * MIB);
    bz_make();
    args_default();
    b32(0x22C, 0x3FFFFFF); /* initrd_addr_max: keep the initrd in the real part */
    EXPECT_OK();
    struct e820 e[128];
    size_t n = e820_read(res.info_gpa, e);
    cr_assert_eq(n, 6);
    cr_assert_eq(e[3].addr, 0x100000);
    cr_assert_eq(e[3].addr + e[3].size, 0xFEC00000, "RAM ends at 0x%lx",
                 (unsigned long)(e[3].addr + e[3].size));
    cr_assert_eq(e[3].type, 1);
    cr_assert_eq(e[4].addr, 0xFEC00000);
    cr_assert_eq(e[4].type, 2);
    cr_assert(res.initrd_gpa + res.initrd_size <= 0x4000000);
}

Test(loader_linux, entry32_state)
{
    ram_make(32 * MIB);
    bz_make();
    args_default();
    args.entry32 = true;
    b16(0x236, 0); /* no XLF_KERNEL_64: the 32-bit entry does not need it */
    EXPECT_OK();
    const struct load_cpu *c = &res.cpu;
    cr_assert(c->protected_mode);
    cr_assert(!c->long_mode);
    cr_assert_eq(c->rip, 0x1000000, "32-bit entry at the load address");
    cr_assert_eq(c->eip, 0x1000000);
    cr_assert_eq(c->cr0, 0x11u, "PE | ET, paging off");
    cr_assert_eq(c->cr3 | c->cr4 | c->efer, 0);
    cr_assert_eq(c->rsi, res.info_gpa);
    cr_assert_eq(c->cs, 0x10);
    cr_assert_eq(c->ds, 0x18);
    uint64_t cs = g64(c->gdt_base + 0x10);
    cr_assert_eq((cs >> 53) & 3, 2, "D = 1, L = 0: 32-bit code");
    cr_assert_eq(cs & 0xFFFF, 0xFFFF, "limit 4 GiB");
}

Test(loader_linux, relocated_when_pref_address_does_not_fit)
{
    ram_make(16 * MIB); /* [16 MiB, 20 MiB) is not RAM */
    bz_make();
    args_default();
    EXPECT_OK();
    cr_assert_eq(res.segs[0].gpa, 0x200000, "lowest 2 MiB-aligned address above 1 MiB");
    cr_assert_eq(g32(res.info_gpa + 0x214), 0x200000, "code32_start");
    cr_assert_eq(g32(res.info_gpa + 0x230), 0x200000, "kernel_alignment unchanged");
    cr_assert_eq(res.cpu.rip, 0x200200);
    cr_assert(res.initrd_gpa >= 0x600000, "initrd above the kernel's init_size");
}

Test(loader_linux, alignment_lowered_towards_min_alignment)
{
    ram_make(16 * MIB);
    bz_make();
    args_default();
    b32(0x230, 0x1000000); /* kernel_alignment 16 MiB: no such address fits in 16 MiB */
    b8(0x235, 22);         /* min_alignment 4 MiB */
    EXPECT_OK();
    cr_assert_eq(res.segs[0].gpa, 0x800000, "8 MiB: the first power of two that fits");
    cr_assert_eq(g32(res.info_gpa + 0x230), 0x800000, "kernel_alignment written back");
}

Test(loader_linux, kernel_avoids_a_ram_hole_at_pref_address)
{
    ram_make(32 * MIB);
    fr.hole_base = 0x1100000;
    fr.hole_end = 0x1200000;
    bz_make();
    args_default();
    EXPECT_OK();
    cr_assert_eq(res.segs[0].gpa, 0x200000);
}

Test(loader_linux, not_relocatable_at_pref_address)
{
    ram_make(32 * MIB);
    bz_make();
    args_default();
    b8(0x234, 0);
    b32(0x230, 0x300000); /* not a power of two: only relevant for a relocatable kernel */
    EXPECT_OK();
    cr_assert_eq(res.segs[0].gpa, 0x1000000);
}

Test(loader_linux, initrd_below_initrd_addr_max)
{
    ram_make(32 * MIB);
    bz_make();
    args_default();
    b32(0x22C, 0x17FFFFF); /* the initrd must end at or below 24 MiB */
    EXPECT_OK();
    cr_assert(res.initrd_gpa + res.initrd_size <= 0x1800000);
    cr_assert_eq(res.initrd_gpa, (0x1800000 - sizeof(initrd)) & ~0xFFFull);
}

Test(loader_linux, initrd_moves_below_the_kernel)
{
    ram_make(32 * MIB);
    bz_make();
    args_default();
    b32(0x22C, 0x13FFFFF); /* below 20 MiB: [16 MiB, 20 MiB) is the kernel's */
    EXPECT_OK();
    cr_assert(res.initrd_gpa + res.initrd_size <= 0x1000000, "initrd at 0x%lx",
              (unsigned long)res.initrd_gpa);
}

Test(loader_linux, no_initrd_no_cmdline)
{
    ram_make(32 * MIB);
    bz_make();
    args_default();
    args.initrd = NULL;
    args.initrd_len = 0;
    args.cmdline = NULL;
    EXPECT_OK();
    cr_assert_eq(g32(res.info_gpa + 0x218) | g32(res.info_gpa + 0x21C), 0);
    cr_assert_eq(res.nmods, 0);
    cr_assert_eq(g8(res.cmdline_gpa), 0, "empty command line");
    cr_assert_eq(g64(res.info_gpa + 0x070), 0, "no RSDP given");
}

Test(loader_linux, old_protocol_206_32bit_entry)
{
    ram_make(32 * MIB);
    bz_make();
    args_default();
    args.entry32 = true;
    b16(0x206, 0x0206); /* 2.06: no pref_address, no init_size */
    b8(0x201, 0x3A);    /* header to 0x23C */
    EXPECT_OK();
    cr_assert_eq(res.segs[0].gpa, 0x100000, "the bzImage address");
    cr_assert_eq(res.image_end, 0x100000 + BZ_PM);
}

Test(loader_linux, kernel_version_string)
{
    char v[64];
    bz_make();
    cr_assert_eq(loader_linux_version(bz, bz_len, v, sizeof(v)), 17);
    cr_assert_str_eq(v, "6.1.0-test (fake)");
    cr_assert_eq(loader_linux_version(bz, bz_len, v, 6), 17, "length of the whole string");
    cr_assert_str_eq(v, "6.1.0", "cut to the buffer");
    memset(bz + BZ_VERSTR, 'x', SETUP_LEN - BZ_VERSTR); /* no NUL in the setup code */
    cr_assert_eq(loader_linux_version(bz, bz_len, v, sizeof(v)), -1);
    b16(0x20E, 0);
    cr_assert_eq(loader_linux_version(bz, bz_len, v, sizeof(v)), -1);
}

/* ---- malformed images and arguments ---- */

Test(loader_linux, bad_boot_flag)
{
    ram_make(32 * MIB);
    bz_make();
    args_default();
    b16(0x1FE, 0x1234);
    EXPECT_FAIL(LOADER_ERR_SETUP_HEADER, "setup header: boot_flag at 0x1FE is 0x1234, not 0xAA55");
}

Test(loader_linux, no_hdrs)
{
    ram_make(32 * MIB);
    bz_make();
    args_default();
    memcpy(bz + 0x202, "HdrX", 4);
    EXPECT_FAIL(LOADER_ERR_SETUP_HEADER, "no \"HdrS\" at 0x202");
}

Test(loader_linux, too_short)
{
    ram_make(32 * MIB);
    bz_make();
    args_default();
    bz_len = 0x200;
    EXPECT_FAIL(LOADER_ERR_SETUP_HEADER, "too short for a Linux setup header");
    bz_len = 0;
    EXPECT_FAIL(LOADER_ERR_EMPTY, "empty kernel image");
}

Test(loader_linux, protocol_too_old)
{
    ram_make(32 * MIB);
    bz_make();
    args_default();
    b16(0x206, 0x0204);
    EXPECT_FAIL(LOADER_ERR_PROTOCOL,
                "setup header: protocol version 2.04 is older than 2.06 (boot.rst: cmdline_size)");
}

Test(loader_linux, no_64bit_entry_before_212)
{
    ram_make(32 * MIB);
    bz_make();
    args_default();
    b16(0x206, 0x020A);
    EXPECT_FAIL(LOADER_ERR_PROTOCOL,
                "protocol version 2.10 is older than 2.12 (boot.rst: xloadflags)");
}

Test(loader_linux, no_xlf_kernel_64)
{
    ram_make(32 * MIB);
    bz_make();
    args_default();
    b16(0x236, 0x0002);
    EXPECT_FAIL(LOADER_ERR_PROTOCOL, "xloadflags 0x0002 lack XLF_KERNEL_64 (bit 0)");
}

Test(loader_linux, zimage_not_loaded_high)
{
    ram_make(32 * MIB);
    bz_make();
    args_default();
    b8(0x211, 0x80);
    EXPECT_FAIL(LOADER_ERR_PROTOCOL, "loadflags 0x80 lack LOADED_HIGH (bit 0)");
}

Test(loader_linux, bad_jump)
{
    ram_make(32 * MIB);
    bz_make();
    args_default();
    b8(0x201, 0x20); /* header ends at 0x222: before cmdline_size and init_size */
    EXPECT_FAIL(LOADER_ERR_SETUP_HEADER, "jump at 0x200 is eb 20, which ends the header at 0x222");
    bz_make();
    b8(0x200, 0xE9);
    EXPECT_FAIL(LOADER_ERR_SETUP_HEADER, "needs a short jump (EB)");
}

Test(loader_linux, setup_sects_past_the_image)
{
    ram_make(32 * MIB);
    bz_make();
    args_default();
    b8(0x1F1, 40); /* 41 sectors of setup: 0x5200 bytes, the image has 0x3400 */
    EXPECT_FAIL(LOADER_ERR_KERNEL_SIZE, "setup_sects 40: the boot sector and setup code take "
                                        "0x5200 bytes, the image has 0x3400");
}

Test(loader_linux, truncated_by_syssize)
{
    ram_make(32 * MIB);
    bz_make();
    args_default();
    b32(0x1F4, BZ_PM / 16 + 1);
    EXPECT_FAIL(LOADER_ERR_KERNEL_SIZE, "image truncated: syssize 0x301 gives 0x3010 bytes");
}

Test(loader_linux, init_size_smaller_than_kernel)
{
    ram_make(32 * MIB);
    bz_make();
    args_default();
    b32(0x260, 0x1000);
    EXPECT_FAIL(LOADER_ERR_KERNEL_SIZE, "init_size 0x1000 is smaller than the 0x3000-byte");
}

Test(loader_linux, alignment_not_power_of_two)
{
    ram_make(32 * MIB);
    bz_make();
    args_default();
    b32(0x230, 0x300000);
    EXPECT_FAIL(LOADER_ERR_SETUP_HEADER, "kernel_alignment 0x300000 of a relocatable kernel");
}

Test(loader_linux, not_relocatable_and_no_room)
{
    ram_make(16 * MIB);
    bz_make();
    args_default();
    b8(0x234, 0);
    EXPECT_FAIL(LOADER_ERR_NO_SPACE, "kernel not relocatable (relocatable_kernel 0)");
}

Test(loader_linux, no_room_for_the_kernel)
{
    ram_make(4 * MIB);
    bz_make();
    args_default();
    EXPECT_FAIL(LOADER_ERR_NO_SPACE, "no room for the kernel: init_size 0x400000 bytes");
}

Test(loader_linux, cmdline_longer_than_cmdline_size)
{
    ram_make(32 * MIB);
    bz_make();
    args_default();
    b32(0x238, 8);
    EXPECT_FAIL(LOADER_ERR_CMDLINE,
                "command line of 19 bytes is longer than the kernel's cmdline_size 8");
}

Test(loader_linux, initrd_empty)
{
    ram_make(32 * MIB);
    bz_make();
    args_default();
    args.initrd_len = 0;
    EXPECT_FAIL(LOADER_ERR_INITRD, "initrd is empty (0 bytes)");
}

Test(loader_linux, initrd_does_not_fit)
{
    static uint8_t big[6 * MIB];
    ram_make(8 * MIB); /* kernel at [2 MiB, 6 MiB): 1 MiB below it, 2 MiB above */
    bz_make();
    args_default();
    args.initrd = big;
    args.initrd_len = 3 * MIB;
    EXPECT_FAIL(LOADER_ERR_INITRD,
                "initrd of 0x300000 bytes does not fit between 1 MiB and "
                "min(initrd_addr_max 0x7fffffff + 1, end of usable RAM 0x800000)");
}

Test(loader_linux, acpi_tables_outside_ram)
{
    ram_make(32 * MIB);
    bz_make();
    args_default();
    args.acpi = initrd;
    args.acpi_len = 0x100;
    args.acpi_gpa = 32 * MIB;
    EXPECT_FAIL(LOADER_ERR_NOT_RAM, "ACPI tables [0x2000000, 0x2000100) are not below");
    args.acpi_gpa = 0x400;
    EXPECT_FAIL(LOADER_ERR_RESERVED, "ACPI tables [0x400, 0x500) overlaps reserved range 0");
}

Test(loader_linux, bad_arguments)
{
    ram_make(2 * MIB);
    bz_make();
    args_default();
    struct gpa_range many[LOADER_LINUX_MAX_RESERVED + 1] = {{0, 0x500}};
    int rc = loader_load_linux(bz, bz_len, &args, &ram, many, LOADER_LINUX_MAX_RESERVED + 1, &res,
                               msg, sizeof(msg));
    cr_assert_eq(rc, LOADER_ERR_BAD_ARG);
    cr_assert(strstr(msg, "at most 16") != NULL, "%s", msg);
    rc = loader_load_linux(bz, bz_len, NULL, &ram, NULL, 0, &res, msg, sizeof(msg));
    cr_assert_eq(rc, LOADER_ERR_BAD_ARG);
    args.initrd = NULL; /* with initrd_len > 0 */
    EXPECT_FAIL(LOADER_ERR_BAD_ARG, "NULL image, arguments");
    cr_assert_str_eq(loader_error_str(LOADER_ERR_INITRD), "initrd empty or no room for it");
}

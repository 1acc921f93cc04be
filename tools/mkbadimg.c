/*
 * tools/mkbadimg.c - write malformed guest images for the loader system tests
 * (tests/system/bad-images-*.test). Host program, plain C11 and libc.
 *
 *   mkbadimg HELLO.elf MB2HELLO.elf AOUTBASE.elf OUTDIR
 *                          write OUTDIR/bad-<kind>.elf|bin, OUTDIR/good-aout.bin and
 *                          OUTDIR/good-bzimage.bin
 *   mkbadimg --list        print each kind and its one defect
 *
 * HELLO.elf is a good Multiboot (v1) ELF32 kernel (build/guests/hello.elf), MB2HELLO.elf a good
 * Multiboot2 ELF32 kernel whose header holds an information request tag first
 * (build/guests/mb2hello.elf). Each output is a copy of one of them with exactly one defect,
 * or a small synthetic image; the loaders (vm/loader*.c, vm/elf.c) must reject every one of
 * them with the error named in the table below. Values this tool writes are fixed, so the
 * messages depend on the good images only through their layout (header offset, segment sizes).
 *
 * good-aout.bin is the one GOOD image: a Multiboot (v1) kernel in the a.out kludge format
 * (Multiboot 0.6.96 3.1.3), made from AOUTBASE.elf, a Multiboot ELF32 kernel with one PT_LOAD
 * whose 12-byte header is followed by 20 zero bytes (guests/bad/bad.mk links hello that way:
 * in hello.elf itself the header is followed by _start). The image is the PT_LOAD's file bytes
 * as `objcopy -O binary` gives them, from its lowest load address; in it, the header gets flags
 * bit 16 and, in those 20 bytes, the five address fields taken from the ELF file.
 *
 * good-bzimage.bin is a fake Linux bzImage made from a template here (no real kernel, no
 * network): a setup header as Documentation/arch/x86/boot.rst describes it (protocol 2.15,
 * relocatable, XLF_KERNEL_64) and a 4 KiB protected-mode part whose 64-bit entry (+0x200)
 * prints whether RSI points at boot_params (the "HdrS" copied to 0x202) on the UART and ends
 * through isa-debug-exit. The bad-linux-* images are copies of it with one defect each.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MB1_MAGIC   0x1BADB002u /* Multiboot 3.1.2 */
#define MB2_MAGIC   0xE85250D6u /* Multiboot2 3.1.2 */
#define MB1_SEARCH  8192u       /* Multiboot 3.1.1 */
#define MB2_SEARCH  32768u      /* Multiboot2 3.1.1 */
#define MB1_AOUT    0x10000u    /* Multiboot 3.1.2 flags bit 16: the a.out kludge */
#define MB1_HDR_SZ  12u         /* magic, flags, checksum */
#define MB1_AOUT_SZ 32u         /* and header_addr, load_addr, load_end, bss_end, entry_addr */
#define PT_LOAD     1u
#define EHDR32_SIZE 52u
#define PHDR32_SIZE 32u

/* An image in memory. */
struct img {
    uint8_t *b;
    size_t len;
};

/* What the generators know about a good base image. */
struct base {
    const char *path;
    struct img img;
    size_t hdr;     /* Multiboot / Multiboot2 header offset */
    uint32_t phoff; /* ELF32 program header table */
    unsigned phnum;
    unsigned load;  /* index of the (only) PT_LOAD */
    unsigned spare; /* index of a program header that is not PT_LOAD */
};

static const char *prog = "mkbadimg";

static void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "%s: ", prog);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(1);
}

static uint32_t get32(const struct img *m, size_t off)
{
    const uint8_t *p = m->b + off;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static unsigned get16(const struct img *m, size_t off)
{
    return (unsigned)m->b[off] | (unsigned)m->b[off + 1] << 8;
}

static void put32(struct img *m, size_t off, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        m->b[off + (size_t)i] = (uint8_t)(v >> (8 * i));
}

static void put16(struct img *m, size_t off, unsigned v)
{
    m->b[off] = (uint8_t)v;
    m->b[off + 1] = (uint8_t)(v >> 8);
}

static struct img img_new(size_t len)
{
    struct img m = {calloc(len ? len : 1, 1), len};
    if (m.b == NULL)
        die("out of memory (%s)", "image");
    return m;
}

static struct img img_copy(const struct img *src)
{
    struct img m = img_new(src->len);
    memcpy(m.b, src->b, src->len);
    return m;
}

static struct img img_read(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        die("cannot open %s", path);
    size_t cap = 1 << 16, len = 0;
    uint8_t *b = malloc(cap);
    size_t n;
    while (b != NULL && (n = fread(b + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            uint8_t *nb = realloc(b, cap * 2);
            if (nb == NULL)
                free(b);
            b = nb;
            cap *= 2;
        }
    }
    if (b == NULL)
        die("out of memory reading %s", path);
    if (ferror(f))
        die("cannot read %s", path);
    fclose(f);
    return (struct img){b, len};
}

static void img_write(const char *dir, const char *name, const struct img *m)
{
    char path[4096];
    if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
        die("path too long: %s", name);
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        die("cannot create %s", path);
    if ((m->len > 0 && fwrite(m->b, 1, m->len, f) != m->len) || fclose(f) != 0)
        die("cannot write %s", path);
}

/* The header: the only `magic` at an `align`-aligned offset of the file, within the first
 * `search` bytes. */
static size_t find_magic(const struct base *b, uint32_t magic, size_t align, size_t search)
{
    size_t found = SIZE_MAX;
    for (size_t o = 0; o + 4 <= b->img.len; o += align) {
        if (get32(&b->img, o) != magic)
            continue;
        if (found != SIZE_MAX)
            die("%s: header magic found more than once", b->path);
        found = o;
    }
    if (found == SIZE_MAX || found + 16 > search)
        die("%s: no header magic at the start of the file", b->path);
    return found;
}

/* A good ELF32 x86 executable with one PT_LOAD and another program header. */
static void base_open(struct base *b, const char *path, uint32_t magic, size_t align, size_t search)
{
    b->path = path;
    b->img = img_read(path);
    const struct img *m = &b->img;
    if (m->len < EHDR32_SIZE ||
        memcmp(m->b,
               "\x7f"
               "ELF",
               4) != 0 ||
        m->b[4] != 1 || m->b[5] != 1 || get16(m, 16) != 2 || get16(m, 18) != 3)
        die("%s: not a little-endian ELF32 i386 executable", path);
    b->hdr = find_magic(b, magic, align, search);
    b->phoff = get32(m, 28);
    b->phnum = get16(m, 44);
    if (get16(m, 42) != PHDR32_SIZE || b->phoff > m->len ||
        (size_t)b->phnum * PHDR32_SIZE > m->len - b->phoff)
        die("%s: unexpected program header table", path);
    b->load = b->spare = UINT32_MAX;
    for (unsigned i = 0; i < b->phnum; i++) {
        uint32_t type = get32(m, b->phoff + (size_t)i * PHDR32_SIZE);
        if (type == PT_LOAD && b->load != UINT32_MAX)
            die("%s: more than one PT_LOAD (expected one)", path);
        if (type == PT_LOAD)
            b->load = i;
        else if (b->spare == UINT32_MAX)
            b->spare = i;
    }
    if (b->load == UINT32_MAX || b->spare == UINT32_MAX)
        die("%s: expected one PT_LOAD and one other program header", path);
}

/* Offset of field `field` (byte offset in an ELF32 program header) of program header i. */
static size_t ph(const struct base *b, unsigned i, size_t field)
{
    return b->phoff + (size_t)i * PHDR32_SIZE + field;
}
#define P_TYPE   0
#define P_OFFSET 4
#define P_VADDR  8
#define P_PADDR  12
#define P_FILESZ 16
#define P_MEMSZ  20

/* A Multiboot (v1) header at off: magic, flags, checksum. */
static void mb1_header(struct img *m, size_t off, uint32_t flags)
{
    put32(m, off, MB1_MAGIC);
    put32(m, off + 4, flags);
    put32(m, off + 8, (uint32_t)(0u - MB1_MAGIC - flags));
}

/* ---- the kinds ---- */

struct kind {
    const char *file;
    const char *what; /* the defect, and the error the loaders must give */
    int base;         /* 0 synthetic, 1 HELLO.elf, 2 MB2HELLO.elf, 3 the fake bzImage */
    void (*make)(const struct base *b, struct img *m);
};

static void k_empty(const struct base *b, struct img *m)
{
    (void)b;
    m->len = 0;
}

static void k_mb1_checksum(const struct base *b, struct img *m)
{
    put32(m, b->hdr + 4, 0x3);        /* the good flags, so the sum is fixed */
    put32(m, b->hdr + 8, 0x12345678); /* must be -(magic + flags) */
}

static void k_mb1_far(const struct base *b, struct img *m)
{
    if (m->len < 0x2400 + 12)
        die("%s: too small to move the header to 0x2400", b->path);
    memset(m->b + b->hdr, 0, 12);
    mb1_header(m, 0x2400, 0x3); /* valid, but past the first 8 KiB */
}

static void k_mb1_none(const struct base *b, struct img *m)
{
    memset(m->b + b->hdr, 0, 12); /* an ELF kernel without its Multiboot header */
}

static void k_mb1_video(const struct base *b, struct img *m)
{
    mb1_header(m, b->hdr, 0x7); /* bit 2: video mode table required */
}

static void k_mb1_flag(const struct base *b, struct img *m)
{
    mb1_header(m, b->hdr, 0x23); /* bit 5: required, unknown */
}

static void k_aout_load_end(const struct base *b, struct img *m)
{
    (void)b;
    /* 8 KiB a.out-kludge kernel: header at 0, loaded at 1 MiB, load_end_addr below
     * load_addr (Multiboot 3.1.3). */
    *m = img_new(0x2000);
    memset(m->b + 32, 0xf4, 0x2000 - 32); /* hlt */
    mb1_header(m, 0, 0x10003);
    put32(m, 12, 0x100000); /* header_addr */
    put32(m, 16, 0x100000); /* load_addr */
    put32(m, 20, 0xff000);  /* load_end_addr: below load_addr */
    put32(m, 24, 0);        /* bss_end_addr */
    put32(m, 28, 0x100020); /* entry_addr */
}

static void k_raw_too_big(const struct base *b, struct img *m)
{
    (void)b;
    /* 996 KiB of hlt: at the default load address 0x7c00 it ends past 1 MiB. */
    *m = img_new(0xf9000);
    memset(m->b, 0xf4, m->len);
}

static void k_mod_too_big(const struct base *b, struct img *m)
{
    (void)b;
    /* Not a kernel: a module of 2 MiB, more than a 2M VM can hold next to its kernel. */
    *m = img_new(0x200000);
}

static void k_elf_truncated(const struct base *b, struct img *m)
{
    (void)b;
    /* 48 bytes: ELF32 identification and a Multiboot header, but no room for the 52-byte
     * ELF32 header. */
    *m = img_new(48);
    memcpy(m->b,
           "\x7f"
           "ELF\x01\x01\x01",
           7);
    mb1_header(m, 32, 0x3);
}

static void k_elf_class(const struct base *b, struct img *m)
{
    (void)b;
    m->b[4] = 3; /* EI_CLASS: neither ELFCLASS32 nor ELFCLASS64 */
}

static void k_elf_data(const struct base *b, struct img *m)
{
    (void)b;
    m->b[5] = 2; /* EI_DATA: ELFDATA2MSB */
}

static void k_elf_machine(const struct base *b, struct img *m)
{
    (void)b;
    put16(m, 18, 40); /* EM_ARM */
}

static void k_elf_type(const struct base *b, struct img *m)
{
    (void)b;
    put16(m, 16, 3); /* ET_DYN */
}

static void k_elf_phdr_range(const struct base *b, struct img *m)
{
    (void)b;
    put32(m, 28, 0x7ffff000); /* e_phoff far past the end of the file */
}

static void k_elf_no_load(const struct base *b, struct img *m)
{
    (void)b;
    put16(m, 44, 0); /* e_phnum */
}

static void k_elf_cut(const struct base *b, struct img *m)
{
    /* The file cut short in the middle of its PT_LOAD. */
    uint32_t off = get32(&b->img, ph(b, b->load, P_OFFSET));
    uint32_t filesz = get32(&b->img, ph(b, b->load, P_FILESZ));
    if (filesz <= 0x1000 || off > m->len || filesz > m->len - off)
        die("%s: PT_LOAD too small to cut", b->path);
    m->len = off + 0x1000;
}

static void k_elf_filesz(const struct base *b, struct img *m)
{
    put32(m, ph(b, b->load, P_FILESZ), 0x3000);
    put32(m, ph(b, b->load, P_MEMSZ), 0x2000); /* smaller than p_filesz */
}

static void k_elf_overlap(const struct base *b, struct img *m)
{
    /* The other program header becomes a PT_LOAD inside the first one's memory. */
    uint32_t addr = get32(&b->img, ph(b, b->load, P_PADDR)) + 0x1000;
    put32(m, ph(b, b->spare, P_TYPE), PT_LOAD);
    put32(m, ph(b, b->spare, P_OFFSET), get32(&b->img, ph(b, b->load, P_OFFSET)));
    put32(m, ph(b, b->spare, P_VADDR), addr);
    put32(m, ph(b, b->spare, P_PADDR), addr);
    put32(m, ph(b, b->spare, P_FILESZ), 0x100);
    put32(m, ph(b, b->spare, P_MEMSZ), 0x1000);
}

static void k_elf_not_ram(const struct base *b, struct img *m)
{
    put32(m, ph(b, b->load, P_PADDR), 0xc0000000); /* 3 GiB: far past a small VM's RAM */
}

static void k_elf_past_4g(const struct base *b, struct img *m)
{
    put32(m, ph(b, b->load, P_PADDR), 0xfffff000); /* p_paddr + p_memsz wraps past 4 GiB */
}

static void k_elf_low_area(const struct base *b, struct img *m)
{
    put32(m, ph(b, b->load, P_PADDR), 0x100); /* over [0, 0x500): IVT and BIOS data area */
}

static void k_elf_legacy_hole(const struct base *b, struct img *m)
{
    put32(m, ph(b, b->load, P_PADDR), 0x9f000); /* over [0x9fc00, 1 MiB): EBDA, VGA, BIOS */
}

static void k_elf_entry(const struct base *b, struct img *m)
{
    (void)b;
    put32(m, 24, 0x300000); /* e_entry in no segment */
}

static void mb2_resum(const struct base *b, struct img *m)
{
    uint32_t s = get32(m, b->hdr) + get32(m, b->hdr + 4) + get32(m, b->hdr + 8);
    put32(m, b->hdr + 12, 0u - s);
}

/* mb2hello's first header tag, at header offset 16, must be its information request
 * (type 1, size 20: command line, basic memory information, memory map). */
static void mb2_check_request(const struct base *b)
{
    if (get16(&b->img, b->hdr + 16) != 1 || get32(&b->img, b->hdr + 20) != 20)
        die("%s: the first Multiboot2 header tag is not a 3-type information request", b->path);
}

static void k_mb2_checksum(const struct base *b, struct img *m)
{
    put32(m, b->hdr + 12, 0x12345678);
}

static void k_mb2_arch(const struct base *b, struct img *m)
{
    put32(m, b->hdr + 4, 4); /* architecture 4: 32-bit MIPS */
    mb2_resum(b, m);
}

static void k_mb2_info_request(const struct base *b, struct img *m)
{
    mb2_check_request(b);
    put32(m, b->hdr + 16 + 16, 8); /* third requested type: 8, framebuffer info */
}

static void k_mb2_framebuffer(const struct base *b, struct img *m)
{
    mb2_check_request(b);
    /* The information request becomes a required framebuffer tag (3.1.10, 20 bytes). */
    put16(m, b->hdr + 16, 5);
    put16(m, b->hdr + 18, 0);
    put32(m, b->hdr + 24, 1024); /* width */
    put32(m, b->hdr + 28, 768);  /* height */
    put32(m, b->hdr + 32, 32);   /* depth */
}

static void k_mb2_no_end(const struct base *b, struct img *m)
{
    mb2_check_request(b);
    /* The end tag (after the 20-byte request, 8-aligned) becomes an optional unknown tag. */
    size_t end = b->hdr + 16 + 24;
    if (get16(&b->img, end) != 0 || get32(&b->img, end + 4) != 8)
        die("%s: no end tag after the information request", b->path);
    put16(m, end, 42);
    put16(m, end + 2, 1);
}

/* ---- a fake Linux bzImage (boot.rst, "The Real-Mode Kernel Header") ---- */

#define BZ_SETUP    0x400u  /* boot sector + setup_sects (1) sectors */
#define BZ_PM       0x1000u /* the protected-mode part */
#define BZ_ENTRY64  0x200u  /* 64-bit entry, from the start of the protected-mode part */
#define BZ_INIT     0x100000u
#define BZ_SYSSIZE  0x1F4
#define BZ_VERSION  0x206
#define BZ_LOADFLAG 0x211
#define BZ_XLF      0x236
#define BZ_INITSIZE 0x260

static const char bz_ok[] = "fake-bzimage: 64-bit entry, boot_params has HdrS\n";
static const char bz_bad[] = "fake-bzimage: 64-bit entry, no HdrS at RSI+0x202\n";

/* The 64-bit entry (x86-64 machine code, as GNU as assembles it):
 *   cmpl $0x53726448, 0x202(%rsi)   81 BE 02 02 00 00 48 64 72 53   "HdrS" in boot_params?
 *   lea bz_bad(%rip), %rcx          48 8D 0D rel32
 *   lea bz_ok(%rip), %rsi           48 8D 35 rel32
 *   cmovne %rcx, %rsi               48 0F 45 F1
 *   mov $0x3f8, %dx                 66 BA F8 03                     COM1
 * 1: lodsb; test %al,%al; jz 2f     AC 84 C0 74 03
 *   out %al, %dx; jmp 1b            EE EB F8
 * 2: mov $0xf4, %dx; xor %eax,%eax  66 BA F4 00 31 C0               isa-debug-exit, value 0
 *   out %al, %dx                    EE
 * 3: hlt; jmp 3b                    F4 EB FD
 * then the two messages, NUL-terminated. */
static void bz_code64(struct img *m, size_t at)
{
    static const uint8_t code[] = {0x81, 0xBE, 0x02, 0x02, 0x00, 0x00, 0x48, 0x64, 0x72, 0x53,
                                   0x48, 0x8D, 0x0D, 0,    0,    0,    0,    0x48, 0x8D, 0x35,
                                   0,    0,    0,    0,    0x48, 0x0F, 0x45, 0xF1, 0x66, 0xBA,
                                   0xF8, 0x03, 0xAC, 0x84, 0xC0, 0x74, 0x03, 0xEE, 0xEB, 0xF8,
                                   0x66, 0xBA, 0xF4, 0x00, 0x31, 0xC0, 0xEE, 0xF4, 0xEB, 0xFD};
    size_t ok = sizeof(code), bad = ok + sizeof(bz_ok);
    memcpy(m->b + at, code, sizeof(code));
    put32(m, at + 13, (uint32_t)(bad - 17)); /* RIP-relative: from the end of the lea */
    put32(m, at + 20, (uint32_t)(ok - 24));
    memcpy(m->b + at + ok, bz_ok, sizeof(bz_ok));
    memcpy(m->b + at + bad, bz_bad, sizeof(bz_bad));
}

static struct img bz_template(void)
{
    struct img m = img_new(BZ_SETUP + BZ_PM);
    m.b[0x1F1] = 1;                    /* setup_sects */
    put32(&m, BZ_SYSSIZE, BZ_PM / 16); /* syssize, 16-byte units */
    put16(&m, 0x1FE, 0xAA55);          /* boot_flag */
    m.b[0x200] = 0xEB;                 /* jump: the header ends at 0x202 + 0x6A */
    m.b[0x201] = 0x6A;
    memcpy(m.b + 0x202, "HdrS", 4);  /* header */
    put16(&m, BZ_VERSION, 0x020F);   /* protocol 2.15 */
    put16(&m, 0x20E, 0x300 - 0x200); /* kernel_version: the string at 0x300 */
    m.b[BZ_LOADFLAG] = 0x01;         /* LOADED_HIGH */
    put32(&m, 0x214, 0x100000);      /* code32_start */
    put32(&m, 0x22C, 0x7FFFFFFF);    /* initrd_addr_max */
    put32(&m, 0x230, 0x200000);      /* kernel_alignment */
    m.b[0x234] = 1;                  /* relocatable_kernel */
    m.b[0x235] = 21;                 /* min_alignment: 2 MiB */
    put16(&m, BZ_XLF, 0x0001);       /* xloadflags: XLF_KERNEL_64 */
    put32(&m, 0x238, 255);           /* cmdline_size */
    put32(&m, 0x258, 0x1000000);     /* pref_address (low half) */
    put32(&m, BZ_INITSIZE, BZ_INIT); /* init_size */
    memcpy(m.b + 0x300, "fake-bzimage (mkbadimg)", 24);
    memset(m.b + BZ_SETUP, 0xF4, BZ_ENTRY64); /* the 32-bit entry: hlt */
    bz_code64(&m, BZ_SETUP + BZ_ENTRY64);
    return m;
}

static void k_lx_bootflag(const struct base *b, struct img *m)
{
    (void)b;
    put16(m, 0x1FE, 0); /* boot_flag */
}

static void k_lx_version(const struct base *b, struct img *m)
{
    (void)b;
    put16(m, BZ_VERSION, 0x0204); /* before cmdline_size (2.06) */
}

static void k_lx_zimage(const struct base *b, struct img *m)
{
    (void)b;
    m->b[BZ_LOADFLAG] = 0; /* no LOADED_HIGH: a zImage */
}

static void k_lx_no64(const struct base *b, struct img *m)
{
    (void)b;
    put16(m, BZ_XLF, 0); /* no XLF_KERNEL_64 */
}

static void k_lx_truncated(const struct base *b, struct img *m)
{
    (void)b;
    m->len = BZ_SETUP + BZ_PM / 2; /* half the protected-mode part that syssize announces */
}

static const struct kind kinds[] = {
    {"bad-empty.bin", "0 bytes: LOADER_ERR_EMPTY", 0, k_empty},
    {"bad-mb1-checksum.elf", "Multiboot checksum 0x12345678: LOADER_ERR_CHECKSUM", 1,
     k_mb1_checksum},
    {"bad-mb1-far.elf",
     "Multiboot header moved to 0x2400, past 8 KiB (load with kind=multiboot): "
     "LOADER_ERR_HEADER_TOO_FAR",
     1, k_mb1_far},
    {"bad-mb1-none.elf",
     "ELF without a Multiboot header: NOT rejected with kind=auto (loaded as a raw real-mode "
     "image, its ELF header run as code); kind=multiboot gives LOADER_ERR_NO_HEADER",
     1, k_mb1_none},
    {"bad-mb1-video.elf", "Multiboot flags 0x7, video mode required: LOADER_ERR_FLAGS", 1,
     k_mb1_video},
    {"bad-mb1-flag.elf", "Multiboot flags 0x23, unknown required bit 5: LOADER_ERR_FLAGS", 1,
     k_mb1_flag},
    {"bad-aout-load-end.bin", "a.out kludge with load_end_addr < load_addr: LOADER_ERR_ADDR", 0,
     k_aout_load_end},
    {"bad-raw-too-big.bin", "raw image of 996 KiB, past 1 MiB at 0x7c00: LOADER_ERR_REAL_MODE", 0,
     k_raw_too_big},
    {"bad-mod-too-big.bin", "a 2 MiB module (for a 2M VM): LOADER_ERR_NO_SPACE", 0, k_mod_too_big},
    {"bad-elf-truncated.elf", "48-byte ELF32 with a Multiboot header: ELF_ERR_TRUNCATED", 0,
     k_elf_truncated},
    {"bad-elf-class.elf", "EI_CLASS 3: ELF_ERR_CLASS", 1, k_elf_class},
    {"bad-elf-data.elf", "EI_DATA 2 (big-endian): ELF_ERR_DATA", 1, k_elf_data},
    {"bad-elf-machine.elf", "e_machine 40 (ARM): ELF_ERR_MACHINE", 1, k_elf_machine},
    {"bad-elf-type.elf", "e_type 3 (ET_DYN): ELF_ERR_TYPE", 1, k_elf_type},
    {"bad-elf-phdr-range.elf", "e_phoff 0x7ffff000: ELF_ERR_PHDR_RANGE", 1, k_elf_phdr_range},
    {"bad-elf-no-load.elf", "e_phnum 0: ELF_ERR_NO_LOAD", 1, k_elf_no_load},
    {"bad-elf-cut.elf", "file cut 4 KiB into its PT_LOAD: ELF_ERR_SEG_FILE", 1, k_elf_cut},
    {"bad-elf-filesz.elf", "p_filesz 0x3000 > p_memsz 0x2000: ELF_ERR_SEG_FILESZ", 1, k_elf_filesz},
    {"bad-elf-overlap.elf", "second PT_LOAD 4 KiB into the first: ELF_ERR_SEG_OVERLAP", 1,
     k_elf_overlap},
    {"bad-elf-past-4g.elf", "p_paddr 0xfffff000, the segment wraps 4 GiB: ELF_ERR_SEG_ADDR", 1,
     k_elf_past_4g},
    {"bad-elf-not-ram.elf", "p_paddr 3 GiB: LOADER_ERR_NOT_RAM", 1, k_elf_not_ram},
    {"bad-elf-low-area.elf", "p_paddr 0x100, over the IVT/BDA: LOADER_ERR_RESERVED", 1,
     k_elf_low_area},
    {"bad-elf-legacy-hole.elf", "p_paddr 0x9f000, over 0x9fc00-1 MiB: LOADER_ERR_RESERVED", 1,
     k_elf_legacy_hole},
    {"bad-elf-entry.elf", "e_entry 0x300000 in no segment: LOADER_ERR_ENTRY", 1, k_elf_entry},
    {"bad-mb2-checksum.elf", "Multiboot2 checksum 0x12345678: LOADER_ERR_CHECKSUM", 2,
     k_mb2_checksum},
    {"bad-mb2-arch.elf", "Multiboot2 architecture 4: LOADER_ERR_ARCH", 2, k_mb2_arch},
    {"bad-mb2-info-request.elf",
     "Multiboot2 required information request for type 8: LOADER_ERR_INFO_REQUEST", 2,
     k_mb2_info_request},
    {"bad-mb2-framebuffer.elf", "Multiboot2 required framebuffer tag: LOADER_ERR_TAG_UNSUPPORTED",
     2, k_mb2_framebuffer},
    {"bad-mb2-no-end.elf", "Multiboot2 header without an end tag: LOADER_ERR_TAG", 2, k_mb2_no_end},
    {"bad-linux-bootflag.bin", "bzImage with boot_flag 0: LOADER_ERR_SETUP_HEADER", 3,
     k_lx_bootflag},
    {"bad-linux-version.bin", "bzImage of protocol 2.04: LOADER_ERR_PROTOCOL", 3, k_lx_version},
    {"bad-linux-zimage.bin", "loadflags without LOADED_HIGH: LOADER_ERR_PROTOCOL", 3, k_lx_zimage},
    {"bad-linux-no64.bin", "xloadflags without XLF_KERNEL_64: LOADER_ERR_PROTOCOL", 3, k_lx_no64},
    {"bad-linux-truncated.bin", "bzImage cut to half its syssize: LOADER_ERR_KERNEL_SIZE", 3,
     k_lx_truncated},
};

#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

/* ---- the good a.out-kludge image ---- */

#define AOUT_FILE "good-aout.bin"
#define AOUT_WHAT                                                                                  \
    "GOOD: the a.out kludge (Multiboot flags bit 16) of hello, a flat binary loaded at its own "   \
    "addresses: loads and runs"

/* The flat image of b's PT_LOAD with an a.out-kludge Multiboot header (3.1.3) filled in from the
 * ELF file: header_addr where the header is loaded, load_addr the segment's start, load_end_addr
 * the end of its file bytes, bss_end_addr the end of its memory, entry_addr e_entry. */
static struct img make_aout(const struct base *b)
{
    const struct img *e = &b->img;
    uint32_t off = get32(e, ph(b, b->load, P_OFFSET));
    uint32_t addr = get32(e, ph(b, b->load, P_PADDR));
    uint32_t filesz = get32(e, ph(b, b->load, P_FILESZ));
    uint32_t memsz = get32(e, ph(b, b->load, P_MEMSZ));
    uint32_t entry = get32(e, 24);
    if (off > e->len || filesz > e->len - off || filesz > memsz ||
        (uint64_t)addr + memsz > 0x100000000ull)
        die("%s: bad PT_LOAD", b->path);
    /* Where the header lies in the flat image: inside it and within its first 8 KiB (3.1.1). */
    if (b->hdr < off || b->hdr - off + MB1_AOUT_SZ > filesz ||
        b->hdr - off + MB1_AOUT_SZ > MB1_SEARCH)
        die("%s: the Multiboot header is not in the first 8 KiB of the PT_LOAD", b->path);
    size_t h = b->hdr - off;
    for (size_t i = MB1_HDR_SZ; i < MB1_AOUT_SZ; i++)
        if (e->b[b->hdr + i] != 0)
            die("%s: no room for the a.out address fields: the 20 bytes after the Multiboot "
                "header are not zero (link the kernel with room after its header)",
                b->path);
    if (entry < addr + h + MB1_AOUT_SZ || entry - addr >= filesz)
        die("%s: e_entry is not in the PT_LOAD's file bytes after the header", b->path);
    if (get32(e, b->hdr + 4) & MB1_AOUT)
        die("%s: the Multiboot header already has flags bit 16", b->path);

    struct img m = img_new(filesz);
    memcpy(m.b, e->b + off, filesz);
    mb1_header(&m, h, get32(e, b->hdr + 4) | MB1_AOUT);
    put32(&m, h + 12, addr + (uint32_t)h); /* header_addr */
    put32(&m, h + 16, addr);               /* load_addr */
    put32(&m, h + 20, addr + filesz);      /* load_end_addr */
    put32(&m, h + 24, addr + memsz);       /* bss_end_addr */
    put32(&m, h + 28, entry);              /* entry_addr */
    return m;
}

#define BZ_FILE "good-bzimage.bin"
#define BZ_WHAT                                                                                    \
    "GOOD: a fake Linux bzImage (protocol 2.15, 64-bit entry that checks RSI and exits); with "    \
    "initrd=bad-empty.bin: LOADER_ERR_INITRD, with initrd=bad-mod-too-big.bin in a 4M VM: "        \
    "LOADER_ERR_INITRD"

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < NKINDS; i++)
            printf("%-26s %s\n", kinds[i].file, kinds[i].what);
        printf("%-26s %s\n", AOUT_FILE, AOUT_WHAT);
        printf("%-26s %s\n", BZ_FILE, BZ_WHAT);
        return 0;
    }
    if (argc != 5) {
        fprintf(stderr,
                "usage: %s HELLO.elf MB2HELLO.elf AOUTBASE.elf OUTDIR   write the images\n"
                "       %s --list                                      list them\n",
                prog, prog);
        return 2;
    }
    const char *outdir = argv[4];
    struct base bases[4], aout;
    memset(bases, 0, sizeof(bases));
    bases[3].path = "the fake bzImage";
    bases[3].img = bz_template();
    base_open(&bases[1], argv[1], MB1_MAGIC, 4, MB1_SEARCH);
    base_open(&bases[2], argv[2], MB2_MAGIC, 8, MB2_SEARCH);
    base_open(&aout, argv[3], MB1_MAGIC, 4, MB1_SEARCH);
    for (size_t i = 0; i < NKINDS; i++) {
        const struct base *b = &bases[kinds[i].base];
        struct img m = {NULL, 0}; /* synthetic kinds make their own */
        if (kinds[i].base)
            m = img_copy(&b->img);
        kinds[i].make(b, &m);
        img_write(outdir, kinds[i].file, &m);
        free(m.b);
    }
    struct img good = make_aout(&aout);
    img_write(outdir, AOUT_FILE, &good);
    free(good.b);
    img_write(outdir, BZ_FILE, &bases[3].img);
    for (int i = 1; i <= 3; i++)
        free(bases[i].img.b);
    free(aout.img.b);
    return 0;
}

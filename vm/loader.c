/*
 * vm/loader.c - image detection, the raw real-mode loader (the book's GuestBoot) and the
 * loader error texts. The Multiboot loaders are in loader_mb1.c and loader_mb2.c. Pure.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vm/elf.h"
#include "vm/loader_int.h"
#include "platform/bytes.h"
#include "platform/fmt.h"

static const char *const loader_error_names[] = {
    [0] = "ok",
    [-LOADER_ERR_BAD_ARG] = "bad argument",
    [-LOADER_ERR_EMPTY] = "empty image",
    [-LOADER_ERR_NO_HEADER] = "no Multiboot header",
    [-LOADER_ERR_HEADER_TOO_FAR] = "Multiboot header beyond the search area",
    [-LOADER_ERR_CHECKSUM] = "Multiboot header checksum bad",
    [-LOADER_ERR_HEADER_TRUNCATED] = "Multiboot header runs past the image",
    [-LOADER_ERR_FLAGS] = "Multiboot header requires an unsupported feature",
    [-LOADER_ERR_ARCH] = "Multiboot2 architecture not i386",
    [-LOADER_ERR_HEADER_LENGTH] = "Multiboot2 header_length too small",
    [-LOADER_ERR_TAG] = "malformed Multiboot2 header tag",
    [-LOADER_ERR_TAG_UNSUPPORTED] = "required Multiboot2 header tag not supported",
    [-LOADER_ERR_INFO_REQUEST] = "required Multiboot2 information not provided",
    [-LOADER_ERR_ADDR] = "inconsistent load addresses",
    [-LOADER_ERR_FILE_RANGE] = "load addresses reach outside the file",
    [-LOADER_ERR_ENTRY] = "entry point outside the loaded image",
    [-LOADER_ERR_NOT_RAM] = "outside guest RAM",
    [-LOADER_ERR_RESERVED] = "overlaps a reserved range",
    [-LOADER_ERR_REAL_MODE] = "image beyond real-mode reach (1 MiB)",
    [-LOADER_ERR_STACK] = "no usable real-mode stack",
    [-LOADER_ERR_NO_SPACE] = "no room for boot information and modules",
    [-LOADER_ERR_SETUP_HEADER] = "Linux setup header malformed",
    [-LOADER_ERR_PROTOCOL] = "Linux boot protocol version or flags not supported",
    [-LOADER_ERR_KERNEL_SIZE] = "Linux kernel size inconsistent with its setup header",
    [-LOADER_ERR_CMDLINE] = "command line longer than the kernel's cmdline_size",
    [-LOADER_ERR_INITRD] = "initrd empty or no room for it",
};

const char *loader_error_str(int err)
{
    if (err <= ELF_ERR_BAD_ARG)
        return elf_error_str(err);
    if (err > 0 || -err >= (int)(sizeof(loader_error_names) / sizeof(loader_error_names[0])))
        return "unknown error";
    return loader_error_names[-err];
}

int loader_describe_entry(const struct load_cpu *c, char *buf, size_t size)
{
    if (c->protected_mode) /* flat segments: EIP is the address */
        return fmt_snprintf(buf, size, "entry 0x%x", (unsigned)c->eip);
    /* real-address mode: linear = CS.base + IP, base = selector * 16 (SDM 20.1.1) */
    return fmt_snprintf(buf, size, "entry 0x%x (real mode %04x:%04x)",
                        (unsigned)(c->cs_base + c->eip), (unsigned)c->cs, (unsigned)c->eip);
}

const char *loader_kind_name(int kind)
{
    switch (kind) {
    case LOAD_RAW_REAL_MODE:
        return "raw real-mode image";
    case LOAD_MULTIBOOT1:
        return "Multiboot";
    case LOAD_MULTIBOOT2:
        return "Multiboot2";
    case LOAD_LINUX:
        return "Linux";
    default:
        return "unknown";
    }
}

static bool loader_has_magic(const uint8_t *img, size_t len, uint32_t magic, size_t align,
                             size_t search)
{
    size_t area = len < search ? len : search;
    for (size_t o = 0; o + 4 <= area; o += align) {
        if (rd32(img + o) == magic)
            return true;
    }
    return false;
}

int loader_detect(const uint8_t *img, size_t len)
{
    if (img == NULL)
        return LOAD_RAW_REAL_MODE;
    /* Linux boot protocol (boot.rst, "header" field, 2.00+): "HdrS" at a fixed offset */
    if (len >= LOADER_LINUX_MAGIC_OFF + 4 &&
        rd32(img + LOADER_LINUX_MAGIC_OFF) == LOADER_LINUX_MAGIC)
        return LOAD_LINUX;
    /* Multiboot2 3.1.1: 64-bit aligned in the first 32768 bytes */
    if (loader_has_magic(img, len, LOADER_MB2_HEADER_MAGIC, 8, LOADER_MB2_SEARCH))
        return LOAD_MULTIBOOT2;
    /* Multiboot 3.1.1: 32-bit aligned in the first 8192 bytes */
    if (loader_has_magic(img, len, LOADER_MB1_HEADER_MAGIC, 4, LOADER_MB1_SEARCH))
        return LOAD_MULTIBOOT1;
    /* An ELF file is a kernel, never a raw real-mode image: without a Multiboot header it goes
     * to the Multiboot loader, which says the header is missing (System V gABI: ELF magic). */
    if (len >= 4 && img[0] == 0x7f && img[1] == 'E' && img[2] == 'L' && img[3] == 'F')
        return LOAD_MULTIBOOT1;
    return LOAD_RAW_REAL_MODE;
}

/* Real-address mode: linear = selector * 16 + offset (same section as below). Choose the selector
 * so that the offset of the top of the stack is in (0, 0x10000]; SP = 0 stands for 0x10000. */
static void raw_stack(uint64_t top, uint16_t *ss, uint16_t *sp)
{
    uint64_t sel = ((top - 1) >> 4) & 0xF000;
    *ss = (uint16_t)sel;
    *sp = (uint16_t)(top - (sel << 4)); /* 0x10000 wraps to 0 */
}

int loader_load_raw(const uint8_t *img, size_t len, uint64_t load_gpa, uint64_t entry_gpa,
                    uint64_t stack_top, const struct guest_ram *ram,
                    const struct gpa_range *reserved, size_t nreserved, struct load_result *res,
                    char *err, size_t errlen)
{
    struct ld_ctx c = {ram, reserved, nreserved, false, err, errlen};
    fmt_msg(err, errlen, "%s", "");
    if ((img == NULL && len > 0) || ram == NULL || ram->ptr == NULL || res == NULL ||
        (reserved == NULL && nreserved > 0)) {
        fmt_msg(err, errlen, "NULL image, guest RAM, result or reserved list");
        return LOADER_ERR_BAD_ARG;
    }
    memset(res, 0, sizeof(*res));
    if (len == 0) {
        fmt_msg(err, errlen, "empty image (0 bytes)");
        return LOADER_ERR_EMPTY;
    }
    if (entry_gpa == LOADER_DEFAULT)
        entry_gpa = load_gpa;
    if (stack_top == LOADER_DEFAULT)
        stack_top = load_gpa;
    if (load_gpa > LOADER_REAL_MODE_TOP || len > LOADER_REAL_MODE_TOP - load_gpa) {
        fmt_msg(err, errlen,
                "image of 0x%lx bytes at 0x%lx ends past 1 MiB (0x100000), beyond real-mode "
                "reach: the load address must be at most 1 MiB - 0x%lx",
                LDX(len), LDX(load_gpa), LDX(len));
        return LOADER_ERR_REAL_MODE;
    }
    if (entry_gpa < load_gpa || entry_gpa - load_gpa >= len) {
        fmt_msg(err, errlen, "entry point 0x%lx is outside the image [0x%lx, 0x%lx)",
                LDX(entry_gpa), LDX(load_gpa), LDX(load_gpa + len));
        return LOADER_ERR_ENTRY;
    }
    if (stack_top == 0 || stack_top > LOADER_REAL_MODE_TOP || stack_top > ram->size) {
        fmt_msg(err, errlen,
                "stack top 0x%lx is unusable: it must be in (0, 0x100000] and at most the RAM "
                "size 0x%lx%s",
                LDX(stack_top), LDX(ram->size),
                stack_top == 0 ? " (image at 0 leaves no room below it: give a stack top)" : "");
        return LOADER_ERR_STACK;
    }
    int rc = ld_check_range(&c, "image", load_gpa, len);
    if (rc != LOADER_OK)
        return rc;

    ld_copy(ram, load_gpa, img, len);
    res->kind = LOAD_RAW_REAL_MODE;
    res->nsegs = 1;
    res->segs[0].gpa = load_gpa;
    res->segs[0].filesz = len;
    res->segs[0].memsz = len;
    res->image_end = load_gpa + len;

    /* SDM vol. 3, 8086 Emulation, "Address Translation in Real-Address Mode": segment
     * base = selector << 4; CS = (entry >> 4) & 0xF000 keeps IP below 64 KiB. */
    struct load_cpu *cpu = &res->cpu;
    uint16_t ss, sp;
    raw_stack(stack_top, &ss, &sp);
    cpu->protected_mode = false;
    cpu->cs = (uint16_t)((entry_gpa >> 4) & 0xF000);
    cpu->cs_base = (uint32_t)cpu->cs << 4;
    cpu->eip = (uint32_t)(entry_gpa - cpu->cs_base);
    cpu->ds = cpu->cs;
    cpu->ss = ss;
    cpu->ss_base = (uint32_t)ss << 4;
    cpu->esp = sp;
    cpu->eflags = LOADER_EFLAGS;
    return LOADER_OK;
}

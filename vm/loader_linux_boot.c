/*
 * vm/loader_linux_boot.c - what the Linux loader writes once its plan is checked: the e820
 * map, boot_params (the "zero page") with the kernel's setup header, a GDT with __BOOT_CS and
 * __BOOT_DS, identity-mapping page tables, and the start state of the 64-bit (or 32-bit)
 * entry. The checks and the placement are in loader_linux.c. Pure.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vm/loader_int.h"

/* ---- e820 ---- */

struct lx_paint {
    uint64_t base, end;
    uint32_t type; /* a higher type wins where ranges overlap: ACPI > reserved > RAM */
};

static size_t lx_add(struct lx_paint *r, size_t n, uint64_t base, uint64_t end, uint32_t type)
{
    if (end > base)
        r[n++] = (struct lx_paint){base, end, type};
    return n;
}

size_t lx_e820_build(uint64_t ram_size, const struct gpa_range *reserved, size_t nreserved,
                     uint64_t acpi_base, uint64_t acpi_end, struct lx_e820 *out)
{
    struct lx_paint r[LOADER_LINUX_MAX_RESERVED + 6];
    uint64_t pts[2 * (LOADER_LINUX_MAX_RESERVED + 6)];
    uint64_t ram_top = ram_size < LOADER_MMIO_BASE ? ram_size : LOADER_MMIO_BASE;
    size_t n = 0, npts = 0, nout = 0;

    if (nreserved > LOADER_LINUX_MAX_RESERVED)
        nreserved = LOADER_LINUX_MAX_RESERVED;
    n = lx_add(r, n, 0, ram_top < LOADER_LOW_END ? ram_top : LOADER_LOW_END, LX_E820_RAM);
    n = lx_add(r, n, LOADER_HIGH_BASE, ram_top, LX_E820_RAM);
    /* EBDA, video memory and the BIOS ROM, as on a PC (what the Multiboot map says too) */
    n = lx_add(r, n, LOADER_LOW_END, LOADER_HIGH_BASE, LX_E820_RESERVED);
    for (size_t i = 0; i < nreserved; i++)
        n = lx_add(r, n, reserved[i].base, reserved[i].end, LX_E820_RESERVED);
    n = lx_add(r, n, LOADER_IOAPIC_BASE, LOADER_IOAPIC_BASE + LOADER_PAGE, LX_E820_RESERVED);
    n = lx_add(r, n, LOADER_LAPIC_BASE, LOADER_LAPIC_BASE + LOADER_PAGE, LX_E820_RESERVED);
    n = lx_add(r, n, acpi_base, acpi_end, LX_E820_ACPI);

    /* Every boundary, sorted and unique; between two neighbours one type holds. */
    for (size_t i = 0; i < n; i++) {
        pts[npts++] = r[i].base;
        pts[npts++] = r[i].end;
    }
    for (size_t i = 1; i < npts; i++) {
        uint64_t v = pts[i];
        size_t j = i;
        for (; j > 0 && pts[j - 1] > v; j--)
            pts[j] = pts[j - 1];
        pts[j] = v;
    }
    for (size_t i = 0; i + 1 < npts; i++) {
        uint64_t a = pts[i], b = pts[i + 1];
        uint32_t type = 0;
        if (a == b)
            continue;
        for (size_t k = 0; k < n; k++)
            if (r[k].base <= a && b <= r[k].end && r[k].type > type)
                type = r[k].type;
        if (type == 0)
            continue; /* a hole: not in the map */
        if (nout > 0 && out[nout - 1].type == type && out[nout - 1].addr + out[nout - 1].size == a)
            out[nout - 1].size += b - a;
        else
            out[nout++] = (struct lx_e820){a, b - a, type};
    }
    return nout;
}

/* ---- boot_params, GDT, page tables ---- */

static void lx_put8(const struct guest_ram *ram, uint64_t gpa, uint8_t v)
{
    ld_copy(ram, gpa, &v, 1);
}

/* Flat descriptors, base 0, limit 0xFFFFF in 4 KiB units (G = 1), present, DPL 0, accessed
 * set so that the CPU never writes the GDT (SDM vol. 3A 3.4.5, Segment Descriptors; 5.2.1,
 * Code-Segment Descriptors in 64-bit Mode: L = 1, D = 0). */
#define LX_DESC_CODE64 0x00AF9B000000FFFFull /* L = 1: 64-bit code, execute/read */
#define LX_DESC_CODE32 0x00CF9B000000FFFFull /* D = 1: 32-bit code, execute/read */
#define LX_DESC_DATA   0x00CF93000000FFFFull /* B = 1: read/write data */

/* 4-level paging entries (SDM vol. 3A 4.5, Tables 4-15 and 4-17): present, writable; PS in a
 * page-directory entry maps a 2 MiB page. */
#define LX_PTE_P  0x1ull
#define LX_PTE_RW 0x2ull
#define LX_PTE_PS 0x80ull

static void lx_page_tables(const struct guest_ram *ram, uint64_t boot)
{
    uint64_t pml4 = boot + LX_OFF_PML4, pdpt = boot + LX_OFF_PDPT;
    ld_put64(ram, pml4, pdpt | LX_PTE_P | LX_PTE_RW);
    for (uint64_t i = 0; i < LX_PD_COUNT; i++) {
        uint64_t pd = boot + LX_OFF_PD + i * LOADER_PAGE;
        ld_put64(ram, pdpt + 8 * i, pd | LX_PTE_P | LX_PTE_RW);
        for (uint64_t j = 0; j < 512; j++)
            ld_put64(ram, pd + 8 * j,
                     (i << 30 | j << 21) | LX_PTE_P | LX_PTE_RW | LX_PTE_PS); /* identity */
    }
}

static void lx_boot_params(const struct guest_ram *ram, const struct lx_plan *p)
{
    uint64_t bp = p->boot + LX_OFF_BOOT_PARAMS;
    uint64_t cmdline = p->boot + LX_OFF_CMDLINE;

    /* boot.rst "64-bit Boot Protocol": boot_params zeroed, then the setup header from offset
     * 0x1F1 of the image, up to 0x202 + the byte at 0x201 */
    ld_copy(ram, bp + LX_SETUP_SECTS, p->img + LX_SETUP_SECTS, p->hdr_end - LX_SETUP_SECTS);
    if (p->img[LX_SETUP_SECTS] == 0)
        lx_put8(ram, bp + LX_SETUP_SECTS, 4);                /* boot.rst: setup_sects 0 means 4 */
    lx_put8(ram, bp + LX_TYPE_OF_LOADER, LX_TYPE_UNDEFINED); /* type_of_loader: no id */
    ld_put32(ram, bp + LX_CODE32_START, (uint32_t)p->load);  /* code32_start: reloc */
    ld_put32(ram, bp + LX_CMD_LINE_PTR, (uint32_t)cmdline);
    ld_put32(ram, bp + BP_EXT_CMD_LINE_PTR, (uint32_t)(cmdline >> 32));
    ld_put32(ram, bp + LX_RAMDISK_IMAGE, (uint32_t)p->initrd_gpa);
    ld_put32(ram, bp + LX_RAMDISK_SIZE, (uint32_t)p->initrd_len);
    ld_put32(ram, bp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(p->initrd_gpa >> 32));
    ld_put32(ram, bp + BP_EXT_RAMDISK_SIZE, (uint32_t)(p->initrd_len >> 32));
    if (p->alignment_lowered) /* boot.rst: kernel_alignment, min_alignment (2.10+) */
        ld_put32(ram, bp + LX_KERNEL_ALIGNMENT, p->kernel_alignment);
    /* zero-page.rst acpi_rsdp_addr: read by the kernel whatever the protocol version (the
     * setup-header field of version 2.14 was withdrawn) */
    ld_put64(ram, bp + BP_ACPI_RSDP_ADDR, p->rsdp_gpa);
    lx_put8(ram, bp + BP_E820_ENTRIES, (uint8_t)p->ne820);
    for (size_t i = 0; i < p->ne820; i++) {
        uint64_t e = bp + BP_E820_TABLE + BP_E820_ENTRY * i;
        ld_put64(ram, e, p->e820[i].addr);
        ld_put64(ram, e + 8, p->e820[i].size);
        ld_put32(ram, e + 16, p->e820[i].type);
    }
}

void lx_write(const struct guest_ram *ram, const struct lx_plan *p)
{
    uint64_t gdt = p->boot + LX_OFF_GDT;

    ld_copy(ram, p->load, p->pm, p->pm_len);
    ld_zero(ram, p->boot, p->boot_size);
    lx_boot_params(ram, p);
    /* GDT: 0x00 null, 0x08 unused, 0x10 __BOOT_CS, 0x18 __BOOT_DS (boot.rst "32-bit Boot
     * Protocol", "64-bit Boot Protocol") */
    ld_put64(ram, gdt + LOADER_LINUX_BOOT_CS, p->entry32 ? LX_DESC_CODE32 : LX_DESC_CODE64);
    ld_put64(ram, gdt + LOADER_LINUX_BOOT_DS, LX_DESC_DATA);
    lx_page_tables(ram, p->boot);
    ld_copy(ram, p->boot + LX_OFF_CMDLINE, p->cmdline, p->cmdline_len + 1);
    if (p->initrd_len > 0)
        ld_copy(ram, p->initrd_gpa, p->initrd, p->initrd_len);
    if (p->acpi_len > 0)
        ld_copy(ram, p->acpi_gpa, p->acpi, p->acpi_len);
}

void lx_cpu(struct load_cpu *cpu, const struct lx_plan *p)
{
    memset(cpu, 0, sizeof(*cpu));
    cpu->protected_mode = true;
    cpu->cs = LOADER_LINUX_BOOT_CS;
    cpu->ds = LOADER_LINUX_BOOT_DS;
    cpu->ss = LOADER_LINUX_BOOT_DS;
    cpu->eflags = LOADER_EFLAGS; /* interrupts off */
    cpu->rsi = p->boot + LX_OFF_BOOT_PARAMS;
    cpu->gdt_base = p->boot + LX_OFF_GDT;
    cpu->gdt_limit = LX_GDT_ENTRIES * 8 - 1;
    if (p->entry32) {
        /* boot.rst "32-bit Boot Protocol": protected mode, paging off, at the load address */
        cpu->rip = p->load;
        cpu->cr0 = LOADER_CR0_PE | LOADER_CR0_ET;
    } else {
        /* boot.rst "64-bit Boot Protocol": 64-bit mode, paging on, at the load address + 0x200;
         * IA-32e mode is PAE paging with EFER.LME, active (LMA) once CR0.PG is set (SDM vol. 3A
         * 10.8.5, Initializing IA-32e Mode) */
        cpu->long_mode = true;
        cpu->rip = p->load + LX_ENTRY64;
        cpu->cr0 = LOADER_CR0_PE | LOADER_CR0_ET | LOADER_CR0_PG;
        cpu->cr4 = LOADER_CR4_PAE;
        cpu->efer = LOADER_EFER_LME | LOADER_EFER_LMA;
        cpu->cr3 = p->boot + LX_OFF_PML4;
    }
    cpu->eip = (uint32_t)cpu->rip;
}

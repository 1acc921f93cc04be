/* platform/boot.c - the platform's boot stages, in order (book 1.2-1.5). */
#include <string.h>
#include "platform/acpi.h"
#include "platform/boot.h"
#include "platform/config.h"
#include "platform/console.h"
#include "platform/cpu.h"
#include "platform/desc.h"
#include "platform/lapic.h"
#include "platform/mb2_efi.h"
#include "platform/mem.h"
#include "platform/paging.h"
#include "platform/panic.h"
#include "platform/percpu.h"
#include "platform/pic.h"
#include "platform/power.h"
#include "platform/smp.h"
#include "platform/trap.h"

#define NSTAGES     9
#define MAX_MMAP    64
#define MAX_MODULES 16

struct mb2_info boot_info;
static struct mb2_mmap_entry mmap_store[MAX_MMAP];
static struct mb2_module module_store[MAX_MODULES];
static uint8_t bsp_ist[4096] __attribute__((aligned(16)));

static void stage(int n, const char *name)
{
    trace(TRACE_BOOT_STAGE, (uint64_t)n, 0, 0, 0);
    pr_info("boot: [%d/%d] %s\n", n, NSTAGES, name);
}

static const char *mmap_type_name(uint32_t t)
{
    switch (t) {
    case MB2_MMAP_AVAILABLE:
        return "usable";
    case MB2_MMAP_ACPI:
        return "ACPI reclaimable";
    case MB2_MMAP_NVS:
        return "ACPI NVS";
    case MB2_MMAP_BADRAM:
        return "bad RAM";
    default:
        return "reserved";
    }
}

static void parse_boot_info(uint32_t magic, uint32_t info_phys)
{
    char msg[160] = "";
    if (mb2_check_magic(magic))
        panic("not started by a Multiboot2 loader (EAX=0x%08x, expected 0x%08x): "
              "boot Vanderpool with GRUB's multiboot2 command",
              magic, MB2_BOOTLOADER_MAGIC);
    boot_info.mmap = mmap_store;
    boot_info.mmap_cap = MAX_MMAP;
    boot_info.modules = module_store;
    boot_info.modules_cap = MAX_MODULES;
    /* The block lies in RAM below 4 GiB; its own size field is validated by the parser
     * against this bound (Multiboot2 3.6.1). */
    size_t avail = (size_t)((4ull << 30) - info_phys);
    int err = mb2_parse(phys_to_virt(info_phys), avail, &boot_info, msg, sizeof(msg));
    if (err)
        panic("the Multiboot2 boot information at 0x%x is malformed: %s (%s)", info_phys,
              mb2_error_str(err), msg);
    if (boot_info.mmap_overflow)
        pr_warn("boot: memory map has %zu entries, only the first %d are used\n",
                boot_info.mmap_total, MAX_MMAP);
    if (boot_info.modules_overflow)
        pr_warn("boot: %zu modules, only the first %d are used\n", boot_info.modules_total,
                MAX_MODULES);
    if (boot_info.efi_boot_services) /* Multiboot2 3.6.20: we never ask for it (boot/entry.S) */
        pr_warn("boot: the boot loader left EFI boot services running; Vanderpool does not use "
                "them\n");
    if (boot_info.has_efi_mmap && boot_info.efi_desc_version != EFI_MEMORY_DESCRIPTOR_VERSION)
        pr_warn("boot: EFI memory descriptor version %u (expected %u); read as version %u\n",
                boot_info.efi_desc_version, EFI_MEMORY_DESCRIPTOR_VERSION,
                EFI_MEMORY_DESCRIPTOR_VERSION);
}

/* Which firmware started us, as far as the boot information tells. */
static void print_firmware(void)
{
    if (!mb2_booted_by_efi(&boot_info)) {
        pr_info("boot: firmware BIOS (no EFI tags in the boot information)\n");
        return;
    }
    if (boot_info.efi_systab)
        pr_info("boot: firmware UEFI: EFI %d-bit system table at 0x%lx, EFI memory map of %u "
                "descriptors\n",
                boot_info.efi_systab_is_64 ? 64 : 32, boot_info.efi_systab,
                boot_info.efi_desc_count);
    else
        pr_info("boot: firmware UEFI: no EFI system table, EFI memory map of %u descriptors\n",
                boot_info.efi_desc_count);
}

/* bootinfo=efi: the EFI memory map (Multiboot2 3.6.19) instead of the boot loader's own. */
static void choose_memory_map(void)
{
    if (config.bootinfo != 1 || boot_info.mmap_from_efi)
        return;
    if (!boot_info.efi_mmap) {
        pr_warn("bootinfo=efi: no EFI memory map in the boot information (%s); using the "
                "Multiboot2 memory map\n",
                mb2_booted_by_efi(&boot_info) ? "UEFI" : "BIOS firmware");
        return;
    }
    mb2_efi_mmap_convert(boot_info.efi_mmap, boot_info.efi_mmap_size, &boot_info);
    if (boot_info.mmap_overflow)
        pr_warn("boot: the EFI memory map has %zu ranges, only the first %d are used\n",
                boot_info.mmap_total, MAX_MMAP);
}

static void print_memory_map(void)
{
    uint64_t usable = 0;
    for (size_t i = 0; i < boot_info.mmap_count; i++) {
        const struct mb2_mmap_entry *e = &boot_info.mmap[i];
        pr_info("memory: %016lx-%016lx %-16s %8lu KiB\n", e->base, e->base + e->length,
                mmap_type_name(e->type), e->length >> 10);
        if (e->type == MB2_MMAP_AVAILABLE)
            usable += e->length;
    }
    pr_info("memory: %zu map entries, %lu MiB usable, %zu modules (map from the %s)\n",
            boot_info.mmap_count, usable >> 20, boot_info.modules_count,
            boot_info.mmap_from_efi ? "EFI memory map tag" : "Multiboot2 memory map tag");
}

/* CPU 0 is the bootstrap processor; the others follow in MADT order. */
static void discover_cpus(void)
{
    uint32_t bsp = lapic_id();
    cpus[0].apic_id = bsp;
    cpus[0].state = CPU_ONLINE;
    cpu_count = 1;
    if (!acpi.have_madt)
        return;
    for (uint32_t i = 0; i < acpi.madt.cpu_count && cpu_count < MAX_CPUS; i++) {
        const struct acpi_cpu *c = &acpi.madt.cpus[i];
        if (!c->enabled || c->apic_id == bsp)
            continue;
        cpus[cpu_count].apic_id = c->apic_id;
        cpus[cpu_count].state = CPU_ABSENT;
        cpu_count++;
    }
    if (acpi.madt.overflow)
        pr_warn("ACPI: MADT lists more entries than Vanderpool keeps (%u dropped)\n",
                acpi.madt.dropped);
}

int platform_init(uint32_t magic, uint32_t info_phys)
{
    percpu_setup(0, 0);
    console_init();
    kprintf("\nVanderpool - a VT-x hypervisor - booting\n");
    stage(1, "serial console");

    stage(2, "boot information (Multiboot2)");
    parse_boot_info(magic, info_phys);
    pr_info("boot: loader '%s', command line '%s'\n",
            boot_info.loader_name ? boot_info.loader_name : "?",
            boot_info.cmdline ? boot_info.cmdline : "");
    print_firmware();

    stage(3, "command line");
    int cmd_errors = config_parse(boot_info.cmdline);
    console_set_level((enum log_level)config.log);
    console_set_debugport(config.debugport);
    panic_set_action((enum panic_action)config.onpanic);

    stage(4, "descriptor tables");
    trap_init();
    idt_init();
    gdt_init_cpu(&cpus[0].gdt, (uint64_t)bsp_ist + sizeof(bsp_ist));
    idt_load();

    stage(5, "physical memory");
    choose_memory_map();
    print_memory_map();
    if (mem_init(&boot_info, info_phys))
        panic("cannot manage physical memory");
    mem_print_stats();
    if (config.tracedump && trace_rings_enlarge(TRACE_RING_DUMP))
        pr_warn("tracedump: no memory for rings of %u records; they keep %u\n", TRACE_RING_DUMP,
                TRACE_RING_SIZE);

    stage(6, "paging");
    if (paging_init())
        panic("out of memory while building the page tables");
    pr_info("paging: identity map of %lu GiB, NX %s, CR3 0x%lx\n", paging_mapped_bytes() >> 30,
            (rdmsr(MSR_EFER) & (1u << 11)) ? "on" : "off (not supported)", paging_cr3());

    stage(7, "ACPI");
    acpi_init(&boot_info, config.bootinfo == 1);
    if (acpi.have_s5)
        power_set_acpi_s5((uint16_t)acpi.fadt.pm1a_cnt, (uint16_t)acpi.fadt.pm1b_cnt,
                          acpi.s5.slp_typa, acpi.s5.slp_typb);

    stage(8, "local APIC and timers");
    pic_disable();
    lapic_set_mode((enum lapic_mode)config.apic);
    lapic_init();
    cpus[0].apic_id = lapic_id();
    percpu_setup(0, cpus[0].apic_id);
    struct timer_calibration cal;
    uint16_t pm = 0;
    if (config.calibrate == 1) {
        if (acpi.have_fadt && acpi.fadt.pm_tmr)
            pm = (uint16_t)acpi.fadt.pm_tmr;
        else
            pr_warn("calibrate=pmtimer: no ACPI PM timer in the FADT; using the PIT\n");
    }
    if (lapic_calibrate(&cal, pm, acpi.fadt.tmr_val_ext))
        pr_warn("timer calibration failed; delays will be wrong\n");
    pr_info("lapic: %s mode, BSP APIC id %u; TSC %lu kHz, APIC timer %u ticks/ms (/16), "
            "measured against the %s\n",
            lapic_x2apic() ? "x2APIC" : "xAPIC", cpus[0].apic_id, cal.tsc_per_ms,
            cal.lapic_ticks_per_ms, cal.reference);
    irq_enable();

    stage(9, "application processors");
    discover_cpus();
    uint32_t online = smp_start_aps((uint32_t)config.cpus);
    for (uint32_t i = 0; i < cpu_count; i++)
        if (cpus[i].state == CPU_ONLINE)
            pr_info("cpu: CPU %u online, APIC id %u%s\n", i, cpus[i].apic_id,
                    i == 0 ? " (bootstrap)" : "");
    pr_info("cpu: %u of %u CPUs online\n", online, cpu_count);
    return cmd_errors;
}

/* vm/vm.c - creating a VM: guest RAM behind its own EPT, the image loaded, devices attached
 * (book 6.1, 6.3-6.4). */
#include <stdarg.h>
#include <string.h>
#include "platform/boot.h"
#include "platform/console.h"
#include "platform/cpu.h"
#include "platform/fmt.h"
#include "platform/mem.h"
#include "vm/acpi_build.h"
#include "vm/host_mtrr.h"
#include "vm/sched.h"
#include "vm/vm.h"
#include "vm/vm_stop.h"
#include "vmx/ept_violation.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_cpu.h"

#define SZ_2M (2ull << 20)
/* A Linux guest's ACPI tables: in the BIOS area, where a BIOS keeps them (so a kernel that
 * ignores boot_params.acpi_rsdp_addr still finds the RSDP by its scan, ACPI 6.4 5.2.5.1). */
#define VM_ACPI_GPA 0xE0000u
#define VM_ACPI_MAX 1024u /* acpi_build_size(VM_VCPUS_MAX) is about 0x300 */

/* ---- EPT table pages come from the page allocator; they are counted per VM ---- */

static uint64_t ept_alloc(void *ctx)
{
    (void)ctx;
    return mem_alloc_pages(1);
}

static void ept_free(void *ctx, uint64_t phys)
{
    (void)ctx;
    mem_free_pages(phys, 1);
}

static void *ept_ptr(void *ctx, uint64_t phys)
{
    (void)ctx;
    return phys_to_virt(phys);
}

uint8_t *vm_gpa_ptr(struct vm *vm, uint64_t gpa, uint64_t len)
{
    if (gpa >= vm->cfg.mem || len > vm->cfg.mem - gpa)
        return NULL;
    return phys_to_virt(vm->ram_hpa + gpa);
}

static uint8_t *ram_ptr(void *ctx, uint64_t gpa, uint64_t len)
{
    return vm_gpa_ptr(ctx, gpa, len);
}

static bool vm_read_gpa(struct vcpu *v, uint64_t gpa, void *buf, unsigned len)
{
    const uint8_t *p = vm_gpa_ptr(v->vm, gpa, len); /* guest RAM is contiguous in the host */
    if (!p)
        return false;
    memcpy(buf, p, len);
    return true;
}

static bool vm_write_gpa(struct vcpu *v, uint64_t gpa, const void *buf, unsigned len)
{
    uint8_t *p = vm_gpa_ptr(v->vm, gpa, len);
    if (!p)
        return false;
    memcpy(p, buf, len);
    return true;
}

static void vm_explain_misconfig(struct vcpu *v, uint64_t gpa, char *buf, unsigned len)
{
    struct vm *vm = v->vm;
    ept_explain_misconfig(&vm->ept, gpa, buf, len);
}

const struct vcpu_ops vm_vcpu_ops = {
    .io = vm_port_io,
    .string_io = vm_string_io,
    .task_switch = vm_task_switch,
    .read_gpa = vm_read_gpa,
    .write_gpa = vm_write_gpa,
    .ept_violation = vm_ept_violation,
    .explain_misconfig = vm_explain_misconfig,
    .intr_peek = vm_intr_peek,
    .intr_ack = vm_intr_ack,
    .next_event = vm_next_event,
    .msr = vm_msr,
    .start_state = vm_start_state,
    .stopped = vm_vcpu_stopped,
    .apic_x2apic = vm_apic_x2apic,
    .apic_eoi_exit_bitmap = vm_apic_eoi_exit_bitmap,
    .apic_write = vm_apic_write,
    .apic_eoi = vm_apic_eoi,
    .no_progress = vm_no_progress,
};

/* ---- creation ---- */

static const struct mb2_module *find_module(const char *name)
{
    for (size_t i = 0; i < boot_info.modules_count; i++)
        if (boot_info.modules[i].cmdline &&
            vm_config_image_matches(name, boot_info.modules[i].cmdline))
            return &boot_info.modules[i];
    return NULL;
}

/* Guest RAM and its EPT: GPA 0 .. mem -> one contiguous host block, with the memory type the
 * host MTRRs give that block (book 6.1.10; SDM 29.3.7). */
static int setup_memory(struct vm *vm)
{
    uint64_t pages = vm->cfg.mem / 4096;
    vm->ram_hpa = mem_alloc_aligned(pages, SZ_2M, 0);
    if (!vm->ram_hpa)
        return vm_refuse(vm, "no %lu MiB of contiguous host memory for its RAM", vm->cfg.mem >> 20);
    vm->memtype = host_mtrr_type(vm->ram_hpa, vm->cfg.mem);
    unsigned sizes = EPT_PAGE_4K;
    if (vmx.caps.ept.pages_2m)
        sizes |= EPT_PAGE_2M;
    if (vmx.caps.ept.pages_1g && vmx.caps.ept.pages_2m)
        sizes |= EPT_PAGE_1G;
    struct ept_mem m = {ept_alloc, ept_free, ept_ptr, NULL};
    int err = ept_init(&vm->ept, &m, sizes, vm->cfg.ad && vmx.caps.ept.ad_flags,
                       vmx.caps.ept.execute_only);
    if (!err)
        err = ept_map(&vm->ept, 0, vm->ram_hpa, vm->cfg.mem, EPT_R | EPT_W | EPT_X, vm->memtype,
                      false);
    if (!err && vm->cfg.has_eptlazy) { /* book example 7-1: no access until first touched */
        err = ept_unmap(&vm->ept, vm->cfg.eptlazy, 4096);
        vm->eptlazy_pending = !err;
    }
    if (err)
        return vm_refuse(vm, "EPT set-up failed: %s", ept_error_str(err));
    vm->eptp = ept_eptp(&vm->ept, vmx.caps.ept.memtype_wb ? EPT_MT_WB : EPT_MT_UC);
    pr_debug("vm %s: EPT of %u table pages, page sizes%s%s%s, accessed/dirty flags %s\n",
             vm->cfg.name, vm->ept.tables, (sizes & EPT_PAGE_4K) ? " 4K" : "",
             (sizes & EPT_PAGE_2M) ? " 2M" : "", (sizes & EPT_PAGE_1G) ? " 1G" : "",
             vm->cfg.ad && vmx.caps.ept.ad_flags ? "on" : "off");
    return 0;
}

/* A Linux bzImage with its initrd (NULL: none) and ACPI tables for the VM's vCPUs. */
static int load_linux(struct vm *vm, const uint8_t *data, size_t len,
                      const struct mb2_module *initrd, const struct guest_ram *ram,
                      const struct gpa_range *reserved, size_t nreserved, char *err, size_t errlen)
{
    uint8_t acpi[VM_ACPI_MAX];
    struct acpi_build_cfg ac = {vm->cfg.vcpus, NULL, (uint8_t)vm->cfg.vcpus};
    struct acpi_build_layout lay;
    if (acpi_build(&ac, VM_ACPI_GPA, acpi, sizeof(acpi), &lay, err, errlen) != ACPI_BUILD_OK)
        return LOADER_ERR_BAD_ARG;
    /* An empty module may have no address (GRUB gives 0): the loader still sees an initrd, of
     * 0 bytes, and refuses it by name. */
    static const uint8_t empty[1];
    const uint8_t *initrd_data = NULL;
    if (initrd)
        initrd_data = initrd->end > initrd->start ? phys_to_virt(initrd->start) : empty;
    struct load_linux_args a = {
        .cmdline = vm->cfg.cmdline,
        .initrd = initrd_data,
        .initrd_len = initrd ? initrd->end - initrd->start : 0,
        .acpi = acpi,
        .acpi_len = lay.size,
        .acpi_gpa = VM_ACPI_GPA,
        .rsdp_gpa = lay.rsdp,
    };
    return loader_load_linux(data, len, &a, ram, reserved, nreserved, &vm->load, err, errlen);
}

/* ACPI tables for a Multiboot or raw guest, so it finds its CPUs and interrupt controllers
 * (the MADT) as on a PC: at 0xE0000 in the BIOS area the memory map reserves, where the
 * ACPI 6.4 5.2.5.1 scan finds the RSDP; skipped when the image itself lies there. */
static void write_acpi(struct vm *vm)
{
    uint8_t acpi[VM_ACPI_MAX];
    char err[120];
    struct acpi_build_cfg ac = {vm->cfg.vcpus, NULL, (uint8_t)vm->cfg.vcpus};
    struct acpi_build_layout lay;
    if (vm->cfg.mem < VM_ACPI_GPA + VM_ACPI_MAX ||
        acpi_build(&ac, VM_ACPI_GPA, acpi, sizeof(acpi), &lay, err, sizeof(err)) != ACPI_BUILD_OK)
        return;
    for (size_t i = 0; i < vm->load.nsegs; i++) {
        const struct load_segment *g = &vm->load.segs[i];
        if (g->gpa < VM_ACPI_GPA + lay.size && VM_ACPI_GPA < g->gpa + g->memsz) {
            pr_info("vm %s: no ACPI tables: its image covers 0x%x\n", vm->cfg.name, VM_ACPI_GPA);
            return;
        }
    }
    uint8_t *dst = vm_gpa_ptr(vm, VM_ACPI_GPA, lay.size);
    if (dst)
        memcpy(dst, acpi, lay.size);
}

static int load_image(struct vm *vm)
{
    const struct mb2_module *img = find_module(vm->cfg.image);
    if (!img)
        return vm_refuse(vm, "no boot module named '%s' (give it to GRUB as module2)",
                         vm->cfg.image);
    struct load_module mods[VM_MODULES_MAX];
    for (uint32_t i = 0; i < vm->cfg.nmodules; i++) {
        const struct mb2_module *m = find_module(vm->cfg.modules[i]);
        if (!m)
            return vm_refuse(vm, "no boot module named '%s'", vm->cfg.modules[i]);
        mods[i] = (struct load_module){phys_to_virt(m->start), m->end - m->start, m->cmdline};
    }
    const struct mb2_module *initrd = NULL;
    if (vm->cfg.initrd[0] && !(initrd = find_module(vm->cfg.initrd)))
        return vm_refuse(vm, "no boot module named '%s' for its initrd", vm->cfg.initrd);
    const uint8_t *data = phys_to_virt(img->start);
    size_t len = img->end - img->start;
    /* The guest's command line: cmdline= of its description, else its module's arguments. */
    const char *cmdline = vm->cfg.cmdline;
    if (!cmdline[0]) {
        vm_config_module_args(img->cmdline, vm->module_cmdline, sizeof(vm->module_cmdline));
        cmdline = vm->module_cmdline;
    }
    struct guest_ram ram = {vm->cfg.mem, ram_ptr, vm};
    /* The real-mode IVT and BIOS data area stay free, as on a PC. */
    static const struct gpa_range reserved[] = {{0, 0x500}};
    char err[200] = "";
    int kind = vm->cfg.kind == VM_IMAGE_AUTO        ? loader_detect(data, len)
               : vm->cfg.kind == VM_IMAGE_RAW       ? LOAD_RAW_REAL_MODE
               : vm->cfg.kind == VM_IMAGE_MULTIBOOT ? LOAD_MULTIBOOT1
               : vm->cfg.kind == VM_IMAGE_LINUX     ? LOAD_LINUX
                                                    : LOAD_MULTIBOOT2;
    if (initrd && kind != LOAD_LINUX)
        return vm_refuse(vm, "initrd '%s' given, but image '%s' is a %s image, not a Linux bzImage",
                         vm->cfg.initrd, vm->cfg.image, loader_kind_name(kind));
    int rc;
    if (kind == LOAD_LINUX)
        rc = load_linux(vm, data, len, initrd, &ram, reserved, 1, err, sizeof(err));
    else if (kind == LOAD_MULTIBOOT1)
        rc = loader_load_multiboot1(data, len, cmdline, mods, vm->cfg.nmodules, &ram, reserved, 1,
                                    &vm->load, err, sizeof(err));
    else if (kind == LOAD_MULTIBOOT2)
        rc = loader_load_multiboot2(data, len, cmdline, mods, vm->cfg.nmodules, &ram, reserved, 1,
                                    &vm->load, err, sizeof(err));
    else
        rc = loader_load_raw(data, len, vm->cfg.load, vm->cfg.entry, LOADER_DEFAULT, &ram, reserved,
                             1, &vm->load, err, sizeof(err));
    if (rc)
        return vm_refuse(vm, "image '%s' rejected by the %s loader: %s", vm->cfg.image,
                         loader_kind_name(kind), err[0] ? err : loader_error_str(rc));
    if (kind == LOAD_LINUX) {
        char version[64] = "(no version string)";
        loader_linux_version(data, len, version, sizeof(version));
        pr_info("vm %s: Linux %s: kernel at 0x%lx, boot_params 0x%lx, initrd 0x%lx (%lu bytes), "
                "ACPI at 0x%lx, entry 0x%lx\n",
                vm->cfg.name, version, vm->load.segs[0].gpa, vm->load.info_gpa, vm->load.initrd_gpa,
                vm->load.initrd_size, vm->load.acpi_gpa, vm->load.cpu.rip);
        return 0;
    }
    write_acpi(vm);
    return 0;
}

int vm_create(struct vm *vm, uint32_t id, const struct vm_config *cfg)
{
    memset(vm, 0, sizeof(*vm));
    vm->cfg = *cfg;
    vm->id = id;
    if (!cfg->valid)
        return vm_refuse(vm, "its description has errors (see above)");
    if (setup_memory(vm))
        return -1;
    if (load_image(vm)) { /* give back what setup_memory took: other VMs may need it */
        ept_destroy(&vm->ept);
        mem_free_pages(vm->ram_hpa, vm->cfg.mem / 4096);
        vm->ram_hpa = 0;
        return -1;
    }

    const struct load_cpu *c = &vm->load.cpu;
    vm->start = (struct vcpu_config){
        .mode = c->long_mode        ? VCPU_MODE_GUEST64
                : c->protected_mode ? VCPU_MODE_PROT32
                                    : VCPU_MODE_REAL,
        .rip = c->long_mode ? c->rip : c->eip,
        .rsp = c->esp,
        .rax = c->eax,
        .rbx = c->ebx,
        .cs = c->cs,
        .ss = c->ss,
        .cr3 = c->cr3,
        .gdt_base = c->gdt_base,
        .gdt_limit = c->gdt_limit,
        .cr4 = c->cr4,
        .efer = c->efer,
        .rsi = c->rsi,
        .eptp = vm->eptp,
        .vpid = vmx_caps_has(&vmx.caps, VMX_FEATURE_VPID) ? (uint16_t)(id + 1) : 0,
    };
    /* Every vCPU's TSC runs from the same offset, so the guest's TSCs agree (SDM 26.3). */
    vm->tsc_offset = -rdtsc();
    vm->start.tsc_offset = vm->tsc_offset;
    vm->start.tsc_offset_valid = true;
    if (cfg->timer)
        vm->start.time_slice = cfg->timer;
    if (cfg->vmfunc) {
        uint64_t list = mem_alloc_pages(1); /* EPTP list (SDM 25.6.14): its one view at 0 */
        if (!list || !vmx.caps.eptp_switching)
            return vm_refuse(vm, "vmfunc=on: %s",
                             list ? "the CPU has no EPTP switching"
                                  : "no memory for the EPTP list");
        *(uint64_t *)phys_to_virt(list) = vm->eptp;
        vm->start.eptp_list = list;
    }
    vm->nvcpus = cfg->vcpus;
    for (uint32_t i = 0; i < vm->nvcpus; i++) {
        struct vcpu *v = &vm->vcpus[i];
        v->name = vm->cfg.name;
        v->id = id * VM_VCPUS_MAX + i;
        v->apic_id = i;
        v->index = i;
        v->ops = &vm_vcpu_ops;
        v->vm = vm;
        v->stop_request = &vm->stop;
        v->own_timer = cfg->timer != 0;
        v->rm_int.on = cfg->rmint; /* real-mode interrupts delivered by the hypervisor */
        v->exc.bitmap = cfg->exception_bitmap; /* book example 7-1 */
        v->exc.pfec_mask = cfg->pfec_mask;
        v->exc.pfec_match = cfg->pfec_match;
        v->watchdog.period = vm_watchdog_ticks(cfg->watchdog); /* armed by vcpu_init */
        /* vCPU 0 starts at the loader's entry; the others wait for INIT and a SIPI from it */
        vm->cpu_start[i] = i == 0 ? VM_CPU_RUNS : VM_CPU_WAIT_INIT;
    }
    io_bus_init(&vm->ports);
    io_bus_init(&vm->mmio);
    vm->state = VM_READY;
    char entry[48];
    loader_describe_entry(c, entry, sizeof(entry));
    pr_info("vm %s: %lu MiB RAM at host 0x%lx (%s), image '%s' (%s), %s, EPTP 0x%lx, VPID %u\n",
            vm->cfg.name, vm->cfg.mem >> 20, vm->ram_hpa, ept_memtype_name(vm->memtype),
            vm->cfg.image, loader_kind_name(vm->load.kind), entry, vm->eptp, vm->start.vpid);
    return 0;
}

int vm_schedule(struct vm *vm, uint32_t index, uint32_t host_cpu)
{
    vm->host_cpu[index] = host_cpu;
    if (sched_assign(host_cpu, &vm->vcpus[index], &vm->start))
        return vm_refuse(vm, "cannot run vCPU %u on host CPU %u", index, host_cpu);
    vm->state = VM_RUNNING;
    return 0;
}

void vm_set_board(struct vm *vm, const struct vm_board_ops *ops, void *ctx)
{
    vm->board = ops;
    vm->board_ctx = ctx;
    vm->start.device_time = true; /* the preemption timer also brings device events */
    for (uint32_t i = 0; i < vm->nvcpus; i++)
        vm->vcpus[i].lapic = ops && ops->intr_peek; /* its local APIC is the board's */
}

void *vm_alloc_page(struct vm *vm)
{
    uint64_t phys = mem_alloc_pages(1);
    if (!phys)
        return NULL;
    vm->device_pages++;
    void *p = phys_to_virt(phys);
    memset(p, 0, 4096);
    return p;
}

int vm_refuse(struct vm *vm, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(vm->why, sizeof(vm->why), fmt, ap);
    va_end(ap);
    vm->state = VM_FAILED;
    vm->status = VCPU_STOP_HOST;
    pr_err("vm %s: not started: %s\n", vm->cfg.name, vm->why);
    return -1;
}

int vm_status(const struct vm *vm)
{
    return vm->state == VM_FAILED ? vm->status : vm->vcpus[0].exit_status;
}

void vm_print_summary(const struct vm *vm)
{
    const struct vcpu *v = &vm->vcpus[0];
    const char *why = vm->why[0] ? vm->why : v->stop_reason;
    int status = vm_status(vm);
    char cause[80] = "", timer[48] = "";
    if (vm->state == VM_FAILED) {
        kprintf("vm %s: not run: %s\n", vm->cfg.name, why[0] ? why : "not started");
        return;
    }
    if (status < 0)
        fmt_snprintf(cause, sizeof(cause), " (stopped by the hypervisor: %s)",
                     vcpu_stop_status_name(status));
    uint64_t exits = 0, timer_exits = 0;
    for (uint32_t i = 0; i < vm->nvcpus; i++) {
        exits += vm->vcpus[i].exits;
        timer_exits += vm->vcpus[i].timer_exits;
    }
    if (v->own_timer)
        fmt_snprintf(timer, sizeof(timer), ", preemption-timer exits: %lu", timer_exits);
    kprintf("vm %s: exit status %d%s, %lu exits, on CPU %u: %s%s\n", vm->cfg.name, status, cause,
            exits, vm->host_cpu[0], why[0] ? why : "no reason recorded", timer);
    vm_apicv_report(vm);
}

uint64_t vm_overhead_bytes(const struct vm *vm)
{
    /* EPT tables, the device pages, and per vCPU: VMCS + I/O bitmaps A/B + MSR bitmap. */
    return ((uint64_t)vm->ept.tables + vm->device_pages + 4 * vm->nvcpus) * 4096;
}

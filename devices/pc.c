/*
 * devices/pc.c - the board: which device models a PC-like VM gets, on which ports, memory
 * ranges and interrupt lines (DESIGN §6). The models are pure state machines (i8259, i8254,
 * rtc, ioapic, vlapic, uart16550, debugcon, debug_exit, shutdown_port, port_policy); this file
 * wires them to the VM's buses (vm/io_bus.h) and gives the VM layer its interrupt and time
 * hooks (struct vm_board_ops). Everything here runs under the VM's device lock.
 *
 *   ports  0x20-0x21, 0xa0-0xa1 8259 pair; 0x4d0-0x4d1 ELCR; 0x40-0x43, 0x61 8254 PIT;
 *          0x70-0x71 RTC/CMOS; 0x3f8-0x3ff 16550 UART (IRQ 4); 0xe9 debug console;
 *          0xf4-0xf7 isa-debug-exit; 0x8900 Bochs shutdown, 0x604 PM1a control (soft-off);
 *          0x510-0x511 QEMU fw_cfg (CPU count, RAM size)
 *   MMIO   0xfec00000 IOAPIC (24 pins, version 0x20); 0xfee00000 the local APIC of the vCPU
 *          that accesses it (xAPIC mode), one per vCPU; x2APIC through MSRs
 *   lines  ISA IRQ n -> 8259 pin n and IOAPIC pin n (IRQ 0 -> pin 2, the PC override);
 *          8259 INT -> LINT0 of vCPU 0 (ExtINT, the virtual-wire mode firmware leaves);
 *          IOAPIC and local-APIC messages -> the local APICs they name
 *   time   PIT and RTC in nanoseconds of VM time, the local APIC timers in guest TSC ticks
 */
#include <string.h>
#include "devices/debug_exit.h"
#include "devices/acpi_pm.h"
#include "devices/debugcon.h"
#include "devices/fw_cfg.h"
#include "devices/i8254.h"
#include "devices/i8259.h"
#include "devices/ioapic.h"
#include "devices/pc.h"
#include "devices/pci_host.h"
#include "devices/port_policy.h"
#include "devices/rtc.h"
#include "devices/shutdown_port.h"
#include "devices/uart16550.h"
#include "devices/vlapic.h"
#include "platform/console.h"
#include "platform/fmt.h"
#include "platform/lapic.h"
#include "platform/serial.h"
#include "vm/vm.h"

#define PC_IOAPIC_BASE 0xfec00000ul
#define PC_LAPIC_BASE  0xfee00000ul
#define PC_RTC_EPOCH   1767225600 /* 2026-01-01 00:00:00 UTC: the RTC's start (no host clock) */
#define PC_UART_IRQ    4
/* How often the host's serial port is polled for what a person types into the VM that has the
 * console input: at most every millisecond (at exits), at least every 10 ms (the
 * VMX-preemption timer brings an idle vCPU 0 back for it): fast enough for typing. */
#define PC_INPUT_POLL_MIN_MS 1
#define PC_INPUT_POLL_MS     10

struct pc;

/* What a local APIC's callbacks need: the board and which vCPU's APIC it is. */
struct pc_lapic {
    struct pc *pc;
    uint32_t index;
    struct vlapic apic;
    bool init_pending; /* an INIT came: the APIC is reset when the vCPU starts again */
};

struct pc {
    struct vm *vm;
    struct uart16550 uart;
    struct debugcon con;
    struct debug_exit dexit;
    struct shutdown_port power;
    struct port_log ports;
    struct i8259 pic;
    struct i8254 pit;
    struct rtc rtc;
    struct vioapic ioapic;
    struct acpi_pm pm;
    struct pci_host pci;
    struct fw_cfg fw_cfg;
    struct pc_lapic lapic[VM_VCPUS_MAX];
    bool uart_line;
    bool pic_line;   /* the 8259's INT output: LINT0 of vCPU 0 (applied by vCPU 0, intr_peek) */
    bool lint0_seen; /* the level vCPU 0's APIC was last given */
    struct debugcon_raw raw;         /* console=raw: the escape filter */
    uint64_t input_polled;           /* host TSC of the last poll of the host's serial input */
    bool peeked_pic[VM_VCPUS_MAX];   /* the last peek chose the 8259 (an ExtINT) */
    bool cpu_delivers[VM_VCPUS_MAX]; /* virtual-interrupt delivery takes the APIC's (SDM 30.2) */
    uint32_t pic_words;              /* PC_PIC_ICW1... the guest wrote (book example 7-5) */
    uint32_t pic_notes;              /* 8259 programming events printed so far */
};

static struct pc boards[VM_MAX];
/* The board whose UART gets the host console's input: the first VM's with console=raw (no
 * other VM polls the host's serial port, so an idle VM without it has no 10 ms wake-ups). */
static struct pc *input_focus;

static uint64_t now_ns(const struct pc *p, uint64_t host_tsc)
{
    return vm_time_ns(p->vm, host_tsc);
}

static uint64_t guest_tsc(const struct pc *p, uint64_t host_tsc)
{
    return host_tsc + p->vm->tsc_offset;
}

/* VM time (ns) back to the host TSC, for the VMX-preemption timer. */
static uint64_t ns_to_host_tsc(const struct pc *p, uint64_t ns)
{
    uint64_t per_ms = tsc_per_ms();
    return -p->vm->tsc_offset + ns / 1000000 * per_ms + ns % 1000000 * per_ms / 1000000;
}

/* ---- interrupt lines ---- */

static void isa_irq(struct pc *p, unsigned irq, bool level)
{
    i8259_set_irq(&p->pic, irq, level);
    vioapic_set_irq(&p->ioapic, irq == 0 ? 2 : irq, level); /* IRQ 0 is GSI 2 on a PC */
}

/* The 8259's INT goes to LINT0 of the BSP (virtual wire). Any vCPU's exit may move it; the
 * BSP's APIC sees the new level in its own intr_peek (the page is its CPU's: vlapic.h). */
static void pic_intr(void *ctx, bool level)
{
    struct pc *p = ctx;
    p->pic_line = level;
    vm_kick(p->vm, 0);
}

/* The 8259's programming, as in book example 7-5; a guest that masks and unmasks an IRQ at
 * each interrupt (Linux's i8259 handler does, at every PIT tick) would flood the console:
 * after the first PC_PIC_NOTES events the rest are debug messages. */
#define PC_PIC_NOTES 64
static void pic_note(void *ctx, const char *event)
{
    struct pc *p = ctx;
    static const char *const words[] = {"ICW1", "ICW2", "ICW3", "ICW4", "OCW1", "OCW2", "OCW3"};
    for (const char *s = event; *s; s++)
        for (unsigned i = 0; i < sizeof(words) / sizeof(words[0]); i++)
            if (strncmp(s, words[i], 4) == 0)
                p->pic_words |= 1u << i;
    if (p->pic_notes < PC_PIC_NOTES) { /* book example 7-5 */
        p->pic_notes++;
        pr_info("%s: 8259: %s%s\n", p->vm->cfg.name, event,
                p->pic_notes == PC_PIC_NOTES ? " (further 8259 events: log=debug)" : "");
    } else {
        pr_debug("%s: 8259: %s\n", p->vm->cfg.name, event);
    }
}

uint32_t pc_pic_words_seen(void)
{
    uint32_t seen = 0;
    for (unsigned i = 0; i < VM_MAX; i++)
        seen |= boards[i].pic_words;
    return seen;
}

static void pit_irq0(void *ctx, bool level)
{
    isa_irq(ctx, 0, level);
}

static void rtc_irq8(void *ctx, bool level)
{
    isa_irq(ctx, 8, level);
}

/* A message for the local APICs it names (from the IOAPIC or an IPI). */
static void deliver(struct pc *p, uint32_t dest, bool logical, bool x2apic, uint8_t mode,
                    uint8_t vector, bool level, int only, int except)
{
    struct vm *vm = p->vm;
    for (uint32_t i = 0; i < vm->nvcpus; i++) {
        struct vlapic *a = &p->lapic[i].apic;
        if ((only >= 0 && (int)i != only) || (int)i == except)
            continue;
        if (only < 0 && !vlapic_matches(a, dest, logical, x2apic))
            continue;
        switch (mode) {
        case VLAPIC_DM_FIXED:
        case VLAPIC_DM_LOWEST: /* lowest priority: the first destination takes it */
            /* Into the inbox, never the page, which the CPU may be changing now (vlapic.h):
             * the vCPU takes it into IRR before its next entry (intr_peek). */
            vlapic_post(a, vector, level);
            vm_kick(vm, i);
            if (mode == VLAPIC_DM_LOWEST)
                return;
            break;
        case VLAPIC_DM_NMI:
            vm_nmi(vm, i);
            break;
        case VLAPIC_DM_INIT:
            /* SDM 11.4.7.3: an INIT resets the AP's local APIC (ID and base kept); the AP
             * does nothing until its SIPI, so the reset waits until its CPU starts it again
             * (cpu_start), where its page is not in use. */
            if (i != 0)
                p->lapic[i].init_pending = true;
            vm_init_signal(vm, i);
            break;
        case VLAPIC_DM_STARTUP:
            vm_sipi(vm, i, vector);
            break;
        case VLAPIC_DM_EXTINT:
            vm_kick(vm, i);
            break;
        default: /* SMI: no SMM in guests */
            break;
        }
    }
}

static void ioapic_deliver(void *ctx, const struct vioapic_msg *m)
{
    deliver(ctx, m->dest, m->dest_logical, false, m->delivery_mode, m->vector, m->level, -1, -1);
}

static void lapic_ipi(void *ctx, const struct vlapic_ipi *ipi)
{
    struct pc_lapic *l = ctx;
    if (vlapic_ipi_is_init_deassert(ipi))
        return; /* SDM 11.6.1: nothing for today's processors */
    int self = (int)l->index;
    switch (ipi->shorthand) {
    case VLAPIC_SH_SELF:
        deliver(l->pc, 0, false, ipi->x2apic, ipi->delivery_mode, ipi->vector, ipi->trigger_level,
                self, -1);
        break;
    case VLAPIC_SH_ALL:
    case VLAPIC_SH_ALL_BUT_SELF:
        for (uint32_t i = 0; i < l->pc->vm->nvcpus; i++)
            if (ipi->shorthand == VLAPIC_SH_ALL || (int)i != self)
                deliver(l->pc, 0, false, ipi->x2apic, ipi->delivery_mode, ipi->vector,
                        ipi->trigger_level, (int)i, -1);
        break;
    default:
        deliver(l->pc, ipi->dest, ipi->logical, ipi->x2apic, ipi->delivery_mode, ipi->vector,
                ipi->trigger_level, -1, -1);
        break;
    }
}

static void lapic_eoi_broadcast(void *ctx, uint8_t vector)
{
    struct pc_lapic *l = ctx;
    vioapic_eoi(&l->pc->ioapic, vector); /* SDM 11.8.5 */
}

static void lapic_extint(void *ctx)
{
    struct pc_lapic *l = ctx;
    vm_kick(l->pc->vm, l->index);
}

static void lapic_nmi(void *ctx)
{
    struct pc_lapic *l = ctx;
    vm_nmi(l->pc->vm, l->index);
}

static const struct vlapic_ops lapic_ops = {
    .send_ipi = lapic_ipi,
    .eoi_broadcast = lapic_eoi_broadcast,
    .extint = lapic_extint,
    .nmi = lapic_nmi,
};

/* The UART's INTR output reaches IRQ 4 through MCR.OUT2, the board's gate on a PC. */
static void uart_line(struct pc *p)
{
    bool level = uart_intr(&p->uart) && (p->uart.mcr & UART_MCR_OUT2);
    if (level != p->uart_line) {
        p->uart_line = level;
        isa_irq(p, PC_UART_IRQ, level);
    }
}

/* ---- buses ---- */

static void print_line(void *ctx, const char *line)
{
    const struct vm *vm = ctx;
    kprintf("%s: %s\n", vm->cfg.name, line);
}

/* console=raw: the guest's bytes as they come, what a terminal may be given of them
 * (debugcon_raw_filter: text, the cursor's control bytes, and the control sequences of line
 * editing; no other escapes). */
static void print_byte(void *ctx, char c)
{
    struct pc *p = ctx;
    char out[DEBUGCON_RAW_SEQ];
    unsigned n = debugcon_raw_filter(&p->raw, c, out);
    for (unsigned i = 0; i < n; i++)
        kprintf("%c", out[i]);
}

static void unclaimed_port(void *ctx, uint16_t port, unsigned size, bool in, uint32_t *value)
{
    struct pc *p = ctx;
    if (port_policy_note(&p->ports, port)) {
        char msg[128];
        port_policy_message(&p->ports, port, size, in, msg, sizeof(msg));
        pr_info("%s: %s\n", p->vm->cfg.name, msg);
    }
    port_policy_access(size, in, value);
}

/* Each port device at its ports: the model takes the port number itself. */
typedef bool (*pc_port_fn)(struct pc *p, uint16_t port, unsigned size, bool in, uint32_t *value,
                           struct vm_stop_request *stop);

static bool pic_port(struct pc *p, uint16_t port, unsigned size, bool in, uint32_t *value,
                     struct vm_stop_request *stop)
{
    (void)stop;
    return i8259_io(&p->pic, port, size, in, value);
}

static bool pit_port(struct pc *p, uint16_t port, unsigned size, bool in, uint32_t *value,
                     struct vm_stop_request *stop)
{
    (void)stop;
    return i8254_io(&p->pit, port, size, in, value, now_ns(p, rdtsc()));
}

static bool rtc_port(struct pc *p, uint16_t port, unsigned size, bool in, uint32_t *value,
                     struct vm_stop_request *stop)
{
    (void)stop;
    return rtc_io(&p->rtc, port, size, in, value, now_ns(p, rdtsc()));
}

static bool uart_port(struct pc *p, uint16_t port, unsigned size, bool in, uint32_t *value,
                      struct vm_stop_request *stop)
{
    (void)stop;
    bool done = uart_io(&p->uart, port, size, in, value);
    uart_line(p);
    return done;
}

static bool console_port(struct pc *p, uint16_t port, unsigned size, bool in, uint32_t *value,
                         struct vm_stop_request *stop)
{
    (void)stop;
    return debugcon_io(&p->con, port, size, in, value);
}

static bool exit_port(struct pc *p, uint16_t port, unsigned size, bool in, uint32_t *value,
                      struct vm_stop_request *stop)
{
    if (p->vm->cfg.no_debugexit) { /* debugexit=off: the port has no device */
        unclaimed_port(p, port, size, in, value);
        return true;
    }
    return debug_exit_io(&p->dexit, port, size, in, value, stop);
}

static bool power_port(struct pc *p, uint16_t port, unsigned size, bool in, uint32_t *value,
                       struct vm_stop_request *stop)
{
    return shutdown_port_io(&p->power, port, size, in, value, stop);
}

static bool pm_port(struct pc *p, uint16_t port, unsigned size, bool in, uint32_t *value,
                    struct vm_stop_request *stop)
{
    (void)stop;
    return acpi_pm_io(&p->pm, port, size, in, value, now_ns(p, rdtsc()));
}

static bool pci_port(struct pc *p, uint16_t port, unsigned size, bool in, uint32_t *value,
                     struct vm_stop_request *stop)
{
    return pci_host_io(&p->pci, port, size, in, value, stop);
}

static bool fw_cfg_port(struct pc *p, uint16_t port, unsigned size, bool in, uint32_t *value,
                        struct vm_stop_request *stop)
{
    (void)stop;
    return fw_cfg_io(&p->fw_cfg, port, size, in, value);
}

static const struct pc_port_range {
    uint16_t base, len;
    pc_port_fn io;
    const char *name;
} port_ranges[] = {
    {0x20, 2, pic_port, "8259 master"},      {0x40, 4, pit_port, "8254 PIT"},
    {0x61, 1, pit_port, "port 0x61"},        {0x70, 2, rtc_port, "RTC"},
    {0xa0, 2, pic_port, "8259 slave"},       {0xe9, 1, console_port, "debug console"},
    {0xf4, 4, exit_port, "isa-debug-exit"},  {0x3f8, 8, uart_port, "16550 UART"},
    {0x4d0, 2, pic_port, "8259 ELCR"},       {0x604, 2, power_port, "PM1a control"},
    {0x600, 4, pm_port, "PM1a event"},       {0x608, 4, pm_port, "ACPI PM timer"},
    {0xcf8, 8, pci_port, "PCI host bridge"}, {0x8900, 1, power_port, "Bochs shutdown"},
    {0x510, 2, fw_cfg_port, "QEMU fw_cfg"},
};
#define PC_PORT_RANGES (sizeof(port_ranges) / sizeof(port_ranges[0]))

struct pc_port_ctx {
    struct pc *pc;
    const struct pc_port_range *range;
};
static struct pc_port_ctx port_ctx[VM_MAX][PC_PORT_RANGES];

static int port_access(void *ctx, void *caller, uint64_t offset, unsigned size, bool write,
                       uint64_t *value)
{
    const struct pc_port_ctx *c = ctx;
    const struct vcpu *cpu = caller;
    struct vm_stop_request stop = {false, 0, NULL};
    uint32_t v = (uint32_t)*value;
    if (!c->range->io(c->pc, (uint16_t)(c->range->base + offset), size, !write, &v, &stop))
        return IO_UNCLAIMED;
    /* The PIT's and the RTC's next event is vCPU 0's to wait for (next_event): one that
     * another vCPU programs may come before the deadline vCPU 0 sleeps towards. */
    if (write && cpu && cpu->index != 0 && (c->range->io == pit_port || c->range->io == rtc_port))
        vm_kick(c->pc->vm, 0);
    if (stop.stop)
        vm_request_stop(c->pc->vm, &stop);
    if (!write)
        *value = v;
    /* The UART has no time of its own, and IRQ 4 goes through isa_irq, whose deliveries kick
     * the vCPU: its accesses (two per byte of console output) are quiet (vm/io_bus.h). */
    return c->range->io == uart_port ? IO_OK_QUIET : IO_OK;
}

static int ioapic_mmio(void *ctx, void *caller, uint64_t offset, unsigned size, bool write,
                       uint64_t *value)
{
    struct pc *p = ctx;
    uint32_t v = (uint32_t)*value;
    (void)caller;
    if (!vioapic_mmio(&p->ioapic, offset, size, write, &v))
        return IO_DEVICE_ERROR;
    if (!write)
        *value = v;
    return IO_OK;
}

static int lapic_mmio(void *ctx, void *caller, uint64_t offset, unsigned size, bool write,
                      uint64_t *value)
{
    struct pc *p = ctx;
    const struct vcpu *v = caller;
    struct vlapic *a = &p->lapic[v->index].apic;
    uint64_t tsc = guest_tsc(p, rdtsc());
    uint32_t v32 = 0;
    int rc = write ? vlapic_mmio_write(a, (unsigned)offset, size, (uint32_t)*value, tsc)
                   : vlapic_mmio_read(a, (unsigned)offset, size, tsc, &v32);
    if (!write)
        *value = v32;
    /* An undefined size or alignment reads 0 and writes nothing (SDM 11.4.1); with the xAPIC
     * interface off (x2APIC mode, or disabled) the range is no APIC's: the guest is refused. */
    return rc == VLAPIC_OK || rc == VLAPIC_UNALIGNED ? IO_OK : IO_DEVICE_ERROR;
}

/* ---- console input ---- */

/* The bytes waiting in the host's serial port go into the focused VM's UART, as many as its
 * receive FIFO has room for (the rest wait in the host UART's FIFO, or in the emulator behind
 * it). The host UART is polled with its interrupts off, so no host IRQ 4 exists that could
 * reach a guest; the guest's IRQ 4 is its own UART's, raised through the board's line. */
static void console_input(struct pc *p, uint64_t host_tsc)
{
    if (host_tsc - p->input_polled < tsc_per_ms() * PC_INPUT_POLL_MIN_MS)
        return; /* not at every exit: a port read is an I/O access on the host too */
    p->input_polled = host_tsc;
    int c;
    while (uart_rx_room(&p->uart) && (c = serial_getc()) >= 0) {
        char byte = (char)c;
        uart_push_input(&p->uart, &byte, 1);
    }
    uart_line(p);
}

/* ---- the VM layer's hooks ---- */

/* The shared devices' time for any vCPU; a local APIC's timer only for its own vCPU, whose
 * VMX-preemption timer brings it back when the timer is due (next_event). */
static void advance(void *ctx, uint32_t vcpu, uint64_t host_tsc)
{
    struct pc *p = ctx;
    uint64_t ns = now_ns(p, host_tsc);
    if (p == input_focus)
        console_input(p, host_tsc);
    i8254_advance(&p->pit, ns);
    rtc_advance(&p->rtc, ns);
    vlapic_timer_advance(&p->lapic[vcpu].apic, guest_tsc(p, host_tsc));
}

static uint64_t next_event(void *ctx, uint32_t vcpu)
{
    struct pc *p = ctx;
    uint64_t host = rdtsc(), ns = now_ns(p, host), next = UINT64_MAX;
    uint64_t apic = vlapic_timer_next(&p->lapic[vcpu].apic);
    if (apic != UINT64_MAX)
        next = apic - p->vm->tsc_offset; /* guest TSC -> host TSC */
    if (vcpu == 0) {                     /* the ISA devices' interrupts reach the BSP first */
        uint64_t dev = i8254_next_event(&p->pit, ns), rtc = rtc_next_event(&p->rtc, ns);
        if (rtc < dev)
            dev = rtc;
        if (dev != UINT64_MAX && ns_to_host_tsc(p, dev) < next)
            next = ns_to_host_tsc(p, dev);
        uint64_t poll = p->input_polled + tsc_per_ms() * PC_INPUT_POLL_MS;
        if (p == input_focus && poll < next)
            next = poll; /* back to look for typed input */
    }
    return next;
}

static int intr_peek(void *ctx, uint32_t vcpu)
{
    struct pc *p = ctx;
    struct vlapic *a = &p->lapic[vcpu].apic;
    vlapic_take_posted(a); /* what other CPUs sent, into IRR (vlapic.h) */
    if (vcpu == 0 && p->lint0_seen != p->pic_line) {
        p->lint0_seen = p->pic_line;
        vlapic_lint(a, 0, p->pic_line);
    }
    /* An ExtINT from the 8259 comes first: it is not held back by the TPR (SDM 11.8.3). */
    p->peeked_pic[vcpu] = vlapic_extint_routed(a) && i8259_int_output(&p->pic);
    if (p->peeked_pic[vcpu])
        return i8259_peek(&p->pic);
    return p->cpu_delivers[vcpu] ? -1 : vlapic_pending(a);
}

static void intr_ack(void *ctx, uint32_t vcpu, int vector)
{
    struct pc *p = ctx;
    if (p->peeked_pic[vcpu])
        i8259_ack(&p->pic); /* the INTA cycle */
    else
        vlapic_ack(&p->lapic[vcpu].apic, (uint8_t)vector);
}

static int apic_msr(void *ctx, uint32_t vcpu, uint32_t msr, bool write, uint64_t *value)
{
    struct pc *p = ctx;
    struct vlapic *a = &p->lapic[vcpu].apic;
    uint64_t tsc = guest_tsc(p, rdtsc());
    int rc = write ? vlapic_msr_write(a, msr, *value, tsc) : vlapic_msr_read(a, msr, tsc, value);
    if (rc == VLAPIC_RELOCATE)
        pr_info("%s: vCPU %u: IA32_APIC_BASE 0x%lx: moving the local APIC from 0x%lx is not "
                "supported (#GP)\n",
                p->vm->cfg.name, vcpu, *value, PC_LAPIC_BASE);
    if (rc == VLAPIC_NOT_APIC)
        return 1;
    return rc == VLAPIC_OK ? 0 : -1;
}

/* APIC virtualization (vm/vm_apicv.c): the model's page is the virtual-APIC page. */
static void *apic_page(void *ctx, uint32_t vcpu)
{
    struct pc *p = ctx;
    return p->lapic[vcpu].apic.regs;
}

static bool apic_x2apic(void *ctx, uint32_t vcpu)
{
    struct pc *p = ctx;
    return vlapic_mode(&p->lapic[vcpu].apic) == VLAPIC_MODE_X2APIC;
}

static void apic_eoi_exit_bitmap(void *ctx, uint32_t vcpu, uint64_t bitmap[4])
{
    struct pc *p = ctx;
    vlapic_eoi_exit_bitmap(&p->lapic[vcpu].apic, bitmap);
}

static void apic_write(void *ctx, uint32_t vcpu, unsigned offset)
{
    struct pc *p = ctx;
    vlapic_on_apic_write(&p->lapic[vcpu].apic, offset, guest_tsc(p, rdtsc()));
}

static void apic_eoi(void *ctx, uint32_t vcpu, uint8_t vector)
{
    struct pc *p = ctx;
    vlapic_on_eoi_exit(&p->lapic[vcpu].apic, vector);
}

static void apic_cpu_delivers(void *ctx, uint32_t vcpu, bool on)
{
    struct pc *p = ctx;
    p->cpu_delivers[vcpu] = on;
}

static void describe(void *ctx, uint32_t vcpu, char *buf, size_t len)
{
    struct pc *p = ctx;
    const struct vlapic *a = &p->lapic[vcpu].apic;
    uint64_t now = rdtsc(), next = next_event(ctx, vcpu), per_us = tsc_per_ms() / 1000;
    uint64_t timer = vlapic_timer_next(a);
    char when[40] = "none", tm[40] = "not armed";
    if (next != UINT64_MAX)
        fmt_snprintf(when, sizeof(when), "%ld us",
                     per_us ? (int64_t)(next - now) / (int64_t)per_us : 0);
    if (timer != UINT64_MAX) /* guest TSC */
        fmt_snprintf(tm, sizeof(tm), "due in %ld us",
                     per_us ? (int64_t)(timer - p->vm->tsc_offset - now) / (int64_t)per_us : 0);
    fmt_snprintf(buf, len,
                 "local APIC: highest IRR %d, ISR %d, PPR 0x%x, %u posted, timer %s; CPU "
                 "delivers %d; 8259 %d; next device event %s",
                 vlapic_highest_irr(a), vlapic_highest_isr(a), vlapic_ppr(a), vlapic_posted(a), tm,
                 p->cpu_delivers[vcpu], vcpu == 0 ? i8259_peek(&p->pic) : -1, when);
}

/* A secondary vCPU starts from its SIPI, on its own CPU: the reset its INIT asked for. */
static void cpu_start(void *ctx, uint32_t vcpu)
{
    struct pc *p = ctx;
    if (p->lapic[vcpu].init_pending) {
        p->lapic[vcpu].init_pending = false;
        vlapic_init_signal(&p->lapic[vcpu].apic);
    }
}

static const struct vm_board_ops board_ops = {
    .cpu_start = cpu_start,
    .describe = describe,
    .apic_page = apic_page,
    .apic_x2apic = apic_x2apic,
    .apic_eoi_exit_bitmap = apic_eoi_exit_bitmap,
    .apic_write = apic_write,
    .apic_eoi = apic_eoi,
    .apic_cpu_delivers = apic_cpu_delivers,
    .advance = advance,
    .next_event = next_event,
    .intr_peek = intr_peek,
    .intr_ack = intr_ack,
    .msr = apic_msr,
    .unclaimed_port = unclaimed_port,
};

int pc_attach(struct vm *vm)
{
    if (vm->id >= VM_MAX)
        return -1;
    struct pc *p = &boards[vm->id];
    memset(p, 0, sizeof(*p));
    p->vm = vm;
    uint64_t host = rdtsc(), ns = now_ns(p, host);
    if (!input_focus && vm->cfg.console_raw)
        input_focus = p; /* the first VM with console=raw takes the host console's input */
    p->input_polled = host;
    uart_attach(&p->uart, UART_COM1_BASE, print_line, vm);
    if (vm->cfg.console_raw) /* the interactive console (it takes the input from other VMs) */
        uart_set_raw_output(&p->uart, print_byte, p);
    debugcon_init(&p->con, print_line, vm);
    debug_exit_init(&p->dexit, DEBUG_EXIT_PORT, DEBUG_EXIT_SIZE);
    shutdown_port_init(&p->power, BOCHS_SHUTDOWN_PORT, QEMU_PM1A_CNT_PORT);
    port_log_init(&p->ports);
    acpi_pm_init(&p->pm);
    pci_host_init(&p->pci);
    fw_cfg_init(&p->fw_cfg, (uint16_t)vm->nvcpus, vm->cfg.mem);
    i8259_init(&p->pic, pic_intr, pic_note, p);
    i8254_init(&p->pit, pit_irq0, p, ns);
    rtc_init(&p->rtc, PC_RTC_EPOCH, ns, rtc_irq8, p);
    rtc_cmos_set_memory(&p->rtc, vm->cfg.mem, 0);
    rtc_cmos_checksum(&p->rtc);
    /* The IOAPIC's ID follows the local APICs' (as the guest's MADT says, vm/acpi_build.c). */
    vioapic_init(&p->ioapic, (uint8_t)vm->nvcpus, VIOAPIC_VERSION_20, ioapic_deliver, p);
    /* The APIC timer's clock: the TSC's, or 100 MHz on a faster TSC, as CPUs' buses have it. */
    uint64_t tsc_khz = tsc_per_ms();
    struct vlapic_clock clock = {1, 1};
    if (tsc_khz > 100000)
        clock = (struct vlapic_clock){(uint32_t)(tsc_khz / 1000), 100};
    for (uint32_t i = 0; i < vm->nvcpus; i++) {
        void *page = vm_alloc_page(vm);
        struct vlapic_config cfg = {.apic_id = i, .bsp = i == 0, .clock = clock};
        p->lapic[i].pc = p;
        p->lapic[i].index = i;
        if (!page || vlapic_init(&p->lapic[i].apic, page, &cfg, &lapic_ops, &p->lapic[i]))
            return vm_refuse(vm, "no memory for the local APIC of vCPU %u", i);
    }
    vlapic_virtual_wire(&p->lapic[0].apic); /* LINT0 ExtINT, LINT1 NMI: what firmware leaves */

    int err = 0;
    for (unsigned i = 0; i < PC_PORT_RANGES; i++) {
        port_ctx[vm->id][i] = (struct pc_port_ctx){p, &port_ranges[i]};
        err |= io_bus_add(&vm->ports, port_ranges[i].base, port_ranges[i].len, port_access,
                          &port_ctx[vm->id][i], port_ranges[i].name);
    }
    err |= io_bus_add(&vm->mmio, PC_IOAPIC_BASE, VIOAPIC_MMIO_SIZE, ioapic_mmio, p, "ioapic");
    err |= io_bus_add(&vm->mmio, PC_LAPIC_BASE, 4096, lapic_mmio, p, "lapic");
    if (err)
        return vm_refuse(vm, "its devices do not fit on its buses");
    vm_set_board(vm, &board_ops, p);
    return vm_apicv_setup(vm);
}

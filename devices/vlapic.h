/*
 * devices/vlapic.h - a virtual local APIC, xAPIC and x2APIC (pure). SDM vol. 3A ch. 11
 * "Advanced Programmable Interrupt Controller" for the APIC, vol. 3C ch. 30 "APIC
 * Virtualization and Virtual Interrupts" for the page it shares with the CPU.
 *
 * The register file IS a 4 KiB page laid out as the APIC register space (SDM table 11-1,
 * registers at 16-byte offsets, 32 bits each), i.e. as the virtual-APIC page of SDM 30.1.
 * The caller gives the page (4 KiB-aligned in the kernel, so that it can be the VMCS's
 * virtual-APIC page; any 4-byte-aligned 4 KiB buffer in tests). IRR, ISR, TMR, TPR and every
 * other architectural register live only there: with TPR shadow, APIC-register
 * virtualization or virtual-interrupt delivery the CPU itself updates VTPR, VIRR, VISR and
 * VPPR in the page, and the model sees those updates because it keeps no copy of them. What
 * is not a register lives in struct vlapic: IA32_APIC_BASE (so the mode), the timer's
 * counting state, the ESR errors not yet latched, the LINT input levels and remote-IRR flags.
 * In x2APIC mode the page holds the x2APIC view (32-bit ID at 0x20, the derived LDR at 0xD0,
 * the 32-bit ICR destination at 0x310), which is what RDMSR reads from the page under
 * "virtualize x2APIC mode" (SDM 30.5).
 *
 * Time: the model never reads a clock. Every call that depends on time takes now_tsc, the
 * guest's TSC. The APIC timer's input clock ("bus clock") is given as a ratio to the TSC at
 * init; vlapic_timer_next() tells when the next timer event is due and
 * vlapic_timer_advance() makes due events happen.
 *
 * Outputs go through struct vlapic_ops (each member may be NULL): IPIs from the ICR, EOI
 * broadcasts for level-triggered vectors, ExtINT (take the vector from the 8259) and NMI.
 * The model never touches a vCPU or a VMCS.
 *
 * Concurrency: the functions are not thread-safe and assume the page is not being changed by
 * the CPU while they run: only the CPU that runs the vCPU owning the page calls them, while
 * that vCPU is not in VMX non-root operation. The CPU itself writes VIRR, VISR and VPPR of a
 * running vCPU (virtual-interrupt delivery, EOI and self-IPI virtualization, SDM 30.1-30.5),
 * so even one read-modify-write of IRR from another CPU could lose the bit the CPU set in
 * between, or set again the one it just delivered. The exception is the inbox
 * (vlapic_inbox.c): interrupts from other CPUs are posted there (vlapic_post, under the
 * caller's lock, never touching the page), and the owner takes them into IRR before its next
 * VM entry (vlapic_take_posted), as posted-interrupt processing does in hardware (SDM 30.6;
 * vmx/posted_intr.h, with vlapic_merge_irr(), where the CPU has it).
 *
 * Modelled: everything the SDM defines for a P4-and-later APIC (version 0x14, 7 LVT entries
 * incl. CMCI, EOI-broadcast suppression) except what is listed here as not modelled:
 * relocation of the APIC base (refused with VLAPIC_RELOCATE), the focus processor (SVR bit 9
 * is stored and ignored), the remote read register (reads 0), ESR bits 0-4 (bus errors of
 * P6/Pentium), INIT level de-assert (sent, and the router ignores it), SMM. Mixed xAPIC and
 * x2APIC modes in one VM are not architectural; vlapic_matches() documents what it does.
 */
#ifndef DEVICES_VLAPIC_H
#define DEVICES_VLAPIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VLAPIC_PAGE_SIZE    4096
#define VLAPIC_DEFAULT_BASE 0xfee00000u /* SDM 11.4.4 */

/* MSRs the model answers (vlapic_msr_read/write). */
#define VLAPIC_MSR_APIC_BASE    0x1b  /* IA32_APIC_BASE, SDM 11.4.4 */
#define VLAPIC_MSR_TSC_DEADLINE 0x6e0 /* IA32_TSC_DEADLINE, SDM 11.5.4.1 */
#define VLAPIC_MSR_X2APIC_FIRST 0x800 /* SDM 11.12.1.2: 0x800 + (offset >> 4) */
#define VLAPIC_MSR_X2APIC_LAST  0xbff /* SDM 11.12.2: the whole range #GPs outside x2APIC */

/* IA32_APIC_BASE bits (SDM 11.4.4, 11.12.1). */
#define VLAPIC_BASE_BSP  (1ull << 8)
#define VLAPIC_BASE_EXTD (1ull << 10)
#define VLAPIC_BASE_EN   (1ull << 11)

/* Register offsets (SDM table 11-1; x2APIC MSR = 0x800 + offset / 16, table 11-6). */
enum vlapic_reg {
    VLAPIC_REG_ID = 0x020,
    VLAPIC_REG_VER = 0x030,
    VLAPIC_REG_TPR = 0x080,
    VLAPIC_REG_APR = 0x090,
    VLAPIC_REG_PPR = 0x0a0,
    VLAPIC_REG_EOI = 0x0b0,
    VLAPIC_REG_RRD = 0x0c0,
    VLAPIC_REG_LDR = 0x0d0,
    VLAPIC_REG_DFR = 0x0e0,
    VLAPIC_REG_SVR = 0x0f0,
    VLAPIC_REG_ISR = 0x100, /* 8 registers, 0x100-0x170 */
    VLAPIC_REG_TMR = 0x180, /* 0x180-0x1f0 */
    VLAPIC_REG_IRR = 0x200, /* 0x200-0x270 */
    VLAPIC_REG_ESR = 0x280,
    VLAPIC_REG_LVT_CMCI = 0x2f0,
    VLAPIC_REG_ICR_LO = 0x300,
    VLAPIC_REG_ICR_HI = 0x310,
    VLAPIC_REG_LVT_TIMER = 0x320,
    VLAPIC_REG_LVT_THERMAL = 0x330,
    VLAPIC_REG_LVT_PERF = 0x340,
    VLAPIC_REG_LVT_LINT0 = 0x350,
    VLAPIC_REG_LVT_LINT1 = 0x360,
    VLAPIC_REG_LVT_ERROR = 0x370,
    VLAPIC_REG_TMICT = 0x380, /* timer initial count */
    VLAPIC_REG_TMCCT = 0x390, /* timer current count */
    VLAPIC_REG_TDCR = 0x3e0,  /* timer divide configuration */
    VLAPIC_REG_SELF_IPI = 0x3f0,
};

/* Version register (SDM 11.4.8): version 0x14, max LVT entry 6 (7 entries with CMCI),
 * bit 24: EOI-broadcast suppression supported (SDM 11.8.5). */
#define VLAPIC_VERSION   0x14
#define VLAPIC_MAX_LVT   6
#define VLAPIC_VER_SEOI  (1u << 24)
#define VLAPIC_VER_VALUE (VLAPIC_VERSION | (VLAPIC_MAX_LVT << 16) | VLAPIC_VER_SEOI)

/* Spurious-interrupt vector register (SDM 11.9). */
#define VLAPIC_SVR_ENABLE 0x100  /* APIC software enable */
#define VLAPIC_SVR_FOCUS  0x200  /* focus processor checking (stored, not modelled) */
#define VLAPIC_SVR_SEOI   0x1000 /* suppress EOI broadcasts */

/* LVT entries (SDM 11.5.1, figure 11-8). */
#define VLAPIC_LVT_VECTOR        0xffu
#define VLAPIC_LVT_DM_SHIFT      8
#define VLAPIC_LVT_DM_MASK       0x700u
#define VLAPIC_LVT_PENDING       0x1000u /* delivery status: reads idle here */
#define VLAPIC_LVT_POLARITY_LOW  0x2000u /* LINT: active low */
#define VLAPIC_LVT_REMOTE_IRR    0x4000u /* LINT: read only */
#define VLAPIC_LVT_LEVEL         0x8000u /* LINT: level triggered */
#define VLAPIC_LVT_MASKED        0x10000u
#define VLAPIC_LVT_TIMER_SHIFT   17
#define VLAPIC_LVT_TIMER_MASK    0x60000u
#define VLAPIC_TIMER_ONESHOT     0
#define VLAPIC_TIMER_PERIODIC    1
#define VLAPIC_TIMER_TSCDEADLINE 2

/* Delivery modes of the ICR and LVT entries (SDM 11.5.1, 11.6.1). */
enum vlapic_dm {
    VLAPIC_DM_FIXED = 0,
    VLAPIC_DM_LOWEST = 1,
    VLAPIC_DM_SMI = 2,
    VLAPIC_DM_NMI = 4,
    VLAPIC_DM_INIT = 5,
    VLAPIC_DM_STARTUP = 6,
    VLAPIC_DM_EXTINT = 7,
};

/* ICR low bits (SDM 11.6.1, figure 11-12; 11.12.9 for x2APIC). */
#define VLAPIC_ICR_LOGICAL  0x800u
#define VLAPIC_ICR_PENDING  0x1000u /* delivery status: always reads idle */
#define VLAPIC_ICR_ASSERT   0x4000u /* level */
#define VLAPIC_ICR_LEVEL    0x8000u /* trigger mode */
#define VLAPIC_ICR_SH_SHIFT 18

enum vlapic_shorthand {
    VLAPIC_SH_NONE = 0,
    VLAPIC_SH_SELF = 1,
    VLAPIC_SH_ALL = 2,          /* all including self */
    VLAPIC_SH_ALL_BUT_SELF = 3, /* all excluding self */
};

/* ESR bits the model sets (SDM 11.5.3, figure 11-9). */
#define VLAPIC_ESR_SEND_ILLEGAL_VECTOR 0x20u
#define VLAPIC_ESR_RECV_ILLEGAL_VECTOR 0x40u
#define VLAPIC_ESR_ILLEGAL_REGISTER    0x80u

enum vlapic_status {
    VLAPIC_OK = 0,
    VLAPIC_GP = -1,          /* the access faults: inject #GP(0) into the guest */
    VLAPIC_RELOCATE = -2,    /* IA32_APIC_BASE write moving the base: not supported */
    VLAPIC_ABSENT = -3,      /* MMIO while the xAPIC interface is off (x2APIC or disabled) */
    VLAPIC_UNALIGNED = -4,   /* MMIO size/alignment the SDM leaves undefined: read 0, ignored */
    VLAPIC_NOT_APIC = -5,    /* not an APIC MSR, or not an APIC-write offset */
    VLAPIC_NOT_PENDING = -6, /* vlapic_ack of a vector not in IRR */
    VLAPIC_BAD_CONFIG = -7,  /* vlapic_init arguments */
};

enum vlapic_mode {
    VLAPIC_MODE_DISABLED, /* EN=0: no APIC; LINT0 is INTR and LINT1 is NMI */
    VLAPIC_MODE_XAPIC,
    VLAPIC_MODE_X2APIC,
};

/* An interprocessor interrupt from the ICR, for the caller's router. */
struct vlapic_ipi {
    uint32_t dest;   /* destination field (ignored with a shorthand) */
    uint32_t source; /* the sender's APIC ID (x2APIC ID, or the xAPIC ID register) */
    uint8_t vector;
    uint8_t delivery_mode; /* enum vlapic_dm (never 3, which is reserved and not sent) */
    uint8_t shorthand;     /* enum vlapic_shorthand */
    bool logical;          /* destination mode */
    bool level_assert;     /* the level flag */
    bool trigger_level;    /* trigger mode */
    bool x2apic;           /* dest is a 32-bit x2APIC destination, else 8-bit */
};

/* INIT level de-assert (SDM 11.6.1): a P6 bus-arbitration message; the router drops it. */
static inline bool vlapic_ipi_is_init_deassert(const struct vlapic_ipi *ipi)
{
    return ipi->delivery_mode == VLAPIC_DM_INIT && !ipi->level_assert && ipi->trigger_level;
}

struct vlapic_ops {
    /* Deliver an IPI (also those to self: the router calls vlapic_accept etc.). */
    void (*send_ipi)(void *ctx, const struct vlapic_ipi *ipi);
    /* EOI of a level-triggered vector: tell the I/O APICs (SDM 11.8.5). */
    void (*eoi_broadcast)(void *ctx, uint8_t vector);
    /* LINT0 asserted as ExtINT (or as INTR with the APIC disabled): the interrupt vector
     * comes from the 8259; see vlapic_extint_routed(). */
    void (*extint)(void *ctx);
    /* An NMI for this CPU (LVT NMI delivery mode, or LINT1 with the APIC disabled). */
    void (*nmi)(void *ctx);
};

/* The APIC timer's input clock against the TSC: bus_ticks timer-input ticks happen every
 * tsc_ticks TSC ticks (e.g. a 2.4 GHz TSC and a 100 MHz bus: tsc_ticks 24, bus_ticks 1). */
struct vlapic_clock {
    uint32_t tsc_ticks;
    uint32_t bus_ticks;
};

struct vlapic_config {
    uint32_t apic_id; /* the x2APIC ID; its low 8 bits are the initial xAPIC ID */
    bool bsp;         /* IA32_APIC_BASE.BSP */
    struct vlapic_clock clock;
    uint8_t maxphyaddr; /* bits of IA32_APIC_BASE above it are reserved; 0 means 36 */
};

#define VLAPIC_MSG_LEN 96

struct vlapic {
    uint32_t *regs; /* the register page, 1024 32-bit words */
    const struct vlapic_ops *ops;
    void *ctx;
    uint32_t apic_id;
    bool bsp;
    uint8_t maxphyaddr;
    struct vlapic_clock clock;
    uint64_t apic_base; /* IA32_APIC_BASE */

    /* APIC timer (vlapic_timer.c). Counting: the counter held anchor_count at TSC anchor_tsc
     * and counts down once every div input ticks; expiry n (from 0) happens when
     * anchor_count + n * initial counts have passed. */
    uint8_t tmr_mode; /* LVT timer mode in effect (a change disarms the timer) */
    bool tmr_armed;   /* one-shot or periodic counting */
    uint32_t tmr_div; /* divide value in effect: 1..128 */
    uint32_t tmr_initial;
    uint32_t tmr_anchor_count;
    uint64_t tmr_anchor_tsc;
    uint64_t tmr_next; /* index of the next expiry */
    uint64_t tsc_deadline;
    uint64_t tmr_missed; /* periodic expiries merged into one interrupt (late advance) */

    uint32_t esr_pending; /* errors since the last ESR write (SDM 11.5.3) */
    bool esr_armed;       /* the error interrupt may fire (re-armed by an ESR write) */
    bool lint_level[2];   /* input levels of LINT0/LINT1 */
    bool lint_remote_irr[2];
    /* Interrupts posted by other CPUs, not yet in IRR (vlapic_inbox.c): bit v of the 256 in
     * word v / 32; inbox_level says level-triggered (TMR). Not in the page. */
    uint32_t inbox[8];
    uint32_t inbox_level[8];
    char msg[VLAPIC_MSG_LEN]; /* what the last failing call found wrong */
};

/* Sets up v on page (cleared and put in the power-up state, vlapic_reset). VLAPIC_BAD_CONFIG
 * for a NULL or misaligned page, a zero clock term or a maxphyaddr outside 32..52. */
int vlapic_init(struct vlapic *v, void *page, const struct vlapic_config *cfg,
                const struct vlapic_ops *ops, void *ctx);
/* RESET (SDM 11.4.7.1, 11.12.5.1): xAPIC mode at 0xFEE00000, registers at power-up values. */
void vlapic_reset(struct vlapic *v);
/* INIT (SDM 11.4.7.3): registers as after reset except the ID; the mode does not change. */
void vlapic_init_signal(struct vlapic *v);
/* What firmware leaves before an OS boots (MP spec 1.4 3.6.2.2 virtual wire mode): APIC
 * software-enabled, LINT0 ExtINT on the BSP (masked on APs), LINT1 NMI. For guests booted
 * without firmware that use the 8259 without programming the APIC. */
void vlapic_virtual_wire(struct vlapic *v);

enum vlapic_mode vlapic_mode(const struct vlapic *v);
bool vlapic_sw_enabled(const struct vlapic *v); /* SVR bit 8 */
/* The message naming what the last failing call found wrong ("" if none failed yet). */
const char *vlapic_message(const struct vlapic *v);
/* A register's raw 32 bits in the page (for dumps and tests). */
uint32_t vlapic_reg_raw(const struct vlapic *v, unsigned offset);

/* IA32_APIC_BASE. A write checks reserved bits and the state transitions of SDM 11.12.5
 * (VLAPIC_GP: reserved bits, EN=0 with EXTD=1, x2APIC -> xAPIC, disabled -> x2APIC), then
 * the base (VLAPIC_RELOCATE if not 0xFEE00000; nothing changes). The BSP bit is read only.
 * Disabling puts the registers back to their INIT values; xAPIC -> x2APIC gives the x2APIC
 * ID, the derived LDR and a cleared ICR high half. */
uint64_t vlapic_apic_base(const struct vlapic *v);
int vlapic_set_apic_base(struct vlapic *v, uint64_t value);

/* xAPIC MMIO at offset in the APIC page. Reads of 1, 2 or 4 bytes within the first 4 bytes
 * of a 16-byte slot; writes of 4 bytes at a 16-byte boundary (SDM 11.4.1). Other accesses
 * give VLAPIC_UNALIGNED (read 0, write ignored). Unimplemented registers read 0 and ignore
 * writes, setting ESR "illegal register address"; writes to read-only registers are
 * ignored. VLAPIC_ABSENT when not in xAPIC mode (SDM 11.12.2): the range is not the APIC. */
int vlapic_mmio_read(struct vlapic *v, unsigned offset, unsigned size, uint64_t now_tsc,
                     uint32_t *value);
int vlapic_mmio_write(struct vlapic *v, unsigned offset, unsigned size, uint32_t value,
                      uint64_t now_tsc);

/* RDMSR/WRMSR of IA32_APIC_BASE, IA32_TSC_DEADLINE and the x2APIC range 0x800-0xBFF.
 * VLAPIC_GP per SDM 11.12.1.2-11.12.2 (not in x2APIC mode, reserved or absent register,
 * write to a read-only or read of a write-only one, non-zero reserved bits, EOI/ESR write of
 * a non-zero value), VLAPIC_NOT_APIC for other MSRs. IA32_TSC_DEADLINE reads 0 and ignores
 * writes outside TSC-deadline mode. */
int vlapic_msr_read(struct vlapic *v, uint32_t msr, uint64_t now_tsc, uint64_t *value);
int vlapic_msr_write(struct vlapic *v, uint32_t msr, uint64_t value, uint64_t now_tsc);

/* MOV to/from CR8 without TPR shadow (SDM 11.8.6): TPR[7:4] = CR8[3:0]; VLAPIC_GP for
 * bits 63:4. */
int vlapic_set_cr8(struct vlapic *v, uint64_t value);
uint64_t vlapic_cr8(const struct vlapic *v);

enum vlapic_accept {
    VLAPIC_ACCEPTED,  /* IRR bit set now */
    VLAPIC_COALESCED, /* the vector was already pending in IRR (SDM 11.8.4) */
    VLAPIC_REJECTED,  /* APIC disabled (hardware or software), or illegal vector 0-15 */
};
/* A fixed or lowest-priority interrupt message for this APIC (from an IPI, an I/O APIC or
 * an MSI): IRR, and TMR set for level, cleared for edge (SDM 11.8.4). Vectors 0-15 set ESR
 * "received illegal vector" (SDM 11.5.2). A software-disabled APIC takes none
 * (SDM 11.4.7.2: only INIT, NMI, SMI and SIPI are answered). */
enum vlapic_accept vlapic_accept(struct vlapic *v, uint8_t vector, bool level);

/* Priorities (SDM 11.8.3.1): PPR from TPR and ISR; the arbitration priority of SDM
 * 11.6.2.4 (for the router's lowest-priority choice). */
uint8_t vlapic_ppr(const struct vlapic *v);
uint8_t vlapic_tpr(const struct vlapic *v);
uint8_t vlapic_arb_priority(const struct vlapic *v);
/* Highest vector in IRR / ISR, or -1 (RVI / SVI of the guest interrupt status are
 * these values, 0 when -1). */
int vlapic_highest_irr(const struct vlapic *v);
int vlapic_highest_isr(const struct vlapic *v);
/* The interrupt the CPU would take now: the highest IRR vector whose priority class is
 * above the PPR's, or -1. */
int vlapic_pending(const struct vlapic *v);
/* The CPU takes vector (interrupt acknowledge): IRR -> ISR, PPR updated. */
int vlapic_ack(struct vlapic *v, uint8_t vector);
/* ORs posted interrupts into IRR (vectors 0-15 are dropped); returns the highest vector
 * set by bits, or -1. */
int vlapic_merge_irr(struct vlapic *v, const uint32_t bits[8]);

/* The inbox (vlapic_inbox.c). vlapic_post: an interrupt message for this APIC sent while
 * its vCPU may be running on another CPU; only the inbox is written, never the page. The
 * same vector posted again before it is taken is one interrupt (as IRR holds one), with the
 * trigger mode of the last post. vlapic_take_posted, by the CPU that owns the page: each
 * posted vector is accepted as vlapic_accept() would (so a disabled APIC, an illegal vector
 * or a vector already in IRR give what they give there); returns how many were taken.
 * vlapic_posted: how many wait. INIT and RESET empty the inbox. */
void vlapic_post(struct vlapic *v, uint8_t vector, bool level);
unsigned vlapic_take_posted(struct vlapic *v);
unsigned vlapic_posted(const struct vlapic *v);

/* LINT0/LINT1 input level (electrical; the LVT polarity says which level is asserted).
 * Per the LVT: fixed (edge or level with remote IRR; LINT1 is always edge, SDM 11.5.1), NMI
 * on the asserting edge, ExtINT (ops->extint) while asserted, SMI/INIT as a self IPI. With
 * the APIC disabled LINT0 is INTR and LINT1 is NMI (SDM vol. 3A "External Interrupts").
 * VLAPIC_NOT_APIC for a pin other than 0 or 1. */
int vlapic_lint(struct vlapic *v, unsigned pin, bool level);
/* Whether an 8259 interrupt (INTR) reaches the CPU: APIC disabled, or LVT LINT0 unmasked
 * with delivery mode ExtINT. */
bool vlapic_extint_routed(const struct vlapic *v);
/* A thermal, performance-counter or CMCI event (offset of its LVT entry): delivered per the
 * LVT; a performance-counter interrupt masks its entry (SDM figure 11-8 note). Returns
 * whether anything was delivered. */
bool vlapic_raise_lvt(struct vlapic *v, unsigned lvt_offset);

/* Whether this APIC is a destination of a message to dest (SDM 11.6.2, 11.12.10):
 * x2apic_format: a 32-bit x2APIC destination (x2APIC ICR), else an 8-bit one (xAPIC ICR,
 * I/O APIC, MSI). Physical: the APIC ID, or the broadcast 0xFF / 0xFFFFFFFF. Logical: in
 * xAPIC mode flat (LDR & MDA) or cluster (DFR model 0) per DFR, in x2APIC mode cluster per
 * the derived LDR; 0xFF / 0xFFFFFFFF is all. Mixed modes: an 8-bit 0xFF is a broadcast and
 * an 8-bit physical ID matches an x2APIC ID below 256; no other 8-bit logical destination
 * matches an x2APIC-mode APIC; a 32-bit destination reaches an xAPIC-mode APIC only as the
 * broadcast or an 8-bit value. A disabled APIC matches nothing. */
bool vlapic_matches(const struct vlapic *v, uint32_t dest, bool logical, bool x2apic_format);

/* APIC timer. Absolute TSC of the next timer event, UINT64_MAX if none (a masked timer still
 * has events: they only do not raise the interrupt). */
uint64_t vlapic_timer_next(const struct vlapic *v);
/* Makes due timer events happen: sets the timer vector in IRR (unless masked) for one-shot,
 * periodic (re-armed on the original grid, several late periods give one interrupt) and
 * TSC-deadline (disarmed and the MSR cleared, SDM 11.5.4.1). Returns whether an interrupt
 * was raised. */
bool vlapic_timer_advance(struct vlapic *v, uint64_t now_tsc);

/* APIC virtualization. After an APIC-write VM exit (SDM 30.4.3.3; offset from the exit
 * qualification) the CPU has already written the page: the model reacts to the new value
 * (ICR low sends the IPI, EOI without virtual-interrupt delivery, LVT, timer, SVR, ESR, ID,
 * LDR, DFR...) and puts read-only bits back. Timer events due before now_tsc are made to
 * happen with the LVT timer entry as written (the old one is gone from the page).
 * VLAPIC_NOT_APIC for an offset that does not cause APIC-write exits. */
int vlapic_on_apic_write(struct vlapic *v, unsigned offset, uint64_t now_tsc);
/* After an EOI-induced VM exit (SDM 30.1.4): the CPU cleared the ISR bit; the model does the
 * rest (EOI broadcast unless suppressed, LINT remote IRR). */
void vlapic_on_eoi_exit(struct vlapic *v, uint8_t vector);
/* The EOI-exit bitmap for virtual-interrupt delivery (SDM 25.6.8): the vectors whose EOI the
 * model must see: TMR bits, or with EOI broadcasts suppressed only the level LINT vectors
 * whose remote IRR is set. */
void vlapic_eoi_exit_bitmap(const struct vlapic *v, uint64_t bitmap[4]);

#endif

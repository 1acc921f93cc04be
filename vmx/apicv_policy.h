/*
 * vmx/apicv_policy.h - APIC virtualization by the CPU (pure): which controls a VM uses, given
 * the capability MSRs; what the VMCS must say before an entry, computed from the
 * virtual-APIC page (which is the local APIC model's register file, devices/vlapic.h); the
 * x2APIC MSRs the MSR bitmap lets through; the exit qualifications of exits 44, 45 and 56.
 * SDM vol. 3C ch. 30 "APIC Virtualization and Virtual Interrupts"; controls SDM 25.6.2, their
 * entry checks 27.2.1.1; the qualifications SDM 28.2.1.
 *
 * The model is the single source of truth: the CPU writes VTPR, VIRR, VISR, VPPR and the
 * registers of APIC-write exits into the page, the model reads them there; the VMM writes
 * only what the CPU cannot know (RVI/SVI of the guest interrupt status after the model
 * changed IRR/ISR, the TPR threshold, the EOI-exit bitmap), before each VM entry.
 */
#ifndef VMX_APICV_POLICY_H
#define VMX_APICV_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmx/vmx_caps.h"

/* What a VM uses. Each needs the ones before it in the SDM's dependency order (27.2.1.1). */
struct apicv_plan {
    bool tpr_shadow;  /* primary "use TPR shadow": the virtual-APIC page, VTPR, TPR threshold */
    bool apic_access; /* secondary "virtualize APIC accesses" (xAPIC mode) */
    bool x2apic;      /* secondary "virtualize x2APIC mode" (x2APIC mode) */
    bool reg_virt;    /* secondary "APIC-register virtualization" */
    bool vid;         /* secondary "virtual-interrupt delivery" */
    bool posted;      /* pin-based "process posted interrupts" */
};

/* The plan for a CPU with caps; enable false (apicv=off) gives an empty plan. The rules
 * (SDM 27.2.1.1): x2APIC virtualization, register virtualization and virtual-interrupt
 * delivery need the TPR shadow; virtual-interrupt delivery needs external-interrupt exiting
 * (always on here, so it only needs the control); posted interrupts need virtual-interrupt
 * delivery and "acknowledge interrupt on exit". Register virtualization is only used with
 * APIC-access or x2APIC virtualization (it has no effect without one of them). */
void apicv_plan_from_caps(const struct vmx_caps *caps, bool enable, struct apicv_plan *p);
/* "TPR shadow, APIC-access page, x2APIC, register virtualization, virtual-interrupt delivery"
 * (the parts in use) or "off"; snprintf contract. */
int apicv_plan_format(const struct apicv_plan *p, char *buf, size_t size);

/* The primary (PROC_BASED_USE_TPR_SHADOW) and secondary control bits of the plan for a
 * guest whose APIC is in x2APIC mode or not: "virtualize APIC accesses" and "virtualize
 * x2APIC mode" may not both be 1 (SDM 27.2.1.1), so the one for the guest's mode is used. */
uint32_t apicv_proc(const struct apicv_plan *p);
uint32_t apicv_proc2(const struct apicv_plan *p, bool guest_x2apic);
/* All secondary bits this file may set (to clear them before apicv_proc2's are set). */
#define APICV_PROC2_ALL                                                                            \
    (PROC_BASED2_VIRTUALIZE_APIC_ACCESSES | PROC_BASED2_VIRTUALIZE_X2APIC_MODE |                   \
     PROC_BASED2_APIC_REGISTER_VIRTUALIZATION | PROC_BASED2_VIRTUAL_INTERRUPT_DELIVERY)

/* Virtual-APIC page (1024 32-bit words, table 11-1 layout). Highest vector set in the 256-bit
 * register at offset (0x100 ISR, 0x200 IRR), or -1. */
int apicv_page_highest(const uint32_t *page, unsigned offset);
/* Guest interrupt status (SDM 25.4.2): RVI (bits 7:0) the highest VIRR vector, SVI (15:8) the
 * highest VISR vector, 0 for none (SDM 30.1.1: what the CPU keeps them as). */
uint16_t apicv_guest_intr_status(const uint32_t *page);
/* VPPR from VTPR and SVI as PPR virtualization computes it (SDM 30.1.3). */
uint8_t apicv_vppr(const uint32_t *page);
/* With virtual-interrupt delivery: whether the CPU will deliver a virtual interrupt at the
 * next entry when RFLAGS.IF allows (RVI[7:4] > VPPR[7:4], SDM 30.2.1). */
bool apicv_vid_pending(const uint32_t *page);
/* Without virtual-interrupt delivery: the TPR threshold (SDM 30.1.2, 27.2.1.1: bits 3:0 not
 * above VTPR[7:4]): the priority class of the highest VIRR vector when the TPR is what holds
 * it back, so that the guest lowering its TPR below it exits (reason 43); else 0. */
uint32_t apicv_tpr_threshold(const uint32_t *page);

/* MSR bitmap (SDM 25.6.9: 4 KiB, read-low at 0, write-low at 2048; bit set = exit) for the
 * x2APIC range 0x800-0x8FF. With the guest in x2APIC mode and "virtualize x2APIC mode",
 * opens what the CPU virtualizes from the page (SDM 30.5): reads of TPR (always), of the
 * registers the page holds exactly with register virtualization (ID, version, LDR, SVR,
 * ISR/TMR/IRR, the LVT, initial count, divide configuration; PPR only with virtual-interrupt
 * delivery, which keeps VPPR; never the current count, ESR or ICR, whose page values are not
 * what RDMSR returns), writes of TPR, and with virtual-interrupt delivery writes of EOI and
 * SELF IPI (EOI and self-IPI virtualization). Otherwise every one of them exits: with
 * "virtualize x2APIC mode" 0 an open MSR would reach the host's APIC. */
void apicv_msr_bitmap_update(uint8_t *bitmap, const struct apicv_plan *p, bool guest_x2apic);
/* Whether the bitmap makes an access of msr exit (for tests and dumps). */
bool apicv_msr_exits(const uint8_t *bitmap, uint32_t msr, bool write);

/* APIC-access exit qualification (SDM 28.2.1, table 28-6). */
enum apicv_access_type {
    APICV_ACCESS_LINEAR_READ = 0,        /* data read during instruction execution */
    APICV_ACCESS_LINEAR_WRITE = 1,       /* data write during instruction execution */
    APICV_ACCESS_LINEAR_FETCH = 2,       /* instruction fetch */
    APICV_ACCESS_LINEAR_EVENT = 3,       /* during event delivery */
    APICV_ACCESS_PHYSICAL_EVENT = 10,    /* guest-physical, during event delivery */
    APICV_ACCESS_PHYSICAL_FETCH_OR = 15, /* guest-physical, instruction fetch or execution */
};
struct apicv_access {
    unsigned offset; /* bits 11:0, for linear accesses: the offset in the APIC page */
    unsigned type;   /* bits 15:12, enum apicv_access_type */
    bool async;      /* bit 16: asynchronous, not caused by an instruction */
    bool valid;      /* the type is one the SDM defines and the reserved bits are 0 */
};
struct apicv_access apicv_decode_access(uint64_t qualification);
/* "linear read", "linear write", ... or "reserved type". */
const char *apicv_access_type_name(unsigned type);
/* "linear write at offset 0x300 (ICR low)"; snprintf contract. */
int apicv_access_format(const struct apicv_access *a, char *buf, size_t size);
/* The local APIC register at an offset ("TPR", "ICR low", "LVT timer"...), NULL if none. */
const char *apicv_reg_name(unsigned offset);
/* APIC-write exit (56): the page offset written (bits 11:0, SDM 28.2.1); EOI-induced exit
 * (45): the vector (bits 7:0). */
static inline unsigned apicv_write_offset(uint64_t qualification)
{
    return (unsigned)(qualification & 0xfff);
}
static inline uint8_t apicv_eoi_vector(uint64_t qualification)
{
    return (uint8_t)(qualification & 0xff);
}

#endif

/*
 * vmx/posted_intr.h - the posted-interrupt descriptor (pure). SDM 30.6 "Posted-Interrupt
 * Processing" defines its CPU part: 64 bytes, 64-byte aligned, PIR (posted-interrupt
 * requests, bits 255:0) and ON (outstanding notification, bit 256); bits 511:257 are free
 * for software. The other fields are those the Intel VT-d specification (9.12, posted
 * interrupt descriptor) gives the same layout, so one descriptor serves the CPU and an
 * IOMMU: SN (suppress notification, bit 257), NV (notification vector, bits 279:272) and
 * NDST (notification destination, bits 319:288).
 *
 * Posting (another CPU or the VMM): pi_post() sets the PIR bit and says whether the
 * notification IPI (vector NV to NDST) must be sent. Receiving: a CPU in VMX non-root
 * operation that gets the notification vector does the posted-interrupt processing of SDM
 * 30.6 itself; when the vCPU is not running, the VMM does the same with pi_harvest() before
 * the next VM entry (and vlapic_merge_irr() into the virtual-APIC page).
 *
 * Atomicity: the descriptor is written by several CPUs at once (posters, the CPU's
 * posted-interrupt processing, an IOMMU). Setting a PIR bit is a locked OR, taking the PIR
 * is a locked exchange per 64-bit word, and ON is tested and set together with reading SN in
 * one compare-and-exchange of the control word; these use the compiler's __atomic builtins,
 * which are lock-prefixed instructions on x86, so the same code is right in the kernel and
 * in the single-threaded host tests.
 *
 * Bochs 2.7 does not implement posted interrupts ("process posted interrupts" is never
 * allowed-1 in its VMX capability MSRs), so this file is tested on the host only.
 */
#ifndef VMX_POSTED_INTR_H
#define VMX_POSTED_INTR_H

#include <stdbool.h>
#include <stdint.h>

#define PI_DESC_SIZE  64
#define PI_ON         (1ull << 0) /* control bit 0 = descriptor bit 256 */
#define PI_SN         (1ull << 1) /* bit 257 (VT-d) */
#define PI_NV_SHIFT   16          /* bits 279:272 */
#define PI_NDST_SHIFT 32          /* bits 319:288 */

struct pi_desc {
    uint64_t pir[4];  /* bit v of the 256 = vector v requested */
    uint64_t control; /* ON, SN, NV, NDST */
    uint64_t software[3];
} __attribute__((aligned(PI_DESC_SIZE)));

_Static_assert(sizeof(struct pi_desc) == PI_DESC_SIZE, "posted-interrupt descriptor size");

/* An empty descriptor notifying with vector nv; NDST as in pi_set_ndst. */
void pi_init(struct pi_desc *d, uint8_t nv, uint32_t apic_id, bool x2apic);

/* Posts vector. Returns true when the caller must send the notification IPI: ON was 0 and
 * SN is 0 (ON is now 1). With ON already set a notification is on its way; with SN set, ON
 * is left alone and pi_unsuppress() notifies later. */
bool pi_post(struct pi_desc *d, uint8_t vector);
/* Whether any PIR bit is set. */
bool pi_pending(const struct pi_desc *d);
/* The CPU's posted-interrupt processing (SDM 30.6, steps "clear ON" then "OR PIR into VIRR,
 * clear PIR"): ON cleared, PIR ORed into virr (bit v of the 256 in virr[v / 32]) and emptied.
 * Returns the highest vector taken from PIR, or -1. */
int pi_harvest(struct pi_desc *d, uint32_t virr[8]);

bool pi_on(const struct pi_desc *d);
bool pi_sn(const struct pi_desc *d);
/* Suppress notifications (vCPU descheduled). */
void pi_suppress(struct pi_desc *d);
/* Allow them again; returns true when interrupts were posted meanwhile and ON was clear: ON
 * is now set and the caller must notify (or harvest itself). */
bool pi_unsuppress(struct pi_desc *d);
uint8_t pi_nv(const struct pi_desc *d);
void pi_set_nv(struct pi_desc *d, uint8_t nv);
/* NDST holds the x2APIC ID in x2APIC mode, the 8-bit xAPIC ID in bits 15:8 in xAPIC mode
 * (VT-d 9.12). */
uint32_t pi_ndst(const struct pi_desc *d);
void pi_set_ndst(struct pi_desc *d, uint32_t apic_id, bool x2apic);

#endif

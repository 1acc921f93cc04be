/*
 * guests/lib/lapic.h - the local APIC of the 32-bit test guests, in xAPIC mode (MMIO at the
 * base IA32_APIC_BASE holds) or x2APIC mode (MSRs 0x800 + register offset / 16), chosen by
 * lapic_use_x2apic (SDM 11.4, 11.12). Register offsets are the xAPIC ones (SDM table 11-1);
 * in x2APIC mode the same names reach the MSRs (SDM table 11-6). Paging is off: the MMIO page is
 * reached at its physical address. The mode is a property of each CPU; the guests switch only
 * the CPU that runs the x2APIC checks, so one flag for the guest is enough.
 */
#ifndef GUEST_LAPIC_H
#define GUEST_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define IA32_APIC_BASE     0x1b
#define IA32_TSC_DEADLINE  0x6e0
#define APIC_BASE_BSP      (1u << 8)  /* SDM 11.4.4 */
#define APIC_BASE_EXTD     (1u << 10) /* x2APIC mode (SDM 11.12.1) */
#define APIC_BASE_EN       (1u << 11)
#define LAPIC_DEFAULT_BASE 0xfee00000u
#define X2APIC_MSR_BASE    0x800u

/* Register offsets (SDM table 11-1). */
#define LAPIC_ID          0x020
#define LAPIC_VERSION     0x030
#define LAPIC_TPR         0x080
#define LAPIC_PPR         0x0a0
#define LAPIC_EOI         0x0b0
#define LAPIC_LDR         0x0d0
#define LAPIC_DFR         0x0e0 /* xAPIC only */
#define LAPIC_SVR         0x0f0
#define LAPIC_ISR         0x100 /* 8 registers, 0x10 apart */
#define LAPIC_TMR         0x180
#define LAPIC_IRR         0x200
#define LAPIC_ESR         0x280
#define LAPIC_ICR_LO      0x300
#define LAPIC_ICR_HI      0x310 /* xAPIC only; x2APIC: one 64-bit MSR 0x830 */
#define LAPIC_LVT_TIMER   0x320
#define LAPIC_LVT_THERMAL 0x330
#define LAPIC_LVT_PMC     0x340
#define LAPIC_LVT_LINT0   0x350
#define LAPIC_LVT_LINT1   0x360
#define LAPIC_LVT_ERROR   0x370
#define LAPIC_TIMER_ICR   0x380 /* initial count */
#define LAPIC_TIMER_CCR   0x390 /* current count */
#define LAPIC_TIMER_DCR   0x3e0 /* divide configuration */
#define LAPIC_SELF_IPI    0x3f0 /* x2APIC only (SDM 11.12.11) */

#define LAPIC_SVR_ENABLE 0x100 /* APIC software enable (SDM 11.9) */

/* LVT fields (SDM 11.5.1, figure 11-8). */
#define LVT_MASKED          (1u << 16)
#define LVT_LEVEL           (1u << 15)
#define LVT_DELIVS          (1u << 12)
#define LVT_DM_FIXED        (0u << 8)
#define LVT_DM_NMI          (4u << 8)
#define LVT_DM_EXTINT       (7u << 8)
#define LVT_TIMER_ONESHOT   (0u << 17)
#define LVT_TIMER_PERIODIC  (1u << 17)
#define LVT_TIMER_TSC_DEADL (2u << 17)

/* ICR fields (SDM 11.6.1, figure 11-12). */
#define ICR_FIXED       (0u << 8)
#define ICR_LOWEST      (1u << 8)
#define ICR_NMI         (4u << 8)
#define ICR_INIT        (5u << 8)
#define ICR_STARTUP     (6u << 8)
#define ICR_LOGICAL     (1u << 11)
#define ICR_DELIVS      (1u << 12) /* xAPIC: send pending */
#define ICR_ASSERT      (1u << 14)
#define ICR_LEVEL       (1u << 15)
#define ICR_DEST_SELF   (1u << 18)
#define ICR_DEST_ALL    (2u << 18)
#define ICR_DEST_OTHERS (3u << 18)

/* ESR bits (SDM 11.5.3). */
#define ESR_SEND_ILLEGAL_VECTOR (1u << 5)
#define ESR_RECV_ILLEGAL_VECTOR (1u << 6)
#define ESR_ILLEGAL_REGISTER    (1u << 7)

#define LAPIC_SPURIOUS_VECTOR 0xff
#define LAPIC_WATCHDOG_VECTOR 0xf0

/* CPUID.1: EDX bit 9 (APIC on chip), ECX bit 21 (x2APIC), ECX bit 24 (TSC deadline). */
bool lapic_present(void);
bool lapic_x2apic_offered(void);
bool lapic_tsc_deadline_offered(void);

/* Reads IA32_APIC_BASE for the MMIO base (xAPIC) and makes sure the APIC is globally enabled
 * in xAPIC mode; installs the spurious-vector handler. No software enable yet. */
void lapic_init(void);
/* Switches this CPU to x2APIC mode (IA32_APIC_BASE.EXTD; SDM 11.12.1). False (with a note) if
 * the WRMSR faulted. */
bool lapic_use_x2apic(void);
bool lapic_is_x2apic(void);

uint32_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint32_t value);
/* The APIC ID: xAPIC bits 31:24 of the ID register, x2APIC the whole 32-bit MSR. */
uint32_t lapic_id(void);
/* Software-enables the APIC (SVR = enable | spurious vector 0xff). */
void lapic_enable(void);
void lapic_eoi(void);
/* The bit of vector in the 256-bit register array at reg (LAPIC_ISR, LAPIC_TMR, LAPIC_IRR). */
bool lapic_vector_bit(uint32_t reg, uint8_t vector);
/* ESR: a write latches the errors seen since the last write, the read returns them (SDM
 * 11.5.3). */
uint32_t lapic_read_esr(void);

/* Sends an IPI: ICR with the destination in bits 63:56 (xAPIC) or 63:32 (x2APIC). In xAPIC
 * mode it waits (bounded) for the delivery status to be idle before and after; false when it
 * stayed "send pending". */
bool lapic_send_ipi(uint32_t dest, uint32_t icr_lo);
/* Spurious interrupts (vector 0xff) seen on all CPUs. */
extern volatile uint32_t lapic_spurious_count;

/* Timer counts per millisecond with divide-by-1, measured against the PIT clock over about
 * 10 ms (guests/lib/pit.h); 0 when the timer did not count. */
uint32_t lapic_timer_calibrate(void);

/* A watchdog for HLT waits: the local APIC timer, periodic every period_us, on vector
 * LAPIC_WATCHDOG_VECTOR; counts in lapic_watchdog_ticks. Needs lapic_enable and
 * counts_per_ms from lapic_timer_calibrate. */
void lapic_watchdog_start(uint32_t counts_per_ms, uint32_t period_us);
void lapic_watchdog_stop(void);
extern volatile uint32_t lapic_watchdog_ticks;

#endif

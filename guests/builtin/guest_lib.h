/*
 * guests/builtin/guest_lib.h - the tiny library of the built-in test guests.
 *
 * Built-in guests are code inside the hypervisor image that runs in VMX non-root operation
 * (64-bit, CPL 0, on the host's page tables). They talk to the hypervisor only through what a
 * guest can do: port I/O (console on port 0xE9), CPUID, MSRs, VMCALL. They report each check
 * as `GUEST <name>: ok|FAIL <what>` and end with a summary line.
 */
#ifndef GUESTS_BUILTIN_GUEST_LIB_H
#define GUESTS_BUILTIN_GUEST_LIB_H

#include <stdbool.h>
#include <stdint.h>

#define GUEST_CONSOLE_PORT 0xe9

void guest_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Record a check: prints `GUEST <test>: ok <what>` or `GUEST <test>: FAIL <what>`. */
void guest_check(bool ok, const char *what);
uint32_t guest_failures(void);
uint32_t guest_checks(void);

/* Set up the guest's IDT (32 exception vectors); returns its base, limit via *limit. */
uint64_t guest_idt_setup(uint16_t *limit);

/* Events seen by the guest's handlers, in the order their handlers began. */
struct guest_seen {
    uint32_t vector;
    uint64_t rip, rflags; /* as pushed */
    uint64_t dr6;         /* #DB: DR6 in the handler (then DR6 is reset and TF cleared) */
};
/* From now on record every exception and NMI into log (max entries; NULL: stop recording).
 * #DB, NMI and #BP then return at once; other vectors go on to the recovery points below. */
void guest_trap_record(struct guest_seen *log, uint32_t max);
uint32_t guest_trap_seen(void); /* events recorded (also those beyond max) */

/* VMCALL nr with RBX = arg, and an exception delivered right after it (at the next
 * instruction): 0 when none came (or it was one that guest_trap_record only records), else
 * its vector + 1. */
uint32_t guest_vmcall_trap(uint64_t nr, uint64_t arg);
/* VMCALL nr with RBX, RCX, RDX, RSI (VP_HC_INJECT: type, vector, error code, length). */
uint64_t guest_hypercall4(uint64_t nr, uint64_t b, uint64_t c, uint64_t d, uint64_t si);
/* Event-priority walks (guest_ops.S): see the comments there. */
void guest_mtf_walk(uint64_t on_nr, uint64_t off_nr);
void guest_tf_cpuid(void);
uint32_t guest_lock_cpuid_safe(void);

/* Instructions that may fault, run with a recovery point: they return 0 when the instruction
 * completed, or the exception vector + 1 when it faulted (guests/builtin/guest_ops.S). */
uint32_t guest_rdmsr_safe(uint32_t msr, uint64_t *value);
uint32_t guest_wrmsr_safe(uint32_t msr, uint64_t value);
uint32_t guest_xsetbv_safe(uint32_t xcr, uint64_t value);
uint32_t guest_xgetbv_safe(uint32_t xcr, uint64_t *value);
uint32_t guest_vmxon_safe(uint64_t phys);
uint32_t guest_write_cr4_safe(uint64_t value);
uint64_t guest_vmcall(uint64_t nr, uint64_t arg);
/* VMFUNC leaf `fn` with ECX = index; 0 when it completed, the vector + 1 when it faulted. */
uint32_t guest_vmfunc_safe(uint32_t fn, uint32_t index);
void guest_invd(void);
void guest_triple_fault(void) __attribute__((noreturn));

#endif

/* platform/trap.h - the saved state of an interrupted context and the vector table. */
#ifndef PLATFORM_TRAP_H
#define PLATFORM_TRAP_H

#include <stdint.h>

/* Layout pushed by isr.S, then by the CPU (SDM 6.14.2, figure 6-9). */
struct trap_frame {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;
};

typedef void (*trap_handler_fn)(struct trap_frame *f);

/* Vectors used by the platform. */
#define VEC_LAPIC_TIMER 0xe0
#define VEC_XCALL       0xf0
#define VEC_KICK        0xf1 /* "leave the guest and look": smp_kick */
#define VEC_SPURIOUS    0xff

void trap_init(void);
void trap_set_handler(uint8_t vector, trap_handler_fn fn);

/* An exception a test provokes on purpose: the next exception `vector` on this CPU
 * resumes at `resume_rip` instead of stopping the CPU. */
void trap_expect(uint8_t vector, uint64_t resume_rip);
uint32_t trap_expected_hits(void);

const char *exception_name(uint8_t vector);

#endif

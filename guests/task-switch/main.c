/*
 * guests/task-switch/main.c - the task-switch test guest (multiboot v1; book example 7-2):
 * every kind of hardware task switch (SDM vol. 3 chapter 8 "Task Management"), which VMX
 * non-root operation never makes itself (SDM 26.4.2): a JMP to a task and back (busy flags,
 * no back-link), a CALL and its IRET (back-link, NT, the IRET clearing NT in the saved image),
 * INT n, INT3 and #UD through task gates, an exception with an error code (#NP) through a
 * task gate, a 16-bit TSS, a JMP to a busy task (#GP through a task gate), a TSS with an
 * invalid LDT selector (#TS after the commit point, in the new task, through a task gate),
 * and a TSS with the T flag (#DB with DR6.BT before the new task's first instruction). Paging
 * stays off, so no CR3 is loaded (vm/task_switch.c's unit tests cover CR3). No command line.
 */
#include "guests/lib/io.h"
#include "guests/lib/test.h"
#include "guests/lib/trap.h"

/* A 32-bit TSS (SDM 8.2.1 figure 8-2) and a 16-bit TSS (SDM 8.6 figure 8-11). */
struct tss32 {
    uint16_t link, r0;
    uint32_t esp0;
    uint16_t ss0, r1;
    uint32_t esp1;
    uint16_t ss1, r2;
    uint32_t esp2;
    uint16_t ss2, r3;
    uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint16_t es, r4, cs, r5, ss, r6, ds, r7, fs, r8, gs, r9, ldt, r10, trap, iomap;
} __attribute__((packed));
struct tss16 {
    uint16_t link, sp0, ss0, sp1, ss1, sp2, ss2, ip, flags, ax, cx, dx, bx, sp, bp, si, di, es, cs,
        ss, ds, ldt;
} __attribute__((packed));

enum {
    SEL_CODE = 0x08,
    SEL_DATA = 0x10,
    SEL_MAIN = 0x18,   /* this program's task */
    SEL_A = 0x20,      /* JMP there and back */
    SEL_B = 0x28,      /* CALL and IRET */
    SEL_D = 0x30,      /* T flag */
    SEL_BAD = 0x38,    /* invalid LDT selector */
    SEL_T16 = 0x40,    /* 16-bit TSS */
    SEL_CODE16 = 0x48, /* its code: base task16_entry */
    SEL_DATA16 = 0x50, /* its stack and data */
    SEL_NP = 0x58,     /* a data segment, not present */
    SEL_H_TS = 0x60,   /* handler tasks: #TS, #NP, #GP, INT 0x40 */
    SEL_H_NP = 0x68,
    SEL_H_GP = 0x70,
    SEL_H_INT = 0x78,
    SEL_H_BP = 0x80,
    SEL_H_UD = 0x88,
    GDT_ENTRIES = 18,
};
#define EFLAGS_NT   (1u << 14)
#define CR0_TS      (1u << 3)
#define DR6_BT      (1u << 15)
#define LJMP_LENGTH 7 /* EA id iw */

extern char task16_entry[];
void handler_ts(void), handler_np(void), handler_gp(void), handler_int(void), handler_bp(void),
    handler_ud(void);
void task_fault(uint32_t vector, uint32_t error);
void guest_main(uint32_t magic, uint32_t info);

static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(8)));
static struct tss32 tss_main, tss_a, tss_b, tss_d, tss_bad, tss_h[6];
static struct tss16 tss_16;
static uint8_t stacks[10][2048] __attribute__((aligned(16)));
static uint8_t stack16[512] __attribute__((aligned(16)));

static volatile uint32_t a_ran, a_tr, a_nt, b_ran, b_nt, b_link, b_main_type, d_ran, bad_ran;
static volatile uint32_t fault_count[256], fault_error[256], fault_link[256];

struct __attribute__((packed)) table_ptr {
    uint16_t limit; /* cppcheck-suppress unusedStructMember */
    uint32_t base;
};

static uint64_t seg_desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    return (limit & 0xffffull) | (uint64_t)(base & 0xffffff) << 16 | (uint64_t)access << 40 |
           (uint64_t)((limit >> 16) & 0xf) << 48 | (uint64_t)(flags & 0xf) << 52 |
           (uint64_t)(base >> 24) << 56;
}

static unsigned desc_type(uint16_t sel)
{
    return (unsigned)(gdt[sel >> 3] >> 40) & 0x1f;
}

static uint32_t read_eflags(void)
{
    uint32_t f;
    __asm__ volatile("pushfl; popl %0" : "=r"(f));
    return f;
}

static uint16_t read_tr(void)
{
    uint16_t v;
    __asm__ volatile("str %0" : "=r"(v));
    return v;
}

static struct tss32 *tss_of(uint16_t sel)
{
    uint64_t d = gdt[sel >> 3];
    return (struct tss32 *)(uintptr_t)(((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000u));
}

/* Called by the handler tasks (tasks.S) with the vector and the pushed error code. */
void task_fault(uint32_t vector, uint32_t error)
{
    vector &= 0xff;
    fault_count[vector]++;
    fault_error[vector] = error;
    uint16_t link = 0;
    for (int i = 0; i < 6; i++)
        if (read_tr() == SEL_H_TS + 8 * i)
            link = tss_h[i].link;
    fault_link[vector] = link;
    if (vector == 11) /* #NP: make the segment present, the MOV is made again */
        gdt[SEL_NP >> 3] |= 1ull << 47;
    else if (vector == 13 && link) /* #GP: the interrupted task goes on after its LJMP */
        tss_of(link)->eip += LJMP_LENGTH;
    else if (vector == 10) /* #TS: the faulting task gets a valid LDT selector (null) */
        tss_bad.ldt = 0;
    else if (vector == 6 && link) /* #UD: the interrupted task goes on after its UD2 */
        tss_of(link)->eip += 2;
}

static void task_a(void)
{
    for (;;) {
        a_ran++;
        a_tr = read_tr();
        a_nt = read_eflags() & EFLAGS_NT;
        __asm__ volatile("ljmp $0x18, $0" ::: "memory", "cc");
    }
}

static void task_b(void)
{
    for (;;) {
        b_ran++;
        b_nt = read_eflags() & EFLAGS_NT;
        b_link = tss_b.link;
        b_main_type = desc_type(SEL_MAIN);
        __asm__ volatile("iret" ::: "memory", "cc");
    }
}

static void task_d(void)
{
    for (;;) {
        d_ran++;
        __asm__ volatile("ljmp $0x18, $0" ::: "memory", "cc");
    }
}

static void task_bad(void)
{
    for (;;) {
        bad_ran++;
        __asm__ volatile("iret" ::: "memory", "cc");
    }
}

static void tss_init(struct tss32 *t, void (*entry)(void), int stack)
{
    *t = (struct tss32){0};
    t->eip = (uint32_t)(uintptr_t)entry;
    t->eflags = 0x2; /* IF = 0 */
    t->esp = (uint32_t)(uintptr_t)&stacks[stack][sizeof(stacks[stack])];
    t->cs = SEL_CODE;
    t->ss = t->ds = t->es = t->fs = t->gs = SEL_DATA;
    t->iomap = sizeof(*t);
}

static void tss_desc(uint16_t sel, const void *tss, uint32_t limit, uint8_t type)
{
    gdt[sel >> 3] = seg_desc((uint32_t)(uintptr_t)tss, limit, (uint8_t)(0x80 | type), 0);
}

static void task_gate(uint8_t vector, uint16_t sel)
{
    struct table_ptr idtr;
    __asm__ volatile("sidt %0" : "=m"(idtr));
    uint64_t *idt = (uint64_t *)(uintptr_t)idtr.base;
    idt[vector] = (uint64_t)sel << 16 | 0x85ull << 40; /* P, DPL 0, task gate (SDM 6.11) */
}

static void setup(void)
{
    gdt[SEL_CODE >> 3] = seg_desc(0, 0xfffff, 0x9a, 0xc);
    gdt[SEL_DATA >> 3] = seg_desc(0, 0xfffff, 0x92, 0xc);
    tss_desc(SEL_MAIN, &tss_main, sizeof(tss_main) - 1, 0x9);
    tss_init(&tss_a, task_a, 0);
    tss_init(&tss_b, task_b, 1);
    tss_init(&tss_d, task_d, 2);
    tss_init(&tss_bad, task_bad, 3);
    tss_d.trap = 1;         /* SDM 8.2.1: T flag */
    tss_bad.ldt = SEL_DATA; /* not an LDT descriptor */
    void (*handlers[6])(void) = {handler_ts,  handler_np, handler_gp,
                                 handler_int, handler_bp, handler_ud};
    for (int i = 0; i < 6; i++) {
        tss_init(&tss_h[i], handlers[i], 4 + i);
        tss_desc(SEL_H_TS + 8 * i, &tss_h[i], sizeof(tss_h[i]) - 1, 0x9);
    }
    tss_desc(SEL_A, &tss_a, sizeof(tss_a) - 1, 0x9);
    tss_desc(SEL_B, &tss_b, sizeof(tss_b) - 1, 0x9);
    tss_desc(SEL_D, &tss_d, sizeof(tss_d) - 1, 0x9);
    tss_desc(SEL_BAD, &tss_bad, sizeof(tss_bad) - 1, 0x9);
    tss_16 = (struct tss16){.flags = 0x2,
                            .sp = sizeof(stack16),
                            .cs = SEL_CODE16,
                            .ss = SEL_DATA16,
                            .ds = SEL_DATA16,
                            .es = SEL_DATA16};
    tss_desc(SEL_T16, &tss_16, sizeof(tss_16) - 1, 0x1);
    gdt[SEL_CODE16 >> 3] = seg_desc((uint32_t)(uintptr_t)task16_entry, 0xffff, 0x9a, 0);
    gdt[SEL_DATA16 >> 3] = seg_desc((uint32_t)(uintptr_t)stack16, 0xffff, 0x92, 0);
    gdt[SEL_NP >> 3] = seg_desc(0, 0xfffff, 0x12, 0xc); /* P = 0 */

    struct table_ptr g = {sizeof(gdt) - 1, (uint32_t)(uintptr_t)gdt};
    __asm__ volatile("lgdt %0\n\t"
                     "ljmp $0x08, $1f\n"
                     "1:\tmov $0x10, %%ax\n\t"
                     "mov %%ax, %%ds\n\tmov %%ax, %%es\n\tmov %%ax, %%ss\n\t"
                     "mov %%ax, %%fs\n\tmov %%ax, %%gs\n\t"
                     "mov $0x18, %%ax\n\tltr %%ax"
                     :
                     : "m"(g)
                     : "eax", "memory");
    task_gate(10, SEL_H_TS);
    task_gate(11, SEL_H_NP);
    task_gate(13, SEL_H_GP);
    task_gate(0x40, SEL_H_INT);
    task_gate(3, SEL_H_BP);
    task_gate(6, SEL_H_UD);
}

static void clts(void)
{
    __asm__ volatile("clts");
}

void guest_main(uint32_t magic, uint32_t info)
{
    (void)magic;
    (void)info;
    test_init("task-switch");
    trap_init();
    setup();
    test_checkf(read_tr() == SEL_MAIN && desc_type(SEL_MAIN) == 0xb,
                "LTR loads TR (0x%x) and marks the TSS busy (type 0x%x)", read_tr(),
                desc_type(SEL_MAIN));

    /* JMP to a task and back (SDM 8.3, 8.4 table 8-2). */
    clts();
    __asm__ volatile("ljmp $0x20, $0" ::: "memory", "cc");
    test_checkf(a_ran == 1 && a_tr == SEL_A, "JMP: the new task ran with TR = 0x%x", a_tr);
    test_checkf(a_nt == 0 && tss_a.link == 0, "JMP: no NT flag (0x%x), no back-link (0x%x)", a_nt,
                tss_a.link);
    test_checkf(desc_type(SEL_A) == 0x9 && desc_type(SEL_MAIN) == 0xb && read_tr() == SEL_MAIN,
                "JMP back: that task is free again (type 0x%x), this one busy (0x%x)",
                desc_type(SEL_A), desc_type(SEL_MAIN));
    test_check(read_cr0() & CR0_TS, "a task switch sets CR0.TS");
    test_checkf(tss_main.eip != 0 && tss_main.cs == SEL_CODE && tss_main.ss == SEL_DATA,
                "the JMP saved this task's state in its TSS (CS 0x%x, SS 0x%x)", tss_main.cs,
                tss_main.ss);

    /* CALL and IRET: back-link and NT. */
    __asm__ volatile("lcall $0x28, $0" ::: "memory", "cc");
    test_checkf(b_ran == 1 && b_nt != 0, "CALL: the called task runs with NT = 1 (%u)", b_nt != 0);
    test_checkf(b_link == SEL_MAIN && b_main_type == 0xb,
                "CALL: back-link 0x%x, the calling task stays busy (type 0x%x)", b_link,
                b_main_type);
    test_checkf(desc_type(SEL_B) == 0x9 && (tss_b.eflags & EFLAGS_NT) == 0,
                "IRET: the task returned from is free (type 0x%x), NT clear in its saved image",
                desc_type(SEL_B));
    test_check((read_eflags() & EFLAGS_NT) == 0, "IRET: back in the caller with NT = 0");

    /* INT n through a task gate. */
    __asm__ volatile("int $0x40" ::: "memory", "cc");
    test_checkf(fault_count[0x40] == 1 && fault_link[0x40] == SEL_MAIN,
                "INT 0x40 through a task gate: the handler task ran (%u), back-link 0x%x",
                fault_count[0x40], fault_link[0x40]);

    /* INT3 (a software exception) and #UD (a fault without error code) through task gates:
     * the first returns after the instruction, the second to it (the handler skips it). */
    __asm__ volatile("int3" ::: "memory", "cc");
    test_checkf(fault_count[3] == 1 && fault_link[3] == SEL_MAIN,
                "INT3 through a task gate: the handler task ran (%u), back-link 0x%x",
                fault_count[3], fault_link[3]);
    __asm__ volatile("ud2" ::: "memory", "cc");
    test_checkf(fault_count[6] == 1 && fault_link[6] == SEL_MAIN,
                "#UD through a task gate: the handler task ran (%u), back-link 0x%x",
                fault_count[6], fault_link[6]);

    /* An exception with an error code through a task gate: #NP(selector). */
    __asm__ volatile("mov %0, %%ds\n\tmov %1, %%ds" : : "r"(SEL_NP), "r"(SEL_DATA) : "memory");
    test_checkf(fault_count[11] == 1 && fault_error[11] == SEL_NP && fault_link[11] == SEL_MAIN,
                "#NP through a task gate: error code 0x%x on the handler task's stack, "
                "back-link 0x%x",
                fault_error[11], fault_link[11]);

    /* A 16-bit TSS (SDM 8.6). */
    __asm__ volatile("lcall $0x40, $0" ::: "memory", "cc");
    test_checkf(tss_16.ax == 0x1616 && tss_16.ip == 4,
                "16-bit TSS: the task ran, IRET saved AX 0x%x and IP %u in it", tss_16.ax,
                tss_16.ip);
    test_checkf(
        tss_16.link == SEL_MAIN && desc_type(SEL_T16) == 0x1 && (tss_16.flags & EFLAGS_NT) == 0,
        "16-bit TSS: back-link 0x%x, free again (type 0x%x)", tss_16.link, desc_type(SEL_T16));

    /* JMP to a busy task: #GP(selector) (table 8-1), here through a task gate. */
    __asm__ volatile("ljmp $0x18, $0" ::: "memory", "cc");
    test_checkf(fault_count[13] == 1 && fault_error[13] == SEL_MAIN,
                "JMP to a busy TSS: #GP with error code 0x%x", fault_error[13]);

    /* An invalid LDT selector in the new TSS: #TS(LDT selector) after the commit point, in
     * the new task; the handler task makes it valid and returns to that task. */
    __asm__ volatile("lcall $0x38, $0" ::: "memory", "cc");
    test_checkf(fault_count[10] == 1 && fault_error[10] == SEL_DATA,
                "invalid LDT selector in the TSS: #TS with error code 0x%x", fault_error[10]);
    test_checkf(fault_link[10] == SEL_BAD,
                "the #TS came in the new task's context (back-link 0x%x)", fault_link[10]);
    test_checkf(bad_ran == 1 && desc_type(SEL_BAD) == 0x9,
                "once its TSS was repaired the task ran (%u) and returned", bad_ran);

    /* The T flag: #DB (DR6.BT) before the new task's first instruction (SDM 17.2.3). */
    uint32_t before = trap_info.count;
    __asm__ volatile("ljmp $0x30, $0" ::: "memory", "cc");
    test_checkf(trap_info.count == before + 1 && trap_info.vector == 1 &&
                    (trap_info.error & DR6_BT) != 0,
                "T flag: #DB with DR6.BT (DR6 0x%x)", trap_info.error);
    test_checkf(trap_info.eip == (uint32_t)(uintptr_t)task_d && d_ran == 1,
                "T flag: the trap came before the task's first instruction");
    test_finish();
}

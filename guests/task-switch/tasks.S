/*
 * guests/task-switch/tasks.S - the code of the task-switch guest's handler tasks and of its
 * 16-bit task. A handler task is entered through a task gate in the IDT (SDM 6.12.2): the
 * switch pushed the exception's error code on its stack (SDM 6.13); it calls
 * task_fault(vector, error), returns to the interrupted task with IRET (NT = 1: a task return,
 * SDM 8.4) and, entered again, starts over from the instruction after the IRET.
 */
    .text
    .code32

.macro HANDLER name, vector, has_error
    .globl \name
\name:
    .if \has_error
    popl %eax
    .else
    xorl %eax, %eax
    .endif
    pushl %eax
    pushl $\vector
    call task_fault
    addl $8, %esp
    iret
    jmp \name
.endm

    HANDLER handler_ts, 10, 1
    HANDLER handler_np, 11, 1
    HANDLER handler_gp, 13, 1
    HANDLER handler_int, 0x40, 0
    HANDLER handler_bp, 3, 0
    HANDLER handler_ud, 6, 0

/* The 16-bit task: 16-bit code (CS base = task16_entry, IP 0), returns with IRET. */
    .globl task16_entry
    .code16
task16_entry:
    movw $0x1616, %ax
    iret
    jmp task16_entry
    .code32

    .section .note.GNU-stack, "", @progbits

/*
 * guests/events/long64.S - the 64-bit driver of the events test guest and its handlers.
 *
 * ev_run_long enters IA-32e mode from 32-bit protected mode as SDM 10.8.5 describes (CR4.PAE,
 * CR3, IA32_EFER.LME, CR0.PG, a far jump to a 64-bit code segment), runs the requests, and
 * leaves it again as SDM 10.8.5.4 describes (a far return to compatibility mode, CR0.PG = 0,
 * IA32_EFER.LME = 0, CR4.PAE = 0). In 64-bit mode the CPU aligns RSP to 16 bytes and always
 * pushes SS, RSP, RFLAGS, CS, RIP (and an error code) (SDM 6.14.2): the driver records the
 * aligned stack pointer as the frame's top. Assembled into the 32-bit object file with .code64:
 * every symbol is below 2 GiB, so 32-bit absolute addresses do.
 */
#include "guests/events/events.h"

#define VMCALL_INJECT 3
#define IA32_EFER     0xc0000080
#define EFER_LME      0x100
#define CR0_PG        0x80000000
#define CR4_PAE       0x20

    .text
    .code32

/* void ev_run_long(void) */
    .globl ev_run_long
ev_run_long:
    pushal
    mov %esp, ev_vars + VAR_SAVED_SP
    sidt ev_vars + VAR_SAVED_IDT
    mov %cr4, %eax
    or $CR4_PAE, %eax
    mov %eax, %cr4
    mov $ev_pml4, %eax
    mov %eax, %cr3
    mov $IA32_EFER, %ecx
    rdmsr
    or $EFER_LME, %eax
    wrmsr
    mov %cr0, %eax
    or $CR0_PG, %eax
    mov %eax, %cr0 /* IA32_EFER.LMA = 1: compatibility mode until CS is loaded */
    ljmp $EV_SEL_CODE64, $1f
    .code64
1:  mov $ev_vars, %r15d /* the variables' base: 64-bit code cannot use 32-bit absolute
                          * addresses in a 32-bit object file */
    lidt VAR_IDT_FULL(%r15)
    and $-16, %rsp
    call long_driver
    mov $2f, %eax
    pushq $EV_SEL_CODE32
    push %rax
    lretq
    .code32
2:  mov %cr0, %eax /* compatibility mode: paging may be turned off (SDM 10.8.5.4) */
    and $~CR0_PG, %eax
    mov %eax, %cr0
    mov $IA32_EFER, %ecx
    rdmsr
    and $~EFER_LME, %eax
    wrmsr
    mov %cr4, %eax
    and $~CR4_PAE, %eax
    mov %eax, %cr4
    mov $EV_SEL_DATA32, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %fs
    mov %ax, %gs
    mov %ax, %ss
    mov ev_vars + VAR_SAVED_SP, %esp
    lidt ev_vars + VAR_SAVED_IDT
    popal
    ret

    .code64
long_driver:
    movl $ev_reqs, VAR_REQ(%r15)
    movl $ev_slots, VAR_SLOT(%r15)
    movl $40, VAR_NOERR_SIZE(%r15) /* RIP, CS, RFLAGS, RSP, SS */
1:  mov VAR_REQ(%r15), %ebx
    cmpl $EV_OP_END, REQ_OP(%rbx)
    je 9f
    movl $0, VAR_RESUME(%r15)
    call long_one
    movl $0, VAR_RESUME(%r15)
    lidt VAR_IDT_FULL(%r15)
    addl $REQ_SIZE, VAR_REQ(%r15)
    addl $SLOT_SIZE, VAR_SLOT(%r15)
    jmp 1b
9:  ret

/* The stack pointer the CPU will push the next frame below: RSP aligned to 16 bytes. */
.macro FRAME_TOP
    mov %rsp, %r8
    and $-16, %r8
    mov %r8d, VAR_FRAME_TOP(%r15)
.endm

long_one:
    mov VAR_REQ(%r15), %ebx
    mov VAR_SLOT(%r15), %edi
    testl $EV_F_SMALL_IDT, REQ_FLAGS(%rbx)
    jz 1f
    lidt VAR_IDT_SMALL(%r15)
    movl $long_vmcall_end, VAR_RESUME(%r15) /* a #DF's saved RIP is undefined */
1:  cmpl $EV_OP_INJECT, REQ_OP(%rbx)
    jne long_insn
    movl $long_vmcall, SLOT_AT(%rdi)
    movl $long_vmcall_end, SLOT_NEXT(%rdi)
    movl $long_sti_next, SLOT_STI_NEXT(%rdi)
    FRAME_TOP
    mov REQ_FLAGS(%rbx), %ebp
    mov REQ_VECTOR(%rbx), %ecx
    mov REQ_ERROR(%rbx), %edx
    mov REQ_LEN(%rbx), %esi
    mov REQ_TYPE(%rbx), %ebx
    mov $VMCALL_INJECT, %eax
    test $EV_F_IF, %ebp
    jz long_vmcall
    sti
long_vmcall:
    vmcall
long_vmcall_end:
    .rept 15
    nop
    .endr
    cli
    lidt VAR_IDT_FULL(%r15)
    mov VAR_SLOT(%r15), %edi
    mov %eax, SLOT_RAX(%rdi)
    test $EV_F_STI, %ebp
    jz 1f
    mov SLOT_COUNT(%rdi), %eax
    mov %eax, SLOT_PRE_STI(%rdi)
    sti
    nop
long_sti_next:
    nop
    cli
1:  ret

.macro AT64 at, next
    mov VAR_SLOT(%r15), %edi
    movl $\at, SLOT_AT(%rdi)
    movl $\next, SLOT_NEXT(%rdi)
    movl $\next, VAR_RESUME(%r15)
    FRAME_TOP
.endm

long_insn:
    mov REQ_INSN(%rbx), %eax
    cmp $EV_I_COUNT, %eax
    jae l_none
    mov $long_insn_table, %edx
    mov (%rdx, %rax, 4), %eax
    jmp *%rax
l_none:
    ret

l_int41:
    AT64 1f, 2f
1:  int $0x41
2:  ret
l_int3:
    AT64 1f, 2f
1:  int3
2:  ret
l_int1:
    AT64 1f, 2f
1:  .byte 0xf1
2:  ret
l_ud2:
    AT64 1f, 2f
1:  ud2
2:  ret
l_badsel:
    mov $0x1230, %eax
    AT64 1f, 2f
1:  mov %ax, %ds
2:  mov $EV_SEL_DATA32, %ax
    mov %ax, %ds
    ret
l_div0:
    mov $1, %eax
    xor %edx, %edx
    xor %ecx, %ecx
    AT64 1f, 2f
1:  div %ecx
2:  ret

    .section .rodata
    .balign 4
long_insn_table: /* INTO is not valid in 64-bit mode */
    .long l_none, l_int41, l_int3, l_none, l_int1, l_ud2, l_badsel, l_div0, l_none, l_none
    .long l_none
    .text

/* The handlers: 256 stubs of 16 bytes (PUSH imm32 is sign-extended to 64 bits). */
    .balign 16
    .globl ev_long_stubs
ev_long_stubs:
    .set vec, 0
    .rept 256
    .balign 16
    .byte 0x68
    .long vec
    jmp long_common
    .set vec, vec + 1
    .endr

long_common:
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r15 /* 0 R15, 8 RBP ... 56 RAX, 64 the vector, 72 the frame */
    mov $ev_vars, %r15d
    lea 72(%rsp), %rsi
    mov VAR_FRAME_TOP(%r15), %ecx
    sub %esi, %ecx /* the frame's size */
    mov VAR_SLOT(%r15), %edi
    mov SLOT_COUNT(%rdi), %edx
    incl SLOT_COUNT(%rdi)
    cmp $2, %edx
    jae 5f
    mov %edx, %ebx
    shl $6, %edx
    lea SLOT_HITS(%rdi, %rdx), %rdi
    mov 64(%rsp), %eax
    mov %eax, HIT_VECTOR(%rdi)
    mov %ecx, HIT_FSIZE(%rdi)
    mov VAR_DEPTH(%r15), %eax
    mov %eax, HIT_DEPTH(%rdi)
    cmpl $1, 64(%rsp)
    jne 1f
    mov %dr6, %rax
    mov %eax, HIT_AUX(%rdi)
1:  push %rdi
    push %rcx
    add $HIT_FRAME, %rdi
    mov $HIT_FRAME_BYTES, %ecx
    cld
    rep movsb
    pop %rcx
    pop %rdi
    incl VAR_DEPTH(%r15)
    cmpl $2, 64(%rsp)
    jne 4f
    test %ebx, %ebx
    jnz 4f
    mov VAR_REQ(%r15), %edx
    testl $EV_F_NMI2, REQ_FLAGS(%rdx)
    jz 4f
    push %rcx
    mov $VMCALL_INJECT, %eax /* another NMI, while this one blocks NMIs */
    mov $2, %ebx
    mov $2, %ecx
    xor %edx, %edx
    xor %esi, %esi
    vmcall
    pop %rcx
    mov %eax, HIT_AUX(%rdi)
    jmp 4f
5:  incl VAR_DEPTH(%r15)
4:  xor %eax, %eax
    cmp VAR_NOERR_SIZE(%r15), %ecx
    setne %al
    mov %eax, VAR_HAS_ERR(%r15)
    mov VAR_RESUME(%r15), %edx
    test %edx, %edx
    jz 6f
    mov %rdx, 72(%rsp, %rax, 8) /* the RIP IRETQ returns to */
6:  decl VAR_DEPTH(%r15)
    cmpl $0, VAR_HAS_ERR(%r15)
    pop %r15
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    lea 8(%rsp), %rsp /* the vector (LEA and POP keep the flags of the CMP) */
    je 7f
    add $8, %rsp
7:  iretq

    .section .note.GNU-stack, "", @progbits

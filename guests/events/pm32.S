/*
 * guests/events/pm32.S - the 32-bit protected-mode driver of the events test guest, its
 * interrupt and exception handlers (also the ring-0 handlers of virtual-8086 mode), and the
 * virtual-8086 driver (events.h says what a driver and a handler do).
 *
 * A handler of the same privilege level finds EIP, CS, EFLAGS on its stack, after an error
 * code if the event has one; coming from virtual-8086 mode the CPU switches to the TSS's
 * SS0:ESP0 and pushes GS, FS, DS, ES, SS, ESP, EFLAGS, CS, EIP (SDM 6.12.1, 20.3.1.1), and
 * loads DS, ES, FS, GS with null selectors, so the handler loads its own.
 */
#include "guests/events/events.h"

#define VMCALL_INJECT 3
#define EFLAGS_V86    0x00023002 /* VM, IOPL 3, bit 1; IF = 0 */

    .text
    .code32

/* void ev_run_pm32(void) */
    .globl ev_run_pm32
ev_run_pm32:
    pushal
    movl $ev_reqs, ev_vars + VAR_REQ
    movl $ev_slots, ev_vars + VAR_SLOT
    movl $12, ev_vars + VAR_NOERR_SIZE /* EIP, CS, EFLAGS */
1:  mov ev_vars + VAR_REQ, %ebx
    cmpl $EV_OP_END, REQ_OP(%ebx)
    je 9f
    movl $0, ev_vars + VAR_RESUME
    call pm32_one
    movl $0, ev_vars + VAR_RESUME
    lidt ev_vars + VAR_IDT_FULL
    addl $REQ_SIZE, ev_vars + VAR_REQ
    addl $SLOT_SIZE, ev_vars + VAR_SLOT
    jmp 1b
9:  popal
    ret

/* The IDT of the request: cut to vectors 0-8 or 0-7 (#GP then #DF, or a triple fault). */
pm32_idt:
    testl $EV_F_SMALL_IDT, REQ_FLAGS(%ebx)
    jz 1f
    lidt ev_vars + VAR_IDT_SMALL
1:  testl $EV_F_TINY_IDT, REQ_FLAGS(%ebx)
    jz 2f
    lidt ev_vars + VAR_IDT_TINY
2:  ret

pm32_one:
    mov ev_vars + VAR_REQ, %ebx
    mov ev_vars + VAR_SLOT, %edi
    call pm32_idt
    cmpl $EV_OP_INJECT, REQ_OP(%ebx)
    jne pm32_insn
    movl $pm32_vmcall, SLOT_AT(%edi)
    movl $pm32_vmcall_end, SLOT_NEXT(%edi)
    movl $pm32_sti_next, SLOT_STI_NEXT(%edi)
    testl $EV_F_SMALL_IDT | EV_F_TINY_IDT, REQ_FLAGS(%ebx)
    jz 1f
    movl $pm32_vmcall_end, ev_vars + VAR_RESUME /* a #DF's saved EIP is undefined (SDM 6.15) */
1:  mov REQ_FLAGS(%ebx), %ebp
    mov REQ_VECTOR(%ebx), %ecx
    mov REQ_ERROR(%ebx), %edx
    mov REQ_LEN(%ebx), %esi
    mov REQ_TYPE(%ebx), %ebx
    mov $VMCALL_INJECT, %eax
    mov %esp, ev_vars + VAR_FRAME_TOP
    test $EV_F_IF, %ebp
    jz pm32_vmcall
    sti
pm32_vmcall:
    vmcall
pm32_vmcall_end:
    .rept 15
    nop
    .endr
    cli
    lidt ev_vars + VAR_IDT_FULL
    mov ev_vars + VAR_SLOT, %edi
    mov %eax, SLOT_RAX(%edi)
    test $EV_F_STI, %ebp
    jz 1f
    mov SLOT_COUNT(%edi), %eax
    mov %eax, SLOT_PRE_STI(%edi)
    sti
    nop
pm32_sti_next:
    nop
    cli
1:  ret

.macro AT32 at, next
    mov ev_vars + VAR_SLOT, %edi
    movl $\at, SLOT_AT(%edi)
    movl $\next, SLOT_NEXT(%edi)
    movl $\next, ev_vars + VAR_RESUME
    mov %esp, ev_vars + VAR_FRAME_TOP
.endm

pm32_insn:
    mov REQ_INSN(%ebx), %eax
    cmp $EV_I_COUNT, %eax
    jae p_none
    jmp *pm32_insn_table(, %eax, 4)
p_none:
    ret

p_int41:
    AT32 1f, 2f
1:  int $0x41
2:  ret
p_int3:
    AT32 1f, 2f
1:  int3
2:  ret
p_into:
    mov $0x7f, %al
    AT32 1f, 2f
    add $1, %al /* OF = 1 */
1:  into
2:  ret
p_int1:
    AT32 1f, 2f
1:  .byte 0xf1 /* INT1 (ICEBP) */
2:  ret
p_ud2:
    AT32 1f, 2f
1:  ud2
2:  ret
p_badsel:
    mov $0x1230, %eax /* GDT index 0x246: beyond the limit, #GP(0x1230) (SDM 6.15, #GP) */
    AT32 1f, 2f
1:  mov %ax, %ds
2:  mov $EV_SEL_DATA32, %ax
    mov %ax, %ds
    ret
p_div0:
    mov $1, %eax
    xor %edx, %edx
    xor %ecx, %ecx
    AT32 1f, 2f
1:  div %ecx
2:  ret

    .section .rodata
    .balign 4
pm32_insn_table:
    .long p_none, p_int41, p_int3, p_into, p_int1, p_ud2, p_badsel, p_div0, p_none, p_none
    .long p_none
    .text

/*
 * The handlers: 256 stubs of 16 bytes; the IDT points at them (desc.c).
 */
    .balign 16
    .globl ev_pm32_stubs
ev_pm32_stubs:
    .set vec, 0
    .rept 256
    .balign 16
    .byte 0x68 /* PUSH imm32 */
    .long vec
    jmp pm32_common
    .set vec, vec + 1
    .endr

pm32_common:
    pushal
    push %ds
    push %es
    mov $EV_SEL_DATA32, %ax
    mov %ax, %ds
    mov %ax, %es
    lea 44(%esp), %esi /* 0 ES, 4 DS, 8 PUSHAL, 40 the vector, 44 the frame */
    mov ev_vars + VAR_FRAME_TOP, %ecx
    sub %esi, %ecx /* the frame's size */
    mov ev_vars + VAR_SLOT, %edi
    mov SLOT_COUNT(%edi), %edx
    incl SLOT_COUNT(%edi)
    cmp $2, %edx
    jae 5f
    mov %edx, %ebx /* the index of this record */
    shl $6, %edx
    lea SLOT_HITS(%edi, %edx), %edi
    mov 40(%esp), %eax
    mov %eax, HIT_VECTOR(%edi)
    mov %ecx, HIT_FSIZE(%edi)
    mov ev_vars + VAR_DEPTH, %eax
    mov %eax, HIT_DEPTH(%edi)
    cmpl $1, 40(%esp)
    jne 1f
    mov %dr6, %eax
    mov %eax, HIT_AUX(%edi)
1:  push %edi
    push %ecx
    add $HIT_FRAME, %edi
    mov $HIT_FRAME_BYTES, %ecx
    cld
    rep movsb
    pop %ecx
    pop %edi
    incl ev_vars + VAR_DEPTH
    cmpl $2, 40(%esp)
    jne 4f
    test %ebx, %ebx
    jnz 4f
    mov ev_vars + VAR_REQ, %edx
    testl $EV_F_NMI2, REQ_FLAGS(%edx)
    jz 4f
    push %ecx
    push %edx
    mov $VMCALL_INJECT, %eax /* another NMI, while this one blocks NMIs */
    mov $2, %ebx
    mov $2, %ecx
    xor %edx, %edx
    xor %esi, %esi
    vmcall
    pop %edx
    pop %ecx
    mov %eax, HIT_AUX(%edi)
    testl $EV_F_V86ENTER, REQ_FLAGS(%edx)
    jz 4f
    /* the IRET of this handler goes to virtual-8086 mode, where the second NMI arrives */
    movl $0, ev_vars + VAR_DEPTH
    movl $EV_RING0_SP, ev_vars + VAR_FRAME_TOP
    movl $36, ev_vars + VAR_NOERR_SIZE
    mov $ev_v86_idle, %eax
    jmp v86_enter
5:  incl ev_vars + VAR_DEPTH
4:  xor %eax, %eax
    cmp ev_vars + VAR_NOERR_SIZE, %ecx
    setne %al
    mov %eax, ev_vars + VAR_HAS_ERR
    mov ev_vars + VAR_RESUME, %edx
    test %edx, %edx
    jz 6f
    mov %edx, 44(%esp, %eax, 4) /* the EIP IRET returns to */
6:  decl ev_vars + VAR_DEPTH
    pop %es
    pop %ds
    popal
    lea 4(%esp), %esp /* the vector */
    cmpl $0, %ss:ev_vars + VAR_HAS_ERR
    je 7f
    add $4, %esp
7:  iret

/*
 * Virtual-8086 mode. Each request runs from ring 0 (v86_one) and enters v8086 mode with IRET;
 * the v8086 code comes back with INT 0x30 (v86_back), which returns from v86_one.
 */
    .globl ev_run_v86
ev_run_v86:
    pushal
    movl $ev_reqs, ev_vars + VAR_REQ
    movl $ev_slots, ev_vars + VAR_SLOT
1:  mov ev_vars + VAR_REQ, %ebx
    cmpl $EV_OP_END, REQ_OP(%ebx)
    je 9f
    movl $0, ev_vars + VAR_RESUME
    call v86_one
    movl $0, ev_vars + VAR_RESUME
    addl $REQ_SIZE, ev_vars + VAR_REQ
    addl $SLOT_SIZE, ev_vars + VAR_SLOT
    jmp 1b
9:  popal
    ret

v86_one:
    mov %esp, ev_vars + VAR_SAVED_SP
    mov ev_vars + VAR_REQ, %ebx
    mov ev_vars + VAR_SLOT, %edi
    cmpl $EV_OP_INJECT, REQ_OP(%ebx)
    jne v86_insn
    testl $EV_F_NMI2, REQ_FLAGS(%ebx)
    jnz v86_nmi
    /* asked for in ring 0 with IF = 0; the v8086 code opens the window with STI */
    movl $v86_vmcall, SLOT_AT(%edi)
    movl $ev_v86_idle, SLOT_NEXT(%edi)
    movl $ev_v86_sti_next, SLOT_STI_NEXT(%edi)
    call v86_request
    movl $EV_RING0_SP, ev_vars + VAR_FRAME_TOP
    movl $36, ev_vars + VAR_NOERR_SIZE
    mov $ev_v86_sti, %eax
    jmp v86_enter
v86_nmi: /* the first NMI comes in ring 0; its handler enters v8086 mode (EV_F_V86ENTER) */
    movl $v86_vmcall, SLOT_AT(%edi)
    movl $ev_v86_idle, SLOT_NEXT(%edi)
    movl $12, ev_vars + VAR_NOERR_SIZE
    mov %esp, ev_vars + VAR_FRAME_TOP
    subl $4, ev_vars + VAR_FRAME_TOP /* the return address v86_request pushes */
    call v86_request
    ret /* no NMI came */

v86_request:
    mov ev_vars + VAR_REQ, %ebx
    mov REQ_VECTOR(%ebx), %ecx
    mov REQ_ERROR(%ebx), %edx
    mov REQ_LEN(%ebx), %esi
    mov REQ_TYPE(%ebx), %ebx
    mov $VMCALL_INJECT, %eax
v86_vmcall:
    vmcall
    mov ev_vars + VAR_SLOT, %edi
    mov %eax, SLOT_RAX(%edi)
    ret

v86_insn:
    movl $EV_RING0_SP, ev_vars + VAR_FRAME_TOP
    movl $36, ev_vars + VAR_NOERR_SIZE
    mov REQ_INSN(%ebx), %eax
    cmp $EV_I_COUNT, %eax
    jae 1f
    mov ev_v86_insn_table(, %eax, 4), %eax
    jmp v86_enter
1:  ret

/* IRET to v8086 mode at CS:IP = 0:EAX, SS:SP = 0:EV_V86_SP, data segments 0. */
v86_enter:
    push $0 /* GS */
    push $0 /* FS */
    push $0 /* DS */
    push $0 /* ES */
    push $0 /* SS */
    push $EV_V86_SP
    push $EFLAGS_V86
    push $0 /* CS */
    push %eax
    iret

/* INT 0x30 from v8086 mode: back to the ring-0 driver. */
    .globl ev_v86_back
ev_v86_back:
    mov $EV_SEL_DATA32, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %fs
    mov %ax, %gs
    mov ev_vars + VAR_SAVED_SP, %esp
    ret

    .section .note.GNU-stack, "", @progbits

/*
 * guests/events/low16.S - the low-memory part of the events test guest, linked to run at
 * EV_LOW_BASE (main.c copies it there): the requests, slots and driver variables that every
 * mode reaches (events.h), the real-mode interrupt vector table, the real-address-mode driver
 * with its handlers, and the code that runs in virtual-8086 mode (its handlers are the 32-bit
 * ones of pm32.S, reached through the IDT with a virtual-8086 frame, SDM 20.3.1.1).
 *
 * Real-address mode is entered from 32-bit protected mode the way SDM 10.9.2 (Switching Back
 * to Real-Address Mode) describes: a far jump to a 16-bit code segment (base 0, limit 64 KiB),
 * 16-bit data segments, CR0.PE = 0, a far jump that loads CS with a real-mode value, LIDT of
 * the IVT. A real-mode interrupt pushes FLAGS, CS and IP and never an error code (SDM 20.1.4).
 */
#include "guests/events/events.h"

#define VMCALL_INJECT 3
#define EFLAGS_OF_SET_AL 0x7f /* AL = 0x7f; ADD AL, 1 sets OF */

    .section .low, "awx"
    .code32

/* void ev_run_real(void): called from 32-bit protected mode; back there when done. */
    .globl ev_run_real
ev_run_real:
    pushal
    mov %esp, ev_vars + VAR_SAVED_SP
    sidt ev_vars + VAR_SAVED_IDT
    ljmp $EV_SEL_CODE16, $1f
    .code16
1:  mov $EV_SEL_DATA16, %ax /* 16-bit segments: limit 64 KiB (SDM 10.9.2 step 4) */
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %fs
    mov %ax, %gs
    mov %ax, %ss
    mov %cr0, %eax
    and $~1, %eax
    mov %eax, %cr0 /* CR0.PE = 0 */
    ljmp $0, $2f
2:  xor %ax, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %fs
    mov %ax, %gs
    mov %ax, %ss
    mov $EV_REAL_SP, %esp
    lidt ev_vars + VAR_IDT_FULL /* the IVT of the guest's own (IDTR.base works in real mode) */
    call real_driver
    cli
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmpl $EV_SEL_CODE32, $3f
    .code32
3:  mov $EV_SEL_DATA32, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %fs
    mov %ax, %gs
    mov %ax, %ss
    mov ev_vars + VAR_SAVED_SP, %esp
    lidt ev_vars + VAR_SAVED_IDT
    popal
    ret

    .code16
real_driver:
    movl $ev_reqs, ev_vars + VAR_REQ
    movl $ev_slots, ev_vars + VAR_SLOT
    movl $6, ev_vars + VAR_NOERR_SIZE /* IP, CS, FLAGS */
1:  mov ev_vars + VAR_REQ, %bx
    cmpl $EV_OP_END, REQ_OP(%bx)
    je 9f
    movl $0, ev_vars + VAR_RESUME
    call real_one
    movl $0, ev_vars + VAR_RESUME
    addl $REQ_SIZE, ev_vars + VAR_REQ
    addl $SLOT_SIZE, ev_vars + VAR_SLOT
    jmp 1b
9:  ret

/* One request: VP_HC_INJECT, or an instruction. */
real_one:
    mov ev_vars + VAR_REQ, %bx
    mov ev_vars + VAR_SLOT, %di
    cmpl $EV_OP_INJECT, REQ_OP(%bx)
    jne real_insn
    movl $real_vmcall, SLOT_AT(%di)
    movl $real_vmcall_end, SLOT_NEXT(%di)
    movl $real_sti_next, SLOT_STI_NEXT(%di)
    mov REQ_FLAGS(%bx), %ebp
    mov REQ_VECTOR(%bx), %ecx
    mov REQ_ERROR(%bx), %edx
    mov REQ_LEN(%bx), %esi
    mov REQ_TYPE(%bx), %ebx
    mov $VMCALL_INJECT, %eax
    mov %esp, ev_vars + VAR_FRAME_TOP
    test $EV_F_IF, %bp
    jz real_vmcall
    sti
real_vmcall:
    vmcall
real_vmcall_end:
    .rept 15
    nop
    .endr
    cli
    mov ev_vars + VAR_SLOT, %di
    mov %eax, SLOT_RAX(%di)
    test $EV_F_STI, %bp
    jz 1f
    mov SLOT_COUNT(%di), %eax
    mov %eax, SLOT_PRE_STI(%di)
    sti
    nop
real_sti_next:
    nop
    cli
1:  ret

/* An instruction: the slot gets its address and the next one, and a fault resumes after it. */
.macro AT16 at, next
    mov ev_vars + VAR_SLOT, %di
    movl $\at, SLOT_AT(%di)
    movl $\next, SLOT_NEXT(%di)
    movl $\next, ev_vars + VAR_RESUME
    mov %esp, ev_vars + VAR_FRAME_TOP
.endm

real_insn:
    mov REQ_INSN(%bx), %si
    cmp $EV_I_COUNT, %si
    jae r_none
    shl $1, %si
    jmp *real_insn_table(%si)
r_none: /* not an instruction of this mode: nothing happens, the check says so */
    ret

r_int41:
    AT16 1f, 2f
1:  int $0x41
2:  ret
r_int3:
    AT16 1f, 2f
1:  int3
2:  ret
r_into:
    mov $EFLAGS_OF_SET_AL, %al
    AT16 1f, 2f
    add $1, %al /* OF = 1 */
1:  into
2:  ret
r_int1:
    AT16 1f, 2f
1:  .byte 0xf1 /* INT1 (ICEBP) */
2:  ret
r_ud2:
    AT16 1f, 2f
1:  ud2
2:  ret
r_div0:
    mov $1, %eax
    xor %edx, %edx
    xor %ecx, %ecx
    AT16 1f, 2f
1:  div %ecx
2:  ret

    .balign 2
real_insn_table:
    .word r_none, r_int41, r_int3, r_into, r_int1, r_ud2, r_none, r_div0, r_none, r_none, r_none

/*
 * The handlers: 256 stubs of 8 bytes (push the vector, go to real_common), the IVT points at
 * them (desc.c). real_common records the frame into the current slot, asks for a second NMI in
 * the first NMI handler of an EV_F_NMI2 request, resumes after a faulting instruction, and
 * returns with IRET.
 */
    .balign 8
    .globl ev_real_stubs
ev_real_stubs:
    .set vec, 0
    .rept 256
    .balign 8
    push $vec
    jmp real_common
    .set vec, vec + 1
    .endr

real_common:
    pushal
    push %ds
    push %es
    xor %ax, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %sp, %bp /* 0 ES, 2 DS, 4 the 32 bytes of PUSHAL, 36 the vector, 38 the frame */
    lea 38(%bp), %si
    movzwl %si, %esi
    mov ev_vars + VAR_FRAME_TOP, %ecx
    sub %esi, %ecx /* the frame's size */
    mov ev_vars + VAR_SLOT, %di
    mov SLOT_COUNT(%di), %edx
    incl SLOT_COUNT(%di)
    cmp $2, %edx
    jae 5f
    mov %dx, %bx /* the index of this record */
    shl $6, %dx
    add %dx, %di
    add $SLOT_HITS, %di
    movzwl 36(%bp), %eax
    mov %eax, HIT_VECTOR(%di)
    mov %ecx, HIT_FSIZE(%di)
    mov ev_vars + VAR_DEPTH, %eax
    mov %eax, HIT_DEPTH(%di)
    cmpw $1, 36(%bp)
    jne 1f
    mov %dr6, %eax
    mov %eax, HIT_AUX(%di)
1:  push %di
    push %cx
    add $HIT_FRAME, %di
    mov $HIT_FRAME_BYTES, %cx
    cld
    rep movsb
    pop %cx
    pop %di
    incl ev_vars + VAR_DEPTH
    cmpw $2, 36(%bp)
    jne 4f
    test %bx, %bx
    jnz 4f
    mov ev_vars + VAR_REQ, %bx
    testl $EV_F_NMI2, REQ_FLAGS(%bx)
    jz 4f
    push %cx
    push %di
    mov $VMCALL_INJECT, %eax /* another NMI, while this one blocks NMIs */
    mov $2, %ebx
    mov $2, %ecx
    xor %edx, %edx
    xor %esi, %esi
    vmcall
    pop %di
    pop %cx
    mov %eax, HIT_AUX(%di)
    jmp 4f
5:  incl ev_vars + VAR_DEPTH
4:  xor %eax, %eax
    cmp ev_vars + VAR_NOERR_SIZE, %ecx
    setne %al
    mov %eax, ev_vars + VAR_HAS_ERR
    mov ev_vars + VAR_RESUME, %edx
    test %edx, %edx
    jz 6f
    lea 38(%bp), %bx
    shl $1, %ax
    add %ax, %bx
    mov %dx, (%bx) /* the IP IRET returns to */
6:  decl ev_vars + VAR_DEPTH
    pop %es
    pop %ds
    popal
    add $2, %sp /* the vector */
    cmpl $0, %ss:ev_vars + VAR_HAS_ERR
    je 7f
    add $2, %sp
7:  iret

/*
 * Virtual-8086 mode (CPL 3, IOPL 3, segments 0; entered by pm32.S with IRET): each piece ends
 * with INT 0x30, whose gate (DPL 3) leads back to the ring-0 driver.
 */
    .globl ev_v86_sti, ev_v86_sti_next, ev_v86_idle, ev_v86_insn_table
ev_v86_sti: /* an external interrupt is pending; IF = 0 until the STI */
    nop
    nop
    mov ev_vars + VAR_SLOT, %di
    mov SLOT_COUNT(%di), %eax
    mov %eax, SLOT_PRE_STI(%di)
    sti
    nop
ev_v86_sti_next:
    nop
    cli
    int $0x30
ev_v86_idle: /* a second NMI comes here, right after the first one's IRET */
    nop
    nop
    int $0x30

/* In v8086 mode the frame goes onto the ring-0 stack (ESP0): VAR_FRAME_TOP is set there. */
.macro AT16V at, next
    mov ev_vars + VAR_SLOT, %di
    movl $\at, SLOT_AT(%di)
    movl $\next, SLOT_NEXT(%di)
    movl $\next, ev_vars + VAR_RESUME
.endm

v_int41:
    AT16V 1f, 2f
1:  int $0x41
2:  int $0x30
v_int42:
    AT16V 1f, 2f
1:  int $0x42
2:  int $0x30
v_int3:
    AT16V 1f, 2f
1:  int3
2:  int $0x30
v_into:
    mov $EFLAGS_OF_SET_AL, %al
    AT16V 1f, 2f
    add $1, %al
1:  into
2:  int $0x30
v_int1:
    AT16V 1f, 2f
1:  .byte 0xf1
2:  int $0x30
v_ud2:
    AT16V 1f, 2f
1:  ud2
2:  int $0x30
v_div0:
    mov $1, %eax
    xor %edx, %edx
    xor %ecx, %ecx
    AT16V 1f, 2f
1:  div %ecx
2:  int $0x30
v_hlt:
    AT16V 1f, 2f
1:  hlt
2:  int $0x30
v_vmcall: /* VP_HC_INJECT of INT 0x41: at CPL 3 the hypervisor answers #UD */
    mov $VMCALL_INJECT, %eax
    mov $4, %ebx
    mov $0x41, %ecx
    xor %edx, %edx
    mov $2, %esi
    AT16V 1f, 2f
1:  vmcall
2:  int $0x30
v_none:
    int $0x30

    .balign 4
ev_v86_insn_table:
    .long v_none, v_int41, v_int3, v_into, v_int1, v_ud2, v_none, v_div0, v_int42, v_hlt
    .long v_vmcall

/* The data every mode shares (events.h). */
    .balign 16
    .globl ev_vars, ev_reqs, ev_slots, ev_ivt
ev_vars:
    .space VAR_SIZE
ev_reqs:
    .space REQ_SIZE * EV_MAX_REQS
ev_slots:
    .space SLOT_SIZE * EV_MAX_REQS
    .balign 4
ev_ivt:
    .space 1024
    .globl ev_low_end
ev_low_end:

    .section .note.GNU-stack, "", @progbits

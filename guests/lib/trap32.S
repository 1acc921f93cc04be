/*
 * guests/lib/trap32.S - the exception entry points and the safe_* instruction wrappers of the
 * 32-bit test guests (guests/lib/trap.h). Each safe_* sets trap_recover to its recovery
 * label and trap_esp to its stack, runs the one instruction, and clears trap_recover. The
 * common handler, on a fault while trap_recover is set, records the fault and jumps there with
 * the saved stack, where the wrapper returns vector + 1.
 */
    .text
    .code32

/* Exception stubs (SDM 6.3.1 table 6-1: 8, 10-14, 17, 21 push an error code). */
.macro stub n
    .globl trap_stub_\n
trap_stub_\n:
    .if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21)
    .else
    push $0
    .endif
    push $\n
    jmp trap_common
.endm
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    stub \n
    .endr

/* Their addresses, for the IDT (guests/lib/trap.c). */
    .section .rodata
    .balign 4
    .globl trap_stubs
trap_stubs:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .long trap_stub_\n
    .endr
    .text

/* Interrupt stubs for vectors 32-255, one every 16 bytes from trap_irq_stubs (no error code;
 * a PUSH of a vector above 127 takes an imm32, so the sizes differ and the stubs are aligned). */
    .balign 16
    .globl trap_irq_stubs
trap_irq_stubs:
    .set vec, 32
    .rept 224
    .balign 16
    push $0
    push $vec
    jmp trap_common
    .set vec, vec + 1
    .endr

trap_common:
    pusha                           /* EDI ESI EBP ESP EBX EDX ECX EAX, EAX highest */
    mov %esp, %eax
    push %eax                       /* struct frame *: edi..eax, vector, error, eip, cs, eflags */
    call trap_handle                /* returns the recovery address, or 0 to return (IRET) */
    add $4, %esp
    test %eax, %eax
    jz 1f
    mov trap_esp, %esp              /* the wrapper's stack: it returns vector + 1 */
    movl $0, trap_recover
    jmp *%eax
1:  popa
    add $8, %esp                    /* vector, error code */
    iret

/* uint32_t safe_rdmsr(uint32_t msr, uint64_t *value) */
    .globl safe_rdmsr
safe_rdmsr:
    push %ebx
    mov %esp, trap_esp
    movl $9f, trap_recover
    mov 8(%esp), %ecx
    rdmsr
    mov 12(%esp), %ebx
    mov %eax, (%ebx)
    mov %edx, 4(%ebx)
    xor %eax, %eax
    movl $0, trap_recover
    pop %ebx
    ret
9:  mov trap_info, %eax             /* vector */
    inc %eax
    pop %ebx
    ret

/* uint32_t safe_wrmsr(uint32_t msr, uint64_t value) */
    .globl safe_wrmsr
safe_wrmsr:
    mov %esp, trap_esp
    movl $9f, trap_recover
    mov 4(%esp), %ecx
    mov 8(%esp), %eax
    mov 12(%esp), %edx
    wrmsr
    xor %eax, %eax
    movl $0, trap_recover
    ret
9:  mov trap_info, %eax
    inc %eax
    ret

/* uint32_t safe_write_cr0(uint32_t value), safe_write_cr4 */
    .globl safe_write_cr0, safe_write_cr4
safe_write_cr0:
    mov %esp, trap_esp
    movl $9f, trap_recover
    mov 4(%esp), %eax
    mov %eax, %cr0
    xor %eax, %eax
    movl $0, trap_recover
    ret
safe_write_cr4:
    mov %esp, trap_esp
    movl $9f, trap_recover
    mov 4(%esp), %eax
    mov %eax, %cr4
    xor %eax, %eax
    movl $0, trap_recover
    ret
9:  mov trap_info, %eax
    inc %eax
    ret

/* uint32_t safe_xsetbv(uint32_t xcr, uint64_t value) */
    .globl safe_xsetbv
safe_xsetbv:
    mov %esp, trap_esp
    movl $9f, trap_recover
    mov 4(%esp), %ecx
    mov 8(%esp), %eax
    mov 12(%esp), %edx
    xsetbv
    xor %eax, %eax
    movl $0, trap_recover
    ret
9:  mov trap_info, %eax
    inc %eax
    ret

/* uint32_t safe_rep_outsb(uint16_t port, const void *buf, uint32_t count) */
    .globl safe_rep_outsb
safe_rep_outsb:
    push %esi
    mov %esp, trap_esp
    movl $9f, trap_recover
    mov 8(%esp), %edx
    mov 12(%esp), %esi
    mov 16(%esp), %ecx
    cld
    rep outsb
    xor %eax, %eax
    movl $0, trap_recover
    pop %esi
    ret
9:  mov trap_info, %eax
    inc %eax
    pop %esi
    ret

/* uint32_t safe_rep_insb(uint16_t port, void *buf, uint32_t count) */
    .globl safe_rep_insb
safe_rep_insb:
    push %edi
    mov %esp, trap_esp
    movl $9f, trap_recover
    mov 8(%esp), %edx
    mov 12(%esp), %edi
    mov 16(%esp), %ecx
    cld
    rep insb
    xor %eax, %eax
    movl $0, trap_recover
    pop %edi
    ret
9:  mov trap_info, %eax
    inc %eax
    pop %edi
    ret

    .data
    .globl trap_recover, trap_esp
trap_recover: .long 0
trap_esp:     .long 0

    .section .note.GNU-stack, "", @progbits

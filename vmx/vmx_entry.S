/*
 * vmx/vmx_entry.S - entering the guest and coming back (book 4.3/5.1; SDM 27 and 28).
 *
 * int vmx_run(struct guest_regs *regs, int launched)
 *   Saves the host's callee-saved registers, records RSP in HOST_RSP, loads the guest's
 *   general-purpose registers (the ones the VMCS does not hold) and executes VMLAUNCH
 *   (launched == 0) or VMRESUME. If the instruction fails it falls through: we restore the
 *   host registers and return 1 for VMfailInvalid or 2 for VMfailValid (SDM 31.2).
 *   On a VM exit the CPU loads RIP = HOST_RIP = vmx_exit_stub and RSP = HOST_RSP (SDM 28.5.3):
 *   the stub stores the guest registers and calls vmx_exit_handler(regs) (vmx/vcpu.c). When
 *   that returns 0 the stub reloads the guest registers and executes VMRESUME right here: the
 *   stack is as vmx_run left it, so HOST_RSP stays right and the exit path never unwinds to C.
 *   When it returns non-zero (the guest stops or its time slice is over) vmx_run returns 0.
 * struct guest_regs layout: rax rbx rcx rdx rsi rdi rbp r8 ... r15 (8 bytes each).
 */
#define HOST_RSP 0x6c14

#define R_RAX 0
#define R_RBX 8
#define R_RCX 16
#define R_RDX 24
#define R_RSI 32
#define R_RDI 40
#define R_RBP 48
#define R_R8  56
#define R_R9  64
#define R_R10 72
#define R_R11 80
#define R_R12 88
#define R_R13 96
#define R_R14 104
#define R_R15 112

        .text
        .code64
        .global vmx_run, vmx_exit_stub
vmx_run:
        push    %rbp
        push    %rbx
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        push    %rdi                    /* regs, found at (%rsp) after an exit */
        mov     $HOST_RSP, %eax
        vmwrite %rsp, %rax
        mov     R_RAX(%rdi), %rax
        mov     R_RBX(%rdi), %rbx
        mov     R_RCX(%rdi), %rcx
        mov     R_RDX(%rdi), %rdx
        mov     R_RBP(%rdi), %rbp
        mov     R_R8(%rdi), %r8
        mov     R_R9(%rdi), %r9
        mov     R_R10(%rdi), %r10
        mov     R_R11(%rdi), %r11
        mov     R_R12(%rdi), %r12
        mov     R_R13(%rdi), %r13
        mov     R_R14(%rdi), %r14
        mov     R_R15(%rdi), %r15
        test    %esi, %esi
        mov     R_RSI(%rdi), %rsi
        mov     R_RDI(%rdi), %rdi
        jnz     1f
        vmlaunch
        jmp     2f
1:      vmresume
2:      /* Still here: the entry failed before loading any guest state (SDM 31.2). */
        mov     $1, %eax
        jc      3f
        mov     $2, %eax
3:      pop     %rdi
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbx
        pop     %rbp
        ret

vmx_exit_stub:
        push    %rdi
        mov     8(%rsp), %rdi           /* regs */
        mov     %rax, R_RAX(%rdi)
        mov     %rbx, R_RBX(%rdi)
        mov     %rcx, R_RCX(%rdi)
        mov     %rdx, R_RDX(%rdi)
        mov     %rsi, R_RSI(%rdi)
        mov     %rbp, R_RBP(%rdi)
        mov     %r8, R_R8(%rdi)
        mov     %r9, R_R9(%rdi)
        mov     %r10, R_R10(%rdi)
        mov     %r11, R_R11(%rdi)
        mov     %r12, R_R12(%rdi)
        mov     %r13, R_R13(%rdi)
        mov     %r14, R_R14(%rdi)
        mov     %r15, R_R15(%rdi)
        pop     R_RDI(%rdi)
        call    vmx_exit_handler        /* RSP = HOST_RSP: 16-byte aligned here */
        test    %eax, %eax
        jnz     4f
        mov     (%rsp), %rdi            /* resume: the guest registers again */
        mov     R_RAX(%rdi), %rax
        mov     R_RBX(%rdi), %rbx
        mov     R_RCX(%rdi), %rcx
        mov     R_RDX(%rdi), %rdx
        mov     R_RSI(%rdi), %rsi
        mov     R_RBP(%rdi), %rbp
        mov     R_R8(%rdi), %r8
        mov     R_R9(%rdi), %r9
        mov     R_R10(%rdi), %r10
        mov     R_R11(%rdi), %r11
        mov     R_R12(%rdi), %r12
        mov     R_R13(%rdi), %r13
        mov     R_R14(%rdi), %r14
        mov     R_R15(%rdi), %r15
        mov     R_RDI(%rdi), %rdi
        vmresume
        jmp     2b                      /* VMRESUME failed: report it like a failed entry */
4:      xor     %eax, %eax
        jmp     3b
        .section .note.GNU-stack, "", @progbits

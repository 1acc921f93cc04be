/*
 * vmx/vmx_entry.S - entering the guest and coming back (book 4.3/5.1; SDM 27 and 28).
 *
 * int vmx_run(struct guest_regs *regs, int launched)
 *   Saves the host's callee-saved registers, records RSP in HOST_RSP, loads the guest's
 *   general-purpose registers (the ones the VMCS does not hold) and executes VMLAUNCH
 *   (launched == 0) or VMRESUME. If the instruction fails it falls through: we restore the
 *   host registers and return 1 for VMfailInvalid or 2 for VMfailValid (SDM 31.2). It
 *   returns 3 without trying when the vCPU was kicked (vmx/vcpu_kick.c): the caller looks at
 *   the kick's work and calls it again.
 *   It returns 0 once the exit handler gives the CPU back (vmx_leave_guest).
 *
 * vmx_exit_stub: HOST_RIP. A VM exit loads the host state of the VMCS (SDM 28.5): RIP =
 *   HOST_RIP, RSP = HOST_RSP, CR0/CR3/CR4, the segment registers, GDTR/IDTR, the SYSENTER
 *   and (with their exit controls) the PAT/EFER MSRs; RFLAGS is cleared but for bit 1, so
 *   interrupts are off (SDM 28.5.3). What the VMCS does not hold is still the guest's: the 15
 *   general-purpose registers other than RSP, CR2, DR0-DR3/DR6, the FPU/SSE/AVX (XSAVE)
 *   state and the MSRs outside the exit lists. The stub saves only the general-purpose
 *   registers: the hypervisor's C code does not touch the FPU or the vector registers (it is
 *   built without them), and CR2, the debug registers, the XSAVE state and the syscall MSRs
 *   are switched once per time slice by vcpu_state_switch_to (vmx/vcpu_state.c), not per
 *   exit. The host's callee-saved registers need no reload either: vmx_run saved them once
 *   on its stack, and nothing in the host runs between the exits of one run but the handler.
 *   So an exit costs the 15 stores, the call of vmx_exit_handler(regs) (vmx/vcpu.c; through
 *   the pointer vmx_exit_fn, which holds a variant of it while exits are traced), the 15
 *   loads and VMRESUME (SDM 31.3 VMRESUME; 27: the entry loads the guest state of the VMCS).
 *   The stack is as vmx_run left it, so HOST_RSP stays right and the exit path never unwinds
 *   to C. vmx_exit_handler returns only to resume the guest; to give the CPU back (the guest
 *   stops, or its time slice is over) it calls vmx_leave_guest, which returns 0 from vmx_run.
 *
 * struct guest_regs layout: rax rbx rcx rdx rsi rdi rbp r8 ... r15 (8 bytes each).
 */
#define HOST_RSP 0x6c14 /* SDM appendix B.4.4 */

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
#define V_LAUNCHED 128 /* struct vcpu: launched, kicked (asserted in vmx/vcpu_kick.c) */
#define V_KICKED   129

        .text
        .code64
        .global vmx_run, vmx_exit_stub, vmx_leave_guest, vmx_nmi_unblock
        .global vmx_run_window, vmx_run_window_end, vmx_run_resume, vmx_run_window2_end
        .global vmx_resume_window, vmx_resume_window_end
vmx_run:
        push    %rbp                    /* the host's callee-saved registers (SysV ABI), */
        push    %rbx                    /* restored once when vmx_run returns */
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        push    %rdi                    /* regs, found at (%rsp) after an exit */
        mov     $HOST_RSP, %eax
        vmwrite %rsp, %rax              /* every exit comes back on this stack (SDM 28.5.3) */
vmx_run_window:                         /* a kick's NMI here restarts here (vcpu_kick.c) */
        mov     (%rsp), %rdi            /* regs (again, after a restart) */
        cmpb    $0, V_KICKED(%rdi)      /* kicked: back to vcpu_run, which looks first */
        jne     4f
        cmpb    $0, V_LAUNCHED(%rdi)    /* ZF for the choice below; MOVs keep the flags */
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
        mov     R_RSI(%rdi), %rsi
        mov     R_RDI(%rdi), %rdi
        jnz     vmx_run_resume
        vmlaunch
vmx_run_window_end:
        jmp     2f
vmx_run_resume:
        vmresume
vmx_run_window2_end:
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
4:      mov     $3, %eax                /* VMX_RUN_KICKED: no entry was tried */
        jmp     3b

vmx_exit_stub:
        /* The guest's registers into regs: RDI first goes to the stack, to free RDI for the
         * pointer vmx_run left at the top of the stack. */
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
        call    *vmx_exit_fn            /* vmx_exit_handler or its traced variant (vmx/vcpu.c);
                                         * RSP = HOST_RSP: 16-byte aligned here */
        /* Back here only to resume. The handlers read and write the guest's registers in
         * regs, so all 15 are loaded again (CPUID writes four, an emulated MOV any one). A
         * kick's NMI from here to VMRESUME restarts at the label (vcpu_kick.c): the kick
         * flag is the last thing looked at before the entry. */
vmx_resume_window:
        mov     (%rsp), %rdi            /* regs */
        cmpb    $0, V_KICKED(%rdi)
        jne     5f
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
        vmresume                        /* SDM 31.3: continues at the guest's RIP */
vmx_resume_window_end:
        jmp     2b                      /* VMRESUME failed: report it like a failed entry */
5:      call    vmx_kicked              /* takes the kick's work; returns to resume (or leaves
                                         * the guest); RSP as at the handler's call */
        jmp     vmx_resume_window

/* void vmx_nmi_unblock(void): an IRET to the next instruction, on the same stack and in the
 * same mode: IRET ends the blocking of NMIs that an NMI's VM exit leaves (SDM 6.7.1). */
vmx_nmi_unblock:
        mov     %rsp, %rax
        mov     %ss, %ecx
        push    %rcx                    /* SS */
        push    %rax                    /* RSP as before the frame */
        pushfq                          /* RFLAGS */
        mov     %cs, %ecx
        push    %rcx                    /* CS */
        lea     6f(%rip), %rcx
        push    %rcx                    /* RIP */
        iretq
6:      ret

/* void vmx_leave_guest(void), noreturn: called from vmx_exit_handler's call chain to give the
 * CPU back. The stack of vmx_run is at HOST_RSP (the current VMCS's), whatever the handlers
 * pushed below it: drop their frames and return 0 from vmx_run. */
vmx_leave_guest:
        mov     $HOST_RSP, %eax
        vmread  %rax, %rsp
        xor     %eax, %eax
        jmp     3b
        .section .note.GNU-stack, "", @progbits

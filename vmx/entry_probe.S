/*
 * vmx/entry_probe.S - one VMLAUNCH of the current VMCS whose VM exit comes straight back to
 * the caller: the differential test of the VM-entry checker (scenarios/entry_diff.c) asks the
 * CPU for its answer to thousands of VMCS states. Assembly because the VM exit arrives at
 * HOST_RIP with the stack at HOST_RSP (SDM 28.5.3), which C cannot express.
 *
 * int vmx_entry_probe(void)
 *   Saves the callee-saved registers, writes HOST_RSP = RSP and executes VMLAUNCH. Returns
 *   1 for VMfailInvalid and 2 for VMfailValid (the entry failed before loading guest state,
 *   SDM 31.2), 0 after a VM exit, a VM-entry failure exit included (SDM 27.8). For that the
 *   VMCS's HOST_RIP must be vmx_entry_probe_exit. Nothing else of the exit is handled here:
 *   the caller reads the exit reason. The guest starts with the host's general-purpose
 *   registers; the test's guest runs no instruction (VMX-preemption timer value 0).
 *   RFLAGS after a VM exit is 0x2 (SDM 28.5.3): interrupts stay disabled.
 */
#define HOST_RSP 0x6c14

        .text
        .code64
        .global vmx_entry_probe, vmx_entry_probe_exit
vmx_entry_probe:
        push    %rbp
        push    %rbx
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        mov     $HOST_RSP, %eax
        vmwrite %rsp, %rax
        jbe     1f                      /* no current VMCS: fail as VMLAUNCH would */
        vmlaunch
1:      mov     $1, %eax                /* still here: VMfailInvalid (CF) or VMfailValid (ZF) */
        jc      2f
        mov     $2, %eax
        jmp     2f
vmx_entry_probe_exit:                   /* RSP = HOST_RSP: the pushes above are on it */
        xor     %eax, %eax
2:      pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbx
        pop     %rbp
        ret
        .section .note.GNU-stack, "", @progbits

/*
 * guests/rmfault/rmfault.S - the rmfault test guest: a raw real-mode image for 0x7c00 that
 * makes the hypervisor fault it, and checks each fault arrives through the real-mode IVT as
 * on a CPU: vector 13 (#GP) with no error code on the stack (in real-address mode exceptions
 * push FLAGS, CS and IP only; SDM 20.1.4, and SDM 27.2.1.3 forbids the VMM to deliver one).
 * The faults: RDMSR of an MSR that does not exist, WRMSR of the locked IA32_FEATURE_CONTROL,
 * WRMSR of IA32_PAT with a reserved type, MOV to CR4 setting VMXE, and XSETBV of XCR 1.
 * Output as guests/lib/test.h says (`TEST rmfault: ok ...`), exit through port 0xf4.
 */
#define UART 0x3f8

    .text
    .code16
    .globl _start
_start:
    cli
    cld
    ljmp $0, $start
start:
    xor %ax, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov $0x7c00, %sp

    mov $UART + 3, %dx /* 8N1, DLAB off; the rest of the UART as the loader left it */
    mov $0x03, %al
    out %al, %dx

    movw $gp_handler, 13 * 4 /* IVT entry 13: offset, segment 0 (SDM 20.1.4) */
    movw $0, 13 * 4 + 2
    movw $ud_handler, 6 * 4
    movw $0, 6 * 4 + 2

    mov $msg_hello, %si
    call puts

    /* 1: RDMSR of an MSR no CPU has */
    movw $after1, resume
    movb $0, got
    mov $0x4b564d00, %ecx
    rdmsr
after1:
    mov $what_rdmsr, %di
    call check_gp

    /* 2: WRMSR of IA32_FEATURE_CONTROL, which the guest sees locked */
    movw $after2, resume
    movb $0, got
    mov $0x3a, %ecx
    mov $5, %eax
    xor %edx, %edx
    wrmsr
after2:
    mov $what_wrmsr, %di
    call check_gp

    /* 3: WRMSR of IA32_PAT with type 2 (reserved) in entry 0 */
    movw $after3, resume
    movb $0, got
    mov $0x277, %ecx
    mov $0x00070402, %eax
    mov $0x00070406, %edx
    wrmsr
after3:
    mov $what_pat, %di
    call check_gp

    /* 4: MOV to CR4 with VMXE (bit 13): the guest has no VMX */
    movw $after4, resume
    movb $0, got
    mov %cr4, %eax
    or $0x2000, %eax
    mov %eax, %cr4
after4:
    mov $what_cr4, %di
    call check_gp

    /* 5: XSETBV of XCR 1 (only XCR0 exists); needs CR4.OSXSAVE, and XSAVE in CPUID */
    mov $1, %eax
    cpuid
    bt $26, %ecx
    jnc 5f
    mov %cr4, %eax
    or $0x40000, %eax /* CR4.OSXSAVE */
    mov %eax, %cr4
    movw $after5, resume
    movb $0, got
    mov $1, %ecx
    mov $1, %eax
    xor %edx, %edx
    xsetbv
after5:
    mov $what_xsetbv, %di
    call check_gp
5:
    /* the summary: "TEST rmfault: N checks, M failed", then the verdict */
    mov $msg_test, %si
    call puts
    mov checks, %al
    add $'0', %al
    call putc
    mov $msg_checks, %si
    call puts
    mov failures, %al
    add $'0', %al
    call putc
    mov $msg_failed, %si
    call puts
    mov $msg_test, %si
    call puts
    mov $msg_pass, %si
    cmpb $0, failures
    je 6f
    mov $msg_fail_verdict, %si
6:  call puts
    mov failures, %al
    out %al, $0xf4 /* debug exit: status (v << 1) | 1 under Vanderpool */
7:  cli
    hlt
    jmp 7b

/* The #GP handler: records the vector and SP (an error code would be one word more), then
 * returns to `resume`. */
gp_handler:
    movb $13, got
    mov %sp, handler_sp
    push %bp
    mov %sp, %bp
    mov resume, %ax
    mov %ax, 2(%bp) /* the IP of the interrupt frame */
    pop %bp
    iret
ud_handler:
    movb $6, got
    mov %sp, handler_sp
    push %bp
    mov %sp, %bp
    mov resume, %ax
    mov %ax, 2(%bp)
    pop %bp
    iret

/* check_gp: DI = what; a #GP came (got = 13) with a 3-word frame: the fault was taken with
 * SP = 0x7c00, so SP in the handler was 0x7c00 - 6 (FLAGS, CS, IP; an error code would make
 * it 0x7c00 - 8). */
check_gp:
    incb checks
    cmpb $13, got
    jne 1f
    cmpw $0x7c00 - 6, handler_sp
    jne 1f
    mov $msg_ok, %si
    jmp 2f
1:  incb failures
    mov $msg_fail, %si
2:  push %si
    mov $msg_test, %si
    call puts
    pop %si
    call puts
    mov %di, %si
    call puts
    mov $msg_nl, %si
    jmp puts

/* putc AL; puts DS:SI up to NUL. */
putc:
    push %dx
    mov $UART, %dx
    out %al, %dx
    pop %dx
    ret
puts:
    lodsb
    test %al, %al
    jz 1f
    call putc
    jmp puts
1:  ret

msg_hello:  .asciz "rmfault: real mode, IVT handlers for #GP and #UD\n"
msg_test:   .asciz "TEST rmfault: "
msg_ok:     .asciz "ok "
msg_fail:   .asciz "FAIL "
msg_nl:     .asciz "\n"
msg_checks: .asciz " checks, "
msg_failed: .asciz " failed\n"
msg_pass:   .asciz "PASS\n"
msg_fail_verdict: .asciz "FAIL\n"
what_rdmsr:  .asciz "RDMSR of a missing MSR: #GP through the IVT, no error code"
what_wrmsr:  .asciz "WRMSR of the locked IA32_FEATURE_CONTROL: #GP through the IVT"
what_pat:    .asciz "WRMSR of IA32_PAT with a reserved type: #GP through the IVT"
what_cr4:    .asciz "MOV to CR4 setting VMXE: #GP through the IVT"
what_xsetbv: .asciz "XSETBV of XCR 1: #GP through the IVT"
resume:     .word 0
handler_sp: .word 0
got:        .byte 0
checks:     .byte 0
failures:   .byte 0

    .section .note.GNU-stack, "", @progbits

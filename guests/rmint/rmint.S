/*
 * guests/rmint/rmint.S - the rmint test guest (book example 7-4): a raw real-mode image for
 * 0x7c00 that takes software interrupts through its IVT and checks each arrives as on a CPU
 * (SDM vol. 2A INT n, REAL-ADDRESS-MODE; SDM 20.1.4): INT 0x40 and INT3 reach their handlers
 * with FLAGS, CS and IP pushed (the IP after the instruction) and IF cleared; after LIDT with
 * limit 0x7f, INT 0x40 is beyond the limit and raises #GP (vector 13) at the INT instruction;
 * with limit 0x33 the #GP entry is beyond it too and #DF (vector 8) comes. Under Vanderpool
 * with rmint=on the hypervisor completes each of these deliveries; the results must be the
 * same. Output as guests/lib/test.h says (`TEST rmint: ok ...`), exit through port 0xf4.
 */
#define UART 0x3f8
#define SP0  0x7c00

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
    mov $SP0, %sp
    mov $UART + 3, %dx /* 8N1, DLAB off */
    mov $0x03, %al
    out %al, %dx

    movw $h40, 0x40 * 4 /* IVT entries: offset, segment 0 (SDM 20.1.4) */
    movw $0, 0x40 * 4 + 2
    movw $h3, 3 * 4
    movw $0, 3 * 4 + 2
    movw $h13, 13 * 4
    movw $0, 13 * 4 + 2
    movw $h8, 8 * 4
    movw $0, 8 * 4 + 2

    mov $msg_hello, %si
    call puts

    /* 1: INT 0x40 with IF = 1: the handler sees IF = 0, the frame holds IP after the INT */
    movb $0, got
    sti
    int $0x40
ret40:
    cli
    mov $what_int40, %di
    mov $0x40, %al
    mov $ret40, %bx
    call check_frame

    /* 2: INT3 (one byte, 0xcc) */
    movb $0, got
    sti
    int3
ret3:
    cli
    mov $what_int3, %di
    mov $3, %al
    mov $ret3, %bx
    call check_frame

    /* 3: IDTR limit 0x7f: INT 0x40 is beyond it, #GP at the INT instruction */
    movb $0, got
    lidt idt_7f
    movw $after3, resume
int_gp:
    int $0x40
after3:
    mov $what_gp, %di
    mov $13, %al
    mov $int_gp, %bx
    call check_fault

    /* 4: IDTR limit 0x33: the #GP entry (13 * 4 + 3 = 55) is beyond it too: #DF */
    movb $0, got
    lidt idt_33
    movw $after4, resume
    int $0x40
after4:
    lidt idt_3ff
    mov $what_df, %di
    mov $8, %al
    call check_vector

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

/* The handlers record the vector, their SP, the frame's IP and FLAGS and their own FLAGS.
 * h40 and h3 return after the instruction; h13 and h8 return to `resume`. */
h40:
    movb $0x40, got
    jmp record
h3:
    movb $3, got
    jmp record
h13:
    movb $13, got
    call record_fault
    iret
h8:
    movb $8, got
    call record_fault
    iret
record:
    mov %sp, handler_sp
    push %bp
    mov %sp, %bp
    mov 2(%bp), %ax
    mov %ax, frame_ip
    mov 6(%bp), %ax
    mov %ax, frame_flags
    pushf
    pop %ax
    mov %ax, handler_flags
    pop %bp
    iret
/* called from h13/h8: the frame is 2 bytes (the return address) further */
record_fault:
    push %bp
    mov %sp, %bp
    lea 4(%bp), %ax
    mov %ax, handler_sp
    mov 4(%bp), %ax
    mov %ax, frame_ip
    mov resume, %ax
    mov %ax, 4(%bp) /* return to resume */
    pop %bp
    ret

/* check_frame: AL = vector, BX = the IP after the INT, DI = what. The handler ran with SP =
 * SP0 - 6 (FLAGS, CS, IP), IF clear, and the pushed FLAGS had IF set. */
check_frame:
    incb checks
    cmp got, %al
    jne 1f
    cmpw $SP0 - 6, handler_sp
    jne 1f
    cmp frame_ip, %bx
    jne 1f
    testw $0x200, handler_flags
    jnz 1f
    testw $0x200, frame_flags
    jz 1f
    jmp ok
/* check_fault: AL = vector, BX = IP of the faulting instruction, DI = what */
check_fault:
    incb checks
    cmp got, %al
    jne 1f
    cmpw $SP0 - 6, handler_sp
    jne 1f
    cmp frame_ip, %bx
    jne 1f
    jmp ok
/* check_vector: AL = vector, DI = what */
check_vector:
    incb checks
    cmp got, %al
    jne 1f
ok: mov $msg_ok, %si
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

idt_7f:  .word 0x7f
         .long 0
idt_33:  .word 0x33
         .long 0
idt_3ff: .word 0x3ff
         .long 0
msg_hello:  .asciz "rmint: real mode, IVT handlers for 0x40, 3, #GP and #DF\n"
msg_test:   .asciz "TEST rmint: "
msg_ok:     .asciz "ok "
msg_fail:   .asciz "FAIL "
msg_nl:     .asciz "\n"
msg_checks: .asciz " checks, "
msg_failed: .asciz " failed\n"
msg_pass:   .asciz "PASS\n"
msg_fail_verdict: .asciz "FAIL\n"
what_int40: .asciz "INT 0x40 through the IVT: FLAGS, CS, IP after it pushed, IF cleared"
what_int3:  .asciz "INT3 through the IVT: FLAGS, CS, IP after it pushed, IF cleared"
what_gp:    .asciz "INT 0x40 beyond the IDTR limit 0x7f: #GP at the INT instruction"
what_df:    .asciz "INT 0x40 beyond the IDTR limit 0x33, #GP beyond it too: #DF"
resume:        .word 0
handler_sp:    .word 0
frame_ip:      .word 0
frame_flags:   .word 0
handler_flags: .word 0
got:           .byte 0
checks:        .byte 0
failures:      .byte 0

    .section .note.GNU-stack, "", @progbits

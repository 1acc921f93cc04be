/*
 * guests/realmode/realmode.S - the realmode test guest, the book's GuestBoot: a raw 16-bit
 * image loaded at 0x7c00 and entered in real mode. It is 512 bytes with the 0xaa55 signature,
 * so it also boots as a boot sector (a floppy in Bochs). It prints through the UART at 0x3f8
 * (port I/O works in every mode), switches to 32-bit protected mode with its own GDT
 * (SDM 10.9.1, Switching to Protected Mode), prints its checks and stops like the C guests'
 * test_exit: debug-exit port 0xf4 (0 = pass), else ACPI PM1a and the Bochs shutdown port,
 * else HLT. Output follows guests/lib/test.h: `TEST realmode: ok|FAIL <what>`,
 * `TEST realmode: 3 checks, <m> failed`, `TEST realmode: PASS|FAIL`.
 */
#define UART 0x3f8
#define CODE32_SEL 0x08
#define DATA32_SEL 0x10

    .text
    .code16
    .globl _start
_start:
    cli
    cld
    ljmp $0, $real_start /* CS = 0, whether entered as 0000:7c00 or 07c0:0000 */
real_start:
    xor %ax, %ax
    mov %ax, %ds
    mov %ax, %ss
    mov $0x7c00, %sp
    smsw %bp /* CR0 bits 0-15, kept for the first check (PE must be 0 here) */

    /* 16550: pairs (register, value) from uart_setup; UART + register never carries. */
    mov $uart_setup, %si
    mov $(uart_setup_end - uart_setup) / 2, %cx
1:  lodsw
    mov $UART, %dx
    add %al, %dl
    mov %ah, %al
    out %al, %dx
    loop 1b

    /* The real-mode line: puts below is written so that its bytes mean the same in 16-bit
     * and in 32-bit code, so real mode calls it too (DX = UART on entry). */
    mov $UART, %dx
    mov $msg_real, %si
    call puts

    lgdtl gdt_desc
    mov %cr0, %eax
    or $1, %eax /* CR0.PE */
    mov %eax, %cr0
    ljmpl $CODE32_SEL, $pm_start /* loads CS from the GDT: 32-bit code from here on */

    .code32
pm_start:
    mov $DATA32_SEL, %ax
    mov %ax, %ds
    mov %ax, %ss
    mov $0x7c00, %esp

    mov $msg_prot, %esi
    call puts
    mov %ebp, %ecx
    not %ecx
    and $1, %cl /* real mode at entry: CR0.PE was 0 */
    mov $what_real, %edi
    call check
    mov %cr0, %ecx
    and $1, %cl /* CR0.PE now 1 */
    mov $what_prot, %edi
    call check
    mov %cs, %ax
    cmp $CODE32_SEL, %ax
    sete %cl
    mov $what_cs, %edi
    call check

    mov $msg_summary, %esi
    call puts_test
    mov $msg_pass, %esi
    cmpb $'0', failures /* the summary's digit counts the failures */
    je 5f
    mov $msg_failed, %esi
5:  call puts_test

    add $5, %dl /* let the transmitter drain (LSR.TEMT) */
    mov $100000, %ecx
6:  in %dx, %al
    test $0x40, %al
    loopz 6b
    cmpb $'0', failures
    setne %al
    out %al, $0xf4 /* debug exit: ends the VM under Vanderpool */
    mov $0x2000, %ax
    mov $0xb004, %dx
    out %ax, %dx /* ACPI PM1a SLP_EN */
    mov $msg_shutdown, %esi
    mov $0x8900, %dx
7:  lodsb
    out %al, %dx /* Bochs: "Shutdown" */
    test %al, %al
    jnz 7b
8:  cli
    hlt
    jmp 8b

/* Records a check: CL nonzero when it held, EDI its text; prints
 * `TEST realmode: ok|FAIL <text>` and counts a failure. */
check:
    mov $msg_ok, %esi
    test %cl, %cl
    jnz 1f
    incb failures
    mov $msg_fail, %esi
1:  call puts_test
    mov %edi, %esi
    jmp puts

/* puts_test prints "TEST realmode: " then the string at ESI; puts the string alone, from DS:SI
 * in real mode or DS:ESI in protected mode. DX must hold UART; they clobber AL, BL, ESI.
 * Every instruction of puts encodes the same in 16-bit and 32-bit code (8-bit immediates,
 * short jumps, string and port instructions whose operand/address size follows the mode). */
puts_test:
    push %esi
    mov $msg_test, %esi
    call puts
    pop %esi
puts:
1:  lodsb
    test %al, %al
    jz 3f
    mov %al, %bl
    add $5, %dl /* LSR */
2:  in %dx, %al
    test $0x20, %al /* LSR.THRE */
    jz 2b
    sub $5, %dl /* THR */
    mov %bl, %al
    out %al, %dx
    jmp 1b
3:  ret

gdt: /* SDM 3.4.5: null, flat 32-bit code (base 0, limit 4 GiB), flat data */
    .quad 0
    .quad 0x00cf9a000000ffff
    .quad 0x00cf92000000ffff
gdt_desc:
    .word gdt_desc - gdt - 1
    .long gdt
uart_setup: /* IER off, DLAB, divisor 1 (115200 baud), 8N1, FIFOs on, DTR|RTS */
    .byte 1, 0, 3, 0x80, 0, 1, 1, 0, 3, 3, 2, 0xc7, 4, 3
uart_setup_end:
msg_real:
    .asciz "realmode: real mode\r\n"
msg_prot:
    .asciz "realmode: protected mode\r\n"
msg_test:
    .asciz "TEST realmode: "
msg_ok:
    .asciz "ok "
msg_fail:
    .asciz "FAIL "
what_real:
    .asciz "real mode at entry\r\n"
what_prot:
    .asciz "CR0.PE=1\r\n"
what_cs:
    .asciz "CS=0x08\r\n"
msg_summary:
    .ascii "3 checks, "
failures:
    .asciz "0 failed\r\n"
msg_pass:
    .asciz "PASS\r\n"
msg_failed:
    .asciz "FAIL\r\n"
msg_shutdown:
    .asciz "Shutdown"

    .org 510 /* BIOS boot-sector signature */
    .word 0xaa55

    .section .note.GNU-stack, "", @progbits

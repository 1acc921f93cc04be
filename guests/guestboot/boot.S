/*
 * guests/guestboot/boot.S - GuestBoot, the first sector of guestboot.bin (the book's example
 * 6-1). The VMM loads the whole image at 0x7c00 and starts it in real mode at 0000:7c00, so
 * GuestKernel lies right after this sector, at 0x7e00, like a boot sector followed by the
 * kernel's sectors (there is no BIOS to read them: the loader already did).
 *
 * GuestBoot prints `GuestBoot: real mode, loading GuestKernel`, checks GuestKernel's header
 * (guestboot.h: magic, length, load address, entry), copies the kernel to its load address with
 * real-mode segment arithmetic (segment = address >> 4), checks the copy's checksum, switches to
 * 32-bit protected mode with its own GDT (SDM 10.9.1, Switching to Protected Mode) and jumps to
 * the kernel's entry with EAX = GB_MAGIC and EBX = the number of its checks. Its checks print in
 * the guests/lib format (`TEST guestboot: ok|FAIL <what>`); after a failed one it prints the
 * summary and the verdict itself and stops like test_exit: debug-exit port 0xf4 (value 1), ACPI
 * PM1a, HLT (no room left for the Bochs shutdown string). 512 bytes with the 0xaa55 signature,
 * 2 of them spare.
 */
#include "guests/guestboot/guestboot.h"

#define UART 0x3f8

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
    mov %ax, %es
    mov %ax, %ss
    mov $0x7c00, %sp

    /* 16550: pairs (register, value) from uart_setup; UART + register never carries. */
    mov $uart_setup, %si
    mov $(uart_setup_end - uart_setup) / 2, %cx
1:  lodsw
    mov $UART, %dx
    add %al, %dl
    mov %ah, %al
    out %al, %dx
    loop 1b

    mov $msg_loading, %si
    call puts

    /* The header where the VMM put it: magic; length a nonzero multiple of 512, at most
     * GK_MAX_LENGTH; load address 16-byte aligned in [GK_LOAD_MIN, GK_LOAD_MAX]; entry inside
     * the kernel. CL = 1 when all hold. */
    mov $GK_IMAGE_ADDR, %bx
    xor %cx, %cx
    cmpl $GK_MAGIC, GK_OFF_MAGIC(%bx)
    jne 2f
    mov GK_OFF_LENGTH(%bx), %eax
    test $0x1ff, %ax
    jnz 2f
    dec %eax
    cmp $GK_MAX_LENGTH - 1, %eax /* unsigned: a length of 0 fails here too */
    ja 2f
    mov GK_OFF_LOAD(%bx), %eax
    test $0xf, %al
    jnz 2f
    sub $GK_LOAD_MIN, %eax
    cmp $GK_LOAD_MAX - GK_LOAD_MIN, %eax
    ja 2f
    mov GK_OFF_ENTRY(%bx), %eax
    sub GK_OFF_LOAD(%bx), %eax
    cmp GK_OFF_LENGTH(%bx), %eax
    jae 2f
    inc %cx
2:  mov $what_header, %di
    call check

    /* Copy DS:SI = 07e0:0 to ES:DI = (load >> 4):0 in dwords (at most 0x3f80, so each side
     * stays within one 64 KiB segment), adding up each dword as read back from the copy:
     * the kernel's dwords sum to 0. */
    mov GK_OFF_LENGTH(%bx), %cx
    shr $2, %cx
    mov GK_OFF_LOAD(%bx), %eax
    shr $4, %eax
    mov %ax, %es
    push $GK_IMAGE_ADDR >> 4
    pop %ds
    xor %si, %si
    xor %di, %di
    xor %ebx, %ebx
3:  lodsl
    stosl
    add %es:-4(%di), %ebx
    loop 3b
    push %cs
    pop %ds
    test %ebx, %ebx
    setz %cl
    mov $what_checksum, %di
    call check

    lgdtl gdt_desc
    mov %cr0, %eax
    or $1, %eax /* CR0.PE */
    mov %eax, %cr0
    ljmpl $GB_CODE32_SEL, $pm_start /* loads CS from the GDT: 32-bit code from here on */

    .code32
pm_start:
    mov $GB_DATA32_SEL, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov $GB_CHECKS, %ebx
    mov $GB_MAGIC, %eax
    jmp *GK_IMAGE_ADDR + GK_OFF_ENTRY /* the header's entry (the copy holds the same) */

    .code16
/* Records a check: CL nonzero when it held, DI its text. Prints `TEST guestboot: ok <text>`;
 * a failed one prints FAIL, the summary and the verdict, and stops. Keeps BX, CX, DI. */
check:
    incb checks_digit
    mov $msg_test, %si
    call puts
    mov $msg_ok, %si
    test %cl, %cl
    jnz 1f
    mov $msg_fail, %si
1:  call puts
    mov %di, %si
    call puts
    test %cl, %cl
    jnz puts_done
    mov $msg_test, %si
    call puts
    mov $msg_summary, %si
    call puts
    mov $UART + 5, %dx /* let the transmitter drain (LSR.TEMT); CX = 0 here: 64 Ki polls */
3:  in %dx, %al
    test $0x40, %al
    loopz 3b
    mov $1, %al
    out %al, $0xf4 /* debug exit, failure: ends the VM under Vanderpool */
    mov $0x2000, %ax
    mov $0xb004, %dx
    out %ax, %dx /* ACPI PM1a SLP_EN (bare Bochs) */
4:  cli
    hlt
    jmp 4b

/* Prints the string at DS:SI. Clobbers AX, DX, SI. */
puts:
    lodsb
    test %al, %al
    jz puts_done
    mov %al, %ah
    mov $UART + 5, %dx /* LSR */
1:  in %dx, %al
    test $0x20, %al /* LSR.THRE */
    jz 1b
    mov $UART, %dx
    mov %ah, %al
    out %al, %dx
    jmp puts
puts_done:
    ret

gdt: /* SDM 3.4.5: null (the processor never reads it: it holds the GDTR image), flat 32-bit
      * code (base 0, limit 4 GiB), flat data */
gdt_desc:
    .word gdt_end - gdt - 1
    .long gdt
    .word 0
    .quad 0x00cf9b000000ffff
    .quad 0x00cf93000000ffff
gdt_end:
uart_setup: /* IER off, DLAB, divisor 1 (115200 baud), 8N1, FIFOs on, DTR|RTS */
    .byte 1, 0, 3, 0x80, 0, 1, 1, 0, 3, 3, 2, 0xc7, 4, 3
uart_setup_end:
msg_loading:
    .asciz "GuestBoot: real mode, loading GuestKernel\r\n"
msg_test:
    .asciz "TEST guestboot: "
msg_ok:
    .asciz "ok "
msg_fail:
    .asciz "FAIL "
what_header:
    .asciz "GuestKernel header\r\n"
what_checksum:
    .asciz "GuestKernel checksum\r\n"
msg_summary: /* the digit counts the checks made */
checks_digit:
    .ascii "0 checks, 1 failed\r\n"
    .asciz "TEST guestboot: FAIL\r\n"

    .org 510 /* BIOS boot-sector signature */
    .word 0xaa55

    .section .note.GNU-stack, "", @progbits

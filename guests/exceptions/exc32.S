/*
 * guests/exceptions/exc32.S - the instructions the exceptions guest faults with, each wrapped
 * like the safe_* functions of guests/lib/trap32.S: trap_recover and trap_esp set, the one
 * instruction run, 0 returned when it completed, the vector + 1 when it faulted (trap_info
 * holds the error code and CR2).
 */
    .text
    .code32

.macro guarded name
    .globl \name
\name:
    mov %esp, trap_esp
    movl $9f, trap_recover
.endm

.macro done
    xor %eax, %eax
    movl $0, trap_recover
    ret
9:  mov trap_info, %eax             /* vector */
    inc %eax
    ret
.endm

/* uint32_t exc_div0(void): DIV by 0, #DE (SDM 6.15, interrupt 0) */
    guarded exc_div0
    mov $1, %eax
    xor %edx, %edx
    xor %ecx, %ecx
    div %ecx
    done

/* uint32_t exc_load(uint32_t addr) */
    guarded exc_load
    mov 4(%esp), %ecx
    mov (%ecx), %eax
    done

/* uint32_t exc_store(uint32_t addr) */
    guarded exc_store
    mov 4(%esp), %ecx
    movl $0x5a5a5a5a, (%ecx)
    done

/* uint32_t exc_bad_selector(void): DS loaded with 0x1230, beyond the GDT limit: #GP(0x1230) */
    guarded exc_bad_selector
    mov $0x1230, %ax
    mov %ax, %ds
    done

/* uint32_t exc_ud_on_stack(uint32_t stack_top): UD2 with ESP at stack_top, so the CPU pushes
 * the #UD frame just below it (the wrapper's own stack comes back through trap_esp) */
    guarded exc_ud_on_stack
    mov 4(%esp), %esp
    ud2
    done

    .section .note.GNU-stack, "", @progbits

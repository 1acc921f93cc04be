/*
 * guests/attack/pae.S - pae_enable of the attack test guest: turns on PAE paging, for the
 * writes at physical addresses of 4 GiB and above. (Its header and entry are the shared
 * guests/lib/mb1_header.S and guests/lib/start32.S.)
 */
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)

    .text
    .code32

/* void pae_enable(uint32_t pdpt): CR4.PAE, CR3 = the page-directory-pointer table, then
 * CR0.PG (SDM 4.4: PAE paging is CR0.PG = 1, CR4.PAE = 1, IA32_EFER.LME = 0). The code runs
 * from memory the tables map 1:1, so the next instruction is fetched at the same address. */
    .globl pae_enable
pae_enable:
    mov 4(%esp), %eax
    mov %cr4, %ecx
    or $CR4_PAE, %ecx
    mov %ecx, %cr4
    mov %eax, %cr3
    mov %cr0, %eax
    or $CR0_PG, %eax
    mov %eax, %cr0
    ret

    .section .note.GNU-stack, "", @progbits

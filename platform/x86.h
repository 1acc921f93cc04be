/*
 * platform/x86.h - architectural constants of x86-64 (pure: numbers only, no code): control
 * register, EFER and RFLAGS bits, MSR numbers, exception vectors, segment access rights.
 * One definition each, used by the platform, the VMX layer and the pure logic alike.
 * Sources: Intel SDM vol. 3 (2.5 control registers, 2.2.1 EFER, 6.3 exceptions, 3.4.5
 * descriptors, 25.4.1 VMCS access-rights format) and vol. 4 (MSRs).
 */
#ifndef PLATFORM_X86_H
#define PLATFORM_X86_H

/* The assembly files include this header too (built with -D__ASSEMBLY__), where numbers have
 * no C suffixes. */
#ifdef __ASSEMBLY__
#define X86_BIT(n) (1 << (n))
#define X86_U64(x) x
#else
#define X86_BIT(n) (1ull << (n))
#define X86_U64(x) x##ull
#endif

/* CR0 (SDM 2.5) */
#define CR0_PE X86_BIT(0)
#define CR0_MP X86_BIT(1)
#define CR0_EM X86_BIT(2)
#define CR0_TS X86_BIT(3)
#define CR0_ET X86_BIT(4)
#define CR0_NE X86_BIT(5)
#define CR0_WP X86_BIT(16)
#define CR0_AM X86_BIT(18)
#define CR0_NW X86_BIT(29)
#define CR0_CD X86_BIT(30)
#define CR0_PG X86_BIT(31)

/* CR4 (SDM 2.5) */
#define CR4_VME        X86_BIT(0)
#define CR4_PVI        X86_BIT(1)
#define CR4_TSD        X86_BIT(2)
#define CR4_DE         X86_BIT(3)
#define CR4_PSE        X86_BIT(4)
#define CR4_PAE        X86_BIT(5)
#define CR4_MCE        X86_BIT(6)
#define CR4_PGE        X86_BIT(7)
#define CR4_PCE        X86_BIT(8)
#define CR4_OSFXSR     X86_BIT(9)
#define CR4_OSXMMEXCPT X86_BIT(10)
#define CR4_UMIP       X86_BIT(11)
#define CR4_LA57       X86_BIT(12)
#define CR4_VMXE       X86_BIT(13)
#define CR4_SMXE       X86_BIT(14)
#define CR4_FSGSBASE   X86_BIT(16)
#define CR4_PCIDE      X86_BIT(17)
#define CR4_OSXSAVE    X86_BIT(18)
#define CR4_SMEP       X86_BIT(20)
#define CR4_SMAP       X86_BIT(21)
#define CR4_PKE        X86_BIT(22)
#define CR4_CET        X86_BIT(23)
#define CR4_PKS        X86_BIT(24)

/* IA32_EFER (SDM 2.2.1) */
#define EFER_SCE X86_BIT(0)
#define EFER_LME X86_BIT(8)
#define EFER_LMA X86_BIT(10)
#define EFER_NXE X86_BIT(11)

/* RFLAGS (SDM vol. 1 3.4.3) */
#define RFLAGS_CF       X86_BIT(0)
#define RFLAGS_FIXED1   X86_BIT(1)
#define RFLAGS_ZF       X86_BIT(6)
#define RFLAGS_TF       X86_BIT(8)
#define RFLAGS_IF       X86_BIT(9)
#define RFLAGS_DF       X86_BIT(10)
#define RFLAGS_IOPL     (3 * X86_BIT(12))
#define RFLAGS_NT       X86_BIT(14)
#define RFLAGS_RF       X86_BIT(16)
#define RFLAGS_VM       X86_BIT(17)
#define RFLAGS_AC       X86_BIT(18)
#define RFLAGS_VIF      X86_BIT(19)
#define RFLAGS_VIP      X86_BIT(20)
#define RFLAGS_ID       X86_BIT(21)
#define RFLAGS_RESERVED X86_U64(0xffffffffffc08028) /* bits 63:22, 15, 5, 3 must be 0 */

/* DR6 / DR7 (SDM 18.2) */
#define DR6_INIT X86_U64(0xffff0ff0) /* the value after reset and after a #DB handler clears it */
#define DR6_BS   X86_BIT(14)         /* single step */
#define DR7_INIT X86_U64(0x400)

/* MSRs (SDM vol. 4) */
#define MSR_TSC               0x10
#define MSR_APIC_BASE         0x1b
#define MSR_FEATURE_CONTROL   0x3a
#define MSR_TSC_ADJUST        0x3b
#define MSR_SPEC_CTRL         0x48
#define MSR_PRED_CMD          0x49
#define MSR_BIOS_SIGN_ID      0x8b
#define MSR_PMC0              0xc1
#define MSR_MTRRCAP           0xfe
#define MSR_ARCH_CAPABILITIES 0x10a
#define MSR_SYSENTER_CS       0x174
#define MSR_SYSENTER_ESP      0x175
#define MSR_SYSENTER_EIP      0x176
#define MSR_PERFEVTSEL0       0x186
#define MSR_MISC_ENABLE       0x1a0
#define MSR_DEBUGCTL          0x1d9
#define MSR_MTRR_PHYSBASE0    0x200 /* variable ranges: base 0x200 + 2n, mask 0x201 + 2n */
#define MSR_MTRR_FIX64K_00000 0x250
#define MSR_MTRR_FIX16K_80000 0x258
#define MSR_MTRR_FIX16K_A0000 0x259
#define MSR_MTRR_FIX4K_C0000  0x268 /* through 0x26f */
#define MSR_PAT               0x277
#define MSR_PERF_CAPABILITIES 0x345
#define MSR_MTRR_DEF_TYPE     0x2ff
#define MSR_PERF_GLOBAL_CTRL  0x38f
#define MSR_TSC_DEADLINE      0x6e0
#define MSR_X2APIC_FIRST      0x800
#define MSR_X2APIC_LAST       0x8ff
#define MSR_XSS               0xda0
#define MSR_EFER              0xc0000080
#define MSR_STAR              0xc0000081
#define MSR_LSTAR             0xc0000082
#define MSR_CSTAR             0xc0000083
#define MSR_FMASK             0xc0000084
#define MSR_FS_BASE           0xc0000100
#define MSR_GS_BASE           0xc0000101
#define MSR_KERNEL_GS_BASE    0xc0000102
#define MSR_TSC_AUX           0xc0000103

/* Exception vectors (SDM 6.3.1, table 6-1) */
#define X86_EXC_DE  0  /* divide error */
#define X86_EXC_DB  1  /* debug */
#define X86_EXC_NMI 2  /* non-maskable interrupt */
#define X86_EXC_BP  3  /* breakpoint */
#define X86_EXC_OF  4  /* overflow */
#define X86_EXC_BR  5  /* BOUND range exceeded */
#define X86_EXC_UD  6  /* invalid opcode */
#define X86_EXC_NM  7  /* device not available */
#define X86_EXC_DF  8  /* double fault */
#define X86_EXC_TS  10 /* invalid TSS */
#define X86_EXC_NP  11 /* segment not present */
#define X86_EXC_SS  12 /* stack-segment fault */
#define X86_EXC_GP  13 /* general protection */
#define X86_EXC_PF  14 /* page fault */
#define X86_EXC_MF  16 /* x87 floating-point error */
#define X86_EXC_AC  17 /* alignment check */
#define X86_EXC_MC  18 /* machine check */
#define X86_EXC_XM  19 /* SIMD floating-point */
#define X86_EXC_VE  20 /* virtualization exception */
#define X86_EXC_CP  21 /* control protection */

/* #PF error code (SDM 4.7) */
#define PF_ERR_P    (1u << 0)
#define PF_ERR_W    (1u << 1)
#define PF_ERR_U    (1u << 2)
#define PF_ERR_RSVD (1u << 3)
#define PF_ERR_I    (1u << 4)
#define PF_ERR_PK   (1u << 5)

/* Segment access rights as the VMCS holds them (SDM 25.4.1 table 25-2): descriptor bits
 * 47:40 in 7:0, 55:52 in 15:12, bit 16 "unusable". */
#define AR_TYPE_MASK     0xfu
#define AR_TYPE_ACCESSED 0x1u
#define AR_S             (1u << 4)
#define AR_DPL_SHIFT     5
#define AR_DPL_MASK      (3u << 5)
#define AR_P             (1u << 7)
#define AR_AVL           (1u << 12)
#define AR_L             (1u << 13)
#define AR_DB            (1u << 14)
#define AR_G             (1u << 15)
#define AR_UNUSABLE      (1u << 16)
#define AR_RESERVED      0xfffe0f00u /* 11:8, 31:17 */

#endif

/* vmx/apicv_policy.c - APIC virtualization: plan, page-derived VMCS values, MSR bitmap and
 * exit qualifications (pure; see apicv_policy.h). */
#include "vmx/apicv_policy.h"
#include "platform/fmt.h"

void apicv_plan_from_caps(const struct vmx_caps *caps, bool enable, struct apicv_plan *p)
{
    *p = (struct apicv_plan){0};
    if (!enable || !caps || !vmx_caps_has(caps, VMX_FEATURE_TPR_SHADOW))
        return;
    p->tpr_shadow = true;
    p->apic_access = vmx_caps_has(caps, VMX_FEATURE_VIRTUALIZE_APIC_ACCESSES);
    p->x2apic = vmx_caps_has(caps, VMX_FEATURE_VIRTUALIZE_X2APIC);
    /* SDM 29.4 / 30.4: register virtualization acts on APIC-access or x2APIC virtualization */
    p->reg_virt =
        vmx_caps_has(caps, VMX_FEATURE_APIC_REGISTER_VIRT) && (p->apic_access || p->x2apic);
    /* SDM 27.2.1.1: virtual-interrupt delivery needs external-interrupt exiting (set always) */
    p->vid = vmx_caps_has(caps, VMX_FEATURE_VIRTUAL_INTR_DELIVERY) &&
             (caps->ctl[VMX_CTL_PIN].allowed1 & PIN_BASED_EXTERNAL_INTERRUPT_EXITING);
    /* SDM 27.2.1.1: posted interrupts need virtual-interrupt delivery and "acknowledge
     * interrupt on exit" */
    p->posted = p->vid && vmx_caps_has(caps, VMX_FEATURE_POSTED_INTERRUPTS) &&
                vmx_caps_has(caps, VMX_FEATURE_ACK_INTERRUPT_ON_EXIT);
}

int apicv_plan_format(const struct apicv_plan *p, char *buf, size_t size)
{
    if (!p->tpr_shadow)
        return fmt_snprintf(buf, size, "off");
    return fmt_snprintf(
        buf, size, "TPR shadow%s%s%s%s%s", p->apic_access ? ", APIC-access page" : "",
        p->x2apic ? ", x2APIC" : "", p->reg_virt ? ", register virtualization" : "",
        p->vid ? ", virtual-interrupt delivery" : "", p->posted ? ", posted interrupts" : "");
}

uint32_t apicv_proc(const struct apicv_plan *p)
{
    return p->tpr_shadow ? PROC_BASED_USE_TPR_SHADOW : 0;
}

uint32_t apicv_proc2(const struct apicv_plan *p, bool guest_x2apic)
{
    uint32_t bits = 0;
    if (!p->tpr_shadow)
        return 0;
    /* SDM 27.2.1.1: "virtualize x2APIC mode" 1 requires "virtualize APIC accesses" 0 */
    if (guest_x2apic && p->x2apic)
        bits |= PROC_BASED2_VIRTUALIZE_X2APIC_MODE;
    else if (!guest_x2apic && p->apic_access)
        bits |= PROC_BASED2_VIRTUALIZE_APIC_ACCESSES;
    if (p->reg_virt)
        bits |= PROC_BASED2_APIC_REGISTER_VIRTUALIZATION;
    if (p->vid)
        bits |= PROC_BASED2_VIRTUAL_INTERRUPT_DELIVERY;
    return bits;
}

int apicv_page_highest(const uint32_t *page, unsigned offset)
{
    /* 256 bits as eight 32-bit registers at 16-byte strides (SDM 11.8.4, 30.1.1) */
    for (int i = 7; i >= 0; i--) {
        uint32_t w = page[(offset + (unsigned)i * 0x10) / 4];
        if (w)
            return i * 32 + 31 - __builtin_clz(w);
    }
    return -1;
}

uint16_t apicv_guest_intr_status(const uint32_t *page)
{
    int rvi = apicv_page_highest(page, 0x200), svi = apicv_page_highest(page, 0x100);
    return (uint16_t)((rvi < 0 ? 0 : rvi) | (svi < 0 ? 0 : svi) << 8);
}

uint8_t apicv_vppr(const uint32_t *page)
{
    /* SDM 30.1.3: VPPR = VTPR if VTPR[7:4] >= SVI[7:4], else SVI & 0xF0 */
    uint8_t vtpr = (uint8_t)page[0x80 / 4];
    int svi = apicv_page_highest(page, 0x100);
    uint8_t s = (uint8_t)(svi < 0 ? 0 : svi);
    return (vtpr >> 4) >= (s >> 4) ? vtpr : (uint8_t)(s & 0xf0);
}

bool apicv_vid_pending(const uint32_t *page)
{
    int rvi = apicv_page_highest(page, 0x200);
    /* SDM 30.2.1: recognized when RVI[7:4] > VPPR[7:4] */
    return rvi >= 0 && (rvi >> 4) > (apicv_vppr(page) >> 4);
}

uint32_t apicv_tpr_threshold(const uint32_t *page)
{
    int irr = apicv_page_highest(page, 0x200), isr = apicv_page_highest(page, 0x100);
    unsigned tpr_class = (page[0x80 / 4] >> 4) & 0xf;
    if (irr < 0)
        return 0;
    unsigned irr_class = (unsigned)irr >> 4;
    /* held back by an in-service vector: its EOI (an exit without virtual-interrupt
     * delivery) lets it through, not a TPR change */
    if (isr >= 0 && irr_class <= ((unsigned)isr >> 4))
        return 0;
    /* SDM 11.8.3.1: deliverable when its class is above the TPR's; else exit once the TPR
     * falls below its class (SDM 30.1.2: VTPR[7:4] < threshold[3:0]) */
    return irr_class <= tpr_class ? irr_class : 0;
}

static void bitmap_set(uint8_t *bitmap, uint32_t msr, bool write, bool exits)
{
    unsigned byte = (write ? 2048u : 0u) + msr / 8; /* SDM 25.6.9: low MSRs 0-0x1FFF */
    uint8_t bit = (uint8_t)(1u << (msr % 8));
    bitmap[byte] = exits ? (uint8_t)(bitmap[byte] | bit) : (uint8_t)(bitmap[byte] & ~bit);
}

bool apicv_msr_exits(const uint8_t *bitmap, uint32_t msr, bool write)
{
    if (msr > 0x1fff)
        return true; /* outside the low range this file handles */
    return (bitmap[(write ? 2048u : 0u) + msr / 8] >> (msr % 8)) & 1;
}

/* x2APIC MSRs whose register-virtualized read (SDM 30.5: 64 bits from the page at
 * (msr & 0xFF) << 4) gives what RDMSR of the model gives. */
static bool reads_from_page(uint32_t msr, bool vid)
{
    if (msr == 0x802 || msr == 0x803 || msr == 0x808 || msr == 0x80d || msr == 0x80f)
        return true; /* ID, version, TPR, LDR, SVR */
    if (msr == 0x80a)
        return vid; /* PPR: kept in the page by the CPU only with virtual-interrupt delivery */
    if (msr >= 0x810 && msr <= 0x827)
        return true; /* ISR, TMR, IRR */
    if (msr == 0x82f || (msr >= 0x832 && msr <= 0x838) || msr == 0x83e)
        return true; /* LVT CMCI, LVT timer..error, initial count, divide configuration */
    return false;
}

void apicv_msr_bitmap_update(uint8_t *bitmap, const struct apicv_plan *p, bool guest_x2apic)
{
    bool virt = p->tpr_shadow && p->x2apic && guest_x2apic;
    for (uint32_t msr = 0x800; msr <= 0x8ff; msr++) {
        bool read_open = virt && (msr == 0x808 || (p->reg_virt && reads_from_page(msr, p->vid)));
        /* SDM 30.5: TPR writes are TPR virtualization; EOI and SELF IPI writes are EOI and
         * self-IPI virtualization with virtual-interrupt delivery */
        bool write_open = virt && (msr == 0x808 || (p->vid && (msr == 0x80b || msr == 0x83f)));
        bitmap_set(bitmap, msr, false, !read_open);
        bitmap_set(bitmap, msr, true, !write_open);
    }
}

struct apicv_access apicv_decode_access(uint64_t q)
{
    struct apicv_access a = {
        .offset = (unsigned)(q & 0xfff),
        .type = (unsigned)((q >> 12) & 0xf),
        .async = (q >> 16) & 1,
    };
    bool known = a.type <= 3 || a.type == 10 || a.type == 15;
    a.valid = known && !(q >> 17); /* SDM 28.2.1 table 28-6: bits 63:17 reserved */
    return a;
}

const char *apicv_access_type_name(unsigned type)
{
    switch (type) {
    case APICV_ACCESS_LINEAR_READ:
        return "linear read";
    case APICV_ACCESS_LINEAR_WRITE:
        return "linear write";
    case APICV_ACCESS_LINEAR_FETCH:
        return "linear instruction fetch";
    case APICV_ACCESS_LINEAR_EVENT:
        return "linear access during event delivery";
    case APICV_ACCESS_PHYSICAL_EVENT:
        return "guest-physical access during event delivery";
    case APICV_ACCESS_PHYSICAL_FETCH_OR:
        return "guest-physical access (instruction fetch or execution)";
    default:
        return "reserved type";
    }
}

const char *apicv_reg_name(unsigned offset)
{
    static const struct {
        unsigned offset;
        const char *name;
    } regs[] = {
        {0x020, "ID"},
        {0x030, "version"},
        {0x080, "TPR"},
        {0x090, "APR"},
        {0x0a0, "PPR"},
        {0x0b0, "EOI"},
        {0x0c0, "RRD"},
        {0x0d0, "LDR"},
        {0x0e0, "DFR"},
        {0x0f0, "SVR"},
        {0x280, "ESR"},
        {0x2f0, "LVT CMCI"},
        {0x300, "ICR low"},
        {0x310, "ICR high"},
        {0x320, "LVT timer"},
        {0x330, "LVT thermal"},
        {0x340, "LVT perf"},
        {0x350, "LVT LINT0"},
        {0x360, "LVT LINT1"},
        {0x370, "LVT error"},
        {0x380, "initial count"},
        {0x390, "current count"},
        {0x3e0, "divide configuration"},
        {0x3f0, "SELF IPI"},
    };
    unsigned reg = offset & ~0xfu;
    if (reg >= 0x100 && reg < 0x180)
        return "ISR";
    if (reg >= 0x180 && reg < 0x200)
        return "TMR";
    if (reg >= 0x200 && reg < 0x280)
        return "IRR";
    for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
        if (regs[i].offset == reg)
            return regs[i].name;
    return NULL;
}

int apicv_access_format(const struct apicv_access *a, char *buf, size_t size)
{
    const char *type = apicv_access_type_name(a->type);
    if (a->type >= APICV_ACCESS_PHYSICAL_EVENT) /* no offset for guest-physical accesses */
        return fmt_snprintf(buf, size, "%s%s", type, a->async ? ", asynchronous" : "");
    const char *reg = apicv_reg_name(a->offset);
    return fmt_snprintf(buf, size, "%s at offset 0x%03x (%s)%s", type, a->offset,
                        reg ? reg : "no register", a->async ? ", asynchronous" : "");
}

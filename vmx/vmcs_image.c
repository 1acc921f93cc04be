/*
 * vmx/vmcs_image.c - a VMCS as (encoding, value) pairs, read through a vmcs_read_fn (pure).
 */
#include <string.h>

#include "vmx/vmcs_image.h"
#include "vmx/vmcs_fields.h"

void vmcs_image_init(struct vmcs_image *im)
{
    memset(im, 0, sizeof(*im));
}

uint64_t vmcs_image_width_mask(uint32_t enc)
{
    const struct vmcs_field *f = vmcs_field_by_encoding(enc);
    if (!f || vmcs_enc_is_high(enc))
        return 0;
    /* SDM 25.11.2: a VMWRITE to a 16/32-bit field keeps the low bits */
    switch (f->width) {
    case VMCS_WIDTH_16:
        return 0xffffULL;
    case VMCS_WIDTH_32:
        return 0xffffffffULL;
    default:
        return ~0ULL;
    }
}

static int find(const struct vmcs_image *im, uint32_t enc)
{
    for (unsigned i = 0; i < im->n; i++)
        if (im->enc[i] == enc)
            return (int)i;
    return -1;
}

int vmcs_image_set(struct vmcs_image *im, uint32_t enc, uint64_t value)
{
    uint64_t mask = vmcs_image_width_mask(enc);
    if (!mask)
        return -1;
    int i = find(im, enc);
    if (i < 0) {
        if (im->n >= VMCS_IMAGE_MAX)
            return -1;
        i = (int)im->n++;
        im->enc[i] = enc;
    }
    im->val[i] = value & mask;
    return 0;
}

bool vmcs_image_get(const struct vmcs_image *im, uint32_t enc, uint64_t *value)
{
    int i = find(im, enc);
    if (value)
        *value = i < 0 ? 0 : im->val[i];
    return i >= 0;
}

bool vmcs_image_remove(struct vmcs_image *im, uint32_t enc)
{
    int i = find(im, enc);
    if (i < 0)
        return false;
    im->n--;
    im->enc[i] = im->enc[im->n];
    im->val[i] = im->val[im->n];
    return true;
}

int vmcs_image_read(void *ctx, uint32_t enc, uint64_t *value)
{
    return vmcs_image_get((const struct vmcs_image *)ctx, enc, value) ? 0 : -1;
}

bool vmcs_image_equal(const struct vmcs_image *a, const struct vmcs_image *b)
{
    if (a->n != b->n)
        return false;
    for (unsigned i = 0; i < a->n; i++) {
        uint64_t v;
        if (!vmcs_image_get(b, a->enc[i], &v) || v != a->val[i])
            return false;
    }
    return true;
}

/*
 * vmx/vmcs_image.h - a VMCS held in memory as (encoding, value) pairs (pure).
 *
 * The software VM-entry checker, its tests and the mutation generator (vmx/entry_mutate.h) read
 * a VMCS through a vmcs_read_fn; vmcs_image_read is that callback for an image, so the same
 * code reads the CPU's VMCS (VMREAD) or an image. Values are stored cut to the field's width
 * (16, 32 or 64 bits), as VMWRITE would store them; a field not in the image reads as refused,
 * like VMREAD of an unsupported field.
 */
#ifndef VMX_VMCS_IMAGE_H
#define VMX_VMCS_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VMCS_IMAGE_MAX 256 /* more than the fields of SDM appendix B */

struct vmcs_image {
    unsigned n;
    uint32_t enc[VMCS_IMAGE_MAX];
    uint64_t val[VMCS_IMAGE_MAX];
};

/* Empties the image. */
void vmcs_image_init(struct vmcs_image *im);
/* Sets a field (full encoding of a field in vmx/vmcs_fields.def), adding it when absent.
 * Returns 0, or -1 for an unknown or high encoding, or a full image. */
int vmcs_image_set(struct vmcs_image *im, uint32_t enc, uint64_t value);
/* The field's value; false (and *value 0) when the image does not hold it. */
bool vmcs_image_get(const struct vmcs_image *im, uint32_t enc, uint64_t *value);
/* Removes a field; false when it was not there. */
bool vmcs_image_remove(struct vmcs_image *im, uint32_t enc);
/* vmcs_read_fn for ctx = const struct vmcs_image *: 0 and *value, or -1 when absent. */
int vmcs_image_read(void *ctx, uint32_t enc, uint64_t *value);
/* The mask of a field's width: 0xffff, 0xffffffff or all ones (0 for an unknown field). */
uint64_t vmcs_image_width_mask(uint32_t enc);
/* True when both images hold the same fields with the same values (in any order). */
bool vmcs_image_equal(const struct vmcs_image *a, const struct vmcs_image *b);

#endif

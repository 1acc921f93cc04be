/*
 * vmx/vmcs_encoding.h - bit format of a VMCS field encoding (pure).
 *
 * Every VMCS field is named by a 32-bit encoding, the operand of VMREAD/VMWRITE
 * (SDM 25.11.2 "VMREAD, VMWRITE, and Encodings of VMCS Fields"; SDM A.9):
 *   bit 0      access type: 0 full, 1 high (upper 32 bits of a 64-bit field)
 *   bits 9:1   index, distinguishing fields of the same width and type
 *   bits 11:10 type: 0 control, 1 VM-exit information (read-only data), 2 guest state,
 *              3 host state
 *   bit 12     reserved, must be 0
 *   bits 14:13 width: 0 16-bit, 1 64-bit, 2 32-bit, 3 natural width
 *   bits 31:15 reserved, must be 0
 * Only 64-bit fields have a high encoding (full encoding + 1).
 */
#ifndef VMX_VMCS_ENCODING_H
#define VMX_VMCS_ENCODING_H

#include <stdbool.h>
#include <stdint.h>

/* Bits 14:13. SDM 25.11.2 */
enum vmcs_width {
    VMCS_WIDTH_16 = 0,
    VMCS_WIDTH_64 = 1,
    VMCS_WIDTH_32 = 2,
    VMCS_WIDTH_NAT = 3, /* natural width: 64 bits on Intel 64 processors */
};

/* Bits 11:10: the VMCS area a field belongs to. SDM 25.11.2 */
enum vmcs_area {
    VMCS_AREA_CONTROL = 0,
    VMCS_AREA_EXIT_INFO = 1, /* VM-exit information fields, the "read-only data" type */
    VMCS_AREA_GUEST = 2,
    VMCS_AREA_HOST = 3,
};

#define VMCS_ENC_ACCESS_HIGH   0x1u
#define VMCS_ENC_INDEX_SHIFT   1
#define VMCS_ENC_INDEX_MASK    0x1ffu
#define VMCS_ENC_TYPE_SHIFT    10
#define VMCS_ENC_WIDTH_SHIFT   13
#define VMCS_ENC_RESERVED_MASK 0xffff9000u /* bits 31:15 and 12 */

/* Builds an encoding; usable in constant expressions. */
#define VMCS_ENCODE(width, type, index, high)                                                      \
    ((((uint32_t)(width)&3u) << VMCS_ENC_WIDTH_SHIFT) |                                            \
     (((uint32_t)(type)&3u) << VMCS_ENC_TYPE_SHIFT) |                                              \
     (((uint32_t)(index)&VMCS_ENC_INDEX_MASK) << VMCS_ENC_INDEX_SHIFT) |                           \
     ((uint32_t)(high)&VMCS_ENC_ACCESS_HIGH))

#define VMCS_ENC_WIDTH(enc) (((uint32_t)(enc) >> VMCS_ENC_WIDTH_SHIFT) & 3u)
#define VMCS_ENC_TYPE(enc)  (((uint32_t)(enc) >> VMCS_ENC_TYPE_SHIFT) & 3u)
#define VMCS_ENC_INDEX(enc) (((uint32_t)(enc) >> VMCS_ENC_INDEX_SHIFT) & VMCS_ENC_INDEX_MASK)
#define VMCS_ENC_HIGH(enc)  ((uint32_t)(enc)&VMCS_ENC_ACCESS_HIGH)

/* The high-access encoding of a 64-bit field given its full encoding. SDM 25.11.2 */
#define VMCS_HIGH(enc) ((uint32_t)(enc) | VMCS_ENC_ACCESS_HIGH)

static inline uint32_t vmcs_encode(enum vmcs_width width, enum vmcs_area area, uint32_t index,
                                   bool high)
{
    return VMCS_ENCODE(width, area, index, high);
}

static inline enum vmcs_width vmcs_enc_width(uint32_t enc)
{
    return (enum vmcs_width)VMCS_ENC_WIDTH(enc);
}

static inline enum vmcs_area vmcs_enc_area(uint32_t enc)
{
    return (enum vmcs_area)VMCS_ENC_TYPE(enc);
}

static inline uint32_t vmcs_enc_index(uint32_t enc)
{
    return VMCS_ENC_INDEX(enc);
}

static inline bool vmcs_enc_is_high(uint32_t enc)
{
    return VMCS_ENC_HIGH(enc) != 0;
}

/* True if no reserved bit is set and the high access type is used only with a 64-bit width
 * (16-bit, 32-bit and natural-width fields allow only full access). SDM 25.11.2 */
static inline bool vmcs_enc_is_well_formed(uint32_t enc)
{
    if (enc & VMCS_ENC_RESERVED_MASK)
        return false;
    return !VMCS_ENC_HIGH(enc) || VMCS_ENC_WIDTH(enc) == VMCS_WIDTH_64;
}

#endif

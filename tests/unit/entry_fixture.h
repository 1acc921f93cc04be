/*
 * tests/unit/entry_fixture.h - valid VMCS images for the VM-entry checker and mutation tests
 * (host only), built on the capability MSRs of Bochs CPU models (tests/unit/fixtures/), and a
 * fake physical memory.
 */
#ifndef TESTS_UNIT_ENTRY_FIXTURE_H
#define TESTS_UNIT_ENTRY_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/entry_check.h"
#include "vmx/vmcs_image.h"
#include "vmx/vmx_caps.h"

enum ef_base {
    EF_64,   /* 64-bit guest, EPT + VPID, TPR shadow, corei7_icelake_u */
    EF_REAL, /* real-mode guest with unrestricted guest, corei7_skylake_x */
    EF_PM32, /* 32-bit protected mode, PAE paging, EPT, no unrestricted guest: lynnfield */
    EF_V86,  /* virtual-8086 guest (CR0.PE=1, PG=0, unrestricted guest), corei7_skylake_x */
    EF_COUNT
};

#define EF_MAXPHYADDR 40
#define EF_VAPIC      0x00005000ULL /* virtual-APIC page */
#define EF_LINK_PAGE  0x00007000ULL /* a page that may hold a VMCS for link-pointer tests */
#define EF_MSR_AREA   0x00009000ULL /* VM-entry MSR-load list */
#define EF_PDPT       0x00006000ULL /* guest CR3 of EF_PM32 (PDPT) */

/* A small physical memory: unlisted quadwords read as 0. */
struct ef_mem {
    unsigned n;
    uint64_t addr[32], val[32];
};

struct ef_setup {
    struct vmx_msr_values msrs;
    struct vmx_caps caps;
    struct vmcs_image im;
    struct ef_mem mem;
    struct entry_check_env env;
};

/* The model a base uses ("corei7_icelake_u" ...). */
const char *ef_model(enum ef_base b);
/* Fills *s: capabilities of the base's model, the valid image, memory and env (reading the
 * image and the memory). Returns false (with a message on stderr) when a fixture is missing. */
bool ef_build(struct ef_setup *s, enum ef_base b);
/* Points env at s's own image, memory and caps again (after a struct copy). */
void ef_rebind(struct ef_setup *s);
/* Writes a quadword into the fake memory. */
void ef_mem_set(struct ef_mem *m, uint64_t addr, uint64_t val);
/* entry_phys_read_fn over struct ef_mem. */
int ef_mem_read(void *ctx, uint64_t addr, uint64_t *val);
/* Image field helpers: set, OR in, clear bits. */
void ef_set(struct ef_setup *s, uint32_t enc, uint64_t v);
void ef_or(struct ef_setup *s, uint32_t enc, uint64_t bits);
void ef_clr(struct ef_setup *s, uint32_t enc, uint64_t bits);
uint64_t ef_get(const struct ef_setup *s, uint32_t enc);

#endif

/*
 * scenarios/entry_diff.h - what the two files of scenario entry-diff share: the base VMCS of
 * the differential test (entry_diff_base.c) and the loop over states (entry_diff.c).
 */
#ifndef SCENARIOS_ENTRY_DIFF_H
#define SCENARIOS_ENTRY_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "vmx/ept.h"
#include "vmx/vcpu.h"
#include "vmx/vmcs_image.h"

/* The base of every state: a vCPU of a small built-in 64-bit guest that lives on pages the
 * test owns, behind an EPT that maps only them, and its VMCS as an image. */
struct ediff_base {
    struct vcpu v;         /* VMCS (v.vmcs_phys), I/O and MSR bitmaps, from vcpu_init */
    struct ept ept;        /* the guest's memory: the pages below, nothing else */
    struct vmcs_image im;  /* every writable field the CPU has, valid (entry_mutate.h B1-B3) */
    uint64_t guest_pages;  /* guest-physical pages 1..GUEST_PAGES are mapped */
    uint64_t scratch_used; /* scratch pages behind the address controls */
};

/* Builds the guest, its EPT and its VMCS (current on this CPU), adjusts the VMCS to the safety
 * contract of vmx/entry_mutate.h and captures it into b->im. 0, or -1 with a message in err. */
int ediff_base_build(struct ediff_base *b, char *err, size_t len);

/* Writes every field of im into the current VMCS. Returns the number of VMWRITEs that failed. */
unsigned ediff_load(const struct vmcs_image *im);

#endif

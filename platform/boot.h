/* platform/boot.h - bring the platform up (book chapter 1), stage by stage. */
#ifndef PLATFORM_BOOT_H
#define PLATFORM_BOOT_H

#include <stdint.h>
#include "platform/mb2.h"

extern struct mb2_info boot_info;

/* Everything up to all CPUs online. Returns the number of command-line errors. */
int platform_init(uint32_t magic, uint32_t info_phys);

#endif

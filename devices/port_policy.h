/*
 * devices/port_policy.h - what a port no device claims does (pure). The policy is that of an
 * ISA bus with nothing at the address: a read returns all ones of the access size (the data
 * lines float high), a write is dropped. The guest goes on; the VMM reports each such port
 * once, so a guest polling a missing device does not flood the console. The set of reported
 * ports is small: once it is full, one more report says so ("and more") and later ports pass
 * silently.
 */
#ifndef DEVICES_PORT_POLICY_H
#define DEVICES_PORT_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PORT_LOG_MAX 16

struct port_log {
    uint16_t ports[PORT_LOG_MAX]; /* reported so far */
    unsigned count;
    unsigned untracked; /* new ports seen after the set filled up */
};

void port_log_init(struct port_log *log);

/* All ones of the access size: 0xff, 0xffff or 0xffffffff. */
uint32_t port_policy_ones(unsigned size);

/* Applies the policy to an access nobody claimed: an IN gets all ones, an OUT is dropped. */
void port_policy_access(unsigned size, bool in, uint32_t *value);

/* Whether to report an access to port: true the first time a port is seen, and once more for
 * the first port that no longer fits in the set (the "and more" report); false otherwise. */
bool port_policy_note(struct port_log *log, uint16_t port);

/* The report for a port port_policy_note returned true for, e.g.
 * "IN from port 0x61 (1 byte): no device there (reads all ones, writes ignored)"; the "and
 * more" report adds "; more such ports are not reported". Returns snprintf's length. */
int port_policy_message(const struct port_log *log, uint16_t port, unsigned size, bool in,
                        char *buf, size_t len);

#endif

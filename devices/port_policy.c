/* devices/port_policy.c - ports nobody claims (see port_policy.h). */
#include "devices/port_policy.h"

#include "platform/fmt.h"

void port_log_init(struct port_log *log)
{
    log->count = 0;
    log->untracked = 0;
}

uint32_t port_policy_ones(unsigned size)
{
    return size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

void port_policy_access(unsigned size, bool in, uint32_t *value)
{
    if (in)
        *value = port_policy_ones(size);
}

static bool port_policy_known(const struct port_log *log, uint16_t port)
{
    for (unsigned i = 0; i < log->count && i < PORT_LOG_MAX; i++)
        if (log->ports[i] == port)
            return true;
    return false;
}

bool port_policy_note(struct port_log *log, uint16_t port)
{
    if (port_policy_known(log, port))
        return false;
    if (log->count < PORT_LOG_MAX) {
        log->ports[log->count++] = port;
        return true;
    }
    return ++log->untracked == 1;
}

int port_policy_message(const struct port_log *log, uint16_t port, unsigned size, bool in,
                        char *buf, size_t len)
{
    return fmt_snprintf(buf, len,
                        "%s port 0x%x (%u byte%s): no device there (reads all ones, writes "
                        "ignored)%s",
                        in ? "IN from" : "OUT to", (unsigned)port, size, size == 1 ? "" : "s",
                        port_policy_known(log, port) ? "" : "; more such ports are not reported");
}

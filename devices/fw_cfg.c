/* devices/fw_cfg.c - QEMU's fw_cfg, I/O-port interface (see fw_cfg.h). */
#include <string.h>
#include "devices/fw_cfg.h"
#include "platform/fmt.h"

void fw_cfg_init(struct fw_cfg *f, uint16_t nb_cpus, uint64_t ram_size)
{
    memset(f, 0, sizeof(*f));
    f->nb_cpus = nb_cpus;
    f->ram_size = ram_size;
}

int fw_cfg_add_file(struct fw_cfg *f, const char *name, const void *data, uint32_t size, char *err,
                    size_t errlen)
{
    size_t len = strlen(name);
    if (len == 0 || len >= FW_CFG_NAME_MAX) {
        fmt_snprintf(err, errlen, "fw_cfg: file name \"%s\" is empty or longer than %d bytes", name,
                     FW_CFG_NAME_MAX - 1);
        return -1;
    }
    if (f->nfiles == FW_CFG_FILES_MAX) {
        fmt_snprintf(err, errlen, "fw_cfg: no room for file \"%s\" (%d files at most)", name,
                     FW_CFG_FILES_MAX);
        return -1;
    }
    unsigned at = 0;
    while (at < f->nfiles && strcmp(f->files[at].name, name) < 0)
        at++;
    if (at < f->nfiles && strcmp(f->files[at].name, name) == 0) {
        fmt_snprintf(err, errlen, "fw_cfg: file \"%s\" is already there", name);
        return -1;
    }
    memmove(&f->files[at + 1], &f->files[at], (f->nfiles - at) * sizeof(f->files[0]));
    struct fw_cfg_file *file = &f->files[at];
    memset(file, 0, sizeof(*file));
    memcpy(file->name, name, len);
    file->data = data;
    file->size = size;
    file->select = (uint16_t)(FW_CFG_FILE_FIRST + f->nfiles); /* in the order of adding */
    f->nfiles++;
    return 0;
}

static bool le_byte(uint64_t v, unsigned width, uint32_t offset, uint8_t *byte)
{
    if (offset >= width)
        return false;
    *byte = (uint8_t)(v >> (8 * offset));
    return true;
}

/* The directory: count (BE32), then per file size (BE32), select (BE16), reserved, name
 * (fw_cfg.rst "File Directory"). */
static bool dir_byte(const struct fw_cfg *f, uint32_t offset, uint8_t *byte)
{
    if (offset < 4) {
        *byte = (uint8_t)(f->nfiles >> (8 * (3 - offset)));
        return true;
    }
    offset -= 4;
    uint32_t index = offset / FW_CFG_FILE_ENTRY, at = offset % FW_CFG_FILE_ENTRY;
    if (index >= f->nfiles)
        return false;
    const struct fw_cfg_file *file = &f->files[index];
    if (at < 4)
        *byte = (uint8_t)(file->size >> (8 * (3 - at)));
    else if (at < 6)
        *byte = (uint8_t)(file->select >> (8 * (5 - at)));
    else if (at < 8)
        *byte = 0;
    else
        *byte = (uint8_t)file->name[at - 8];
    return true;
}

bool fw_cfg_item_byte(const struct fw_cfg *f, uint16_t key, uint32_t offset, uint8_t *byte)
{
    if (key & FW_CFG_ARCH_LOCAL)
        return false; /* the x86 items (ACPI tables, e820, ...): none here */
    key &= FW_CFG_KEY_MASK;
    switch (key) {
    case FW_CFG_SIGNATURE:
        return le_byte(0x554d4551u, 4, offset, byte); /* "QEMU" */
    case FW_CFG_ID:
        return le_byte(FW_CFG_ID_TRADITIONAL, 4, offset, byte);
    case FW_CFG_RAM_SIZE:
        return le_byte(f->ram_size, 8, offset, byte);
    case FW_CFG_NB_CPUS:
    case FW_CFG_MAX_CPUS:
        return le_byte(f->nb_cpus, 2, offset, byte);
    case FW_CFG_FILE_DIR:
        return dir_byte(f, offset, byte);
    default:
        break;
    }
    for (unsigned i = 0; i < f->nfiles; i++) {
        const struct fw_cfg_file *file = &f->files[i];
        if (file->select != key)
            continue;
        if (offset >= file->size)
            return false;
        *byte = file->data[offset];
        return true;
    }
    return false;
}

bool fw_cfg_io(struct fw_cfg *f, uint16_t port, unsigned size, bool in, uint32_t *value)
{
    if (port != FW_CFG_PORT_SEL && port != FW_CFG_PORT_DATA)
        return false;
    if (in) {
        uint8_t byte = 0;
        if (fw_cfg_item_byte(f, f->selector, f->offset, &byte))
            f->offset++;
        *value = byte; /* past the end: 0 (fw_cfg.rst "Data Register") */
        return true;
    }
    if (port == FW_CFG_PORT_SEL && size == 2) { /* fw_cfg.rst: selecting rewinds the item */
        f->selector = (uint16_t)*value;
        f->offset = 0;
    }
    return true; /* a data write: ignored (no writable items) */
}

/*
 * demo_pki.c - finds a file of the bundled test PKI (demo_pki_data.c) by name.
 */
#include <string.h>

#include "cli.h"
#include "demo_pki.h"

const char *demo_pki_file(const char *name, size_t *len)
{
    for (size_t i = 0; i < demo_pki_entry_count; i++)
        if (strcmp(demo_pki_entries[i].name, name) == 0) {
            *len = strlen(demo_pki_entries[i].pem);
            return demo_pki_entries[i].pem;
        }
    *len = 0;
    return NULL;
}

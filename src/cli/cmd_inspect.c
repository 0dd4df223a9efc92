/* `inspect MODEL [--json]`: what a model contains and whether the engine can run it. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "ipfs_accelerate.h"

int ia_cmd_inspect(int argc, char **argv) {
    const char *path = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (argv[i][0] == '-') { fprintf(stderr, "inspect: unknown option %s\n", argv[i]); return IA_EXIT_USAGE; }
        else path = argv[i];
    }
    if (!path) {
        fprintf(stderr, "usage: ipfs-accelerate inspect MODEL|CID[/path] [--json]\n");
        return IA_EXIT_USAGE;
    }
    ia_model *m;
    int rc = ia_model_load_any(path, &m); /* a file path, or CID / CID/path in the store */
    if (rc) {
        fprintf(stderr, "inspect: %s\n", ia_last_error());
        return IA_EXIT_FAIL;
    }
    ia_model_describe(m, stdout, json);
    ia_model_destroy(m);
    return IA_EXIT_OK;
}

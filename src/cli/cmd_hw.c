/* `hw [--json] [--calibrate] [--budget S]`: prints the hardware probe and what this machine can run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "ipfs_accelerate.h"

int ia_cmd_hw(int argc, char **argv) {
    int json = 0, calibrate = 0;
    double budget = 2;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--calibrate")) calibrate = 1;
        else if (!strcmp(argv[i], "--budget") && i + 1 < argc) budget = atof(argv[++i]);
        else if (!strcmp(argv[i], "--probe-browsers")) {
            fprintf(stderr, "hw: --probe-browsers is not implemented yet; `ipfs-accelerate browser [--browser NAME]` reports a browser's WebGPU, WebNN and WASM capabilities\n");
            return IA_EXIT_USAGE;
        } else {
            fprintf(stderr, "hw: unknown option %s (usage: hw [--json] [--calibrate] [--budget SECONDS])\n", argv[i]);
            return IA_EXIT_USAGE;
        }
    }
    ia_hw_info *hw = calloc(1, sizeof *hw);
    if (!hw || ia_hw_probe(hw)) { fprintf(stderr, "hw: %s\n", ia_last_error()); free(hw); return IA_EXIT_FAIL; }
    if (calibrate && ia_hw_calibrate(hw, budget)) { fprintf(stderr, "hw: %s\n", ia_last_error()); free(hw); return IA_EXIT_FAIL; }
    ia_hw_print(hw, stdout, json);
    free(hw);
    return IA_EXIT_OK;
}

/* Fuzz target: generation settings JSON (ia_gen_config_parse: eos_token_id, context length). */
#include <stddef.h>
#include <stdint.h>
#include "ia/generate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ia_gen_config c = {0};
    if (ia_gen_config_parse((const char *)data, size, &c) == 0 && c.n_eos > sizeof c.eos_ids / sizeof *c.eos_ids)
        __builtin_trap();
    return 0;
}

/* Fuzz target: config.json for the encoder text tasks (ia_task_config_parse: id2label, problem_type). */
#include <stddef.h>
#include <stdint.h>
#include "ia/text_tasks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ia_task_config c;
    if (ia_task_config_parse((const char *)data, size, &c) == 0) {
        if (c.n_labels > 100000 || (c.n_labels && !c.labels)) __builtin_trap();
        ia_task_config_free(&c);
    }
    return 0;
}

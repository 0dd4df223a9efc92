/* Fuzz target: decoder_start_token_id / eos_token_id from config.json text (ia_seq2seq_config_parse). */
#include <stddef.h>
#include <stdint.h>
#include "ia/seq2seq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    int64_t start = 7, eos = 9;
    if (ia_seq2seq_config_parse((const char *)data, size, &start, &eos) == 0 && (start < 0 || eos < 0)) __builtin_trap();
    return 0;
}

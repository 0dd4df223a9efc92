/* Unit tests of the generation settings reader (eos_token_id forms, context length, bad JSON). */
#include <string.h>
#include "ipfs_accelerate.h"
#include "ia/generate.h"
#include "unit.h"

static int parse(const char *j, ia_gen_config *c) {
    memset(c, 0, sizeof *c);
    return ia_gen_config_parse(j, strlen(j), c);
}

TEST(eos_scalar_and_list) {
    ia_gen_config c;
    CHECK(parse("{\"eos_token_id\": 2, \"max_position_embeddings\": 2048}", &c) == IA_OK);
    CHECK(c.n_eos == 1 && c.eos_ids[0] == 2 && c.max_context == 2048);
    CHECK(parse("{\"eos_token_id\": [128001, 128008, 128009], \"n_positions\": 1024}", &c) == IA_OK);
    CHECK(c.n_eos == 3 && c.eos_ids[0] == 128001 && c.eos_ids[2] == 128009 && c.max_context == 1024);
}

TEST(wrong_types_ignored) {
    ia_gen_config c;
    CHECK(parse("{\"eos_token_id\": \"2\", \"max_position_embeddings\": -5}", &c) == IA_OK);
    CHECK(c.n_eos == 0 && c.max_context == 0);
    CHECK(parse("{\"eos_token_id\": [1.5, -1, 7]}", &c) == IA_OK);
    CHECK(c.n_eos == 1 && c.eos_ids[0] == 7);
}

TEST(malformed_is_parse_error) {
    ia_gen_config c;
    CHECK(parse("{\"eos_token_id\": 2", &c) == IA_ERR_PARSE);
    CHECK(parse("[1, 2]", &c) == IA_ERR_PARSE);
    CHECK(parse("", &c) == IA_ERR_PARSE);
}

UNIT_MAIN(CASE(eos_scalar_and_list), CASE(wrong_types_ignored), CASE(malformed_is_parse_error))

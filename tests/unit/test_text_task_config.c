/* Unit tests of the config.json readers of the text tasks (id2label, problem_type) and of seq2seq
 * (decoder_start_token_id, eos_token_id): the forms they accept and the errors they give. */
#include <string.h>
#include "ipfs_accelerate.h"
#include "ia/seq2seq.h"
#include "ia/text_tasks.h"
#include "unit.h"

static int parse(const char *j, ia_task_config *c) { return ia_task_config_parse(j, strlen(j), c); }

TEST(id2label_dense_and_sparse) {
    ia_task_config c;
    CHECK(parse("{\"id2label\": {\"1\": \"B-PER\", \"0\": \"O\"}, \"problem_type\": \"single_label_classification\"}", &c) == IA_OK);
    CHECK(c.n_labels == 2 && !strcmp(c.labels[0], "O") && !strcmp(c.labels[1], "B-PER") && !c.multi_label);
    ia_task_config_free(&c);
    CHECK(parse("{\"id2label\": {\"3\": \"x\"}, \"problem_type\": \"multi_label_classification\"}", &c) == IA_OK);
    CHECK(c.n_labels == 4 && !c.labels[0] && !c.labels[2] && !strcmp(c.labels[3], "x") && c.multi_label);
    ia_task_config_free(&c);
    CHECK(parse("{\"model_type\": \"bert\"}", &c) == IA_OK);
    CHECK(c.n_labels == 0 && !c.labels && !c.multi_label);
    ia_task_config_free(&c);
}

TEST(id2label_errors) {
    ia_task_config c;
    CHECK(parse("{\"id2label\": {\"zero\": \"x\"}}", &c) == IA_ERR_PARSE);
    CHECK(strstr(ia_last_error(), "zero") != NULL);
    CHECK(parse("{\"id2label\": {\"-1\": \"x\"}}", &c) == IA_ERR_PARSE);
    CHECK(parse("{\"id2label\": {\"100000\": \"x\"}}", &c) == IA_ERR_PARSE);
    CHECK(parse("{\"id2label\": {\"0\": 3}}", &c) == IA_ERR_PARSE);
    CHECK(parse("{\"id2label\": {\"0\": \"x\"", &c) == IA_ERR_PARSE);
    CHECK(parse("[]", &c) == IA_ERR_PARSE);
    CHECK(c.n_labels == 0 && !c.labels);
}

TEST(seq2seq_ids) {
    int64_t start = 5, eos = 6;
    const char *j = "{\"decoder_start_token_id\": 0, \"eos_token_id\": [1, 2]}";
    CHECK(ia_seq2seq_config_parse(j, strlen(j), &start, &eos) == IA_OK && start == 0 && eos == 1);
    start = 5, eos = 6;
    j = "{\"decoder_start_token_id\": -1, \"eos_token_id\": 1.5}";
    CHECK(ia_seq2seq_config_parse(j, strlen(j), &start, &eos) == IA_OK && start == 5 && eos == 6);
    j = "{\"eos_token_id\": ";
    CHECK(ia_seq2seq_config_parse(j, strlen(j), &start, &eos) == IA_ERR_PARSE);
}

UNIT_MAIN(CASE(id2label_dense_and_sparse), CASE(id2label_errors), CASE(seq2seq_ids))

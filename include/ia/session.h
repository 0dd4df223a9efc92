/* Sessions: a loaded model prepared for running on a device, with named inputs and outputs.
 * The one API that hides where a model runs. */
#ifndef IA_SESSION_H
#define IA_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "ia/model.h"
#include "ia/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ia_session ia_session;

typedef struct ia_session_options {
    int threads;              /* intra-op threads; 0 = all online CPUs */
    /* 0 = none, 1 = constant folding and shape inference, 2 = also fusions (default):
     * Cast/Identity/Dropout removal, MatMul+bias(+activation), GELU/SiLU, LayerNorm/RMSNorm/
     * SkipLayerNorm, attention (docs/PERFORMANCE.md). The environment variable IA_OPTIMIZE=0|1|2
     * overrides it for every session (test suites); IA_OPT_DISABLE=pass,... skips passes. */
    int optimize_level;
    uint64_t max_tensor_bytes; /* refuse any single tensor larger than this; 0 = half of RAM */
} ia_session_options;

IA_API void ia_session_options_init(ia_session_options *o);

/* Creates a session from a model file. Fails (with ia_last_error()) when the model cannot be
 * parsed, uses an operator the engine lacks (naming op, domain, opset and node), or has
 * inconsistent static types or shapes. */
IA_API int ia_session_create(const char *path, const ia_session_options *opts, ia_session **out);
/* Same, taking ownership of an already loaded model. */
IA_API int ia_session_create_from_model(ia_model *model, const ia_session_options *opts, ia_session **out);
IA_API void ia_session_destroy(ia_session *s);

IA_API size_t ia_session_input_count(const ia_session *s);
IA_API size_t ia_session_output_count(const ia_session *s);
IA_API const char *ia_session_input_name(const ia_session *s, size_t i);
IA_API const char *ia_session_output_name(const ia_session *s, size_t i);
/* Declared type of an input/output: kind (IA_VALUE_*), element dtype, rank (-1 unknown) and
 * dims (-1 for symbolic dims); dims may be NULL. */
IA_API int ia_session_input_type(const ia_session *s, size_t i, int *kind, int *dtype, int *rank, int64_t *dims);
IA_API int ia_session_output_type(const ia_session *s, size_t i, int *kind, int *dtype, int *rank, int64_t *dims);
IA_API const ia_model *ia_session_model(const ia_session *s);

/* Runs the model. `inputs[i]` feeds graph input i (in declaration order; NULL = omitted,
 * allowed only for inputs with an initializer default). On success `outputs[i]` receives a
 * new value for each graph output, owned by the caller (ia_value_destroy). */
IA_API int ia_session_run(ia_session *s, ia_value *const *inputs, size_t n_inputs, ia_value **outputs,
                          size_t n_outputs);

/* Message describing the last failure on this session (names node and op when relevant). */
IA_API const char *ia_session_errmsg(const ia_session *s);

/* Per-run statistics of the last run. */
typedef struct ia_run_stats {
    double total_ms;
    size_t nodes_run;
    uint64_t peak_bytes;  /* peak of live intermediate tensor bytes */
    uint64_t allocations; /* tensor buffers taken from the system allocator during the run
                             (0 once a run repeats the previous run's shapes) */
} ia_run_stats;
IA_API void ia_session_last_stats(const ia_session *s, ia_run_stats *st);

/* Profiling: when enabled, every later run adds each top-level node's time (subgraphs count
 * towards their If/Loop/Scan node). ia_session_profile_report writes the time per op type and
 * the `top` slowest nodes; ia_session_profile_reset clears the counters. */
IA_API int ia_session_profile_enable(ia_session *s, int on);
IA_API void ia_session_profile_reset(ia_session *s);
IA_API void ia_session_profile_report(const ia_session *s, FILE *out, size_t top);

#ifdef __cplusplus
}
#endif
#endif

/* Loading ONNX models into the engine's graph form, and describing them (inspect). */
#ifndef IA_MODEL_H
#define IA_MODEL_H

#include <stddef.h>
#include <stdio.h>
#include "ia/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ia_model ia_model;

/* Loads an ONNX file. The file is mapped, not read; large initializers and external data
 * (files named by the tensors, next to the model) are used in place where alignment allows.
 * On failure returns a status and ia_last_error() names what is wrong and where. */
IA_API int ia_model_load(const char *path, ia_model **out);
/* Loads from memory (the bytes are copied where needed; `dir` resolves external data, or
 * NULL to refuse external data). */
IA_API int ia_model_load_memory(const void *data, size_t len, const char *dir, ia_model **out);
IA_API void ia_model_destroy(ia_model *m);

/* Writes a human-readable description (IR version, opsets, producer, inputs and outputs,
 * op histogram, parameters, external files, unsupported ops), or JSON when `json` is set. */
IA_API int ia_model_describe(const ia_model *m, FILE *out, int json);

/* Number of distinct (domain, op_type, opset) combinations in the model (subgraphs included)
 * that the engine cannot run; 0 means the whole model is supported. */
IA_API size_t ia_model_unsupported_count(const ia_model *m);

#ifdef __cplusplus
}
#endif
#endif

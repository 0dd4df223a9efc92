/* Browser-backed sessions: the same models run in a real browser page on onnxruntime-web
 * (WebGPU, WebNN or WASM), driven over a loopback WebSocket bridge. Mirrors ia/session.h. */
#ifndef IA_WEB_H
#define IA_WEB_H

#include <stddef.h>
#include <stdint.h>
#include "ia/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ia_web_session ia_web_session;

typedef struct ia_web_options {
    const char *device;  /* "wasm" (default), "webgpu", "webnn" (= webnn-cpu), "webnn-gpu", "webnn-npu" */
    const char *browser; /* chromium, chrome, edge, firefox, or a path; NULL = best available */
    int visible;         /* 1 = show a window instead of running headless */
    int threads;         /* WASM threads in the page; 0 = the browser's hardwareConcurrency */
    int timeout_ms;      /* bound on browser start, load and each run; 0 = 120000 */
    /* Where the bridge page and onnxruntime-web's dist/ are; NULL = environment variables
     * IA_WEB_STATIC_DIR / IA_WEB_DIST_DIR, then the paths of the source tree this was built from. */
    const char *static_dir, *dist_dir;
    /* With a transformers.js-style model folder as path: which variant to load, "fp32" (default:
     * onnx/model.onnx), "fp16" (onnx/model_fp16.onnx; on webgpu only when the adapter has
     * shader-f16), "q8" (onnx/model_quantized.onnx) or "q4" (onnx/model_q4.onnx). */
    const char *precision;
    /* Free dimension overrides passed to onnxruntime-web (name -> value). */
    size_t n_free_dims;
    const char *const *free_dim_names;
    const int64_t *free_dim_values;
} ia_web_options;

IA_API void ia_web_options_init(ia_web_options *o);

/* What ran: recorded with every result of a browser run. */
typedef struct ia_web_info {
    char browser[16];          /* chromium, chrome, edge, firefox */
    char browser_version[128]; /* from the browser binary */
    char user_agent[512];
    char device[16];           /* as requested: wasm, webgpu, webnn-cpu, ... */
    char bundle[64];           /* onnxruntime-web bundle file that ran, e.g. ort.webgpu.min.mjs */
    char ort_version[32];
    char ep[128];              /* EPs that got nodes, with counts, from onnxruntime's own log: "WebGpuExecutionProvider:69+CPUExecutionProvider:6" */
    int ep_verified;           /* 1 when the requested device's EP holds nodes (0: it fell back entirely, or no log) */
    char adapter_vendor[64], adapter_architecture[64], adapter_description[256];
    int software_adapter;      /* WebGPU fallback (software) adapter: 1 yes, 0 no, -1 not WebGPU */
    int wasm_threads, cross_origin_isolated;
    double bundle_ms, download_ms, create_ms; /* load split, measured in the page */
    uint64_t model_bytes;
} ia_web_info;

/* Timing of the last run: C side (send to reply), page side (session.run) and bytes moved. */
typedef struct ia_web_run_stats {
    double c_ms, page_ms;
    double page_total_ms; /* page side from message receipt to reply, session.run included */
    uint64_t bytes_sent, bytes_received;
    /* Each hop of the last run, in ms. C side: CLOCK_REALTIME; page side: performance.timeOrigin +
     * performance.now() (the same wall clock, 5 us granularity in an isolated page), so the two
     * one-way hops are clock-aligned estimates; their sum (transport) is exact up to granularity. */
    struct { /* doubles only, in this order (browser-bench prints them by position) */
        double encode;     /* C: building the request frame */
        double send;       /* C: the WebSocket write call */
        double to_page;    /* C write start -> the page's MessageEvent (event.timeStamp) */
        double dispatch;   /* MessageEvent created -> the page's handler running */
        double prepare;    /* page: header parse, tensor views, ort.Tensor creation */
        double run;        /* page: session.run */
        double outputs;    /* page: output fetch and reply frame encoding, up to ws.send */
        double to_c;       /* page ws.send -> our server thread has the whole message */
        double wake;       /* our server thread -> the waiting caller running again */
        double decode;     /* C: reply validation and output tensors */
        double transport;  /* c_ms minus everything the page did and minus encode/decode */
        double reply_send; /* page: reply frame encoding + ws.send, of the previous run (part of to_c) */
    } hop;
} ia_web_run_stats;

/* Starts a server on 127.0.0.1 (free port, random token), launches the browser headless with a
 * fresh profile, checks the device (an unavailable one fails here, naming browser, version and the
 * browser's own reason), loads the model in the page and checks which execution provider took it.
 * `path` is a file, or "ipfs://CID[/path]" ("/ipfs/CID[/path]") for a file in the content store
 * (default store root; the page fetches it with every block hash-checked). Errors: ia_last_error(). */
IA_API int ia_web_session_create(const char *path, const ia_web_options *opts, ia_web_session **out);
IA_API void ia_web_session_destroy(ia_web_session *s);

IA_API size_t ia_web_session_input_count(const ia_web_session *s);
IA_API size_t ia_web_session_output_count(const ia_web_session *s);
IA_API const char *ia_web_session_input_name(const ia_web_session *s, size_t i);
IA_API const char *ia_web_session_output_name(const ia_web_session *s, size_t i);

/* Runs the model in the page; same contract as ia_session_run (inputs in input order, outputs
 * owned by the caller). Tensors travel as binary frames (raw little-endian bytes). */
IA_API int ia_web_session_run(ia_web_session *s, ia_value *const *inputs, size_t n_inputs, ia_value **outputs,
                              size_t n_outputs);
IA_API const char *ia_web_session_errmsg(const ia_web_session *s);
IA_API void ia_web_session_info(const ia_web_session *s, ia_web_info *info);
IA_API void ia_web_session_last_stats(const ia_web_session *s, ia_web_run_stats *st);
/* The page's capabilities report (JSON text, owned by the session). */
IA_API const char *ia_web_session_capabilities(const ia_web_session *s);
/* Runs the same onnxruntime-web session `iters` times inside the page on the last run's inputs,
 * with no bridge in between (the peer of the bridge overhead benchmark); page-side ms per run. */
IA_API int ia_web_session_bench_in_page(ia_web_session *s, int iters, double *times_ms);
/* Sends `bytes` bytes to the page and back (echo) and returns the round trip in ms. */
IA_API int ia_web_session_echo(ia_web_session *s, size_t bytes, double *ms);
/* The same transport without a browser: a bridge server (civetweb on 127.0.0.1, same send path)
 * with a C WebSocket client connected to it. Echo sends `n` masked binary messages of `bytes` bytes
 * and writes each round trip (ms) to times_ms[0..n-1]: the floor the browser's IPC adds to. */
typedef struct ia_web_loopback ia_web_loopback;
IA_API int ia_web_loopback_open(ia_web_loopback **out);
IA_API int ia_web_loopback_echo(ia_web_loopback *l, size_t bytes, int n, double *times_ms);
IA_API void ia_web_loopback_close(ia_web_loopback *l);

/* ---- Resource pool: several browsers x pages, each holding loaded models ----
 * Requests go to a page that has the model (else one is loaded, least-recently-used models
 * evicted past the page's budget), balanced by in-flight count, at most `per_page` at a time per
 * page (others queue). A crashed or closed browser is detected, restarted (its models reload on
 * demand) and the failed request retried once on a fresh page; a second failure returns an error
 * that says what happened. No request waits beyond opts.timeout_ms per attempt. Thread-safe. */
typedef struct ia_web_pool ia_web_pool;
typedef struct ia_web_pool_options {
    ia_web_options web;      /* device, browser, timeouts ... */
    int browsers, pages;     /* default 1 x 1 */
    int per_page;            /* concurrent requests per page; default 1 */
    uint64_t page_budget;    /* bytes of model per page before LRU eviction; 0 = 2 GiB */
} ia_web_pool_options;
typedef struct ia_web_pool_stats {
    uint64_t requests, completed, failed, retried, restarts, loads, evictions;
    /* onnxruntime-web sessions the live pages hold, as they reported in their last heartbeat
     * (about once a second): evicted models are released in the page, so this stays small. */
    uint64_t page_sessions;
} ia_web_pool_stats;
IA_API void ia_web_pool_options_init(ia_web_pool_options *o);
IA_API int ia_web_pool_create(const ia_web_pool_options *o, ia_web_pool **out);
IA_API void ia_web_pool_destroy(ia_web_pool *p);
/* Runs `model` (a file path) with inputs given by name; outputs in the model's output order
 * (as many as n_outputs). Error text into err (may be NULL). */
IA_API int ia_web_pool_run(ia_web_pool *p, const char *model, const char *const *input_names, ia_value *const *inputs,
                           size_t n_inputs, ia_value **outputs, size_t n_outputs, char *err, size_t err_cap);
IA_API void ia_web_pool_get_stats(ia_web_pool *p, ia_web_pool_stats *st);
/* Process id of browser `i` (for fault-injection tests); -1 when none runs. */
IA_API int ia_web_pool_browser_pid(ia_web_pool *p, int i);

/* Resolves a model folder + precision to the file to load (out: cap bytes). A plain file is
 * returned as it is (precision must then be NULL or "fp32"). */
IA_API int ia_web_model_variant(const char *path, const char *precision, char *out, size_t cap);

/* Launches the browser and returns its capabilities report (JSON, free with ia_free). */
IA_API int ia_web_probe(const ia_web_options *opts, char **caps_json);

#ifdef __cplusplus
}
#endif
#endif

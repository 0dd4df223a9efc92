/* Hardware probe: CPU (model, topology, ISA features, caches, memory, NUMA, governor), GPUs
 * (Vulkan and NVML loaded at run time, /dev/kfd and /dev/dri), browsers, calibrated peaks, and
 * the one place that answers "what can this machine run" (ia_hw_device_status). */
#ifndef IA_HW_H
#define IA_HW_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "ia/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define IA_HW_MAX_GPUS 16
#define IA_HW_MAX_BROWSERS 8
#define IA_HW_MAX_CALIB 8

typedef struct ia_hw_cpu {
    char arch[32];          /* uname machine: x86_64, aarch64, ... */
    char vendor[64];
    char model[128];
    int sockets, cores, threads; /* physical packages, physical cores, logical CPUs online */
    char features[512];     /* space-separated ISA features we care about (sse4.2 avx avx2 fma ...) */
    uint64_t l1d_bytes, l2_bytes, l3_bytes; /* per instance, as sysfs reports them; 0 = unknown */
    uint64_t mem_total_bytes, mem_available_bytes;
    int numa_nodes;
    char governor[32];      /* cpufreq scaling governor, "" when not readable */
    double mhz_cur, mhz_max; /* 0 when not readable */
    char kernel[128];
} ia_hw_cpu;

typedef struct ia_hw_gpu {
    char api[16];           /* "vulkan" or "nvml" */
    char name[256];
    char vendor[64];
    char driver[64];
    char type[32];          /* discrete, integrated, virtual, cpu (software rasterizer), other */
    uint64_t mem_bytes;     /* device-local heap sum (vulkan) or total memory (nvml) */
    uint32_t subgroup_size; /* 0 = unknown */
    uint32_t max_workgroup_invocations;
    int fp16, int8;         /* shader arithmetic support; -1 = unknown */
} ia_hw_gpu;

/* What a browser's page reports when started headless against our bridge page (ia_hw_probe_browsers). */
typedef struct ia_hw_browser_probe {
    int status;             /* 0 not probed, 1 probed, -1 the browser could not be probed (error says why) */
    char error[512];
    char user_agent[256];
    int wasm_simd, wasm_threads, cross_origin_isolated; /* 1 yes, 0 no, -1 unknown */
    int webgpu_available;   /* an adapter was returned */
    char webgpu_error[256]; /* why not, as the page saw it */
    char webgpu_vendor[64], webgpu_architecture[64], webgpu_description[128], webgpu_device[64];
    int webgpu_fallback;    /* 1: a fallback (software) adapter */
    char webgpu_features[1024]; /* space-separated, sorted */
    char webgpu_limits[512];    /* "name=value ..." */
    int webnn_present;      /* navigator.ml exists */
    char webnn_error[256];  /* why navigator.ml is absent */
    int webnn_ok[3];        /* createContext per device type cpu, gpu, npu: 1 ok, 0 failed */
    char webnn_errors[3][256]; /* the browser's exact error per device type */
} ia_hw_browser_probe;

typedef struct ia_hw_browser {
    char name[32];          /* chromium, google-chrome, microsoft-edge, firefox */
    char path[256];
    char version[128];      /* first line of `--version`, "" when it did not answer */
    ia_hw_browser_probe probe; /* filled by ia_hw_probe_browsers */
} ia_hw_browser;

typedef struct ia_hw_info {
    ia_hw_cpu cpu;
    ia_hw_gpu gpus[IA_HW_MAX_GPUS];
    int n_gpus;
    char vulkan_status[256]; /* "ok: N devices" or why not (loader absent, no ICD, ...) */
    char nvml_status[256];
    int has_kfd;             /* /dev/kfd exists (AMD ROCm kernel driver) */
    int n_dri_render;        /* /dev/dri/renderD* nodes */
    char openvino_status[128], qnn_status[128];
    ia_hw_browser browsers[IA_HW_MAX_BROWSERS];
    int n_browsers;
    /* filled by ia_hw_calibrate */
    int calibrated;
    int n_calib;
    int calib_threads[IA_HW_MAX_CALIB];
    double calib_gflops_fp32[IA_HW_MAX_CALIB];
    double mem_bw_gbs;       /* read bandwidth, all threads */
    char calib_kernel[16];   /* FMA loop used: avx512, avx2, generic (env IA_CALIBRATE_ISA forces one) */
    /* int8 multiply-accumulate peak (GOP/s, one multiply-add = 2 ops) per calib_threads entry, from
     * the ISA's int8 dot-product instructions (AVX-512 VNNI vpdpbusd, else AVX2 vpmaddubsw +
     * vpmaddwd); all 0 and calib_int8_kernel "none" where the ISA has no such instructions (or
     * IA_CALIBRATE_ISA=generic). */
    double calib_gops_int8[IA_HW_MAX_CALIB];
    char calib_int8_kernel[16];
} ia_hw_info;

/* Probes everything above except calibration. Never fails for a missing component: each part
 * that cannot be read is left empty or carries its reason in the *_status fields. */
IA_API int ia_hw_probe(ia_hw_info *out);

/* Measures fp32 FMA peak per thread count (1, 2, 4, ... up to the online CPUs) and memory read
 * bandwidth, in about `budget_s` seconds in total. */
IA_API int ia_hw_calibrate(ia_hw_info *hw, double budget_s);

/* Starts every browser found by ia_hw_probe headless against the bridge page (ia_web_probe) and
 * records what its page reports: WebGPU adapter, features and limits, WebNN per device type with
 * the browser's exact error, WASM SIMD and threads. A browser that cannot be started gets status -1
 * and the reason; never fails for that. timeout_ms bounds each browser (0 = 60000). */
IA_API int ia_hw_probe_browsers(ia_hw_info *hw, int timeout_ms);

/* True when the CPU has `feature` (as named in ia_hw_cpu.features). */
IA_API int ia_hw_has_feature(const ia_hw_info *hw, const char *feature);

/* Writes the probe as a human-readable text or as one JSON object. */
IA_API void ia_hw_print(const ia_hw_info *hw, FILE *out, int json);

/* What can this machine run: 1 when `device` (cpu, vulkan, cuda, webgpu, webnn, wasm) at
 * `precision` (fp32, fp16, int8, int4; NULL = any) can be benchmarked now, 0 when not, with the
 * reason written to `reason`. Unknown device or precision names return IA_ERR_INVALID_ARG. */
IA_API int ia_hw_device_status(const ia_hw_info *hw, const char *device, const char *precision, char *reason,
                               size_t reason_len);

/* The device and precision names ia_hw_device_status knows, NULL-terminated. */
IA_API const char *const *ia_hw_device_names(void);
IA_API const char *const *ia_hw_precision_names(void);

#ifdef __cplusplus
}
#endif
#endif

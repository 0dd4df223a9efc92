/* Hardware probe, CPU part: model and ISA features (cpuid on x86, /proc/cpuinfo elsewhere),
 * topology, caches, memory, NUMA nodes, frequency governor, kernel. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "bench/bench_internal.h"
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

static void add_feature(ia_hw_cpu *c, const char *f) {
    size_t n = strlen(c->features);
    snprintf(c->features + n, sizeof c->features - n, "%s%s", n ? " " : "", f);
}

int ia__read_line(const char *path, char *buf, size_t len) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    if (!fgets(buf, (int)len, f)) { fclose(f); return -1; }
    fclose(f);
    buf[strcspn(buf, "\n")] = 0;
    return 0;
}

static uint64_t read_u64(const char *path) {
    char b[64];
    return ia__read_line(path, b, sizeof b) ? 0 : strtoull(b, NULL, 10);
}

/* "48K", "2048K", "32M" as sysfs writes cache sizes */
static uint64_t parse_size(const char *s) {
    char *e;
    uint64_t v = strtoull(s, &e, 10);
    if (*e == 'K') v <<= 10;
    else if (*e == 'M') v <<= 20;
    else if (*e == 'G') v <<= 30;
    return v;
}

#if defined(__x86_64__) || defined(__i386__)
static uint64_t xgetbv0(void) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static void probe_x86(ia_hw_cpu *c) {
    unsigned a = 0, b = 0, cx = 0, d = 0, max_leaf = 0;
    if (!__get_cpuid(0, &max_leaf, &b, &cx, &d)) return;
    char vendor[13];
    memcpy(vendor, &b, 4);
    memcpy(vendor + 4, &d, 4);
    memcpy(vendor + 8, &cx, 4);
    vendor[12] = 0;
    snprintf(c->vendor, sizeof c->vendor, "%s", vendor);
    unsigned ext_max = __get_cpuid_max(0x80000000u, NULL);
    if (ext_max >= 0x80000004u) {
        char brand[49] = {0};
        for (unsigned i = 0; i < 3; i++) {
            __get_cpuid(0x80000002u + i, &a, &b, &cx, &d);
            memcpy(brand + 16 * i, &a, 4);
            memcpy(brand + 16 * i + 4, &b, 4);
            memcpy(brand + 16 * i + 8, &cx, 4);
            memcpy(brand + 16 * i + 12, &d, 4);
        }
        char *p = brand;
        while (*p == ' ') p++;
        snprintf(c->model, sizeof c->model, "%s", p);
        for (size_t n = strlen(c->model); n && c->model[n - 1] == ' ';) c->model[--n] = 0;
    }
    __get_cpuid(1, &a, &b, &cx, &d);
    int osxsave = (cx >> 27) & 1;
    uint64_t xcr0 = osxsave ? xgetbv0() : 0;
    int os_avx = (xcr0 & 6) == 6;            /* XMM and YMM state saved by the OS */
    int os_avx512 = os_avx && (xcr0 & 0xe0) == 0xe0; /* opmask, ZMM_Hi256, Hi16_ZMM */
    int os_amx = (xcr0 & (3u << 17)) == (3u << 17);  /* XTILECFG, XTILEDATA */
    if ((cx >> 20) & 1) add_feature(c, "sse4.2");
    if (((cx >> 28) & 1) && os_avx) add_feature(c, "avx");
    if (((cx >> 12) & 1) && os_avx) add_feature(c, "fma");
    if (((cx >> 29) & 1) && os_avx) add_feature(c, "f16c");
    if (max_leaf < 7) return;
    unsigned b7 = 0, c7 = 0, d7 = 0, a71 = 0, b71 = 0, c71 = 0, d71 = 0;
    __cpuid_count(7, 0, a, b7, c7, d7);
    if (a >= 1) __cpuid_count(7, 1, a71, b71, c71, d71);
    if (((b7 >> 5) & 1) && os_avx) add_feature(c, "avx2");
    if (((a71 >> 4) & 1) && os_avx) add_feature(c, "avx_vnni");
    if (os_avx512) {
        if ((b7 >> 16) & 1) add_feature(c, "avx512f");
        if ((b7 >> 17) & 1) add_feature(c, "avx512dq");
        if ((b7 >> 30) & 1) add_feature(c, "avx512bw");
        if ((b7 >> 31) & 1) add_feature(c, "avx512vl");
        if ((c7 >> 11) & 1) add_feature(c, "avx512_vnni");
        if ((a71 >> 5) & 1) add_feature(c, "avx512_bf16");
        if ((d7 >> 23) & 1) add_feature(c, "avx512_fp16");
    }
    if (os_amx) {
        if ((d7 >> 24) & 1) add_feature(c, "amx_tile");
        if ((d7 >> 22) & 1) add_feature(c, "amx_bf16");
        if ((d7 >> 25) & 1) add_feature(c, "amx_int8");
    }
}
#endif

/* Other architectures: model and features from /proc/cpuinfo, renamed to our vocabulary. */
static void probe_cpuinfo(ia_hw_cpu *c, int want_features) {
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (!colon) continue;
        char *val = colon + 1;
        while (*val == ' ' || *val == '\t') val++;
        val[strcspn(val, "\n")] = 0;
        if (!c->model[0] && (!strncmp(line, "model name", 10) || !strncmp(line, "Model", 5) ||
                             !strncmp(line, "cpu model", 9)))
            snprintf(c->model, sizeof c->model, "%s", val);
        if (!c->vendor[0] && !strncmp(line, "CPU implementer", 15)) snprintf(c->vendor, sizeof c->vendor, "arm implementer %s", val);
        if (!c->vendor[0] && !strncmp(line, "vendor_id", 9)) snprintf(c->vendor, sizeof c->vendor, "%s", val);
        if (!c->mhz_cur && !strncmp(line, "cpu MHz", 7)) c->mhz_cur = atof(val);
        if (want_features && !c->features[0] && !strncmp(line, "Features", 8)) {
            static const char *const map[][2] = {{"asimd", "neon"}, {"asimdhp", "neon_fp16"}, {"asimddp", "dotprod"},
                                                 {"i8mm", "i8mm"},  {"bf16", "bf16"},         {"sve", "sve"},
                                                 {"sve2", "sve2"},  {"sme", "sme"},           {"fphp", "fp16"}};
            char copy[4096];
            snprintf(copy, sizeof copy, " %s ", val);
            for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
                char pat[32];
                snprintf(pat, sizeof pat, " %s ", map[i][0]);
                if (strstr(copy, pat)) add_feature(c, map[i][1]);
            }
        }
    }
    fclose(f);
}

static void probe_topology(ia_hw_cpu *c) {
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    c->threads = online > 0 ? (int)online : 1;
    /* distinct (package, core) pairs */
    int pkgs[1024], cores_pkg[4096], cores_id[4096], n_pkg = 0, n_core = 0;
    for (int cpu = 0; cpu < 4096; cpu++) {
        char p[128];
        snprintf(p, sizeof p, "/sys/devices/system/cpu/cpu%d/topology/physical_package_id", cpu);
        char b[32];
        if (ia__read_line(p, b, sizeof b)) {
            if (cpu > 0 && access(p, F_OK) != 0) {
                snprintf(p, sizeof p, "/sys/devices/system/cpu/cpu%d", cpu);
                if (access(p, F_OK) != 0) break;
            }
            continue;
        }
        int pkg = atoi(b);
        snprintf(p, sizeof p, "/sys/devices/system/cpu/cpu%d/topology/core_id", cpu);
        int core = ia__read_line(p, b, sizeof b) ? cpu : atoi(b);
        int seen = 0;
        for (int i = 0; i < n_pkg; i++) seen |= pkgs[i] == pkg;
        if (!seen && n_pkg < 1024) pkgs[n_pkg++] = pkg;
        seen = 0;
        for (int i = 0; i < n_core; i++) seen |= cores_pkg[i] == pkg && cores_id[i] == core;
        if (!seen && n_core < 4096) { cores_pkg[n_core] = pkg; cores_id[n_core++] = core; }
    }
    c->sockets = n_pkg ? n_pkg : 1;
    c->cores = n_core ? n_core : c->threads;
    for (int i = 0; i < 16; i++) {
        char p[160], lvl[16], type[32], size[32];
        snprintf(p, sizeof p, "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
        if (ia__read_line(p, lvl, sizeof lvl)) break;
        snprintf(p, sizeof p, "/sys/devices/system/cpu/cpu0/cache/index%d/type", i);
        if (ia__read_line(p, type, sizeof type)) continue;
        snprintf(p, sizeof p, "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
        if (ia__read_line(p, size, sizeof size)) continue;
        uint64_t bytes = parse_size(size);
        if (atoi(lvl) == 1 && !strcmp(type, "Data")) c->l1d_bytes = bytes;
        else if (atoi(lvl) == 2) c->l2_bytes = bytes;
        else if (atoi(lvl) == 3) c->l3_bytes = bytes;
    }
}

static void probe_memory(ia_hw_cpu *c) {
    FILE *f = fopen("/proc/meminfo", "r");
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f)) {
            unsigned long long kb;
            if (sscanf(line, "MemTotal: %llu kB", &kb) == 1) c->mem_total_bytes = kb * 1024ull;
            if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) c->mem_available_bytes = kb * 1024ull;
        }
        fclose(f);
    }
    DIR *d = opendir("/sys/devices/system/node");
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)))
            if (!strncmp(e->d_name, "node", 4) && e->d_name[4] >= '0' && e->d_name[4] <= '9') c->numa_nodes++;
        closedir(d);
    }
    if (!c->numa_nodes) c->numa_nodes = 1;
    ia__read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", c->governor, sizeof c->governor);
    uint64_t cur = read_u64("/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq");
    uint64_t max = read_u64("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");
    if (cur) c->mhz_cur = cur / 1000.0;
    if (max) c->mhz_max = max / 1000.0;
}

void ia__hw_probe_cpu(ia_hw_cpu *c) {
    memset(c, 0, sizeof *c);
    struct utsname u;
    if (!uname(&u)) {
        snprintf(c->arch, sizeof c->arch, "%.31s", u.machine);
        snprintf(c->kernel, sizeof c->kernel, "%.60s %.60s", u.sysname, u.release);
    }
#if defined(__x86_64__) || defined(__i386__)
    probe_x86(c);
    probe_cpuinfo(c, 0);
#else
    probe_cpuinfo(c, 1);
#endif
    probe_topology(c);
    probe_memory(c);
}

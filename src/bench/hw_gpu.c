/* Hardware probe, accelerators: Vulkan devices through the loader opened at run time, NVIDIA
 * devices through NVML opened at run time, ROCm and DRI device nodes, OpenVINO / QNN libraries. */
#include <dirent.h>
#include <dlfcn.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "bench/bench_internal.h"

#if defined(__has_include)
#if __has_include(<vulkan/vulkan.h>)
#define VK_NO_PROTOTYPES
#include <vulkan/vulkan.h>
#define IA_HAVE_VULKAN_H 1
#endif
#endif

#ifdef IA_HAVE_VULKAN_H
static const char *vk_type(VkPhysicalDeviceType t) {
    switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual";
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return "cpu";
    default: return "other";
    }
}

static const char *pci_vendor(uint32_t id) {
    switch (id) {
    case 0x10de: return "NVIDIA";
    case 0x1002: return "AMD";
    case 0x8086: return "Intel";
    case 0x13b5: return "ARM";
    case 0x5143: return "Qualcomm";
    case 0x106b: return "Apple";
    case 0x10005: return "Mesa";
    default: return "";
    }
}

static void probe_vulkan(ia_hw_info *hw) {
    void *lib = dlopen("libvulkan.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(hw->vulkan_status, sizeof hw->vulkan_status, "unavailable: Vulkan loader libvulkan.so.1 not found (%s)", dlerror());
        return;
    }
    PFN_vkGetInstanceProcAddr gipa = (PFN_vkGetInstanceProcAddr)dlsym(lib, "vkGetInstanceProcAddr");
    PFN_vkCreateInstance create = gipa ? (PFN_vkCreateInstance)gipa(NULL, "vkCreateInstance") : NULL;
    if (!create) {
        snprintf(hw->vulkan_status, sizeof hw->vulkan_status, "unavailable: libvulkan.so.1 has no vkCreateInstance");
        dlclose(lib);
        return;
    }
    VkApplicationInfo app = {.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO, .pApplicationName = "ipfs-accelerate hw",
                             .apiVersion = VK_API_VERSION_1_2};
    VkInstanceCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO, .pApplicationInfo = &app};
    VkInstance inst;
    VkResult r = create(&ci, NULL, &inst);
    if (r != VK_SUCCESS) {
        snprintf(hw->vulkan_status, sizeof hw->vulkan_status,
                 "unavailable: vkCreateInstance failed (VkResult %d%s)", (int)r,
                 r == VK_ERROR_INCOMPATIBLE_DRIVER ? ": no Vulkan driver (ICD) installed" : "");
        dlclose(lib);
        return;
    }
#define VKF(name) PFN_##name name = (PFN_##name)gipa(inst, #name)
    VKF(vkDestroyInstance);
    VKF(vkEnumeratePhysicalDevices);
    VKF(vkGetPhysicalDeviceProperties);
    VKF(vkGetPhysicalDeviceProperties2);
    VKF(vkGetPhysicalDeviceFeatures2);
    VKF(vkGetPhysicalDeviceMemoryProperties);
#undef VKF
    uint32_t n = 0;
    VkPhysicalDevice devs[IA_HW_MAX_GPUS];
    if (vkEnumeratePhysicalDevices) {
        vkEnumeratePhysicalDevices(inst, &n, NULL);
        if (n > IA_HW_MAX_GPUS) n = IA_HW_MAX_GPUS;
        if (n) vkEnumeratePhysicalDevices(inst, &n, devs);
    }
    for (uint32_t i = 0; i < n && hw->n_gpus < IA_HW_MAX_GPUS; i++) {
        ia_hw_gpu *g = &hw->gpus[hw->n_gpus++];
        memset(g, 0, sizeof *g);
        snprintf(g->api, sizeof g->api, "vulkan");
        VkPhysicalDeviceProperties p;
        vkGetPhysicalDeviceProperties(devs[i], &p);
        snprintf(g->name, sizeof g->name, "%s", p.deviceName);
        snprintf(g->vendor, sizeof g->vendor, "%s%s0x%04x", pci_vendor(p.vendorID), pci_vendor(p.vendorID)[0] ? " " : "",
                 p.vendorID);
        snprintf(g->type, sizeof g->type, "%s", vk_type(p.deviceType));
        g->max_workgroup_invocations = p.limits.maxComputeWorkGroupInvocations;
        g->fp16 = g->int8 = -1;
        snprintf(g->driver, sizeof g->driver, "0x%x (api %u.%u.%u)", p.driverVersion, VK_API_VERSION_MAJOR(p.apiVersion),
                 VK_API_VERSION_MINOR(p.apiVersion), VK_API_VERSION_PATCH(p.apiVersion));
        VkPhysicalDeviceMemoryProperties mp;
        vkGetPhysicalDeviceMemoryProperties(devs[i], &mp);
        for (uint32_t h = 0; h < mp.memoryHeapCount; h++)
            if (mp.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) g->mem_bytes += mp.memoryHeaps[h].size;
        if (p.apiVersion >= VK_API_VERSION_1_2 && vkGetPhysicalDeviceProperties2 && vkGetPhysicalDeviceFeatures2) {
            VkPhysicalDeviceDriverProperties drv = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
            VkPhysicalDeviceSubgroupProperties sg = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES, .pNext = &drv};
            VkPhysicalDeviceProperties2 p2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, .pNext = &sg};
            vkGetPhysicalDeviceProperties2(devs[i], &p2);
            g->subgroup_size = sg.subgroupSize;
            snprintf(g->driver, sizeof g->driver, "%.30s %.32s", drv.driverName, drv.driverInfo);
            VkPhysicalDeviceShaderFloat16Int8Features f16 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES};
            VkPhysicalDeviceFeatures2 f2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, .pNext = &f16};
            vkGetPhysicalDeviceFeatures2(devs[i], &f2);
            g->fp16 = f16.shaderFloat16 ? 1 : 0;
            g->int8 = f16.shaderInt8 ? 1 : 0;
        }
    }
    snprintf(hw->vulkan_status, sizeof hw->vulkan_status, n ? "ok: %u device%s" : "unavailable: Vulkan loader found no devices",
             n, n == 1 ? "" : "s");
    if (vkDestroyInstance) vkDestroyInstance(inst, NULL);
    /* the loader is kept open: some ICDs leave threads behind that would run unmapped code */
}
#else
static void probe_vulkan(ia_hw_info *hw) {
    snprintf(hw->vulkan_status, sizeof hw->vulkan_status, "unavailable: built without Vulkan headers (libvulkan-dev)");
}
#endif

/* NVML's C API, declared here by its documented signatures: the library is optional. */
typedef struct { unsigned long long total, free, used; } ia_nvml_memory;
typedef int (*nvml_void_fn)(void);
typedef int (*nvml_count_fn)(unsigned *);
typedef int (*nvml_handle_fn)(unsigned, void **);
typedef int (*nvml_name_fn)(void *, char *, unsigned);
typedef int (*nvml_mem_fn)(void *, ia_nvml_memory *);
typedef int (*nvml_drv_fn)(char *, unsigned);
typedef const char *(*nvml_err_fn)(int);

static void probe_nvml(ia_hw_info *hw) {
    void *lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(hw->nvml_status, sizeof hw->nvml_status, "unavailable: libnvidia-ml.so.1 not found (no NVIDIA driver)");
        return;
    }
    nvml_void_fn init = (nvml_void_fn)dlsym(lib, "nvmlInit_v2"), shutdown = (nvml_void_fn)dlsym(lib, "nvmlShutdown");
    nvml_count_fn count = (nvml_count_fn)dlsym(lib, "nvmlDeviceGetCount_v2");
    nvml_handle_fn handle = (nvml_handle_fn)dlsym(lib, "nvmlDeviceGetHandleByIndex_v2");
    nvml_name_fn name = (nvml_name_fn)dlsym(lib, "nvmlDeviceGetName");
    nvml_mem_fn mem = (nvml_mem_fn)dlsym(lib, "nvmlDeviceGetMemoryInfo");
    nvml_drv_fn drv = (nvml_drv_fn)dlsym(lib, "nvmlSystemGetDriverVersion");
    nvml_err_fn err = (nvml_err_fn)dlsym(lib, "nvmlErrorString");
    if (!init || !shutdown || !count || !handle || !name || !mem || !drv) {
        snprintf(hw->nvml_status, sizeof hw->nvml_status, "unavailable: libnvidia-ml.so.1 lacks the expected functions");
        dlclose(lib);
        return;
    }
    int rc = init();
    if (rc) {
        snprintf(hw->nvml_status, sizeof hw->nvml_status, "unavailable: nvmlInit failed: %s", err ? err(rc) : "error");
        dlclose(lib);
        return;
    }
    char version[80] = "";
    drv(version, sizeof version);
    unsigned n = 0;
    count(&n);
    for (unsigned i = 0; i < n && hw->n_gpus < IA_HW_MAX_GPUS; i++) {
        void *h;
        if (handle(i, &h)) continue;
        ia_hw_gpu *g = &hw->gpus[hw->n_gpus++];
        memset(g, 0, sizeof *g);
        snprintf(g->api, sizeof g->api, "nvml");
        snprintf(g->vendor, sizeof g->vendor, "NVIDIA");
        snprintf(g->type, sizeof g->type, "discrete");
        snprintf(g->driver, sizeof g->driver, "%.63s", version);
        name(h, g->name, sizeof g->name);
        ia_nvml_memory m;
        if (!mem(h, &m)) g->mem_bytes = m.total;
        g->fp16 = g->int8 = -1;
    }
    snprintf(hw->nvml_status, sizeof hw->nvml_status, "ok: %u device%s, driver %s", n, n == 1 ? "" : "s", version);
    shutdown();
    dlclose(lib);
}

static void probe_lib(char *status, size_t len, const char *const *names, const char *what) {
    for (int i = 0; names[i]; i++) {
        void *h = dlopen(names[i], RTLD_LAZY | RTLD_LOCAL);
        if (h) {
            snprintf(status, len, "present: %s", names[i]);
            dlclose(h);
            return;
        }
    }
    snprintf(status, len, "unavailable: %s libraries not found", what);
}

/* The Vulkan probe runs in a child process: a faulty or hanging driver cannot crash or stall the
 * caller (bounded at 20 s), and driver allocations never leak into our process. */
static void probe_vulkan_isolated(ia_hw_info *hw) {
    int fd[2];
    if (pipe(fd)) { probe_vulkan(hw); return; }
    pid_t pid = fork();
    if (pid < 0) { close(fd[0]); close(fd[1]); probe_vulkan(hw); return; }
    if (pid == 0) {
        close(fd[0]);
        ia_hw_info *h = calloc(1, sizeof *h);
        if (h) {
            probe_vulkan(h);
            const char *p = (const char *)h;
            size_t left = sizeof *h;
            while (left) {
                ssize_t w = write(fd[1], p, left);
                if (w <= 0) break;
                p += w;
                left -= (size_t)w;
            }
        }
        _exit(0);
    }
    close(fd[1]);
    ia_hw_info *h = calloc(1, sizeof *h);
    size_t got = 0;
    double deadline = ia__now_s() + 20;
    while (h && got < sizeof *h) {
        struct pollfd pf = {fd[0], POLLIN, 0};
        int left_ms = (int)((deadline - ia__now_s()) * 1000);
        if (left_ms <= 0 || poll(&pf, 1, left_ms) <= 0) break;
        ssize_t r = read(fd[0], (char *)h + got, sizeof *h - got);
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd[0]);
    if (got < sizeof *h) {
        kill(pid, SIGKILL);
        snprintf(hw->vulkan_status, sizeof hw->vulkan_status, "unavailable: the Vulkan probe process %s",
                 h ? "crashed or timed out (driver fault)" : "could not run");
    } else {
        memcpy(hw->vulkan_status, h->vulkan_status, sizeof hw->vulkan_status);
        for (int i = 0; i < h->n_gpus && hw->n_gpus < IA_HW_MAX_GPUS; i++) hw->gpus[hw->n_gpus++] = h->gpus[i];
    }
    waitpid(pid, NULL, 0);
    free(h);
}

void ia__hw_probe_gpu(ia_hw_info *hw) {
    probe_vulkan_isolated(hw);
    probe_nvml(hw);
    hw->has_kfd = access("/dev/kfd", F_OK) == 0;
    DIR *d = opendir("/dev/dri");
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)))
            if (!strncmp(e->d_name, "renderD", 7)) hw->n_dri_render++;
        closedir(d);
    }
    static const char *const ov[] = {"libopenvino_c.so", "libopenvino.so", NULL};
    static const char *const qnn[] = {"libQnnHtp.so", "libQnnCpu.so", "libQnnGpu.so", NULL};
    probe_lib(hw->openvino_status, sizeof hw->openvino_status, ov, "OpenVINO");
    probe_lib(hw->qnn_status, sizeof hw->qnn_status, qnn, "Qualcomm QNN");
}

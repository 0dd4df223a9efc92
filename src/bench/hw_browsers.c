/* Hardware probe, browsers: finds Chromium, Chrome, Edge and Firefox on PATH and asks each for
 * its version (bounded by `timeout`). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bench/bench_internal.h"

static int find_on_path(const char *exe, char *out, size_t len) {
    const char *path = getenv("PATH");
    if (!path) path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        size_t n = strcspn(path, ":");
        if (n) {
            snprintf(out, len, "%.*s/%s", (int)n, path, exe);
            if (access(out, X_OK) == 0) return 0;
        }
        path += n;
        if (*path == ':') path++;
    }
    return -1;
}

/* Only characters that cannot break out of single quotes in the shell command below. */
static int safe_path(const char *p) {
    for (; *p; p++)
        if (*p == '\'' || *p == '\n') return 0;
    return 1;
}

void ia__hw_probe_browsers(ia_hw_info *hw) {
    static const char *const names[][2] = {
        {"chromium", "chromium"},           {"chromium", "chromium-browser"},
        {"google-chrome", "google-chrome"}, {"google-chrome", "google-chrome-stable"},
        {"microsoft-edge", "microsoft-edge"}, {"microsoft-edge", "microsoft-edge-stable"},
        {"firefox", "firefox"},             {"firefox", "firefox-esr"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0] && hw->n_browsers < IA_HW_MAX_BROWSERS; i++) {
        int dup = 0;
        for (int k = 0; k < hw->n_browsers; k++) dup |= !strcmp(hw->browsers[k].name, names[i][0]);
        if (dup) continue;
        char path[256];
        if (find_on_path(names[i][1], path, sizeof path) || !safe_path(path)) continue;
        ia_hw_browser *b = &hw->browsers[hw->n_browsers++];
        memset(b, 0, sizeof *b);
        snprintf(b->name, sizeof b->name, "%s", names[i][0]);
        snprintf(b->path, sizeof b->path, "%s", path);
        char cmd[400];
        snprintf(cmd, sizeof cmd, "timeout 20 '%s' --version 2>/dev/null", path);
        FILE *p = popen(cmd, "r");
        if (p) {
            if (fgets(b->version, sizeof b->version, p)) b->version[strcspn(b->version, "\n")] = 0;
            pclose(p);
        }
    }
}

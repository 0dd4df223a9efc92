/* Browser launcher: finds Chromium, Chrome, Edge or Firefox, starts it headless on loopback URLs
 * with a fresh profile in its own process group, watches it, and ends the whole group, also when
 * this process is ended by SIGINT, SIGTERM or SIGHUP. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "ia/alloc.h"
#include "ia/status.h"
#include "web/web_internal.h"

static const struct { const char *kind, *exe; } known[] = {
    {"chromium", "chromium"}, {"chromium", "chromium-browser"}, {"chrome", "google-chrome"},
    {"chrome", "google-chrome-stable"}, {"edge", "microsoft-edge"}, {"edge", "microsoft-edge-stable"},
    {"firefox", "firefox-esr"}, {"firefox", "firefox"}, /* Debian's firefox is a shell wrapper that execs firefox-esr */
};

static int find_in_path(const char *exe, char *out, size_t cap) {
    const char *path = getenv("PATH");
    if (!path || !*path) path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        size_t n = strcspn(path, ":");
        char cand[4096];
        snprintf(cand, sizeof cand, "%.*s/%s", (int)n, path, exe);
        if (n && access(cand, X_OK) == 0) { snprintf(out, cap, "%s", cand); return 1; }
        path += n;
        if (*path == ':') path++;
    }
    return 0;
}

static const char *kind_of_path(const char *p) {
    const char *b = strrchr(p, '/');
    b = b ? b + 1 : p;
    if (strstr(b, "firefox")) return "firefox";
    if (strstr(b, "edge")) return "edge";
    if (strstr(b, "chrome") && !strstr(b, "chromium")) return "chrome";
    return "chromium";
}

static void read_version(ia__browser *b) {
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "'%s' --version 2>/dev/null", b->path);
    b->version[0] = 0;
    if (strchr(b->path, '\'')) return;
    FILE *f = popen(cmd, "r");
    if (!f) return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        /* "Chromium 156.0.8078.79 built on Debian ...", "Mozilla Firefox 153.7.0esr": the first dotted
         * number, with a suffix glued to it ("esr") kept. */
        for (char *p = line; *p; p++) {
            if (*p >= '0' && *p <= '9' && strchr(p, '.')) {
                size_t n = strspn(p, "0123456789.");
                if (n > 1 && memchr(p, '.', n)) {
                    n += strspn(p + n, "abcdefghijklmnopqrstuvwxyz");
                    snprintf(b->version, sizeof b->version, "%.*s", (int)n, p);
                    break;
                }
                p += n - 1;
            }
        }
        if (b->version[0]) break;
    }
    pclose(f);
}

int ia__browser_find(const char *want, ia__browser *b) {
    memset(b, 0, sizeof *b);
    b->pid = -1;
    if (want && strchr(want, '/')) {
        if (access(want, X_OK)) return ia_set_error(IA_ERR_NOT_FOUND, "browser %s is not an executable file", want);
        snprintf(b->path, sizeof b->path, "%s", want);
        snprintf(b->kind, sizeof b->kind, "%s", kind_of_path(want));
        read_version(b);
        return IA_OK;
    }
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (want && *want && strcmp(want, known[i].kind) && strcmp(want, known[i].exe)) continue;
        if (find_in_path(known[i].exe, b->path, sizeof b->path)) {
            snprintf(b->kind, sizeof b->kind, "%s", known[i].kind);
            read_version(b);
            return IA_OK;
        }
    }
    return ia_set_error(IA_ERR_NOT_FOUND, "no browser found%s%s (looked for chromium, google-chrome, microsoft-edge, firefox on PATH;"
                        " install Debian's chromium or pass --browser PATH)", want ? " named " : "", want ? want : "");
}

/* Process groups of the browsers running now. A browser runs in its own group (so a terminal's
 * Ctrl-C does not reach it directly); if this process is ended by a signal, the handler below ends
 * those groups first, so no browser outlives us. Slots are claimed and released under live_mu; the
 * handler only reads them. */
#define MAX_LIVE 256
static volatile sig_atomic_t live[MAX_LIVE];
static pthread_mutex_t live_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t handlers_once = PTHREAD_ONCE_INIT;
static const int end_signals[] = {SIGINT, SIGTERM, SIGHUP};

static void on_end_signal(int sig) {
    for (int i = 0; i < MAX_LIVE; i++)
        if (live[i] > 0) kill(-(pid_t)live[i], SIGKILL);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Only where the program kept the default action: a program with its own handler decides. */
static void install_handlers(void) {
    for (size_t i = 0; i < sizeof end_signals / sizeof end_signals[0]; i++) {
        struct sigaction old;
        if (sigaction(end_signals[i], NULL, &old) || old.sa_handler != SIG_DFL || (old.sa_flags & SA_SIGINFO)) continue;
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_end_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(end_signals[i], &sa, NULL);
    }
}

static void live_add(pid_t pid) {
    pthread_once(&handlers_once, install_handlers);
    pthread_mutex_lock(&live_mu);
    for (int i = 0; i < MAX_LIVE; i++)
        if (live[i] <= 0) { live[i] = (sig_atomic_t)pid; break; }
    pthread_mutex_unlock(&live_mu);
}

static void live_remove(pid_t pid) {
    pthread_mutex_lock(&live_mu);
    for (int i = 0; i < MAX_LIVE; i++)
        if (live[i] == (sig_atomic_t)pid) { live[i] = 0; break; }
    pthread_mutex_unlock(&live_mu);
}

/* Firefox has no command-line switches for most of this: the fresh profile gets a user.js (read at
 * every start) that keeps it off the network and out of the way. Each group is why it is here. */
static const char firefox_user_js[] =
    "// written by ipfs-accelerate's browser launcher for one headless run; removed with the profile\n"
    /* Only loopback: every non-local HTTP(S)/WebSocket request goes to a proxy on 127.0.0.1:9,
     * where nothing listens, so it fails (no fail-over to a direct connection, no bypass); the
     * bridge's 127.0.0.1 URLs are not proxied. Every host name
     * resolves to 127.0.0.1 without a DNS query (native-is-localhost: without it, strace showed
     * Firefox's socket process still asking DNS for its remote-settings host). No DNS over HTTPS,
     * no DNS or link prefetching, no speculative connections. */
    "user_pref(\"network.proxy.type\", 1);\n"
    "user_pref(\"network.proxy.http\", \"127.0.0.1\");\n"
    "user_pref(\"network.proxy.http_port\", 9);\n"
    "user_pref(\"network.proxy.ssl\", \"127.0.0.1\");\n"
    "user_pref(\"network.proxy.ssl_port\", 9);\n"
    "user_pref(\"network.proxy.socks\", \"127.0.0.1\");\n"
    "user_pref(\"network.proxy.socks_port\", 9);\n"
    "user_pref(\"network.proxy.socks_remote_dns\", true);\n"
    "user_pref(\"network.proxy.no_proxies_on\", \"127.0.0.1\");\n"
    "user_pref(\"network.proxy.allow_hijacking_localhost\", false);\n"
    "user_pref(\"network.proxy.failover_direct\", false);\n"
    "user_pref(\"network.proxy.allow_bypass\", false);\n"
    "user_pref(\"network.trr.mode\", 5);\n"
    "user_pref(\"network.dns.native-is-localhost\", true);\n"
    "user_pref(\"network.dns.disablePrefetch\", true);\n"
    "user_pref(\"network.prefetch-next\", false);\n"
    "user_pref(\"network.predictor.enabled\", false);\n"
    "user_pref(\"network.http.speculative-parallel-limit\", 0);\n"
    "user_pref(\"network.connectivity-service.enabled\", false);\n"
    /* Captive portal detection. */
    "user_pref(\"network.captive-portal-service.enabled\", false);\n"
    "user_pref(\"captivedetect.canonicalURL\", \"\");\n"
    /* Telemetry and data reporting. */
    "user_pref(\"datareporting.policy.dataSubmissionEnabled\", false);\n"
    "user_pref(\"datareporting.policy.dataSubmissionPolicyBypassNotification\", true);\n"
    "user_pref(\"datareporting.healthreport.uploadEnabled\", false);\n"
    "user_pref(\"datareporting.usage.uploadEnabled\", false);\n"
    "user_pref(\"toolkit.telemetry.enabled\", false);\n"
    "user_pref(\"toolkit.telemetry.unified\", false);\n"
    "user_pref(\"toolkit.telemetry.server\", \"\");\n"
    "user_pref(\"toolkit.telemetry.archive.enabled\", false);\n"
    "user_pref(\"toolkit.telemetry.newProfilePing.enabled\", false);\n"
    "user_pref(\"toolkit.telemetry.shutdownPingSender.enabled\", false);\n"
    "user_pref(\"toolkit.telemetry.firstShutdownPing.enabled\", false);\n"
    "user_pref(\"toolkit.telemetry.updatePing.enabled\", false);\n"
    "user_pref(\"toolkit.telemetry.bhrPing.enabled\", false);\n"
    "user_pref(\"browser.newtabpage.activity-stream.feeds.telemetry\", false);\n"
    "user_pref(\"browser.newtabpage.activity-stream.telemetry\", false);\n"
    "user_pref(\"browser.crashReports.unsubmittedCheck.enabled\", false);\n"
    "user_pref(\"browser.tabs.crashReporting.sendReport\", false);\n"
    /* Updates: the browser, add-ons, system add-ons, search engines, media plugins (OpenH264). */
    "user_pref(\"app.update.auto\", false);\n"
    "user_pref(\"app.update.disabledForTesting\", true);\n"
    "user_pref(\"app.update.checkInstallTime\", false);\n"
    "user_pref(\"extensions.update.enabled\", false);\n"
    "user_pref(\"extensions.update.autoUpdateDefault\", false);\n"
    "user_pref(\"extensions.getAddons.cache.enabled\", false);\n"
    "user_pref(\"extensions.systemAddon.update.enabled\", false);\n"
    "user_pref(\"extensions.blocklist.enabled\", false);\n"
    "user_pref(\"browser.search.update\", false);\n"
    "user_pref(\"media.gmp-manager.url\", \"\");\n"
    "user_pref(\"media.gmp-gmpopenh264.enabled\", false);\n"
    /* Safe browsing (list downloads and lookups). */
    "user_pref(\"browser.safebrowsing.malware.enabled\", false);\n"
    "user_pref(\"browser.safebrowsing.phishing.enabled\", false);\n"
    "user_pref(\"browser.safebrowsing.downloads.enabled\", false);\n"
    "user_pref(\"browser.safebrowsing.downloads.remote.enabled\", false);\n"
    "user_pref(\"browser.safebrowsing.blockedURIs.enabled\", false);\n"
    "user_pref(\"browser.safebrowsing.provider.google4.updateURL\", \"\");\n"
    "user_pref(\"browser.safebrowsing.provider.google.updateURL\", \"\");\n"
    "user_pref(\"browser.safebrowsing.provider.mozilla.updateURL\", \"\");\n"
    /* Normandy, Shield studies, Nimbus experiments. */
    "user_pref(\"app.normandy.enabled\", false);\n"
    "user_pref(\"app.normandy.api_url\", \"\");\n"
    "user_pref(\"app.shield.optoutstudies.enabled\", false);\n"
    "user_pref(\"messaging-system.rsexperimentloader.enabled\", false);\n"
    "user_pref(\"nimbus.rollouts.enabled\", false);\n"
    /* Remote settings (blocklists, CRLite, intermediates, ...): a server that answers nothing. */
    "user_pref(\"services.settings.server\", \"data:,#remote-settings-disabled/v1\");\n"
    "user_pref(\"security.remote_settings.crlite_filters.enabled\", false);\n"
    "user_pref(\"security.remote_settings.intermediates.enabled\", false);\n"
    "user_pref(\"security.OCSP.enabled\", 0);\n"
    /* Web push. */
    "user_pref(\"dom.push.enabled\", false);\n"
    "user_pref(\"dom.push.connection.enabled\", false);\n"
    "user_pref(\"dom.push.serverURL\", \"\");\n"
    /* First-run and welcome pages, default-browser check, new tab contents, accounts, region, geo. */
    "user_pref(\"browser.shell.checkDefaultBrowser\", false);\n"
    "user_pref(\"browser.startup.homepage_override.mstone\", \"ignore\");\n"
    "user_pref(\"browser.startup.page\", 0);\n"
    "user_pref(\"browser.startup.homepage\", \"about:blank\");\n"
    "user_pref(\"startup.homepage_welcome_url\", \"about:blank\");\n"
    "user_pref(\"startup.homepage_welcome_url.additional\", \"\");\n"
    "user_pref(\"browser.aboutwelcome.enabled\", false);\n"
    "user_pref(\"trailhead.firstrun.didSeeAboutWelcome\", true);\n"
    "user_pref(\"browser.newtabpage.enabled\", false);\n"
    "user_pref(\"browser.newtabpage.activity-stream.feeds.section.topstories\", false);\n"
    "user_pref(\"browser.newtabpage.activity-stream.feeds.topsites\", false);\n"
    "user_pref(\"browser.newtabpage.activity-stream.default.sites\", \"\");\n"
    "user_pref(\"browser.topsites.contile.enabled\", false);\n"
    "user_pref(\"extensions.pocket.enabled\", false);\n"
    "user_pref(\"identity.fxaccounts.enabled\", false);\n"
    "user_pref(\"browser.uitour.enabled\", false);\n"
    "user_pref(\"browser.region.network.url\", \"\");\n"
    "user_pref(\"browser.region.update.enabled\", false);\n"
    "user_pref(\"geo.provider.network.url\", \"\");\n"
    "user_pref(\"browser.sessionstore.resume_from_crash\", false);\n"
    "user_pref(\"toolkit.startup.max_resumed_crashes\", -1);\n"
    "user_pref(\"browser.warnOnQuit\", false);\n"
    "user_pref(\"browser.tabs.warnOnClose\", false);\n"
    /* The bridge itself: page 0 opens the pool's other pages with window.open (the popup blocker
     * would stop it); those pages are background tabs, whose timers must not be budget-throttled
     * (heartbeats). The page's console (onnxruntime's log) goes to stdout, i.e. browser.log. */
    "user_pref(\"dom.disable_open_during_load\", false);\n"
    "user_pref(\"dom.timeout.enable_budget_timer_throttling\", false);\n"
    "user_pref(\"devtools.console.stdout.content\", true);\n"
    /* WebGPU, gated twice (measured with Firefox ESR 153 on Linux): without dom.webgpu.enabled
     * navigator.gpu is undefined; with it alone requestAdapter() returns null on a machine without a
     * GPU (no /dev/dri: the only working Vulkan driver is Mesa's software lavapipe); ignoring the
     * WebGPU blocklist as well gives a software adapter (isFallbackAdapter true), as Chromium's
     * --enable-unsafe-webgpu gives SwiftShader. WASM SIMD and threads need no pref (threads need
     * crossOriginIsolated, which the server's COOP/COEP headers give). */
    "user_pref(\"dom.webgpu.enabled\", true);\n";
/* IA_WEB_FIREFOX_WEBGPU_BLOCKLIST=1 keeps Firefox's own blocklist (a software adapter is then refused). */
static const char firefox_ignore_blocklist[] = "user_pref(\"gfx.webgpu.ignore-blocklist\", true);\n";

static int write_firefox_profile(const char *profile) {
    char p[4300];
    snprintf(p, sizeof p, "%s/user.js", profile);
    FILE *f = fopen(p, "w");
    if (!f) return ia_set_error(IA_ERR_IO, "browser: cannot write %s: %s", p, strerror(errno));
    size_t n = sizeof firefox_user_js - 1;
    int bad = fwrite(firefox_user_js, 1, n, f) != n;
    const char *keep = getenv("IA_WEB_FIREFOX_WEBGPU_BLOCKLIST");
    if (!keep || strcmp(keep, "1")) bad |= fputs(firefox_ignore_blocklist, f) < 0;
    bad |= fclose(f) != 0;
    return bad ? ia_set_error(IA_ERR_IO, "browser: cannot write %s", p) : IA_OK;
}

/* The environment a Firefox child gets: ours plus no crash-reporter dialog and no automatic safe
 * mode after a crash. Built before fork (the child only calls execve). */
extern char **environ;
static char **firefox_env(void) {
    static char *extra[] = {"MOZ_CRASHREPORTER_DISABLE=1", "MOZ_DISABLE_AUTO_SAFE_MODE=1", "MOZ_NO_REMOTE=1"};
    size_t n = 0;
    while (environ && environ[n]) n++;
    char **e = ia_malloc((n + 4) * sizeof *e);
    if (!e) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int ours = 0; /* ours replace the caller's values of the same names */
        for (size_t j = 0; j < sizeof extra / sizeof extra[0]; j++)
            ours |= !strncmp(environ[i], extra[j], (size_t)(strchr(extra[j], '=') - extra[j] + 1));
        if (!ours) e[k++] = environ[i];
    }
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++) e[k++] = extra[i];
    e[k] = NULL;
    return e;
}

int ia__browser_launch(ia__browser *b, const char *const *urls, int n, int visible, int webnn) {
    char tmpl[] = "/tmp/ia-browser-XXXXXX";
    if (!mkdtemp(tmpl)) return ia_set_error(IA_ERR_IO, "browser: cannot create a profile directory: %s", strerror(errno));
    snprintf(b->dir, sizeof b->dir, "%s", tmpl);
    char profile[4200], logp[4200], udd[4300];
    snprintf(profile, sizeof profile, "%s/profile", b->dir);
    snprintf(logp, sizeof logp, "%s/browser.log", b->dir);
    mkdir(profile, 0700);
    const char *argv[64];
    int k = 0;
    argv[k++] = b->path;
    char **envp = NULL;
    if (!strcmp(b->kind, "firefox")) {
        int rc = write_firefox_profile(profile);
        if (rc) return rc;
        if (!(envp = firefox_env())) return ia_set_error(IA_ERR_NOMEM, "browser: out of memory");
        if (!visible) argv[k++] = "--headless";
        argv[k++] = "-no-remote";
        argv[k++] = "-profile";
        argv[k++] = profile;
    } else {
        snprintf(udd, sizeof udd, "--user-data-dir=%s", profile);
        if (!visible) argv[k++] = "--headless";
        argv[k++] = "--no-sandbox";
        argv[k++] = "--disable-quic";
        argv[k++] = "--no-first-run";
        argv[k++] = "--no-default-browser-check";
        argv[k++] = "--disable-background-networking";
        argv[k++] = "--disable-component-update";
        argv[k++] = "--disable-sync";
        argv[k++] = "--disable-breakpad";
        argv[k++] = "--disable-domain-reliability";
        argv[k++] = "--enable-unsafe-webgpu";
        argv[k++] = "--disable-renderer-backgrounding";
        argv[k++] = "--disable-background-timer-throttling";
        argv[k++] = "--disable-backgrounding-occluded-windows";
        argv[k++] = "--disable-popup-blocking"; /* page 0 opens the pool's other pages */
        /* only loopback: every host name resolves nowhere except 127.0.0.1 */
        argv[k++] = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1";
        if (webnn) argv[k++] = "--enable-features=WebMachineLearningNeuralNetwork";
        argv[k++] = "--enable-logging=stderr";
        argv[k++] = "--v=0";
        argv[k++] = udd;
    }
    for (int i = 0; i < n && k < 62; i++) argv[k++] = urls[i];
    argv[k] = NULL;
    pid_t pid = fork();
    if (pid < 0) {
        ia_free(envp);
        return ia_set_error(IA_ERR_IO, "browser: fork failed: %s", strerror(errno));
    }
    if (pid == 0) {
        setpgid(0, 0);
        int fd = open(logp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int nul = open("/dev/null", O_RDONLY);
        if (fd >= 0) { dup2(fd, 1); dup2(fd, 2); }
        if (nul >= 0) dup2(nul, 0);
        /* the browser must not inherit our sockets (another bridge's connections stay open
         * while a browser holds a copy) or files */
#ifdef SYS_close_range
        if (syscall(SYS_close_range, 3u, ~0u, 0u) != 0)
#endif
        {
            long maxfd = sysconf(_SC_OPEN_MAX);
            for (long fdn = 3; fdn < (maxfd > 0 && maxfd < 65536 ? maxfd : 65536); fdn++) close((int)fdn);
        }
        if (envp) execve(b->path, (char *const *)argv, envp);
        else execv(b->path, (char *const *)argv);
        _exit(127);
    }
    ia_free(envp);
    setpgid(pid, pid);
    live_add(pid);
    b->pid = pid;
    b->exited = 0;
    return IA_OK;
}

int ia__browser_alive(ia__browser *b) {
    if (b->pid <= 0 || b->exited) return 0;
    int st;
    pid_t r = waitpid(b->pid, &st, WNOHANG);
    if (r == b->pid) {
        b->exited = 1;
        b->exit_status = st;
        return 0;
    }
    return 1;
}

/* Firefox's crash helper double-forks into a session of its own, so the group kill misses it; it
 * exits once the browser is gone, but the browser must end with us, so it is ended here at once.
 * It names the browser's pid as its first argument ("crashhelper PID ..."). */
static void end_crash_helpers(pid_t browser) {
    DIR *d = opendir("/proc");
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 1) continue;
        char p[64], args[512];
        snprintf(p, sizeof p, "/proc/%ld/cmdline", pid);
        int fd = open(p, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        ssize_t n = read(fd, args, sizeof args - 1);
        close(fd);
        if (n <= 0) continue;
        args[n] = 0;
        size_t l0 = strlen(args);
        const char *base = strrchr(args, '/');
        base = base ? base + 1 : args;
        if (strcmp(base, "crashhelper") || (ssize_t)l0 + 1 >= n) continue;
        if (strtol(args + l0 + 1, &end, 10) == (long)browser && !*end) kill((pid_t)pid, SIGKILL);
    }
    closedir(d);
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *f) { return remove(p); }

void ia__browser_stop(ia__browser *b) {
    if (b->pid > 0) {
        kill(-b->pid, SIGTERM);
        for (int i = 0; i < 40 && ia__browser_alive(b); i++) {
            struct timespec ts = {0, 50 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        kill(-b->pid, SIGKILL); /* the rest of the group (renderers, GPU process) */
        if (!strcmp(b->kind, "firefox")) end_crash_helpers(b->pid);
        if (!b->exited) {
            int st;
            waitpid(b->pid, &st, 0);
            b->exited = 1;
        }
        live_remove(b->pid);
        b->pid = -1;
    }
    if (b->dir[0] && !getenv("IA_WEB_KEEP_PROFILE")) nftw(b->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    b->dir[0] = 0;
}

void ia__browser_log_tail(const ia__browser *b, char *buf, size_t cap) {
    buf[0] = 0;
    if (!b->dir[0] || cap < 2) return;
    char p[4200];
    snprintf(p, sizeof p, "%s/browser.log", b->dir);
    FILE *f = fopen(p, "rb");
    if (!f) return;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    long from = sz > (long)cap - 1 ? sz - (long)cap + 1 : 0;
    fseek(f, from, SEEK_SET);
    size_t got = fread(buf, 1, cap - 1, f);
    buf[got] = 0;
    fclose(f);
}

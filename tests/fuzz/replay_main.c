/* Replays stored fuzz corpora through a target's LLVMFuzzerTestOneInput (no libFuzzer
 * needed): every file of every directory argument is fed once. Fails if a corpus is empty;
 * a crash or sanitizer report fails the test. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    size_t got = n > 0 ? fread(buf, 1, (size_t)n, f) : 0;
    fclose(f);
    LLVMFuzzerTestOneInput(buf, got);
    free(buf);
    return 1;
}

int main(int argc, char **argv) {
    size_t count = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st)) { fprintf(stderr, "replay: cannot read %s\n", argv[i]); return 1; }
        if (!S_ISDIR(st.st_mode)) { count += (size_t)replay_file(argv[i]); continue; }
        DIR *d = opendir(argv[i]);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (e->d_name[0] == '.') continue;
            char p[4096];
            snprintf(p, sizeof p, "%s/%s", argv[i], e->d_name);
            count += (size_t)replay_file(p);
        }
        if (d) closedir(d);
    }
    printf("replayed %zu inputs\n", count);
    if (count == 0) { fprintf(stderr, "replay: empty corpus\n"); return 1; }
    printf("%zu passed, 0 failed\n", count);
    return 0;
}

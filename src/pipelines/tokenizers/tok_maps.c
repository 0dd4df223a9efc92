/* Tokenizer hash maps: string -> id (vocabularies) and id pair -> merge rank (BPE merges). */
#include <string.h>
#include "pipelines/tokenizers/tok_internal.h"

static uint32_t hash_bytes(const char *s, size_t n) {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 32;
    }
    uint64_t w = 0;
    memcpy(&w, s + i, n - i);
    h = (h ^ w) * 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 29;
    return (uint32_t)h;
}

static int strmap_grow(ia__strmap *m) {
    size_t cap = m->cap ? m->cap * 2 : 64;
    uint32_t *slots = ia_calloc(cap, sizeof *slots);
    if (!slots) return ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory");
    for (size_t i = 0; i < m->n; i++) {
        size_t j = m->e[i].hash & (cap - 1);
        while (slots[j]) j = (j + 1) & (cap - 1);
        slots[j] = (uint32_t)i + 1;
    }
    ia_free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return IA_OK;
}

static int64_t strmap_find(const ia__strmap *m, const char *k, size_t n, uint32_t h) {
    if (!m->cap) return -1;
    size_t j = h & (m->cap - 1);
    while (m->slots[j]) {
        const struct ia__strmap_entry *e = &m->e[m->slots[j] - 1];
        if (e->hash == h && e->len == n && !memcmp(m->pool.p + e->off, k, n)) return (int64_t)j;
        j = (j + 1) & (m->cap - 1);
    }
    return -1;
}

int ia__strmap_put(ia__strmap *m, const char *k, size_t n, int32_t val) {
    if (n > 0xFFFFFFFFu) return ia_set_error(IA_ERR_LIMIT, "tokenizer: token too long");
    uint32_t h = hash_bytes(k, n);
    int64_t f = strmap_find(m, k, n, h);
    if (f >= 0) { m->e[m->slots[f] - 1].val = val; return IA_OK; }
    int rc;
    if ((m->n + 1) * 4 > m->cap * 3 && (rc = strmap_grow(m))) return rc;
    if (m->n == m->ecap) {
        size_t ec = m->ecap ? m->ecap * 2 : 64;
        void *e = ia_realloc(m->e, ec * sizeof *m->e);
        if (!e) return ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory");
        m->e = e;
        m->ecap = ec;
    }
    size_t off = m->pool.n;
    if ((rc = ia__sbuf_put(&m->pool, k, n)) || (rc = ia__sbuf_putc(&m->pool, 0))) return rc;
    m->e[m->n] = (struct ia__strmap_entry){off, (uint32_t)n, h, val};
    size_t j = h & (m->cap - 1);
    while (m->slots[j]) j = (j + 1) & (m->cap - 1);
    m->slots[j] = (uint32_t)++m->n;
    return IA_OK;
}

int ia__strmap_get(const ia__strmap *m, const char *k, size_t n, int32_t *val) {
    int64_t f = strmap_find(m, k, n, hash_bytes(k, n));
    if (f < 0) return 0;
    if (val) *val = m->e[m->slots[f] - 1].val;
    return 1;
}

void ia__strmap_free(ia__strmap *m) {
    ia_free(m->slots);
    ia_free(m->e);
    ia__sbuf_free(&m->pool);
    memset(m, 0, sizeof *m);
}

static size_t pair_slot(uint64_t key, size_t cap) {
    uint64_t h = key * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 20) & (cap - 1);
}

int ia__pairmap_put(ia__pairmap *m, uint32_t a, uint32_t b, int32_t rank, int32_t merged) {
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 1024;
        uint64_t *keys = ia_calloc(cap, sizeof *keys);
        int32_t *r = ia_malloc(cap * sizeof *r), *mg = ia_malloc(cap * sizeof *mg);
        if (!keys || !r || !mg) {
            ia_free(keys); ia_free(r); ia_free(mg);
            return ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory");
        }
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->keys[i]) continue;
            size_t j = pair_slot(m->keys[i], cap);
            while (keys[j]) j = (j + 1) & (cap - 1);
            keys[j] = m->keys[i];
            r[j] = m->rank[i];
            mg[j] = m->merged[i];
        }
        ia_free(m->keys); ia_free(m->rank); ia_free(m->merged);
        m->keys = keys; m->rank = r; m->merged = mg; m->cap = cap;
    }
    uint64_t key = (((uint64_t)a << 32) | b) + 1;
    size_t j = pair_slot(key, m->cap);
    while (m->keys[j]) {
        if (m->keys[j] == key) { /* a repeated merge: the later rank wins, as in a JS Map built in order */
            m->rank[j] = rank;
            m->merged[j] = merged;
            return IA_OK;
        }
        j = (j + 1) & (m->cap - 1);
    }
    m->keys[j] = key;
    m->rank[j] = rank;
    m->merged[j] = merged;
    m->n++;
    return IA_OK;
}

int ia__pairmap_get(const ia__pairmap *m, uint32_t a, uint32_t b, int32_t *rank, int32_t *merged) {
    if (!m->cap) return 0;
    uint64_t key = (((uint64_t)a << 32) | b) + 1;
    size_t j = pair_slot(key, m->cap);
    while (m->keys[j]) {
        if (m->keys[j] == key) { *rank = m->rank[j]; *merged = m->merged[j]; return 1; }
        j = (j + 1) & (m->cap - 1);
    }
    return 0;
}

void ia__pairmap_free(ia__pairmap *m) {
    ia_free(m->keys); ia_free(m->rank); ia_free(m->merged);
    memset(m, 0, sizeof *m);
}

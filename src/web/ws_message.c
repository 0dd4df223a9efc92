/* WebSocket message assembly and the bridge's binary frames (JSON header + raw little-endian
 * tensor bytes). Every input here is untrusted (fuzzed by fuzz_websocket). */
#include <string.h>
#include "ia/alloc.h"
#include "ia/status.h"
#include "web/web_internal.h"

enum { OP_CONT = 0, OP_TEXT = 1, OP_BIN = 2, OP_CLOSE = 8, OP_PING = 9, OP_PONG = 10 };

int ia__ws_feed(ia__ws_assembler *a, int flags, const uint8_t *data, size_t len) {
    int fin = (flags & 0x80) != 0, op = flags & 0x0f;
    if (flags & 0x70) return ia_set_error(IA_ERR_PARSE, "websocket: reserved bits set (no extension negotiated)");
    if (op >= 8) {
        if (!fin || len > 125) return ia_set_error(IA_ERR_PARSE, "websocket: fragmented or oversized control frame");
        if (op != OP_CLOSE && op != OP_PING && op != OP_PONG) return ia_set_error(IA_ERR_PARSE, "websocket: unknown control opcode %d", op);
        return 0;
    }
    if (op != OP_CONT && op != OP_TEXT && op != OP_BIN) return ia_set_error(IA_ERR_PARSE, "websocket: unknown opcode %d", op);
    if (op == OP_CONT && !a->opcode) return ia_set_error(IA_ERR_PARSE, "websocket: continuation frame without a message");
    if (op != OP_CONT && a->opcode) return ia_set_error(IA_ERR_PARSE, "websocket: new message inside a fragmented one");
    if (op != OP_CONT) { a->opcode = op; a->len = 0; }
    if (len > a->max || a->len > a->max - len)
        return ia_set_error(IA_ERR_LIMIT, "websocket: message larger than %zu bytes", a->max);
    if (a->len + len > a->cap) {
        size_t nc = a->cap ? a->cap : 4096;
        while (nc < a->len + len) nc = nc > a->max / 2 ? a->max : nc * 2;
        uint8_t *nb = ia_realloc(a->buf, nc ? nc : 1);
        if (!nb) return ia_set_error(IA_ERR_NOMEM, "websocket: out of memory assembling a message");
        a->buf = nb;
        a->cap = nc;
    }
    if (len) memcpy(a->buf + a->len, data, len);
    a->len += len;
    return fin ? 1 : 0;
}

size_t ia__ws_frame_header(int opcode, uint64_t len, uint8_t out[10]) {
    out[0] = (uint8_t)(0x80 | (opcode & 0x0f)); /* FIN; server frames are not masked */
    if (len < 126) { out[1] = (uint8_t)len; return 2; }
    if (len <= 0xffff) { out[1] = 126; out[2] = (uint8_t)(len >> 8); out[3] = (uint8_t)len; return 4; }
    out[1] = 127;
    for (int i = 0; i < 8; i++) out[2 + i] = (uint8_t)(len >> (56 - 8 * i));
    return 10;
}

void ia__ws_reset(ia__ws_assembler *a) { a->opcode = 0; a->len = 0; }

void ia__ws_free(ia__ws_assembler *a) {
    ia_free(a->buf);
    a->buf = NULL;
    a->len = a->cap = 0;
    a->opcode = 0;
}

static const struct { int dtype; const char *name; } dtype_names[] = {
    {IA_DTYPE_FLOAT, "float32"}, {IA_DTYPE_DOUBLE, "float64"}, {IA_DTYPE_FLOAT16, "float16"},
    {IA_DTYPE_INT8, "int8"},     {IA_DTYPE_UINT8, "uint8"},    {IA_DTYPE_INT16, "int16"},
    {IA_DTYPE_UINT16, "uint16"}, {IA_DTYPE_INT32, "int32"},    {IA_DTYPE_UINT32, "uint32"},
    {IA_DTYPE_INT64, "int64"},   {IA_DTYPE_UINT64, "uint64"},  {IA_DTYPE_BOOL, "bool"},
};

const char *ia__web_dtype_name(int dtype) {
    for (size_t i = 0; i < sizeof dtype_names / sizeof dtype_names[0]; i++)
        if (dtype_names[i].dtype == dtype) return dtype_names[i].name;
    return NULL;
}

int ia__web_dtype_from_name(const char *name) {
    for (size_t i = 0; name && i < sizeof dtype_names / sizeof dtype_names[0]; i++)
        if (!strcmp(dtype_names[i].name, name)) return dtype_names[i].dtype;
    return IA_DTYPE_UNDEFINED;
}

static uint64_t align8(uint64_t x) { return (x + 7) & ~(uint64_t)7; }

static int parse_tensor(const cJSON *j, size_t i, uint64_t data_len, ia__frame_tensor *t) {
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(j, "name"), *dt = cJSON_GetObjectItemCaseSensitive(j, "dtype"),
                *dims = cJSON_GetObjectItemCaseSensitive(j, "dims"), *off = cJSON_GetObjectItemCaseSensitive(j, "offset"),
                *bytes = cJSON_GetObjectItemCaseSensitive(j, "bytes");
    if (!cJSON_IsString(name) || strlen(name->valuestring) >= sizeof t->name)
        return ia_set_error(IA_ERR_PARSE, "bridge frame: tensor %zu has no valid name", i);
    strcpy(t->name, name->valuestring);
    t->dtype = cJSON_IsString(dt) ? ia__web_dtype_from_name(dt->valuestring) : 0;
    if (!t->dtype) return ia_set_error(IA_ERR_PARSE, "bridge frame: tensor '%s' has an unknown dtype", t->name);
    if (!cJSON_IsArray(dims) || cJSON_GetArraySize(dims) > IA_MAX_DIMS)
        return ia_set_error(IA_ERR_PARSE, "bridge frame: tensor '%s' has no valid dims", t->name);
    t->rank = cJSON_GetArraySize(dims);
    int k = 0;
    const cJSON *d;
    cJSON_ArrayForEach(d, dims) {
        if (!cJSON_IsNumber(d) || d->valuedouble < 0 || d->valuedouble > 9.007e15 || d->valuedouble != (double)(int64_t)d->valuedouble)
            return ia_set_error(IA_ERR_PARSE, "bridge frame: tensor '%s' dim %d is not a non-negative integer", t->name, k);
        t->dims[k++] = (int64_t)d->valuedouble;
    }
    int64_t numel = ia_shape_numel(t->rank, t->dims);
    if (numel < 0 || (uint64_t)numel > data_len) /* also bounds the byte count below */
        return ia_set_error(IA_ERR_PARSE, "bridge frame: tensor '%s' shape is larger than the frame", t->name);
    if (!cJSON_IsNumber(off) || !cJSON_IsNumber(bytes) || off->valuedouble < 0 || bytes->valuedouble < 0 ||
        off->valuedouble > 1.8e19 || bytes->valuedouble > 1.8e19)
        return ia_set_error(IA_ERR_PARSE, "bridge frame: tensor '%s' has no valid offset/bytes", t->name);
    t->offset = (uint64_t)off->valuedouble;
    t->bytes = (uint64_t)bytes->valuedouble;
    if ((double)t->offset != off->valuedouble || (double)t->bytes != bytes->valuedouble || (t->offset & 7))
        return ia_set_error(IA_ERR_PARSE, "bridge frame: tensor '%s' offset/bytes not aligned integers", t->name);
    if (t->bytes != (uint64_t)numel * ia_dtype_size(t->dtype))
        return ia_set_error(IA_ERR_PARSE, "bridge frame: tensor '%s' carries %llu bytes for %lld %s elements", t->name,
                            (unsigned long long)t->bytes, (long long)numel, ia_dtype_name(t->dtype));
    if (t->offset > data_len || t->bytes > data_len - t->offset)
        return ia_set_error(IA_ERR_PARSE, "bridge frame: tensor '%s' lies outside the frame", t->name);
    return IA_OK;
}

int ia__frame_decode(const uint8_t *msg, size_t len, cJSON **hdr, ia__frame_tensor **tensors, size_t *n_tensors,
                     const uint8_t **data) {
    *hdr = NULL;
    *tensors = NULL;
    *n_tensors = 0;
    if (len < 4) return ia_set_error(IA_ERR_PARSE, "bridge frame: %zu bytes, shorter than its length prefix", len);
    uint64_t hlen = (uint64_t)msg[0] | (uint64_t)msg[1] << 8 | (uint64_t)msg[2] << 16 | (uint64_t)msg[3] << 24;
    if (hlen > len - 4) return ia_set_error(IA_ERR_PARSE, "bridge frame: header length %llu beyond the frame", (unsigned long long)hlen);
    uint64_t start = align8(4 + hlen);
    if (start > len) start = len;
    const char *endp = NULL;
    cJSON *h = cJSON_ParseWithLengthOpts((const char *)msg + 4, (size_t)hlen, &endp, 0);
    if (!h || !cJSON_IsObject(h)) {
        cJSON_Delete(h);
        return ia_set_error(IA_ERR_PARSE, "bridge frame: header is not a JSON object");
    }
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(h, "tensors");
    size_t n = 0;
    ia__frame_tensor *arr = NULL;
    if (ts) {
        if (!cJSON_IsArray(ts) || cJSON_GetArraySize(ts) > 4096) {
            cJSON_Delete(h);
            return ia_set_error(IA_ERR_PARSE, "bridge frame: \"tensors\" is not an array of at most 4096");
        }
        n = (size_t)cJSON_GetArraySize(ts);
        arr = ia_calloc(n ? n : 1, sizeof *arr);
        if (!arr) { cJSON_Delete(h); return ia_set_error(IA_ERR_NOMEM, "bridge frame: out of memory"); }
        size_t i = 0;
        const cJSON *t;
        cJSON_ArrayForEach(t, ts) {
            int rc = cJSON_IsObject(t) ? parse_tensor(t, i, len - start, &arr[i])
                                       : ia_set_error(IA_ERR_PARSE, "bridge frame: tensor %zu is not an object", i);
            if (rc) { ia_free(arr); cJSON_Delete(h); return rc; }
            i++;
        }
    }
    *hdr = h;
    *tensors = arr;
    *n_tensors = n;
    *data = msg + start;
    return IA_OK;
}

int ia__frame_encode(cJSON *hdr, ia_tensor *const *ts, const char *const *names, size_t n, uint8_t **out, size_t *out_len) {
    cJSON *arr = cJSON_AddArrayToObject(hdr, "tensors");
    if (!arr) return ia_set_error(IA_ERR_NOMEM, "bridge frame: out of memory");
    uint64_t off = 0;
    for (size_t i = 0; i < n; i++) {
        const char *dn = ia__web_dtype_name(ts[i]->dtype);
        if (!dn) return ia_set_error(IA_ERR_UNSUPPORTED, "bridge: input '%s' has dtype %s, which onnxruntime-web tensors cannot carry",
                                     names[i], ia_dtype_name(ts[i]->dtype));
        cJSON *t = cJSON_CreateObject(), *dims = cJSON_CreateArray();
        cJSON_AddItemToArray(arr, t);
        cJSON_AddStringToObject(t, "name", names[i]);
        cJSON_AddStringToObject(t, "dtype", dn);
        for (int d = 0; d < ts[i]->rank; d++) cJSON_AddItemToArray(dims, cJSON_CreateNumber((double)ts[i]->dims[d]));
        cJSON_AddItemToObject(t, "dims", dims);
        cJSON_AddNumberToObject(t, "offset", (double)off);
        cJSON_AddNumberToObject(t, "bytes", (double)ts[i]->nbytes);
        off += align8(ts[i]->nbytes);
    }
    char *js = cJSON_PrintUnformatted(hdr);
    if (!js) return ia_set_error(IA_ERR_NOMEM, "bridge frame: out of memory");
    size_t hlen = strlen(js), start = (size_t)align8(4 + hlen);
    uint8_t *buf = ia_calloc(1, start + off + 1);
    if (!buf) { cJSON_free(js); return ia_set_error(IA_ERR_NOMEM, "bridge frame: out of memory for %llu bytes", (unsigned long long)(start + off)); }
    buf[0] = (uint8_t)hlen; buf[1] = (uint8_t)(hlen >> 8); buf[2] = (uint8_t)(hlen >> 16); buf[3] = (uint8_t)(hlen >> 24);
    memcpy(buf + 4, js, hlen);
    cJSON_free(js);
    size_t p = start;
    for (size_t i = 0; i < n; i++) {
        if (ts[i]->nbytes) memcpy(buf + p, ts[i]->data, ts[i]->nbytes);
        p += (size_t)align8(ts[i]->nbytes);
    }
    *out = buf;
    *out_len = start + (size_t)off;
    return IA_OK;
}

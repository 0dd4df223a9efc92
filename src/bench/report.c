/* Reports of stored benchmark runs: Markdown for pull requests, or one self-contained HTML file
 * with inline SVG charts (latency, throughput, batch scaling, memory, speedup, precision) and the environment. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench/bench_internal.h"
#include "ia/alloc.h"
#include "ia/bench.h"

static void html_esc(FILE *o, const char *s) {
    for (; s && *s; s++) {
        if (*s == '<') fputs("&lt;", o);
        else if (*s == '>') fputs("&gt;", o);
        else if (*s == '&') fputs("&amp;", o);
        else if (*s == '"') fputs("&quot;", o);
        else fputc(*s, o);
    }
}

/* horizontal bar chart, one bar per row of (label, value) */
static void svg_bars(FILE *o, const char *title, const char *unit, char **labels, const double *v, size_t n) {
    double mx = 0;
    for (size_t i = 0; i < n; i++) if (isfinite(v[i]) && v[i] > mx) mx = v[i];
    if (mx <= 0) mx = 1;
    int h = 30 + 22 * (int)n;
    fprintf(o, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"%d\" role=\"img\" aria-label=\"", h);
    html_esc(o, title);
    fprintf(o, "\"><text x=\"4\" y=\"16\" font-size=\"13\" font-weight=\"bold\">");
    html_esc(o, title);
    fprintf(o, "</text>");
    for (size_t i = 0; i < n; i++) {
        int y = 26 + 22 * (int)i;
        double w = isfinite(v[i]) ? 340.0 * v[i] / mx : 0;
        fprintf(o, "<text x=\"4\" y=\"%d\" font-size=\"11\">", y + 13);
        html_esc(o, labels[i]);
        fprintf(o, "</text><rect x=\"280\" y=\"%d\" width=\"%.1f\" height=\"16\" fill=\"#3a6ea5\"/>"
                   "<text x=\"%.1f\" y=\"%d\" font-size=\"11\">%.4g %s</text>",
                y, w, 284 + w, y + 13, v[i], unit);
    }
    fprintf(o, "</svg>\n");
}

/* line chart: one polyline per series over a log2 x axis (batch sizes), y = value */
typedef struct line_series {
    char label[200];
    double x[32], y[32];
    int n;
} line_series;

static const char *const PALETTE[] = {"#3a6ea5", "#c0504d", "#9bbb59", "#8064a2", "#f79646", "#4bacc6", "#2c4d75", "#772c2a"};

static void svg_lines(FILE *o, const char *title, const char *xname, const char *unit, const line_series *s, size_t ns) {
    double xmin = INFINITY, xmax = -INFINITY, ymax = 0;
    for (size_t i = 0; i < ns; i++)
        for (int k = 0; k < s[i].n; k++) {
            double lx = log2(s[i].x[k] > 0 ? s[i].x[k] : 1);
            if (lx < xmin) xmin = lx;
            if (lx > xmax) xmax = lx;
            if (isfinite(s[i].y[k]) && s[i].y[k] > ymax) ymax = s[i].y[k];
        }
    if (!(xmax > xmin)) { xmin -= 1; xmax += 1; }
    if (ymax <= 0) ymax = 1;
    const double X0 = 60, W = 440, Y0 = 30, H = 200;
    int h = (int)(Y0 + H + 40 + 16 * (double)ns);
    fprintf(o, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"%d\" role=\"img\" aria-label=\"", h);
    html_esc(o, title);
    fprintf(o, "\"><text x=\"4\" y=\"16\" font-size=\"13\" font-weight=\"bold\">");
    html_esc(o, title);
    fprintf(o, "</text><line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"#000\"/><line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"#000\"/>",
            X0, Y0, X0, Y0 + H, X0, Y0 + H, X0 + W, Y0 + H);
    fprintf(o, "<text x=\"4\" y=\"%g\" font-size=\"11\">%.4g %s</text><text x=\"4\" y=\"%g\" font-size=\"11\">0</text>", Y0 + 10, ymax, unit, Y0 + H);
    fprintf(o, "<text x=\"%g\" y=\"%g\" font-size=\"11\">%s (log2 scale) %.4g to %.4g</text>", X0, Y0 + H + 16, xname, exp2(xmin), exp2(xmax));
    for (size_t i = 0; i < ns; i++) {
        const char *col = PALETTE[i % (sizeof PALETTE / sizeof PALETTE[0])];
        fprintf(o, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", col);
        for (int k = 0; k < s[i].n; k++) {
            double px = X0 + W * (log2(s[i].x[k] > 0 ? s[i].x[k] : 1) - xmin) / (xmax - xmin);
            double py = Y0 + H - H * (isfinite(s[i].y[k]) ? s[i].y[k] : 0) / ymax;
            fprintf(o, "%s%.1f,%.1f", k ? " " : "", px, py);
        }
        fprintf(o, "\"/>");
        for (int k = 0; k < s[i].n; k++) {
            double px = X0 + W * (log2(s[i].x[k] > 0 ? s[i].x[k] : 1) - xmin) / (xmax - xmin);
            double py = Y0 + H - H * (isfinite(s[i].y[k]) ? s[i].y[k] : 0) / ymax;
            fprintf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s %.4g: %.4g %s</title></circle>", px, py, col, xname, s[i].x[k], s[i].y[k], unit);
        }
        double ly = Y0 + H + 32 + 16 * (double)i;
        fprintf(o, "<rect x=\"%g\" y=\"%g\" width=\"12\" height=\"10\" fill=\"%s\"/><text x=\"%g\" y=\"%g\" font-size=\"11\">", X0, ly - 9, col, X0 + 16, ly);
        html_esc(o, s[i].label);
        fprintf(o, "</text>");
    }
    fprintf(o, "</svg>\n");
}

/* one figure per topic: exactly one chart in each (checked by the render test) */
static void figure_begin(FILE *o, const char *topic, const char *caption) {
    fprintf(o, "<section class=\"figure\" data-topic=\"%s\"><h3>", topic);
    html_esc(o, caption);
    fprintf(o, "</h3>\n");
}

/* value of "key=" in a web_platform_results features text (up to the next " key=") */
static void feat(const char *f, const char *key, char *out, size_t cap) {
    out[0] = 0;
    size_t kl = strlen(key);
    for (const char *p = f; p && *p; p++) {
        if ((p == f || p[-1] == ' ') && !strncmp(p, key, kl) && p[kl] == '=') {
            const char *v = p + kl + 1, *e = strchr(v, ' ');
            if (!strcmp(key, "user_agent")) e = NULL; /* the last key; its value has spaces */
            size_t n = e ? (size_t)(e - v) : strlen(v);
            if (n >= cap) n = cap - 1;
            memcpy(out, v, n);
            out[n] = 0;
            return;
        }
    }
}

/* after a model's table: what ran each browser configuration (rows i..j of the main query);
 * closes the table in HTML */
static void browser_table(FILE *out, int html, const ia__rows *r, size_t i, size_t j) {
    size_t nw = 0;
    for (size_t k = i; k < j; k++) nw += ia__rows_get(r, k, 22) != NULL;
    if (html) fprintf(out, "</table>\n");
    if (!nw) { if (!html) fprintf(out, "\n"); return; }
    static const char *const cols[] = {"device", "batch", "seq", "browser", "bundle", "execution providers (verified)", "adapter",
                                       "software adapter", "download ms", "session create ms", "page median ms", "C-side median ms"};
    size_t nc = sizeof cols / sizeof cols[0];
    if (html) {
        fprintf(out, "<h3>Browser devices</h3>\n<table class=\"browsers\"><tr>");
        for (size_t c = 0; c < nc; c++) fprintf(out, "<th>%s</th>", cols[c]);
        fprintf(out, "</tr>\n");
    } else {
        fprintf(out, "\n**Browser devices**\n\n|");
        for (size_t c = 0; c < nc; c++) fprintf(out, " %s |", cols[c]);
        fprintf(out, "\n|");
        for (size_t c = 0; c < nc; c++) fprintf(out, "---|");
        fprintf(out, "\n");
    }
    for (size_t k = i; k < j; k++) {
        const char *f = ia__rows_get(r, k, 22), *ad = ia__rows_get(r, k, 19);
        if (!f) continue;
        char bundle[96], ort[48], ep[160], epv[16], dl[32], cr[32], pm[32], cm[32], br[200], v[12][300];
        feat(f, "bundle", bundle, sizeof bundle);
        feat(f, "ort", ort, sizeof ort);
        feat(f, "ep", ep, sizeof ep);
        feat(f, "ep_verified", epv, sizeof epv);
        feat(f, "download_ms", dl, sizeof dl);
        feat(f, "create_ms", cr, sizeof cr);
        feat(f, "page_median_ms", pm, sizeof pm);
        feat(f, "c_median_ms", cm, sizeof cm);
        snprintf(br, sizeof br, "%s %s", ia__rows_get(r, k, 20) ? ia__rows_get(r, k, 20) : "", ia__rows_get(r, k, 21) ? ia__rows_get(r, k, 21) : "");
        snprintf(v[0], sizeof v[0], "%s", ia__rows_get(r, k, 2));
        snprintf(v[1], sizeof v[1], "%s", ia__rows_get(r, k, 4));
        snprintf(v[2], sizeof v[2], "%s", ia__rows_get(r, k, 5));
        snprintf(v[3], sizeof v[3], "%s", br);
        snprintf(v[4], sizeof v[4], "%s (onnxruntime-web %s)", bundle, ort);
        snprintf(v[5], sizeof v[5], "%s (%s)", ep, !strcmp(epv, "true") ? "verified" : "NOT verified: the requested EP holds no nodes");
        snprintf(v[6], sizeof v[6], "%s", ad ? ad : "none (not WebGPU)");
        snprintf(v[7], sizeof v[7], "%s", !ad ? "n/a" : strstr(ad, "fallback_adapter=true") ? "yes: software (fallback) adapter" : "no");
        snprintf(v[8], sizeof v[8], "%s", dl);
        snprintf(v[9], sizeof v[9], "%s", cr);
        snprintf(v[10], sizeof v[10], "%s", pm);
        snprintf(v[11], sizeof v[11], "%s", cm);
        if (html) {
            fputs("<tr>", out);
            for (size_t c = 0; c < nc; c++) { fputs("<td>", out); html_esc(out, v[c]); fputs("</td>", out); }
            fputs("</tr>\n", out);
        } else {
            fputs("|", out);
            for (size_t c = 0; c < nc; c++) fprintf(out, " %s |", v[c]);
            fputs("\n", out);
        }
    }
    fputs(html ? "</table>\n" : "\n", out);
}

static int safe_id(const char *s) {
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '-' || *s == '_')) return 0;
    return 1;
}

int ia_bench_report(ia_bench_db *db, const char *run_id, const char *format, FILE *out) {
    int html = format && !strcmp(format, "html");
    if (format && !html && strcmp(format, "md")) return ia_set_error(IA_ERR_INVALID_ARG, "report format is md or html, not '%s'", format);
    char where[256];
    if (run_id && !strcmp(run_id, "all")) snprintf(where, sizeof where, "run_id IS NOT NULL");
    else if (run_id) {
        if (!safe_id(run_id)) return ia_set_error(IA_ERR_INVALID_ARG, "malformed run id '%s'", run_id);
        snprintf(where, sizeof where, "run_id = '%s'", run_id);
    } else snprintf(where, sizeof where, "run_id = (SELECT run_id FROM runs ORDER BY started_at DESC, run_id DESC LIMIT 1)");
    char sql[2048];
    snprintf(sql, sizeof sql,
             "SELECT p.run_id, p.model, p.device, p.precision, p.batch, p.seq, p.threads, p.status, p.reason, p.median_ms, p.p90_ms,"
             " p.ci_low_ms, p.ci_high_ms, p.throughput, p.peak_rss_bytes, p.load_ms, p.first_ms, p.n_iters, s.speedup,"
             " w.adapter, w.browser, w.browser_version, w.features"
             " FROM performance_summary p LEFT JOIN speedup_vs_cpu s USING (run_id, config_id)"
             " LEFT JOIN (SELECT run_id, config_id, any_value(adapter) AS adapter, any_value(browser) AS browser,"
             " any_value(browser_version) AS browser_version, any_value(features) AS features FROM web_platform_results"
             " WHERE config_id IS NOT NULL GROUP BY ALL) w USING (run_id, config_id) WHERE p.%s"
             " ORDER BY p.run_id, p.model, p.device, p.precision, p.batch, p.seq, p.threads", where);
    ia__rows r, env;
    int rc = ia__db_select(db, sql, &r);
    if (rc) return rc;
    if (!r.n_rows) { ia__rows_free(&r); return ia_set_error(IA_ERR_NOT_FOUND, "no results for %s", run_id ? run_id : "the latest run"); }
    snprintf(sql, sizeof sql,
             "SELECT run_id, started_at, hostname, git_commit, git_dirty, compiler, build_type, duckdb_version, kernel, cpu_model, governor,"
             " mhz, load_avg, args FROM runs WHERE %s ORDER BY started_at", where);
    rc = ia__db_select(db, sql, &env);
    if (rc) { ia__rows_free(&r); return rc; }
    if (html)
        fprintf(out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>ipfs-accelerate benchmark report</title>"
                     "<style>body{font-family:sans-serif;margin:20px}table{border-collapse:collapse;font-size:12px}"
                     "td,th{border:1px solid #bbb;padding:2px 6px}section{margin-bottom:24px}</style></head><body>\n"
                     "<h1>ipfs-accelerate benchmark report</h1>\n");
    else fprintf(out, "# ipfs-accelerate benchmark report\n\n");
    /* one section per model */
    for (size_t i = 0; i < r.n_rows;) {
        const char *model = ia__rows_get(&r, i, 1);
        size_t j = i;
        while (j < r.n_rows && !strcmp(ia__rows_get(&r, j, 1), model) && !strcmp(ia__rows_get(&r, j, 0), ia__rows_get(&r, i, 0))) j++;
        if (html) { fprintf(out, "<section class=\"model\"><h2>"); html_esc(out, model); fprintf(out, " (run "); html_esc(out, ia__rows_get(&r, i, 0)); fprintf(out, ")</h2>\n"); }
        else fprintf(out, "## %s (run %s)\n\n", model, ia__rows_get(&r, i, 0));
        if (!html) fprintf(out, "| device | precision | batch | seq | threads | status | median ms | p90 ms | 95%% CI | samples/s | speedup vs CPU | load ms | first ms | peak RSS MiB | iters |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        else fprintf(out, "<table><tr><th>device</th><th>precision</th><th>batch</th><th>seq</th><th>threads</th><th>status</th><th>median ms</th><th>p90 ms</th><th>95%% CI</th><th>samples/s</th><th>speedup vs CPU</th><th>load ms</th><th>first ms</th><th>peak RSS MiB</th><th>iters</th></tr>\n");
        char **labels = ia_calloc(j - i + 1, sizeof *labels);
        double *lat = ia_calloc(j - i + 1, sizeof *lat), *spd = ia_calloc(j - i + 1, sizeof *spd);
        double *thr = ia_calloc(j - i + 1, sizeof *thr), *mem = ia_calloc(j - i + 1, sizeof *mem);
        line_series *ser = ia_calloc(j - i + 1, sizeof *ser);
        size_t nl = 0, ns = 0;
        int n_prec = 0;
        char precs[4][16] = {{0}};
        for (size_t k = i; k < j; k++) {
#define G(c) (c == 2 ? dev : ia__rows_get(&r, k, c) ? ia__rows_get(&r, k, c) : "")
            char dev[96];
            const char *adp = ia__rows_get(&r, k, 19);
            snprintf(dev, sizeof dev, "%s%s", ia__rows_get(&r, k, 2) ? ia__rows_get(&r, k, 2) : "",
                     adp && strstr(adp, "fallback_adapter=true") ? " (software adapter)" : "");
            int ok = !strcmp(G(7), "ok");
            double rss = ia__rows_get(&r, k, 14) ? atof(G(14)) / 1048576.0 : 0;
            if (ok) {
                char lb[200];
                snprintf(lb, sizeof lb, "%s %s b%s s%s t%s", G(2), G(3), G(4), G(5), G(6));
                labels[nl] = ia_strdup(lb);
                lat[nl] = atof(G(9));
                thr[nl] = atof(G(13));
                mem[nl] = rss;
                spd[nl++] = ia__rows_get(&r, k, 18) ? atof(G(18)) : NAN;
                /* batch scaling: one series per device, precision, seq, threads */
                char sk[200];
                snprintf(sk, sizeof sk, "%s %s s%s t%s", G(2), G(3), G(5), G(6));
                size_t si = 0;
                while (si < ns && strcmp(ser[si].label, sk)) si++;
                if (si == ns) snprintf(ser[ns++].label, sizeof ser[0].label, "%s", sk);
                if (ser[si].n < 32) { ser[si].x[ser[si].n] = atof(G(4)); ser[si].y[ser[si].n++] = atof(G(13)); }
                int pi = 0;
                while (pi < n_prec && strcmp(precs[pi], G(3))) pi++;
                if (pi == n_prec && n_prec < 4) snprintf(precs[n_prec++], sizeof precs[0], "%s", G(3));
            }
            if (!html) {
                if (ok) fprintf(out, "| %s | %s | %s | %s | %s | ok | %.4g | %.4g | %.4g-%.4g | %.4g | %s%.3g | %.3g | %.3g | %.1f | %s |\n", G(2), G(3), G(4), G(5), G(6),
                                atof(G(9)), atof(G(10)), atof(G(11)), atof(G(12)), atof(G(13)), ia__rows_get(&r, k, 18) ? "" : "n/a ",
                                ia__rows_get(&r, k, 18) ? atof(G(18)) : 0.0, atof(G(15)), atof(G(16)), rss, G(17));
                else fprintf(out, "| %s | %s | %s | %s | %s | %s: %s | | | | | | | | | |\n", G(2), G(3), G(4), G(5), G(6), G(7), G(8));
            } else {
                fprintf(out, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>", G(2), G(3), G(4), G(5), G(6));
                html_esc(out, G(7));
                if (!ok) { fputs(": ", out); html_esc(out, G(8)); fputs("</td><td colspan=\"9\"></td></tr>\n", out); continue; }
                fprintf(out, "</td><td>%.4g</td><td>%.4g</td><td>%.4g-%.4g</td><td>%.4g</td><td>%s</td><td>%.3g</td><td>%.3g</td><td>%.1f</td><td>%s</td></tr>\n",
                        atof(G(9)), atof(G(10)), atof(G(11)), atof(G(12)), atof(G(13)), G(18), atof(G(15)), atof(G(16)), rss, G(17));
            }
#undef G
        }
        browser_table(out, html, &r, i, j);
        if (html) {
            if (nl) {
                figure_begin(out, "latency", "Latency per device");
                svg_bars(out, "median latency per configuration", "ms", labels, lat, nl);
                fprintf(out, "</section>\n");
                figure_begin(out, "throughput", "Throughput per device");
                svg_bars(out, "throughput per configuration", "samples/s", labels, thr, nl);
                fprintf(out, "</section>\n");
                figure_begin(out, "batch-scaling", "Batch-size scaling");
                svg_lines(out, "throughput versus batch size", "batch", "samples/s", ser, ns);
                fprintf(out, "</section>\n");
                figure_begin(out, "memory", "Memory per device");
                svg_bars(out, "process peak RSS per configuration", "MiB", labels, mem, nl);
                fprintf(out, "</section>\n");
                figure_begin(out, "speedup", "Speedup versus CPU");
                svg_bars(out, "speedup versus the fastest CPU configuration", "x", labels, spd, nl);
                fprintf(out, "</section>\n");
                if (n_prec > 1) {
                    figure_begin(out, "precision", "Precision trade-offs");
                    svg_bars(out, "median latency per configuration and precision", "ms", labels, lat, nl);
                    fprintf(out, "</section>\n");
                } else {
                    fprintf(out, "<p>Precision trade-offs: only ");
                    html_esc(out, n_prec ? precs[0] : "one precision");
                    fprintf(out, " was measured for this model.</p>\n");
                }
            } else fprintf(out, "<p>No configuration of this model produced numbers.</p>\n");
            fprintf(out, "</section>\n");
        }
        for (size_t k = 0; k < nl; k++) ia_free(labels[k]);
        ia_free(labels); ia_free(lat); ia_free(spd); ia_free(thr); ia_free(mem); ia_free(ser);
        i = j;
    }
    /* generation (--mode generate): time to first token, prefill and decode rates */
    ia__rows g;
    snprintf(sql, sizeof sql,
             "SELECT p.run_id, p.model, p.device, p.precision, p.batch, p.seq, p.threads, g.prompt_tokens, g.new_tokens, g.ttft_ms,"
             " g.prefill_tokens_per_s, g.decode_tokens_per_s FROM generation_results g JOIN performance_summary p USING (run_id, config_id)"
             " WHERE p.%s ORDER BY p.run_id, p.model, p.device, p.precision, p.batch, p.seq, p.threads", where);
    rc = ia__db_select(db, sql, &g);
    if (rc) { ia__rows_free(&r); ia__rows_free(&env); return rc; }
    if (g.n_rows) {
        if (html) fprintf(out, "<section class=\"generation\"><h2>Generation</h2>\n<table><tr><th>run</th><th>model</th><th>device</th>"
                               "<th>precision</th><th>batch</th><th>threads</th><th>prompt tokens</th><th>new tokens</th>"
                               "<th>time to first token ms</th><th>prefill tokens/s</th><th>decode tokens/s</th></tr>\n");
        else fprintf(out, "## Generation\n\n| run | model | device | precision | batch | threads | prompt tokens | new tokens | time to first token ms | prefill tokens/s | decode tokens/s |\n"
                          "|---|---|---|---|---|---|---|---|---|---|---|\n");
        char **gl = ia_calloc(g.n_rows + 1, sizeof *gl);
        double *dec = ia_calloc(g.n_rows + 1, sizeof *dec);
        for (size_t k = 0; k < g.n_rows; k++) {
#define G(c) (ia__rows_get(&g, k, c) ? ia__rows_get(&g, k, c) : "")
            if (html) {
                fputs("<tr>", out);
                for (int c = 0; c < 9; c++) {
                    if (c == 5) continue; /* seq: the prompt tokens say it */
                    fputs("<td>", out);
                    html_esc(out, G(c));
                    fputs("</td>", out);
                }
                fprintf(out, "<td>%.4g</td><td>%.4g</td><td>%.4g</td></tr>\n", atof(G(9)), atof(G(10)), atof(G(11)));
            } else
                fprintf(out, "| %s | %s | %s | %s | %s | %s | %s | %s | %.4g | %.4g | %.4g |\n", G(0), G(1), G(2), G(3), G(4), G(6), G(7), G(8),
                        atof(G(9)), atof(G(10)), atof(G(11)));
            char lb[300];
            snprintf(lb, sizeof lb, "%s %s b%s p%s t%s", G(1), G(2), G(4), G(7), G(6));
            gl[k] = ia_strdup(lb);
            dec[k] = atof(G(11));
#undef G
        }
        if (html) {
            fprintf(out, "</table>\n");
            figure_begin(out, "generation", "Decode speed");
            svg_bars(out, "decode tokens/s per configuration", "tokens/s", gl, dec, g.n_rows);
            fprintf(out, "</section></section>\n");
        } else fprintf(out, "\n");
        for (size_t k = 0; k < g.n_rows; k++) ia_free(gl[k]);
        ia_free(gl);
        ia_free(dec);
    }
    ia__rows_free(&g);
    if (html) fprintf(out, "<section class=\"env\"><h2>Environment</h2><table>\n");
    else fprintf(out, "## Environment\n\n");
    for (size_t k = 0; k < env.n_rows; k++)
        for (size_t c = 0; c < env.n_cols; c++) {
            const char *v = ia__rows_get(&env, k, c);
            if (html) { fprintf(out, "<tr><th>"); html_esc(out, env.names[c]); fprintf(out, "</th><td>"); html_esc(out, v ? v : "unknown"); fprintf(out, "</td></tr>\n"); }
            else fprintf(out, "- %s: %s\n", env.names[c], v ? v : "unknown");
        }
    if (html) fprintf(out, "</table></section></body></html>\n");
    ia__rows_free(&r);
    ia__rows_free(&env);
    return IA_OK;
}

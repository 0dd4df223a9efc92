/* ipfs-accelerate command entry point: dispatches to the command table. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "ipfs_accelerate.h"

static const ia_command commands[] = {
    {"run", "MODEL [--input NAME=FILE.pb]... [--input-dir DIR] [--output-dir DIR] [--threads N] [--warmup W] [--repeat K] [--json] [--profile] [--optimize 0|1|2] [--random-inputs] [--dim NAME=N]... [--device cpu|wasm|webgpu|webnn [--browser NAME|PATH] [--visible] [--dtype fp32|fp16|q8|q4] [--browsers N --pages M]]",
     "run a model on the CPU engine (or in a browser with --device) and print its outputs and timing", ia_cmd_run},
    {"browser", "[--browser NAME|PATH] [--visible]",
     "launch a browser and report its WebGPU adapter, WebNN contexts and WASM features (JSON)", ia_cmd_browser},
    {"browser-bench", "MODEL --device wasm|webgpu [--input-dir DIR | --random-inputs --dim NAME=N...] [--rounds R] [--iters K] [--echo-mb N]",
     "bridge overhead against the same onnxruntime-web session run inside the page; socket MB/s; load split (JSON)", ia_cmd_browser_bench},
    {"inspect", "MODEL [--json]", "describe a model: opsets, inputs, outputs, ops, parameters, what cannot run", ia_cmd_inspect},
    {"add", "[-r] [-Q] [-q] [-n] [-w] [--hidden] [--cid-version=0|1] [--raw-leaves[=BOOL]] [-t|--trickle] [--chunker=size-N] [--max-links=N] [--profile=P] [--preserve-mode] [--preserve-mtime] PATH... | - [--stdin-name N]",
     "import files into the store as UnixFS (kubo-compatible CIDs)", ia_cmd_add},
    {"cat", "CID[/path] [--offset N] [--length N] [--car FILE.car]", "write a stored file's bytes to stdout", ia_cmd_cat},
    {"ls", "CID[/path] [--car FILE.car]", "list a stored directory", ia_cmd_ls},
    {"get", "CID[/path] [-o PATH] [--car FILE.car]", "write a stored file or directory tree to disk", ia_cmd_get},
    {"cid", "format [-v 0|1] [-b BASE] CID... | inspect CID...", "convert and explain CIDs", ia_cmd_cid},
    {"car", "export CID [-o FILE] [--version 1|2] | import FILE... | inspect FILE", "CAR archives", ia_cmd_car},
    {"pin", "add [--direct] CID... | rm CID... | ls [--type=T]", "keep DAGs from garbage collection", ia_cmd_pin},
    {"gc", "", "remove blocks not reachable from a pin", ia_cmd_gc},
    {"verify", "[CID]", "rehash stored blocks and name corrupted ones", ia_cmd_verify},
    {"hw", "[--json] [--calibrate] [--budget S] [--probe-browsers [--db FILE|--no-db] [--timeout S]]", "hardware probe: CPU, ISA features, GPUs, browsers, what this machine can run", ia_cmd_hw},
    {"bench", "MODEL... [--device cpu,...] [--batch 1,4] [--seq 32,128|16-512*2] [--threads 1,2] [--precision fp32] [--mode latency|throughput|generate] [--gen-tokens N] [--temperature T --top-k K --top-p P --seed S] [--prompt TEXT|--prompt-file FILE] [--browsers N --pages M] [--warmup N] [--min-iters N] [--min-time S] [--max-time S] [--output md|csv|json|sql] [--db FILE]",
     "benchmark models over a cartesian product of configurations", ia_cmd_bench},
    {"report", "[--db FILE] [--run ID|--latest|--all] [--format md|html] [-o FILE]", "report stored benchmark results", ia_cmd_report},
    {"compare", "BASE_RUN CANDIDATE_RUN [--db FILE] [--threshold 5%] [--alpha 0.01] [--ignore batch,threads,...]", "compare two runs; exits 1 on a significant regression", ia_cmd_compare},
    {"predict", "MODEL [--db FILE] [--device cpu] [--precision fp32] [--batch 1,4] [--seq 128] [--threads 1,2] [--budget S] [--json]",
     "predicted latency (roofline x factor fitted on stored results) with the leave-one-out error", ia_cmd_predict},
    {"recommend", "MODEL [--db FILE] [--goal latency|throughput] [--max-latency MS] [--batch 1,4] [--seq N] [--threads 1,2] [--top K] [--validate]",
     "rank the configurations this machine can run: measured where stored, predicted otherwise", ia_cmd_recommend},
    {"query", "[--db FILE] [--format table|csv|json] SQL", "run SQL on the results database", ia_cmd_query},
    {"export", "[--db FILE] --format parquet|csv DIR", "write every results table to DIR (TABLE.parquet or TABLE.csv)", ia_cmd_export},
    {"import", "[--db FILE] FILE.parquet|FILE.csv|DIR...", "merge exported results from another machine (rows already stored are skipped)", ia_cmd_import},
    {"repo", "stat", "store location, block count and size", ia_cmd_repo},
    {"text", "tokenize|generate|embed|classify|fill-mask|ner|text2text MODEL ... (see `text` for the options)",
     "text pipelines: token ids of stdin lines; KV-cache generation with a decoder; pooled embeddings", ia_cmd_text},
};

static void usage(FILE *o) {
    fprintf(o, "ipfs-accelerate %s: run, measure and move ML models\n\nusage: ipfs-accelerate COMMAND [ARGS]\n\ncommands:\n",
            IA_VERSION_STRING);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(o, "  %-10s %s\n             %s\n", commands[i].name, commands[i].help, commands[i].args);
    fprintf(o, "\nenvironment: IA_LOG_LEVEL=error|warn|info|debug|trace\n");
}

int main(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? IA_EXIT_USAGE : IA_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("ipfs-accelerate %s\n", IA_VERSION_STRING);
        return IA_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].handler(argc - 1, argv + 1);
    fprintf(stderr, "ipfs-accelerate: unknown command '%s' (try --help)\n", argv[1]);
    return IA_EXIT_USAGE;
}

/* placeholder */
#include "cli/cli.h"
int ia_cmd_bench(int argc, char **argv) { return 1; }
int ia_cmd_report(int argc, char **argv) { return 1; }
int ia_cmd_compare(int argc, char **argv) { return 1; }
int ia_cmd_query(int argc, char **argv) { return 1; }

/* The command-line tool: one handler per command, listed in one table in main.c. */
#ifndef IA_CLI_H
#define IA_CLI_H

typedef struct ia_command {
    const char *name;
    const char *args;
    const char *help;
    int (*handler)(int argc, char **argv);
} ia_command;

int ia_cmd_run(int argc, char **argv);
int ia_cmd_inspect(int argc, char **argv);
/* store commands (cmd_store.c) */
int ia_cmd_cid(int argc, char **argv);
int ia_cmd_add(int argc, char **argv);
int ia_cmd_cat(int argc, char **argv);
int ia_cmd_ls(int argc, char **argv);
int ia_cmd_get(int argc, char **argv);
int ia_cmd_car(int argc, char **argv);
int ia_cmd_pin(int argc, char **argv);
int ia_cmd_gc(int argc, char **argv);
int ia_cmd_verify(int argc, char **argv);
int ia_cmd_repo(int argc, char **argv);
/* text pipelines (cmd_text.c) */
int ia_cmd_text(int argc, char **argv);

/* Exit codes of the tool. */
enum { IA_EXIT_OK = 0, IA_EXIT_FAIL = 1, IA_EXIT_USAGE = 2 };

#endif

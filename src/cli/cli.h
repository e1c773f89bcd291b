#ifndef FS_CLI_H
#define FS_CLI_H
/* The fairshake command: one option table per subcommand drives both parsing and
 * --help. Subcommands live in cmd_*.c; exit.c alone maps statuses to exit codes. */
#include <fairshake/fairshake.h>

#include <stdio.h>

#define CLI_MAX_VALUES 32

struct cli_args;

typedef struct cli_opt {
    const char *name; /* long name without dashes */
    const char *arg;  /* argument placeholder, NULL for a flag */
    bool repeat;      /* may be given several times */
    const char *help;
} cli_opt;

typedef struct cli_cmd {
    const char *name;
    const char *synopsis; /* after "fairshake NAME " */
    const char *summary;
    const cli_opt *opts;
    size_t n_positional; /* required positional arguments */
    int (*run)(const struct cli_cmd *cmd, struct cli_args *args);
    const char *details; /* extra help text, may be NULL */
} cli_cmd;

typedef struct cli_args {
    const char *positional[4];
    size_t n_positional;
    const char *values[16][CLI_MAX_VALUES]; /* per option index */
    size_t counts[16];
} cli_args;

/** The value of option name (last one given), or NULL. */
const char *cli_get(const cli_cmd *cmd, const cli_args *a, const char *name);
/** All values of a repeatable option. */
size_t cli_get_all(const cli_cmd *cmd, const cli_args *a, const char *name,
                   const char *const **out);
bool cli_flag(const cli_cmd *cmd, const cli_args *a, const char *name);
void cli_print_help(FILE *f, const cli_cmd *cmd);

/** Exit code for a status (0 only for FS_OK). */
int cli_exit_code(fs_status st);
/** Print "fairshake: <message>" for a failed status and return its exit code. */
int cli_fail(fs_status st, const fs_error *err);
/** Print a usage error for cmd and return 2. */
int cli_usage(const cli_cmd *cmd, const char *fmt, ...) FS_PRINTF(2, 3);

int cli_cmd_run(const cli_cmd *cmd, cli_args *a);
int cli_cmd_validate(const cli_cmd *cmd, cli_args *a);
int cli_cmd_perturb(const cli_cmd *cmd, cli_args *a);
int cli_cmd_identify(const cli_cmd *cmd, cli_args *a);
int cli_cmd_score(const cli_cmd *cmd, cli_args *a);
int cli_cmd_list(const cli_cmd *cmd, cli_args *a);
int cli_cmd_report(const cli_cmd *cmd, cli_args *a);
int cli_cmd_compare(const cli_cmd *cmd, cli_args *a);

/** Print the failed gates of a run to stderr, one line each (nothing when all passed). */
void cli_print_failed_gates(const fs_audit_result *res);

/** Called with each text of an input file; non-zero stops and is returned. */
typedef int (*cli_text_fn)(void *payload, const char *id, const char *text, size_t n,
                           fs_error *err);
/** Feed every text of --input FILE to fn: JSON Lines (.jsonl, .ndjson) by record, else
 *  one text per line ("-": stdin). Returns fn's first non-zero result or an exit code. */
int cli_each_text(const char *path, cli_text_fn fn, void *payload, fs_error *err);

#endif

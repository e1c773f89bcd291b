/* The one mapping from a status to the process exit code (STYLE.md section 3):
 * 2 for bad usage, config or input; 3 for any other failure during a run. A failed gate
 * (exit 1) is a result, not a status, and is decided by the run command. */
#include "cli.h"

#include <stdarg.h>

int cli_exit_code(fs_status st)
{
    switch (st) {
    case FS_OK:
        return 0;
    case FS_ERR_USAGE:
    case FS_ERR_CONFIG:
    case FS_ERR_INPUT:
        return 2;
    default:
        return 3;
    }
}

int cli_fail(fs_status st, const fs_error *err)
{
    const char *msg = (err != NULL && err->msg[0] != '\0') ? err->msg : fs_status_text(st);
    fprintf(stderr, "fairshake: %s\n", msg);
    return cli_exit_code(st);
}

int cli_usage(const cli_cmd *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "fairshake %s: ", cmd->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nusage: fairshake %s %s\nrun 'fairshake %s --help' for details\n", cmd->name,
            cmd->synopsis, cmd->name);
    return 2;
}

/* fairshake score: score predictions that already exist, with no model. The library
 * (fs_scorefile_run) reads and scores the JSON Lines file; this command checks the
 * arguments, collects the --param pairs and prints the one JSON object it returns. */
#include "cli.h"

#include <fairshake/scorefile.h>

#include <string.h>

/* --task, with the nearest task named when it is unknown. */
static int parse_task(const cli_cmd *cmd, const char *name, fs_scorefile_task *out)
{
    size_t n = 0;
    const char *const *names = fs_scorefile_task_names(&n);
    if (name == NULL) {
        return cli_usage(cmd, "--task is required (one of: classification, qa, summarization, "
                              "translation, language-modeling)");
    }
    if (fs_scorefile_task_parse(name, out)) {
        return 0;
    }
    const char *near = fs_nearest(name, names, n);
    return cli_usage(cmd,
                     "unknown task '%s'%s%s%s (tasks: classification, qa, summarization, "
                     "translation, language-modeling)",
                     name, near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
}

/* Every --param KEY=VALUE into params (a later value of a key replaces an earlier one). */
static int parse_params(const cli_cmd *cmd, const cli_args *a, fs_params *params)
{
    const char *const *vals = NULL;
    size_t n = cli_get_all(cmd, a, "param", &vals);
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(vals[i], '=');
        if (eq == NULL || eq == vals[i]) {
            return cli_usage(cmd, "--param '%s': expected KEY=VALUE", vals[i]);
        }
        char key[64];
        if ((size_t)(eq - vals[i]) >= sizeof key) {
            return cli_usage(cmd, "--param '%s': key too long", vals[i]);
        }
        snprintf(key, sizeof key, "%.*s", (int)(eq - vals[i]), vals[i]);
        fs_error err;
        fs_error_clear(&err);
        if (fs_params_set(params, key, eq + 1, &err) != FS_OK) {
            return cli_fail(err.code, &err);
        }
    }
    return 0;
}

int cli_cmd_score(const cli_cmd *cmd, cli_args *a)
{
    fs_scorefile_opts o = FS_SCOREFILE_OPTS_INIT;
    fs_params params;
    fs_buf out;
    fs_error err;
    fs_params_init(&params);
    fs_buf_init(&out, 0);
    fs_error_clear(&err);
    const char *input = cli_get(cmd, a, "input");
    int rc = a->n_positional > 0 ? cli_usage(cmd, "unexpected argument '%s'", a->positional[0])
                                 : parse_task(cmd, cli_get(cmd, a, "task"), &o.task);
    if (rc == 0 && input == NULL) {
        rc = cli_usage(cmd, "--input FILE is required");
    }
    rc = rc == 0 ? parse_params(cmd, a, &params) : rc;
    if (rc == 0) {
        o.metrics = cli_get(cmd, a, "metrics");
        o.params = &params;
        o.per_item = cli_flag(cmd, a, "per-item");
        fs_status st = fs_scorefile_run(&out, input, &o, &err);
        if (st != FS_OK) {
            rc = cli_fail(st, &err);
        } else if (fwrite(fs_buf_cstr(&out), 1, out.len, stdout) != out.len ||
                   fflush(stdout) != 0) {
            rc = cli_fail(FS_ERR_IO, NULL);
        }
    }
    fs_buf_dispose(&out);
    fs_params_dispose(&params);
    return rc;
}

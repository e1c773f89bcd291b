/* fairshake compare: two finished runs side by side (baseline, then candidate), from
 * their stores alone. Prints where compare.json went; the exit code is 0 whatever the
 * differences are (a comparison has no gate). */
#include "cli.h"

int cli_cmd_compare(const cli_cmd *cmd, cli_args *a)
{
    fs_compare_result res;
    fs_error err;
    fs_error_clear(&err);
    if (a->n_positional != 2) {
        return cli_usage(cmd, "expected two run directories: RUN_A (baseline) RUN_B (candidate)");
    }
    fs_status st =
        fs_audit_compare(a->positional[0], a->positional[1], cli_get(cmd, a, "out"), &res, &err);
    if (st != FS_OK) {
        return cli_fail(st, &err);
    }
    if (res.targets == 0) {
        fprintf(stderr, "fairshake: warning: the two runs share no target; nothing compared\n");
    }
    fprintf(stderr, "fairshake: %zu comparison%s, %zu paired\n", res.conditions,
            res.conditions == 1 ? "" : "s", res.paired);
    printf("%s/compare.json\n", res.out_dir);
    return 0;
}

/* Helpers shared by the perturb suites. */
#include "helpers.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fs_test.h"

fs_status perturb_test_new(fs_perturber **out, const char *name, const char *const *kv,
                           const char *data_dir, fs_error *err)
{
    fs_params params;
    fs_status st = FS_OK;
    fs_params_init(&params);
    for (size_t i = 0; kv != NULL && kv[i] != NULL && st == FS_OK; i++) {
        char key[64];
        const char *eq = strchr(kv[i], '=');
        size_t klen = eq != NULL ? (size_t)(eq - kv[i]) : strlen(kv[i]);
        snprintf(key, sizeof key, "%.*s", (int)klen, kv[i]);
        st = fs_params_set(&params, key, eq != NULL ? eq + 1 : "", err);
    }
    if (st == FS_OK) {
        st = fs_perturber_new(out, name, &params, data_dir, err);
    }
    fs_params_dispose(&params);
    return st;
}

char *perturb_test_apply(const char *name, const char *const *kv, const char *text, uint64_t seed,
                         const char *record_id, bool *changed)
{
    fs_perturber *p = NULL;
    fs_buf out;
    fs_buf_init(&out, 0);
    fs_error err;
    if (perturb_test_new(&p, name, kv, fs_test_source_dir(), &err) != FS_OK) {
        return NULL;
    }
    fs_status st =
        fs_perturber_apply(p, text, strlen(text), seed, record_id, NULL, 0, &out, changed, &err);
    fs_perturber_free(p);
    if (st != FS_OK) {
        fs_buf_dispose(&out);
        return NULL;
    }
    if (out.data == NULL) {
        return fs_strdup("");
    }
    return fs_buf_take(&out, NULL);
}

const char *perturb_test_data_dir(void)
{
    static char dir[600];
    if (dir[0] == '\0') {
        char sub[700];
        snprintf(dir, sizeof dir, "%s/perturb-data", fs_test_tmp_dir());
        mkdir(dir, 0700);
        snprintf(sub, sizeof sub, "%s/perturbations", dir);
        mkdir(sub, 0700);
        snprintf(sub, sizeof sub, "%s/perturbations/keyboard", dir);
        mkdir(sub, 0700);
    }
    return dir;
}

void perturb_test_write_layout(const char *layout, const char *contents)
{
    char path[800];
    snprintf(path, sizeof path, "%s/perturbations/keyboard/%s.json", perturb_test_data_dir(),
             layout);
    FILE *f = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(fwrite(contents, 1, strlen(contents), f), strlen(contents));
    CU_ASSERT_EQUAL(fclose(f), 0);
}

/* Fuzz harness for the config loader: the input is written to a scratch file and loaded
 * with fs_config_load (JSON parsing, then validation of every section); a config that
 * loads is freed. */
#include "fuzz.h"

#include "fairshake/audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[700];
    fs_config *cfg = NULL;
    fs_error err;
    if (!fuzz_write_file(path, sizeof path, "audit.json", data, size)) {
        return 0;
    }
    if (fs_config_load(&cfg, path, &err) == FS_OK) {
        fs_config_free(cfg);
    }
    return 0;
}

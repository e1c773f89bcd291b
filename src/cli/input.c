/* The texts of --input FILE for the preview commands: a .jsonl or .ndjson file as JSON
 * Lines (its text field and record ids), anything else one text per line with 1-based
 * line numbers as ids ("-": standard input). */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool is_jsonl(const char *path)
{
    size_t n = strlen(path);
    return (n > 6 && strcmp(path + n - 6, ".jsonl") == 0) ||
           (n > 7 && strcmp(path + n - 7, ".ndjson") == 0);
}

static int each_jsonl(const char *path, cli_text_fn fn, void *payload, fs_error *err)
{
    fs_dataset_opts o = FS_DATASET_OPTS_INIT;
    fs_dataset *ds = NULL;
    const fs_record *rec = NULL;
    o.format = FS_FORMAT_JSONL;
    fs_status st = fs_dataset_open(&ds, path, &o, err);
    int rc = 0;
    while (st == FS_OK && rc == 0) {
        st = fs_dataset_next(ds, &rec, err);
        if (st != FS_OK || rec == NULL) {
            break;
        }
        rc = fn(payload, rec->id, rec->input, rec->input_len, err);
    }
    fs_dataset_free(ds);
    return st != FS_OK ? cli_fail(st, err) : rc;
}

static int each_line(const char *path, cli_text_fn fn, void *payload, fs_error *err)
{
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    uint64_t no = 0;
    int rc = 0;
    if (in == NULL) {
        fprintf(stderr, "fairshake: %s: cannot open: %s\n", path, strerror(errno));
        return 2;
    }
    while (rc == 0 && (n = getline(&line, &cap, in)) >= 0) {
        char id[32];
        no++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) {
            line[--n] = '\0';
        }
        if (!fs_text_valid_utf8(line, (size_t)n)) {
            fprintf(stderr, "fairshake: %s:%llu: text: not valid UTF-8\n", path,
                    (unsigned long long)no);
            rc = 2;
            break;
        }
        snprintf(id, sizeof id, "%llu", (unsigned long long)no);
        rc = fn(payload, id, line, (size_t)n, err);
    }
    free(line);
    if (in != stdin) {
        fclose(in);
    }
    return rc;
}

int cli_each_text(const char *path, cli_text_fn fn, void *payload, fs_error *err)
{
    return is_jsonl(path) ? each_jsonl(path, fn, payload, err) : each_line(path, fn, payload, err);
}

/* fairshake identify: run the sensitive-data detectors on a text or on a file of records
 * and print what they find: category, start and end in code points (end exclusive) and
 * the text. Plain output is one tab-separated line per item (with the record id first
 * for --input); --json prints one object per record. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#define MAX_CATEGORIES 64

typedef struct finder {
    fs_identify_detector *d;
    bool json;
    bool with_id;
    fs_buf line;
} finder;

static int emit(finder *f, const char *id, const char *text, size_t len, fs_error *err)
{
    fs_identify_item *items = NULL;
    size_t n = 0;
    fs_status st = fs_identify_detect(f->d, text, len, &items, &n, err);
    if (st != FS_OK) {
        fs_error_prefix(err, "record %s", id);
        return cli_fail(st, err);
    }
    fs_buf_reset(&f->line);
    if (f->json) {
        fs_buf_puts(&f->line, "{\"id\":");
        fs_buf_put_json_string(&f->line, id, strlen(id));
        fs_buf_puts(&f->line, ",\"items\":[");
    }
    for (size_t i = 0; i < n; i++) {
        const fs_identify_item *it = &items[i];
        if (f->json) {
            fs_buf_printf(&f->line, "%s{\"category\":\"%s\",\"text\":", i ? "," : "", it->category);
            fs_buf_put_json_string(&f->line, it->text, strlen(it->text));
            fs_buf_printf(&f->line, ",\"start\":%zu,\"end\":%zu}", it->start, it->end);
            continue;
        }
        if (f->with_id) {
            fs_buf_printf(&f->line, "%s\t", id);
        }
        fs_buf_printf(&f->line, "%s\t%zu\t%zu\t%s\n", it->category, it->start, it->end, it->text);
    }
    if (f->json) {
        fs_buf_puts(&f->line, "]}\n");
    }
    fs_identify_items_free(items, n);
    if (fs_buf_status(&f->line) != FS_OK) {
        return cli_fail(FS_ERR_NOMEM, NULL);
    }
    fwrite(fs_buf_cstr(&f->line), 1, f->line.len, stdout);
    return 0;
}

static int emit_text(void *payload, const char *id, const char *text, size_t len, fs_error *err)
{
    return emit(payload, id, text, len, err);
}

/* Split "a,b,c" in place into names. */
static size_t split_categories(char *list, const char **names, size_t cap)
{
    size_t n = 0;
    for (char *s = list; s != NULL && *s != '\0' && n < cap;) {
        char *comma = strchr(s, ',');
        if (comma != NULL) {
            *comma = '\0';
        }
        if (*s != '\0') {
            names[n++] = s;
        }
        s = comma != NULL ? comma + 1 : NULL;
    }
    return n;
}

int cli_cmd_identify(const cli_cmd *cmd, cli_args *a)
{
    static char list[1024];
    const char *names[MAX_CATEGORIES];
    fs_identify_opts opts = FS_IDENTIFY_OPTS_INIT;
    finder f;
    fs_error err;
    int rc;
    const char *text = cli_get(cmd, a, "text"), *input = cli_get(cmd, a, "input");
    const char *cats = cli_get(cmd, a, "categories");
    fs_error_clear(&err);
    if ((text == NULL) == (input == NULL)) {
        return cli_usage(cmd, "give exactly one of --text and --input");
    }
    if (a->n_positional > 0) {
        return cli_usage(cmd, "unexpected argument '%s'", a->positional[0]);
    }
    if (cats != NULL) {
        snprintf(list, sizeof list, "%s", cats);
        opts.categories = names;
        opts.n_categories = split_categories(list, names, MAX_CATEGORIES);
        if (opts.n_categories == 0) {
            return cli_usage(cmd, "--categories: name at least one category");
        }
    }
    opts.file = cli_get(cmd, a, "patterns");
    memset(&f, 0, sizeof f);
    f.json = cli_flag(cmd, a, "json");
    f.with_id = input != NULL;
    fs_buf_init(&f.line, 0);
    fs_status st = fs_identify_detector_new(&f.d, fs_audit_data_dir(), &opts, &err);
    if (st != FS_OK) {
        return cli_fail(st, &err);
    }
    if (text != NULL) {
        rc = fs_text_valid_utf8(text, strlen(text)) ? emit(&f, "1", text, strlen(text), &err)
                                                    : cli_usage(cmd, "--text: not valid UTF-8");
    } else {
        rc = cli_each_text(input, emit_text, &f, &err);
    }
    fs_identify_detector_free(f.d);
    fs_buf_dispose(&f.line);
    return rc;
}

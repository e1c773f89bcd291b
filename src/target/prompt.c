/* Prompt templates: "{{input}}" and "{{label_list}}" placeholders, with optional spaces
 * inside the braces ("{{ input }}"). Everything outside a placeholder is copied verbatim;
 * single braces are ordinary text. A template is checked completely before anything is
 * rendered, so a bad template never leaves partial output in the caller's buffer. */
#include "fairshake/target.h"

#include <string.h>

static const char *const known_placeholders[] = { "input", "label_list" };

enum { PH_INPUT = 0, PH_LABEL_LIST = 1 };

/* One placeholder found in a template: [start, end) covers the braces, the name is
 * [name, name + name_len). */
typedef struct placeholder {
    size_t start, end;
    const char *name;
    size_t name_len;
} placeholder;

static bool is_template_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Find the next placeholder at or after from. *found is false when none is left. */
static fs_status next_placeholder(placeholder *ph, bool *found, const char *tmpl, size_t from,
                                  fs_error *err)
{
    *found = false;
    const char *open = strstr(tmpl + from, "{{");
    if (open == NULL) {
        return FS_OK;
    }
    const char *close = strstr(open + 2, "}}");
    if (close == NULL) {
        return FS_FAIL(err, FS_ERR_CONFIG, "prompt: unterminated '{{' at offset %zu",
                       (size_t)(open - tmpl));
    }
    const char *a = open + 2, *b = close;
    while (a < b && is_template_space(*a)) {
        a++;
    }
    while (b > a && is_template_space(b[-1])) {
        b--;
    }
    ph->start = (size_t)(open - tmpl);
    ph->end = (size_t)(close + 2 - tmpl);
    ph->name = a;
    ph->name_len = (size_t)(b - a);
    *found = true;
    return FS_OK;
}

/* Index of a known placeholder, or an FS_ERR_CONFIG naming the nearest known one. */
static fs_status classify(int *kind, const placeholder *ph, fs_error *err)
{
    size_t n_known = sizeof known_placeholders / sizeof known_placeholders[0];
    for (size_t i = 0; i < n_known; i++) {
        if (strlen(known_placeholders[i]) == ph->name_len &&
            memcmp(known_placeholders[i], ph->name, ph->name_len) == 0) {
            *kind = (int)i;
            return FS_OK;
        }
    }
    char name[64];
    size_t shown = ph->name_len < sizeof name - 1 ? ph->name_len : sizeof name - 1;
    memcpy(name, ph->name, shown);
    name[shown] = '\0';
    const char *near = fs_nearest(name, known_placeholders, n_known);
    if (near != NULL) {
        return FS_FAIL(err, FS_ERR_CONFIG,
                       "prompt: unknown placeholder '{{%s}}' (did you mean '{{%s}}'?)", name, near);
    }
    return FS_FAIL(err, FS_ERR_CONFIG,
                   "prompt: unknown placeholder '{{%s}}' (known: '{{input}}', '{{label_list}}')",
                   name);
}

fs_status fs_prompt_check(const char *tmpl, fs_error *err)
{
    if (tmpl == NULL) {
        return FS_FAIL(err, FS_ERR_CONFIG, "prompt: template is missing");
    }
    size_t pos = 0;
    for (;;) {
        placeholder ph;
        bool found = false;
        int kind = 0;
        fs_status st = next_placeholder(&ph, &found, tmpl, pos, err);
        if (st != FS_OK || !found) {
            return st;
        }
        st = classify(&kind, &ph, err);
        if (st != FS_OK) {
            return st;
        }
        pos = ph.end;
    }
}

static void put_label_list(fs_buf *out, const char *const *labels, size_t n_labels)
{
    for (size_t i = 0; i < n_labels; i++) {
        if (i > 0) {
            fs_buf_puts(out, ", ");
        }
        fs_buf_puts(out, labels[i]);
    }
}

fs_status fs_prompt_render(fs_buf *out, const char *tmpl, const char *input, size_t n,
                           const char *const *labels, size_t n_labels, fs_error *err)
{
    fs_status st = fs_prompt_check(tmpl, err);
    if (st != FS_OK) {
        return st;
    }
    size_t pos = 0;
    for (;;) {
        placeholder ph;
        bool found = false;
        int kind = 0;
        st = next_placeholder(&ph, &found, tmpl, pos, err);
        if (st == FS_OK && found) {
            st = classify(&kind, &ph, err);
        }
        if (st != FS_OK) {
            return st;
        }
        if (!found) {
            fs_buf_puts(out, tmpl + pos);
            break;
        }
        fs_buf_append(out, tmpl + pos, ph.start - pos);
        if (kind == PH_INPUT) {
            fs_buf_append(out, input != NULL ? input : "", input != NULL ? n : 0);
        } else {
            put_label_list(out, labels, n_labels);
        }
        pos = ph.end;
    }
    st = fs_buf_status(out);
    if (st != FS_OK) {
        return FS_FAIL(err, st, "prompt: cannot render: %s", fs_status_text(st));
    }
    return FS_OK;
}

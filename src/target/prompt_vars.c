/* Prompt templates with named values ({{input}}, {{context}}, {{input2}}, ...): the task
 * decides which names exist, so a template that names another is refused when the config
 * is loaded, with the nearest known name. Values are inserted as they are. */
#include "fairshake/target.h"

#include <stdio.h>
#include <string.h>

/* The placeholder name inside "{{ name }}" at tmpl[at]: [*ns, *ne) and the end past the
 * closing braces in *after. false when the braces are not closed. */
static bool placeholder(const char *tmpl, size_t at, size_t *ns, size_t *ne, size_t *after)
{
    const char *close = strstr(tmpl + at + 2, "}}");
    if (close == NULL) {
        return false;
    }
    size_t s = at + 2, e = (size_t)(close - tmpl);
    while (s < e && tmpl[s] == ' ') {
        s++;
    }
    while (e > s && tmpl[e - 1] == ' ') {
        e--;
    }
    *ns = s;
    *ne = e;
    *after = (size_t)(close - tmpl) + 2;
    return true;
}

static long lookup(const char *name, size_t len, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0) {
            return (long)i;
        }
    }
    return -1;
}

static fs_status walk(fs_buf *out, const char *tmpl, const char *const *names,
                      const char *const *values, const size_t *lens, size_t n, fs_error *err)
{
    size_t i = 0, copied = 0, len = strlen(tmpl);
    while (i + 1 < len) {
        if (tmpl[i] != '{' || tmpl[i + 1] != '{') {
            i++;
            continue;
        }
        size_t ns, ne, after;
        if (!placeholder(tmpl, i, &ns, &ne, &after)) {
            return FS_FAIL(err, FS_ERR_CONFIG, "prompt: '{{' at offset %zu is never closed", i);
        }
        long k = lookup(tmpl + ns, ne - ns, names, n);
        if (k < 0) {
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)(ne - ns), tmpl + ns);
            const char *near = fs_nearest(name, names, n);
            return FS_FAIL(err, FS_ERR_CONFIG, "prompt: unknown placeholder '{{%s}}'%s%s%s", name,
                           near ? " (did you mean '{{" : "", near ? near : "", near ? "}}'?)" : "");
        }
        if (out != NULL) {
            fs_buf_append(out, tmpl + copied, i - copied);
            const char *v = values[k] ? values[k] : "";
            fs_buf_append(out, v, lens ? lens[k] : strlen(v));
        }
        i = copied = after;
    }
    if (out != NULL) {
        fs_buf_append(out, tmpl + copied, len - copied);
    }
    return FS_OK;
}

fs_status fs_prompt_render_vars(fs_buf *out, const char *tmpl, const char *const *names,
                                const char *const *values, const size_t *lens, size_t n,
                                fs_error *err)
{
    return walk(out, tmpl, names, values, lens, n, err);
}

fs_status fs_prompt_check_vars(const char *tmpl, const char *const *names, size_t n, fs_error *err)
{
    return walk(NULL, tmpl, names, NULL, NULL, n, err);
}

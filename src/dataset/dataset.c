/* Dataset readers: open a JSONL, CSV, TSV, GLUE, SQuAD or WMT dataset and hand out one
 * record at a time.
 *
 * Invariants: a file is read through a fixed FS_DATASET_CHUNK read-ahead buffer and the
 * current line or record is held in one fs_buf capped at max_record_bytes, so memory stays
 * bounded whatever the file size (a SQuAD document, being one JSON value, is the
 * exception: it is held whole, up to its own limit). A UTF-8 byte order mark at the start is
 * skipped. A bad record is reported with "path:line: field: problem" and consumed, so the next call
 * goes on with the following record; a read error is sticky. Record pointers are borrowed until the
 * next call. */
#include "dataset/dataset_int.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

static bool refill(fs_dataset *ds)
{
    if (ds->eof) {
        return false;
    }
    ds->pos = 0;
    ds->len = fread(ds->chunk, 1, FS_DATASET_CHUNK, ds->f);
    if (ds->len == 0) {
        ds->eof = true;
        ds->io_error = ferror(ds->f) != 0;
        ds->io_errno = errno;
        return false;
    }
    return true;
}

int fs_dataset__getc(fs_dataset *ds)
{
    if (ds->pos == ds->len && !refill(ds)) {
        return -1;
    }
    return (unsigned char)ds->chunk[ds->pos++];
}

int fs_dataset__peek(fs_dataset *ds)
{
    if (ds->pos == ds->len && !refill(ds)) {
        return -1;
    }
    return (unsigned char)ds->chunk[ds->pos];
}

fs_status fs_dataset__io_status(fs_dataset *ds, fs_error *err)
{
    if (ds->io_error) {
        return FS_FAIL(err, FS_ERR_IO, "%s: read error: %s", ds->path, strerror(ds->io_errno));
    }
    return FS_OK;
}

fs_status fs_dataset__check_text(fs_dataset *ds, uint64_t line, const char *field, const char *s,
                                 size_t n, fs_error *err)
{
    if (fs_text_valid_utf8(s, n)) {
        return FS_OK;
    }
    if (memchr(s, '\0', n) != NULL) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s:%" PRIu64 ": %s: contains a NUL character", ds->path,
                       line, field);
    }
    return FS_FAIL(err, FS_ERR_INPUT, "%s:%" PRIu64 ": %s: invalid UTF-8", ds->path, line, field);
}

fs_status fs_dataset__buf_error(fs_dataset *ds, uint64_t line, fs_error *err)
{
    if (fs_buf_status(&ds->buf) == FS_ERR_LIMIT) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s:%" PRIu64 ": record longer than %zu bytes", ds->path,
                       line, ds->max);
    }
    return FS_FAIL(err, FS_ERR_NOMEM, "%s:%" PRIu64 ": out of memory", ds->path, line);
}

void fs_dataset__read_line(fs_dataset *ds, bool *got)
{
    fs_buf_reset(&ds->buf);
    *got = false;
    for (;;) {
        if (ds->pos == ds->len && fs_dataset__peek(ds) < 0) {
            break;
        }
        *got = true;
        const char *start = ds->chunk + ds->pos;
        const char *nl = memchr(start, '\n', ds->len - ds->pos);
        size_t n = nl != NULL ? (size_t)(nl - start) : ds->len - ds->pos;
        fs_buf_append(&ds->buf, start, n);
        ds->pos += n;
        if (nl != NULL) {
            ds->pos++;
            break;
        }
    }
    if (*got) {
        ds->line++;
        if (ds->buf.len > 0 && ds->buf.data[ds->buf.len - 1] == '\r') {
            ds->buf.data[--ds->buf.len] = '\0';
        }
    }
}

fs_status fs_dataset__reserve_refs(fs_dataset *ds, size_t n, uint64_t line, fs_error *err)
{
    if (n <= ds->cap_refs) {
        return FS_OK;
    }
    size_t bytes = 0;
    const char **p = NULL;
    if (fs_size_mul(&bytes, n, sizeof *p)) {
        p = fs_realloc(ds->refs, bytes);
    }
    if (p == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "%s:%" PRIu64 ": out of memory", ds->path, line);
    }
    ds->refs = p;
    ds->cap_refs = n;
    return FS_OK;
}

static bool ascii_ieq(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : *a;
        if (x != *b) {
            return false;
        }
    }
    return *a == *b;
}

static fs_status format_from_extension(const char *path, fs_dataset_format *out, fs_error *err)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash != NULL ? slash : path, '.');
    const char *ext = dot != NULL ? dot + 1 : "";
    if (ascii_ieq(ext, "jsonl") || ascii_ieq(ext, "ndjson")) {
        *out = FS_FORMAT_JSONL;
    } else if (ascii_ieq(ext, "csv")) {
        *out = FS_FORMAT_CSV;
    } else if (ascii_ieq(ext, "tsv")) {
        *out = FS_FORMAT_TSV;
    } else {
        return FS_FAIL(err, FS_ERR_CONFIG,
                       "%s: cannot tell the dataset format from the file name; set "
                       "dataset.format to jsonl, csv or tsv (or glue, squad, wmt)",
                       path);
    }
    return FS_OK;
}

bool fs_dataset_format_parse(const char *name, fs_dataset_format *out)
{
    static const struct {
        const char *name;
        fs_dataset_format format;
    } names[] = {
        { "auto", FS_FORMAT_AUTO },   { "jsonl", FS_FORMAT_JSONL }, { "ndjson", FS_FORMAT_JSONL },
        { "csv", FS_FORMAT_CSV },     { "tsv", FS_FORMAT_TSV },     { "glue", FS_FORMAT_GLUE },
        { "squad", FS_FORMAT_SQUAD }, { "wmt", FS_FORMAT_WMT },
    };
    for (size_t i = 0; name != NULL && i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(name, names[i].name) == 0) {
            *out = names[i].format;
            return true;
        }
    }
    return false;
}

static bool copy_field(char **dst, const char *src)
{
    if (src == NULL || src[0] == '\0') {
        *dst = NULL;
        return true;
    }
    *dst = fs_strdup(src);
    return *dst != NULL;
}

static fs_status copy_opts(fs_dataset *ds, const char *path, const fs_dataset_opts *o,
                           fs_error *err)
{
    ds->path = fs_strdup(path);
    bool ok = ds->path != NULL && copy_field(&ds->input_field, o->input_field) &&
              copy_field(&ds->label_field, o->label_field) &&
              copy_field(&ds->group_field, o->group_field) &&
              copy_field(&ds->id_field, o->id_field) &&
              copy_field(&ds->input2_field, o->input2_field) &&
              copy_field(&ds->context_field, o->context_field) &&
              copy_field(&ds->refs_field, o->refs_field);
    if (!ok) {
        return FS_FAIL(err, FS_ERR_NOMEM, "%s: out of memory", path);
    }
    ds->max = o->max_record_bytes != 0 ? o->max_record_bytes : FS_DATASET_DEFAULT_MAX;
    fs_buf_init(&ds->buf, ds->max);
    fs_buf_init(&ds->objs, 0);
    ds->format = o->format;
    if (ds->format == FS_FORMAT_SQUAD && o->max_record_bytes == 0) {
        ds->max = FS_DATASET_SQUAD_MAX;
    }
    if (ds->format == FS_FORMAT_AUTO) {
        return format_from_extension(path, &ds->format, err);
    }
    if (ds->format < FS_FORMAT_JSONL || ds->format > FS_FORMAT_WMT) {
        return FS_FAIL(err, FS_ERR_USAGE, "%s: unknown dataset format %d", path, (int)o->format);
    }
    return FS_OK;
}

static fs_status open_file(fs_dataset *ds, fs_error *err)
{
    struct stat sb;
    ds->f = fopen(ds->path, "rb");
    if (ds->f == NULL) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: cannot open the dataset: %s", ds->path,
                       strerror(errno));
    }
    if (fstat(fileno(ds->f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: cannot open the dataset: it is a directory",
                       ds->path);
    }
    ds->chunk = fs_malloc(FS_DATASET_CHUNK);
    if (ds->chunk == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "%s: out of memory", ds->path);
    }
    if (refill(ds) && ds->len >= 3 && memcmp(ds->chunk, "\xEF\xBB\xBF", 3) == 0) {
        ds->pos = 3;
    }
    return fs_dataset__io_status(ds, err);
}

fs_status fs_dataset__open_raw(fs_dataset **out, const char *path, size_t max, fs_error *err)
{
    *out = NULL;
    fs_dataset *ds = fs_calloc(1, sizeof *ds);
    if (ds == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "%s: out of memory", path);
    }
    ds->format = FS_FORMAT_WMT;
    ds->max = max;
    fs_buf_init(&ds->buf, max);
    ds->path = fs_strdup(path);
    fs_status st = ds->path != NULL ? open_file(ds, err)
                                    : FS_FAIL(err, FS_ERR_NOMEM, "%s: out of memory", path);
    if (st != FS_OK) {
        fs_dataset_free(ds);
        return st;
    }
    *out = ds;
    return FS_OK;
}

/* The format's own setup after the options are copied. */
static fs_status open_format(fs_dataset *ds, const fs_dataset_opts *o, fs_error *err)
{
    if (ds->format == FS_FORMAT_SQUAD) {
        return fs_dataset__squad_open(ds, err);
    }
    fs_status st = open_file(ds, err);
    if (st != FS_OK) {
        return st;
    }
    if (ds->format == FS_FORMAT_WMT) {
        return fs_dataset__wmt_open(ds, o, err);
    }
    if (ds->format == FS_FORMAT_CSV || ds->format == FS_FORMAT_TSV ||
        ds->format == FS_FORMAT_GLUE) {
        return fs_dataset__csv_header(ds, err);
    }
    return FS_OK;
}

fs_status fs_dataset_open(fs_dataset **out, const char *path, const fs_dataset_opts *opts,
                          fs_error *err)
{
    *out = NULL;
    fs_dataset_opts defaults = FS_DATASET_OPTS_INIT;
    const fs_dataset_opts *o = opts != NULL ? opts : &defaults;
    if (path == NULL || o->input_field == NULL || o->input_field[0] == '\0') {
        return FS_FAIL(err, FS_ERR_USAGE, "dataset: a path and an input field are required");
    }
    fs_dataset *ds = fs_calloc(1, sizeof *ds);
    if (ds == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "%s: out of memory", path);
    }
    fs_status st = copy_opts(ds, path, o, err);
    if (st == FS_OK) {
        st = open_format(ds, o, err);
    }
    if (st != FS_OK) {
        fs_dataset_free(ds);
        return st;
    }
    *out = ds;
    return FS_OK;
}

fs_status fs_dataset_next(fs_dataset *ds, const fs_record **out, fs_error *err)
{
    *out = NULL;
    switch (ds->format) {
    case FS_FORMAT_JSONL:
        return fs_dataset__jsonl_next(ds, out, err);
    case FS_FORMAT_SQUAD:
        return fs_dataset__squad_next(ds, out, err);
    case FS_FORMAT_WMT:
        return fs_dataset__wmt_next(ds, out, err);
    default:
        return fs_dataset__csv_next(ds, out, err);
    }
}

void fs_dataset_free(fs_dataset *ds)
{
    if (ds == NULL) {
        return;
    }
    fs_dataset__jsonl_dispose(ds);
    fs_dataset__csv_dispose(ds);
    fs_dataset__squad_dispose(ds);
    fs_dataset__wmt_dispose(ds);
    if (ds->f != NULL) {
        fclose(ds->f);
    }
    fs_free(ds->chunk);
    fs_buf_dispose(&ds->buf);
    fs_buf_dispose(&ds->objs);
    fs_free(ds->path);
    fs_free(ds->input_field);
    fs_free(ds->label_field);
    fs_free(ds->group_field);
    fs_free(ds->id_field);
    fs_free(ds->input2_field);
    fs_free(ds->context_field);
    fs_free(ds->refs_field);
    fs_free(ds->refs);
    fs_free(ds);
}

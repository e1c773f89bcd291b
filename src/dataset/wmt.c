/* WMT-style parallel text: a source file with one segment per line and one or more
 * reference files, line-aligned with it (line i of each reference translates line i of
 * the source). One record per source line: id and line are the line number, input the
 * source segment, refs the reference segments in the order of ref_paths.
 *
 * Invariants: the line counts of every file are compared when the dataset is opened, so
 * a misaligned corpus is refused before any record is handed out; each file is then read
 * through its own bounded line reader (a bare fs_dataset), one line at a time. Empty
 * lines are records (skipping them would break the alignment). Each line is checked to be
 * UTF-8 without NUL bytes; a byte order mark at the start of any file is skipped. */
#include "dataset/dataset_int.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

void fs_dataset__wmt_dispose(fs_dataset *ds)
{
    for (size_t i = 0; i < ds->n_wmt_refs; i++) {
        fs_dataset_free(ds->wmt_refs[i]);
    }
    fs_free(ds->wmt_refs);
    ds->wmt_refs = NULL;
    ds->n_wmt_refs = 0;
}

/* Number of lines of a file: its LF count, plus one for a last line without LF. */
static fs_status count_lines(const char *path, uint64_t *out, fs_error *err)
{
    char chunk[16384];
    uint64_t n = 0;
    bool partial = false;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: cannot open the dataset: %s", path, strerror(errno));
    }
    for (;;) {
        size_t got = fread(chunk, 1, sizeof chunk, f);
        for (const char *p = chunk; got > 0 && (p = memchr(p, '\n', got - (size_t)(p - chunk)));
             p++) {
            n++;
        }
        if (got > 0) {
            partial = chunk[got - 1] != '\n';
        }
        if (got < sizeof chunk) {
            break;
        }
    }
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad) {
        return FS_FAIL(err, FS_ERR_IO, "%s: read error", path);
    }
    *out = n + (partial ? 1 : 0);
    return FS_OK;
}

fs_status fs_dataset__wmt_open(fs_dataset *ds, const fs_dataset_opts *opts, fs_error *err)
{
    uint64_t src_lines = 0;
    if (opts->n_ref_paths == 0 || opts->ref_paths == NULL) {
        return FS_FAIL(err, FS_ERR_USAGE,
                       "%s: a WMT dataset needs at least one reference file (dataset.references)",
                       ds->path);
    }
    fs_status st = count_lines(ds->path, &src_lines, err);
    ds->wmt_refs = st == FS_OK ? fs_calloc(opts->n_ref_paths, sizeof *ds->wmt_refs) : NULL;
    if (st == FS_OK && ds->wmt_refs == NULL) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "%s: out of memory", ds->path);
    }
    for (size_t i = 0; st == FS_OK && i < opts->n_ref_paths; i++) {
        const char *ref = opts->ref_paths[i];
        uint64_t ref_lines = 0;
        if (ref == NULL) {
            return FS_FAIL(err, FS_ERR_USAGE, "%s: reference path %zu is NULL", ds->path, i);
        }
        st = count_lines(ref, &ref_lines, err);
        if (st == FS_OK && ref_lines != src_lines) {
            return FS_FAIL(err, FS_ERR_INPUT,
                           "%s has %" PRIu64 " lines but its reference %s has %" PRIu64
                           ": the files must be line-aligned",
                           ds->path, src_lines, ref, ref_lines);
        }
        if (st == FS_OK) {
            st = fs_dataset__open_raw(&ds->wmt_refs[i], ref, ds->max, err);
        }
        ds->n_wmt_refs = st == FS_OK ? i + 1 : i;
    }
    return st;
}

/* Read line `line` of reference reader r into ds->refs[i]. */
static fs_status read_ref(fs_dataset *ds, fs_dataset *r, size_t i, uint64_t line, fs_error *err)
{
    bool got = false;
    fs_dataset__read_line(r, &got);
    if (!got) {
        fs_status st = fs_dataset__io_status(r, err);
        return st != FS_OK ? st
                           : FS_FAIL(err, FS_ERR_INPUT,
                                     "%s:%" PRIu64 ": the reference ended before its source %s",
                                     r->path, line, ds->path);
    }
    if (fs_buf_status(&r->buf) != FS_OK) {
        return fs_dataset__buf_error(r, line, err);
    }
    const char *text = fs_buf_cstr(&r->buf);
    if (i < ds->cap_refs) {
        ds->refs[i] = text;
    }
    return fs_dataset__check_text(r, line, "reference", text, r->buf.len, err);
}

fs_status fs_dataset__wmt_next(fs_dataset *ds, const fs_record **out, fs_error *err)
{
    bool got = false;
    memset(&ds->rec, 0, sizeof ds->rec);
    fs_dataset__read_line(ds, &got);
    if (!got) {
        return fs_dataset__io_status(ds, err);
    }
    fs_record *r = &ds->rec;
    r->index = ds->index++;
    r->line = ds->line;
    fs_status st =
        fs_buf_status(&ds->buf) != FS_OK ? fs_dataset__buf_error(ds, ds->line, err) : FS_OK;
    if (st == FS_OK) {
        st =
            fs_dataset__check_text(ds, ds->line, "source", fs_buf_cstr(&ds->buf), ds->buf.len, err);
    }
    if (st == FS_OK) {
        st = fs_dataset__reserve_refs(ds, ds->n_wmt_refs, ds->line, err);
    }
    /* every reference line is read, even after an error, to keep the files aligned */
    for (size_t i = 0; i < ds->n_wmt_refs; i++) {
        fs_error local = { 0 };
        fs_status rs = read_ref(ds, ds->wmt_refs[i], i, ds->line, st == FS_OK ? err : &local);
        st = st == FS_OK ? rs : st;
    }
    if (st != FS_OK) {
        memset(r, 0, sizeof *r);
        return st;
    }
    snprintf(ds->id_text, sizeof ds->id_text, "%" PRIu64, ds->line);
    r->id = ds->id_text;
    r->input = fs_buf_cstr(&ds->buf);
    r->input_len = ds->buf.len;
    r->refs = ds->refs;
    r->n_refs = ds->n_wmt_refs;
    *out = r;
    return FS_OK;
}

/* CSV (RFC 4180), TSV and GLUE TSV reader: the first row names the columns; the configured
 * fields are picked out of each later row by column name. GLUE is TSV whose unset fields
 * default to the column names of the GLUE tasks, and whose label column may be absent
 * (test splits).
 *
 * Invariants: a record is read byte by byte into ds->buf as its fields, each followed by a
 * NUL, with ds->fields holding where each starts; the buffer is capped at
 * max_record_bytes and a record over it is consumed and reported. In CSV a field that
 * starts with a quote runs to the matching quote ("" is a literal quote) and may hold
 * separators and newlines, so one record can span lines; a quote inside an unquoted field
 * is literal. TSV has no quoting: quotes are literal and a record is one line. CRLF and LF
 * both end a record; a blank line is skipped. */
#include "dataset/dataset_int.h"

#include <inttypes.h>
#include <string.h>

#define NO_COLUMN SIZE_MAX

/* Where one record's scan stands. */
typedef struct scan {
    size_t field_start; /* buf offset of the current field */
    bool quoted;        /* the current field started with a quote */
    bool in_quotes;
    bool after_quote; /* the current field's closing quote was seen */
    bool any_quote;
    uint64_t start_line; /* line where the record starts */
    uint64_t quote_line; /* line where the open quoted field started */
    size_t bad_field;    /* field with text after its closing quote, or NO_COLUMN */
    uint64_t bad_line;
    bool nomem;
} scan;

void fs_dataset__csv_dispose(fs_dataset *ds)
{
    for (size_t i = 0; i < ds->n_columns; i++) {
        fs_free(ds->columns[i]);
    }
    fs_free(ds->columns);
    fs_free(ds->fields);
    ds->columns = NULL;
    ds->n_columns = 0;
    ds->fields = NULL;
    ds->n_fields = 0;
    ds->cap_fields = 0;
}

static void new_field(fs_dataset *ds, scan *sc)
{
    sc->field_start = ds->buf.len;
    sc->quoted = false;
    sc->after_quote = false;
    if (fs_buf_status(&ds->buf) != FS_OK || sc->nomem) {
        ds->n_fields++; /* the record is reported as an error; stop storing offsets */
        return;
    }
    if (ds->n_fields == ds->cap_fields) {
        size_t cap = ds->cap_fields < 16 ? 16 : ds->cap_fields, bytes;
        size_t *p = NULL;
        if (fs_size_mul(&cap, cap, 2) && fs_size_mul(&bytes, cap, sizeof *p)) {
            p = fs_realloc(ds->fields, bytes);
        }
        if (p == NULL) {
            sc->nomem = true;
            ds->n_fields++;
            return;
        }
        ds->fields = p;
        ds->cap_fields = cap;
    }
    ds->fields[ds->n_fields++] = ds->buf.len;
}

/* One byte inside a quoted field. */
static void quoted_byte(fs_dataset *ds, scan *sc, int c)
{
    if (c == '"') {
        if (fs_dataset__peek(ds) == '"') {
            fs_dataset__getc(ds);
            fs_buf_putc(&ds->buf, '"');
        } else {
            sc->in_quotes = false;
            sc->after_quote = true;
        }
        return;
    }
    if (c == '\n') {
        ds->line++;
    }
    fs_buf_putc(&ds->buf, (char)c);
}

/* One byte outside quotes; false when it ends the record. */
static bool plain_byte(fs_dataset *ds, scan *sc, int c)
{
    char sep = ds->format == FS_FORMAT_CSV ? ',' : '\t';
    if (c < 0 || c == '\n') {
        return false;
    }
    if (c == '\r' && fs_dataset__peek(ds) == '\n') {
        return true;
    }
    if (c == sep) {
        fs_buf_putc(&ds->buf, '\0');
        new_field(ds, sc);
        return true;
    }
    if (c == '"' && ds->format == FS_FORMAT_CSV && !sc->quoted && ds->buf.len == sc->field_start) {
        sc->quoted = sc->in_quotes = sc->any_quote = true;
        sc->quote_line = ds->line;
        return true;
    }
    if (sc->after_quote && sc->bad_field == NO_COLUMN) {
        sc->bad_field = ds->n_fields - 1;
        sc->bad_line = ds->line;
    }
    fs_buf_putc(&ds->buf, (char)c);
    return true;
}

/* Read one record into ds->buf and ds->fields. *got is false at the end of the file;
 * *blank is true for an empty line. */
static fs_status read_record(fs_dataset *ds, scan *sc, bool *got, bool *blank, fs_error *err)
{
    memset(sc, 0, sizeof *sc);
    sc->bad_field = NO_COLUMN;
    fs_buf_reset(&ds->buf);
    ds->n_fields = 0;
    int c = fs_dataset__getc(ds);
    *got = c >= 0;
    *blank = false;
    if (!*got) {
        return fs_dataset__io_status(ds, err);
    }
    ds->line++;
    sc->start_line = ds->line;
    new_field(ds, sc);
    for (;; c = fs_dataset__getc(ds)) {
        if (!sc->in_quotes) {
            if (!plain_byte(ds, sc, c)) {
                break;
            }
        } else if (c < 0) {
            fs_status st = fs_dataset__io_status(ds, err);
            return st != FS_OK ? st
                               : FS_FAIL(err, FS_ERR_INPUT,
                                         "%s:%" PRIu64 ": unterminated quoted field: the quote "
                                         "that opens it has no closing quote",
                                         ds->path, sc->quote_line);
        } else {
            quoted_byte(ds, sc, c);
        }
    }
    fs_buf_putc(&ds->buf, '\0');
    *blank = ds->n_fields == 1 && ds->buf.len == 1 && !sc->any_quote;
    return fs_dataset__io_status(ds, err);
}

/* Field i of the current record and its length. */
static const char *field(const fs_dataset *ds, size_t i, size_t *len)
{
    size_t start = ds->fields[i];
    size_t end = i + 1 < ds->n_fields ? ds->fields[i + 1] - 1 : ds->buf.len - 1;
    *len = end - start;
    return ds->buf.data + start;
}

/* Read records until a non-blank one; *got is false at the end of the file. */
static fs_status next_row(fs_dataset *ds, bool *got, uint64_t *line, fs_error *err)
{
    scan sc;
    bool blank = true;
    fs_status st = FS_OK;
    while (st == FS_OK && blank) {
        st = read_record(ds, &sc, got, &blank, err);
        *line = sc.start_line;
        if (!*got) {
            return st;
        }
    }
    if (st != FS_OK) {
        return st;
    }
    if (fs_buf_status(&ds->buf) != FS_OK) {
        return fs_dataset__buf_error(ds, *line, err);
    }
    if (sc.nomem) {
        return FS_FAIL(err, FS_ERR_NOMEM, "%s:%" PRIu64 ": out of memory", ds->path, *line);
    }
    if (sc.bad_field != NO_COLUMN) {
        char name[32];
        const char *col = sc.bad_field < ds->n_columns ? ds->columns[sc.bad_field] : name;
        snprintf(name, sizeof name, "field %zu", sc.bad_field + 1);
        return FS_FAIL(err, FS_ERR_INPUT,
                       "%s:%" PRIu64 ": %s: unexpected text after a closing quote", ds->path,
                       sc.bad_line, col);
    }
    return FS_OK;
}

static fs_status no_such_column(fs_dataset *ds, uint64_t line, const char *name, fs_error *err)
{
    fs_buf list;
    fs_buf_init(&list, 0);
    for (size_t i = 0; i < ds->n_columns; i++) {
        if (list.len > 100) {
            fs_buf_puts(&list, ", \xE2\x80\xA6");
            break;
        }
        fs_buf_puts(&list, i > 0 ? ", " : "");
        fs_buf_puts(&list, ds->columns[i]);
    }
    const char *near = fs_nearest(name, (const char *const *)ds->columns, ds->n_columns);
    fs_status st =
        FS_FAIL(err, FS_ERR_INPUT, "%s:%" PRIu64 ": %s: no such column (columns: %s)%s%s%s",
                ds->path, line, name, fs_buf_cstr(&list), near != NULL ? "; did you mean '" : "",
                near != NULL ? near : "", near != NULL ? "'?" : "");
    fs_buf_dispose(&list);
    return st;
}

static fs_status find_column(fs_dataset *ds, uint64_t line, const char *name, size_t *out,
                             fs_error *err)
{
    *out = NO_COLUMN;
    if (name == NULL) {
        return FS_OK;
    }
    for (size_t i = 0; i < ds->n_columns; i++) {
        if (strcmp(ds->columns[i], name) == 0) {
            *out = i;
            return FS_OK;
        }
    }
    return no_such_column(ds, line, name, err);
}

static bool has_column(const fs_dataset *ds, const char *name)
{
    for (size_t i = 0; name != NULL && i < ds->n_columns; i++) {
        if (strcmp(ds->columns[i], name) == 0) {
            return true;
        }
    }
    return false;
}

/* Set *field to the first of the candidate columns the header has, unless it is set. */
static bool glue_pick(const fs_dataset *ds, char **field, const char *const *cands, size_t n,
                      size_t *which)
{
    if (*field != NULL) {
        return true;
    }
    for (size_t i = 0; i < n; i++) {
        if (has_column(ds, cands[i])) {
            *which = i;
            *field = fs_strdup(cands[i]);
            return *field != NULL;
        }
    }
    return true;
}

/* GLUE's column names for the fields left unset (the input field counts as unset when
 * the header has no column of its name). */
static bool glue_defaults(fs_dataset *ds)
{
    /* a pair's first column before "sentence": QNLI has both "question" and "sentence" */
    static const char *const inputs[] = { "question", "sentence1", "question1", "#1 String",
                                          "sentence" };
    static const char *const pairs[] = { "sentence", "sentence2", "question2", "#2 String", NULL };
    static const char *const labels[] = { "label", "Quality", "gold_label", "is_duplicate" };
    static const char *const ids[] = { "index", "id" };
    size_t which = SIZE_MAX, unused = 0;
    if (!has_column(ds, ds->input_field)) {
        char *old = ds->input_field;
        ds->input_field = NULL;
        if (!glue_pick(ds, &ds->input_field, inputs, 5, &which)) {
            ds->input_field = old;
            return false;
        }
        if (ds->input_field == NULL) {
            ds->input_field = old; /* reported as a missing column */
        } else {
            fs_free(old);
        }
    }
    bool ok = true;
    if (which != SIZE_MAX && pairs[which] != NULL && has_column(ds, pairs[which])) {
        ok = glue_pick(ds, &ds->input2_field, &pairs[which], 1, &unused);
    }
    ok = ok && glue_pick(ds, &ds->label_field, labels, 4, &unused) &&
         glue_pick(ds, &ds->id_field, ids, 2, &unused);
    return ok;
}

fs_status fs_dataset__csv_header(fs_dataset *ds, fs_error *err)
{
    bool got = false;
    uint64_t line = 0;
    fs_status st = next_row(ds, &got, &line, err);
    if (st != FS_OK) {
        return st;
    }
    if (!got) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s:1: empty file: expected a header row", ds->path);
    }
    ds->columns = fs_calloc(ds->n_fields, sizeof *ds->columns);
    if (ds->columns == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "%s: out of memory", ds->path);
    }
    for (size_t i = 0; i < ds->n_fields; i++) {
        size_t n = 0;
        const char *name = field(ds, i, &n);
        ds->columns[i] = fs_strndup(name, n);
        if (ds->columns[i] == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "%s: out of memory", ds->path);
        }
        ds->n_columns = i + 1;
    }
    if (ds->format == FS_FORMAT_GLUE && !glue_defaults(ds)) {
        return FS_FAIL(err, FS_ERR_NOMEM, "%s: out of memory", ds->path);
    }
    const char *names[] = { ds->input_field,  ds->label_field,   ds->group_field, ds->id_field,
                            ds->input2_field, ds->context_field, ds->refs_field };
    size_t *cols[] = { &ds->col_input,  &ds->col_label,   &ds->col_group, &ds->col_id,
                       &ds->col_input2, &ds->col_context, &ds->col_refs };
    for (size_t i = 0; st == FS_OK && i < sizeof cols / sizeof cols[0]; i++) {
        st = find_column(ds, line, names[i], cols[i], err);
    }
    return st;
}

/* The text of a wanted column, checked; NULL when the column is not wanted. */
static fs_status column_text(fs_dataset *ds, uint64_t line, size_t col, const char *name,
                             const char **out, size_t *len, fs_error *err)
{
    *out = NULL;
    *len = 0;
    if (col == NO_COLUMN) {
        return FS_OK;
    }
    *out = field(ds, col, len);
    return fs_dataset__check_text(ds, line, name, *out, *len, err);
}

/* The second text, the context and the reference (one per row) when configured. */
static fs_status fill_extras(fs_dataset *ds, uint64_t line, fs_error *err)
{
    fs_record *r = &ds->rec;
    size_t n = 0;
    const char *ref = NULL;
    fs_status st = column_text(ds, line, ds->col_input2, ds->input2_field, &r->input2, &n, err);
    if (st == FS_OK) {
        st = column_text(ds, line, ds->col_context, ds->context_field, &r->context, &n, err);
    }
    if (st == FS_OK) {
        st = column_text(ds, line, ds->col_refs, ds->refs_field, &ref, &n, err);
    }
    if (st == FS_OK && ref != NULL) {
        st = fs_dataset__reserve_refs(ds, 1, line, err);
        if (st == FS_OK) {
            ds->refs[0] = ref;
            r->refs = ds->refs;
            r->n_refs = 1;
        }
    }
    return st;
}

static fs_status fill_record(fs_dataset *ds, uint64_t line, fs_error *err)
{
    fs_record *r = &ds->rec;
    size_t n = 0;
    fs_status st =
        column_text(ds, line, ds->col_input, ds->input_field, &r->input, &r->input_len, err);
    if (st == FS_OK) {
        st = column_text(ds, line, ds->col_label, ds->label_field, &r->label, &n, err);
    }
    if (st == FS_OK) {
        st = column_text(ds, line, ds->col_group, ds->group_field, &r->group, &n, err);
        r->group = n > 0 ? r->group : NULL;
    }
    if (st == FS_OK) {
        st = column_text(ds, line, ds->col_id, ds->id_field, &r->id, &n, err);
    }
    if (st == FS_OK && ds->col_id != NO_COLUMN && n == 0) {
        st = FS_FAIL(err, FS_ERR_INPUT, "%s:%" PRIu64 ": %s: empty id", ds->path, line,
                     ds->id_field);
    }
    if (st == FS_OK && ds->col_id == NO_COLUMN) {
        snprintf(ds->id_text, sizeof ds->id_text, "%" PRIu64, r->index + 1);
        r->id = ds->id_text;
    }
    return st == FS_OK ? fill_extras(ds, line, err) : st;
}

fs_status fs_dataset__csv_next(fs_dataset *ds, const fs_record **out, fs_error *err)
{
    bool got = false;
    uint64_t line = 0;
    memset(&ds->rec, 0, sizeof ds->rec);
    fs_status st = next_row(ds, &got, &line, err);
    if (!got) {
        return st;
    }
    /* A bad record still counts, so the default ids of the others never shift. */
    ds->rec.index = ds->index++;
    ds->rec.line = line;
    if (st == FS_OK && ds->n_fields != ds->n_columns) {
        st = FS_FAIL(err, FS_ERR_INPUT, "%s:%" PRIu64 ": expected %zu fields, got %zu", ds->path,
                     line, ds->n_columns, ds->n_fields);
    }
    if (st == FS_OK) {
        st = fill_record(ds, line, err);
    }
    if (st != FS_OK) {
        memset(&ds->rec, 0, sizeof ds->rec);
        return st;
    }
    *out = &ds->rec;
    return FS_OK;
}

#ifndef FS_DATASET_DATASET_INT_H
#define FS_DATASET_DATASET_INT_H
/* Internal state of a dataset reader shared by its files: a buffered byte reader over the
 * file, the bytes of the current line or record, and per-format state. */
#include "fairshake/core.h"
#include "fairshake/dataset.h"

#include <stdio.h>

struct cJSON;

#define FS_DATASET_CHUNK       65536
#define FS_DATASET_DEFAULT_MAX ((size_t)16 << 20)
#define FS_DATASET_SQUAD_MAX   ((size_t)256 << 20)

struct fs_dataset {
    char *path;
    fs_dataset_format format;
    char *input_field, *label_field, *group_field, *id_field; /* owned copies */
    char *input2_field, *context_field, *refs_field;
    size_t max; /* record byte limit */

    FILE *f;
    char *chunk; /* FS_DATASET_CHUNK bytes read ahead */
    size_t pos, len;
    bool eof, io_error;
    int io_errno;   /* errno of the failed read */
    uint64_t line;  /* 1-based number of the line being read; 0 before the first */
    uint64_t index; /* records returned so far */

    fs_buf buf;  /* current line (JSONL) or NUL-separated fields (CSV/TSV), capped at max */
    fs_buf objs; /* JSONL: references that are objects, printed as JSON, NUL-separated */
    fs_record rec;
    char id_text[24];  /* default id: the 1-based record number */
    const char **refs; /* rec.refs points here; borrowed strings */
    size_t cap_refs;

    /* JSONL: the parsed line and the JSON text of non-string label/group/id values */
    struct cJSON *json;
    char *label_text, *group_text, *id_json;

    /* CSV/TSV/GLUE: header names and where the wanted columns are (SIZE_MAX: not wanted) */
    char **columns;
    size_t n_columns;
    size_t col_input, col_label, col_group, col_id, col_input2, col_context, col_refs;
    size_t *fields; /* start of each field of the current record in buf */
    size_t n_fields, cap_fields;

    /* SQuAD: the parsed document and the cursor (article, paragraph, question) */
    struct cJSON *squad;
    const struct cJSON *sq_article, *sq_paragraph, *sq_qa;
    size_t sq_ai, sq_pi, sq_qi;
    bool sq_v2;

    /* WMT: one reader per reference file, each with its own path and line buffer */
    fs_dataset **wmt_refs;
    size_t n_wmt_refs;
};

/** Next byte of the file, or -1 at the end (or on a read error: io_error is set). */
int fs_dataset__getc(fs_dataset *ds);
/** The byte fs_dataset__getc() would return next, without consuming it. */
int fs_dataset__peek(fs_dataset *ds);
/** FS_ERR_IO when the file could not be read; FS_OK otherwise. */
fs_status fs_dataset__io_status(fs_dataset *ds, fs_error *err);
/** Check that s[0..n) is UTF-8 without NUL bytes; FS_ERR_INPUT naming line and field. */
fs_status fs_dataset__check_text(fs_dataset *ds, uint64_t line, const char *field, const char *s,
                                 size_t n, fs_error *err);
/** The "record longer than N bytes" / out of memory error for a failed buf. */
fs_status fs_dataset__buf_error(fs_dataset *ds, uint64_t line, fs_error *err);
/** Read one line (without its LF or CRLF) into ds->buf, counting it in ds->line; *got is
 *  false at the end of the file. A line over the limit leaves buf failed (sticky). */
void fs_dataset__read_line(fs_dataset *ds, bool *got);
/** Open path as a bare byte reader (no format, no fields): for the reference files of a
 *  parallel corpus. out: returns owned (fs_dataset_free). */
fs_status fs_dataset__open_raw(fs_dataset **out, const char *path, size_t max, fs_error *err);
/** Make room for n reference pointers in ds->refs. */
fs_status fs_dataset__reserve_refs(fs_dataset *ds, size_t n, uint64_t line, fs_error *err);

fs_status fs_dataset__jsonl_next(fs_dataset *ds, const fs_record **out, fs_error *err);
void fs_dataset__jsonl_dispose(fs_dataset *ds);

/** Read the header row and find the wanted columns. */
fs_status fs_dataset__csv_header(fs_dataset *ds, fs_error *err);
fs_status fs_dataset__csv_next(fs_dataset *ds, const fs_record **out, fs_error *err);
void fs_dataset__csv_dispose(fs_dataset *ds);

/** Read and parse the whole SQuAD document and place the cursor on its first question. */
fs_status fs_dataset__squad_open(fs_dataset *ds, fs_error *err);
fs_status fs_dataset__squad_next(fs_dataset *ds, const fs_record **out, fs_error *err);
void fs_dataset__squad_dispose(fs_dataset *ds);

/** Check the reference files' line counts against the source and open them. */
fs_status fs_dataset__wmt_open(fs_dataset *ds, const fs_dataset_opts *opts, fs_error *err);
fs_status fs_dataset__wmt_next(fs_dataset *ds, const fs_record **out, fs_error *err);
void fs_dataset__wmt_dispose(fs_dataset *ds);

#endif

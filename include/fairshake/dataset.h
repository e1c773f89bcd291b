#ifndef FAIRSHAKE_DATASET_H
#define FAIRSHAKE_DATASET_H
/* Streaming dataset readers: JSON Lines and CSV/TSV (RFC 4180 quoting), with the record's
 * fields chosen by name from the config. One record is held at a time. */
#include "fairshake/common.h"

FS_BEGIN_DECLS

typedef enum fs_dataset_format {
    FS_FORMAT_AUTO = 0, /* from the file extension: .jsonl/.ndjson, .csv, .tsv */
    FS_FORMAT_JSONL = 1,
    FS_FORMAT_CSV = 2,
    FS_FORMAT_TSV = 3
} fs_dataset_format;

typedef struct fs_dataset_opts {
    fs_dataset_format format;
    const char *input_field; /* required field holding the model input ("text") */
    const char *label_field; /* optional: gold label; NULL when the task has none */
    const char *group_field; /* optional: group attribute; absent values give NULL */
    const char *id_field;    /* optional: record id; default is the 1-based record number */
    size_t max_record_bytes; /* one line/record at most this long; 0: 16 MiB */
} fs_dataset_opts;

#define FS_DATASET_OPTS_INIT                        \
    {                                               \
        FS_FORMAT_AUTO, "text", NULL, NULL, NULL, 0 \
    }

/** One record; every pointer is borrowed from the dataset and valid until the next
 *  fs_dataset_next() or fs_dataset_free(). Strings are NUL-terminated UTF-8. */
typedef struct fs_record {
    const char *id;
    const char *input;
    size_t input_len;
    const char *label; /* NULL when no label_field */
    const char *group; /* NULL when no group_field or the record has none */
    uint64_t index;    /* 0-based record number */
    uint64_t line;     /* 1-based line where the record starts */
} fs_record;

typedef struct fs_dataset fs_dataset;

/** Parse a format name ("jsonl", "csv", "tsv", "auto"). false when unknown. */
FS_API bool fs_dataset_format_parse(const char *name, fs_dataset_format *out);

/** Open path for streaming. out: returns owned (fs_dataset_free); opts: borrowed, its
 *  strings copied. */
FS_API fs_status fs_dataset_open(fs_dataset **out, const char *path, const fs_dataset_opts *opts,
                                 fs_error *err);
/** Read the next record. At the end *out is NULL and FS_OK is returned. A bad record is
 *  FS_ERR_INPUT with "path:line: field: problem"; it is consumed, so the next call goes on
 *  with the record after it. */
FS_API fs_status fs_dataset_next(fs_dataset *ds, const fs_record **out, fs_error *err);
FS_API void fs_dataset_free(fs_dataset *ds);

FS_END_DECLS
#endif

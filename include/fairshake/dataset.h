#ifndef FAIRSHAKE_DATASET_H
#define FAIRSHAKE_DATASET_H
/* Streaming dataset readers: JSON Lines, CSV/TSV (RFC 4180 quoting), GLUE-style TSV, SQuAD
 * v1.1/v2.0 JSON and WMT-style line-aligned parallel text, with the record's fields chosen
 * by name from the config. One record is held at a time (a SQuAD document is parsed
 * whole, then its questions are handed out one by one). */
#include "fairshake/common.h"

FS_BEGIN_DECLS

typedef enum fs_dataset_format {
    FS_FORMAT_AUTO = 0, /* from the file extension: .jsonl/.ndjson, .csv, .tsv */
    FS_FORMAT_JSONL = 1,
    FS_FORMAT_CSV = 2,
    FS_FORMAT_TSV = 3,
    /* TSV with GLUE's column names: fields left unset are taken from the header
     * (sentence / question / sentence1 / question1 / "#1 String" as input, their pair as
     * input2, label / Quality / gold_label / is_duplicate as label, index / id as id); a
     * file without a label column (a GLUE test split) gives records without labels */
    FS_FORMAT_GLUE = 4,
    /* SQuAD v1.1 or v2.0 JSON: one record per question (id, question as input, context,
     * every answer text as refs, v2's is_impossible as unanswerable); field names unused */
    FS_FORMAT_SQUAD = 5,
    /* WMT-style parallel text: the path is the source file, one segment per line, and
     * ref_paths are line-aligned reference files; field names unused */
    FS_FORMAT_WMT = 6
} fs_dataset_format;

typedef struct fs_dataset_opts {
    fs_dataset_format format;
    const char *input_field;      /* required field holding the model input ("text") */
    const char *label_field;      /* optional: gold label; NULL when the task has none */
    const char *group_field;      /* optional: group attribute; absent values give NULL */
    const char *id_field;         /* optional: record id; default is the 1-based record number */
    size_t max_record_bytes;      /* one line/record at most this long; 0: 16 MiB (a SQuAD
                                     document: the whole file; 0: 256 MiB) */
    const char *input2_field;     /* optional: second text of a sentence pair (NULL: none) */
    const char *context_field;    /* optional: context passage (NULL: none) */
    const char *refs_field;       /* optional: references / gold answers, a string or an
                                     array of strings (CSV/TSV: one per cell) */
    const char *const *ref_paths; /* WMT: the reference files, line-aligned with the source */
    size_t n_ref_paths;
} fs_dataset_opts;

#define FS_DATASET_OPTS_INIT                                                   \
    {                                                                          \
        FS_FORMAT_AUTO, "text", NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, 0 \
    }

/** One record; every pointer is borrowed from the dataset and valid until the next
 *  fs_dataset_next() or fs_dataset_free(). Strings are NUL-terminated UTF-8. */
typedef struct fs_record {
    const char *id;
    const char *input;
    size_t input_len;
    const char *label;       /* NULL when no label_field */
    const char *group;       /* NULL when no group_field or the record has none */
    uint64_t index;          /* 0-based record number */
    uint64_t line;           /* 1-based line where the record starts; 0 for SQuAD (a record is
                                a question inside one JSON document) */
    const char *input2;      /* second text of a pair; NULL when none */
    const char *context;     /* context passage; NULL when none */
    const char *const *refs; /* [n_refs] references or gold answers, in file order */
    size_t n_refs;           /* 0 when there are none */
    bool unanswerable;       /* SQuAD v2 is_impossible: no answer in the context */
} fs_record;

typedef struct fs_dataset fs_dataset;

/** Parse a format name ("jsonl", "ndjson", "csv", "tsv", "glue", "squad", "wmt", "auto").
 *  false when unknown (out unchanged). */
FS_API bool fs_dataset_format_parse(const char *name, fs_dataset_format *out);

/** Open path for streaming. out: returns owned (fs_dataset_free); opts: borrowed, its
 *  strings copied. WMT: FS_ERR_USAGE without ref_paths; FS_ERR_INPUT when a reference
 *  file has another number of lines than the source (the message names both files and
 *  their line counts). SQuAD: the document is read and parsed here; a malformed question is
 *  reported by fs_dataset_next() with its JSON path. */
FS_API fs_status fs_dataset_open(fs_dataset **out, const char *path, const fs_dataset_opts *opts,
                                 fs_error *err);
/** Read the next record. At the end *out is NULL and FS_OK is returned. A bad record is
 *  FS_ERR_INPUT with "path:line: field: problem"; it is consumed, so the next call goes on
 *  with the record after it. */
FS_API fs_status fs_dataset_next(fs_dataset *ds, const fs_record **out, fs_error *err);
FS_API void fs_dataset_free(fs_dataset *ds);

FS_END_DECLS
#endif

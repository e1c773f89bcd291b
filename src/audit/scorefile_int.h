#ifndef FS_AUDIT_SCOREFILE_INT_H
#define FS_AUDIT_SCOREFILE_INT_H
/* Internal parts of the score-file command shared by its files: the classification
 * label table (scorefile_class.c) used by the line loop (scorefile.c). */
#include "fairshake/core.h"
#include "fairshake/scorefile.h"

#include "core/json.h"

/* One distinct label value: a string, or a number kept with its value. */
typedef struct sf_label {
    char *key; /* "s:<text>" or "n:<shortest double>": equal keys are equal labels */
    double num;
    bool is_num;
} sf_label;

/* The labels seen in a classification file, the per-item gold and predicted label
 * indices (-1: no prediction), and the options that shape the report. */
typedef struct sf_class {
    sf_label *labels;
    size_t n_labels, cap_labels;
    size_t *slots; /* open addressing over labels: index + 1, 0 empty */
    size_t n_slots;
    int kind;        /* 0 none yet, 1 strings, 2 numbers */
    size_t n_listed; /* labels given by the "labels" parameter (first in the table) */
    bool explicit_list;
    int *gold, *pred;
    size_t n_items, cap_items;
    double zero_division;
} sf_class;

void fs_scorefile__class_init(sf_class *c);
void fs_scorefile__class_dispose(sf_class *c);
/** The "labels" parameter: a JSON array of strings or of numbers. FS_ERR_CONFIG when it is
 *  not one, or lists a value twice. */
fs_status fs_scorefile__class_set_labels(sf_class *c, const char *json, fs_error *err);
/** Add one item: label must be a string or number, pred one of the same kind or null.
 *  Problems are FS_ERR_INPUT "path:line: field: problem". */
fs_status fs_scorefile__class_add(sf_class *c, const cJSON *label, const cJSON *pred,
                                  const char *path, uint64_t line, fs_error *err);
/** Append the JSON value of label i. */
void fs_scorefile__class_put_label(const sf_class *c, fs_buf *b, int i);
/** Append the corpus members (",\"accuracy\":..." and so on) of the metrics in want
 *  (bits over the classification metric table). */
fs_status fs_scorefile__class_result(sf_class *c, fs_buf *b, unsigned want, fs_error *err);

/** Append v as a JSON number: null when NaN, the string "inf" or "-inf" when infinite. */
void fs_scorefile__put_num(fs_buf *b, double v);

/* Bits of the classification metric table, in its order. */
enum {
    SF_CLASS_ACCURACY = 1u << 0,
    SF_CLASS_PER_CLASS = 1u << 1,
    SF_CLASS_MACRO = 1u << 2,
    SF_CLASS_MICRO = 1u << 3,
    SF_CLASS_WEIGHTED = 1u << 4,
    SF_CLASS_CONFUSION = 1u << 5
};

#endif

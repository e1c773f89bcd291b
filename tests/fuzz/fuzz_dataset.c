/* Fuzz harness for the dataset readers: the input is written to a scratch file and read
 * to the end as JSONL and CSV (with only the input field named, then with every field
 * named, then with a small record limit), once each as TSV, GLUE, SQuAD and WMT (the file
 * as its own reference), then as JSONL again after a record that puts the end of the
 * reader's first chunk inside the input. A bad record is consumed, so reading goes on
 * after FS_ERR_INPUT; a reader that hands out more records than the file has bytes is
 * stuck, and aborts the run. Every string of every record is read in full, so the
 * sanitizers check the borrowed pointers. */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "dataset/dataset_int.h"
#include "fairshake/dataset.h"

typedef struct read_case {
    fs_dataset_format format;
    bool all_fields;
    size_t max_record_bytes;
} read_case;

static const read_case cases[] = {
    { FS_FORMAT_JSONL, false, 0 }, { FS_FORMAT_JSONL, true, 0 }, { FS_FORMAT_JSONL, true, 64 },
    { FS_FORMAT_CSV, false, 0 },   { FS_FORMAT_CSV, true, 0 },   { FS_FORMAT_CSV, true, 64 },
    { FS_FORMAT_TSV, true, 0 },    { FS_FORMAT_GLUE, false, 0 }, { FS_FORMAT_SQUAD, false, 0 },
    { FS_FORMAT_WMT, false, 0 },
};

static volatile size_t sink;

static void touch(const char *s)
{
    if (s != NULL) {
        sink += strlen(s);
    }
}

static void touch_record(const fs_record *r)
{
    touch(r->id);
    touch(r->label);
    touch(r->group);
    touch(r->input2);
    touch(r->context);
    for (size_t i = 0; i < r->n_refs; i++) {
        touch(r->refs[i]);
    }
    if (r->input_len > 0) {
        sink += (unsigned char)r->input[0] + (unsigned char)r->input[r->input_len - 1];
    }
    sink += (unsigned char)r->input[r->input_len];
}

static void read_all(const char *path, const read_case *c, size_t size)
{
    fs_dataset_opts opts = FS_DATASET_OPTS_INIT;
    const char *refs[1] = { path };
    fs_dataset *ds = NULL;
    fs_error err;
    opts.format = c->format;
    opts.max_record_bytes = c->max_record_bytes;
    if (c->all_fields) {
        opts.id_field = "id";
        opts.label_field = "label";
        opts.group_field = "group";
        opts.input2_field = "text2";
        opts.context_field = "context";
        opts.refs_field = "refs";
    }
    if (c->format == FS_FORMAT_WMT) {
        opts.ref_paths = refs;
        opts.n_ref_paths = 1;
    }
    if (fs_dataset_open(&ds, path, &opts, &err) != FS_OK) {
        return;
    }
    for (size_t n = 0;; n++) {
        const fs_record *r = NULL;
        fs_status st = fs_dataset_next(ds, &r, &err);
        if (n > size + 2) {
            abort();
        }
        if (st == FS_ERR_INPUT) {
            continue;
        }
        if (st != FS_OK || r == NULL) {
            break;
        }
        touch_record(r);
    }
    fs_dataset_free(ds);
}

/* JSONL again, after a record (without the input field, so one bad record) that ends
 * where the reader's first chunk ends minus k bytes, k = data[0] % (size + 1): the chunk
 * boundary falls anywhere inside the input, so a line, a CRLF or a UTF-8 sequence may be
 * split across two reads. */
static void read_shifted(const uint8_t *data, size_t size)
{
    static const read_case jsonl = { FS_FORMAT_JSONL, true, 0 };
    static const char head[] = "{\"pad\": \"", tail[] = "\"}\n";
    char path[700];
    size_t k = size > 0 ? data[0] % (size + 1) : 0;
    if (k + 64 > FS_DATASET_CHUNK) {
        return;
    }
    size_t pad = FS_DATASET_CHUNK - k;
    uint8_t *buf = fs_malloc(pad + size);
    if (buf == NULL) {
        return;
    }
    memset(buf, 'x', pad);
    memcpy(buf, head, sizeof head - 1);
    memcpy(buf + pad - (sizeof tail - 1), tail, sizeof tail - 1);
    if (size > 0) {
        memcpy(buf + pad, data, size);
    }
    if (fuzz_write_file(path, sizeof path, "shifted", buf, pad + size)) {
        read_all(path, &jsonl, size + 1);
    }
    fs_free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[700];
    if (!fuzz_write_file(path, sizeof path, "dataset", data, size)) {
        return 0;
    }
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        read_all(path, &cases[i], size);
    }
    read_shifted(data, size);
    return 0;
}

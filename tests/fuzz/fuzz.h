#ifndef FS_FUZZ_H
#define FS_FUZZ_H
/* Shared by the fuzz harnesses (tests/fuzz/fuzz_<input>.c), the replay driver (replay.c)
 * and libFuzzer: the entry point each harness defines, and scratch files for the parsers
 * that read a path. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Feed one input to the harness's parser. Errors the parser returns are expected
 *  outcomes; the harness frees everything it allocated for the input. Returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** Write data[0..size) to the file name (no '/') in a private scratch directory made on
 *  first use under $TMPDIR (default /tmp) and removed at exit. path_out: cap bytes, gets
 *  the file's path. false when the directory or the file cannot be written. */
bool fuzz_write_file(char *path_out, size_t cap, const char *name, const uint8_t *data,
                     size_t size);

/** Directory of the source tree (holding perturbations/): $FS_SOURCE_DIR, else the
 *  compile-time FS_TEST_SOURCE_DIR. */
const char *fuzz_source_dir(void);

#endif

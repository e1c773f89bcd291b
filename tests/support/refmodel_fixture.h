#ifndef FS_TEST_REFMODEL_FIXTURE_H
#define FS_TEST_REFMODEL_FIXTURE_H
/* Test fixture: start fairshake-refmodel on a free loopback port (--port 0), read the
 * port it prints, and stop it. The binary is found in $FS_BIN_DIR (set by ctest), else
 * the compile-time FS_TEST_BIN_DIR. */
#include <stdbool.h>
#include <sys/types.h>

typedef struct fs_test_refmodel {
    pid_t pid;
    int port;
    char base_url[64]; /* "http://127.0.0.1:PORT" */
} fs_test_refmodel;

/** Start the server with extra arguments (NULL-terminated array, may be NULL), e.g.
 *  {"--fault-rate", "0.3", NULL}. Waits until /health answers. Returns false on failure
 *  (and prints why to stderr). */
bool fs_test_refmodel_start(fs_test_refmodel *rm, const char *const *extra_args);
/** Stop the server (SIGTERM, then wait). Safe on a fixture that failed to start. */
void fs_test_refmodel_stop(fs_test_refmodel *rm);

#endif

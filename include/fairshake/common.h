#ifndef FAIRSHAKE_COMMON_H
#define FAIRSHAKE_COMMON_H
/* Shared definitions for every public header: export macro, C++ guards, status codes
 * and the error record that every fallible function fills. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define FS_API __declspec(dllexport)
#elif defined(__GNUC__)
#define FS_API __attribute__((visibility("default")))
#else
#define FS_API
#endif

#ifdef __cplusplus
#define FS_BEGIN_DECLS extern "C" {
#define FS_END_DECLS   }
#else
#define FS_BEGIN_DECLS
#define FS_END_DECLS
#endif

#if defined(__GNUC__)
#define FS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define FS_PRINTF(fmt, args)
#endif

FS_BEGIN_DECLS

/* One table of error codes; codes are only appended, never reused. */
#define FS_ERRORS(X)                   \
    X(NOMEM, "out of memory")          \
    X(USAGE, "bad usage")              \
    X(CONFIG, "invalid configuration") \
    X(INPUT, "invalid input")          \
    X(IO, "input/output error")        \
    X(TEXT, "text processing error")   \
    X(STORE, "run store error")        \
    X(TARGET, "target error")          \
    X(INTERNAL, "internal error")      \
    X(LIMIT, "limit exceeded")         \
    X(CANCELLED, "cancelled")

typedef enum fs_status {
    FS_OK = 0,
#define FS_X(name, text) FS_ERR_##name,
    FS_ERRORS(FS_X)
#undef FS_X
        FS_ERR__COUNT
} fs_status;

typedef struct fs_error {
    fs_status code;
    char msg[256];        /* one line, set without allocating */
    const char *src_file; /* where raised */
    int src_line;
} fs_error;

/** Short name of a status ("CONFIG"); never NULL. */
FS_API const char *fs_status_name(fs_status st);
/** One-line description of a status ("invalid configuration"); never NULL. */
FS_API const char *fs_status_text(fs_status st);

/** Fill err (may be NULL) and return code. Use through FS_FAIL. */
FS_API fs_status fs_error_set(fs_error *err, fs_status code, const char *file, int line,
                              const char *fmt, ...) FS_PRINTF(5, 6);
/** Prepend "prefix: " to err's message, keeping its code. Returns err->code. */
FS_API fs_status fs_error_prefix(fs_error *err, const char *fmt, ...) FS_PRINTF(2, 3);
/** Reset err to FS_OK with an empty message. */
FS_API void fs_error_clear(fs_error *err);

#define FS_FAIL(err, code, ...) fs_error_set((err), (code), __FILE__, __LINE__, __VA_ARGS__)

/** Logging callback: level 0 info, 1 warning. The library never prints. */
typedef void (*fs_log_fn)(int level, const char *msg, void *payload);

FS_END_DECLS
#endif

#ifndef FS_TARGET_DISPATCH_INTERNAL_H
#define FS_TARGET_DISPATCH_INTERNAL_H
/* The dispatcher's shared state, between the scheduler (dispatch.c: window, retries,
 * rate limits, budget, fail-fast) and its transports (http.c: libcurl multi; exec.c: a
 * pool of local processes). A transport starts attempts in slots and reports each
 * finished attempt with fs_target__finished(); the scheduler never knows which kind of
 * transport it drives. */
#include "target/internal.h"

typedef struct fs_target__req {
    uint64_t id;
    const char *body;
    size_t body_len;
    int attempts;
    double due_ms; /* when a waiting retry may start */
    double tokens; /* estimate charged to the token bucket for the attempt in flight */
    bool used;
} fs_target__req;

typedef struct fs_target__slot {
    fs_target__req *r; /* NULL when the slot is free */
    int index;
    int replica; /* URL (http) of the attempt in flight */
    fs_buf resp;
    double start_ms;
    double ttfb_ms;            /* -1 until the first byte arrived */
    long retry_after_ms;       /* Retry-After or retry-after-ms of this attempt, -1 when none */
    long reset_ms;             /* longest x-ratelimit-reset-* of this attempt, -1 when none */
    int64_t prompt_tokens;     /* usage of the reply, scanned once when it arrives; -1 none */
    int64_t completion_tokens; /* likewise */
    char errbuf[256];          /* transport detail of a failure, "" when none */
} fs_target__slot;

/** How an attempt ended, as the transport saw it. */
typedef struct fs_target__attempt {
    bool replied;     /* a complete reply arrived (HTTP response, exec line) */
    long http;        /* HTTP status; 0 for exec */
    bool retryable;   /* when !replied: a transient failure */
    const char *what; /* when !replied: what failed ("Couldn't connect to server") */
} fs_target__attempt;

typedef struct fs_target__dispatcher fs_target__dispatcher;

typedef struct fs_target__transport {
    /** Prepare (headers, handles, argv); nothing is sent yet. */
    fs_status (*open)(fs_target__dispatcher *d, fs_error *err);
    /** Start s->r's next attempt in slot s (s->replica chosen by the scheduler). */
    fs_status (*start)(fs_target__dispatcher *d, fs_target__slot *s, fs_error *err);
    /** Without blocking, move transfers on and report every finished attempt. */
    fs_status (*progress)(fs_target__dispatcher *d, fs_error *err);
    /** Block until something may have happened or timeout_ms passed. */
    fs_status (*sleep)(fs_target__dispatcher *d, int timeout_ms, fs_error *err);
    /** Abort what is in flight and free everything open() made. */
    void (*close)(fs_target__dispatcher *d);
} fs_target__transport;

extern const fs_target__transport fs_target__http_transport;
extern const fs_target__transport fs_target__exec_transport;

struct fs_target__dispatcher {
    const fs_target_spec *spec;
    fs_dispatch_opts opts;
    fs_dispatch_next_fn next;
    fs_dispatch_done_fn done;
    void *payload;
    fs_log_fn log;
    void *log_payload;
    const fs_target__transport *tx;
    void *tx_state;
    fs_target__slot *slots;
    int n_slots; /* the most attempts in flight (concurrency, or exec processes) */
    int n_busy;
    const char *const *urls; /* replicas (http) */
    int n_urls;
    int *outstanding;     /* attempts in flight per replica */
    int rotate;           /* tie-break among equally loaded replicas */
    fs_target__req *reqs; /* the window: 2 * n_slots entries */
    int n_reqs, n_live;
    fs_target__req **waiting; /* sorted by due_ms */
    int n_waiting;
    fs_target__req *held; /* picked, waiting for the rate limits to allow its start */
    bool exhausted;       /* next() said no more, or a budget stopped asking */
    bool budget_hit;      /* a budget was reached */
    uint64_t taken;       /* requests taken from next() */
    double tokens_spent, tokens_in_flight;
    int failures_in_row;
    bool ever_replied;     /* some attempt got a complete reply (any HTTP status) */
    double first_start_ms; /* when the first attempt started; 0 before */
    double pause_until_ms; /* after a 429 with Retry-After: no start before */
    fs_rng rng;
    fs_target__bucket rps, tpm;
    fs_target__adapt adapt;
    fs_status stop; /* set when done(), fail-fast or a fatal transport error stops */
    fs_error stop_err;
};

/** Report a finished attempt of slot s (the transport has released its handle). */
void fs_target__finished(fs_target__dispatcher *d, fs_target__slot *s, const fs_target__attempt *a);
/** Stop the dispatch with st and a message (kept for the caller's fs_error). */
void fs_target__fatal(fs_target__dispatcher *d, fs_status st, const char *fmt, ...) FS_PRINTF(3, 4);
/** Log through the caller's callback (level 0 info, 1 warning). */
void fs_target__log(const fs_target__dispatcher *d, int level, const char *fmt, ...)
    FS_PRINTF(3, 4);
/** Monotonic clock in milliseconds. */
double fs_target__now_ms(void);

#endif

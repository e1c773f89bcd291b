#ifndef FS_TEST_TARGET_STUB_SERVER_H
#define FS_TEST_TARGET_STUB_SERVER_H
/* A scripted HTTP/1.1 server on 127.0.0.1 for dispatcher tests that need exact control of
 * the replies (Retry-After, error bodies) or need to see the request headers. One thread,
 * poll() over the listening socket and keep-alive connections. */
#include <stddef.h>

typedef struct stub_reply {
    int status;
    const char *headers; /* extra header lines, each ending in "\r\n"; may be NULL */
    const char *body;
} stub_reply;

/** Called on the server thread for each request; nth counts requests from 0. */
typedef stub_reply (*stub_handler)(const char *body, size_t n, int nth, void *payload);

typedef struct stub_server stub_server;

/** Start a server; returns NULL on failure. *port_out receives its port. */
stub_server *stub_start(stub_handler handler, void *payload, int *port_out);
/** Stop the server thread and close its sockets; the getters below stay usable. */
void stub_stop(stub_server *s);
/** Free a stopped server. */
void stub_free(stub_server *s);
/** Number of requests answered (read after stub_stop). */
int stub_requests(const stub_server *s);
/** The Authorization header of the last request, "" when none (read after stub_stop). */
const char *stub_last_auth(const stub_server *s);

/** A free loopback port with nothing listening on it (bound, then closed). */
int stub_closed_port(void);

#endif

#ifndef FS_REFMODEL_SERVER_H
#define FS_REFMODEL_SERVER_H
/* The HTTP side of fairshake-refmodel: libmicrohttpd serving the OpenAI-compatible API. */
#include "refmodel/models.h"
#include "refmodel/opts.h"

/** Largest request body accepted; larger ones are answered 413. */
#define REFMODEL_BODY_MAX ((size_t)1 << 20)

typedef struct refmodel_server refmodel_server;

/** Start serving on opts->host:opts->port in background threads. opts: borrows (copied);
 *  models: keeps, read-only, until refmodel_server_stop(). out: returns owned
 *  (refmodel_server_stop). */
fs_status refmodel_server_start(refmodel_server **out, const refmodel_opts *opts,
                                const refmodel_models *models, fs_error *err);

/** The port the server listens on (the one picked when opts->port was 0). */
int refmodel_server_port(const refmodel_server *s);

/** Stop accepting, wait for the requests in flight, and free the server. Accepts NULL. */
void refmodel_server_stop(refmodel_server *s);

#endif

#ifndef FS_REFMODEL_REQUEST_H
#define FS_REFMODEL_REQUEST_H
/* OpenAI-compatible request parsing and response bodies of the reference model server. */
#include "fairshake/core.h"

/** Which OpenAI endpoint a request came to. */
typedef enum refmodel_api {
    REFMODEL_API_CHAT = 0,       /* POST /v1/chat/completions */
    REFMODEL_API_COMPLETIONS = 1 /* POST /v1/completions */
} refmodel_api;

/** What the server needs from a request body. */
typedef struct refmodel_request {
    char *model;       /* owned; NULL when the body names no model */
    char *prompt;      /* owned; the last user message, or the completion prompt */
    size_t prompt_len; /* bytes in prompt */
} refmodel_request;

/** Initialise an empty request. */
void refmodel_request_init(refmodel_request *r);
/** Free the strings; leaves the request empty and reusable. Accepts NULL. */
void refmodel_request_dispose(refmodel_request *r);

/** Parse a request body. Chat: the content of the last message whose role is "user"
 *  (a string, or an array of {"type":"text","text":...} parts joined by newlines).
 *  Completions: "prompt", a string or an array holding one string. A "model" member, when
 *  present, must be a string; "stream": true is refused. out: borrows, filled only on
 *  success. Errors are FS_ERR_INPUT with a message fit for the client (400), or
 *  FS_ERR_NOMEM. */
fs_status refmodel_request_parse(refmodel_request *out, refmodel_api api, const char *body,
                                 size_t n, fs_error *err);

/** The part of a prompt to classify: when a line starts with "Text:", what follows it up
 *  to the next line that starts with "Answer:" (or the end); otherwise the whole prompt.
 *  Surrounding ASCII white space is trimmed. The view borrows prompt. */
fs_str refmodel_input_text(const char *prompt, size_t n);

/** Append an OpenAI completion response: id "chatcmpl-<seq>" / "cmpl-<seq>", object
 *  "chat.completion" / "text_completion", one choice holding answer, finish_reason
 *  "stop", and usage counts. Check fs_buf_status(out) afterwards. */
void refmodel_response_json(fs_buf *out, refmodel_api api, uint64_t seq, int64_t created,
                            const char *model, const char *answer, size_t prompt_tokens,
                            size_t completion_tokens);

/** Append an OpenAI error body {"error":{"message","type","code"}}; code may be NULL
 *  (JSON null). */
void refmodel_error_json(fs_buf *out, const char *message, const char *type, const char *code);

/** Append the OpenAI model list holding one model id. */
void refmodel_models_json(fs_buf *out, const char *model, int64_t created);

/** Append one OpenAI model object. */
void refmodel_model_json(fs_buf *out, const char *model, int64_t created);

#endif

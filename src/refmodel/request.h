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
    char *model;        /* owned; NULL when the body names no model */
    char *prompt;       /* owned; the last user message, or the completion prompt */
    size_t prompt_len;  /* bytes in prompt */
    int64_t max_tokens; /* "max_tokens" (or chat "max_completion_tokens"); -1: absent */
    int64_t logprobs;   /* completions "logprobs" (0..REFMODEL_LOGPROBS_MAX); -1: absent */
    bool echo;          /* completions "echo": true */
    int64_t lead_k;     /* "lead_k" (>= 1); -1: absent */
} refmodel_request;

/** Largest "logprobs" value accepted on /v1/completions. */
#define REFMODEL_LOGPROBS_MAX 20

/** Initialise an empty request. */
void refmodel_request_init(refmodel_request *r);
/** Free the strings; leaves the request empty and reusable. Accepts NULL. */
void refmodel_request_dispose(refmodel_request *r);

/** Parse a request body. Chat: the content of the last message whose role is "user"
 *  (a string, or an array of {"type":"text","text":...} parts joined by newlines).
 *  Completions: "prompt", a string or an array holding one string. A "model" member, when
 *  present, must be a string; "stream": true is refused. "max_tokens" (chat also
 *  "max_completion_tokens") and "lead_k", when present and not null, must be integers
 *  (>= 0, >= 1); completions "logprobs" null or an integer 0..REFMODEL_LOGPROBS_MAX and
 *  "echo" a boolean (chat's boolean "logprobs" is accepted and ignored). out: borrows,
 *  filled only on success. Errors are FS_ERR_INPUT with a message fit for the client
 *  (400), or FS_ERR_NOMEM. */
fs_status refmodel_request_parse(refmodel_request *out, refmodel_api api, const char *body,
                                 size_t n, fs_error *err);

/** The part of a prompt to classify: when a line starts with "Text:", what follows it up
 *  to the next line that starts with "Answer:" (or the end); otherwise the whole prompt.
 *  Surrounding ASCII white space is trimmed. The view borrows prompt. */
fs_str refmodel_input_text(const char *prompt, size_t n);

/** A labelled section of a prompt: what follows the first line that starts with one of
 *  starts (NULL-terminated), from after that marker up to the next line that starts with
 *  one of ends (NULL-terminated), or the end of the prompt. Surrounding ASCII white space
 *  is trimmed. *found (may be NULL) tells whether a start line was there; without one
 *  the view is empty and points at prompt. The view borrows prompt. */
fs_str refmodel_section(const char *prompt, size_t n, const char *const *starts,
                        const char *const *ends, bool *found);

/** Append an OpenAI completion response: id "chatcmpl-<seq>" / "cmpl-<seq>", object
 *  "chat.completion" / "text_completion", one choice holding answer, finish_reason
 *  "stop", and usage counts. Check fs_buf_status(out) afterwards. */
void refmodel_response_json(fs_buf *out, refmodel_api api, uint64_t seq, int64_t created,
                            const char *model, const char *answer, size_t prompt_tokens,
                            size_t completion_tokens);

/** Append the start of a completion response, up to and including `"index":0,` of its
 *  one choice; the caller appends the choice's members and refmodel_response_close(). */
void refmodel_response_open(fs_buf *out, refmodel_api api, uint64_t seq, int64_t created,
                            const char *model);

/** Append `"finish_reason":...` and close the choice, then the usage block and the body. */
void refmodel_response_close(fs_buf *out, const char *finish_reason, size_t prompt_tokens,
                             size_t completion_tokens);

/** Append an OpenAI error body {"error":{"message","type","code"}}; code may be NULL
 *  (JSON null). */
void refmodel_error_json(fs_buf *out, const char *message, const char *type, const char *code);

/** Append the OpenAI model list of the n model ids in models (borrowed). */
void refmodel_models_json(fs_buf *out, const char *const *models, size_t n, int64_t created);

/** Append one OpenAI model object. */
void refmodel_model_json(fs_buf *out, const char *model, int64_t created);

#endif

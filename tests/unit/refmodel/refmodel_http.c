/* The HTTP client of the refmodel suites: one request to a running fixture, with libcurl. */
#include "refmodel_http.h"

#include <stdio.h>

#include <curl/curl.h>

#include "fairshake/core.h"

static size_t on_body(char *p, size_t size, size_t n, void *payload)
{
    fs_buf_append(payload, p, size * n);
    return size * n;
}

/* GET (body NULL) or POST a JSON body; returns the HTTP status (0 on a transport error)
 * and the parsed body in *out (NULL when it is not JSON). */
long refmodel_http(const fs_test_refmodel *rm, const char *path, const char *body, cJSON **out)
{
    char url[256];
    long status = 0;
    fs_buf b;
    fs_buf_init(&b, 0);
    snprintf(url, sizeof url, "%s%s", rm->base_url, path);
    struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 20000L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    if (body != NULL) {
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    }
    if (curl_easy_perform(c) == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    }
    curl_easy_cleanup(c);
    curl_slist_free_all(hdrs);
    *out = NULL;
    if (fs_json__parse(out, fs_buf_cstr(&b), b.len, "response", NULL) != FS_OK) {
        *out = NULL;
    }
    fs_buf_dispose(&b);
    return status;
}

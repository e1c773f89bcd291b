/* SHA-256 over OpenSSL's libcrypto: provenance hashes of datasets, configs and lexicons,
 * cache keys, and RNG stream derivation. */
#include "fairshake/core.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

/* SHA-256 fetched from the default provider once: EVP_sha256() makes every digest look
 * the algorithm up again, which costs as much as hashing a short text. The fetched
 * method lives for the process. */
static EVP_MD *sha256_fetched;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
    sha256_fetched = EVP_MD_fetch(NULL, "SHA2-256", NULL);
}

static const EVP_MD *sha256(void)
{
    pthread_once(&sha256_once, sha256_fetch);
    return sha256_fetched != NULL ? sha256_fetched : EVP_sha256();
}

static void to_hex(char hex_out[65], const unsigned char *md)
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex_out[2 * i] = digits[md[i] >> 4];
        hex_out[2 * i + 1] = digits[md[i] & 15];
    }
    hex_out[64] = '\0';
}

fs_status fs_hash_sha256_hex(char hex_out[65], const void *data, size_t n, fs_error *err)
{
    unsigned char md[32];
    unsigned int len = 0;
    if (EVP_Digest(data, n, md, &len, sha256(), NULL) != 1 || len != 32) {
        return FS_FAIL(err, FS_ERR_INTERNAL, "SHA-256 failed");
    }
    to_hex(hex_out, md);
    return FS_OK;
}

fs_status fs_hash_file_hex(char hex_out[65], const char *path, fs_error *err)
{
    fs_status st = FS_OK;
    unsigned char md[32];
    unsigned int len = 0;
    unsigned char chunk[65536];
    EVP_MD_CTX *ctx = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return FS_FAIL(err, FS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    }
    ctx = EVP_MD_CTX_new();
    if (ctx == NULL || EVP_DigestInit_ex(ctx, sha256(), NULL) != 1) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "SHA-256 context");
        goto done;
    }
    for (;;) {
        size_t got = fread(chunk, 1, sizeof chunk, f);
        if (got > 0 && EVP_DigestUpdate(ctx, chunk, got) != 1) {
            st = FS_FAIL(err, FS_ERR_INTERNAL, "SHA-256 update failed");
            goto done;
        }
        if (got < sizeof chunk) {
            break;
        }
    }
    if (ferror(f)) {
        st = FS_FAIL(err, FS_ERR_IO, "%s: read error", path);
        goto done;
    }
    if (EVP_DigestFinal_ex(ctx, md, &len) != 1) {
        st = FS_FAIL(err, FS_ERR_INTERNAL, "SHA-256 final failed");
        goto done;
    }
    to_hex(hex_out, md);
done:
    EVP_MD_CTX_free(ctx);
    fclose(f);
    return st;
}

uint64_t fs_hash_u64(const void *data, size_t n)
{
    unsigned char md[32];
    unsigned int len = 0;
    if (EVP_Digest(data, n, md, &len, sha256(), NULL) != 1) {
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        v = (v << 8) | md[i];
    }
    return v;
}

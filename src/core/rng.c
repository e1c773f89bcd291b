/* Deterministic random streams: xoshiro256** seeded through splitmix64. A stream for
 * (seed, record id, perturbation) is derived from a SHA-256 of the three, so it does not
 * depend on the order in which records or perturbations are processed. */
#include "fairshake/core.h"

#include <string.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void fs_rng_seed(fs_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) {
        r->s[i] = splitmix64(&x);
    }
}

void fs_rng_derive(fs_rng *r, uint64_t seed, const char *record_id, const char *name)
{
    fs_buf b;
    fs_buf_init(&b, 0);
    fs_buf_printf(&b, "%llu", (unsigned long long)seed);
    fs_buf_putc(&b, '\0');
    fs_buf_puts(&b, record_id != NULL ? record_id : "");
    fs_buf_putc(&b, '\0');
    fs_buf_puts(&b, name != NULL ? name : "");
    uint64_t h = fs_hash_u64(fs_buf_cstr(&b), b.len);
    fs_buf_dispose(&b);
    fs_rng_seed(r, h);
}

uint64_t fs_rng_u64(fs_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double fs_rng_uniform(fs_rng *r)
{
    return (double)(fs_rng_u64(r) >> 11) * 0x1.0p-53;
}

uint64_t fs_rng_below(fs_rng *r, uint64_t n)
{
    if (n <= 1) {
        return 0;
    }
    uint64_t limit = UINT64_MAX - (UINT64_MAX % n);
    uint64_t v;
    do {
        v = fs_rng_u64(r);
    } while (v >= limit);
    return v % n;
}

/* rng.h — a small, fast, deterministic random number generator (splitmix64).
 *
 * fakehub's data must be the same for the same --seed on every machine, so
 * we never use rand(): each generator stream is derived from the seed and a
 * stream number, which also lets one record be regenerated on its own. */
#ifndef FAKEHUB_RNG_H
#define FAKEHUB_RNG_H

#include <stdint.h>

typedef struct fh_rng {
    uint64_t state;
} fh_rng;

/* One splitmix64 step: a well-mixed 64-bit value from a counter. */
static inline uint64_t rng_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A stream seeded from (seed, stream) that does not overlap other streams. */
static inline fh_rng rng_stream(uint64_t seed, uint64_t stream)
{
    fh_rng r = {rng_mix(seed * 0x9e3779b97f4a7c15ULL + rng_mix(stream + 1))};
    return r;
}

static inline uint64_t rng_next(fh_rng *r)
{
    r->state += 0x9e3779b97f4a7c15ULL;
    return rng_mix(r->state);
}

/* Uniform integer in [0, n); n == 0 gives 0. */
static inline uint64_t rng_below(fh_rng *r, uint64_t n)
{
    return n ? rng_next(r) % n : 0;
}

/* Uniform integer in [lo, hi]. */
static inline int64_t rng_range(fh_rng *r, int64_t lo, int64_t hi)
{
    return hi <= lo ? lo : lo + (int64_t)rng_below(r, (uint64_t)(hi - lo) + 1);
}

/* Uniform double in [0, 1). */
static inline double rng_unit(fh_rng *r)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* True with probability p. */
static inline int rng_chance(fh_rng *r, double p)
{
    return rng_unit(r) < p;
}

#endif

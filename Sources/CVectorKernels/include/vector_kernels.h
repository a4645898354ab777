#ifndef HAVEN_VECTOR_KERNELS_H
#define HAVEN_VECTOR_KERNELS_H

#include <stdint.h>

/// The dot product of two int8 vectors of `count` components, in int32 (|code| <= 127, so it
/// cannot overflow below 133,000 components). On x86-64 the loop is compiled for AVX-512BW,
/// AVX2 and the baseline, and the loader picks the best the CPU has (an ifunc), so one binary
/// runs everywhere and uses wide registers where they exist.
int32_t haven_dot_i8(const int8_t *a, const int8_t *b, int32_t count);

/// Asks the CPU to start loading the `bytes` bytes at `address` into its caches, so a graph
/// search can fetch the vectors of a node's neighbours in parallel before it scores them.
static inline void haven_prefetch(const void *address, int32_t bytes) {
    const char *start = (const char *)address;
    for (int32_t offset = 0; offset < bytes; offset += 64) __builtin_prefetch(start + offset, 0, 3);
}

#endif

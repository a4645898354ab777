#include "vector_kernels.h"

#if defined(__x86_64__) && defined(__linux__)
#define HAVEN_WIDEST __attribute__((target_clones("avx512bw", "avx2", "default")))
#else
#define HAVEN_WIDEST
#endif

HAVEN_WIDEST
int32_t haven_dot_i8(const int8_t *a, const int8_t *b, int32_t count) {
    int32_t sum = 0;
    for (int32_t index = 0; index < count; index++) sum += (int32_t)a[index] * (int32_t)b[index];
    return sum;
}

#define _GNU_SOURCE
#include <unistd.h>
#include "haven_system.h"

int haven_sync_file_system(int fd) {
#if defined(__linux__)
    return syncfs(fd);
#else
    return fsync(fd);
#endif
}

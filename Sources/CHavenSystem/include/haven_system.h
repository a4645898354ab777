#ifndef HAVEN_SYSTEM_H
#define HAVEN_SYSTEM_H

/// Flushes every file system buffer of the file system holding `fd` (Linux `syncfs`; a plain
/// `fsync` of `fd` elsewhere). Returns 0, or -1 with errno set.
int haven_sync_file_system(int fd);

#endif

#ifndef KABAR_MIME_H
#define KABAR_MIME_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

/*
 * MIME types by libmagic, cached per file (device, inode, size, mtime). Each
 * thread has its own magic cookie, so no lock is taken. .gmi and .gemini are
 * text/gemini whatever libmagic says.
 */

/* The type of the open file fd named name, e.g. "image/png" or "text/plain".
 * The string stays valid until the thread ends. */
const char *mime_type(int fd, const char *name, dev_t dev, ino_t ino, off_t size, time_t mtime);

/* The type libmagic sees in bytes not yet written anywhere (an upload),
 * whatever name they are meant for. Valid until the thread ends. */
const char *mime_type_of_bytes(const void *data, size_t len);

/* Frees this thread's cookie and cache now; a thread that ends without
 * calling it has them freed as it exits. */
void mime_thread_done(void);

/* Reads libmagic's database into memory now, for a process about to chroot
 * where the file is out of reach; every cookie made later loads from that
 * copy. 0, or -1 (logged). */
int mime_preload(void);

#endif

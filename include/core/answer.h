#ifndef KABAR_ANSWER_H
#define KABAR_ANSWER_H

#include <stdatomic.h>
#include <stddef.h>

#include "buf.h"

/*
 * One finished response (header and body, exactly the bytes a client
 * gets), immutable and reference-counted. A snapshot's page cache keeps
 * one; every connection sending it holds a reference and writes it in
 * pieces as its socket drains, so a thousand slow readers of a large page
 * share one copy of it.
 */
struct answer {
	atomic_size_t refs;
	int status;  /* for the access log: Gemini status, or Gopher 0 */
	size_t len;
	char *data;
};

/* Takes the bytes of b (b is left empty); one reference. */
struct answer *answer_new(struct buf *b, int status);
void answer_hold(struct answer *a);
/* Releases one reference; the last frees it. NULL is ignored. */
void answer_drop(struct answer *a);

#endif

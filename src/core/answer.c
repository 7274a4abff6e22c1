#include "answer.h"

#include <stdlib.h>

#include "alloc.h"

struct answer *answer_new(struct buf *b, int status)
{
	struct answer *a = xmalloc(sizeof *a);
	atomic_init(&a->refs, 1);
	a->status = status;
	a->len = b->len;
	/* A growing buffer holds up to twice its bytes; a kept answer may live
	 * as long as its snapshot, so it gives the slack back. */
	a->data = xrealloc(buf_steal(b), a->len + 1);
	return a;
}

void answer_hold(struct answer *a)
{
	atomic_fetch_add(&a->refs, 1);
}

void answer_drop(struct answer *a)
{
	if (a == NULL || atomic_fetch_sub(&a->refs, 1) != 1)
		return;
	free(a->data);
	free(a);
}

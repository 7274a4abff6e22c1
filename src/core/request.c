#include "request.h"

#include <unistd.h>

#include "answer.h"

void response_init(struct response *res)
{
	buf_init(&res->head);
	buf_init(&res->tail);
	res->page = NULL;
	res->fd = -1;
	res->fd_length = 0;
	res->no_reply = false;
	res->status = 0;
}

void response_free(struct response *res)
{
	buf_free(&res->head);
	buf_free(&res->tail);
	answer_drop(res->page);
	res->page = NULL;
	if (res->fd >= 0)
		close(res->fd);
	res->fd = -1;
}

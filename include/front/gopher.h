#ifndef KABAR_GOPHER_H
#define KABAR_GOPHER_H

#include <stddef.h>

#include "request.h"

/* The Gopher front-end (RFC 1436 and what real clients expect). */

/* Looks for "SELECTOR[\tSEARCH][\t+...]\r\n" (a bare LF is tolerated). */
enum frame_result gopher_frame(const char *data, size_t len, size_t *request_len);

/* Answers one request (without its line end). request NULL: too long. */
void gopher_respond(const struct request_info *info, const char *request, size_t len,
                    struct response *res);

/* A client over its request rate: an error item that says how many
 * seconds to wait (Gopher has no status codes). */
void gopher_slow_down(int seconds, struct response *res);

#endif

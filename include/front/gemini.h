#ifndef KABAR_GEMINI_H
#define KABAR_GEMINI_H

#include <stdbool.h>
#include <stddef.h>

#include "request.h"

/* The Gemini front-end: request framing and responses (spec-exact). */

/* Looks for "URL\r\n" in the bytes read so far. */
enum frame_result gemini_frame(const char *data, size_t len, size_t *request_len);

/* Answers one request (without its CRLF). Also used for FRAME_TOO_LONG with
 * request NULL, which answers 59. */
void gemini_respond(const struct request_info *info, const char *request, size_t len,
                    struct response *res);

/* Any answer without a body: "CODE META\r\n". A meta that could break
 * the header (control characters, too long) is never sent: 40 instead. */
void gemini_status(struct response *res, int code, const char *meta);

/* The virtual host (an index into the runtime's hosts) a request for host
 * names, SNI considered, or -1 when it is none of ours. */
int gemini_find_host(const struct request_info *info, const char *host, bool host_is_ip);

/* A client over its request rate: "44 SECONDS", the wait before it may ask again. */
void gemini_slow_down(int seconds, struct response *res);

#endif

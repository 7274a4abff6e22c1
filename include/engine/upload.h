#ifndef KABAR_UPLOAD_H
#define KABAR_UPLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "request.h"
#include "runtime.h"

/*
 * A Titan upload as the Gemini port serves it (titan.h holds the rules).
 * The engine drives it in three steps, never blocking:
 *   upload_begin    on the request line alone: who, where, how large;
 *                   a refusal is answered before a byte of body is read;
 *   upload_take     the body, as it arrives (the engine bounds the time),
 *                   written on to a temporary file beside the target, never
 *                   held in memory; the uploads in flight, each editor's
 *                   bytes a day and the disk's free space are bounded;
 *   upload_finish   checks the body (an article must parse), writes it,
 *                   and logs it for the audit;
 *   upload_settled  asked until the served snapshot holds the change, so
 *                   the "30" that follows leads to the published page.
 */

struct upload;

/* NULL when res already holds the answer (nothing more is read); else an
 * upload whose body of upload_missing() bytes the engine reads. */
struct upload *upload_begin(const struct request_info *info, const char *line, size_t len,
                            struct response *res);

/* Bytes of the body not received yet. */
size_t upload_missing(const struct upload *up);

/* Adds received body bytes (at most upload_missing of them). */
void upload_take(struct upload *up, const char *data, size_t len);

/* With the whole body: asks again whether the editor may write it, under
 * now (the settings in force at this moment, which a reload may have
 * changed since upload_begin), checks it and puts it in place. True when
 * res holds the answer; false when the answer waits for the site (ask
 * upload_settled). */
bool upload_finish(struct upload *up, const struct runtime *now, struct response *res);

/* True, with res filled, once the served snapshot holds the change, or at
 * once when give_up (the loader is slow: the answer goes anyway). */
bool upload_settled(struct upload *up, bool give_up, struct response *res);

void upload_free(struct upload *up);

#endif

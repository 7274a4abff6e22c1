#ifndef KABAR_RATELIMIT_H
#define KABAR_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/*
 * Limits per client address, shared by every worker: how many connections
 * one address may hold open, and how many requests it may make a minute (a
 * token bucket that holds a minute's allowance, so a reader's burst of
 * requests passes and a crawler's steady stream is slowed to the rate).
 * IPv6 clients are counted by their /64 network, since one host usually
 * has the whole of it. Zero turns a limit off.
 */

struct ratelimit;

struct ratelimit *ratelimit_new(int requests_per_minute, int connections_per_address);
void ratelimit_free(struct ratelimit *r);

/* Counts a new connection from addr. False (and nothing counted) when the
 * address already holds its share of connections: close it. */
bool ratelimit_connect(struct ratelimit *r, const struct sockaddr_storage *addr, int64_t now_ms);
/* The connection that ratelimit_connect counted has closed. */
void ratelimit_disconnect(struct ratelimit *r, const struct sockaddr_storage *addr,
                          int64_t now_ms);

/* Takes one request from the address's allowance: 0 when it may go on,
 * else the whole seconds (at least 1) until it may ask again. */
int ratelimit_request(struct ratelimit *r, const struct sockaddr_storage *addr, int64_t now_ms);

#endif

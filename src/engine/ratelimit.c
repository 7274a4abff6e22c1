#include "ratelimit.h"

#include "alloc.h"
#include "log.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/*
 * A hash table of addresses cut into shards, each with its own lock, so
 * workers accepting at once rarely wait for each other. An entry lives
 * while its address has a connection open or has spent some of its
 * allowance; once both are back to nothing it is freed, so the table holds
 * only addresses active within the last minute.
 */

#define SHARDS 64
#define CHAINS 256
/* Entries per shard: past this (an attack from very many addresses) a
 * new address is refused rather than taking memory without end, and never
 * let through uncounted, which would give addresses aimed at one shard no
 * limit at all. */
#define SHARD_CAP 1024
#define MS_PER_MINUTE 60000.0

struct client {
	unsigned char key[16];
	int conns;
	double tokens;   /* requests it may still make at once */
	int64_t last_ms; /* when tokens was last brought up to date */
	bool warned;     /* its refusal was logged; quiet until it drops below */
	struct client *next;
};

struct shard {
	pthread_mutex_t lock;
	struct client *chains[CHAINS];
	size_t count;
	bool full_warned;
};

struct ratelimit {
	double per_minute; /* 0: requests are not limited */
	int max_conns;     /* 0: connections are not limited */
	struct shard shards[SHARDS];
};

struct ratelimit *ratelimit_new(int requests_per_minute, int connections_per_address)
{
	struct ratelimit *r = xcalloc(1, sizeof *r);
	r->per_minute = requests_per_minute > 0 ? requests_per_minute : 0;
	r->max_conns = connections_per_address > 0 ? connections_per_address : 0;
	for (size_t i = 0; i < SHARDS; i++)
		pthread_mutex_init(&r->shards[i].lock, NULL);
	return r;
}

void ratelimit_free(struct ratelimit *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < SHARDS; i++) {
		for (size_t k = 0; k < CHAINS; k++) {
			struct client *c = r->shards[i].chains[k];
			while (c != NULL) {
				struct client *next = c->next;
				free(c);
				c = next;
			}
		}
		pthread_mutex_destroy(&r->shards[i].lock);
	}
	free(r);
}

/* The address as 16 bytes: IPv4 mapped into IPv6, IPv6 cut to its /64. */
static void address_key(const struct sockaddr_storage *addr, unsigned char key[16])
{
	memset(key, 0, 16);
	if (addr->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
		key[10] = key[11] = 0xff;
		memcpy(key + 12, &in->sin_addr, 4);
	} else if (addr->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;
		bool mapped = IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr);
		memcpy(key, &in6->sin6_addr, mapped ? 16 : 8);
	}
}

/* FNV-1a: the table's only use of a hash, and good enough for it. */
static uint32_t key_hash(const unsigned char key[16])
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < 16; i++) {
		h ^= key[i];
		h *= 16777619u;
	}
	return h;
}

/* Brings the bucket up to now: tokens flow back at the rate, up to a
 * minute's worth. A worker's now may be older than another's last update
 * (it was read before its batch of events): last_ms never goes back, or
 * the same interval would be paid out twice. */
static void refill(const struct ratelimit *r, struct client *c, int64_t now)
{
	if (now <= c->last_ms)
		return;
	c->tokens += (double)(now - c->last_ms) * r->per_minute / MS_PER_MINUTE;
	if (c->tokens > r->per_minute)
		c->tokens = r->per_minute;
	c->last_ms = now;
}

static bool client_idle(const struct ratelimit *r, struct client *c, int64_t now)
{
	refill(r, c, now);
	return c->conns == 0 && c->tokens >= r->per_minute;
}

/* Frees the idle entries of a chain. */
static void sweep_chain(struct ratelimit *r, struct shard *s, struct client **chain, int64_t now)
{
	while (*chain != NULL) {
		struct client *c = *chain;
		if (client_idle(r, c, now)) {
			*chain = c->next;
			free(c);
			s->count--;
		} else {
			chain = &c->next;
		}
	}
}

/* Frees the idle entries of every chain of a shard: a full shard's room
 * may be held by idle entries in chains no recent address touched. */
static void sweep_shard(struct ratelimit *r, struct shard *s, int64_t now)
{
	for (size_t k = 0; k < CHAINS; k++)
		sweep_chain(r, s, &s->chains[k], now);
}

/* The address's entry, made when missing; NULL when its shard is full of
 * addresses still active (the address is then refused). Called with the
 * shard locked. */
static struct client *find_client(struct ratelimit *r, struct shard *s, uint32_t hash,
                                  const unsigned char key[16], int64_t now)
{
	struct client **chain = &s->chains[(hash / SHARDS) % CHAINS];
	for (struct client *c = *chain; c != NULL; c = c->next) {
		if (memcmp(c->key, key, 16) == 0) {
			refill(r, c, now);
			return c;
		}
	}
	sweep_chain(r, s, chain, now);
	if (s->count >= SHARD_CAP)
		sweep_shard(r, s, now);
	if (s->count >= SHARD_CAP) {
		if (!s->full_warned)
			log_warn("limits: too many client addresses at once; refusing new ones until "
			         "some go quiet");
		s->full_warned = true;
		return NULL;
	}
	s->full_warned = false;
	struct client *c = xcalloc(1, sizeof *c);
	memcpy(c->key, key, 16);
	c->tokens = r->per_minute;
	c->last_ms = now;
	c->next = *chain;
	*chain = c;
	s->count++;
	return c;
}

/* Locks the address's shard and gives its entry (NULL when refused). */
static struct client *lock_client(struct ratelimit *r, const struct sockaddr_storage *addr,
                                  int64_t now, struct shard **shard)
{
	unsigned char key[16];
	address_key(addr, key);
	uint32_t hash = key_hash(key);
	*shard = &r->shards[hash % SHARDS];
	pthread_mutex_lock(&(*shard)->lock);
	return find_client(r, *shard, hash, key, now);
}

/* Unlocks, freeing the entry first when it holds nothing any more. */
static void unlock_client(struct ratelimit *r, struct shard *s, struct client *c, int64_t now)
{
	if (c != NULL && client_idle(r, c, now))
		sweep_chain(r, s, &s->chains[(key_hash(c->key) / SHARDS) % CHAINS], now);
	pthread_mutex_unlock(&s->lock);
}

bool ratelimit_connect(struct ratelimit *r, const struct sockaddr_storage *addr, int64_t now)
{
	if (r->max_conns == 0)
		return true;
	struct shard *s;
	struct client *c = lock_client(r, addr, now, &s);
	bool allowed = c != NULL && c->conns < r->max_conns;
	if (c != NULL && allowed)
		c->conns++;
	bool warn = c != NULL && !allowed && !c->warned;
	if (warn)
		c->warned = true;
	unlock_client(r, s, c, now);
	if (warn)
		log_warn("limits: an address holds %d connections; refusing more until one closes",
		         r->max_conns);
	return allowed;
}

void ratelimit_disconnect(struct ratelimit *r, const struct sockaddr_storage *addr, int64_t now)
{
	if (r->max_conns == 0)
		return;
	struct shard *s;
	struct client *c = lock_client(r, addr, now, &s);
	if (c != NULL && c->conns > 0) {
		c->conns--;
		c->warned = false;
	}
	unlock_client(r, s, c, now);
}

int ratelimit_request(struct ratelimit *r, const struct sockaddr_storage *addr, int64_t now)
{
	if (r->per_minute == 0)
		return 0;
	struct shard *s;
	struct client *c = lock_client(r, addr, now, &s);
	int wait_s = 0;
	if (c != NULL && c->tokens >= 1.0) {
		c->tokens -= 1.0;
	} else {
		/* Refused for a full shard: as long as a spent allowance waits. */
		double tokens = c != NULL ? c->tokens : 0.0;
		double wait_ms = (1.0 - tokens) * MS_PER_MINUTE / r->per_minute;
		wait_s = (int)((wait_ms + 999.0) / 1000.0);
		if (wait_s < 1)
			wait_s = 1;
	}
	unlock_client(r, s, c, now);
	return wait_s;
}

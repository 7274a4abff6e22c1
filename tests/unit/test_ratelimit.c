#include "ratelimit.h"

#include "check.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

static struct sockaddr_storage ipv4(const char *text)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	in->sin_family = AF_INET;
	inet_pton(AF_INET, text, &in->sin_addr);
	return ss;
}

static struct sockaddr_storage ipv6(const char *text)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	in6->sin6_family = AF_INET6;
	inet_pton(AF_INET6, text, &in6->sin6_addr);
	return ss;
}

/*
 * Addresses an attacker picks so that they all land on one shard of the
 * table: the shard is the FNV-1a hash of the 16-byte key modulo 64, and an
 * IPv6 key is the address's /64 with the rest zero. Every /64 under
 * 2001:db8::/32 is tried until n of them share the shard of the first.
 */
#define SHARDS 64
#define SHARD_CAP 1024 /* entries a shard holds (ratelimit.c) */

static uint32_t fnv1a(const unsigned char key[16])
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < 16; i++) {
		h ^= key[i];
		h *= 16777619u;
	}
	return h;
}

static struct sockaddr_storage network64(uint32_t n)
{
	struct sockaddr_storage ss = ipv6("2001:db8::1");
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	uint32_t be = htonl(n);
	memcpy(&in6->sin6_addr.s6_addr[4], &be, 4);
	return ss;
}

static uint32_t shard_of(const struct sockaddr_storage *ss)
{
	unsigned char key[16] = {0};
	memcpy(key, ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr, 8);
	return fnv1a(key) % SHARDS;
}

/* n addresses of one shard into out; also one of another shard. */
static void aimed_at_one_shard(struct sockaddr_storage *out, size_t n,
                               struct sockaddr_storage *elsewhere)
{
	struct sockaddr_storage first = network64(0);
	uint32_t target = shard_of(&first);
	size_t found = 0;
	bool other = false;
	for (uint32_t i = 0; found < n || !other; i++) {
		struct sockaddr_storage ss = network64(i);
		if (shard_of(&ss) == target) {
			if (found < n)
				out[found++] = ss;
		} else if (!other) {
			*elsewhere = ss;
			other = true;
		}
	}
}

static size_t allowed_requests(struct ratelimit *r, const struct sockaddr_storage *a, int tries,
                               int64_t now)
{
	size_t allowed = 0;
	for (int i = 0; i < tries; i++)
		allowed += ratelimit_request(r, a, now) == 0;
	return allowed;
}

static void test_full_shard_refuses_requests(void)
{
	struct sockaddr_storage *aimed = calloc(SHARD_CAP + 8, sizeof *aimed);
	struct sockaddr_storage elsewhere;
	aimed_at_one_shard(aimed, SHARD_CAP + 8, &elsewhere);
	struct ratelimit *r = ratelimit_new(10, 0);
	/* Every aimed address spends its allowance and is held to it. */
	for (size_t i = 0; i < SHARD_CAP; i++)
		CHECK_INT(allowed_requests(r, &aimed[i], 11, 1000), 10);
	/* The shard is full of active addresses: a new one aimed there is
	 * refused outright, never let through uncounted. */
	for (size_t i = SHARD_CAP; i < SHARD_CAP + 8; i++) {
		CHECK_INT(allowed_requests(r, &aimed[i], 50, 2000), 0);
		CHECK_INT(ratelimit_request(r, &aimed[i], 2000), 6);
	}
	CHECK_INT(allowed_requests(r, &aimed[0], 5, 2000), 0);
	/* Other shards go on as before. */
	CHECK_INT(allowed_requests(r, &elsewhere, 11, 2000), 10);
	/* A minute on, the spent allowances are back and their entries go:
	 * the newcomers get theirs, and no more. */
	for (size_t i = SHARD_CAP; i < SHARD_CAP + 8; i++)
		CHECK_INT(allowed_requests(r, &aimed[i], 11, 62000), 10);
	ratelimit_free(r);
	free(aimed);
}

static void test_full_shard_refuses_connections(void)
{
	struct sockaddr_storage *aimed = calloc(SHARD_CAP + 1, sizeof *aimed);
	struct sockaddr_storage elsewhere;
	aimed_at_one_shard(aimed, SHARD_CAP + 1, &elsewhere);
	struct ratelimit *r = ratelimit_new(0, 1);
	for (size_t i = 0; i < SHARD_CAP; i++)
		CHECK(ratelimit_connect(r, &aimed[i], 0));
	struct sockaddr_storage *newcomer = &aimed[SHARD_CAP];
	for (int i = 0; i < 20; i++)
		CHECK(!ratelimit_connect(r, newcomer, 0));
	ratelimit_disconnect(r, newcomer, 0); /* never counted: changes nothing */
	CHECK(!ratelimit_connect(r, newcomer, 0));
	CHECK(ratelimit_connect(r, &elsewhere, 0));
	/* One aimed address leaves: the newcomer takes its room, one
	 * connection's worth. */
	ratelimit_disconnect(r, &aimed[0], 0);
	CHECK(ratelimit_connect(r, newcomer, 0));
	CHECK(!ratelimit_connect(r, newcomer, 0));
	CHECK(!ratelimit_connect(r, &aimed[0], 0));
	ratelimit_free(r);
	free(aimed);
}

static void test_burst_then_the_rate(void)
{
	struct ratelimit *r = ratelimit_new(60, 0);
	struct sockaddr_storage a = ipv4("192.0.2.1");
	for (int i = 0; i < 60; i++)
		CHECK_INT(ratelimit_request(r, &a, 1000), 0);
	/* Empty: one request a second comes back. */
	CHECK_INT(ratelimit_request(r, &a, 1000), 1);
	CHECK_INT(ratelimit_request(r, &a, 1500), 1);
	CHECK_INT(ratelimit_request(r, &a, 2000), 0);
	CHECK_INT(ratelimit_request(r, &a, 2000), 1);
	/* Another address has its own allowance. */
	struct sockaddr_storage b = ipv4("192.0.2.2");
	CHECK_INT(ratelimit_request(r, &b, 2000), 0);
	/* A minute later the whole allowance is back, and no more. */
	for (int i = 0; i < 60; i++)
		CHECK_INT(ratelimit_request(r, &a, 100000), 0);
	CHECK_INT(ratelimit_request(r, &a, 100000), 1);
	ratelimit_free(r);
}

static void test_wait_is_whole_seconds(void)
{
	struct ratelimit *r = ratelimit_new(6, 0); /* one every 10 s */
	struct sockaddr_storage a = ipv4("198.51.100.7");
	for (int i = 0; i < 6; i++)
		CHECK_INT(ratelimit_request(r, &a, 0), 0);
	CHECK_INT(ratelimit_request(r, &a, 0), 10);
	CHECK_INT(ratelimit_request(r, &a, 2500), 8);
	CHECK_INT(ratelimit_request(r, &a, 9999), 1);
	CHECK_INT(ratelimit_request(r, &a, 10000), 0);
	ratelimit_free(r);
}

/* Workers read the clock before a batch of events, so calls come with
 * times out of order: an older time pays nothing out, and the time between
 * is not paid twice. */
static void test_out_of_order_times_refill_once(void)
{
	struct ratelimit *r = ratelimit_new(60, 4);
	struct sockaddr_storage a = ipv4("192.0.2.77");
	CHECK(ratelimit_connect(r, &a, 10000));
	for (int i = 0; i < 60; i++)
		CHECK_INT(ratelimit_request(r, &a, 10500), 0);
	CHECK_INT(ratelimit_request(r, &a, 10500), 1);
	/* The connection closes in a batch whose clock read 10000. */
	ratelimit_disconnect(r, &a, 10000);
	CHECK(ratelimit_connect(r, &a, 10000));
	/* Half a second since the allowance ran out: half a token, not one. */
	CHECK_INT(ratelimit_request(r, &a, 11000), 1);
	CHECK_INT(ratelimit_request(r, &a, 11500), 0);
	CHECK_INT(ratelimit_request(r, &a, 11500), 1);
	ratelimit_free(r);
}

static void test_connections_per_address(void)
{
	struct ratelimit *r = ratelimit_new(0, 2);
	struct sockaddr_storage a = ipv4("203.0.113.5"), b = ipv4("203.0.113.6");
	CHECK(ratelimit_connect(r, &a, 0));
	CHECK(ratelimit_connect(r, &a, 0));
	CHECK(!ratelimit_connect(r, &a, 0));
	CHECK(!ratelimit_connect(r, &a, 0));
	CHECK(ratelimit_connect(r, &b, 0));
	ratelimit_disconnect(r, &a, 0);
	CHECK(ratelimit_connect(r, &a, 0));
	CHECK(!ratelimit_connect(r, &a, 0));
	ratelimit_disconnect(r, &a, 0);
	ratelimit_disconnect(r, &a, 0);
	ratelimit_disconnect(r, &b, 0);
	/* Requests are not limited here. */
	for (int i = 0; i < 1000; i++)
		CHECK_INT(ratelimit_request(r, &a, 0), 0);
	ratelimit_free(r);
}

static void test_ipv6_counted_by_its_64(void)
{
	struct ratelimit *r = ratelimit_new(0, 1);
	struct sockaddr_storage one = ipv6("2001:db8:1:2::1"), two = ipv6("2001:db8:1:2::ffff");
	struct sockaddr_storage other = ipv6("2001:db8:1:3::1");
	CHECK(ratelimit_connect(r, &one, 0));
	CHECK(!ratelimit_connect(r, &two, 0));
	CHECK(ratelimit_connect(r, &other, 0));
	/* An IPv4-mapped address is the IPv4 address. */
	struct sockaddr_storage v4 = ipv4("192.0.2.9"), mapped = ipv6("::ffff:192.0.2.9");
	CHECK(ratelimit_connect(r, &v4, 0));
	CHECK(!ratelimit_connect(r, &mapped, 0));
	ratelimit_free(r);
}

static void test_off(void)
{
	struct ratelimit *r = ratelimit_new(0, 0);
	struct sockaddr_storage a = ipv4("192.0.2.1");
	for (int i = 0; i < 10000; i++) {
		CHECK(ratelimit_connect(r, &a, 0));
		CHECK_INT(ratelimit_request(r, &a, 0), 0);
	}
	ratelimit_free(r);
}

static void test_many_addresses_stay_bounded(void)
{
	/* Each address spends a little and leaves: the table forgets idle
	 * ones, so it never fills; an address seen again starts afresh. */
	struct ratelimit *r = ratelimit_new(600, 8);
	for (unsigned i = 0; i < 200000; i++) {
		struct sockaddr_storage ss = ipv4("10.0.0.0");
		((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(0x0a000000u + i);
		int64_t now = (int64_t)i; /* a millisecond apart */
		CHECK(ratelimit_connect(r, &ss, now));
		CHECK_INT(ratelimit_request(r, &ss, now), 0);
		ratelimit_disconnect(r, &ss, now);
	}
	/* Still counting: a full table would let a new address through. */
	struct sockaddr_storage last = ipv4("192.0.2.200");
	for (int i = 0; i < 8; i++)
		CHECK(ratelimit_connect(r, &last, 200000));
	CHECK(!ratelimit_connect(r, &last, 200000));
	ratelimit_free(r);
}

int main(void)
{
	RUN(test_burst_then_the_rate);
	RUN(test_wait_is_whole_seconds);
	RUN(test_out_of_order_times_refill_once);
	RUN(test_connections_per_address);
	RUN(test_ipv6_counted_by_its_64);
	RUN(test_off);
	RUN(test_many_addresses_stay_bounded);
	RUN(test_full_shard_refuses_requests);
	RUN(test_full_shard_refuses_connections);
	return check_report();
}

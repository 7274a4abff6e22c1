#include "listener.h"

#include "buf.h"

#include "check.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int port_of(const char *where)
{
	const char *colon = strrchr(where, ':');
	return colon ? atoi(colon + 1) : -1;
}

static void test_loopback_port_zero(void)
{
	struct listen_addr addrs[] = {
		{.proto = OUTPUT_GEMINI, .host = "127.0.0.1", .port = 0},
		{.proto = OUTPUT_GOPHER, .host = "::1", .port = 0},
	};
	struct listener *ls = NULL;
	struct buf errors = {0};
	int n = listeners_open(addrs, 2, &ls, &errors);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK(strncmp(ls[0].where, "127.0.0.1:", 10) == 0);
		CHECK(strncmp(ls[1].where, "[::1]:", 6) == 0);
		CHECK(port_of(ls[0].where) > 0);
		CHECK(port_of(ls[1].where) > 0);
		CHECK_INT(ls[0].proto, OUTPUT_GEMINI);
		CHECK_INT(ls[1].proto, OUTPUT_GOPHER);
		CHECK_INT(ls[0].kind, WATCH_LISTENER);
		listeners_close(ls, (size_t)n);
	}
	CHECK_INT(errors.len, 0);
	buf_free(&errors);
}

static void test_wildcard_binds_both_families_on_one_port(void)
{
	struct listen_addr addrs[] = {{.proto = OUTPUT_GOPHER, .host = "*", .port = 0}};
	struct listener *ls = NULL;
	struct buf errors = {0};
	int n = listeners_open(addrs, 1, &ls, &errors);
	CHECK_INT(n, 2);
	if (n == 2) {
		bool v4 = strncmp(ls[0].where, "0.0.0.0:", 8) == 0 || strncmp(ls[1].where, "0.0.0.0:", 8) == 0;
		bool v6 = strncmp(ls[0].where, "[::]:", 5) == 0 || strncmp(ls[1].where, "[::]:", 5) == 0;
		CHECK(v4 && v6);
		CHECK_INT(port_of(ls[0].where), port_of(ls[1].where));
		int only = 0;
		socklen_t len = sizeof only;
		int v6_fd = strncmp(ls[0].where, "[::]", 4) == 0 ? ls[0].fd : ls[1].fd;
		getsockopt(v6_fd, IPPROTO_IPV6, IPV6_V6ONLY, &only, &len);
		CHECK_INT(only, 1);
		listeners_close(ls, (size_t)n);
	}
	buf_free(&errors);
}

static void test_port_in_use_is_reported(void)
{
	struct listen_addr first[] = {{.proto = OUTPUT_GEMINI, .host = "127.0.0.1", .port = 0}};
	struct listener *ls = NULL;
	struct buf errors = {0};
	CHECK_INT(listeners_open(first, 1, &ls, &errors), 1);
	struct listen_addr again[] = {
		{.proto = OUTPUT_GOPHER, .host = "127.0.0.1", .port = 0},
		{.proto = OUTPUT_GEMINI, .host = "127.0.0.1", .port = port_of(ls[0].where)},
	};
	struct listener *more = NULL;
	CHECK_INT(listeners_open(again, 2, &more, &errors), -1);
	CHECK(strstr(errors.data ? errors.data : "", "cannot listen") != NULL);
	listeners_close(ls, 1);
	buf_free(&errors);
}

static void test_nothing_to_listen_on(void)
{
	struct listener *ls = NULL;
	struct buf errors = {0};
	CHECK_INT(listeners_open(NULL, 0, &ls, &errors), -1);
	CHECK(strstr(errors.data, "nothing to listen on") != NULL);
	buf_free(&errors);
}

int main(void)
{
	RUN(test_loopback_port_zero);
	RUN(test_wildcard_binds_both_families_on_one_port);
	RUN(test_port_in_use_is_reported);
	RUN(test_nothing_to_listen_on);
	return check_report();
}

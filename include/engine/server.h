#ifndef KABAR_SERVER_H
#define KABAR_SERVER_H

#include "buf.h"
#include "runtime.h"

/*
 * The connection engine: listeners, a fixed pool of worker threads (each an
 * epoll loop over non-blocking sockets), TLS, timeouts, signals, reloads and
 * the privilege drop.
 */

struct server;

/*
 * Binds every listener in rt->config.listen, loads or generates certificates
 * for every vhost, prints one line per bound socket to stdout and flushes:
 * "listening gemini 127.0.0.1:40321" / "listening gopher [::1]:7070"
 * ("*" binds both 0.0.0.0 and [::], one line each, with IPV6_V6ONLY).
 * Takes ownership of rt (from runtime_load; released with runtime_free),
 * even on failure. NULL with reason lines in errors on failure (also when a
 * private key lies inside a capsule).
 *
 * Then, before returning, it confines the process (sandbox.h; the README's "Least privilege"):
 * Landlock ruleset built, chroot into the capsule when config.chroot, drop
 * to config.user (default "nobody") when started as root, no_new_privs,
 * ruleset enforced. Threads started afterwards (the loader, the workers)
 * inherit all of it.
 *
 * It also blocks SIGTERM, SIGINT, SIGHUP and SIGUSR1 in the calling thread,
 * so call it before starting any other thread (the loader): threads started
 * later inherit the mask and server_run receives those signals.
 */
struct server *server_new(struct runtime *rt, struct buf *errors);

/* SIGHUP handler hook: returns a freshly loaded runtime (from runtime_load;
 * the server owns it), or NULL to keep the old one. */
typedef struct runtime *(*server_reload_fn)(void *arg);

/*
 * Starts the workers and handles signals in the
 * calling thread: SIGTERM/SIGINT stop accepting, finish in-flight responses (at most about
 * 5 s) and return 0; SIGHUP calls reload and swaps runtime and TLS
 * certificates without dropping connections (an old runtime is closed when
 * its last connection ends); SIGUSR1 calls log_reopen(). -1 if it cannot
 * start (the reason is logged). A reload keeps the sockets, the workers,
 * the timeouts, the connection cap and the limits per address of the start
 * (a restart changes those); if the new certificates cannot be loaded, the
 * old ones stay. Inside a chroot a reload is refused (logged): restart.
 */
int server_run(struct server *s, server_reload_fn reload, void *arg);

void server_free(struct server *s);

#endif

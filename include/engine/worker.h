#ifndef KABAR_WORKER_H
#define KABAR_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "listener.h"
#include "ratelimit.h"

/*
 * The worker threads of the connection engine and the state they share
 * with the thread that runs server_run (struct engine).
 */

struct engine {
	struct listener *listeners;
	size_t n_listeners;
	enum watch_kind stop_watch; /* WATCH_STOP: epoll's tag for stop_fd */
	int stop_fd;   /* eventfd: readable once the server is stopping */
	int retire_fd; /* eventfd: a generation lost its last reference */
	pthread_mutex_t lock; /* guards current and retired */
	struct generation *current;
	struct generation *retired;
	atomic_int n_conns; /* open connections, every worker together */
	int max_conns;
	int request_timeout_ms;
	int idle_timeout_ms;
	int upload_timeout_ms; /* to receive a whole Titan upload body */
	struct ratelimit *limits; /* per client address */
};

/* The generation new connections start on, with one more reference. */
struct generation *engine_hold(struct engine *e);
/* Drops a reference; the last one hands the generation to the retired
 * list for the server thread to free (never a worker's job). */
void engine_release(struct engine *e, struct generation *g);

struct worker;

/* Starts one worker thread; NULL (logged) if it cannot. */
struct worker *worker_start(struct engine *e);
/* Waits for the worker to finish (after stop_fd became readable). */
void worker_join(struct worker *w);

#endif

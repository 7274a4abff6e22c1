#include "worker.h"

#include "alloc.h"
#include "clock.h"
#include "log.h"
#include "mime.h"

#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

/*
 * Each worker is one thread with its own epoll set. The listening sockets
 * are shared: every worker polls them with EPOLLEXCLUSIVE, so a new
 * connection wakes one idle worker instead of all of them, and whichever
 * worker is free takes it. (SO_REUSEPORT with a socket per worker would hash
 * connections onto workers blindly, a busy worker would still get its share,
 * and connections queued on a stopping worker's socket would be lost.)
 */

#define MAX_EVENTS 64
/* Connections taken per wake-up, so one worker cannot hog a burst. */
#define ACCEPT_BATCH 32
/* How long listening pauses at the connection cap or out of descriptors. */
#define PAUSE_MS 100
/* SIGTERM: responses being written get this long to finish. */
#define DRAIN_MS 5000
/* After a crowd of connections has mostly left (from at least this many
 * to a quarter of them), the memory they used goes back to the system:
 * malloc keeps freed memory otherwise, and a burst of readers would leave
 * the server large for good. */
#define TRIM_CROWD 64

enum timer_list { TIMER_NONE, TIMER_REQUEST, TIMER_IDLE, TIMER_UPLOAD, TIMER_TICK };

/* An upload waiting for its site to publish looks again this often. */
#define TICK_MS 20

/*
 * Timers: all connections of one list share one timeout, so appending with
 * deadline now + timeout keeps each list sorted by deadline. Checking the
 * heads is all the expiry work there is, and moving a connection is O(1).
 */
struct timers {
	struct conn *head, *tail;
};

struct worker {
	struct engine *e;
	pthread_t thread;
	int epfd;
	struct timers request_timers; /* waiting for a whole request */
	struct timers idle_timers;    /* writing; deadline moves with progress */
	struct timers upload_timers;  /* reading an upload's body */
	struct timers tick_timers;    /* stepped again at their deadline, not closed */
	size_t n_conns;
	size_t crowd; /* the most connections since memory was last trimmed */
	bool listening;
	int64_t resume_ms; /* when listening was paused: try again then */
	bool starved;      /* out of descriptors; said once until the queue drains */
	bool stopping;
	int64_t drain_deadline;
	int64_t log_due_ms; /* when this thread's access lines must be written */
};

struct generation *engine_hold(struct engine *e)
{
	pthread_mutex_lock(&e->lock);
	struct generation *g = e->current;
	atomic_fetch_add(&g->refs, 1);
	pthread_mutex_unlock(&e->lock);
	return g;
}

void engine_release(struct engine *e, struct generation *g)
{
	if (atomic_fetch_sub(&g->refs, 1) != 1)
		return;
	pthread_mutex_lock(&e->lock);
	g->next = e->retired;
	e->retired = g;
	pthread_mutex_unlock(&e->lock);
	eventfd_write(e->retire_fd, 1);
}

static struct timers *timers_of(struct worker *w, int list)
{
	switch (list) {
	case TIMER_REQUEST:
		return &w->request_timers;
	case TIMER_UPLOAD:
		return &w->upload_timers;
	case TIMER_TICK:
		return &w->tick_timers;
	default:
		return &w->idle_timers;
	}
}

static void timer_remove(struct worker *w, struct conn *c)
{
	if (c->timer_list == TIMER_NONE)
		return;
	struct timers *t = timers_of(w, c->timer_list);
	if (c->prev)
		c->prev->next = c->next;
	else
		t->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		t->tail = c->prev;
	c->prev = c->next = NULL;
	c->timer_list = TIMER_NONE;
}

static void timer_append(struct worker *w, struct conn *c, int list, int64_t deadline)
{
	timer_remove(w, c);
	struct timers *t = timers_of(w, list);
	c->timer_list = list;
	c->deadline_ms = deadline;
	c->prev = t->tail;
	c->next = NULL;
	if (t->tail)
		t->tail->next = c;
	else
		t->head = c;
	t->tail = c;
}

static void arm_listeners(struct worker *w)
{
	for (size_t i = 0; i < w->e->n_listeners; i++) {
		struct listener *l = &w->e->listeners[i];
		struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = l};
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, l->fd, &ev) != 0)
			log_error("cannot poll %s: %s", l->where, strerror(errno));
	}
	w->listening = true;
	w->resume_ms = 0;
}

/* Stops taking connections until resume (or until one of ours closes).
 * EPOLLEXCLUSIVE registrations cannot be modified, only removed. */
static void pause_listening(struct worker *w, int64_t resume)
{
	if (w->listening) {
		for (size_t i = 0; i < w->e->n_listeners; i++)
			epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->e->listeners[i].fd, NULL);
	}
	w->listening = false;
	w->resume_ms = resume;
}

static void close_conn(struct worker *w, struct conn *c, int64_t now)
{
	timer_remove(w, c);
	struct generation *g = c->gen;
	if (c->counted)
		ratelimit_disconnect(w->e->limits, &c->peer, now);
	conn_free(c, now);
	engine_release(w->e, g);
	atomic_fetch_sub(&w->e->n_conns, 1);
	w->n_conns--;
	if (w->crowd >= TRIM_CROWD && w->n_conns <= w->crowd / 4) {
		malloc_trim(0);
		w->crowd = w->n_conns;
	}
	if (!w->listening && !w->stopping)
		arm_listeners(w);
}

/* A connection with nothing to wait for on its socket leaves the epoll set
 * (a closed peer would wake it without end) and is stepped again shortly. */
static void wait_tick(struct worker *w, struct conn *c, int64_t now)
{
	if (c->events != 0 && epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->fd, NULL) != 0) {
		close_conn(w, c, now);
		return;
	}
	c->events = 0;
	timer_append(w, c, TIMER_TICK, now + TICK_MS);
}

/* Which timeout a connection is under: the request's, the upload's, or
 * (past them) the one for a write that makes no progress. */
static void arm_timeout(struct worker *w, struct conn *c, int64_t now)
{
	if (conn_uploading(c)) {
		if (c->timer_list != TIMER_UPLOAD)
			timer_append(w, c, TIMER_UPLOAD, now + w->e->upload_timeout_ms);
	} else if (!conn_reading(c) && (c->timer_list != TIMER_IDLE || c->progressed)) {
		timer_append(w, c, TIMER_IDLE, now + w->e->idle_timeout_ms);
	}
	c->progressed = false;
}

/* Runs a connection as far as it goes and waits for what it needs next. */
static void drive(struct worker *w, struct conn *c, int64_t now)
{
	enum conn_want want = conn_step(c);
	if (want == CONN_FINISHED) {
		close_conn(w, c, now);
		return;
	}
	if (want == CONN_WANT_TICK) {
		wait_tick(w, c, now);
		return;
	}
	arm_timeout(w, c, now);
	uint32_t events = want == CONN_WANT_READ ? EPOLLIN : EPOLLOUT;
	if (events == c->events)
		return;
	struct epoll_event ev = {.events = events, .data.ptr = c};
	int op = c->events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
	if (epoll_ctl(w->epfd, op, c->fd, &ev) != 0) {
		close_conn(w, c, now);
		return;
	}
	c->events = events;
}

static void add_conn(struct worker *w, int fd, const struct listener *l,
                     const struct sockaddr_storage *peer, int64_t now)
{
	/* Over its share: closed at once, before any TLS work is spent on it.
	 * Behind a balancer the client is counted once its header names it. */
	if (!l->proxy && !ratelimit_connect(w->e->limits, peer, now)) {
		close(fd);
		atomic_fetch_sub(&w->e->n_conns, 1);
		return;
	}
	struct generation *g = engine_hold(w->e);
	struct conn *c = conn_new(fd, l, g, peer, w->e->limits, now);
	if (c == NULL) {
		if (!l->proxy)
			ratelimit_disconnect(w->e->limits, peer, now);
		engine_release(w->e, g);
		atomic_fetch_sub(&w->e->n_conns, 1);
		return;
	}
	w->n_conns++;
	if (w->n_conns > w->crowd)
		w->crowd = w->n_conns;
	timer_append(w, c, TIMER_REQUEST, now + w->e->request_timeout_ms);
	/* The client usually spoke before we accepted (a TLS ClientHello, a
	 * Gopher selector): start now rather than after one more epoll_wait.
	 * The socket joins the epoll set only if it has to wait (drive adds
	 * it then): a Gopher request answered at once never does. */
	drive(w, c, now);
}

static bool out_of_resources(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

static void accept_clients(struct worker *w, struct listener *l, int64_t now)
{
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		/* Claim a slot first, so workers together never pass the cap. */
		if (atomic_fetch_add(&w->e->n_conns, 1) >= w->e->max_conns) {
			atomic_fetch_sub(&w->e->n_conns, 1);
			pause_listening(w, now + PAUSE_MS);
			return;
		}
		struct sockaddr_storage peer;
		socklen_t len = sizeof peer;
		int fd = accept4(l->fd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			add_conn(w, fd, l, &peer, now);
			continue;
		}
		int err = errno;
		atomic_fetch_sub(&w->e->n_conns, 1);
		if (out_of_resources(err)) {
			if (!w->starved)
				log_warn("cannot accept on %s: %s; pausing", l->where, strerror(err));
			w->starved = true;
			pause_listening(w, now + PAUSE_MS);
			return;
		}
		if (err == EAGAIN || err == EWOULDBLOCK) {
			/* The queue is drained: whatever starved us has passed. */
			w->starved = false;
			return;
		}
		/* ECONNABORTED and the like: that client is gone, try the next. */
	}
}

/* Closes every connection of a list whose deadline is past (all of them
 * when now is INT64_MAX). */
static void expire(struct worker *w, struct timers *t, int64_t now)
{
	while (t->head != NULL && t->head->deadline_ms <= now)
		close_conn(w, t->head, now);
}

/* Steps every connection whose tick is due. */
static void tick(struct worker *w, int64_t now)
{
	while (w->tick_timers.head != NULL && w->tick_timers.head->deadline_ms <= now) {
		struct conn *c = w->tick_timers.head;
		timer_remove(w, c);
		drive(w, c, now);
	}
}

static void begin_stop(struct worker *w, int64_t now)
{
	w->stopping = true;
	pause_listening(w, 0);
	epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->e->stop_fd, NULL);
	w->drain_deadline = now + DRAIN_MS;
	/* A request not yet whole has no response in flight: the client sees
	 * the connection close unanswered and may try again elsewhere. */
	expire(w, &w->request_timers, INT64_MAX);
}

static int64_t earliest(int64_t a, int64_t b)
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

/* epoll_wait's timeout: until the next deadline of any kind, or -1. */
static int wait_ms(const struct worker *w, int64_t now)
{
	int64_t next = 0;
	if (w->request_timers.head)
		next = earliest(next, w->request_timers.head->deadline_ms);
	if (w->idle_timers.head)
		next = earliest(next, w->idle_timers.head->deadline_ms);
	if (w->upload_timers.head)
		next = earliest(next, w->upload_timers.head->deadline_ms);
	if (w->tick_timers.head)
		next = earliest(next, w->tick_timers.head->deadline_ms);
	if (!w->listening && !w->stopping)
		next = earliest(next, w->resume_ms);
	if (w->stopping)
		next = earliest(next, w->drain_deadline);
	next = earliest(next, w->log_due_ms);
	if (next == 0)
		return -1;
	int64_t left = next - now;
	if (left <= 0)
		return 0;
	return left > INT32_MAX ? INT32_MAX : (int)left;
}

/* Returns true for the stop event; its work waits for the end of the
 * batch, since it closes connections that later events may name. */
static bool dispatch(struct worker *w, struct epoll_event *ev, int64_t now)
{
	enum watch_kind *kind = ev->data.ptr;
	if (*kind == WATCH_STOP) {
		return true;
	} else if (*kind == WATCH_LISTENER) {
		if (w->listening)
			accept_clients(w, (struct listener *)kind, now);
	} else {
		drive(w, (struct conn *)kind, now);
	}
	return false;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event events[MAX_EVENTS];
	for (;;) {
		int64_t now = monotonic_ms();
		if (w->stopping && (w->n_conns == 0 || now >= w->drain_deadline))
			break;
		int n = epoll_wait(w->epfd, events, MAX_EVENTS, wait_ms(w, now));
		if (n < 0 && errno != EINTR) {
			log_error("epoll_wait: %s", strerror(errno));
			break;
		}
		now = monotonic_ms();
		/* Each connection appears at most once per batch and only its own
		 * event closes it, so no event names a freed connection. */
		bool stop = false;
		for (int i = 0; i < n; i++)
			stop = dispatch(w, &events[i], now) || stop;
		if (stop)
			begin_stop(w, now);
		expire(w, &w->request_timers, now);
		expire(w, &w->idle_timers, now);
		expire(w, &w->upload_timers, now);
		tick(w, now);
		if (!w->listening && !w->stopping && w->resume_ms != 0 && now >= w->resume_ms)
			arm_listeners(w);
		w->log_due_ms = log_access_flush_due(now);
	}
	expire(w, &w->request_timers, INT64_MAX);
	expire(w, &w->idle_timers, INT64_MAX);
	expire(w, &w->upload_timers, INT64_MAX);
	expire(w, &w->tick_timers, INT64_MAX);
	log_access_flush();
	/* The front-ends keep per-thread state (libmagic's cookie). */
	mime_thread_done();
	return NULL;
}

struct worker *worker_start(struct engine *e)
{
	struct worker *w = xcalloc(1, sizeof *w);
	w->e = e;
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &e->stop_watch};
	if (w->epfd < 0 || epoll_ctl(w->epfd, EPOLL_CTL_ADD, e->stop_fd, &ev) != 0) {
		log_error("cannot create a worker's epoll set: %s", strerror(errno));
		goto fail;
	}
	arm_listeners(w);
	int rc = pthread_create(&w->thread, NULL, worker_main, w);
	if (rc == 0)
		return w;
	log_error("cannot start a worker thread: %s", strerror(rc));
fail:
	if (w->epfd >= 0)
		close(w->epfd);
	free(w);
	return NULL;
}

void worker_join(struct worker *w)
{
	pthread_join(w->thread, NULL);
	close(w->epfd);
	free(w);
}

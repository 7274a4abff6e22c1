#include "server.h"

#include "alloc.h"
#include "listener.h"
#include "log.h"
#include "mime.h"
#include "sandbox.h"
#include "tls.h"
#include "worker.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#define DEFAULT_REQUEST_TIMEOUT_MS 10000
#define DEFAULT_UPLOAD_TIMEOUT_MS 60000
#define DEFAULT_IDLE_TIMEOUT_MS 30000
#define DEFAULT_MAX_CONNECTIONS 1024
#define MAX_WORKERS 256

struct server {
	struct engine engine;
	struct worker **workers;
	size_t n_workers;
	int certs_fd;
	char *certs_dir;
	bool drop; /* started as root: drop to uid:gid */
	bool chrooted; /* inside the capsule: a reload cannot read the configuration */
	uid_t uid;
	gid_t gid;
};

static void handled_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR1);
}

static void free_generation(struct generation *g)
{
	runtime_free(g->rt);
	tls_hosts_free(g->tls);
	free(g);
}

static struct generation *new_generation(struct runtime *rt, struct tls_hosts *tls)
{
	struct generation *g = xcalloc(1, sizeof *g);
	g->rt = rt;
	g->tls = tls;
	atomic_init(&g->refs, 1);
	return g;
}

/* Frees every generation whose last connection has ended. */
static void free_retired(struct engine *e)
{
	eventfd_t count;
	eventfd_read(e->retire_fd, &count);
	for (;;) {
		pthread_mutex_lock(&e->lock);
		struct generation *list = e->retired;
		e->retired = NULL;
		pthread_mutex_unlock(&e->lock);
		if (list == NULL)
			return;
		while (list != NULL) {
			struct generation *next = list->next;
			/* A generation holds the one after it: that may retire now. */
			struct generation *successor = atomic_load(&list->successor);
			free_generation(list);
			if (successor != NULL)
				engine_release(e, successor);
			list = next;
		}
	}
}

/* The account named, else a dedicated one where the system has it (the
 * Debian package makes "kabar"), else the shared nobody. */
static const char *service_user_name(const struct config *cfg)
{
	if (cfg->user != NULL)
		return cfg->user;
	return getpwnam("kabar") != NULL ? "kabar" : "nobody";
}

/* Every service without an account of its own runs as nobody: each of them
 * could read the keys kabar hands to it. */
static void warn_if_shared(const char *name)
{
	if (strcmp(name, "nobody") == 0)
		log_warn("running as the shared user nobody: any other process running as nobody "
		         "can read the private keys; make a user of its own "
		         "(adduser --system --group kabar) and set user: kabar");
}

/* The account to run as when started as root. */
static int find_user(struct server *s, const struct config *cfg, struct buf *errors)
{
	if (geteuid() != 0)
		return 0;
	const char *name = service_user_name(cfg);
	struct passwd *pw = getpwnam(name);
	if (pw == NULL) {
		buf_printf(errors, "user %s: no such account to run as\n", name);
		return -1;
	}
	if (pw->pw_uid == 0) {
		buf_printf(errors, "user %s: refusing to run as root; name an unprivileged account\n",
		           name);
		return -1;
	}
	warn_if_shared(name);
	s->drop = true;
	s->uid = pw->pw_uid;
	s->gid = pw->pw_gid;
	return 0;
}

static int positive_or(int value, int fallback)
{
	return value > 0 ? value : fallback;
}

static void init_engine(struct engine *e, const struct config *cfg)
{
	e->stop_watch = WATCH_STOP;
	e->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	e->retire_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pthread_mutex_init(&e->lock, NULL);
	atomic_init(&e->n_conns, 0);
	e->max_conns = positive_or(cfg->max_connections, DEFAULT_MAX_CONNECTIONS);
	e->request_timeout_ms = positive_or(cfg->request_timeout_ms, DEFAULT_REQUEST_TIMEOUT_MS);
	e->idle_timeout_ms = positive_or(cfg->idle_timeout_ms, DEFAULT_IDLE_TIMEOUT_MS);
	e->upload_timeout_ms = positive_or(cfg->upload_timeout_ms, DEFAULT_UPLOAD_TIMEOUT_MS);
	e->limits = ratelimit_new(cfg->requests_per_minute, cfg->connections_per_address);
}

static const char *certs_dir_of(const struct config *cfg)
{
	return cfg->certs_dir ? cfg->certs_dir : "certs";
}

/* Who owns the keys and the folder kabar makes: the service user only when
 * it reads them after the drop (a reload re-reads them and makes an added
 * host's); under chroot a reload needs a restart, so they stay root's. */
static uid_t key_owner(const struct server *s, const struct config *cfg)
{
	return s->drop && !cfg->chroot ? s->uid : (uid_t)-1;
}

/* Started as root: become the service user for good. The capsules and the
 * certificate folder stay reachable through descriptors opened before. */
static int drop_privileges(const struct server *s)
{
	/* The caller may have switched already; then only the checks remain. */
	if (s->drop && geteuid() == 0) {
		if (setgroups(1, &s->gid) != 0 || setresgid(s->gid, s->gid, s->gid) != 0 ||
		    setresuid(s->uid, s->uid, s->uid) != 0) {
			log_error("cannot drop privileges: %s", strerror(errno));
			return -1;
		}
	}
	if (s->drop) {
		if (setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0 || getuid() == 0 ||
		    geteuid() == 0) {
			log_error("privileges were not dropped: root is still reachable");
			return -1;
		}
	}
	if (geteuid() == 0) {
		log_error("refusing to serve as root");
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		log_error("cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* chroot: true. Every host must serve the one capsule, which becomes "/";
 * libmagic's database is read first, since it is out of reach after. */
static int enter_chroot(struct server *s, const struct config *cfg)
{
	if (!cfg->chroot)
		return 0;
	const char *capsule = cfg->vhosts[0].capsule;
	if (geteuid() != 0) {
		log_error("chroot: only possible when started as root");
		return -1;
	}
	for (size_t i = 1; i < cfg->n_vhosts; i++) {
		if (strcmp(cfg->vhosts[i].capsule, capsule) != 0) {
			log_error("chroot: every host must serve the same capsule");
			return -1;
		}
	}
	if (mime_preload() != 0)
		return -1;
	if (chroot(capsule) != 0 || chdir("/") != 0) {
		log_error("chroot %s: %s", capsule, strerror(errno));
		return -1;
	}
	s->chrooted = true;
	return 0;
}

/* Once the ports are bound and the keys loaded: Landlock's ruleset is made
 * while every path is still reachable, then the chroot, the drop to the
 * service user, no_new_privs, and the ruleset enforced. Threads started
 * later (the loader, the workers) inherit all of it. */
static int confine(struct server *s, const struct config *cfg)
{
	int ruleset = sandbox_prepare(cfg);
	if (enter_chroot(s, cfg) != 0 || drop_privileges(s) != 0) {
		if (ruleset >= 0)
			close(ruleset);
		return -1;
	}
	return sandbox_enforce(ruleset);
}

/* True when path is dir or lies beneath it (both resolved). */
static bool path_inside(const char *path, const char *dir)
{
	char real_path[PATH_MAX], real_dir[PATH_MAX];
	if (realpath(path, real_path) == NULL || realpath(dir, real_dir) == NULL)
		return false;
	size_t len = strlen(real_dir);
	if (strcmp(real_dir, "/") == 0)
		return true;
	return strncmp(real_path, real_dir, len) == 0 &&
	       (real_path[len] == '/' || real_path[len] == '\0');
}

/* A private key inside a capsule could be served (by a link from inside,
 * or plainly): refuse such a configuration. */
static int check_keys_outside(const struct config *cfg, struct buf *errors)
{
	int rc = 0;
	for (size_t i = 0; i < cfg->n_vhosts; i++) {
		const struct vhost *vh = &cfg->vhosts[i];
		char *key = vh->key_file ? xstrdup(vh->key_file)
		                         : xasprintf("%s/%s.key", certs_dir_of(cfg), vh->names[0]);
		for (size_t k = 0; k < cfg->n_vhosts; k++) {
			if (path_inside(key, cfg->vhosts[k].capsule)) {
				buf_printf(errors, "%s: a private key inside the capsule %s; move it out\n",
				           key, cfg->vhosts[k].capsule);
				rc = -1;
				break;
			}
		}
		free(key);
	}
	return rc;
}

/* Every connection takes a descriptor: the soft limit (often 1024) goes up
 * to the hard one, so the connection cap is what limits, not the kernel. */
static void raise_descriptor_limit(void)
{
	struct rlimit lim;
	if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur == lim.rlim_max)
		return;
	lim.rlim_cur = lim.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &lim) != 0)
		log_warn("cannot raise the descriptor limit: %s", strerror(errno));
}

struct server *server_new(struct runtime *rt, struct buf *errors)
{
	sigset_t set;
	handled_signals(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	raise_descriptor_limit();
	struct server *s = xcalloc(1, sizeof *s);
	s->certs_fd = -1;
	init_engine(&s->engine, &rt->config);
	struct tls_hosts *tls = NULL;
	if (s->engine.stop_fd < 0 || s->engine.retire_fd < 0) {
		buf_printf(errors, "cannot create an eventfd: %s\n", strerror(errno));
		goto fail;
	}
	if (find_user(s, &rt->config, errors) != 0)
		goto fail;
	uid_t owner = key_owner(s, &rt->config);
	s->certs_dir = xstrdup(certs_dir_of(&rt->config));
	s->certs_fd = tls_open_certs_dir(s->certs_dir, owner, s->gid, errors);
	if (s->certs_fd < 0)
		goto fail;
	tls = tls_hosts_new(&rt->config, s->certs_fd, owner, s->gid, errors);
	if (tls == NULL || check_keys_outside(&rt->config, errors) != 0)
		goto fail;
	int n = listeners_open(rt->config.listen, rt->config.n_listen, &s->engine.listeners, errors);
	if (n < 0)
		goto fail;
	s->engine.n_listeners = (size_t)n;
	s->engine.current = new_generation(rt, tls);
	if (confine(s, &rt->config) != 0) {
		buf_printf(errors, "cannot confine the server (see above)\n");
		server_free(s);
		return NULL;
	}
	return s;
fail:
	tls_hosts_free(tls);
	runtime_free(rt);
	server_free(s);
	return NULL;
}

/* The certs folder of a reloaded configuration: the same descriptor when
 * the folder did not change, which works without privileges. */
static int certs_fd_for(struct server *s, const struct config *cfg, struct buf *errors)
{
	if (strcmp(certs_dir_of(cfg), s->certs_dir) == 0)
		return s->certs_fd;
	int fd = tls_open_certs_dir(certs_dir_of(cfg), (uid_t)-1, (gid_t)-1, errors);
	if (fd < 0)
		return -1;
	close(s->certs_fd);
	s->certs_fd = fd;
	free(s->certs_dir);
	s->certs_dir = xstrdup(certs_dir_of(cfg));
	return fd;
}

static void log_lines(const char *what, const struct buf *errors)
{
	const char *line = errors->data ? errors->data : "";
	while (*line != '\0') {
		size_t len = strcspn(line, "\n");
		log_error("%s: %.*s", what, (int)len, line);
		line += len + (line[len] == '\n');
	}
}

/* Listening sockets stay as they were bound: say so when a reload asks for
 * others. */
static void check_listen_unchanged(const struct config *now, const struct config *next)
{
	bool same = now->n_listen == next->n_listen;
	for (size_t i = 0; same && i < now->n_listen; i++) {
		const struct listen_addr *a = &now->listen[i], *b = &next->listen[i];
		same = a->proto == b->proto && a->port == b->port &&
		       strcmp(a->host ? a->host : "*", b->host ? b->host : "*") == 0 &&
		       a->proxy == b->proxy && a->n_proxy_from == b->n_proxy_from &&
		       memcmp(a->proxy_from, b->proxy_from, a->n_proxy_from * sizeof *a->proxy_from) == 0;
	}
	if (!same)
		log_warn("reload: listening addresses (and their proxy settings) change only with a restart");
}

/* The new runtime's certificates, or (logged) the ones in force: the reload
 * hook has already moved the loader to the new runtime, so it is kept. */
static struct tls_hosts *reload_certificates(struct server *s, const struct config *cfg,
                                             struct tls_hosts *in_force)
{
	struct buf errors = {0};
	int fd = certs_fd_for(s, cfg, &errors);
	struct tls_hosts *tls = fd < 0 ? NULL : tls_hosts_new(cfg, fd, (uid_t)-1, (gid_t)-1, &errors);
	if (tls == NULL) {
		log_lines("reload", &errors);
		log_error("reload: the certificates in force are kept");
		tls = tls_hosts_ref(in_force);
	} else {
		tls_hosts_keep_old_keys(tls, in_force);
	}
	buf_free(&errors);
	return tls;
}

static void reload(struct server *s, server_reload_fn fn, void *arg)
{
	if (s->chrooted) {
		log_warn("reload: the configuration is out of reach inside the chroot; restart instead");
		return;
	}
	struct runtime *rt = fn ? fn(arg) : NULL;
	if (rt == NULL)
		return;
	struct engine *e = &s->engine;
	/* Only this thread replaces current, so reading it unlocked is safe. */
	struct generation *old = e->current;
	check_listen_unchanged(&old->rt->config, &rt->config);
	struct generation *g = new_generation(rt, reload_certificates(s, &rt->config, old->tls));
	/* Uploads under way on old are authorised again against g (conn.c). */
	atomic_fetch_add(&g->refs, 1);
	atomic_store(&old->successor, g);
	pthread_mutex_lock(&e->lock);
	e->current = g;
	pthread_mutex_unlock(&e->lock);
	/* Only now: a client that reads "reloaded" gets the new settings. */
	log_info("reloaded");
	engine_release(e, old);
}

static int start_workers(struct server *s, int wanted)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int n = wanted > 0 ? wanted : (cores > 0 ? (int)cores : 1);
	if (n > MAX_WORKERS)
		n = MAX_WORKERS;
	s->workers = xcalloc((size_t)n, sizeof *s->workers);
	for (int i = 0; i < n; i++) {
		s->workers[i] = worker_start(&s->engine);
		if (s->workers[i] == NULL)
			return -1;
		s->n_workers++;
	}
	return 0;
}

static void stop_workers(struct server *s)
{
	eventfd_write(s->engine.stop_fd, 1);
	for (size_t i = 0; i < s->n_workers; i++)
		worker_join(s->workers[i]);
	s->n_workers = 0;
	free_retired(&s->engine);
}

/* Waits for signals and retired generations until SIGTERM or SIGINT. */
static void serve_signals(struct server *s, int sigfd, server_reload_fn fn, void *arg)
{
	struct pollfd fds[2] = {
		{.fd = sigfd, .events = POLLIN},
		{.fd = s->engine.retire_fd, .events = POLLIN},
	};
	for (;;) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_error("poll: %s", strerror(errno));
			return;
		}
		if (fds[1].revents & POLLIN)
			free_retired(&s->engine);
		if (!(fds[0].revents & POLLIN))
			continue;
		struct signalfd_siginfo info;
		if (read(sigfd, &info, sizeof info) != sizeof info)
			continue;
		if (info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT) {
			log_info("stopping (%s): finishing the responses under way",
			         info.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
			return;
		}
		if (info.ssi_signo == SIGHUP)
			reload(s, fn, arg);
		else if (info.ssi_signo == SIGUSR1)
			log_reopen();
	}
}

int server_run(struct server *s, server_reload_fn fn, void *arg)
{
	sigset_t set;
	handled_signals(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	/* A client that goes away must not kill the server mid-write. */
	signal(SIGPIPE, SIG_IGN);
	/* A crash in one thread still writes the access lines others hold. */
	log_access_guard_crashes();
	int sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sigfd < 0) {
		log_error("signalfd: %s", strerror(errno));
		return -1;
	}
	/* server_new confined the process: it never gets here as root. */
	int rc = start_workers(s, s->engine.current->rt->config.workers);
	if (rc == 0)
		serve_signals(s, sigfd, fn, arg);
	stop_workers(s);
	close(sigfd);
	if (rc == 0)
		log_info("stopped");
	return rc;
}

void server_free(struct server *s)
{
	if (s == NULL)
		return;
	if (s->n_workers > 0)
		stop_workers(s);
	struct engine *e = &s->engine;
	if (e->current != NULL)
		engine_release(e, e->current);
	if (e->retire_fd >= 0)
		free_retired(e);
	listeners_close(e->listeners, e->n_listeners);
	if (e->stop_fd >= 0)
		close(e->stop_fd);
	if (e->retire_fd >= 0)
		close(e->retire_fd);
	pthread_mutex_destroy(&e->lock);
	ratelimit_free(e->limits);
	if (s->certs_fd >= 0)
		close(s->certs_fd);
	free(s->certs_dir);
	free(s->workers);
	free(s);
}

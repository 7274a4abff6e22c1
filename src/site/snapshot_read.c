#include "snapshot_read.h"

#include "alloc.h"
#include "log.h"
#include "snapshot_source.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/*
 * The files are cut into batches of BATCH_FILES. Readers (the scan's
 * threads) claim batches in turn and write only the slots of the batch
 * they claimed; the settling thread takes the batches in order, waiting
 * for one only when no reader has finished it yet. Nothing a reader calls
 * logs or touches the builder's tables: parsing (libyaml, md4c, gumbo,
 * utf8proc, the language guess) is reentrant, and MIME types (libmagic,
 * which is not) are no part of it.
 */
enum { BATCH_FILES = 64, MAX_READERS = 16 };

struct read_job {
	const struct snapshot_builder *b;
	char *const *paths;
	size_t n;
	struct source **read;
	char **reasons;
	atomic_size_t next_batch;
	pthread_mutex_t lock;
	pthread_cond_t batch_done;
	bool *done; /* per batch, under lock */
};

static size_t batches_of(size_t n)
{
	return (n + BATCH_FILES - 1) / BATCH_FILES;
}

static void read_batch(struct read_job *job, size_t batch)
{
	size_t end = (batch + 1) * BATCH_FILES < job->n ? (batch + 1) * BATCH_FILES : job->n;
	for (size_t i = batch * BATCH_FILES; i < end; i++)
		job->read[i] = source_read(job->b, job->paths[i], &job->reasons[i]);
	pthread_mutex_lock(&job->lock);
	job->done[batch] = true;
	pthread_cond_broadcast(&job->batch_done);
	pthread_mutex_unlock(&job->lock);
}

static bool stopped(const struct read_job *job)
{
	return job->b->scan.stop != NULL && atomic_load(job->b->scan.stop);
}

static void *reader_main(void *arg)
{
	struct read_job *job = arg;
	size_t batch;
	while (!stopped(job) && (batch = atomic_fetch_add(&job->next_batch, 1)) < batches_of(job->n))
		read_batch(job, batch);
	return NULL;
}

/* Batch number batch, read: by a reader, or here when none has claimed it. */
static void await_batch(struct read_job *job, size_t batch, bool have_readers)
{
	if (!have_readers) {
		read_batch(job, batch);
		return;
	}
	pthread_mutex_lock(&job->lock);
	while (!job->done[batch])
		pthread_cond_wait(&job->batch_done, &job->lock);
	pthread_mutex_unlock(&job->lock);
}

static size_t start_readers(struct read_job *job, int threads, pthread_t *readers)
{
	size_t n = 0;
	if (threads <= 1 || job->n <= BATCH_FILES)
		return 0;
	if (threads > MAX_READERS)
		threads = MAX_READERS;
	for (int i = 0; i < threads; i++) {
		int err = pthread_create(&readers[n], NULL, reader_main, job);
		if (err != 0) {
			log_warn("loading: cannot start a reading thread: %s", strerror(err));
			break;
		}
		n++;
	}
	return n;
}

void sources_read(struct snapshot_builder *b, char *const *paths, struct source *const *prevs,
                  size_t n, struct source **out, size_t before, size_t total)
{
	struct read_job job = {.b = b, .paths = paths, .n = n, .read = out};
	job.reasons = xcalloc(n ? n : 1, sizeof *job.reasons);
	job.done = xcalloc(batches_of(n) ? batches_of(n) : 1, sizeof *job.done);
	atomic_init(&job.next_batch, 0);
	pthread_mutex_init(&job.lock, NULL);
	pthread_cond_init(&job.batch_done, NULL);
	pthread_t readers[MAX_READERS];
	size_t n_readers = start_readers(&job, b->scan.threads, readers);
	size_t settled = 0;
	for (size_t batch = 0; batch < batches_of(n) && !stopped(&job); batch++) {
		await_batch(&job, batch, n_readers > 0);
		size_t end = (batch + 1) * BATCH_FILES < n ? (batch + 1) * BATCH_FILES : n;
		for (size_t i = batch * BATCH_FILES; i < end; i++)
			out[i] = source_settle(b, out[i], job.reasons[i], prevs ? prevs[i] : NULL);
		settled = end;
		if (b->scan.progress != NULL)
			b->scan.progress(b->scan.arg, before + end, total);
	}
	for (size_t i = 0; i < n_readers; i++)
		pthread_join(readers[i], NULL);
	/* Stopped: what was read and not settled is let go, as if unread. */
	for (size_t i = settled; i < n; i++) {
		source_drop(out[i]);
		free(job.reasons[i]);
		out[i] = NULL;
	}
	pthread_cond_destroy(&job.batch_done);
	pthread_mutex_destroy(&job.lock);
	free(job.done);
	free(job.reasons);
}

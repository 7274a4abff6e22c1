/*
 * Crash regressions. Every input saved in tests/fuzz/regressions/NAME/ is
 * replayed through the function the fuzz target NAME runs (targets.h), so
 * `make test` (and its sanitizer build) keeps each crash the fuzzer found
 * fixed. With no saved inputs the replay is skipped. A few crashes found
 * without the fuzzer, which need a real folder, are tested here as well.
 */
#include "../fuzz/targets.h"

#include "alloc.h"
#include "snapshot.h"

#include "check.h"
#include "testutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#define REGRESSIONS "tests/fuzz/regressions"

struct target {
	const char *name;
	void (*run)(const char *data, size_t size);
};

static const struct target targets[] = {
	{"gemini", fuzz_gemini},       {"gopher", fuzz_gopher},       {"frontmatter", fuzz_frontmatter},
	{"date", fuzz_date},           {"article", fuzz_article},     {"gophermap", fuzz_gophermap},
	{"config", fuzz_config},       {"template", fuzz_template},   {"tz", fuzz_tz},
	{"proxy", fuzz_proxy},         {"shortcodes", fuzz_shortcodes},
	{"toml", fuzz_toml},
};

static int replayed;

static const struct target *target_named(const char *name)
{
	for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
		if (strcmp(targets[i].name, name) == 0)
			return &targets[i];
	return NULL;
}

/* Replays each file of dir through target; a crash ends the program, which
 * tests/run.py counts as a failure. */
static void replay_folder(const char *dir, const struct target *target)
{
	DIR *d = opendir(dir);
	CHECK(d != NULL);
	if (d == NULL)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char *path = xasprintf("%s/%s", dir, e->d_name);
		size_t len = 0;
		char *data = test_read_file(path, &len);
		CHECK(data != NULL);
		/* A copy of exactly the input's size, so ASan sees any overread. */
		char *bytes = xmalloc(len ? len : 1);
		if (len > 0)
			memcpy(bytes, data, len);
		fprintf(stderr, "  replaying %s\n", path);
		target->run(bytes, len);
		replayed++;
		free(bytes);
		free(data);
		free(path);
	}
	closedir(d);
}

static void test_replay_regressions(void)
{
	DIR *d = opendir(REGRESSIONS);
	if (d == NULL)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || e->d_type != DT_DIR)
			continue;
		const struct target *target = target_named(e->d_name);
		if (target == NULL) {
			fprintf(stderr, "  %s/%s: no fuzz target has that name\n", REGRESSIONS, e->d_name);
			check_failures_in_test++;
			continue;
		}
		char *dir = xasprintf("%s/%s", REGRESSIONS, e->d_name);
		replay_folder(dir, target);
		free(dir);
	}
	closedir(d);
}

/* A capsule with no articles once handed qsort a NULL array at start-up
 * (UBSan). */
static void test_empty_capsule(void)
{
	char dir[] = "/tmp/kabar-empty-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char *news = xasprintf("%s/news", dir);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(fd >= 0);
	struct vhost vhost = {.capsule = dir, .lang = "en", .utc_offset_minutes = 0};
	for (int with_news = 0; with_news < 2 && fd >= 0; with_news++) {
		if (with_news)
			CHECK(mkdir(news, 0755) == 0);
		struct snapshot_builder *b = snapshot_builder_new(&vhost, fd);
		struct snapshot *s = snapshot_scan(b, NULL);
		CHECK(s != NULL && s->n_articles == 0 && s->tags.n_entries == 0);
		snapshot_drop(s);
		snapshot_builder_free(b);
	}
	if (fd >= 0)
		close(fd);
	rmdir(news);
	rmdir(dir);
	free(news);
}

int main(void)
{
	RUN(test_replay_regressions);
	/* Nothing replayed and nothing wrong: the replay counts as skipped. */
	int skipped = replayed == 0 && check_tests_failed == 0;
	if (skipped) {
		check_tests_passed--;
		fprintf(stderr, "  no saved inputs in %s: replay skipped\n", REGRESSIONS);
	}
	RUN(test_empty_capsule);
	/* check_report's line, with the skipped replay counted. */
	printf("%d passed, %d failed, %d skipped\n", check_tests_passed, check_tests_failed, skipped);
	return check_tests_failed == 0 ? 0 : 1;
}

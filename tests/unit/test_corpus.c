#include "alloc.h"
#include "article.h"

#include "check.h"
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

#define CORPUS "../shared/corpus"

/*
 * Every real post must load. Two files of the Go blog are not articles but
 * the blog's own index pages (Go templates with no date); they must be
 * refused for that reason and no other. SOURCE.txt says where a corpus came
 * from and is not a post.
 */
static const char *const undated_pages[] = {"go-blog/all.md", "go-blog/index.md", NULL};

static bool is_undated_page(const char *relpath)
{
	for (size_t i = 0; undated_pages[i]; i++)
		if (strcmp(relpath, undated_pages[i]) == 0)
			return true;
	return false;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The plain files of dir, sorted (so failures print in a stable order). */
static size_t list_dir(const char *dir, char ***names)
{
	*names = NULL;
	DIR *d = opendir(dir);
	if (d == NULL)
		return 0;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		*names = xreallocarray(*names, n + 1, sizeof **names);
		(*names)[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	qsort(*names, n, sizeof **names, compare_names);
	return n;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Parses one post; returns true when it did what it should. */
static bool check_post(const char *corpus, const char *name, const struct article_context *ctx)
{
	char relpath[1024], path[1200];
	snprintf(relpath, sizeof relpath, "%s/%s", corpus, name);
	snprintf(path, sizeof path, "%s/%s", CORPUS, relpath);
	struct buf err = {0};
	size_t len;
	char *data = test_read_file(path, &len);
	if (data == NULL)
		return true; /* a folder, not a post */
	struct article *a = article_parse(relpath, data, len, ctx, &err);
	bool ok;
	if (is_undated_page(relpath))
		ok = a == NULL && strstr(err.data, "no date") != NULL;
	else
		ok = a != NULL && a->meta.title && a->meta.title[0] && a->path;
	if (!ok)
		fprintf(stderr, "  %s: %s\n", relpath, a ? "loaded but should not" : err.data);
	article_free(a);
	free(data);
	buf_free(&err);
	return ok;
}

static void test_every_post_loads(void)
{
	char **corpora;
	size_t n_corpora = list_dir(CORPUS, &corpora);
	if (n_corpora == 0) {
		printf("skip: %s not found\n", CORPUS);
		return;
	}
	struct article_context ctx = {.utc_offset_minutes = 480, .lang = "en"};
	size_t posts = 0, failed = 0;
	for (size_t c = 0; c < n_corpora; c++) {
		char dir[1024];
		snprintf(dir, sizeof dir, "%s/%s", CORPUS, corpora[c]);
		char **names;
		size_t n = list_dir(dir, &names);
		for (size_t i = 0; i < n; i++) {
			if (strcmp(names[i], "SOURCE.txt") == 0)
				continue;
			posts++;
			if (!check_post(corpora[c], names[i], &ctx))
				failed++;
		}
		free_names(names, n);
	}
	free_names(corpora, n_corpora);
	printf("corpus: %zu posts, %zu failed\n", posts, failed);
	CHECK(posts > 0);
	CHECK_INT(failed, 0);
}

int main(void)
{
	RUN(test_every_post_loads);
	return check_report();
}

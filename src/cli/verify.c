#include "verify.h"

#include "alloc.h"
#include "article.h"
#include "capsule.h"
#include "date.h"
#include "links.h"
#include "log.h"
#include "snapshot.h"
#include "text.h"
#include "snapshot_files.h"
#include "text.h"
#include "url.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* An article that parsed, kept with its text until its links are checked
 * against every other article. */
struct checked {
	char *relpath;     /* as reported: relative to the checked folder */
	char *site_source; /* its source as a site path: "/news/links/ferry.md" */
	struct article *article;
	char *text;
	size_t len;
};

/* What one walk over a capsule carries along. */
struct walk {
	const char *capsule;
	int root;
	bool bare; /* a folder of articles, not a capsule with news/ */
	struct article_context ctx;
	struct buf *problems;
	struct verify_counts *counts;
	struct checked *checked;
	size_t n_checked;
	int root_fd;
};

/* Adds "FILE: reason[: detail]". A parse error's reason already starts
 * with its line number ("12: reason") and joins the name without a space. */
static void report(struct walk *w, const char *relpath, const char *reason, const char *detail)
{
	/* A file name or a quoted value may hold anything: escaped, it can
	 * neither forge a report line nor drive the terminal. */
	struct buf line = {0};
	buf_printf(&line, "%s/%s:%s%s", w->capsule, relpath,
	           isdigit((unsigned char)reason[0]) ? "" : " ", reason);
	if (detail != NULL)
		buf_printf(&line, ": %s", detail);
	log_escape_controls(w->problems, line.data, line.len);
	buf_putc(w->problems, '\n');
	buf_free(&line);
	w->counts->problems++;
}

/* The site's own rule decides what is an article (news/ files with the
 * article extensions); a bare folder of articles is read as if it were
 * news/. */
static bool article_source(const struct walk *w, const char *relpath)
{
	char *as_news;
	bool matters;
	if (!w->bare)
		return strcmp(relpath, "index.gmi") != 0 && snapshot_path_matters(relpath, false);
	as_news = xasprintf("news/%s", relpath);
	matters = snapshot_path_matters(as_news, false);
	free(as_news);
	return matters;
}

/* A note: not a problem, but worth the editor's eye. */
static void note_dated_by_file(struct walk *w, const char *relpath, const struct article *a)
{
	struct tm tm;
	date_local(&a->meta.date, &tm);
	buf_printf(w->problems, "%s/%s: dated by its file time (%04d-%02d-%02d %02d:%02d)\n",
	           w->capsule, relpath, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	           tm.tm_min);
	w->counts->notes++;
}

/* What the article leaves out ("LINE: reason" lines, a removed shortcode
 * ...): warnings, as links that lead nowhere are. */
static void warn_left_out(struct walk *w, const char *relpath, const struct article *a)
{
	for (const char *line = a->warnings; line != NULL && *line;) {
		size_t n = strcspn(line, "\n");
		struct buf text = {0};
		buf_printf(&text, "%s/%s:%.*s", w->capsule, relpath, (int)n, line);
		log_escape_controls(w->problems, text.data, text.len);
		buf_putc(w->problems, '\n');
		buf_free(&text);
		w->counts->warnings++;
		line += n + (line[n] == '\n');
	}
}

/* Markdown under a name other than .md, which sites before 0.2 skipped:
 * counted, so an editor sees that these files are now published. */
static bool markdown_other_name(const char *relpath)
{
	const char *ext = strrchr(text_base_name(relpath), '.');
	return ext != NULL && strcasecmp(ext, ".md") != 0 && strcasecmp(ext, ".gmi") != 0 &&
	       strcasecmp(ext, ".txt") != 0;
}

static void keep_checked(struct walk *w, const char *relpath, struct article *a,
                         struct buf *data)
{
	w->checked = xgrowarray(w->checked, w->n_checked, sizeof *w->checked);
	struct checked *c = &w->checked[w->n_checked++];
	c->relpath = xstrdup(relpath);
	c->site_source = xasprintf("/%s%s", w->bare ? "news/" : "", relpath);
	c->article = a;
	c->len = data->len;
	c->text = data->data != NULL ? buf_steal(data) : xstrdup("");
}

static bool folder_matters(const struct walk *w, const char *relpath)
{
	return w->bare || snapshot_path_matters(relpath, true);
}

static void verify_article(struct walk *w, int fd, const char *relpath)
{
	struct buf data = {0};
	struct buf error = {0};
	struct article_context ctx = w->ctx;
	struct stat st;
	if (fstat(fd, &st) == 0)
		ctx.file_time = st.st_mtim.tv_sec;
	int err = buf_read_fd(&data, fd, ARTICLE_MAX_BYTES);
	if (err == EFBIG) {
		char *limit = xasprintf("larger than %d MiB", ARTICLE_MAX_BYTES >> 20);
		report(w, relpath, "cannot be read", limit);
		free(limit);
	} else if (err != 0) {
		report(w, relpath, "cannot be read", strerror(err));
	} else {
		struct article *a =
			article_parse(relpath, data.data ? data.data : "", data.len, &ctx, &error);
		if (a != NULL) {
			w->counts->articles++;
			w->counts->drafts += a->meta.draft;
			w->counts->markdown_other += markdown_other_name(relpath);
			if (a->dated_by_file)
				note_dated_by_file(w, relpath, a);
			warn_left_out(w, relpath, a);
			keep_checked(w, relpath, a, &data);
		} else {
			/* article_parse gives "LINE: reason"; one line is all we keep
			 * (a quoted value may carry more). */
			if (error.data != NULL) {
				error.len = strcspn(error.data, "\n");
				error.data[error.len] = '\0';
			}
			report(w, relpath, error.len > 0 ? error.data : "cannot be parsed", NULL);
		}
	}
	buf_free(&data);
	buf_free(&error);
}

/* The folder's entries, each opened as the site opens it (capsule.h); as
 * the site's scanner, only where they really are: a link is not an article
 * (what it reaches is read at its own place). */
static void verify_folder(struct walk *w, int dirfd, const char *prefix, int depth)
{
	struct capsule_listing listing;
	if (capsule_list(dirfd, &listing) < 0) {
		report(w, prefix, "cannot list this folder", NULL);
		return;
	}
	for (size_t i = 0; i < listing.count; i++) {
		char *relpath = prefix[0] ? xasprintf("%s/%s", prefix, listing.names[i])
		                          : xstrdup(listing.names[i]);
		char *path = xasprintf("/%s", relpath);
		struct capsule_entry entry;
		capsule_open(w->root_fd, path, &entry);
		bool in_place = entry.fd >= 0 && strcmp(entry.path, relpath) == 0;
		if (listing.is_dir[i] && depth >= CAPSULE_MAX_DEPTH && folder_matters(w, relpath))
			report(w, relpath, "nested too deep: the site reads no folder this deep", NULL);
		else if (in_place && entry.kind == CAPSULE_DIR && folder_matters(w, relpath))
			verify_folder(w, entry.fd, relpath, depth + 1);
		else if (in_place && entry.kind == CAPSULE_FILE && article_source(w, relpath))
			verify_article(w, entry.fd, relpath);
		else if (entry.kind == CAPSULE_FORBIDDEN && !listing.is_dir[i] && article_source(w, relpath))
			report(w, relpath, "cannot be opened",
			       "unreadable, a special file, or a link leading out");
		if (entry.fd >= 0)
			close(entry.fd);
		free(path);
		free(relpath);
	}
	capsule_listing_free(&listing);
}

/* ---- Links ---- */

/* What links may name: the articles by source (sorted site paths, for
 * links_find_source), and every address and alias (sorted). */
struct targets {
	const struct checked **items;
	size_t n;
	char **addresses;
	size_t n_addresses;
};

static int by_site_source(const void *a, const void *b)
{
	return strcmp((*(const struct checked *const *)a)->site_source,
	              (*(const struct checked *const *)b)->site_source);
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_address(struct targets *t, const char *path)
{
	t->addresses = xgrowarray(t->addresses, t->n_addresses, sizeof *t->addresses);
	t->addresses[t->n_addresses++] = path[0] == '/' ? xstrdup(path) : xasprintf("/%s", path);
}

/* The capsule source path -> article table of the checked articles, and
 * their addresses. */
static void targets_build(struct targets *t, const struct walk *w)
{
	*t = (struct targets){0};
	t->n = w->n_checked;
	t->items = xcalloc(t->n ? t->n : 1, sizeof *t->items);
	for (size_t i = 0; i < t->n; i++) {
		const struct article *a = w->checked[i].article;
		t->items[i] = &w->checked[i];
		if (a->meta.draft)
			continue;
		if (a->path != NULL)
			add_address(t, a->path);
		for (size_t k = 0; k < a->meta.n_aliases; k++)
			add_address(t, a->meta.aliases[k]);
	}
	qsort(t->items, t->n, sizeof *t->items, by_site_source);
	if (t->n_addresses > 0)
		qsort(t->addresses, t->n_addresses, sizeof *t->addresses, by_string);
}

static void targets_free(struct targets *t)
{
	for (size_t i = 0; i < t->n_addresses; i++)
		free(t->addresses[i]);
	free(t->addresses);
	free(t->items);
}

/* The checked article whose source is the capsule path source, drafts too. */
static const struct article *any_article_at(const struct targets *t, const char *source)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(t->items[mid]->site_source + 1, source);
		if (c == 0)
			return t->items[mid]->article;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const void *article_at_source(const char *source, const void *data)
{
	const struct article *a = any_article_at(data, source);
	return a != NULL && !a->meta.draft ? a : NULL; /* a draft is not there for readers */
}

/* The site's own pages (routes.c): a link there leads somewhere. */
static bool site_page(const char *path)
{
	static const char *const exact[] = {"/", "/search", "/feed.xml", "/feed.gmi", "/robots.txt"};
	static const char *const folders[] = {"/section/", "/author/", "/tag/", "/archive/",
	                                      "/desk/", "/corrections/", "/series/"};
	for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
		if (strcmp(path, exact[i]) == 0)
			return true;
	for (size_t i = 0; i < sizeof folders / sizeof folders[0]; i++)
		if (strncmp(path, folders[i], strlen(folders[i])) == 0)
			return true;
	return false;
}

/* Whether the capsule holds a file or folder at site path, as the site
 * would serve it (a bare folder of articles stands for news/). */
static bool capsule_has(const struct walk *w, const char *path)
{
	struct buf decoded = {0};
	if (url_decode(&decoded, path, strlen(path), true) != URL_OK) {
		buf_free(&decoded);
		return false;
	}
	const char *inside = decoded.data;
	if (w->bare)
		inside = strncmp(inside, "/news/", 6) == 0 ? inside + 5 : NULL;
	struct capsule_entry entry = {.fd = -1};
	if (inside != NULL)
		capsule_open(w->root, inside, &entry);
	buf_free(&decoded);
	if (entry.fd >= 0)
		close(entry.fd);
	return inside != NULL && (entry.kind == CAPSULE_FILE || entry.kind == CAPSULE_DIR);
}

static bool leads_somewhere(const struct walk *w, const struct targets *t, const char *path)
{
	if (links_find_source(path, article_at_source, t) != NULL || site_page(path))
		return true;
	if (t->n_addresses > 0 &&
	    bsearch(&path, t->addresses, t->n_addresses, sizeof *t->addresses, by_string) != NULL)
		return true;
	/* An article's source is never served as a file (snapshot.h). */
	return any_article_at(t, path + 1) == NULL && capsule_has(w, path);
}

static void check_link(struct walk *w, const struct targets *t, const struct checked *c,
                       const char *url, struct link_cursor *cursor)
{
	if (url == NULL || url[0] == '\0')
		return;
	struct buf path = {0};
	const char *suffix;
	enum link_kind kind = links_resolve(c->site_source, url, &path, &suffix);
	const char *reason = NULL;
	if (kind == LINK_OUTSIDE)
		reason = "climbs out of the capsule";
	else if (kind == LINK_SITE && !leads_somewhere(w, t, path.data))
		reason = "nothing there";
	if (reason != NULL) {
		size_t line = links_line_of(c->text, c->len, url, cursor);
		buf_printf(w->problems, "%s/%s:%zu: link to %s: %s\n", w->capsule, c->relpath, line,
		           url, reason);
		w->counts->warnings++;
	}
	buf_free(&path);
}

static void check_article_links(struct walk *w, const struct targets *t, const struct checked *c)
{
	struct link_cursor cursor = {0};
	const struct article *a = c->article;
	/* The front matter's first: where it sends readers, its image. */
	check_link(w, t, c, a->meta.redirect, &cursor);
	check_link(w, t, c, a->meta.image, &cursor);
	for (size_t i = 0; i < a->n_blocks; i++) {
		const struct block *b = &a->blocks[i];
		for (size_t k = 0; k < b->n_links; k++)
			check_link(w, t, c, b->links[k].url, &cursor);
		if (b->kind == BLOCK_IMAGE || b->kind == BLOCK_LINK)
			check_link(w, t, c, b->url, &cursor);
	}
}

/* Every link of every article, now that all of them are known. */
static void check_links(struct walk *w)
{
	struct targets t;
	targets_build(&t, w);
	for (size_t i = 0; i < w->n_checked; i++)
		check_article_links(w, &t, &w->checked[i]);
	targets_free(&t);
}

/* ---- Addresses: the aliases the site would refuse (snapshot.h's rule) ---- */

/* One address an article asks for: its own, or one of its aliases. */
struct claim {
	const char *address;
	const struct checked *by;
	bool own;
};

/* By address; an own address before aliases; then by who holds it. */
static int by_claim(const void *a, const void *b)
{
	const struct claim *x = a, *y = b;
	int c = strcmp(x->address, y->address);
	if (c != 0)
		return c;
	if (x->own != y->own)
		return x->own ? -1 : 1;
	return snapshot_address_rank(x->by->article, y->by->article);
}

static int by_claim_address(const void *key, const void *item)
{
	return strcmp(key, ((const struct claim *)item)->address);
}

/* The article whose own address the alias is the ".gmi" form of, or NULL. */
static const struct checked *gmi_form_owner(const struct claim *claims, size_t n,
                                            const char *alias)
{
	size_t len = strlen(alias);
	if (!text_ends_with(alias, len, ".gmi"))
		return NULL;
	char *stem = xstrndup(alias, len - strlen(".gmi"));
	const struct claim *c = bsearch(stem, claims, n, sizeof *claims, by_claim_address);
	free(stem);
	if (c == NULL)
		return NULL;
	while (c > claims && strcmp(c[-1].address, c->address) == 0)
		c--;
	return c->own ? c->by : NULL;
}

static void check_alias(struct walk *w, const struct claim *claims, size_t n, size_t i)
{
	const struct claim *alias = &claims[i];
	size_t first = i;
	while (first > 0 && strcmp(claims[first - 1].address, alias->address) == 0)
		first--;
	/* As the path table: an article's own address and its .gmi form
	 * first, then the first by by_claim. */
	const struct checked *holder = gmi_form_owner(claims, n, alias->address);
	if (holder == NULL)
		holder = claims[first].by;
	int line = alias->by->article->meta.aliases_line;
	char *reason = NULL;
	if (holder != NULL && holder != alias->by)
		reason = xasprintf("%d: alias %s is held by %s", line > 0 ? line : 1, alias->address,
		                   holder->relpath);
	else if (links_alias_refusal(alias->address) != NULL)
		reason = xasprintf("%d: alias %s %s", line > 0 ? line : 1, alias->address,
		                   links_alias_refusal(alias->address));
	else if (capsule_has(w, alias->address))
		reason = xasprintf("%d: alias %s is a capsule file's or folder's address",
		                   line > 0 ? line : 1, alias->address);
	if (reason != NULL)
		report(w, alias->by->relpath, reason, NULL);
	free(reason);
}

/* Every alias against every address the checked articles ask for. */
static void check_aliases(struct walk *w)
{
	size_t n = 0;
	for (size_t i = 0; i < w->n_checked; i++)
		n += 1 + w->checked[i].article->meta.n_aliases;
	struct claim *claims = xcalloc(n ? n : 1, sizeof *claims);
	n = 0;
	for (size_t i = 0; i < w->n_checked; i++) {
		const struct article *a = w->checked[i].article;
		if (a->meta.draft)
			continue; /* a draft asks for no address */
		if (a->path != NULL)
			claims[n++] = (struct claim){a->path, &w->checked[i], true};
		for (size_t k = 0; k < a->meta.n_aliases; k++)
			claims[n++] = (struct claim){a->meta.aliases[k], &w->checked[i], false};
	}
	qsort(claims, n, sizeof *claims, by_claim);
	for (size_t i = 0; i < n; i++)
		if (!claims[i].own)
			check_alias(w, claims, n, i);
	free(claims);
}

void verify_capsule(const struct vhost *vh, struct buf *problems, struct verify_counts *counts)
{
	struct walk w = {
		.capsule = vh->capsule,
		.ctx = {.utc_offset_minutes = vh->utc_offset_minutes, .zone = vh->zone, .lang = vh->lang},
		.problems = problems,
		.counts = counts,
	};
	int root = open(vh->capsule, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	w.root_fd = root;
	if (root < 0) {
		buf_printf(problems, "%s: cannot open the capsule: %s\n", vh->capsule, strerror(errno));
		counts->problems++;
		return;
	}
	struct stat news;
	w.root = root;
	w.bare = fstatat(root, "news", &news, 0) < 0 || !S_ISDIR(news.st_mode);
	verify_folder(&w, root, "", 0);
	check_links(&w);
	check_aliases(&w);
	for (size_t i = 0; i < w.n_checked; i++) {
		free(w.checked[i].relpath);
		free(w.checked[i].site_source);
		free(w.checked[i].text);
		article_free(w.checked[i].article);
	}
	free(w.checked);
	close(root);
}

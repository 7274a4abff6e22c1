#include "render_parts.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "lang.h"

/* The lines above an article's body: byline, dates, reading time, section. */

/* The article's own language, else the site's. */
const char *render_article_lang(const struct article *a, const struct render_context *ctx)
{
	if (a->meta.lang != NULL && a->meta.lang[0] != '\0')
		return a->meta.lang;
	return ctx->vhost != NULL ? ctx->vhost->lang : NULL;
}

void render_when(struct buf *out, const struct when *w, const struct vhost *vhost)
{
	if (w == NULL || !w->set)
		return;
	struct tm tm;
	if (!date_local(w, &tm)) {
		buf_puts(out, "?");
		return;
	}
	buf_printf(out, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	/* "2011-03-24", not "2011-03-24 00:00 UTC": a time nobody wrote. */
	if (!w->has_time)
		return;
	buf_printf(out, " %02d:%02d ", tm.tm_hour, tm.tm_min);
	const char *zone = vhost != NULL
	                       ? date_zone_label(w, vhost->zone, vhost->utc_offset_minutes,
	                                         vhost->zone_name != NULL ? vhost->zone_name : "UTC")
	                       : date_zone_label(w, NULL, 0, "UTC");
	if (zone != NULL)
		buf_puts(out, zone);
	else
		date_format_offset(out, w->offset_minutes);
}

/* "By A, B" */
void render_append_byline(struct buf *out, const struct article_meta *m, const struct labels *t)
{
	buf_printf(out, "%s ", t->by);
	for (size_t i = 0; i < m->n_authors; i++) {
		char *name = render_one_line(m->authors[i]);
		buf_printf(out, "%s%s", i > 0 ? ", " : "", name);
		free(name);
	}
}

/* "2022-04-21 11:18 WITA · Updated ... · 3 min read" */
void render_append_dateline(struct buf *out, const struct article *a,
                            const struct render_context *ctx, const struct labels *t)
{
	const char *sep = "";
	if (a->meta.date.set) {
		render_when(out, &a->meta.date, ctx->vhost);
		sep = " \xc2\xb7 ";
	}
	if (a->meta.updated.set) {
		buf_printf(out, "%s%s ", sep, t->updated);
		render_when(out, &a->meta.updated, ctx->vhost);
		sep = " \xc2\xb7 ";
	}
	buf_printf(out, "%s%zu %s", sep, lang_reading_minutes(&a->reading), t->minutes_read);
}

/* "barru" -> "Barru", "luwu timur" -> "Luwu Timur" (ASCII letters only). */
char *render_section_title(const char *section)
{
	char *title = render_one_line(section);
	bool word_start = true;
	for (char *p = title; *p != '\0'; p++) {
		if (word_start && *p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
		word_start = *p == ' ' || *p == '-';
	}
	return title;
}

/* What a link to the author's site shows: the URL without its scheme. */
char *render_site_label(const char *url)
{
	const char *p = strstr(url, "://");
	p = p != NULL ? p + 3 : url;
	char *label = render_one_line(p);
	size_t len = strlen(label);
	if (len > 1 && label[len - 1] == '/')
		label[len - 1] = '\0';
	return label;
}

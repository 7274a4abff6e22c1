#include "markdown_reader.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "labels.h"

/* Footnotes: "[^1]: text" kept for the end of the article under a heading
 * of its own, and the markers that point to them. */

/* A footnote label such as "[^1]" or "[^heap-note]". */
#define MAX_NOTE_LABEL 64

/* The label of a footnote definition "[^label]: " at the start of s, or 0. */
static size_t note_label_length(const char *s, size_t len)
{
	if (len < 5 || s[0] != '[' || s[1] != '^')
		return 0;
	size_t i = 2;
	while (i < len && i - 2 < MAX_NOTE_LABEL && s[i] != ']' && s[i] != '[' &&
	       !isspace((unsigned char)s[i]))
		i++;
	if (i == 2 || i + 1 >= len || s[i] != ']' || s[i + 1] != ':')
		return 0;
	return i - 2;
}

static int compare_offsets(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

/*
 * "[^1]: text": a footnote, kept for the end of the article as "[^1]
 * text" (the marker its reference shows). Definitions on the lines that
 * follow share the paragraph; each starts a line. Returns false when the
 * paragraph is not a footnote.
 */
bool markdown_take_note(struct md_reader *r)
{
	struct inline_text *t = &r->text;
	size_t label = note_label_length(t->text.data, t->text.len);
	if (label == 0 || r->notes == NULL)
		return false;
	struct text_edit *edits = NULL;
	size_t n = 0, n_lines = 0;
	size_t *lines = NULL;
	for (size_t i = 0; i < t->text.len; i++) {
		if (i > 0 && t->text.data[i - 1] != ' ')
			continue;
		label = note_label_length(t->text.data + i, t->text.len - i);
		if (label == 0)
			continue;
		if (i > 0) {
			lines = xgrowarray(lines, n_lines, sizeof *lines);
			lines[n_lines++] = i - 1; /* "]:" to "] " moves nothing */
		}
		edits = xgrowarray(edits, n, sizeof *edits);
		edits[n++] = (struct text_edit){.from = i + label + 2, .to = i + label + 4, .with = "] "};
		i += label + 3;
	}
	inline_edit(t, edits, n);
	if (n_lines > 0) {
		t->breaks = xreallocarray(t->breaks, t->n_breaks + n_lines, sizeof *t->breaks);
		memcpy(t->breaks + t->n_breaks, lines, n_lines * sizeof *lines);
		t->n_breaks += n_lines;
		t->cap_breaks = t->n_breaks;
		qsort(t->breaks, t->n_breaks, sizeof *t->breaks, compare_offsets);
	}
	blocks_add_text(r->notes, BLOCK_PARAGRAPH, 0, t);
	free(lines);
	free(edits);
	return true;
}

/* "^1 Go stacks ..." (a note written with <sup>1</sup>) opens with the
 * same marker a "[^1]" note has. */
void markdown_mark_written_note(struct md_reader *r)
{
	const char *s = r->text.text.data;
	size_t len = r->text.text.len;
	size_t digits = 0;
	if (len < 2 || s[0] != '^')
		return;
	while (1 + digits < len && digits < 4 && isdigit((unsigned char)s[1 + digits]))
		digits++;
	if (digits == 0 || 1 + digits >= len || s[1 + digits] != ' ')
		return;
	char marker[8];
	snprintf(marker, sizeof marker, "[^%.*s]", (int)digits, s + 1);
	struct text_edit edit = {.from = 0, .to = 1 + digits, .with = marker};
	inline_edit(&r->text, &edit, 1);
}

/* "^1" or "1": the label of a link to a footnote ("[<sup>1</sup>](#fn1)"). */
bool markdown_is_note_number(const char *label)
{
	if (label[0] == '^')
		label++;
	size_t digits = strspn(label, "0123456789");
	return digits > 0 && digits <= 4 && label[digits] == '\0';
}

/* The footnotes, after the text, under a heading of their own. */
void markdown_add_notes(struct block_list *out, struct block_list *notes, const char *lang)
{
	if (notes->count == 0)
		return;
	struct block *heading = blocks_add(out, BLOCK_HEADING);
	heading->level = 2;
	heading->text = xstrdup(labels_for(lang)->notes);
	for (size_t i = 0; i < notes->count; i++)
		*blocks_add(out, BLOCK_PARAGRAPH) = notes->items[i];
	free(notes->items);
	memset(notes, 0, sizeof *notes);
}

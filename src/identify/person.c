/* Person names. The person pattern finds runs of capitalised words on one line; this file
 * decides which words of a run are a name. A name starts at a word that follows a title
 * or label (Dr., Mrs., patient, Name:, in the run or just before it), at a known first
 * name followed by another capitalised word, or at a known surname followed by a first
 * name (family name first). It runs for up to max_tokens words and stops at a stop word
 * (Hospital, Street, weekday ...). A single known first name without a title is not a
 * name: lists hold words such as "May" and "Jan". The title is never part of the item.
 * Invariants: words are compared folded and accent-stripped, so "JOSÉ", "José" and
 * "Jose" are the same name; the lists are demographics/names.json plus the title and stop
 * words of patterns.json. */
#include <string.h>

#include "identify/internal.h"

#define MAX_WORDS 32

typedef struct word {
    size_t start, end; /* bytes */
    bool first, last, title, stop;
} word;

static fs_status classify(fs_identify_detector *d, const char *text, word *w, fs_error *err)
{
    fs_str k;
    fs_status st = fs_identify__fold(d, text + w->start, w->end - w->start, &k, err);
    if (st != FS_OK) {
        return st;
    }
    w->first = fs_identify__words_has(&d->first, k.ptr, k.len);
    w->last = fs_identify__words_has(&d->last, k.ptr, k.len);
    w->title = fs_identify__words_has(&d->titles, k.ptr, k.len);
    w->stop = fs_identify__words_has(&d->stop, k.ptr, k.len);
    return FS_OK;
}

/* Split the run into words at spaces and tabs. */
static size_t split(const char *text, size_t start, size_t end, word *w, size_t cap)
{
    size_t n = 0, i = start;
    while (i < end && n < cap) {
        while (i < end && (text[i] == ' ' || text[i] == '\t')) {
            i++;
        }
        size_t a = i;
        while (i < end && text[i] != ' ' && text[i] != '\t') {
            i++;
        }
        if (i > a) {
            w[n].start = a;
            w[n].end = i;
            n++;
        }
    }
    return n;
}

/* true when the word just before the run (skipping spaces and the punctuation a label or
 * abbreviation ends with) is a title. */
static fs_status title_before(fs_identify_detector *d, const char *text, size_t start, bool *out,
                              fs_error *err)
{
    size_t e = start;
    *out = false;
    while (e > 0 && (text[e - 1] == ' ' || text[e - 1] == '\t' || text[e - 1] == '.' ||
                     text[e - 1] == ':' || text[e - 1] == ',')) {
        e--;
    }
    size_t a = e;
    while (a > 0) {
        size_t p = a - 1;
        while (p > 0 && ((unsigned char)text[p] & 0xC0) == 0x80) {
            p--;
        }
        if (!fs_text_classify(text + p, a - p).is_alpha) {
            break;
        }
        a = p;
    }
    if (a == e || a + 32 < e) {
        return FS_OK;
    }
    word w = { a, e, false, false, false, false };
    fs_status st = classify(d, text, &w, err);
    *out = w.title;
    return st;
}

/* How many words of w[i..n) make a name, 0 for none. */
static size_t name_length(const fs_identify_detector *d, const word *w, size_t i, size_t n,
                          bool titled)
{
    size_t max = d->max_name_tokens, j = i + 1;
    if (w[i].stop) {
        return 0;
    }
    if (titled) {
        while (j < n && j - i < max && !w[j].stop && !w[j].title) {
            j++;
        }
        return j - i;
    }
    if (w[i].first && i + 1 < n && !w[i + 1].stop && !w[i + 1].title) {
        j = i + 2;
        while (j < n && j - i < max && (w[j].first || w[j].last) && !w[j].stop) {
            j++;
        }
        return j - i;
    }
    if (w[i].last && i + 1 < n && w[i + 1].first && !w[i + 1].stop) {
        return 2;
    }
    return 0;
}

fs_status fs_identify__persons(fs_identify_detector *d, const char *text, size_t n, size_t start,
                               size_t end, size_t cat, fs_identify__cands *out, fs_error *err)
{
    word w[MAX_WORDS];
    size_t count = split(text, start, end, w, MAX_WORDS);
    bool titled = false;
    fs_status st = title_before(d, text, start, &titled, err);
    (void)n;
    for (size_t i = 0; i < count && st == FS_OK; i++) {
        st = classify(d, text, &w[i], err);
    }
    for (size_t i = 0; i < count && st == FS_OK;) {
        if (w[i].title) {
            titled = true;
            i++;
            continue;
        }
        size_t len = name_length(d, w, i, count, titled);
        titled = false;
        if (len == 0) {
            i++;
            continue;
        }
        st = fs_identify__cands_push(out, cat, w[i].start, w[i + len - 1].end, err);
        i += len;
    }
    return st;
}

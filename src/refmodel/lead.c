/* lead-summarizer: the first k sentences of a text, the classic lead baseline of news
 * summarization. Sentences are ICU's (UAX #29 with the CLDR English abbreviation
 * suppressions), so "Mr. Smith" and "e.g. this" do not end a sentence, closing quotes
 * stay with their sentence, and CJK full stops end one. ICU ends a sentence at every line
 * break, which would cut hard-wrapped text mid-sentence, so a lone line break is read as
 * a space (in a scratch copy of the same length, so the offsets still hold); a blank line
 * still ends a paragraph. The summary is a view of the prompt: nothing is rewritten, only
 * cut. */
#include "refmodel/lead.h"

#include "refmodel/request.h"

static bool ascii_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

fs_str refmodel_lead_text(const char *prompt, size_t n)
{
    static const char *const starts[] = { "Text:", "Article:", NULL };
    static const char *const ends[] = { "Summary:", NULL };
    bool found = false;
    fs_str text = refmodel_section(prompt, n, starts, ends, &found);
    if (!found) {
        size_t a = 0, b = n;
        while (a < b && ascii_space(prompt[a])) {
            a++;
        }
        while (b > a && ascii_space(prompt[b - 1])) {
            b--;
        }
        text.ptr = prompt + a;
        text.len = b - a;
    }
    return text;
}

/* true when s[0..n) holds only white space. */
static bool all_space(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t at = i;
        fs_text_next_cp(s, n, &i);
        if (!fs_text_classify(s + at, n - at).is_space) {
            return false;
        }
    }
    return true;
}

/* Turn every line break that is not next to another one into a space, in place. */
static void join_lines(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\n') {
            continue;
        }
        size_t a = i, b = i + 1;
        while (a > 0 && (s[a - 1] == ' ' || s[a - 1] == '\t' || s[a - 1] == '\r')) {
            a--;
        }
        while (b < n && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r')) {
            b++;
        }
        bool blank_line = (a > 0 && s[a - 1] == '\n') || (b < n && s[b] == '\n');
        if (!blank_line) {
            s[i] = ' ';
        }
    }
}

fs_status refmodel_lead_summary(fs_text_segmenter *seg, const char *prompt, size_t n, size_t k,
                                fs_str *out, fs_error *err)
{
    const fs_text_span *spans = NULL;
    size_t count = 0, taken = 0;
    fs_buf scratch;
    fs_str text = refmodel_lead_text(prompt, n);
    fs_buf_init(&scratch, 0);
    fs_buf_append(&scratch, text.ptr, text.len);
    if (fs_buf_status(&scratch) != FS_OK) {
        fs_buf_dispose(&scratch);
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    join_lines(scratch.data, scratch.len);
    fs_status st =
        fs_text_segmenter_run(seg, &spans, &count, fs_buf_cstr(&scratch), scratch.len, err);
    fs_buf_dispose(&scratch);
    if (st != FS_OK) {
        return st;
    }
    size_t end = text.len;
    for (size_t i = 0; i < count; i++) {
        if (all_space(text.ptr + spans[i].start, spans[i].end - spans[i].start)) {
            continue;
        }
        if (++taken == k) {
            end = spans[i].end;
            break;
        }
    }
    while (end > 0 && ascii_space(text.ptr[end - 1])) {
        end--;
    }
    out->ptr = text.ptr;
    out->len = end;
    return FS_OK;
}

/* Corpus replay: runs a fuzz harness without libFuzzer, once per file, so the seed corpus
 * and every reproducer run under ctest with any compiler. Arguments are files or
 * directories; a directory stands for the regular files directly in it, taken in name
 * order so that runs are reproducible. Each input is handed over in a buffer of exactly
 * its size, as libFuzzer does, so the sanitizers see reads past its end. Exits 1 when an
 * argument cannot be read or no input was found. */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct path_list {
    char **items;
    size_t count;
    size_t cap;
} path_list;

static bool list_add(path_list *l, const char *dir, const char *name)
{
    if (l->count == l->cap) {
        size_t cap = l->cap == 0 ? 64 : l->cap * 2;
        char **items = realloc(l->items, cap * sizeof *items);
        if (items == NULL) {
            return false;
        }
        l->items = items;
        l->cap = cap;
    }
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = malloc(len);
    if (path == NULL) {
        return false;
    }
    snprintf(path, len, "%s%s%s", dir, dir[0] != '\0' ? "/" : "", name);
    l->items[l->count++] = path;
    return true;
}

static void list_dispose(path_list *l)
{
    for (size_t i = 0; i < l->count; i++) {
        free(l->items[i]);
    }
    free(l->items);
}

static int cmp_path(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_regular(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The regular files directly in dir, in name order, appended to l. */
static bool add_dir(path_list *l, const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return false;
    }
    size_t first = l->count;
    bool ok = true;
    for (struct dirent *e = readdir(d); ok && e != NULL; e = readdir(d)) {
        if (e->d_name[0] == '.') {
            continue;
        }
        ok = list_add(l, dir, e->d_name);
        if (ok && !is_regular(l->items[l->count - 1])) {
            free(l->items[--l->count]);
        }
    }
    closedir(d);
    if (l->count > first) {
        qsort(l->items + first, l->count - first, sizeof *l->items, cmp_path);
    }
    return ok;
}

/* Read path whole into a buffer of exactly its size and run the harness on it. */
static bool run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return false;
    }
    uint8_t *data = NULL;
    size_t size = 0;
    bool ok = fseek(f, 0, SEEK_END) == 0;
    long end = ok ? ftell(f) : -1;
    ok = end >= 0 && fseek(f, 0, SEEK_SET) == 0;
    if (ok) {
        /* never NULL, even for an empty input, as under libFuzzer */
        size = (size_t)end;
        data = malloc(size > 0 ? size : 1);
        ok = data != NULL && (size == 0 || fread(data, 1, size, f) == size);
    }
    fclose(f);
    if (!ok) {
        fprintf(stderr, "replay: %s: cannot read the file\n", path);
    } else {
        LLVMFuzzerTestOneInput(data, size);
    }
    free(data);
    return ok;
}

int main(int argc, char **argv)
{
    path_list inputs = { NULL, 0, 0 };
    bool ok = true;
    for (int i = 1; ok && i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            ok = false;
        } else if (S_ISDIR(st.st_mode)) {
            ok = add_dir(&inputs, argv[i]);
        } else {
            ok = list_add(&inputs, "", argv[i]);
        }
    }
    size_t ran = 0;
    for (size_t i = 0; ok && i < inputs.count; i++) {
        ok = run_file(inputs.items[i]);
        ran += ok ? 1 : 0;
    }
    printf("replay: %zu inputs\n", ran);
    list_dispose(&inputs);
    if (ok && ran == 0) {
        fprintf(stderr, "replay: no input found\n");
        return 1;
    }
    return ok ? 0 : 1;
}

/* exec_echo: the local program the exec target tests talk to. It reads one JSON request
 * line at a time ({"id":N,"input":"..."}) and answers with one JSON line:
 * {"id":N,"output":"<input>","usage":{"prompt_tokens":3,"completion_tokens":1}}.
 * Inputs steer it: "pid" answers with its process id, "hang" never answers, "crash"
 * exits without answering the first time (a marker file in argv[1] remembers it), "bad"
 * answers with an error object. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Copy the raw (still escaped) string value of "input" from line into out. */
static void input_of(const char *line, char *out, size_t cap)
{
    const char *p = strstr(line, "\"input\":\"");
    size_t n = 0;
    out[0] = '\0';
    if (p == NULL) {
        return;
    }
    for (p += 9; *p != '\0' && *p != '"' && n + 2 < cap; p++) {
        if (*p == '\\' && p[1] != '\0') {
            out[n++] = *p++;
        }
        out[n++] = *p;
    }
    out[n] = '\0';
}

static long id_of(const char *line)
{
    const char *p = strstr(line, "\"id\":");
    long v = 0;
    for (p = p != NULL ? p + 5 : ""; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (*p - '0');
    }
    return v;
}

int main(int argc, char **argv)
{
    static char line[1 << 16], input[1 << 16];
    const char *marker = argc > 1 ? argv[1] : "/nonexistent/marker";
    while (fgets(line, sizeof line, stdin) != NULL) {
        long id = id_of(line);
        input_of(line, input, sizeof input);
        if (strstr(input, "hang") != NULL) {
            sleep(30);
            return 1;
        }
        struct stat sb;
        if (strstr(input, "crash") != NULL && stat(marker, &sb) != 0) {
            FILE *f = fopen(marker, "w");
            if (f != NULL) {
                fclose(f);
            }
            return 3;
        }
        if (strstr(input, "bad") != NULL) {
            printf("{\"id\":%ld,\"error\":\"cannot answer\"}\n", id);
        } else if (strstr(input, "pid") != NULL) {
            printf("{\"id\":%ld,\"output\":\"%ld\"}\n", id, (long)getpid());
        } else {
            printf("{\"id\":%ld,\"output\":\"%s\",\"usage\":{\"prompt_tokens\":3,"
                   "\"completion_tokens\":1}}\n",
                   id, input);
        }
        fflush(stdout);
    }
    return 0;
}

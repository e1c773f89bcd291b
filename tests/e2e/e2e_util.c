/* End-to-end helpers: spawn the fairshake binary with pipes for stdout and stderr. */
#include "e2e.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs_test.h"

extern char **environ;

static const char *bin_dir(void)
{
    const char *d = getenv("FS_BIN_DIR");
    return (d != NULL && d[0] != '\0') ? d : FS_TEST_BIN_DIR;
}

static void drain(int fds[2], fs_buf *out, fs_buf *err)
{
    struct pollfd p[2] = { { fds[0], POLLIN, 0 }, { fds[1], POLLIN, 0 } };
    int open_count = 2;
    char chunk[8192];
    while (open_count > 0) {
        if (poll(p, 2, -1) < 0 && errno != EINTR) {
            return;
        }
        for (int i = 0; i < 2; i++) {
            if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR))) {
                continue;
            }
            ssize_t n = read(p[i].fd, chunk, sizeof chunk);
            if (n <= 0) {
                close(p[i].fd);
                p[i].fd = -1;
                open_count--;
                continue;
            }
            fs_buf_append(i == 0 ? out : err, chunk, (size_t)n);
        }
    }
}

bool e2e_run(e2e_result *r, const char *const *argv, const char *const *env)
{
    char prog[1024];
    const char *args[64];
    char *envp[256];
    int out_pipe[2], err_pipe[2];
    size_t n = 0, ne = 0;
    memset(r, 0, sizeof *r);
    r->exit_code = -1;
    snprintf(prog, sizeof prog, "%s/fairshake", bin_dir());
    args[n++] = prog;
    for (size_t i = 0; argv[i] != NULL && n < 63; i++) {
        args[n++] = argv[i];
    }
    args[n] = NULL;
    for (size_t i = 0; env != NULL && env[i] != NULL && ne < 100; i++) {
        envp[ne++] = (char *)env[i];
    }
    for (size_t i = 0; environ[i] != NULL && ne < 255; i++) {
        envp[ne++] = environ[i];
    }
    envp[ne] = NULL;
    if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) {
        return false;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
    posix_spawn_file_actions_addclose(&fa, out_pipe[0]);
    posix_spawn_file_actions_addclose(&fa, err_pipe[0]);
    pid_t pid;
    if (chdir(fs_test_source_dir()) != 0) {
        return false;
    }
    int rc = posix_spawn(&pid, prog, &fa, NULL, (char *const *)args, envp);
    posix_spawn_file_actions_destroy(&fa);
    close(out_pipe[1]);
    close(err_pipe[1]);
    fs_buf out, err;
    fs_buf_init(&out, 0);
    fs_buf_init(&err, 0);
    int fds[2] = { out_pipe[0], err_pipe[0] };
    if (rc == 0) {
        drain(fds, &out, &err);
        int status = 0;
        waitpid(pid, &status, 0);
        r->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    } else {
        close(out_pipe[0]);
        close(err_pipe[0]);
    }
    r->out = fs_buf_take(&out, NULL);
    r->err = fs_buf_take(&err, NULL);
    if (r->exit_code != 0 && r->err != NULL && r->err[0] != '\0') {
        fprintf(stderr, "[fairshake exit %d] %s", r->exit_code, r->err);
    }
    return rc == 0;
}

void e2e_result_dispose(e2e_result *r)
{
    fs_free(r->out);
    fs_free(r->err);
    memset(r, 0, sizeof *r);
}

bool e2e_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return false;
    }
    size_t n = strlen(text);
    bool ok = fwrite(text, 1, n, f) == n;
    return fclose(f) == 0 && ok;
}

cJSON *e2e_read_json(const char *path)
{
    cJSON *v = NULL;
    return fs_json__parse_file(&v, path, NULL) == FS_OK ? v : NULL;
}

const cJSON *e2e_get(const cJSON *root, const char *path)
{
    char part[128];
    const cJSON *cur = root;
    const char *p = path;
    while (cur != NULL && *p != '\0') {
        size_t n = strcspn(p, ".");
        snprintf(part, sizeof part, "%.*s", (int)n, p);
        if (cJSON_IsArray(cur)) {
            cur = cJSON_GetArrayItem(cur, (int)strtol(part, NULL, 10));
        } else {
            cur = cJSON_GetObjectItemCaseSensitive(cur, part);
        }
        p += n;
        p += *p == '.';
    }
    return cur;
}

double e2e_num(const cJSON *root, const char *path)
{
    const cJSON *v = e2e_get(root, path);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

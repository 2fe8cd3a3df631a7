#include "harness.h"
#include "util.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *fakehub_binary(void)
{
    const char *p = getenv("FAKEHUB");
    return str_empty(p) ? "tests/fakehub/fakehub" : p;
}

/* Read one line from fd within the deadline; false on EOF or timeout. */
static bool read_line(int fd, char *buf, size_t cap, int64_t deadline)
{
    size_t n = 0;
    while (n + 1 < cap) {
        int left = (int)(deadline - time_mono_ms());
        if (left <= 0)
            return false;
        struct pollfd pfd = {fd, POLLIN, 0};
        int r = poll(&pfd, 1, left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        char c;
        ssize_t got = read(fd, &c, 1);
        if (got <= 0)
            return false;
        if (c == '\n')
            break;
        buf[n++] = c;
    }
    buf[n] = '\0';
    return true;
}

bool fakehub_start(fakehub *fh, const char *const *extra_args, int timeout_ms)
{
    return fakehub_start_ex(fh, extra_args, timeout_ms, 0);
}

bool fakehub_start_ex(fakehub *fh, const char *const *extra_args, int timeout_ms, unsigned flags)
{
    memset(fh, 0, sizeof *fh);
    fh->pid = -1;
    fh->stdout_fd = -1;
    if (flags & FAKEHUB_NO_TOKEN)
        snprintf(fh->token, sizeof fh->token, "demo-token");
    else
        snprintf(fh->token, sizeof fh->token, "test-token-%d-%lld", (int)getpid(),
                 (long long)time_mono_ms());

    const char *argv[128];
    size_t argc = 0;
    argv[argc++] = fakehub_binary();
    argv[argc++] = "--port";
    argv[argc++] = "0";
    if (!(flags & FAKEHUB_NO_TOKEN)) {
        argv[argc++] = "--token";
        argv[argc++] = fh->token;
    }
    for (size_t i = 0; extra_args && extra_args[i] && argc + 1 < ARRAY_SIZE(argv); i++)
        argv[argc++] = extra_args[i];
    argv[argc] = NULL;

    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) {
        perror("pipe");
        return false;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        close(pipefd[0]);
        close(pipefd[1]);
        return false;
    }
    if (pid == 0) {
        /* A test that dies (a failed assertion skips fakehub_stop) must not
         * leave fakehub running and holding the runner's pipes open. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(127);
        dup2(pipefd[1], STDOUT_FILENO);
        execv(argv[0], (char *const *)argv);
        fprintf(stderr, "harness: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(pipefd[1]);
    fh->pid = pid;
    fh->stdout_fd = pipefd[0];

    char line[256] = "";
    int64_t deadline = time_mono_ms() + (timeout_ms > 0 ? timeout_ms : 30000);
    if (!read_line(fh->stdout_fd, line, sizeof line, deadline) ||
        sscanf(line, "listening on http://127.0.0.1:%d", &fh->port) != 1) {
        fprintf(stderr, "harness: fakehub did not report its port (got '%s')\n", line);
        fakehub_stop(fh);   /* its status does not matter any more */
        return false;
    }
    snprintf(fh->base_url, sizeof fh->base_url, "http://127.0.0.1:%d", fh->port);
    return true;
}

int fakehub_stop(fakehub *fh)
{
    int result = 0;
    if (fh->pid > 0) {
        kill(fh->pid, SIGTERM);
        int status = 0;
        bool reaped = false;
        /* Generous: sanitizer builds check for leaks on the way out. */
        for (int i = 0; i < 500 && !reaped; i++) {
            if (waitpid(fh->pid, &status, WNOHANG) == fh->pid)
                reaped = true;
            else
                usleep(20000);
        }
        if (!reaped) {
            kill(fh->pid, SIGKILL);
            waitpid(fh->pid, &status, 0);
        }
        result = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (result != 0)
            fprintf(stderr, "harness: fakehub (pid %d) ended with status %d\n", (int)fh->pid, result);
        fh->pid = -1;
    }
    if (fh->stdout_fd >= 0) {
        close(fh->stdout_fd);
        fh->stdout_fd = -1;
    }
    return result;
}

static size_t collect(char *data, size_t size, size_t nmemb, void *ud)
{
    strbuf_append(ud, data, size * nmemb);
    return size * nmemb;
}

char *fakehub_request(const fakehub *fh, const char *method, const char *path,
                      const char *body, long *status)
{
    CURL *curl = curl_easy_init();
    if (!curl)
        return NULL;
    char *url = xasprintf("%s%s", fh->base_url, path);
    char *auth = xasprintf("Authorization: Bearer %s", fh->token);
    struct curl_slist *hdrs = curl_slist_append(NULL, auth);
    hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    strbuf out = {0};
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (body)
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    CURLcode rc = curl_easy_perform(curl);
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    if (status)
        *status = code;
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(curl);
    free(url);
    free(auth);
    if (rc != CURLE_OK) {
        strbuf_free(&out);
        return NULL;
    }
    return strbuf_detach(&out);
}

json_t *fakehub_json(const fakehub *fh, const char *method, const char *path,
                     const char *body, long *status)
{
    char *text = fakehub_request(fh, method, path, body, status);
    if (!text)
        return NULL;
    json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);
    free(text);
    return j;
}

static size_t collect_headers(char *data, size_t size, size_t nmemb, void *ud)
{
    strbuf_append(ud, data, size * nmemb);
    return size * nmemb;
}

bool fakehub_call_http(const fakehub *fh, const char *method, const char *path,
                       const char *body, const fakehub_call *opt, fakehub_response *out)
{
    memset(out, 0, sizeof *out);
    CURL *curl = curl_easy_init();
    if (!curl) {
        out->body = xstrdup("");
        out->headers = xstrdup("");
        out->curl_code = CURLE_FAILED_INIT;
        return false;
    }
    const char *token = opt && opt->token ? opt->token : fh->token;
    char *url = xasprintf("%s%s", fh->base_url, path);
    struct curl_slist *hdrs = NULL;
    char *auth = NULL, *ctype = xasprintf("Content-Type: %s",
        opt && opt->content_type ? opt->content_type : "application/json");
    if (*token) {
        auth = xasprintf("Authorization: Bearer %s", token);
        hdrs = curl_slist_append(hdrs, auth);
    }
    hdrs = curl_slist_append(hdrs, ctype);
    strbuf b = {0}, h = {0};
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect_headers);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (opt && opt->gzip)
        curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "gzip");
    if (body)
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
    out->curl_code = (int)rc;
    out->body_len = b.len;
    out->body = strbuf_detach(&b);
    out->headers = strbuf_detach(&h);
    if (out->body_len)
        out->json = json_loadb(out->body, out->body_len, JSON_DECODE_ANY, NULL);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(curl);
    free(url);
    free(auth);
    free(ctype);
    return rc == CURLE_OK;
}

const char *fakehub_header(const fakehub_response *r, const char *name, char *buf, size_t cap)
{
    size_t n = strlen(name);
    for (const char *line = r->headers; line && *line;) {
        const char *end = strstr(line, "\r\n");
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > n && line[n] == ':' && strncasecmp(line, name, n) == 0) {
            const char *v = line + n + 1;
            while (*v == ' ')
                v++;
            size_t vlen = len - (size_t)(v - line);
            if (vlen >= cap)
                vlen = cap - 1;
            memcpy(buf, v, vlen);
            buf[vlen] = '\0';
            return buf;
        }
        line = end ? end + 2 : NULL;
    }
    return NULL;
}

void fakehub_response_free(fakehub_response *r)
{
    free(r->body);
    free(r->headers);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

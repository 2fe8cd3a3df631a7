#include "http.h"
#include "log.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_TIMEOUT_MS         60000L
#define DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define LOGGED_BODY_BYTES          2048

struct http_transfer {
    CURL              *easy;
    struct curl_slist *headers;
    char              *body;
    http_done_fn       done;
    void              *ud;
    http_response      resp;
    http_transfer     *prev, *next;
};

struct http_transport {
    CURLM         *multi;
    http_transfer *head;
    int            running;
};

static bool global_init_done;

http_transport *http_transport_new(int max_connections)
{
    if (!global_init_done) {
        /* Idempotent and cheap after the first call; kept out of main() so
         * every user of api/ gets it. */
        curl_global_init(CURL_GLOBAL_DEFAULT);
        global_init_done = true;
    }
    http_transport *t = xcalloc(1, sizeof *t);
    t->multi = curl_multi_init();
    if (!t->multi) {
        free(t);
        return NULL;
    }
    if (max_connections < 1)
        max_connections = 1;
    curl_multi_setopt(t->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    curl_multi_setopt(t->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)max_connections);
    curl_multi_setopt(t->multi, CURLMOPT_MAXCONNECTS, (long)max_connections + 2);
    return t;
}

static void transfer_free(http_transfer *x)
{
    curl_easy_cleanup(x->easy);
    curl_slist_free_all(x->headers);
    if (x->body) {
        explicit_bzero(x->body, strlen(x->body));  /* form bodies carry secrets */
        free(x->body);
    }
    strbuf_free(&x->resp.body);
    free(x);
}

static void unlink_transfer(http_transport *t, http_transfer *x)
{
    if (x->prev)
        x->prev->next = x->next;
    else
        t->head = x->next;
    if (x->next)
        x->next->prev = x->prev;
    x->prev = x->next = NULL;
}

void http_abort(http_transport *t, http_transfer *x)
{
    curl_multi_remove_handle(t->multi, x->easy);
    unlink_transfer(t, x);
    transfer_free(x);
}

void http_transport_free(http_transport *t)
{
    if (!t)
        return;
    while (t->head)
        http_abort(t, t->head);
    curl_multi_cleanup(t->multi);
    free(t);
}

/* ---- URL policy -------------------------------------------------------- */

static bool host_is_loopback(const char *host)
{
    if (strcasecmp(host, "localhost") == 0)
        return true;   /* curl resolves it to loopback itself, never via DNS */
    char bare[64];
    size_t n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof bare) {
        memcpy(bare, host + 1, n - 2);
        bare[n - 2] = '\0';
        host = bare;
    }
    struct in_addr v4;
    if (inet_pton(AF_INET, host, &v4) == 1)
        return (ntohl(v4.s_addr) >> 24) == 127;
    struct in6_addr v6;
    if (inet_pton(AF_INET6, host, &v6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&v6);
    return false;
}

bool http_url_allowed(const char *url, ht_error *err)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL;
    bool ok = false;
    if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        ht_error_set(err, HT_INVALID, "not a valid URL: %s", url);
    } else if (strcasecmp(scheme, "https") == 0) {
        ok = true;
    } else if (strcasecmp(scheme, "http") != 0) {
        ht_error_set(err, HT_INVALID, "unsupported URL scheme '%s' in %s (use https://)", scheme, url);
    } else if (!host_is_loopback(host)) {
        ht_error_set(err, HT_INVALID, "refusing plain http:// to %s: tokens would travel "
                     "unencrypted; use https:// (http:// is allowed for loopback addresses only)", host);
    } else {
        ok = true;
    }
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return ok;
}

/* ---- callbacks ----------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    http_transfer *x = ud;
    strbuf_append(&x->resp.body, data, size * nmemb);
    return size * nmemb;
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *ud)
{
    http_transfer *x = ud;
    size_t len = size * nmemb;
    if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
        /* A new response (after 100 Continue, say): forget earlier headers. */
        memset(&x->resp.rate, 0, sizeof x->resp.rate);
        x->resp.has_rate_headers = false;
        return len;
    }
    if (len > 15 && strncasecmp(line, "content-length:", 15) == 0) {
        /* Size the body once instead of doubling it up to a large page. */
        long long n = atoll(line + 15);
        if (n > 0 && n < (64LL << 20) && x->resp.body.len == 0)
            strbuf_grow(&x->resp.body, (size_t)n + 1);
        return len;
    }
    ratelimit_headers before = x->resp.rate;
    ratelimit_parse_header(&x->resp.rate, line, len, time_now_ms());
    if (memcmp(&before, &x->resp.rate, sizeof before) != 0 &&
        (x->resp.rate.has_max || x->resp.rate.has_remaining || x->resp.rate.has_daily_remaining))
        x->resp.has_rate_headers = true;
    return len;
}

/* Log one chunk of curl's trace, line by line, never the Authorization value. */
static void log_trace_text(const char *tag, const char *data, size_t size)
{
    size_t shown = size > LOGGED_BODY_BYTES ? LOGGED_BODY_BYTES : size;
    char *copy = xstrndup(data, shown);
    char *save = NULL;
    for (char *line = strtok_r(copy, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
        if (strncasecmp(line, "authorization:", 14) == 0)
            log_debug("%s Authorization: ***", tag);
        else
            log_debug("%s %s", tag, line);
    }
    if (shown < size)
        log_debug("%s ... (%zu more bytes)", tag, size - shown);
    explicit_bzero(copy, shown);
    free(copy);
}

static int on_debug(CURL *easy, curl_infotype type, char *data, size_t size, void *ud)
{
    switch (type) {
    case CURLINFO_TEXT:       log_trace_text("*", data, size); break;
    case CURLINFO_HEADER_OUT: log_trace_text(">", data, size); break;
    case CURLINFO_HEADER_IN:  log_trace_text("<", data, size); break;
    case CURLINFO_DATA_OUT:   log_trace_text(">>", data, size); break;
    case CURLINFO_DATA_IN:    log_trace_text("<<", data, size); break;
    default: break;
    }
    return 0;
}

/* ---- starting transfers -------------------------------------------------- */

static bool set_headers(http_transfer *x, const http_request *req)
{
    struct curl_slist *h = NULL;
    h = curl_slist_append(h, "Accept: application/json");
    /* No "Expect: 100-continue" round trip before bodies. */
    h = curl_slist_append(h, "Expect:");
    if (req->body) {
        char *ct = xasprintf("Content-Type: %s",
                             req->content_type ? req->content_type : "application/json");
        h = curl_slist_append(h, ct);
        free(ct);
    }
    if (req->bearer) {
        char *auth = xasprintf("Authorization: Bearer %s", req->bearer);
        h = curl_slist_append(h, auth);
        explicit_bzero(auth, strlen(auth));
        free(auth);
    }
    x->headers = h;
    return h != NULL;
}

static void set_method_and_body(http_transfer *x, const http_request *req)
{
    CURL *e = x->easy;
    if (strcmp(req->method, "GET") == 0) {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
        return;
    }
    if (strcmp(req->method, "POST") != 0)
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
    if (req->body) {
        x->body = xstrndup(req->body, req->body_len);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->body);
    } else if (strcmp(req->method, "DELETE") != 0) {
        /* PUT/POST without a body still sends Content-Length: 0. */
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, 0L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
    }
}

static void set_transport_options(http_transfer *x, const http_request *req, bool plain_http)
{
    CURL *e = x->easy;
    curl_easy_setopt(e, CURLOPT_URL, req->url);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, plain_http ? "http" : "https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    /* Compression pays over a network; plain http is loopback only (fakehub,
     * the demo), where it would only cost CPU at both ends. */
    if (!plain_http)
        curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    /* A page of a hundred records is ~70 KB: take it in a few reads, not
     * many 16 KB ones (each a syscall and a write callback). */
    curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 128L * 1024);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "hubtui/" HUBTUI_VERSION);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ? req->timeout_ms : DEFAULT_TIMEOUT_MS);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     req->connect_timeout_ms > 0 ? req->connect_timeout_ms : DEFAULT_CONNECT_TIMEOUT_MS);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->resp.error);
    curl_easy_setopt(e, CURLOPT_PRIVATE, x);
    if (log_enabled(LOG_DEBUG)) {
        curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
        curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, on_debug);
    }
}

http_transfer *http_start(http_transport *t, const http_request *req,
                          http_done_fn done, void *ud, ht_error *err)
{
    if (!http_url_allowed(req->url, err))
        return NULL;
    http_transfer *x = xcalloc(1, sizeof *x);
    x->easy = curl_easy_init();
    if (!x->easy || !set_headers(x, req)) {
        transfer_free(x);
        ht_error_set(err, HT_NETWORK, "could not set up a transfer");
        return NULL;
    }
    x->done = done;
    x->ud = ud;
    set_transport_options(x, req, strncasecmp(req->url, "http:", 5) == 0);
    set_method_and_body(x, req);
    if (log_enabled(LOG_DEBUG))
        log_debug("http %s %s", req->method, req->url);
    x->resp.started_at = time_mono_ms();
    CURLMcode mc = curl_multi_add_handle(t->multi, x->easy);
    if (mc != CURLM_OK) {
        transfer_free(x);
        ht_error_set(err, HT_NETWORK, "could not start a transfer: %s", curl_multi_strerror(mc));
        return NULL;
    }
    x->next = t->head;
    if (t->head)
        t->head->prev = x;
    t->head = x;
    return x;
}

/* ---- driving ------------------------------------------------------------- */

int http_perform(http_transport *t)
{
    curl_multi_perform(t->multi, &t->running);
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(t->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        http_transfer *x = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
        x->resp.code = msg->data.result;
        curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->resp.status);
        if (x->resp.code != CURLE_OK && x->resp.error[0] == '\0')
            snprintf(x->resp.error, sizeof x->resp.error, "%s", curl_easy_strerror(x->resp.code));
        x->resp.finished_at = time_mono_ms();
        curl_multi_remove_handle(t->multi, x->easy);
        unlink_transfer(t, x);
        if (log_enabled(LOG_DEBUG))
            log_debug("http done: status %ld, curl %d (%s), %lld ms", x->resp.status, (int)x->resp.code,
                      x->resp.code ? x->resp.error : "ok",
                      (long long)(x->resp.finished_at - x->resp.started_at));
        x->done(x->ud, &x->resp);
        transfer_free(x);
    }
    return t->running;
}

int http_wait(http_transport *t, struct pollfd *extra, size_t n_extra, int timeout_ms)
{
    struct curl_waitfd stackfds[8];
    struct curl_waitfd *wfds = n_extra <= 8 ? stackfds : xcalloc(n_extra, sizeof *wfds);
    for (size_t i = 0; i < n_extra; i++) {
        wfds[i].fd = extra[i].fd;
        wfds[i].events = (short)((extra[i].events & POLLIN ? CURL_WAIT_POLLIN : 0) |
                                 (extra[i].events & POLLPRI ? CURL_WAIT_POLLPRI : 0) |
                                 (extra[i].events & POLLOUT ? CURL_WAIT_POLLOUT : 0));
        wfds[i].revents = 0;
    }
    int numfds = 0;
    CURLMcode mc = curl_multi_poll(t->multi, n_extra ? wfds : NULL, (unsigned)n_extra,
                                   timeout_ms < 0 ? 0 : timeout_ms, &numfds);
    int ready = 0;
    for (size_t i = 0; i < n_extra; i++) {
        short r = wfds[i].revents;
        extra[i].revents = (short)((r & CURL_WAIT_POLLIN ? POLLIN : 0) |
                                   (r & CURL_WAIT_POLLPRI ? POLLPRI : 0) |
                                   (r & CURL_WAIT_POLLOUT ? POLLOUT : 0));
        if (extra[i].revents)
            ready++;
    }
    if (wfds != stackfds)
        free(wfds);
    return mc == CURLM_OK ? ready : -1;
}

void http_wakeup(http_transport *t)
{
    curl_multi_wakeup(t->multi);
}

int http_running(const http_transport *t)
{
    int n = 0;
    for (const http_transfer *x = t->head; x; x = x->next)
        n++;
    return n;
}


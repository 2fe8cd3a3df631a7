#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "herr.h"
#include "http.h"
#include "jsonw.h"
#include "routes.h"

#define MAX_BODY (16 * 1024 * 1024)

struct fh_server {
    struct MHD_Daemon *daemon;
    fh_portal         *portal;
    int                port;
};

typedef struct conn_req {
    fh_req  r;
    int64_t start_ms;
    bool    too_large;
} conn_req;

static const char unmatched_endpoint[] = "unmatched";

/* ---- request side --------------------------------------------------- */

const char *req_arg(const fh_req *r, const char *key)
{
    for (int i = 0; i < r->n_args; i++)
        if (strcmp(r->args[i].key, key) == 0)
            return r->args[i].value;
    return NULL;
}

int req_arg_all(const fh_req *r, const char *key, const char **out, int max)
{
    int n = 0;
    for (int i = 0; i < r->n_args && n < max; i++)
        if (strcmp(r->args[i].key, key) == 0)
            out[n++] = r->args[i].value;
    return n;
}

bool req_body_empty(const fh_req *r)
{
    for (size_t i = 0; i < r->body.len; i++)
        if (!strchr(" \t\r\n", r->body.buf[i]))
            return false;
    return true;
}

json_t *req_json(fh_req *r)
{
    if (!r->json_done) {
        r->json_done = true;
        if (!req_body_empty(r))
            r->json = json_loadb(r->body.buf, r->body.len, JSON_DECODE_ANY, NULL);
    }
    return r->json;
}

void resp_out(fh_req *r, int status)
{
    r->status = status;
    r->ctype = "application/json;charset=utf-8";
}

void resp_json(fh_req *r, int status, json_t *j)
{
    strbuf_reset(&r->out);
    jw_json(&r->out, j);
    json_decref(j);
    resp_out(r, status);
}

void resp_empty(fh_req *r, int status)
{
    strbuf_reset(&r->out);
    r->status = status;
    r->ctype = NULL;
}

void resp_header(fh_req *r, const char *name, const char *value)
{
    for (int i = 0; i < r->n_hdrs; i++)
        if (strcasecmp(r->hdrs[i].name, name) == 0) {
            free(r->hdrs[i].value);
            r->hdrs[i].value = xstrdup(value);
            return;
        }
    if (r->n_hdrs >= FH_MAX_HEADERS)
        return;
    fh_header *h = &r->hdrs[r->n_hdrs++];
    snprintf(h->name, sizeof h->name, "%s", name);
    h->value = xstrdup(value);
}

static void resp_header_i64(fh_req *r, const char *name, int64_t v)
{
    char buf[24];
    fmt_i64(v, buf);
    resp_header(r, name, buf);
}

static void req_free(conn_req *c)
{
    fh_req *r = &c->r;
    for (int i = 0; i < r->n_cap; i++)
        free(r->cap[i]);
    for (int i = 0; i < r->n_args; i++) {
        free(r->args[i].key);
        free(r->args[i].value);
    }
    free(r->args);
    for (int i = 0; i < r->n_hdrs; i++)
        free(r->hdrs[i].value);
    strbuf_free(&r->body);
    strbuf_free(&r->out);
    json_decref(r->json);
    free((char *)r->path);
    free(c);
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    fh_req *r = cls;
    if (r->n_args >= 1024)
        return MHD_NO;
    r->args = xrealloc(r->args, sizeof *r->args * (size_t)(r->n_args + 1));
    r->args[r->n_args].key = xstrdup(key);
    r->args[r->n_args].value = xstrdup(value ? value : "");
    r->n_args++;
    return MHD_YES;
}

/* ---- the pipeline's own answers ------------------------------------- */

static void send_401(fh_req *r, fh_auth_result res, int64_t expired_ms)
{
    if (res == AUTH_EXPIRED) {
        char *msg = xasprintf("The OAuth token used to make this call expired %lld minute(s) ago.",
                              (long long)(expired_ms / 60000));
        herr_send(r, 401, "EXPIRED_AUTHENTICATION", msg, NULL);
        free(msg);
        return;
    }
    herr_send(r, 401, "INVALID_AUTHENTICATION",
              "Authentication credentials not found. This API supports OAuth 2.0 authentication "
              "and you can find more details at "
              "https://developers.hubspot.com/docs/methods/auth/oauth-overview", NULL);
}

static void send_403(fh_req *r, const char *scope)
{
    char cid[37];
    uuid_v4(cid);
    json_t *j = json_pack(
        "{s:s, s:s, s:s, s:[{s:s, s:{s:[s]}}], s:{s:s}, s:s}", "status", "error", "message",
        "This app hasn't been granted all required scopes to make this call. Read more about "
        "required scopes here: https://developers.hubspot.com/scopes.",
        "correlationId", cid, "errors", "message",
        "One or more of the following scopes are required.", "context", "requiredGranularScopes",
        scope, "links", "scopes", "https://developers.hubspot.com/scopes", "category",
        "MISSING_SCOPES");
    resp_json(r, 403, j);
}

static void send_429(fh_req *r, fh_rl_result why, const fh_settings *s, const fh_rl_info *info)
{
    static const char *const policy[] = {
        [RL_TEN_SECONDLY] = "TEN_SECONDLY_ROLLING", [RL_DAILY] = "DAILY", [RL_SECONDLY] = "SECONDLY"};
    static const char *const limit_name[] = {
        [RL_TEN_SECONDLY] = "ten_secondly_rolling", [RL_DAILY] = "daily", [RL_SECONDLY] = "secondly"};
    char cid[37], group[96], msg[96];
    uuid_v4(cid);
    int64_t portal = r->portal->model.portal_id;
    if (why == RL_DAILY)
        snprintf(group, sizeof group, "publicapi:portal-daily:%lld", (long long)portal);
    else if (why == RL_SECONDLY)
        snprintf(group, sizeof group, "publicapi:%s:%lld",
                 r->route->flags & RF_SEARCH ? "crm-search"
                 : r->route->flags & RF_EXEMPT ? "crm-associations" : "oauth",
                 (long long)portal);
    else
        snprintf(group, sizeof group, "publicapi:%s:%lld:%lld",
                 r->who.oauth ? "oauth-app" : "private-app", (long long)r->who.app_id,
                 (long long)portal);
    snprintf(msg, sizeof msg, "You have reached your %s limit.", limit_name[why]);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "status", "error", "message", msg,
                          "errorType", "RATE_LIMIT", "correlationId", cid, "policyName",
                          policy[why], "groupName", group);
    resp_json(r, 429, j);
    if (s->retry_after) {
        int64_t wait = info->retry_after_s > 0 ? info->retry_after_s : 1;
        if (why == RL_DAILY) {   /* until the portal's next local midnight */
            int64_t now = time_now_ms();
            int64_t next = (portal_day(now) + 1) * 86400000 - portal_utc_offset_ms(now);
            wait = (next - now + 999) / 1000;
        }
        resp_header_i64(r, "Retry-After", wait);
    }
}

static void add_rate_headers(fh_req *r, const fh_rl_info *info)
{
    if (info->window_headers) {
        resp_header_i64(r, "X-HubSpot-RateLimit-Max", info->max);
        resp_header_i64(r, "X-HubSpot-RateLimit-Remaining", info->remaining);
        resp_header_i64(r, "X-HubSpot-RateLimit-Interval-Milliseconds", info->interval_ms);
    }
    if (info->daily_headers) {
        resp_header_i64(r, "X-HubSpot-RateLimit-Daily", info->daily_max);
        resp_header_i64(r, "X-HubSpot-RateLimit-Daily-Remaining", info->daily_remaining);
    }
}

static void send_5xx(fh_req *r, int status)
{
    strbuf_reset(&r->out);
    for (int i = 0; i < r->n_hdrs; i++)
        free(r->hdrs[i].value);
    r->n_hdrs = 0;
    if (status == 502 || status == 504) {
        /* Gateways answer in HTML, not JSON: clients must cope. */
        strbuf_printf(&r->out, "<html><head><title>%d %s</title></head><body><h1>%d %s</h1>"
                      "</body></html>\n", status, status == 502 ? "Bad Gateway" : "Gateway Timeout",
                      status, status == 502 ? "Bad Gateway" : "Gateway Timeout");
        r->status = status;
        r->ctype = "text/html";
        return;
    }
    herr_send(r, status, status == 503 ? "SERVICE_UNAVAILABLE" : "INTERNAL_ERROR",
              status == 503 ? "The service is temporarily unavailable." : "internal error", NULL);
}

/* ---- scopes --------------------------------------------------------- */

static bool scope_for(const fh_otype *t, fh_scope_kind k, char *out, size_t n)
{
    bool write = k == SC_OBJ_WRITE || k == SC_SCHEMA_WRITE;
    const char *stem = k == SC_SCHEMA_READ || k == SC_SCHEMA_WRITE ? t->schema_scope : t->scope;
    snprintf(out, n, "%s%s", stem, str_starts_with(stem, "crm.") ? (write ? ".write" : ".read") : "");
    return true;
}

/* The first scope the caller lacks, or false when it has them all. */
static bool missing_scope(fh_req *r, char *out, size_t n)
{
    const fh_route *rt = r->route;
    switch (rt->scope) {
    case SC_NONE:
        return false;
    case SC_OWNERS:
        snprintf(out, n, "crm.objects.owners.read");
        return !principal_has_scope(&r->who, out);
    case SC_CUSTOM_SCHEMAS:
        snprintf(out, n, "crm.schemas.custom.read");
        return !principal_has_scope(&r->who, out);
    default:
        break;
    }
    for (int i = 0; i < 2; i++) {
        int c = rt->type_cap[i];
        if (c < 0 || c >= r->n_cap)
            continue;
        const fh_otype *t = model_type(&r->portal->model, r->cap[c]);
        if (t && scope_for(t, rt->scope, out, n) && !principal_has_scope(&r->who, out))
            return true;
    }
    return false;
}

/* ---- responses ------------------------------------------------------ */

typedef struct cut_body {
    char  *buf;
    size_t len, cut;
} cut_body;

static ssize_t cut_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    cut_body *c = cls;
    if (pos >= c->cut)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t n = c->cut - (size_t)pos;
    if (n > max)
        n = max;
    memcpy(buf, c->buf + pos, n);
    return (ssize_t)n;
}

static void cut_free(void *cls)
{
    cut_body *c = cls;
    free(c->buf);
    free(c);
}

static bool accepts_gzip(struct MHD_Connection *conn)
{
    const char *ae = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept-Encoding");
    return ae && strstr(ae, "gzip");
}

/* gzip body into a new buffer; false if zlib fails (send it plain). */
static bool gzip_body(const char *in, size_t len, char **out, size_t *out_len)
{
    z_stream zs = {0};
    if (deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return false;
    size_t cap = deflateBound(&zs, (uLong)len);
    char *buf = xmalloc(cap);
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)len;
    zs.next_out = (Bytef *)buf;
    zs.avail_out = (uInt)cap;
    int rc = deflate(&zs, Z_FINISH);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        free(buf);
        return false;
    }
    *out = buf;
    *out_len = zs.total_out;
    return true;
}

static struct MHD_Response *build_response(fh_req *r, struct MHD_Connection *conn, bool truncate)
{
    size_t len = r->out.len;
    char *body = strbuf_detach(&r->out);
    bool gz = false;
    if (len > 512 && accepts_gzip(conn)) {
        char *z;
        size_t zlen;
        if (gzip_body(body, len, &z, &zlen)) {
            free(body);
            body = z;
            len = zlen;
            gz = true;
        }
    }
    struct MHD_Response *resp;
    if (truncate && len > 1) {
        cut_body *c = xmalloc(sizeof *c);
        c->buf = body;
        c->len = len;
        c->cut = len / 2;
        resp = MHD_create_response_from_callback(len, 4096, cut_reader, c, cut_free);
    } else {
        resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    }
    if (!resp)
        return NULL;
    if (r->ctype && r->status != 204)
        MHD_add_response_header(resp, "Content-Type", r->ctype);
    if (gz)
        MHD_add_response_header(resp, "Content-Encoding", "gzip");
    for (int i = 0; i < r->n_hdrs; i++)
        MHD_add_response_header(resp, r->hdrs[i].name, r->hdrs[i].value);
    return resp;
}

static void log_request(fh_portal *p, fh_req *r, int status, int64_t ms)
{
    if (!p->log)
        return;
    /* Token-info paths carry a token: never write it down. */
    const char *path = r->path;
    bool secret = str_starts_with(path, "/oauth/v1/access-tokens/") ||
                  str_starts_with(path, "/oauth/v1/refresh-tokens/");
    pthread_mutex_lock(&p->log_lock);
    if (secret)
        fprintf(p->log, "%s %.*s*** %d %lldms\n", r->method,
                (int)(strchr(path + 10, '/') - path) + 1, path, status, (long long)ms);
    else
        fprintf(p->log, "%s %s %d %lldms\n", r->method, path, status, (long long)ms);
    fflush(p->log);
    pthread_mutex_unlock(&p->log_lock);
}

/* ---- the pipeline --------------------------------------------------- */

/* Authenticate, limit and scope-check a HubSpot request. False when the
 * request has been answered already (401/403/429). */
static bool admit(fh_req *r, struct MHD_Connection *conn, const fh_settings *s, fh_rl_info *info)
{
    const fh_route *rt = r->route;
    if (rt->flags & RF_NOAUTH)
        return true;
    int64_t expired = 0;
    const char *authz = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    fh_auth_result ar = auth_check(r->portal->auth, authz, &r->who, &expired);
    if (ar != AUTH_OK) {
        send_401(r, ar, expired);
        return false;
    }
    fh_rl_kind kind = rt->flags & RF_SEARCH ? RL_SEARCH : rt->flags & RF_EXEMPT ? RL_EXEMPT
                                                                                : RL_NORMAL;
    fh_rl_result rl = limiter_admit(r->portal->limiter, s, &r->who, kind, time_mono_ms(),
                                    portal_day(time_now_ms()), info);
    if (rl != RL_OK) {
        send_429(r, rl, s, info);
        return false;
    }
    char scope[96];
    if (missing_scope(r, scope, sizeof scope)) {
        send_403(r, scope);
        return false;
    }
    return true;
}

/* The limit a spurious 429 names: the ten-secondly window only where it
 * applies. Search has its own per-second limit; the calls exempt from the
 * window (association batches, labels) and the OAuth endpoints, which no
 * app window covers, meet a short per-second limit as well. */
static fh_rl_result fault_429_policy(const fh_route *rt)
{
    return rt->flags & (RF_SEARCH | RF_EXEMPT | RF_NOAUTH) ? RL_SECONDLY : RL_TEN_SECONDLY;
}

/* Run a HubSpot request; returns the fault plan so the caller can drop or
 * cut the answer. */
static fh_fault_plan run_hubspot(fh_req *r, struct MHD_Connection *conn)
{
    fh_settings s = portal_settings(r->portal);
    fh_rl_info info;
    memset(&info, 0, sizeof info);
    fh_fault_plan plan = {FAULT_NONE, 0, false, 0};
    if (!admit(r, conn, &s, &info)) {
        if (!(r->route->flags & RF_SEARCH))   /* 401s have none to give */
            add_rate_headers(r, &info);
        return plan;
    }
    faults_plan(r->portal->faults, &s.faults, r->route->flags & RF_WRITE, &plan);
    if (plan.latency_ms > 0)
        usleep((useconds_t)plan.latency_ms * 1000);
    if (plan.kind == FAULT_429) {
        send_429(r, fault_429_policy(r->route), &s, &info);
    } else if (plan.kind == FAULT_NONE || plan.after_write) {
        r->route->handler(r);
        if (plan.kind == FAULT_5XX)
            send_5xx(r, plan.status);
    } else if (plan.kind == FAULT_5XX || plan.kind == FAULT_TRUNCATE) {
        send_5xx(r, plan.kind == FAULT_5XX ? plan.status : 503);
    }
    if (!(r->route->flags & RF_SEARCH) && !(r->route->flags & RF_NOAUTH) && r->status != 0 &&
        plan.kind != FAULT_5XX)
        add_rate_headers(r, &info);
    return plan;
}

/* Check and drop the version capture of a date-based path. */
static bool take_version(fh_req *r)
{
    if (r->n_cap < 1 || (strcmp(r->cap[0], "2025-09") != 0 && strcmp(r->cap[0], "2026-03") != 0))
        return false;
    free(r->cap[0]);
    memmove(r->cap, r->cap + 1, sizeof r->cap[0] * (size_t)(r->n_cap - 1));
    r->n_cap--;
    r->versioned = true;
    return true;
}

static enum MHD_Result finish(fh_server *srv, struct MHD_Connection *conn, conn_req *c)
{
    fh_req *r = &c->r;
    fh_portal *p = srv->portal;
    bool wrong_method = false;
    const char *endpoint = unmatched_endpoint;
    fh_fault_plan plan = {FAULT_NONE, 0, false, 0};
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, r);
    r->content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
    r->route = routes_match(r->method, r->path, r->cap, &r->n_cap, &wrong_method);
    if (c->too_large) {
        herr_bad_request(r, "The request body is larger than %d bytes", MAX_BODY);
    } else if (!r->route) {
        herr_send(r, wrong_method ? 405 : 404, wrong_method ? "METHOD_NOT_ALLOWED" : "NOT_FOUND",
                  wrong_method ? "Method not allowed for this endpoint"
                               : "Unable to route this request: unknown endpoint", NULL);
    } else if ((r->route->flags & RF_VERSIONED) && !take_version(r)) {
        r->route = NULL;
        herr_send(r, 404, "NOT_FOUND", "Unknown API version: fakehub serves 2025-09 and 2026-03", NULL);
    } else if (r->route->flags & RF_CONTROL) {
        r->route->handler(r);
    } else {
        endpoint = r->route->endpoint;
        plan = run_hubspot(r, conn);
    }
    bool control = r->route && (r->route->flags & RF_CONTROL);
    int64_t ms = time_mono_ms() - c->start_ms;
    if (plan.kind == FAULT_RESET) {
        stats_record(p->stats, endpoint, 0);
        log_request(p, r, 0, ms);
        return MHD_NO;   /* libmicrohttpd closes the connection unanswered */
    }
    if (r->status == 0)
        herr_send(r, 500, "INTERNAL_ERROR", "handler produced no answer", NULL);
    if (!control)
        stats_record(p->stats, endpoint, r->status);
    log_request(p, r, r->status, ms);
    struct MHD_Response *resp = build_response(r, conn, plan.kind == FAULT_TRUNCATE);
    if (!resp)
        return MHD_NO;
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_size, void **con_cls)
{
    (void)version;
    fh_server *srv = cls;
    conn_req *c = *con_cls;
    if (!c) {
        c = xcalloc(1, sizeof *c);
        c->start_ms = time_mono_ms();
        c->r.portal = srv->portal;
        c->r.method = method;
        c->r.path = xstrdup(url);
        *con_cls = c;
        return MHD_YES;
    }
    if (*upload_size) {
        if (c->r.body.len + *upload_size > MAX_BODY)
            c->too_large = true;
        else
            strbuf_append(&c->r.body, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    return finish(srv, conn, c);
}

static void request_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                              enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    if (*con_cls)
        req_free(*con_cls);
    *con_cls = NULL;
}

/* A listening socket on 127.0.0.1:port; the bound port in *bound. */
static int listen_loopback(int port, int *bound, char *err, size_t errlen)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 256) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
        snprintf(err, errlen, "cannot listen on 127.0.0.1:%d: %s", port, strerror(errno));
        close(fd);
        return -1;
    }
    *bound = ntohs(addr.sin_port);
    return fd;
}

fh_server *server_start(fh_portal *p, int port, char *err, size_t errlen)
{
    fh_server *srv = xcalloc(1, sizeof *srv);
    srv->portal = p;
    /* Bind first, so the base URL is known before any request can come. */
    int fd = listen_loopback(port, &srv->port, err, errlen);
    if (fd < 0) {
        free(srv);
        return NULL;
    }
    snprintf(p->base_url, sizeof p->base_url, "http://127.0.0.1:%d", srv->port);
    srv->daemon = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL_INTERNAL_THREAD, 0, NULL, NULL,
        access_handler, srv, MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
        MHD_OPTION_NOTIFY_COMPLETED, request_completed, srv, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)120, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(256 * 1024), MHD_OPTION_END);
    if (!srv->daemon) {
        snprintf(err, errlen, "cannot start the HTTP server on 127.0.0.1:%d", srv->port);
        close(fd);
        free(srv);
        return NULL;
    }
    return srv;
}

int server_port(const fh_server *s)
{
    return s->port;
}

void server_stop(fh_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->daemon);
    free(s);
}

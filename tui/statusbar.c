#include "statusbar.h"
#include "draw.h"
#include "text.h"
#include "util.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void status_init(status_model *m)
{
    memset(m, 0, sizeof *m);
    m->sync_total = -1;
    m->rate_remaining = -1;
    m->daily_remaining = -1;
    m->serial = 1;
}

void status_set_portal(status_model *m, const char *portal, bool readonly)
{
    snprintf(m->portal, sizeof m->portal, "%s", portal ? portal : "");
    m->readonly = readonly;
    m->serial++;
}

void status_set_conn(status_model *m, conn_state conn)
{
    m->conn = conn;
    m->serial++;
}

void status_set_sync(status_model *m, const char *what, int64_t done, int64_t total)
{
    m->syncing = true;
    snprintf(m->sync_what, sizeof m->sync_what, "%s", what ? what : "");
    m->sync_done = done;
    m->sync_total = total;
    m->serial++;
}

void status_clear_sync(status_model *m)
{
    m->syncing = false;
    m->serial++;
}

void status_set_rate(status_model *m, int remaining, int max, int64_t daily_remaining)
{
    m->rate_remaining = remaining;
    m->rate_max = max;
    m->daily_remaining = daily_remaining;
    m->serial++;
}

void status_set_outbox(status_model *m, int pending, int sending, int conflicts, int failed)
{
    m->pending = pending;
    m->sending = sending;
    m->conflicts = conflicts;
    m->failed = failed;
    m->serial++;
}

void status_set_activity(status_model *m, const char *text)
{
    snprintf(m->activity, sizeof m->activity, "%s", text ? text : "");
    m->serial++;
}

void status_format_count(int64_t n, char buf[32])
{
    char digits[24];
    bool neg = n < 0;
    snprintf(digits, sizeof digits, "%llu", neg ? 0ULL - (unsigned long long)n : (unsigned long long)n);
    size_t len = strlen(digits), o = 0;
    if (neg)
        buf[o++] = '-';
    for (size_t i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
}

/* Segments with a priority: when the bar is too narrow, the lowest goes. */
typedef struct cand {
    status_seg seg;
    int priority;
} cand;

static void add(cand *c, int *n, theme_role role, bool right, int priority, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void add(cand *c, int *n, theme_role role, bool right, int priority, const char *fmt, ...)
{
    if (*n >= STATUS_MAX_SEGS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c[*n].seg.text, sizeof c[*n].seg.text, fmt, ap);
    va_end(ap);
    c[*n].seg.role = role;
    c[*n].seg.right = right;
    c[*n].priority = priority;
    (*n)++;
}

static void add_sync(cand *c, int *n, const status_model *m)
{
    char done[32], total[32];
    status_format_count(m->sync_done, done);
    if (m->sync_total > 0) {
        status_format_count(m->sync_total, total);
        int pct = (int)(m->sync_done * 100 / m->sync_total);
        add(c, n, ROLE_SYNC_SENDING, false, 50, "%s %s/%s %d%%", m->sync_what, done, total,
            pct > 100 ? 100 : pct);
    } else {
        add(c, n, ROLE_SYNC_SENDING, false, 50, "%s %s", m->sync_what, done);
    }
}

static void add_outbox(cand *c, int *n, const status_model *m)
{
    if (m->conflicts)
        add(c, n, ROLE_SYNC_CONFLICT, true, 80, "%d conflict%s", m->conflicts,
            m->conflicts == 1 ? "" : "s");
    if (m->failed)
        add(c, n, ROLE_SYNC_FAILED, true, 75, "%d failed", m->failed);
    if (m->pending)
        add(c, n, ROLE_SYNC_PENDING, true, 70, "%d pending", m->pending);
    if (m->sending)
        add(c, n, ROLE_SYNC_SENDING, true, 40, "%d sending", m->sending);
}

static int total_width(const cand *c, int n, unsigned flags)
{
    int w = 2; /* margins */
    for (int i = 0; i < n; i++)
        w += text_width(c[i].seg.text, flags) + (i > 0 ? 2 : 0);
    return w;
}

void statusbar_compose(const status_model *m, int width, unsigned text_flags, status_line *out)
{
    cand c[STATUS_MAX_SEGS];
    int n = 0;
    add(c, &n, ROLE_STATUS, false, 90, "%s", m->portal[0] ? m->portal : "hubtui");
    if (m->readonly)
        add(c, &n, ROLE_STATUS_WARN, false, 100, "read-only");
    if (m->conn == CONN_OFFLINE)
        add(c, &n, ROLE_SYNC_OFFLINE, false, 100, "OFFLINE");
    else if (m->conn == CONN_CONNECTING)
        add(c, &n, ROLE_STATUS, false, 30, "connecting");
    else if (m->conn == CONN_ONLINE)
        add(c, &n, ROLE_STATUS, false, 20, "online");
    if (m->syncing)
        add_sync(c, &n, m);
    if (m->activity[0])
        add(c, &n, ROLE_STATUS, false, 45, "%s", m->activity);
    add_outbox(c, &n, m);
    if (m->rate_remaining >= 0)
        add(c, &n, ROLE_STATUS, true, 15, "API %d/%d", m->rate_remaining, m->rate_max);
    if (m->daily_remaining >= 0) {
        char day[32];
        status_format_count(m->daily_remaining, day);
        add(c, &n, ROLE_STATUS, true, 10, "today %s", day);
    }
    while (n > 1 && total_width(c, n, text_flags) > width) {
        int low = 0;
        for (int i = 1; i < n; i++)
            if (c[i].priority < c[low].priority)
                low = i;
        memmove(&c[low], &c[low + 1], (size_t)(n - low - 1) * sizeof *c);
        n--;
    }
    out->n = n;
    for (int i = 0; i < n; i++)
        out->seg[i] = c[i].seg;
}

void statusbar_draw(WINDOW *win, const status_model *m, const theme_attrs *styles, int cols,
                    unsigned text_flags)
{
    status_line line;
    statusbar_compose(m, cols, text_flags, &line);
    attr_t bar = (attr_t)styles->attr[ROLE_STATUS];
    wbkgdset(win, ' ' | bar);
    wattrset(win, bar);
    werase(win);
    int right_w = 0, first_right = line.n;
    for (int i = 0; i < line.n; i++)
        if (line.seg[i].right) {
            if (first_right == line.n)
                first_right = i;
            right_w += text_width(line.seg[i].text, text_flags) + (i > first_right ? 2 : 0);
        }
    int x = 1;
    for (int i = 0; i < first_right && x < cols; i++) {
        x += draw_str(win, 0, x, cols - 1 - x, line.seg[i].text,
                      (attr_t)styles->attr[line.seg[i].role], text_flags);
        x += 2;
    }
    int rx = cols - 1 - right_w;
    if (rx < x)
        rx = x;
    for (int i = first_right; i < line.n && rx < cols; i++) {
        rx += draw_str(win, 0, rx, cols - 1 - rx, line.seg[i].text,
                       (attr_t)styles->attr[line.seg[i].role], text_flags);
        rx += 2;
    }
}

/* tz.c — TZif files and POSIX TZ rules, without the C library's global TZ. */
#include "tz.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define TZ_ABBR_MAX 16
#define TZ_FILE_MAX (1 << 20)

typedef struct tz_type {
    int32_t utoff;
    bool isdst;
    char abbr[TZ_ABBR_MAX];
} tz_type;

/* A rule's transition date: Mm.w.d (month, week, weekday), Jn (1..365, no
 * leap day) or n (0..365), at `time` seconds local time. */
typedef struct tz_date {
    char kind; /* 'M', 'J' or 'n' */
    int m, w, d, n;
    int32_t time;
} tz_date;

typedef struct tz_rule {
    tz_type std, dst;
    bool has_dst;
    tz_date start, end;
} tz_rule;

struct tz {
    char *name;
    int64_t *times; /* transition instants, ascending */
    uint8_t *idx;   /* type index per transition */
    size_t ntimes;
    tz_type *types;
    size_t ntypes;
    bool has_rule;
    tz_rule rule;
};

/* ---- Calendar ---------------------------------------------------------- */

int64_t tz_days_from_civil(int y, int m, int d)
{
    /* Howard Hinnant's days_from_civil. */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void tz_civil_from_days(int64_t z, int *year, int *month, int *day)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int)(y + (m <= 2));
    *month = m;
    *day = d;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* ---- POSIX TZ rules ------------------------------------------------------ */

static const char *parse_abbr(const char *s, char out[TZ_ABBR_MAX])
{
    size_t n = 0;
    if (*s == '<') {
        s++;
        while (*s && *s != '>') {
            if (n + 1 < TZ_ABBR_MAX)
                out[n++] = *s;
            s++;
        }
        if (*s != '>')
            return NULL;
        s++;
    } else {
        while (isalpha((unsigned char)*s)) {
            if (n + 1 < TZ_ABBR_MAX)
                out[n++] = *s;
            s++;
        }
    }
    out[n] = '\0';
    return n >= 1 ? s : NULL;
}

/* [+-]hh[:mm[:ss]] into seconds (hours up to 167 for v3 rule times). */
static const char *parse_hms(const char *s, int32_t *out)
{
    int sign = 1;
    if (*s == '+' || *s == '-')
        sign = *s++ == '-' ? -1 : 1;
    if (!isdigit((unsigned char)*s))
        return NULL;
    int32_t parts[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        if (i > 0) {
            if (*s != ':')
                break;
            s++;
        }
        if (!isdigit((unsigned char)*s))
            return NULL;
        int v = 0;
        while (isdigit((unsigned char)*s) && v < 1000)
            v = v * 10 + (*s++ - '0');
        parts[i] = v;
    }
    *out = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
    return s;
}

static const char *parse_date(const char *s, tz_date *d)
{
    d->time = 2 * 3600;
    if (*s == 'M') {
        d->kind = 'M';
        if (sscanf(s + 1, "%d.%d.%d", &d->m, &d->w, &d->d) != 3 || d->m < 1 || d->m > 12 ||
            d->w < 1 || d->w > 5 || d->d < 0 || d->d > 6)
            return NULL;
        s++;
        while (isdigit((unsigned char)*s) || *s == '.')
            s++;
    } else {
        d->kind = *s == 'J' ? 'J' : 'n';
        if (*s == 'J')
            s++;
        if (!isdigit((unsigned char)*s))
            return NULL;
        d->n = 0;
        while (isdigit((unsigned char)*s) && d->n < 1000)
            d->n = d->n * 10 + (*s++ - '0');
        if (d->n > 365 || (d->kind == 'J' && d->n < 1))
            return NULL;
    }
    if (*s == '/')
        s = parse_hms(s + 1, &d->time);
    return s;
}

static bool parse_rule(const char *s, tz_rule *r)
{
    memset(r, 0, sizeof *r);
    int32_t off;
    if (!(s = parse_abbr(s, r->std.abbr)) || !(s = parse_hms(s, &off)))
        return false;
    r->std.utoff = -off; /* POSIX offsets are west of Greenwich */
    if (!*s)
        return true;
    if (!(s = parse_abbr(s, r->dst.abbr)))
        return false;
    r->has_dst = true;
    r->dst.isdst = true;
    r->dst.utoff = r->std.utoff + 3600;
    if (*s && *s != ',') {
        if (!(s = parse_hms(s, &off)))
            return false;
        r->dst.utoff = -off;
    }
    if (!*s) {
        /* No dates: the US rules POSIX assumes. */
        r->start = (tz_date){'M', 3, 2, 0, 0, 7200};
        r->end = (tz_date){'M', 11, 1, 0, 0, 7200};
        return true;
    }
    if (*s != ',' || !(s = parse_date(s + 1, &r->start)) || *s != ',' ||
        !(s = parse_date(s + 1, &r->end)))
        return false;
    return *s == '\0';
}

/* The day (days since the epoch) a rule date falls on in year y. */
static int64_t rule_day(const tz_date *d, int y)
{
    int64_t jan1 = tz_days_from_civil(y, 1, 1);
    if (d->kind == 'J') /* 1..365, February 29 never counted */
        return jan1 + d->n - 1 + (is_leap(y) && d->n >= 60 ? 1 : 0);
    if (d->kind == 'n')
        return jan1 + d->n;
    int64_t first = tz_days_from_civil(y, d->m, 1);
    int wd1 = (int)((first % 7 + 7 + 4) % 7); /* 1970-01-01 was a Thursday (4) */
    int mday = 1 + (d->d - wd1 + 7) % 7 + (d->w - 1) * 7;
    while (mday > month_days(y, d->m))
        mday -= 7;
    return first + mday - 1;
}

static const tz_type *rule_type_at(const tz_rule *r, int64_t t)
{
    if (!r->has_dst)
        return &r->std;
    int y, m, d;
    tz_civil_from_days(floor_div(t + r->std.utoff, 86400), &y, &m, &d);
    /* Check the neighbouring years too: near New Year the local year of a
     * transition may differ from t's. */
    for (int yy = y - 1; yy <= y + 1; yy++) {
        int64_t start = rule_day(&r->start, yy) * 86400 + r->start.time - r->std.utoff;
        int64_t end = rule_day(&r->end, yy) * 86400 + r->end.time - r->dst.utoff;
        if (start < end ? (t >= start && t < end) : false)
            return &r->dst;
        if (start > end) {
            /* Southern hemisphere: DST spans New Year. */
            int64_t next_end = rule_day(&r->end, yy + 1) * 86400 + r->end.time - r->dst.utoff;
            if (t >= start && t < next_end)
                return &r->dst;
        }
    }
    return &r->std;
}

/* ---- TZif --------------------------------------------------------------- */

typedef struct reader {
    const unsigned char *p;
    size_t n, at;
} reader;

static bool rd_has(const reader *r, size_t k)
{
    return r->at <= r->n && r->n - r->at >= k;
}

static uint32_t rd_u32(reader *r)
{
    const unsigned char *b = r->p + r->at;
    r->at += 4;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static int64_t rd_i64(reader *r)
{
    uint64_t hi = rd_u32(r), lo = rd_u32(r);
    return (int64_t)(hi << 32 | lo);
}

typedef struct tzif_counts {
    uint32_t isut, isstd, leap, time, type, chars;
} tzif_counts;

static bool read_header(reader *r, char *version, tzif_counts *c)
{
    if (!rd_has(r, 44) || memcmp(r->p + r->at, "TZif", 4) != 0)
        return false;
    *version = (char)r->p[r->at + 4];
    r->at += 20;
    c->isut = rd_u32(r);
    c->isstd = rd_u32(r);
    c->leap = rd_u32(r);
    c->time = rd_u32(r);
    c->type = rd_u32(r);
    c->chars = rd_u32(r);
    return c->type >= 1 && c->type <= 256 && c->time <= 100000 && c->chars <= 1024 &&
           c->leap <= 10000;
}

static size_t body_size(const tzif_counts *c, size_t timesz)
{
    return c->time * timesz + c->time + c->type * 6 + c->chars + c->leap * (timesz + 4) +
           c->isstd + c->isut;
}

static bool read_body(tz *z, reader *r, const tzif_counts *c, size_t timesz)
{
    if (!rd_has(r, body_size(c, timesz)))
        return false;
    z->ntimes = c->time;
    z->times = xcalloc(c->time + 1, sizeof *z->times);
    z->idx = xcalloc(c->time + 1, 1);
    for (size_t i = 0; i < c->time; i++)
        z->times[i] = timesz == 8 ? rd_i64(r) : (int32_t)rd_u32(r);
    for (size_t i = 0; i < c->time; i++) {
        z->idx[i] = r->p[r->at++];
        if (z->idx[i] >= c->type)
            return false;
    }
    z->ntypes = c->type;
    z->types = xcalloc(c->type, sizeof *z->types);
    const unsigned char *chars = r->p + r->at + c->type * 6;
    for (size_t i = 0; i < c->type; i++) {
        z->types[i].utoff = (int32_t)rd_u32(r);
        z->types[i].isdst = r->p[r->at++] != 0;
        size_t ai = r->p[r->at++];
        size_t k = 0;
        while (ai + k < c->chars && chars[ai + k] && k + 1 < TZ_ABBR_MAX) {
            z->types[i].abbr[k] = (char)chars[ai + k];
            k++;
        }
        z->types[i].abbr[k] = '\0';
    }
    r->at += c->chars + c->leap * (timesz + 4) + c->isstd + c->isut;
    return true;
}

static void read_footer(tz *z, reader *r)
{
    if (!rd_has(r, 2) || r->p[r->at] != '\n')
        return;
    size_t start = r->at + 1, end = start;
    while (end < r->n && r->p[end] != '\n')
        end++;
    if (end >= r->n || end == start)
        return;
    char *text = xstrndup((const char *)r->p + start, end - start);
    z->has_rule = parse_rule(text, &z->rule);
    free(text);
}

static tz *tz_alloc(const char *name)
{
    tz *z = xcalloc(1, sizeof *z);
    z->name = xstrdup(str_empty(name) ? "UTC" : name);
    return z;
}

tz *tz_utc(void)
{
    tz *z = tz_alloc("UTC");
    z->has_rule = parse_rule("UTC0", &z->rule);
    return z;
}

tz *tz_from_rule(const char *name, const char *rule)
{
    tz *z = tz_alloc(name);
    if (!parse_rule(rule, &z->rule)) {
        tz_free(z);
        return NULL;
    }
    z->has_rule = true;
    return z;
}

tz *tz_from_tzif(const char *name, const unsigned char *data, size_t n, ht_error *err)
{
    tz *z = tz_alloc(name);
    reader r = {data, n, 0};
    char version;
    tzif_counts c;
    bool ok = read_header(&r, &version, &c);
    if (ok && version >= '2') {
        /* Skip the 32-bit block: the 64-bit one after it is complete. */
        r.at += body_size(&c, 4);
        ok = read_header(&r, &version, &c);
        if (ok)
            ok = read_body(z, &r, &c, 8);
        if (ok)
            read_footer(z, &r);
    } else if (ok) {
        ok = read_body(z, &r, &c, 4);
    }
    if (!ok) {
        ht_error_set(err, HT_PARSE, "time zone %s: not a valid zoneinfo file", z->name);
        tz_free(z);
        return NULL;
    }
    return z;
}

static bool safe_zone_name(const char *name)
{
    if (name[0] == '/' || strstr(name, ".."))
        return false;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("/_-+.", *p))
            return false;
    return true;
}

static unsigned char *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *buf = xmalloc(TZ_FILE_MAX);
    *n = fread(buf, 1, TZ_FILE_MAX, f);
    bool bad = ferror(f) || *n == TZ_FILE_MAX;
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    return buf;
}

tz *tz_load(const char *name, ht_error *err)
{
    if (str_empty(name) || strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0)
        return tz_utc();
    if (!safe_zone_name(name)) {
        ht_error_set(err, HT_INVALID, "'%s' is not a time zone name", name);
        return NULL;
    }
    const char *dir = getenv("TZDIR");
    char *path = xasprintf("%s/%s", str_empty(dir) ? "/usr/share/zoneinfo" : dir, name);
    size_t n = 0;
    unsigned char *data = read_file(path, &n);
    if (!data) {
        ht_error_set(err, HT_NOT_FOUND, "time zone %s: cannot read %s: %s", name, path,
                     strerror(errno ? errno : ENOENT));
        free(path);
        return NULL;
    }
    free(path);
    tz *z = tz_from_tzif(name, data, n, err);
    free(data);
    return z;
}

void tz_free(tz *z)
{
    if (!z)
        return;
    free(z->name);
    free(z->times);
    free(z->idx);
    free(z->types);
    free(z);
}

const char *tz_name(const tz *z)
{
    return z ? z->name : "UTC";
}

/* The type for instants before the first transition: the first standard
 * time type (RFC 8536 says type 0, which is that in practice). */
static const tz_type *first_type(const tz *z)
{
    for (size_t i = 0; i < z->ntypes; i++)
        if (!z->types[i].isdst)
            return &z->types[i];
    return &z->types[0];
}

static const tz_type *type_at(const tz *z, int64_t t)
{
    if (z->ntimes == 0 || t >= z->times[z->ntimes - 1]) {
        if (z->has_rule)
            return rule_type_at(&z->rule, t);
        if (z->ntimes == 0)
            return z->ntypes ? first_type(z) : NULL;
    }
    if (t < z->times[0])
        return first_type(z);
    size_t lo = 0, hi = z->ntimes; /* times[lo] <= t < times[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->times[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return &z->types[z->idx[lo]];
}

int32_t tz_offset_at(const tz *z, int64_t t, const char **abbr)
{
    const tz_type *ty = z ? type_at(z, t) : NULL;
    if (abbr)
        *abbr = ty ? ty->abbr : "UTC";
    return ty ? ty->utoff : 0;
}

int64_t tz_local_to_utc(const tz *z, int64_t local)
{
    /* The offsets a day either side cover any real transition. */
    int32_t before = tz_offset_at(z, local - 86400, NULL);
    int32_t after = tz_offset_at(z, local + 86400, NULL);
    int64_t u1 = local - before, u2 = local - after;
    bool ok1 = tz_offset_at(z, u1, NULL) == before;
    bool ok2 = tz_offset_at(z, u2, NULL) == after;
    if (ok1 && ok2)
        return u1 < u2 ? u1 : u2; /* an overlap: the earlier instant */
    if (ok2)
        return u2;
    return u1; /* valid, or a gap: the offset before it moves time forward */
}

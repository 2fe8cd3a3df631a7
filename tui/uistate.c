/* uistate.c — where the user left off, as a small JSON file. */
#include "uistate.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

struct uistate {
    char *path;
    json_t *root;
};

char *uistate_default_path(void)
{
    const char *xdg = getenv("XDG_STATE_HOME");
    if (!str_empty(xdg))
        return xasprintf("%s/hubtui/state.json", xdg);
    const char *home = getenv("HOME");
    return xasprintf("%s/.local/state/hubtui/state.json", str_empty(home) ? "." : home);
}

uistate *uistate_load(const char *path)
{
    uistate *s = xcalloc(1, sizeof *s);
    s->path = xstrdup(path);
    json_error_t je;
    s->root = json_load_file(path, 0, &je);
    if (!json_is_object(s->root)) {
        json_decref(s->root);
        s->root = json_object();
    }
    return s;
}

static ht_status make_dirs(const char *path, ht_error *err)
{
    char *dir = xstrdup(path);
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
            ht_error_set(err, HT_IO, "cannot create %s: %s", dir, strerror(errno));
            free(dir);
            return HT_IO;
        }
        *p = '/';
    }
    free(dir);
    return HT_OK;
}

ht_status uistate_save(uistate *s, ht_error *err)
{
    if (make_dirs(s->path, err) != HT_OK)
        return HT_IO;
    char *tmp = xasprintf("%s.%ld.tmp", s->path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    char *text = fd >= 0 ? json_dumps(s->root, JSON_INDENT(1) | JSON_SORT_KEYS) : NULL;
    bool ok = text && write(fd, text, strlen(text)) == (ssize_t)strlen(text);
    int saved = errno;
    if (fd >= 0 && close(fd) < 0)
        ok = false;
    if (ok && rename(tmp, s->path) < 0) {
        saved = errno;
        ok = false;
    }
    free(text);
    if (!ok) {
        unlink(tmp);
        ht_error_set(err, HT_IO, "cannot write %s: %s", s->path, strerror(saved));
    }
    free(tmp);
    return ok ? HT_OK : HT_IO;
}

void uistate_free(uistate *s)
{
    if (!s)
        return;
    json_decref(s->root);
    free(s->path);
    free(s);
}

/* root.portals[portal] (created when create). */
static json_t *portal_obj(uistate *s, const char *portal, bool create)
{
    json_t *portals = json_object_get(s->root, "portals");
    if (!json_is_object(portals)) {
        if (!create)
            return NULL;
        portals = json_object();
        json_object_set_new(s->root, "portals", portals);
    }
    const char *key = str_empty(portal) ? "default" : portal;
    json_t *p = json_object_get(portals, key);
    if (!json_is_object(p)) {
        if (!create)
            return NULL;
        p = json_object();
        json_object_set_new(portals, key, p);
    }
    return p;
}

const char *uistate_last_object(uistate *s, const char *portal)
{
    json_t *p = portal_obj(s, portal, false);
    return p ? json_string_value(json_object_get(p, "last_object")) : NULL;
}

void uistate_set_last_object(uistate *s, const char *portal, const char *object)
{
    json_object_set_new(portal_obj(s, portal, true), "last_object", json_string(object));
}

static char *get_str(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return str_empty(v) ? NULL : xstrdup(v);
}

static int64_t get_int(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_integer(v) && json_integer_value(v) >= 0 ? json_integer_value(v) : 0;
}

static void read_anchor(json_t *a, query_cursor *c)
{
    memset(c, 0, sizeof *c);
    if (!json_is_object(a) || !json_is_integer(json_object_get(a, "id")))
        return;
    c->valid = true;
    c->id = json_integer_value(json_object_get(a, "id"));
    c->key_type = (int)json_integer_value(json_object_get(a, "type"));
    c->key_i = json_integer_value(json_object_get(a, "i"));
    c->key_d = json_real_value(json_object_get(a, "d"));
    c->key_t = get_str(a, "t");
}

static json_t *write_anchor(const query_cursor *c)
{
    json_t *a = json_object();
    json_object_set_new(a, "id", json_integer(c->id));
    json_object_set_new(a, "type", json_integer(c->key_type));
    json_object_set_new(a, "i", json_integer(c->key_i));
    json_object_set_new(a, "d", json_real(c->key_d));
    if (c->key_t)
        json_object_set_new(a, "t", json_string(c->key_t));
    return a;
}

bool uistate_get_list(uistate *s, const char *portal, const char *object, list_state *out)
{
    memset(out, 0, sizeof *out);
    json_t *p = portal_obj(s, portal, false);
    json_t *l = p ? json_object_get(json_object_get(p, "lists"), object) : NULL;
    if (!json_is_object(l))
        return false;
    out->filter = get_str(l, "filter");
    out->has_sort = json_is_true(json_object_get(l, "has_sort"));
    out->sort = get_str(l, "sort");
    out->desc = json_is_true(json_object_get(l, "desc"));
    json_t *cols = json_object_get(l, "columns");
    if (json_is_array(cols) && json_array_size(cols) > 0) {
        out->columns = xcalloc(json_array_size(cols) + 1, sizeof *out->columns);
        size_t i;
        json_t *c;
        json_array_foreach(cols, i, c) {
            if (json_is_string(c) && json_string_length(c) > 0)
                out->columns[out->ncolumns++] = xstrdup(json_string_value(c));
        }
    }
    out->top = get_int(l, "top");
    out->cursor = get_int(l, "cursor");
    read_anchor(json_object_get(l, "anchor"), &out->anchor);
    return true;
}

void uistate_put_list(uistate *s, const char *portal, const char *object, const list_state *ls)
{
    json_t *p = portal_obj(s, portal, true);
    json_t *lists = json_object_get(p, "lists");
    if (!json_is_object(lists)) {
        lists = json_object();
        json_object_set_new(p, "lists", lists);
    }
    json_t *l = json_object();
    if (ls->filter)
        json_object_set_new(l, "filter", json_string(ls->filter));
    json_object_set_new(l, "has_sort", json_boolean(ls->has_sort));
    if (ls->sort)
        json_object_set_new(l, "sort", json_string(ls->sort));
    json_object_set_new(l, "desc", json_boolean(ls->desc));
    if (ls->ncolumns) {
        json_t *cols = json_array();
        for (size_t i = 0; i < ls->ncolumns; i++)
            json_array_append_new(cols, json_string(ls->columns[i]));
        json_object_set_new(l, "columns", cols);
    }
    json_object_set_new(l, "top", json_integer(ls->top));
    json_object_set_new(l, "cursor", json_integer(ls->cursor));
    if (ls->anchor.valid)
        json_object_set_new(l, "anchor", write_anchor(&ls->anchor));
    json_object_set_new(lists, object, l);
}

void list_state_clear(list_state *ls)
{
    free(ls->filter);
    free(ls->sort);
    for (size_t i = 0; i < ls->ncolumns; i++)
        free(ls->columns[i]);
    free(ls->columns);
    query_cursor_clear(&ls->anchor);
    memset(ls, 0, sizeof *ls);
}

void list_state_copy(list_state *dst, const list_state *src)
{
    *dst = *src;
    dst->filter = src->filter ? xstrdup(src->filter) : NULL;
    dst->sort = src->sort ? xstrdup(src->sort) : NULL;
    dst->columns = NULL;
    if (src->ncolumns) {
        dst->columns = xcalloc(src->ncolumns + 1, sizeof *dst->columns);
        for (size_t i = 0; i < src->ncolumns; i++)
            dst->columns[i] = xstrdup(src->columns[i]);
    }
    query_cursor_copy(&dst->anchor, &src->anchor);
}

bool uistate_get_flag(uistate *s, const char *portal, const char *key, bool def)
{
    json_t *p = portal_obj(s, portal, false);
    json_t *v = p ? json_object_get(p, key) : NULL;
    return json_is_boolean(v) ? json_is_true(v) : def;
}

void uistate_set_flag(uistate *s, const char *portal, const char *key, bool on)
{
    json_object_set_new(portal_obj(s, portal, true), key, json_boolean(on));
}

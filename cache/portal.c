#include "portal.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

ht_status portal_open(const portal_options *opt, portal_session **out, ht_error *err)
{
    portal_options none = {0};
    if (!opt)
        opt = &none;
    *out = NULL;
    portal_session *ps = xcalloc(1, sizeof *ps);
    ht_status st = HT_OK;
    if (opt->config_text)
        config_parse_string(opt->config_text, "(built-in)", &ps->cfg);
    else
        st = config_load(opt->config_path, &ps->cfg, err);
    if (st != HT_OK)
        goto fail;
    ps->conf = config_find_portal(&ps->cfg, opt->portal, err);
    if (!ps->conf) {
        st = err ? err->status : HT_NOT_FOUND;
        goto fail;
    }
    ps->name = xstrdup(ps->conf->name);
    ps->offline = opt->offline;
    ps->readonly = opt->readonly || ps->conf->readonly;
    if (opt->token)
        ps->token = xstrdup(opt->token);
    store_options so = {.dir = opt->cache_dir};
    st = store_open(ps->name, &so, &ps->st, err);
    if (st != HT_OK)
        goto fail;
    *out = ps;
    return HT_OK;
fail:
    portal_close(ps);
    return st;
}

ht_status portal_connect(portal_session *ps, ht_error *err)
{
    if (ps->client)
        return HT_OK;
    if (ps->offline)
        return ht_error_set(err, HT_UNSUPPORTED, "working offline (portal %s)", ps->name);
    ht_error_clear(&ps->connect_err);
    ps->client = hs_client_open(&ps->cfg, ps->name, ps->token, &ps->connect_err);
    if (!ps->client) {
        ht_error_copy(err, &ps->connect_err);
        return ps->connect_err.status != HT_OK ? ps->connect_err.status : HT_AUTH;
    }
    return HT_OK;
}

bool portal_online(const portal_session *ps)
{
    return ps && ps->client;
}

void portal_go_offline(portal_session *ps)
{
    if (ps->client) {
        hs_client_free(ps->client);
        ps->client = NULL;
    }
    ps->offline = true;
}

void portal_close(portal_session *ps)
{
    if (!ps)
        return;
    if (ps->client)
        hs_client_free(ps->client);
    store_close(ps->st);
    config_free(&ps->cfg);
    free(ps->name);
    str_free_secret(ps->token);
    free(ps);
}

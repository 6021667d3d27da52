/* shipper/reload.c: SIGHUP: the sinks' secrets read again (reload.h).
 *
 * Threads: the main (event loop) thread loads the file; nothing of the
 * running config changes here. Each delivery thread gets its own copy of the
 * new credentials through deliver_reauth, so the new config can be freed at
 * once. A file that no longer loads changes nothing: the running
 * credentials stay, and the errors are logged as `sluice check` would print
 * them (never a secret's value). */
#include <string.h>

#include "common/log.h"
#include "shipper/reload.h"
#include "sinks/sink.h"

static const struct cfg_sink *find_sink(const struct sl_config *c, const char *name)
{
    for (size_t i = 0; i < c->nsinks; i++)
        if (strcmp(c->sinks[i].name, name) == 0)
            return &c->sinks[i];
    return NULL;
}

size_t reload_secrets(const char *path, const struct cfg_sink *sinks, struct deliver *const *dl,
                      size_t n)
{
    struct sl_config *fresh = NULL;
    struct cfg_problems pr = { 0 };
    size_t done = 0;

    if (!path) {
        SL_WARN("reload", "SIGHUP: no config file (the embedded default): no secret to read "
                "again");
        return 0;
    }
    if (config_load_file(&fresh, path, &pr)) {
        for (size_t i = 0; i < pr.errors.n; i++)
            SL_ERROR("reload", "%s", pr.errors.v[i]);
        SL_ERROR("reload", "SIGHUP: %s does not load (errors=%zu): the running credentials "
                 "stay; fix it and send SIGHUP again", path, pr.errors.n + pr.dropped_errors);
        goto done;
    }
    for (size_t i = 0; i < pr.warnings.n; i++)
        SL_WARN("reload", "%s", pr.warnings.v[i]);
    for (size_t i = 0; i < n; i++) {
        const struct cfg_sink *s = &sinks[i], *now;
        struct sink_cred c;

        if (!s->type->creds || !dl[i])
            continue;
        now = find_sink(fresh, s->name);
        if (!now || now->type != s->type) {
            SL_WARN("reload", "SIGHUP: sink %s is no longer in %s as a %s sink: its "
                    "credentials stay (a restart applies the new config)", s->name, path,
                    s->type->name);
            continue;
        }
        s->type->creds(now->conf, &c);
        if (deliver_reauth(dl[i], &c) == 0)
            done++;
    }
    SL_INFO("reload", "SIGHUP: secrets read again from %s for sinks=%zu (SIGHUP reloads secrets "
            "only; other changes need a restart)", path, done);
done:
    config_free(fresh);
    cfg_problems_free(&pr);
    return done;
}

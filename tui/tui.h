/* tui.h — the entry point of the interactive browser.
 *
 * cli_main calls tui_run when hubtui is started with no subcommand. It
 * owns the terminal until the user quits, then restores it. */
#ifndef HUBTUI_TUI_H
#define HUBTUI_TUI_H

#include <stdbool.h>

#include "app.h"

typedef struct tui_options {
    const char *portal;  /* --portal NAME (shown in the status bar) */
    bool readonly;       /* --readonly */
    bool offline;        /* --offline */
    const char *theme;   /* NULL: [ui] theme from the config, else "default" */
    const char *config;  /* NULL: $XDG_CONFIG_HOME/hubtui/config */
    const char *cache_dir; /* NULL: $XDG_CACHE_HOME/hubtui */
    const char *config_text; /* portals from this text, not the config file (the demo) */
    const char *token;   /* the portal's token, instead of the usual sources */
    app_wait_fn wait;    /* NULL: poll(2); api/ passes its own */
    void *wait_ctx;
} tui_options;

/* The path of the user's config file ($XDG_CONFIG_HOME/hubtui/config, or
 * ~/.config/hubtui/config). Caller frees. */
char *tui_config_path(void);

/* Run the browser until the user quits. Returns the process exit status
 * (0 after q; 128+N after signal N; 1 with a message on stderr when the
 * terminal cannot be used). */
int tui_run(const tui_options *opts);

#endif

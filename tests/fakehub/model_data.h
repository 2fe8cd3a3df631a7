/* model_data.h — static tables behind model.c (types, properties, pipelines). */
#ifndef FAKEHUB_MODEL_DATA_H
#define FAKEHUB_MODEL_DATA_H

#include "model.h"

enum {
    F_RO = 1 << 0,        /* read-only value */
    F_CALC = 1 << 1,      /* calculated */
    F_UNIQUE = 1 << 2,    /* hasUniqueValue */
    F_QUERY = 1 << 3,     /* searched by `query` */
    F_DEF = 1 << 4,       /* a default property of reads */
    F_CUSTOM = 1 << 5,    /* defined by the portal, not HubSpot */
    F_MULTI = 1 << 6,     /* multi-checkbox */
    F_OWNER = 1 << 7,     /* options are the owners */
    F_PIPELINE = 1 << 8,  /* options are the pipelines */
    F_STAGE = 1 << 9,     /* options are every pipeline's stages */
    F_REQ = 1 << 10,      /* required on create */
};

typedef struct prop_spec {
    const char *name, *label, *type, *field_type, *group;
    unsigned    flags;
    const char *options;  /* "value=Label|value=Label" */
} prop_spec;

typedef struct type_spec {
    const char *name, *type_id, *singular, *label_singular, *label_plural;
    const char *scope, *schema_scope, *primary_display;
    bool mergeable, engagement;
    const prop_spec *props;
    const char *groups;   /* "name=Label|name=Label" */
} type_spec;

extern const type_spec fh_builtin_types[T_BUILTIN_COUNT];
extern const fh_pipeline fh_pipelines[];
extern const int fh_n_pipelines;

#endif

/* names.h — word pools for generated data: each entry has how it is
 * written and an ASCII form for e-mail addresses and domains. */
#ifndef FAKEHUB_NAMES_H
#define FAKEHUB_NAMES_H

#include <stddef.h>

typedef struct fh_word {
    const char *text;    /* as written: "Zoë", "佐藤" */
    const char *ascii;   /* for addresses: "zoe", "sato" */
} fh_word;

/* People's names by culture; a person takes both parts from one culture. */
typedef struct fh_culture {
    const fh_word *first, *last;
    size_t         n_first, n_last;
    const char    *country;
    const char    *const *cities;
    size_t         n_cities;
    const char    *phone_prefix;
} fh_culture;

extern const fh_culture fh_cultures[];
extern const size_t fh_n_cultures;

extern const fh_word fh_company_adjectives[];
extern const size_t fh_n_company_adjectives;
extern const fh_word fh_company_nouns[];
extern const size_t fh_n_company_nouns;
extern const char *const fh_company_suffixes[];
extern const size_t fh_n_company_suffixes;
extern const char *const fh_tlds[];
extern const size_t fh_n_tlds;
extern const char *const fh_free_mail[];
extern const size_t fh_n_free_mail;
extern const char *const fh_job_titles[];
extern const size_t fh_n_job_titles;
extern const char *const fh_deal_kinds[];
extern const size_t fh_n_deal_kinds;
extern const char *const fh_ticket_subjects[];
extern const size_t fh_n_ticket_subjects;
extern const char *const fh_note_bodies[];
extern const size_t fh_n_note_bodies;
extern const char *const fh_task_subjects[];
extern const size_t fh_n_task_subjects;
extern const char *const fh_call_titles[];
extern const size_t fh_n_call_titles;
extern const char *const fh_meeting_titles[];
extern const size_t fh_n_meeting_titles;
extern const char *const fh_meeting_locations[];
extern const size_t fh_n_meeting_locations;
extern const char *const fh_email_subjects[];
extern const size_t fh_n_email_subjects;
extern const char *const fh_email_texts[];
extern const size_t fh_n_email_texts;

typedef struct fh_product_spec {
    const char *name, *description, *sku, *price, *frequency;
} fh_product_spec;
extern const fh_product_spec fh_products[];
extern const size_t fh_n_products;

typedef struct fh_vehicle_model {
    const char *make, *model;
} fh_vehicle_model;
extern const fh_vehicle_model fh_vehicle_models[];
extern const size_t fh_n_vehicle_models;

#endif

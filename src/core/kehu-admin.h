/* kehu-admin.h: small store helpers behind the detail page, tasks and settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "kehu-record.h"
#include "kehu-schema.h"
#include "kehu-store.h"

G_BEGIN_DECLS

#define KEHU_ADMIN_ERROR (kehu_admin_error_quark ())

typedef enum
{
  KEHU_ADMIN_ERROR_INVALID,
  KEHU_ADMIN_ERROR_NOT_FOUND,
  KEHU_ADMIN_ERROR_IO,
} KehuAdminError;

typedef enum
{
  KEHU_TASK_GROUP_INBOX,   /* no due date */
  KEHU_TASK_GROUP_TODAY,   /* due today or overdue */
  KEHU_TASK_GROUP_NEXT,    /* within the next 7 days */
  KEHU_TASK_GROUP_LATER,
} KehuTaskGroup;

/* How long before a next-contact time its schedule entry reminds. */
#define KEHU_ADMIN_REMIND_MINUTES 15

GQuark         kehu_admin_error_quark           (void);
const char    *kehu_admin_error_get_field       (const GError       *error);

char          *kehu_admin_format_time           (GDateTime          *time);
GDateTime     *kehu_admin_parse_time            (const char         *text);

JsonArray     *kehu_admin_query                 (KehuStore          *store,
                                                 GError            **error,
                                                 const char         *sql,
                                                 ...) G_GNUC_NULL_TERMINATED;
JsonObject    *kehu_admin_query_one             (KehuStore          *store,
                                                 GError            **error,
                                                 const char         *sql,
                                                 ...) G_GNUC_NULL_TERMINATED;
const char    *kehu_admin_table_title_column    (const char         *table);
JsonObject    *kehu_admin_load_row              (KehuStore          *store,
                                                 const char         *table,
                                                 const char         *id,
                                                 GError            **error);

/* Follow-ups */
gboolean       kehu_admin_add_followup          (KehuContext        *ctx,
                                                 const char         *module,
                                                 const char         *record_id,
                                                 const char         *method,
                                                 const char         *content,
                                                 GDateTime          *followed_at,
                                                 GDateTime          *next_contact_at,
                                                 char              **out_id,
                                                 GError            **error);
JsonArray     *kehu_admin_list_timeline         (KehuStore          *store,
                                                 const char         *module,
                                                 const char         *record_id,
                                                 GError            **error);

/* Reminders: the schedules whose remind_at has passed and that have not
 * reminded yet; each is marked reminded_at = @now in the same transaction,
 * so every reminder fires once. */
JsonArray     *kehu_admin_take_due_reminders    (KehuStore          *store,
                                                 const char         *owner_id,
                                                 GDateTime          *now,
                                                 GError            **error);

/* Tasks */
KehuTaskGroup  kehu_task_group_for_due          (const char         *due_at,
                                                 GDateTime          *now,
                                                 GTimeZone          *tz,
                                                 gboolean           *overdue);
char          *kehu_admin_create_task           (KehuContext        *ctx,
                                                 const char         *parent_id,
                                                 const char         *name,
                                                 const char         *description,
                                                 const char         *due_at,
                                                 const char         *priority,
                                                 GError            **error);
gboolean       kehu_admin_update_task           (KehuContext        *ctx,
                                                 const char         *task_id,
                                                 const char         *name,
                                                 const char         *description,
                                                 const char         *due_at,
                                                 const char         *priority,
                                                 const char * const *tags,
                                                 GError            **error);
gboolean       kehu_admin_set_task_done         (KehuContext        *ctx,
                                                 const char         *task_id,
                                                 gboolean            done,
                                                 GError            **error);
gboolean       kehu_admin_add_task_comment      (KehuStore          *store,
                                                 const char         *task_id,
                                                 const char         *user_id,
                                                 const char         *content,
                                                 GDateTime          *now,
                                                 GError            **error);
gboolean       kehu_admin_set_task_link         (KehuStore          *store,
                                                 const char         *task_id,
                                                 const char         *module,
                                                 const char         *record_id,
                                                 gboolean            linked,
                                                 GError            **error);
gboolean       kehu_admin_set_task_participant  (KehuStore          *store,
                                                 const char         *task_id,
                                                 const char         *user_id,
                                                 gboolean            participates,
                                                 GError            **error);


/* Attachments: content-addressed blobs under @blobs_dir/<sha256> */
char          *kehu_admin_add_attachment        (KehuContext        *ctx,
                                                 const char         *blobs_dir,
                                                 const char         *module,
                                                 const char         *record_id,
                                                 GFile              *file,
                                                 GError            **error);
GFile         *kehu_admin_export_attachment     (KehuStore          *store,
                                                 const char         *blobs_dir,
                                                 const char         *attachment_id,
                                                 const char         *dest_dir,
                                                 GError            **error);

/* Roles */
gboolean       kehu_admin_set_role              (KehuContext        *ctx,
                                                 const char         *role_id,
                                                 const char * const *permissions,
                                                 const char         *data_scope,
                                                 GError            **error);

/* The recycle bin: deleted records of every module, newest first. */
JsonArray     *kehu_admin_list_deleted          (KehuStore          *store,
                                                 GError            **error);


/* Settings: users with several roles */
gboolean       kehu_admin_set_user_roles        (KehuStore          *store,
                                                 const char         *user_id,
                                                 const char * const *role_ids,
                                                 GError            **error);
gboolean       kehu_admin_change_user_roles     (KehuContext        *ctx,
                                                 const char         *user_id,
                                                 const char * const *role_ids,
                                                 GError            **error);
char         **kehu_admin_dup_user_role_ids     (KehuStore          *store,
                                                 const char         *user_id,
                                                 GError            **error);

/* Settings: stage groups and their stages */
char          *kehu_admin_add_stage_group       (KehuContext        *ctx,
                                                 const char         *name,
                                                 GError            **error);
gboolean       kehu_admin_ensure_terminal_stages (KehuStore         *store,
                                                 const char         *group_id,
                                                 GError            **error);
gboolean       kehu_admin_save_stage            (KehuStore          *store,
                                                 const char         *stage_id,
                                                 const char         *name,
                                                 int                 win_rate,
                                                 GError            **error);
gboolean       kehu_admin_move_stage            (KehuStore          *store,
                                                 const char         *stage_id,
                                                 int                 delta,
                                                 GError            **error);
char          *kehu_admin_add_stage             (KehuStore          *store,
                                                 const char         *group_id,
                                                 const char         *name,
                                                 int                 win_rate,
                                                 GError            **error);
gboolean       kehu_admin_remove_stage          (KehuStore          *store,
                                                 const char         *stage_id,
                                                 GError            **error);

/* Settings: custom fields and dictionaries */
gboolean       kehu_admin_update_custom_field   (KehuStore          *store,
                                                 const char         *field_id,
                                                 const char         *label,
                                                 int                 required,
                                                 int                 in_list,
                                                 int                 enabled,
                                                 GError            **error);
gboolean       kehu_admin_move_custom_field     (KehuStore          *store,
                                                 const char         *field_id,
                                                 int                 delta,
                                                 GError            **error);
char          *kehu_admin_add_dictionary        (KehuStore          *store,
                                                 const char         *name,
                                                 GError            **error);
gboolean       kehu_admin_rename_dictionary     (KehuStore          *store,
                                                 const char         *dictionary_id,
                                                 const char         *name,
                                                 GError            **error);
gboolean       kehu_admin_save_dictionary_item  (KehuStore          *store,
                                                 const char         *item_id,
                                                 const char         *label,
                                                 gboolean            enabled,
                                                 GError            **error);
gboolean       kehu_admin_move_dictionary_item  (KehuStore          *store,
                                                 const char         *item_id,
                                                 int                 delta,
                                                 GError            **error);
char          *kehu_admin_add_dictionary_item   (KehuStore          *store,
                                                 const char         *dictionary_id,
                                                 const char         *label,
                                                 GError            **error);

/* Settings: pools */
gboolean       kehu_admin_set_pool_rule         (KehuStore          *store,
                                                 const char         *pool_id,
                                                 const char         *customer_level,
                                                 int                 no_followup_days,
                                                 int                 no_deal_days,
                                                 GError            **error);
gboolean       kehu_admin_set_claim_limit       (KehuStore          *store,
                                                 const char         *pool_id,
                                                 const char         *role_id,
                                                 int                 per_day,
                                                 int                 per_week,
                                                 int                 per_month,
                                                 GError            **error);

/* A cache takes the server's answer to a settings change. */
gboolean       kehu_admin_put_row               (KehuStore          *store,
                                                 const char         *table,
                                                 JsonObject         *row,
                                                 GError            **error);
gboolean       kehu_admin_drop_row              (KehuStore          *store,
                                                 const char         *table,
                                                 const char         *id,
                                                 GError            **error);
gboolean       kehu_admin_put_pool_list         (KehuStore          *store,
                                                 const char         *table,
                                                 const char         *pool_id,
                                                 JsonArray          *items,
                                                 GError            **error);

/* Display helpers */
int            kehu_admin_dwell_days            (const char         *since,
                                                 GDateTime          *now);

G_END_DECLS

/* kehu-admin.h: small store helpers behind the detail page, tasks and settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

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

gboolean       kehu_admin_append_outbox         (KehuStore          *store,
                                                 const char         *module,
                                                 const char         *record_id,
                                                 const char         *kind,
                                                 JsonObject         *fields,
                                                 const char         *now,
                                                 GError            **error);

/* Follow-ups */
gboolean       kehu_admin_add_followup          (KehuStore          *store,
                                                 const char         *user_id,
                                                 const char         *module,
                                                 const char         *record_id,
                                                 const char         *method,
                                                 const char         *content,
                                                 GDateTime          *followed_at,
                                                 GDateTime          *next_contact_at,
                                                 GDateTime          *now,
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
char          *kehu_admin_create_task           (KehuStore          *store,
                                                 const char         *user_id,
                                                 const char         *parent_id,
                                                 const char         *name,
                                                 const char         *description,
                                                 const char         *due_at,
                                                 const char         *priority,
                                                 GDateTime          *now,
                                                 GError            **error);
gboolean       kehu_admin_update_task           (KehuStore          *store,
                                                 const char         *task_id,
                                                 const char         *name,
                                                 const char         *description,
                                                 const char         *due_at,
                                                 const char         *priority,
                                                 const char         *tags_json,
                                                 GDateTime          *now,
                                                 GError            **error);
gboolean       kehu_admin_set_task_done         (KehuStore          *store,
                                                 const char         *task_id,
                                                 gboolean            done,
                                                 GDateTime          *now,
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

/* Team members */
gboolean       kehu_admin_set_team_member       (KehuStore          *store,
                                                 const char         *module,
                                                 const char         *record_id,
                                                 const char         *user_id,
                                                 const char         *access,
                                                 const char         *added_by,
                                                 GDateTime          *now,
                                                 GError            **error);

/* Attachments: content-addressed blobs under @blobs_dir/<sha256> */
char          *kehu_admin_add_attachment        (KehuStore          *store,
                                                 const char         *blobs_dir,
                                                 const char         *module,
                                                 const char         *record_id,
                                                 GFile              *file,
                                                 const char         *user_id,
                                                 GDateTime          *now,
                                                 GError            **error);
GFile         *kehu_admin_export_attachment     (KehuStore          *store,
                                                 const char         *blobs_dir,
                                                 const char         *attachment_id,
                                                 const char         *dest_dir,
                                                 GError            **error);

/* Roles */
gboolean       kehu_admin_set_role              (KehuStore          *store,
                                                 const char         *role_id,
                                                 const char * const *permissions,
                                                 const char         *data_scope,
                                                 const char         *user_id,
                                                 GDateTime          *now,
                                                 GError            **error);

/* The recycle bin: deleted records of every module, newest first. */
JsonArray     *kehu_admin_list_deleted          (KehuStore          *store,
                                                 GError            **error);


/* Record writes the detail page needs. They follow the record rules of
 * SPEC.md (operation log per field, soft delete, restore needs its parent,
 * stage history with dwell days) and are meant to move onto kehu-record once
 * that lands. */


gboolean       kehu_admin_update_field          (KehuSchema         *schema,
                                                 const char         *module,
                                                 const char         *record_id,
                                                 const char         *field,
                                                 const char         *value,
                                                 const char         *user_id,
                                                 GDateTime          *now,
                                                 GError            **error);
gboolean       kehu_admin_delete_record         (KehuStore          *store,
                                                 const char         *module,
                                                 const char         *record_id,
                                                 const char         *user_id,
                                                 GDateTime          *now,
                                                 GError            **error);
gboolean       kehu_admin_restore_record        (KehuStore          *store,
                                                 const char         *module,
                                                 const char         *record_id,
                                                 const char         *user_id,
                                                 GDateTime          *now,
                                                 GError            **error);
gboolean       kehu_admin_purge_record          (KehuStore          *store,
                                                 const char         *module,
                                                 const char         *record_id,
                                                 const char         *user_id,
                                                 GDateTime          *now,
                                                 GError            **error);
gboolean       kehu_admin_transfer_record       (KehuStore          *store,
                                                 const char         *module,
                                                 const char         *record_id,
                                                 const char         *new_owner_id,
                                                 const char         *user_id,
                                                 GDateTime          *now,
                                                 GError            **error);
gboolean       kehu_admin_set_locked            (KehuStore          *store,
                                                 const char         *customer_id,
                                                 gboolean            locked,
                                                 const char         *user_id,
                                                 GDateTime          *now,
                                                 GError            **error);
char          *kehu_admin_convert_lead          (KehuStore          *store,
                                                 const char         *lead_id,
                                                 const char         *user_id,
                                                 GDateTime          *now,
                                                 GError            **error);
gboolean       kehu_admin_change_stage          (KehuStore          *store,
                                                 const char         *opportunity_id,
                                                 const char         *stage_id,
                                                 const char         *reason,
                                                 const char         *user_id,
                                                 GDateTime          *now,
                                                 GError            **error);
int            kehu_admin_dwell_days            (const char         *since,
                                                 GDateTime          *now);

G_END_DECLS

/* kehu-settings-view.c: settings and administration
 *
 * Departments, users, roles with their permission matrix and data scope,
 * opportunity stages, public pools with their rules and limits, custom
 * fields, dictionaries, and the recycle bin (SPEC.md §5, §10, §13). Records
 * are written through core's record API; the parts of records that are
 * plain tables (stages, dictionary items, pool rules) through kehu-admin.
 *
 * Only a super administrator, or a user whose role may edit roles, gets
 * here; a local store without accounts is its own super administrator.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-app"

#include "config.h"

#include <glib/gi18n.h>

#include "kehu-application.h"
#include "kehu-display.h"
#include "kehu-approval-flow-editor.h"
#include "kehu-pages.h"
#include "kehu-record-list-view.h"
#include "kehu-settings-view.h"
#include "kehu-sync-client.h"

#include <string.h>

typedef enum
{
  SETTINGS_MODE_LOCAL,     /* a local store: written here */
  SETTINGS_MODE_ONLINE,    /* a server's cache, the server answers */
  SETTINGS_MODE_OFFLINE,   /* a server's cache without the server: read-only */
} SettingsMode;

struct _KehuSettingsView
{
  GtkWidget     parent_instance;

  KehuStore    *store;
  KehuSchema   *schema;
  char         *user_id;
  char         *section;
  GtkWidget    *dialog;
  gboolean      is_admin;

  /* selections kept across reloads */
  char         *role_id;
  char         *stage_group_id;
  char         *pool_id;
  char         *custom_module;
  char         *dictionary_id;
  char         *flow_id;

  GtkWidget    *outer_stack;
  AdwLeaflet   *leaflet;
  GtkListBox   *section_list;
  GtkStack     *section_stack;
  GtkWidget    *banner;
  GtkWidget    *banner_label;
  GtkWidget    *banner_spinner;

  KehuSyncClient *client;
  SettingsMode  mode;
  gboolean      busy;        /* a change is on its way to the server */
};

G_DEFINE_FINAL_TYPE (KehuSettingsView, kehu_settings_view, GTK_TYPE_WIDGET)

typedef GtkWidget *(*SectionBuilder) (KehuSettingsView *self);

/* A change on a local store; @body is what the server's route would get. */
typedef gboolean (*LocalWrite) (KehuSettingsView  *self,
                                const char        *id,
                                JsonObject        *body,
                                GError           **error);

static void update_mode          (KehuSettingsView *self);
static void refresh_record_pages (KehuSettingsView *self);

static GtkWidget *build_departments (KehuSettingsView *self);
static GtkWidget *build_users       (KehuSettingsView *self);
static GtkWidget *build_roles       (KehuSettingsView *self);
static GtkWidget *build_stages      (KehuSettingsView *self);
static GtkWidget *build_pools       (KehuSettingsView *self);
static GtkWidget *build_fields      (KehuSettingsView *self);
static GtkWidget *build_dictionaries (KehuSettingsView *self);
static GtkWidget *build_approval_flows (KehuSettingsView *self);
static GtkWidget *build_recycle_bin (KehuSettingsView *self);

static const struct {
  const char     *name;
  const char     *title;
  const char     *icon;
  SectionBuilder  build;
} sections[] = {
  { "departments", N_("Departments"), "system-users-symbolic", build_departments },
  { "users", N_("Users"), "avatar-default-symbolic", build_users },
  { "roles", N_("Roles"), "dialog-password-symbolic", build_roles },
  { "stages", N_("Opportunity Stages"), "starred-symbolic", build_stages },
  { "pools", N_("Public Pools"), "emblem-shared-symbolic", build_pools },
  { "fields", N_("Custom Fields"), "document-properties-symbolic", build_fields },
  { "dictionaries", N_("Dictionaries"), "view-list-symbolic", build_dictionaries },
  { "approval-flows", N_("Approval Flows"), "emblem-default-symbolic", build_approval_flows },
  { "recycle-bin", N_("Recycle Bin"), "user-trash-symbolic", build_recycle_bin },
};

/* Permission matrix: modules (permission keys) × actions. */
static const struct {
  const char *key;
  const char *label;
} perm_modules[] = {
  { "lead", N_("Leads") },
  { "customer", N_("Customers") },
  { "contact", N_("Contacts") },
  { "opportunity", N_("Opportunities") },
  { "contract", N_("Contracts") },
  { "payment_plan", N_("Payment Plans") },
  { "payment", N_("Payments") },
  { "invoice", N_("Invoices") },
  { "product", N_("Products") },
  { "followup", N_("Follow-ups") },
  { "task", N_("Tasks") },
  { "attachment", N_("Attachments") },
};
static const struct {
  const char *key;
  const char *label;
} perm_actions[] = {
  { "create", N_("Create") },
  { "read", N_("Read") },
  { "edit", N_("Edit") },
  { "delete", N_("Delete") },
  { "import", N_("Import") },
  { "export", N_("Export") },
  { "transfer", N_("Transfer") },
};
static const struct {
  const char *key;
  const char *label;
} perm_special[] = {
  { "customer.claim", N_("Claim customers from the public pool") },
  { "customer.assign", N_("Assign customers from the public pool") },
  { "customer.lock", N_("Lock and unlock customers") },
  { "lead.convert", N_("Convert leads") },
  { "contract.approve", N_("Approve contracts") },
  { "payment.approve", N_("Approve payments") },
  { "invoice.approve", N_("Approve invoices") },
  { "report.read", N_("See reports") },
  { "recycle.restore", N_("Restore from the recycle bin") },
  { "recycle.purge", N_("Purge the recycle bin") },
};
static const char * const data_scopes[] = {
  "self", "self_and_subordinates", "department", "department_and_children", "all", NULL
};

/* Helpers ---------------------------------------------------------------------------- */

static KehuContext *
new_context (KehuSettingsView *self)
{
  return kehu_context_new (self->schema, self->user_id);
}

static const char *
str_member (JsonObject *object,
            const char *name)
{
  if (object == NULL || !json_object_has_member (object, name) ||
      json_object_get_null_member (object, name) ||
      json_node_get_value_type (json_object_get_member (object, name)) != G_TYPE_STRING)
    return NULL;
  return json_object_get_string_member (object, name);
}

static gint64
int_member (JsonObject *object,
            const char *name,
            gint64      fallback)
{
  if (object == NULL || !json_object_has_member (object, name) ||
      json_object_get_null_member (object, name))
    return fallback;
  return json_object_get_int_member (object, name);
}

static void
toast (KehuSettingsView *self,
       const char       *message)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  g_debug ("Toast: %s", message);
  /* Kept for the UI tests, which cannot read a toast. */
  g_object_set_data_full (G_OBJECT (self), "kehu-last-message", g_strdup (message), g_free);
  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (message));
}

static void
rebuild (KehuSettingsView *self)
{
  kehu_settings_view_show_section (self, self->section);
}

static gboolean
rebuild_idle_cb (gpointer user_data)
{
  rebuild (KEHU_SETTINGS_VIEW (user_data));
  return G_SOURCE_REMOVE;
}

/* Reports @error, or rebuilds the section and says @done. */
static void
finish (KehuSettingsView *self,
        gboolean          ok,
        GError           *error,
        const char       *done)
{
  if (!ok)
    {
      toast (self, error ? error->message : _("That did not work"));
      return;
    }
  /* From idle: the widget that fired may be one the rebuild replaces. */
  g_idle_add_full (G_PRIORITY_DEFAULT, rebuild_idle_cb, g_object_ref (self), g_object_unref);
  if (done)
    toast (self, done);
}

/* Local or on the server ----------------------------------------------------------------
 *
 * A local store is written here. A server's cache is not: the server owns
 * the settings, so every change goes to its REST route (the same kehu-admin
 * rules), and the server's answer is then written into the cache. Without
 * the server, the sections are read-only.
 */

static gboolean
is_cache (KehuSettingsView *self)
{
  return kehu_sync_store_is_cache (self->store);
}

static SettingsMode
current_mode (KehuSettingsView *self)
{
  if (!is_cache (self))
    return SETTINGS_MODE_LOCAL;
  if (self->client != NULL && kehu_sync_client_can_call (self->client))
    return SETTINGS_MODE_ONLINE;
  return SETTINGS_MODE_OFFLINE;
}

/* The sections whose changes go through the server's routes. */
static gboolean
section_goes_online (const char *section)
{
  static const char * const online[] = {
    "departments", "users", "roles", "stages", "pools", "fields", "dictionaries", "approval-flows",
    "recycle-bin", NULL
  };

  return section != NULL && g_strv_contains (online, section);
}

/* Whether @section may be edited now. */
static gboolean
section_editable (KehuSettingsView *self,
                  const char       *section)
{
  switch (current_mode (self))
    {
    case SETTINGS_MODE_LOCAL:
      return TRUE;
    case SETTINGS_MODE_ONLINE:
      return !self->busy && section_goes_online (section);
    case SETTINGS_MODE_OFFLINE:
    default:
      /* The recycle bin restores through the record API, queued for sync. */
      return g_strcmp0 (section, "recycle-bin") == 0;
    }
}

/* Writes a user's role_ids (not a column) and then the row itself. */
static gboolean
put_answer (KehuSettingsView *self,
            const char       *table,
            JsonObject       *row,
            GError          **error)
{
  if (g_str_equal (table, "users") && json_object_has_member (row, "role_ids") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (row, "role_ids")))
    {
      JsonArray *ids = json_object_get_array_member (row, "role_ids");
      g_autoptr(GPtrArray) role_ids = g_ptr_array_new ();
      const char *user_id = json_object_get_string_member_with_default (row, "id", NULL);

      /* A new user first gets the row, then the roles. */
      if (!kehu_admin_put_row (self->store, table, row, error))
        return FALSE;
      for (guint i = 0; i < json_array_get_length (ids); i++)
        g_ptr_array_add (role_ids, (gpointer) json_array_get_string_element (ids, i));
      g_ptr_array_add (role_ids, NULL);
      if (!kehu_admin_set_user_roles (self->store, user_id, (const char * const *) role_ids->pdata, error))
        return FALSE;
    }
  return kehu_admin_put_row (self->store, table, row, error);
}

/* @answer: one row, or a list {"items":[…]} */
static gboolean
put_answers (KehuSettingsView *self,
             const char       *table,
             JsonNode         *answer,
             GError          **error)
{
  JsonObject *object;

  if (answer == NULL || !JSON_NODE_HOLDS_OBJECT (answer))
    return TRUE;
  object = json_node_get_object (answer);
  if (!kehu_store_begin (self->store, error))
    return FALSE;
  if (json_object_has_member (object, "items") && JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "items")))
    {
      JsonArray *items = json_object_get_array_member (object, "items");

      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          JsonNode *item = json_array_get_element (items, i);

          if (JSON_NODE_HOLDS_OBJECT (item) && !put_answer (self, table, json_node_get_object (item), error))
            goto failed;
        }
    }
  else if (json_object_has_member (object, "id") && !put_answer (self, table, object, error))
    goto failed;
  if (!kehu_store_commit (self->store, error))
    goto failed;
  return TRUE;

failed:
  kehu_store_rollback (self->store);
  return FALSE;
}

/* How an answer that is not one row per id goes into the cache. */
typedef gboolean (*AnswerWrite) (KehuSettingsView  *self,
                                 const char        *table,
                                 const char        *id,
                                 JsonNode          *answer,
                                 GError           **error);

/* One request of a change that takes several (a pool's settings, rules
 * and limits are three routes). "{id}" in @path is the id of the row the
 * change's first answer made. */
typedef struct
{
  char        *method;
  char        *path;
  char        *if_match;
  JsonObject  *body;
  char        *table;
  AnswerWrite  write;
  char        *id;
} Request;

typedef struct
{
  KehuSettingsView *self;
  char             *table;
  char             *refresh;   /* a list route put into table afterwards */
  char             *done;
  char            **select;    /* takes the new row's id (a selection of self) */
  LocalWrite        drop;      /* DELETE: removes the row from the cache too */
  char             *id;
  AnswerWrite       write;     /* NULL: put_answers () into table */
  char             *made_id;   /* the id of the row the first answer made */
  GQueue            next;      /* Requests, each sent once the one before is answered */
} Change;

static void
request_free (Request *request)
{
  g_free (request->method);
  g_free (request->path);
  g_free (request->if_match);
  g_clear_pointer (&request->body, json_object_unref);
  g_free (request->table);
  g_free (request->id);
  g_free (request);
}

static Request *
request_new (const char  *method,
             const char  *path,
             const char  *if_match,
             JsonObject  *body,
             const char  *table,
             AnswerWrite  write,
             const char  *id)
{
  Request *request = g_new0 (Request, 1);

  request->method = g_strdup (method);
  request->path = g_strdup (path);
  request->if_match = g_strdup (if_match);
  request->body = body ? json_object_ref (body) : NULL;
  request->table = g_strdup (table);
  request->write = write;
  request->id = g_strdup (id);
  return request;
}

static void
change_free (Change *change)
{
  g_object_unref (change->self);
  g_free (change->table);
  g_free (change->refresh);
  g_free (change->done);
  g_free (change->id);
  g_free (change->made_id);
  g_queue_clear_full (&change->next, (GDestroyNotify) request_free);
  g_free (change);
}

static void
set_busy (KehuSettingsView *self,
          gboolean          busy)
{
  self->busy = busy;
  update_mode (self);
}

/* The server's refusal in its own words, naming the field. */
static void
report_refusal (KehuSettingsView *self,
                const GError     *error,
                const char       *field)
{
  g_autofree char *message = NULL;

  if (field != NULL && strstr (error->message, field) == NULL)
    message = g_strdup_printf (_("%s (field “%s”)"), error->message, field);
  else
    message = g_strdup (error->message);
  if (g_error_matches (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_NETWORK))
    kehu_sync_client_check (self->client);
  toast (self, message);
}

static void
change_done (Change   *change,
             gboolean  ok,
             GError   *error)
{
  KehuSettingsView *self = change->self;

  set_busy (self, FALSE);
  if (ok && g_strcmp0 (change->table, "custom_fields") == 0)
    refresh_record_pages (self);
  finish (self, ok, error, change->done);
  if (!ok)
    rebuild (self);
}

static void
refresh_read_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Change *change = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *field = NULL;
  g_autoptr(JsonNode) answer = kehu_sync_client_call_finish (KEHU_SYNC_CLIENT (object), result, &field, &error);

  if (answer == NULL)
    {
      set_busy (change->self, FALSE);
      report_refusal (change->self, error, field);
      rebuild (change->self);
    }
  else
    change_done (change, put_answers (change->self, change->table, answer, &error), error);
  change_free (change);
}

static void
change_sent_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Change *change = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *field = NULL;
  g_autoptr(JsonNode) answer = kehu_sync_client_call_finish (KEHU_SYNC_CLIENT (object), result, &field, &error);

  if (answer == NULL)
    {
      set_busy (change->self, FALSE);
      report_refusal (change->self, error, field);
      rebuild (change->self);
      change_free (change);
      return;
    }
  if (!(change->write ? change->write (change->self, change->table, change->id, answer, &error)
                      : put_answers (change->self, change->table, answer, &error)))
    {
      change_done (change, FALSE, error);
      change_free (change);
      return;
    }
  if (change->drop != NULL && !change->drop (change->self, change->id, NULL, &error))
    {
      change_done (change, FALSE, error);
      change_free (change);
      return;
    }
  if (change->made_id == NULL && JSON_NODE_HOLDS_OBJECT (answer) &&
      json_object_get_string_member_with_default (json_node_get_object (answer), "id", NULL) != NULL)
    {
      change->made_id = g_strdup (json_object_get_string_member (json_node_get_object (answer), "id"));
      if (change->select != NULL)
        {
          g_free (*change->select);
          *change->select = g_strdup (change->made_id);
        }
    }
  change->select = NULL;
  if (!g_queue_is_empty (&change->next))
    {
      Request *request = g_queue_pop_head (&change->next);
      g_autofree char *path = NULL;

      if (change->made_id != NULL && strstr (request->path, "{id}") != NULL)
        {
          g_auto(GStrv) parts = g_strsplit (request->path, "{id}", -1);
          path = g_strjoinv (change->made_id, parts);
        }
      else
        path = g_strdup (request->path);
      g_free (change->table);
      change->table = g_strdup (request->table);
      g_free (change->id);
      change->id = g_strdup (request->id);
      change->write = request->write;
      change->drop = NULL;
      kehu_sync_client_call_full_async (change->self->client, request->method, path, request->if_match,
                                        request->body, NULL, change_sent_cb, change);
      request_free (request);
      return;
    }
  if (change->refresh != NULL)
    {
      /* Moves renumber the neighbours too: the whole list again. */
      kehu_sync_client_call_async (change->self->client, "GET", change->refresh, NULL, NULL,
                                   refresh_read_cb, change);
      return;
    }
  change_done (change, TRUE, NULL);
  change_free (change);
}

/* A local change is made here and now; TRUE when it is the server's to
 * make. */
static gboolean
change_goes_online (KehuSettingsView *self,
                    LocalWrite        local,
                    const char       *id,
                    JsonObject       *body,
                    const char       *table,
                    const char       *done)
{
  switch (current_mode (self))
    {
    case SETTINGS_MODE_LOCAL:
      {
        g_autoptr(GError) error = NULL;
        gboolean ok = local (self, id, body, &error);

        if (ok && g_strcmp0 (table, "custom_fields") == 0)
          refresh_record_pages (self);
        finish (self, ok, error, done);
      }
      return FALSE;
    case SETTINGS_MODE_OFFLINE:
      toast (self, _("Settings can be changed only while connected to the server"));
      rebuild (self);
      return FALSE;
    case SETTINGS_MODE_ONLINE:
    default:
      break;
    }

  if (self->busy)
    {
      toast (self, _("The previous change is still being saved on the server"));
      return FALSE;
    }
  return TRUE;
}

/*
 * admin_change:
 * @method, @path, @body: the server's route for the change
 * @table: where the server's answer is kept in the cache
 * @refresh: (nullable): a list route whose items go into @table afterwards
 * @local: the same change on a local store
 *
 * The one way every section changes a setting. @select (nullable) takes
 * the id of a row the server made.
 */
static void
admin_change_select (KehuSettingsView *self,
                     const char       *method,
                     const char       *path,
                     JsonObject       *body,
                     const char       *table,
                     const char       *refresh,
                     LocalWrite        local,
                     const char       *id,
                     const char       *done,
                     char            **select)
{
  Change *change;

  if (!change_goes_online (self, local, id, body, table, done))
    return;
  change = g_new0 (Change, 1);
  change->self = g_object_ref (self);
  change->table = g_strdup (table);
  change->refresh = g_strdup (refresh);
  change->done = g_strdup (done);
  change->select = select;
  change->id = g_strdup (id);
  if (g_str_equal (method, "DELETE"))
    change->drop = local;
  set_busy (self, TRUE);
  kehu_sync_client_call_async (self->client, method, path, body, NULL, change_sent_cb, change);
}

static void
admin_change (KehuSettingsView *self,
              const char       *method,
              const char       *path,
              JsonObject       *body,
              const char       *table,
              const char       *refresh,
              LocalWrite        local,
              const char       *id,
              const char       *done)
{
  admin_change_select (self, method, path, body, table, refresh, local, id, done, NULL);
}

/*
 * admin_change_requests:
 * @requests: (element-type Request): the server's routes for one Save, sent
 *   one after another; the first refusal stops the rest, and what was
 *   answered before it is in the cache (the server's state)
 * @local, @id, @body: the same change on a local store, in one go
 * @select: (nullable): takes the id of the row the first answer made
 */
static void
admin_change_requests (KehuSettingsView *self,
                       GPtrArray        *requests,
                       LocalWrite        local,
                       const char       *id,
                       JsonObject       *body,
                       const char       *done,
                       char            **select)
{
  Request *first;
  Change *change;

  g_return_if_fail (requests->len > 0);

  first = g_ptr_array_index (requests, 0);
  if (!change_goes_online (self, local, id, body, first->table, done))
    return;
  change = g_new0 (Change, 1);
  change->self = g_object_ref (self);
  change->table = g_strdup (first->table);
  change->write = first->write;
  change->id = g_strdup (first->id);
  change->done = g_strdup (done);
  change->select = select;
  if (g_str_equal (first->method, "DELETE"))
    change->drop = local;
  for (guint i = 1; i < requests->len; i++)
    {
      Request *r = g_ptr_array_index (requests, i);

      g_queue_push_tail (&change->next, request_new (r->method, r->path, r->if_match, r->body,
                                                     r->table, r->write, r->id));
    }
  set_busy (self, TRUE);
  kehu_sync_client_call_full_async (self->client, first->method, first->path, first->if_match, first->body,
                                    NULL, change_sent_cb, change);
}

/* The revision of a record in the cache, for If-Match: the server's, as
 * the pull or its last answer wrote it. */
static char *
cached_rev (KehuSettingsView *self,
            const char       *table,
            const char       *id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT rev FROM %s WHERE id = ?", table);
  g_autoptr(JsonObject) row = kehu_admin_query_one (self->store, NULL, sql, id, NULL);

  return g_strdup_printf ("%" G_GINT64_FORMAT, int_member (row, "rev", 0));
}

static gboolean
holds_browse (GtkWidget *widget)
{
  if (g_object_get_data (G_OBJECT (widget), "kehu-browse") != NULL)
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    if (holds_browse (c))
      return TRUE;
  return FALSE;
}

/* Every control of @widget follows @editable, except the choosers of what
 * to look at; the page itself still scrolls. Only what this locked is
 * unlocked: a control the section made insensitive stays so. */
static void
set_editable (GtkWidget *widget,
              gboolean   editable)
{
  if (GTK_IS_SCROLLBAR (widget))
    return;
  if (!holds_browse (widget))
    {
      if (!editable && gtk_widget_get_sensitive (widget))
        {
          gtk_widget_set_sensitive (widget, FALSE);
          g_object_set_data (G_OBJECT (widget), "kehu-locked", GINT_TO_POINTER (TRUE));
        }
      else if (editable && g_object_get_data (G_OBJECT (widget), "kehu-locked") != NULL)
        {
          gtk_widget_set_sensitive (widget, TRUE);
          g_object_set_data (G_OBJECT (widget), "kehu-locked", NULL);
        }
      return;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    set_editable (c, editable);
}

/* The banner says why a section is read-only or busy; its controls
 * follow. */
static void
update_mode (KehuSettingsView *self)
{
  SettingsMode mode;
  GtkWidget *visible;
  const char *text = NULL;

  /* An answer may come after the view is gone: the cache took it. */
  if (self->outer_stack == NULL)
    return;
  mode = current_mode (self);
  visible = gtk_stack_get_visible_child (self->section_stack);

  if (self->busy)
    text = _("Saving on the server…");
  else if (mode == SETTINGS_MODE_OFFLINE && g_strcmp0 (self->section, "recycle-bin") != 0)
    text = _("Settings can be changed only while connected to the server");

  gtk_label_set_text (GTK_LABEL (self->banner_label), text ? text : "");
  gtk_widget_set_visible (self->banner_spinner, self->busy);
  gtk_spinner_set_spinning (GTK_SPINNER (self->banner_spinner), self->busy);
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->banner), text != NULL);
  if (visible != NULL)
    set_editable (visible, section_editable (self, self->section));
}

static void
on_client_state_cb (KehuSettingsView *self)
{
  SettingsMode mode = current_mode (self);

  if (mode == self->mode)
    return;
  self->mode = mode;
  update_mode (self);
}

/* A pull brought settings (the settings tables come whole with it) or
 * records the sections show: custom fields and dictionaries change the
 * record pages, and the section is made again from the cache — unless a
 * change of this view is on its way, whose answer rebuilds it. An open
 * dialog keeps its own widgets and ids. */
static void
on_client_changed_cb (KehuSettingsView   *self,
                      const char * const *modules)
{
  static const char * const shown[] = {
    "dictionaries", "dictionary_items", "custom_fields", "stages", "user_roles", "pool_members",
    "pool_rules", "pool_claim_limits", "departments", "users", "roles", "pools", "stage_groups",
    "approval_flows", NULL
  };
  gboolean any = FALSE;

  if (modules == NULL || !is_cache (self))
    return;
  /* The record lists hold the fields and the dictionaries' labels. */
  if (g_strv_contains (modules, "custom_fields") || g_strv_contains (modules, "dictionaries") ||
      g_strv_contains (modules, "dictionary_items"))
    refresh_record_pages (self);
  for (guint i = 0; shown[i] != NULL && !any; i++)
    any = g_strv_contains (modules, shown[i]);
  if (any && !self->busy && self->outer_stack != NULL)
    rebuild (self);
}

static GtkWidget *
page (const char *title,
      const char *description,
      GtkWidget **content)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *heading = gtk_label_new (title);
  GtkWidget *desc = gtk_label_new (description);

  /* Wide sections (the permission matrix) scroll sideways on a narrow
   * window rather than folding the settings sidebar away. */
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_AUTOMATIC, GTK_POLICY_AUTOMATIC);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 900);
  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "title-2");
  gtk_label_set_xalign (GTK_LABEL (desc), 0);
  gtk_label_set_wrap (GTK_LABEL (desc), TRUE);
  gtk_widget_add_css_class (desc, "dim-label");
  gtk_box_append (GTK_BOX (box), heading);
  gtk_box_append (GTK_BOX (box), desc);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  *content = box;
  return scrolled;
}

static GtkWidget *
boxed_list (const char *name,
            const char *accessible)
{
  GtkWidget *list = gtk_list_box_new ();

  gtk_widget_set_name (list, name);
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  if (accessible)
    gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  return list;
}

static GtkWidget *
heading (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_set_margin_top (label, 6);
  return label;
}

static GtkWidget *
row_with_title (const char *title,
                const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title ? title : "");
  if (subtitle && *subtitle)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  return row;
}

static GtkWidget *
icon_button (const char *icon,
             const char *label)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  return button;
}

static GtkWidget *
spin (const char *name,
      int         value,
      int         max,
      const char *accessible)
{
  GtkWidget *button = gtk_spin_button_new_with_range (0, max, 1);

  gtk_widget_set_name (button, name);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (button), value);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  return button;
}

/* A drop-down over rows of (id, title) from @sql; the ids ride along. */
static GtkWidget *
id_drop_down (KehuSettingsView *self,
              const char       *name,
              JsonArray        *rows,
              const char       *selected_id,
              gboolean          with_none,
              gboolean          translate)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  GtkWidget *drop;
  guint selected = 0;

  if (with_none)
    {
      gtk_string_list_append (labels, _("(none)"));
      g_ptr_array_add (ids, NULL);
    }
  for (guint i = 0; rows && i < json_array_get_length (rows); i++)
    {
      JsonObject *r = json_array_get_object_element (rows, i);
      const char *title = str_member (r, "title");

      if (g_strcmp0 (str_member (r, "id"), selected_id) == 0)
        selected = ids->len;
      gtk_string_list_append (labels, translate ? kehu_schema_display_label (title) : (title ? title : ""));
      g_ptr_array_add (ids, g_strdup (str_member (r, "id")));
    }

  drop = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (labels)), NULL);
  gtk_widget_set_name (drop, name);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (drop), selected);
  g_object_set_data_full (G_OBJECT (drop), "kehu-ids", ids, (GDestroyNotify) g_ptr_array_unref);
  return drop;
}

static const char *
drop_down_id (GtkWidget *drop)
{
  GPtrArray *ids = g_object_get_data (G_OBJECT (drop), "kehu-ids");
  guint selected = gtk_drop_down_get_selected (GTK_DROP_DOWN (drop));

  return selected < ids->len ? g_ptr_array_index (ids, selected) : NULL;
}

static GtkWidget *
find_named (GtkWidget  *root,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_named (c, name);
      if (found)
        return found;
    }
  return NULL;
}

static void
on_dialog_destroyed_cb (KehuSettingsView *self)
{
  self->dialog = NULL;
}

static AdwMessageDialog *
new_dialog (KehuSettingsView *self,
            const char       *heading_text,
            const char       *body)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                              heading_text, body);

  if (self->dialog)
    gtk_window_destroy (GTK_WINDOW (self->dialog));
  self->dialog = dialog;
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (on_dialog_destroyed_cb), self, G_CONNECT_SWAPPED);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  return ADW_MESSAGE_DIALOG (dialog);
}

static void
on_selection_changed_cb (GtkWidget        *drop,
                         GParamSpec       *pspec,
                         KehuSettingsView *self)
{
  char **slot = g_object_get_data (G_OBJECT (drop), "kehu-slot");

  g_free (*slot);
  *slot = g_strdup (drop_down_id (drop));
  /* Not now: the drop-down that changed is still busy with its signal. */
  g_idle_add_full (G_PRIORITY_DEFAULT, rebuild_idle_cb, g_object_ref (self), g_object_unref);
}

/* A drop-down that picks what the section shows (a role, a pool…). */
static GtkWidget *
chooser (KehuSettingsView *self,
         const char       *name,
         const char       *label,
         JsonArray        *rows,
         char            **slot,
         gboolean          translate)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *l = gtk_label_new (label);
  GtkWidget *drop;

  if (*slot == NULL && rows && json_array_get_length (rows) > 0)
    *slot = g_strdup (str_member (json_array_get_object_element (rows, 0), "id"));
  drop = id_drop_down (self, name, rows, *slot, FALSE, translate);
  gtk_accessible_update_property (GTK_ACCESSIBLE (drop), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  g_object_set_data (G_OBJECT (drop), "kehu-slot", slot);
  /* Choosing what to look at stays possible while editing is not. */
  g_object_set_data (G_OBJECT (drop), "kehu-browse", GINT_TO_POINTER (TRUE));
  g_signal_connect_object (drop, "notify::selected", G_CALLBACK (on_selection_changed_cb), self, 0);
  gtk_widget_add_css_class (l, "heading");
  gtk_box_append (GTK_BOX (box), l);
  gtk_box_append (GTK_BOX (box), drop);
  return box;
}

/* Departments -------------------------------------------------------------------------- */

/* The strings of @body's array @member, NULL-terminated (not copied). */
static GPtrArray *
body_strings (JsonObject *body,
              const char *member)
{
  GPtrArray *strings = g_ptr_array_new ();

  if (json_object_has_member (body, member) && JSON_NODE_HOLDS_ARRAY (json_object_get_member (body, member)))
    {
      JsonArray *array = json_object_get_array_member (body, member);

      for (guint i = 0; i < json_array_get_length (array); i++)
        g_ptr_array_add (strings, (gpointer) json_array_get_string_element (array, i));
    }
  g_ptr_array_add (strings, NULL);
  return strings;
}

static int
body_flag (JsonObject *body,
           const char *member)
{
  if (!json_object_has_member (body, member))
    return -1;
  return json_object_get_boolean_member (body, member) ? 1 : 0;
}

static gboolean
local_department_write (KehuSettingsView  *self,
                        const char        *id,
                        JsonObject        *body,
                        GError           **error)
{
  g_autoptr(KehuContext) ctx = new_context (self);
  g_autofree char *new_id = NULL;

  if (id != NULL)
    return kehu_record_update (ctx, "departments", id, body, error);
  new_id = kehu_record_create (ctx, "departments", body, error);
  return new_id != NULL;
}

static void
department_change (KehuSettingsView *self,
                   const char       *id,
                   JsonObject       *body,
                   const char       *done)
{
  g_autofree char *path = id ? g_strdup_printf ("/departments/%s", id) : g_strdup ("/departments");

  admin_change (self, id ? "PATCH" : "POST", path, body, "departments", NULL,
                local_department_write, id, done);
}


static void
on_department_add_cb (GtkButton        *button,
                      KehuSettingsView *self)
{
  GtkWidget *entry = g_object_get_data (G_OBJECT (button), "kehu-entry");
  GtkWidget *parent = g_object_get_data (G_OBJECT (button), "kehu-parent");
  g_autoptr(JsonObject) fields = json_object_new ();

  json_object_set_string_member (fields, "name", gtk_editable_get_text (GTK_EDITABLE (entry)));
  if (drop_down_id (parent))
    json_object_set_string_member (fields, "parent_id", drop_down_id (parent));
  department_change (self, NULL, fields, _("Department added"));
}

static void
on_department_response_cb (AdwMessageDialog *dialog,
                           const char       *response,
                           KehuSettingsView *self)
{
  const char *id = g_object_get_data (G_OBJECT (dialog), "kehu-id");
  GtkWidget *name = find_named (GTK_WIDGET (dialog), "department-name");
  GtkWidget *parent = find_named (GTK_WIDGET (dialog), "department-parent");
  g_autoptr(JsonObject) changes = json_object_new ();

  if (!g_str_equal (response, "save"))
    return;

  json_object_set_string_member (changes, "name", gtk_editable_get_text (GTK_EDITABLE (name)));
  if (parent != NULL)
    {
      if (drop_down_id (parent))
        json_object_set_string_member (changes, "parent_id", drop_down_id (parent));
      else
        json_object_set_null_member (changes, "parent_id");
    }
  department_change (self, id, changes, _("Department saved"));
}

static void
on_department_edit_cb (GtkButton        *button,
                       KehuSettingsView *self)
{
  const char *id = g_object_get_data (G_OBJECT (button), "kehu-id");
  g_autoptr(JsonObject) dept = kehu_admin_query_one (self->store, NULL,
    "SELECT name, parent_id FROM departments WHERE id = ?", id, NULL);
  /* Anything but itself and its sub-departments can be its parent. */
  g_autoptr(JsonArray) parents = kehu_admin_query (self->store, NULL,
    "WITH RECURSIVE below (id) AS (SELECT ?1 UNION ALL SELECT d.id FROM departments d JOIN below b ON d.parent_id = b.id) "
    "SELECT id, name AS title FROM departments WHERE deleted_at IS NULL AND id NOT IN (SELECT id FROM below) ORDER BY position, name",
    id, NULL);
  AdwMessageDialog *dialog = new_dialog (self, _("Rename or Move the Department"), NULL);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *name = gtk_entry_new ();

  gtk_widget_set_name (name, "department-name");
  gtk_editable_set_text (GTK_EDITABLE (name), kehu_schema_display_label (str_member (dept, "name")));
  gtk_accessible_update_property (GTK_ACCESSIBLE (name), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Name"), -1);
  gtk_box_append (GTK_BOX (box), name);
  if (str_member (dept, "parent_id") != NULL)
    {
      GtkWidget *parent = id_drop_down (self, "department-parent", parents, str_member (dept, "parent_id"), FALSE, TRUE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (parent), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Parent department"), -1);
      gtk_box_append (GTK_BOX (box), parent);
    }
  g_object_set_data_full (G_OBJECT (dialog), "kehu-id", g_strdup (id), g_free);
  adw_message_dialog_set_extra_child (dialog, box);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "save", _("_Save"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "save");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_department_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static GtkWidget *
build_departments (KehuSettingsView *self)
{
  g_autoptr(JsonArray) depts = kehu_admin_query (self->store, NULL,
    "WITH RECURSIVE tree (id, name, parent_id, depth, path) AS ("
    " SELECT id, name, parent_id, 0, printf ('%08d', position) FROM departments WHERE parent_id IS NULL AND deleted_at IS NULL"
    " UNION ALL SELECT d.id, d.name, d.parent_id, t.depth + 1, t.path || '/' || printf ('%08d', d.position) || d.name"
    " FROM departments d JOIN tree t ON d.parent_id = t.id WHERE d.deleted_at IS NULL) "
    "SELECT t.id, t.name AS title, t.parent_id, t.depth,"
    " (SELECT count (*) FROM users u WHERE u.department_id = t.id AND u.deleted_at IS NULL) AS n_users "
    "FROM tree t ORDER BY t.path", NULL);
  GtkWidget *content, *result, *list, *add_box, *entry, *parent, *add;

  result = page (_("Departments"),
                 _("Departments form a tree under the top one. Data scopes “own department and sub-departments” follow this tree."),
                 &content);
  list = boxed_list ("departments", _("Departments"));
  for (guint i = 0; depts && i < json_array_get_length (depts); i++)
    {
      JsonObject *d = json_array_get_object_element (depts, i);
      int depth = (int) int_member (d, "depth", 0);
      int n = (int) int_member (d, "n_users", 0);
      g_autofree char *users = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d user", "%d users", n), n);
      GtkWidget *row = row_with_title (kehu_schema_display_label (str_member (d, "title")), users);
      g_autofree char *label = g_strdup_printf (_("Rename or move %s"), kehu_schema_display_label (str_member (d, "title")));
      GtkWidget *edit = icon_button ("document-edit-symbolic", label);
      GtkWidget *indent = gtk_image_new_from_icon_name (depth == 0 ? "go-home-symbolic" : "go-next-symbolic");

      gtk_widget_set_margin_start (indent, 18 * depth);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), indent);
      g_object_set_data_full (G_OBJECT (edit), "kehu-id", g_strdup (str_member (d, "id")), g_free);
      g_signal_connect_object (edit, "clicked", G_CALLBACK (on_department_edit_cb), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), edit);
      gtk_widget_set_name (row, str_member (d, "id"));
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  gtk_box_append (GTK_BOX (content), list);

  add_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  entry = gtk_entry_new ();
  gtk_widget_set_name (entry, "new-department");
  gtk_widget_set_hexpand (entry, TRUE);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("New department name"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("New department name"), -1);
  parent = id_drop_down (self, "new-department-parent", depts, NULL, FALSE, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (parent), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Parent department"), -1);
  add = gtk_button_new_with_mnemonic (_("_Add Department"));
  gtk_widget_set_name (add, "add-department");
  g_object_set_data (G_OBJECT (add), "kehu-entry", entry);
  g_object_set_data (G_OBJECT (add), "kehu-parent", parent);
  g_signal_connect_object (add, "clicked", G_CALLBACK (on_department_add_cb), self, 0);
  g_signal_connect_swapped (entry, "activate", G_CALLBACK (gtk_widget_activate), add);
  gtk_box_append (GTK_BOX (add_box), entry);
  gtk_box_append (GTK_BOX (add_box), parent);
  gtk_box_append (GTK_BOX (add_box), add);
  gtk_box_append (GTK_BOX (content), add_box);
  return result;
}

/* Users ----------------------------------------------------------------------------------- */

static gboolean
local_user_enabled_write (KehuSettingsView  *self,
                          const char        *id,
                          JsonObject        *body,
                          GError           **error)
{
  g_autoptr(KehuContext) ctx = new_context (self);
  g_autoptr(JsonObject) changes = json_object_new ();

  json_object_set_boolean_member (changes, "is_enabled", json_object_get_boolean_member (body, "is_enabled"));
  return kehu_record_update (ctx, "users", id, changes, error);
}

static void
on_user_enabled_cb (GtkSwitch        *toggle,
                    GParamSpec       *pspec,
                    KehuSettingsView *self)
{
  const char *id = g_object_get_data (G_OBJECT (toggle), "kehu-id");
  g_autoptr(JsonObject) body = json_object_new ();
  gboolean enabled = gtk_switch_get_active (toggle);
  g_autofree char *path = g_strdup_printf ("/users/%s/%s", id, enabled ? "enable" : "disable");

  /* The server's route takes no is_enabled: it is in the path. A disabled
   * user's records stay with them (no transfer). */
  if (!enabled)
    json_object_set_null_member (body, "transfer_to");
  /* Locally, what the route's path says. */
  if (current_mode (self) == SETTINGS_MODE_LOCAL)
    json_object_set_boolean_member (body, "is_enabled", enabled);
  admin_change (self, "POST", path, body, "users", NULL, local_user_enabled_write, id,
                enabled ? _("User enabled") : _("User disabled: they can no longer sign in"));
}

static gboolean
local_user_write (KehuSettingsView  *self,
                  const char        *id,
                  JsonObject        *body,
                  GError           **error)
{
  g_autoptr(KehuContext) ctx = new_context (self);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GPtrArray) role_ids = body_strings (body, "role_ids");
  g_autofree char *new_id = NULL;
  g_autoptr(GList) members = json_object_get_members (body);

  for (GList *m = members; m != NULL; m = m->next)
    if (!g_str_equal (m->data, "role_ids") && !g_str_equal (m->data, "password"))
      json_object_set_member (fields, m->data, json_node_copy (json_object_get_member (body, m->data)));

  if (!kehu_context_begin (ctx, error))
    return FALSE;
  if (id != NULL)
    {
      if (!kehu_record_update (ctx, "users", id, fields, error))
        goto failed;
    }
  else
    {
      json_object_set_boolean_member (fields, "is_enabled", TRUE);
      if ((new_id = kehu_record_create (ctx, "users", fields, error)) == NULL)
        goto failed;
      id = new_id;
    }
  if (!kehu_admin_change_user_roles (ctx, id, (const char * const *) role_ids->pdata, error) ||
      !kehu_context_commit (ctx, error))
    goto failed;
  return TRUE;

failed:
  kehu_context_rollback (ctx);
  return FALSE;
}

static void
on_user_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     KehuSettingsView *self)
{
  const char *id = g_object_get_data (G_OBJECT (dialog), "kehu-id");
  GtkWidget *dept = find_named (GTK_WIDGET (dialog), "user-department");
  GtkWidget *password = find_named (GTK_WIDGET (dialog), "user-password");
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autofree char *path = id ? g_strdup_printf ("/users/%s", id) : g_strdup ("/users");

  if (!g_str_equal (response, "save"))
    return;

  json_object_set_string_member (fields, "name",
                                 gtk_editable_get_text (GTK_EDITABLE (find_named (GTK_WIDGET (dialog), "user-name"))));
  json_object_set_string_member (fields, "phone",
                                 gtk_editable_get_text (GTK_EDITABLE (find_named (GTK_WIDGET (dialog), "user-phone"))));
  {
    const char *email = gtk_editable_get_text (GTK_EDITABLE (find_named (GTK_WIDGET (dialog), "user-email")));
    if (*email)
      json_object_set_string_member (fields, "email", email);
    else
      json_object_set_null_member (fields, "email");
  }
  if (drop_down_id (dept))
    json_object_set_string_member (fields, "department_id", drop_down_id (dept));
  /* A new user on the server signs in with this password. */
  if (password != NULL)
    json_object_set_string_member (fields, "password", gtk_editable_get_text (GTK_EDITABLE (password)));

  /* Every role ticked; several roles add their permissions up and the
   * widest data scope wins (kehu-perm). */
  {
    GtkWidget *roles = find_named (GTK_WIDGET (dialog), "user-roles");
    JsonArray *ids = json_array_new ();

    for (GtkWidget *c = gtk_widget_get_first_child (roles); c; c = gtk_widget_get_next_sibling (c))
      {
        GtkWidget *check = GTK_IS_FLOW_BOX_CHILD (c) ? gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (c)) : c;

        if (GTK_IS_CHECK_BUTTON (check) && gtk_check_button_get_active (GTK_CHECK_BUTTON (check)))
          json_array_add_string_element (ids, g_object_get_data (G_OBJECT (check), "kehu-id"));
      }
    json_object_set_array_member (fields, "role_ids", ids);
  }

  admin_change (self, id ? "PATCH" : "POST", path, fields, "users", NULL, local_user_write, id,
                id ? _("User saved") : _("User added"));
}

static void
open_user_dialog (KehuSettingsView *self,
                  const char       *id)
{
  g_autoptr(JsonObject) user = id ? kehu_admin_query_one (self->store, NULL,
    "SELECT u.name, u.phone, u.email, u.department_id FROM users u WHERE u.id = ?", id, NULL) : NULL;
  g_auto(GStrv) role_ids = id ? kehu_admin_dup_user_role_ids (self->store, id, NULL) : NULL;
  g_autoptr(JsonArray) depts = kehu_admin_query (self->store, NULL,
    "SELECT id, name AS title FROM departments WHERE deleted_at IS NULL ORDER BY position, name", NULL);
  g_autoptr(JsonArray) roles = kehu_admin_query (self->store, NULL,
    "SELECT id, name AS title, data_scope FROM roles WHERE deleted_at IS NULL ORDER BY is_system DESC, name", NULL);
  AdwMessageDialog *dialog = new_dialog (self, id ? _("Edit User") : _("Add a User"),
                                         id ? NULL : _("Users sign in with their phone number. They are never deleted, only disabled."));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  const struct { const char *name, *label, *key; } entries[] = {
    { "user-name", N_("Name"), "name" },
    { "user-phone", N_("Phone (sign-in)"), "phone" },
    { "user-email", N_("E-mail"), "email" },
  };
  GtkWidget *drop;

  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      GtkWidget *entry = gtk_entry_new ();

      gtk_widget_set_name (entry, entries[i].name);
      gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _(entries[i].label));
      gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _(entries[i].label), -1);
      gtk_editable_set_text (GTK_EDITABLE (entry), str_member (user, entries[i].key) ?: "");
      gtk_box_append (GTK_BOX (box), entry);
    }
  if (id == NULL && current_mode (self) == SETTINGS_MODE_ONLINE)
    {
      GtkWidget *password = gtk_password_entry_new ();

      gtk_widget_set_name (password, "user-password");
      gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (password), TRUE);
      g_object_set (password, "placeholder-text", _("Password for the first sign-in"), NULL);
      gtk_accessible_update_property (GTK_ACCESSIBLE (password), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Password for the first sign-in"), -1);
      gtk_box_append (GTK_BOX (box), password);
    }
  drop = id_drop_down (self, "user-department", depts, str_member (user, "department_id"), TRUE, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (drop), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Department"), -1);
  gtk_box_append (GTK_BOX (box), drop);

  /* Roles: several may be ticked. */
  {
    GtkWidget *label = gtk_label_new (_("Roles"));
    GtkWidget *hint = gtk_label_new (_("Permissions of all ticked roles add up; the widest data scope wins."));
    GtkWidget *flow = gtk_flow_box_new ();

    gtk_label_set_xalign (GTK_LABEL (label), 0);
    gtk_widget_add_css_class (label, "heading");
    gtk_widget_set_margin_top (label, 6);
    gtk_label_set_xalign (GTK_LABEL (hint), 0);
    gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
    gtk_widget_add_css_class (hint, "caption");
    gtk_widget_add_css_class (hint, "dim-label");
    gtk_widget_set_name (flow, "user-roles");
    gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (flow), GTK_SELECTION_NONE);
    gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (flow), 1);
    gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (flow), 2);
    gtk_accessible_update_property (GTK_ACCESSIBLE (flow), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Roles"), -1);
    for (guint i = 0; roles && i < json_array_get_length (roles); i++)
      {
        JsonObject *r = json_array_get_object_element (roles, i);
        g_autofree char *text = g_strdup_printf ("%s (%s)", kehu_schema_display_label (str_member (r, "title")),
                                                 kehu_display_enum (str_member (r, "data_scope")));
        GtkWidget *check = gtk_check_button_new_with_label (text);

        gtk_widget_set_name (check, str_member (r, "id"));
        g_object_set_data_full (G_OBJECT (check), "kehu-id", g_strdup (str_member (r, "id")), g_free);
        gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                                     role_ids && g_strv_contains ((const char * const *) role_ids, str_member (r, "id")));
        gtk_flow_box_append (GTK_FLOW_BOX (flow), check);
      }
    gtk_box_append (GTK_BOX (box), label);
    gtk_box_append (GTK_BOX (box), hint);
    gtk_box_append (GTK_BOX (box), flow);
  }

  if (id)
    g_object_set_data_full (G_OBJECT (dialog), "kehu-id", g_strdup (id), g_free);
  adw_message_dialog_set_extra_child (dialog, box);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "save", id ? _("_Save") : _("_Add"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "save");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_user_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_user_edit_cb (GtkButton        *button,
                 KehuSettingsView *self)
{
  open_user_dialog (self, g_object_get_data (G_OBJECT (button), "kehu-id"));
}

static void
on_user_add_cb (KehuSettingsView *self)
{
  open_user_dialog (self, NULL);
}

/* The user's roles, translated where seeded, separated for reading. */
static char *
role_names (JsonObject *user)
{
  g_auto(GStrv) names = g_strsplit (str_member (user, "roles") ?: "", "\x1f", -1);
  g_autoptr(GString) text = g_string_new (NULL);

  if (int_member (user, "is_super_admin", 0))
    g_string_append (text, _("Super administrator"));
  for (guint i = 0; names[i]; i++)
    {
      if (*names[i] == '\0')
        continue;
      if (text->len > 0)
        /* Translators: between the roles of one user */
        g_string_append (text, _(", "));
      g_string_append (text, kehu_schema_display_label (names[i]));
    }
  return text->len > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : NULL;
}

static GtkWidget *
build_users (KehuSettingsView *self)
{
  g_autoptr(JsonArray) users = kehu_admin_query (self->store, NULL,
    "SELECT u.id, u.name, u.phone, u.is_enabled, u.is_super_admin, d.name AS dept,"
    " (SELECT group_concat (r.name, char (31)) FROM (SELECT r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id"
    "   WHERE ur.user_id = u.id AND r.deleted_at IS NULL ORDER BY r.is_system DESC, r.name) r) AS roles "
    "FROM users u LEFT JOIN departments d ON d.id = u.department_id WHERE u.deleted_at IS NULL "
    "ORDER BY u.is_enabled DESC, u.name", NULL);
  GtkWidget *content, *result, *list, *add;

  result = page (_("Users"),
                 _("Everyone who signs in. A user who leaves is disabled, never deleted; transfer their customers first."),
                 &content);
  add = gtk_button_new_with_mnemonic (_("_Add a User…"));
  gtk_widget_set_name (add, "add-user");
  gtk_widget_set_halign (add, GTK_ALIGN_START);
  g_signal_connect_object (add, "clicked", G_CALLBACK (on_user_add_cb), self, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (content), add);

  list = boxed_list ("users", _("Users"));
  for (guint i = 0; users && i < json_array_get_length (users); i++)
    {
      JsonObject *u = json_array_get_object_element (users, i);
      g_autofree char *sub = NULL;
      g_autofree char *edit_label = g_strdup_printf (_("Edit %s"), str_member (u, "name"));
      g_autofree char *enabled_label = g_strdup_printf (_("%s may sign in"), str_member (u, "name"));
      g_autofree char *roles = role_names (u);
      GtkWidget *row, *toggle, *edit;

      {
        g_autoptr(GString) s = g_string_new (str_member (u, "phone"));
        if (str_member (u, "dept"))
          g_string_append_printf (s, " · %s", kehu_schema_display_label (str_member (u, "dept")));
        if (roles)
          g_string_append_printf (s, " · %s", roles);
        sub = g_string_free (g_steal_pointer (&s), FALSE);
      }
      row = row_with_title (str_member (u, "name"), sub);
      gtk_widget_set_name (row, str_member (u, "id"));
      toggle = gtk_switch_new ();
      gtk_widget_set_name (toggle, "enabled");
      gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
      gtk_switch_set_active (GTK_SWITCH (toggle), int_member (u, "is_enabled", 1) != 0);
      gtk_widget_set_tooltip_text (toggle, enabled_label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (toggle), GTK_ACCESSIBLE_PROPERTY_LABEL, enabled_label, -1);
      g_object_set_data_full (G_OBJECT (toggle), "kehu-id", g_strdup (str_member (u, "id")), g_free);
      g_signal_connect_object (toggle, "notify::active", G_CALLBACK (on_user_enabled_cb), self, 0);
      edit = icon_button ("document-edit-symbolic", edit_label);
      gtk_widget_set_name (edit, "edit");
      g_object_set_data_full (G_OBJECT (edit), "kehu-id", g_strdup (str_member (u, "id")), g_free);
      g_signal_connect_object (edit, "clicked", G_CALLBACK (on_user_edit_cb), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), edit);
      if (!int_member (u, "is_enabled", 1))
        gtk_widget_add_css_class (row, "dim-label");
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  if (users == NULL || json_array_get_length (users) == 0)
    gtk_list_box_append (GTK_LIST_BOX (list),
                         row_with_title (_("No users yet"), _("This computer works alone; add users when your team joins.")));
  gtk_box_append (GTK_BOX (content), list);
  return result;
}

/* Roles ----------------------------------------------------------------------------------- */

static gboolean
local_role_write (KehuSettingsView  *self,
                  const char        *id,
                  JsonObject        *body,
                  GError           **error)
{
  g_autoptr(KehuContext) ctx = new_context (self);
  g_autoptr(GPtrArray) perms = body_strings (body, "permissions");

  return kehu_admin_set_role (ctx, id, (const char * const *) perms->pdata,
                              json_object_get_string_member (body, "data_scope"), error);
}

static void
on_role_save_cb (GtkButton        *button,
                 KehuSettingsView *self)
{
  GtkWidget *section = g_object_get_data (G_OBJECT (button), "kehu-section");
  GtkWidget *scope = find_named (section, "data-scope");
  JsonArray *perms = json_array_new ();
  g_autoptr(JsonObject) body = json_object_new ();
  g_auto(GStrv) kept = g_object_steal_data (G_OBJECT (button), "kehu-kept");
  g_autofree char *path = g_strdup_printf ("/roles/%s", self->role_id);

  for (guint m = 0; m < G_N_ELEMENTS (perm_modules); m++)
    for (guint a = 0; a < G_N_ELEMENTS (perm_actions); a++)
      {
        g_autofree char *key = g_strconcat (perm_modules[m].key, ".", perm_actions[a].key, NULL);
        GtkWidget *check = find_named (section, key);

        if (check && gtk_check_button_get_active (GTK_CHECK_BUTTON (check)))
          json_array_add_string_element (perms, key);
      }
  for (guint i = 0; i < G_N_ELEMENTS (perm_special); i++)
    {
      GtkWidget *check = find_named (section, perm_special[i].key);
      if (check && gtk_check_button_get_active (GTK_CHECK_BUTTON (check)))
        json_array_add_string_element (perms, perm_special[i].key);
    }
  /* Permissions this page does not show (administration) stay as they were. */
  for (guint i = 0; kept && kept[i]; i++)
    json_array_add_string_element (perms, kept[i]);

  json_object_set_array_member (body, "permissions", perms);
  json_object_set_string_member (body, "data_scope",
                                 data_scopes[MIN (adw_combo_row_get_selected (ADW_COMBO_ROW (scope)), 4)]);
  admin_change (self, "PATCH", path, body, "roles", NULL, local_role_write, self->role_id,
                _("Role saved; its users get the new permissions at their next sync"));
}

static gboolean
in_matrix (const char *perm)
{
  for (guint m = 0; m < G_N_ELEMENTS (perm_modules); m++)
    for (guint a = 0; a < G_N_ELEMENTS (perm_actions); a++)
      {
        g_autofree char *key = g_strconcat (perm_modules[m].key, ".", perm_actions[a].key, NULL);
        if (g_str_equal (key, perm))
          return TRUE;
      }
  for (guint i = 0; i < G_N_ELEMENTS (perm_special); i++)
    if (g_str_equal (perm_special[i].key, perm))
      return TRUE;
  return FALSE;
}

static GtkWidget *
build_roles (KehuSettingsView *self)
{
  g_autoptr(JsonArray) roles = kehu_admin_query (self->store, NULL,
    "SELECT id, name AS title FROM roles WHERE deleted_at IS NULL ORDER BY is_system DESC, name", NULL);
  g_autoptr(JsonObject) role = NULL;
  g_autoptr(JsonNode) perms_node = NULL;
  g_autoptr(GtkStringList) scope_labels = gtk_string_list_new (NULL);
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();
  GtkWidget *content, *result, *grid, *list, *scope, *save, *special, *frame;
  JsonArray *perms = NULL;
  gboolean super_admin;

  result = page (_("Roles and Permissions"),
                 _("A role grants operation permissions per module and a data scope: whose records its users see."),
                 &content);
  gtk_box_append (GTK_BOX (content), chooser (self, "role", _("Role"), roles, &self->role_id, TRUE));

  role = self->role_id ? kehu_admin_query_one (self->store, NULL,
    "SELECT id, name, permissions, data_scope FROM roles WHERE id = ?", self->role_id, NULL) : NULL;
  if (role == NULL)
    return result;

  super_admin = g_strcmp0 (self->role_id, KEHU_ID_ROLE_SUPER_ADMIN) == 0;
  perms_node = json_from_string (str_member (role, "permissions") ?: "[]", NULL);
  if (perms_node && JSON_NODE_HOLDS_ARRAY (perms_node))
    perms = json_node_get_array (perms_node);

  /* Data scope. */
  list = boxed_list ("role-scope", _("Data scope"));
  scope = adw_combo_row_new ();
  gtk_widget_set_name (scope, "data-scope");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (scope), _("Data scope"));
  /* The scopes' names are long; at the row's end they were cut off. */
  adw_combo_row_set_use_subtitle (ADW_COMBO_ROW (scope), TRUE);
  for (guint i = 0; data_scopes[i]; i++)
    gtk_string_list_append (scope_labels, kehu_display_enum (data_scopes[i]));
  adw_combo_row_set_model (ADW_COMBO_ROW (scope), G_LIST_MODEL (scope_labels));
  for (guint i = 0; data_scopes[i]; i++)
    if (g_strcmp0 (data_scopes[i], str_member (role, "data_scope")) == 0)
      adw_combo_row_set_selected (ADW_COMBO_ROW (scope), i);
  gtk_list_box_append (GTK_LIST_BOX (list), scope);
  gtk_box_append (GTK_BOX (content), list);

  if (super_admin)
    {
      GtkWidget *note = gtk_label_new (_("The super administrator has every permission and sees all data; this role cannot be narrowed."));
      gtk_label_set_wrap (GTK_LABEL (note), TRUE);
      gtk_label_set_xalign (GTK_LABEL (note), 0);
      gtk_box_append (GTK_BOX (content), note);
      gtk_widget_set_sensitive (list, FALSE);
    }

  /* The matrix. */
  gtk_box_append (GTK_BOX (content), heading (_("Operation Permissions")));
  grid = gtk_grid_new ();
  gtk_widget_set_name (grid, "permissions");
  gtk_grid_set_column_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 2);
  gtk_widget_set_margin_top (grid, 6);
  gtk_widget_set_margin_bottom (grid, 6);
  gtk_widget_set_margin_start (grid, 12);
  gtk_widget_set_margin_end (grid, 12);
  for (guint a = 0; a < G_N_ELEMENTS (perm_actions); a++)
    {
      GtkWidget *l = gtk_label_new (_(perm_actions[a].label));
      gtk_widget_add_css_class (l, "caption-heading");
      gtk_widget_set_hexpand (l, TRUE);
      gtk_grid_attach (GTK_GRID (grid), l, a + 1, 0, 1, 1);
    }
  for (guint m = 0; m < G_N_ELEMENTS (perm_modules); m++)
    {
      GtkWidget *l = gtk_label_new (_(perm_modules[m].label));
      gtk_label_set_xalign (GTK_LABEL (l), 0);
      gtk_grid_attach (GTK_GRID (grid), l, 0, m + 1, 1, 1);
      for (guint a = 0; a < G_N_ELEMENTS (perm_actions); a++)
        {
          g_autofree char *key = g_strconcat (perm_modules[m].key, ".", perm_actions[a].key, NULL);
          g_autofree char *accessible = g_strdup_printf ("%s: %s", _(perm_modules[m].label), _(perm_actions[a].label));
          GtkWidget *check = gtk_check_button_new ();
          gboolean has = super_admin;

          for (guint i = 0; perms && i < json_array_get_length (perms); i++)
            if (g_strcmp0 (json_array_get_string_element (perms, i), key) == 0 ||
                g_strcmp0 (json_array_get_string_element (perms, i), "*") == 0)
              has = TRUE;
          gtk_widget_set_name (check, key);
          gtk_widget_set_halign (check, GTK_ALIGN_CENTER);
          gtk_check_button_set_active (GTK_CHECK_BUTTON (check), has);
          gtk_widget_set_sensitive (check, !super_admin);
          gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
          gtk_grid_attach (GTK_GRID (grid), check, a + 1, m + 1, 1, 1);
        }
    }
  frame = gtk_frame_new (NULL);
  gtk_frame_set_child (GTK_FRAME (frame), grid);
  gtk_widget_add_css_class (frame, "view");
  gtk_box_append (GTK_BOX (content), frame);

  special = gtk_flow_box_new ();
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (special), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (special), 2);
  gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (special), 1);
  for (guint i = 0; i < G_N_ELEMENTS (perm_special); i++)
    {
      GtkWidget *check = gtk_check_button_new_with_label (_(perm_special[i].label));
      gboolean has = super_admin;

      for (guint j = 0; perms && j < json_array_get_length (perms); j++)
        if (g_strcmp0 (json_array_get_string_element (perms, j), perm_special[i].key) == 0)
          has = TRUE;
      gtk_widget_set_name (check, perm_special[i].key);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), has);
      gtk_widget_set_sensitive (check, !super_admin);
      gtk_flow_box_append (GTK_FLOW_BOX (special), check);
    }
  gtk_box_append (GTK_BOX (content), special);

  for (guint i = 0; perms && i < json_array_get_length (perms); i++)
    if (!in_matrix (json_array_get_string_element (perms, i)))
      g_ptr_array_add (kept, g_strdup (json_array_get_string_element (perms, i)));
  g_ptr_array_add (kept, NULL);

  save = gtk_button_new_with_mnemonic (_("_Save Role"));
  gtk_widget_set_name (save, "save-role");
  gtk_widget_set_halign (save, GTK_ALIGN_END);
  gtk_widget_add_css_class (save, "suggested-action");
  gtk_widget_set_sensitive (save, !super_admin);
  g_object_set_data (G_OBJECT (save), "kehu-section", content);
  g_object_set_data_full (G_OBJECT (save), "kehu-kept", g_ptr_array_free (g_steal_pointer (&kept), FALSE),
                          (GDestroyNotify) g_strfreev);
  g_signal_connect_object (save, "clicked", G_CALLBACK (on_role_save_cb), self, 0);
  gtk_box_append (GTK_BOX (content), save);
  return result;
}

/* Stages ----------------------------------------------------------------------------------- */

/* Stages: the body says which change; DELETE removes. */
static gboolean
local_stage_write (KehuSettingsView  *self,
                   const char        *id,
                   JsonObject        *body,
                   GError           **error)
{
  g_autofree char *new_id = NULL;

  if (body == NULL || json_object_has_member (body, "remove"))
    return kehu_admin_remove_stage (self->store, id, error);
  if (id == NULL)
    {
      new_id = kehu_admin_add_stage (self->store, self->stage_group_id, json_object_get_string_member (body, "name"),
                                     json_object_get_int_member (body, "win_rate"), error);
      return new_id != NULL;
    }
  if (json_object_has_member (body, "move"))
    return kehu_admin_move_stage (self->store, id, json_object_get_int_member (body, "move"), error);
  return kehu_admin_save_stage (self->store, id, json_object_get_string_member (body, "name"),
                                json_object_get_int_member (body, "win_rate"), error);
}

/* The list comes back after each change: adding a stage may add the
 * group's closing stages, moving renumbers the neighbours. */
static void
stage_change (KehuSettingsView *self,
              const char       *method,
              const char       *stage_id,
              JsonObject       *body,
              const char       *done)
{
  g_autofree char *list = g_strdup_printf ("/stage_groups/%s/stages", self->stage_group_id);
  g_autofree char *path = stage_id ? g_strdup_printf ("/stages/%s", stage_id) : g_strdup (list);

  admin_change (self, method, path, body, "stages", list, local_stage_write, stage_id, done);
}

static void
save_stage_row (KehuSettingsView *self,
                GtkWidget        *row)
{
  GtkWidget *rate = g_object_get_data (G_OBJECT (row), "kehu-rate");
  g_autoptr(JsonObject) body = json_object_new ();

  json_object_set_string_member (body, "name", gtk_editable_get_text (GTK_EDITABLE (row)));
  json_object_set_int_member (body, "win_rate", gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (rate)));
  stage_change (self, "PATCH", gtk_widget_get_name (row), body, _("Stage saved"));
}

static void
on_stage_apply_cb (GtkWidget        *row,
                   KehuSettingsView *self)
{
  save_stage_row (self, row);
}

/* A win rate saves as it changes, without rebuilding the list under the
 * spin button the user is still using. */
static void
on_stage_rate_changed_cb (GtkSpinButton    *rate,
                          KehuSettingsView *self)
{
  GtkWidget *row = g_object_get_data (G_OBJECT (rate), "kehu-row");
  g_autoptr(GError) error = NULL;

  /* On a server the list comes back after the change. */
  if (current_mode (self) != SETTINGS_MODE_LOCAL)
    {
      save_stage_row (self, row);
      return;
    }
  if (!kehu_admin_save_stage (self->store, gtk_widget_get_name (row),
                              gtk_editable_get_text (GTK_EDITABLE (row)),
                              gtk_spin_button_get_value_as_int (rate), &error))
    toast (self, error->message);
}

static void
on_stage_move_cb (GtkButton        *button,
                  KehuSettingsView *self)
{
  g_autoptr(JsonObject) body = json_object_new ();

  json_object_set_int_member (body, "move", GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "kehu-delta")));
  stage_change (self, "PATCH", g_object_get_data (G_OBJECT (button), "kehu-id"), body, NULL);
}

static void
on_stage_add_cb (GtkWidget        *entry,
                 KehuSettingsView *self)
{
  g_autoptr(JsonObject) body = json_object_new ();

  json_object_set_string_member (body, "name", gtk_editable_get_text (GTK_EDITABLE (entry)));
  json_object_set_int_member (body, "win_rate", 50);
  stage_change (self, "POST", NULL, body, _("Stage added"));
}

static void
on_stage_remove_cb (GtkButton        *button,
                    KehuSettingsView *self)
{
  stage_change (self, "DELETE", g_object_get_data (G_OBJECT (button), "kehu-id"), NULL, _("Stage removed"));
}

/* A new group (id NULL; it becomes the one shown) or a new name. */
static gboolean
local_stage_group_write (KehuSettingsView  *self,
                         const char        *id,
                         JsonObject        *body,
                         GError           **error)
{
  g_autoptr(KehuContext) ctx = new_context (self);
  g_autofree char *new_id = NULL;

  if (id != NULL)
    return kehu_record_update (ctx, "stage_groups", id, body, error);
  new_id = kehu_admin_add_stage_group (ctx, json_object_get_string_member (body, "name"), error);
  if (new_id == NULL)
    return FALSE;
  g_free (self->stage_group_id);
  self->stage_group_id = g_steal_pointer (&new_id);
  return TRUE;
}

static void
on_stage_group_add_cb (GtkWidget        *entry,
                       KehuSettingsView *self)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(GPtrArray) requests = g_ptr_array_new_with_free_func ((GDestroyNotify) request_free);

  json_object_set_string_member (body, "name", gtk_editable_get_text (GTK_EDITABLE (entry)));
  /* The server makes the group's closing stages with it; they come
   * back from its list of the new group's stages. */
  g_ptr_array_add (requests, request_new ("POST", "/stage_groups", NULL, body, "stage_groups", NULL, NULL));
  g_ptr_array_add (requests, request_new ("GET", "/stage_groups/{id}/stages", NULL, NULL, "stages", NULL, NULL));
  admin_change_requests (self, requests, local_stage_group_write, NULL, body,
                         _("Stage group added: add its stages below"), &self->stage_group_id);
}

static void
on_stage_group_rename_cb (GtkWidget        *entry,
                          KehuSettingsView *self)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(GPtrArray) requests = g_ptr_array_new_with_free_func ((GDestroyNotify) request_free);
  g_autofree char *path = g_strdup_printf ("/stage_groups/%s", self->stage_group_id);
  g_autofree char *rev = cached_rev (self, "stage_groups", self->stage_group_id);

  json_object_set_string_member (body, "name", gtk_editable_get_text (GTK_EDITABLE (entry)));
  g_ptr_array_add (requests, request_new ("PATCH", path, rev, body, "stage_groups", NULL, self->stage_group_id));
  admin_change_requests (self, requests, local_stage_group_write, self->stage_group_id, body,
                         _("Stage group renamed"), NULL);
}

/* Marks the shown group as the one new opportunities follow; the server
 * (or the local rule) takes the mark from the others, whose new state the
 * group list brings back. */
static void
on_stage_group_default_cb (GtkSwitch        *toggle,
                           GParamSpec       *pspec,
                           KehuSettingsView *self)
{
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autofree char *path = NULL;
  g_autofree char *rev = NULL;

  if (!gtk_switch_get_active (toggle) || g_object_get_data (G_OBJECT (toggle), "kehu-was-default") != NULL)
    return;
  body = json_object_new ();
  requests = g_ptr_array_new_with_free_func ((GDestroyNotify) request_free);
  path = g_strdup_printf ("/stage_groups/%s", self->stage_group_id);
  rev = cached_rev (self, "stage_groups", self->stage_group_id);
  json_object_set_boolean_member (body, "is_default", TRUE);
  g_ptr_array_add (requests, request_new ("PATCH", path, rev, body, "stage_groups", NULL, self->stage_group_id));
  g_ptr_array_add (requests, request_new ("GET", "/stage_groups", NULL, NULL, "stage_groups", NULL, NULL));
  admin_change_requests (self, requests, local_stage_group_write, self->stage_group_id, body,
                         _("New opportunities follow this stage group"), NULL);
}

static GtkWidget *
build_stages (KehuSettingsView *self)
{
  g_autoptr(JsonArray) groups = kehu_admin_query (self->store, NULL,
    "SELECT id, name AS title FROM stage_groups WHERE deleted_at IS NULL ORDER BY is_default DESC, name", NULL);
  g_autoptr(JsonArray) stages = NULL;
  GtkWidget *content, *result, *list, *add;

  result = page (_("Opportunity Stages"),
                 _("Stages in the order opportunities move through them, each with its win rate (0–100 %). Won (100 %), lost and invalid (0 %) close an opportunity and stay last. Each stage group is a sales process of its own; an opportunity follows the group it was created in, new ones the default group."),
                 &content);
  gtk_box_append (GTK_BOX (content), chooser (self, "stage-group", _("Stage group"), groups, &self->stage_group_id, TRUE));

  /* Groups: a business with its own sales process gets its own group. */
  {
    g_autoptr(JsonObject) group = self->stage_group_id ? kehu_admin_query_one (self->store, NULL,
      "SELECT name, is_default, (SELECT count (*) FROM opportunities o WHERE o.stage_group_id = g.id AND o.deleted_at IS NULL) AS n "
      "FROM stage_groups g WHERE id = ?", self->stage_group_id, NULL) : NULL;
    GtkWidget *names = boxed_list ("stage-group-names", _("Stage group"));
    GtkWidget *rename = adw_entry_row_new ();
    GtkWidget *create = adw_entry_row_new ();
    int n = (int) int_member (group, "n", 0);
    g_autofree char *used = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Name of this group, used by %d opportunity (Enter)",
                                                          "Name of this group, used by %d opportunities (Enter)", n), n);

    gtk_widget_set_name (rename, "stage-group-name");
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (rename), used);
    gtk_editable_set_text (GTK_EDITABLE (rename), kehu_schema_display_label (str_member (group, "name")));
    adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (rename), TRUE);
    g_signal_connect_object (rename, "apply", G_CALLBACK (on_stage_group_rename_cb), self, 0);
    gtk_widget_set_visible (rename, group != NULL);
    gtk_list_box_append (GTK_LIST_BOX (names), rename);
    if (group != NULL)
      {
        gboolean is_default = int_member (group, "is_default", 0) != 0;
        GtkWidget *toggle = gtk_switch_new ();
        GtkWidget *row = row_with_title (_("Default for new opportunities"),
                                         is_default ? _("To change it, make another group the default")
                                                    : _("New opportunities follow this group unless another is chosen"));

        gtk_widget_set_name (toggle, "stage-group-default");
        gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
        gtk_switch_set_active (GTK_SWITCH (toggle), is_default);
        gtk_accessible_update_property (GTK_ACCESSIBLE (toggle), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        _("Default for new opportunities"), -1);
        /* One group is always the default: it is given away, not switched off. */
        if (is_default)
          {
            g_object_set_data (G_OBJECT (toggle), "kehu-was-default", GINT_TO_POINTER (1));
            gtk_widget_set_can_target (toggle, FALSE);
            gtk_widget_set_focusable (toggle, FALSE);
          }
        g_signal_connect_object (toggle, "notify::active", G_CALLBACK (on_stage_group_default_cb), self, 0);
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
        gtk_list_box_append (GTK_LIST_BOX (names), row);
      }
    gtk_widget_set_name (create, "new-stage-group");
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (create), _("Add a stage group (Enter)"));
    adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (create), TRUE);
    g_signal_connect_object (create, "apply", G_CALLBACK (on_stage_group_add_cb), self, 0);
    g_signal_connect_object (create, "entry-activated", G_CALLBACK (on_stage_group_add_cb), self, 0);
    gtk_list_box_append (GTK_LIST_BOX (names), create);
    gtk_box_append (GTK_BOX (content), names);
    gtk_box_append (GTK_BOX (content), heading (_("Stages of This Group")));
  }

  stages = kehu_admin_query (self->store, NULL,
    "SELECT id, name, win_rate, kind FROM stages WHERE group_id = ? ORDER BY kind != 'open', position",
    self->stage_group_id ? self->stage_group_id : "", NULL);
  list = boxed_list ("stages", _("Opportunity Stages"));
  for (guint i = 0; stages && i < json_array_get_length (stages); i++)
    {
      JsonObject *s = json_array_get_object_element (stages, i);
      const char *name = kehu_schema_display_label (str_member (s, "name"));
      gboolean open = g_strcmp0 (str_member (s, "kind"), "open") == 0;
      g_autofree char *rate_label = g_strdup_printf (_("Win rate of %s, percent"), name);
      GtkWidget *row = adw_entry_row_new ();
      GtkWidget *rate = spin ("win-rate", (int) int_member (s, "win_rate", 0), 100, rate_label);

      gtk_widget_set_name (row, str_member (s, "id"));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     open ? _("Stage") : kehu_display_enum (str_member (s, "kind")));
      gtk_editable_set_text (GTK_EDITABLE (row), name);
      adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
      g_object_set_data (G_OBJECT (row), "kehu-rate", rate);
      g_signal_connect_object (row, "apply", G_CALLBACK (on_stage_apply_cb), self, 0);
      g_object_set_data (G_OBJECT (rate), "kehu-row", row);
      g_signal_connect_object (rate, "value-changed", G_CALLBACK (on_stage_rate_changed_cb), self, 0);
      adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), rate);
      adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), gtk_label_new ("%"));
      /* SPEC §6: won is 100 %, lost and invalid 0 %. */
      gtk_widget_set_sensitive (rate, open);
      if (open)
        {
          g_autofree char *up_label = g_strdup_printf (_("Move %s earlier"), name);
          g_autofree char *down_label = g_strdup_printf (_("Move %s later"), name);
          GtkWidget *up = icon_button ("go-up-symbolic", up_label);
          GtkWidget *down = icon_button ("go-down-symbolic", down_label);

          gtk_widget_set_name (up, "move-up");
          gtk_widget_set_name (down, "move-down");
          g_object_set_data_full (G_OBJECT (up), "kehu-id", g_strdup (str_member (s, "id")), g_free);
          g_object_set_data_full (G_OBJECT (down), "kehu-id", g_strdup (str_member (s, "id")), g_free);
          g_object_set_data (G_OBJECT (up), "kehu-delta", GINT_TO_POINTER (-1));
          g_object_set_data (G_OBJECT (down), "kehu-delta", GINT_TO_POINTER (1));
          g_signal_connect_object (up, "clicked", G_CALLBACK (on_stage_move_cb), self, 0);
          g_signal_connect_object (down, "clicked", G_CALLBACK (on_stage_move_cb), self, 0);
          adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), up);
          adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), down);
          {
            g_autofree char *remove_label = g_strdup_printf (_("Remove the stage %s"), name);
            GtkWidget *remove = icon_button ("user-trash-symbolic", remove_label);

            gtk_widget_set_name (remove, "remove");
            g_object_set_data_full (G_OBJECT (remove), "kehu-id", g_strdup (str_member (s, "id")), g_free);
            g_signal_connect_object (remove, "clicked", G_CALLBACK (on_stage_remove_cb), self, 0);
            adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), remove);
          }
        }
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  add = adw_entry_row_new ();
  gtk_widget_set_name (add, "new-stage");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (add), _("Add a stage (Enter)"));
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (add), TRUE);
  g_signal_connect_object (add, "apply", G_CALLBACK (on_stage_add_cb), self, 0);
  g_signal_connect_object (add, "entry-activated", G_CALLBACK (on_stage_add_cb), self, 0);
  gtk_list_box_append (GTK_LIST_BOX (list), add);
  gtk_box_append (GTK_BOX (content), list);
  {
    GtkWidget *hint = gtk_label_new (_("A win rate is saved as you change it; press Enter to save a new name."));
    gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
    gtk_label_set_xalign (GTK_LABEL (hint), 0);
    gtk_widget_add_css_class (hint, "caption");
    gtk_widget_add_css_class (hint, "dim-label");
    gtk_box_append (GTK_BOX (content), hint);
  }
  return result;
}

/* Pools --------------------------------------------------------------------------------------- */

static int
spin_value_or_none (GtkWidget *spin_button)
{
  /* 0 means "no limit" / "off". */
  int v = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (spin_button));
  return v > 0 ? v : -1;
}

static void
set_int_or_null (JsonObject *object,
                 const char *name,
                 int         value)
{
  if (value < 0)
    json_object_set_null_member (object, name);
  else
    json_object_set_int_member (object, name, value);
}

/* The pool's settings, rules and limits as one body: {"pool": changes,
 * "rules": items, "claim_limits": items}, the items as the PUT routes
 * take them. */
static gboolean
local_pool_write (KehuSettingsView  *self,
                  const char        *id,
                  JsonObject        *body,
                  GError           **error)
{
  g_autoptr(KehuContext) ctx = new_context (self);

  if (!kehu_context_begin (ctx, error))
    return FALSE;
  if (!kehu_record_update (ctx, "pools", id, json_object_get_object_member (body, "pool"), error) ||
      !kehu_admin_put_pool_list (self->store, "pool_rules", id,
                                 json_object_get_array_member (body, "rules"), error) ||
      !kehu_admin_put_pool_list (self->store, "pool_claim_limits", id,
                                 json_object_get_array_member (body, "claim_limits"), error) ||
      !kehu_context_commit (ctx, error))
    {
      kehu_context_rollback (ctx);
      return FALSE;
    }
  return TRUE;
}

/* A PUT's answer {"items": […]} replaces the pool's list in the cache. */
static gboolean
put_pool_list_answer (KehuSettingsView  *self,
                      const char        *table,
                      const char        *pool_id,
                      JsonNode          *answer,
                      GError           **error)
{
  JsonObject *object = answer && JSON_NODE_HOLDS_OBJECT (answer) ? json_node_get_object (answer) : NULL;
  JsonNode *items = object ? json_object_get_member (object, "items") : NULL;

  if (items == NULL || !JSON_NODE_HOLDS_ARRAY (items))
    {
      g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                   _("The server's answer holds no list of “%s”"), table);
      return FALSE;
    }
  return kehu_admin_put_pool_list (self->store, table, pool_id, json_node_get_array (items), error);
}

/* The rules the page shows, from its spin buttons, and the ones it does
 * not show (a rule for every level, days without an opportunity) as they
 * are: the server replaces the whole list. */
static JsonArray *
pool_rule_items (KehuSettingsView *self,
                 GtkWidget        *section)
{
  g_autoptr(JsonArray) levels = kehu_admin_query (self->store, NULL,
    "SELECT value FROM dictionary_items WHERE dictionary_id = 'customer_level' ORDER BY position", NULL);
  g_autoptr(JsonArray) kept = kehu_admin_query (self->store, NULL,
    "SELECT customer_level, no_followup_days, no_opportunity_days, no_deal_days FROM pool_rules "
    "WHERE pool_id = ? ORDER BY customer_level", self->pool_id, NULL);
  JsonArray *items = json_array_new ();

  for (guint i = 0; kept && i < json_array_get_length (kept); i++)
    {
      JsonObject *rule = json_array_get_object_element (kept, i);
      const char *level = str_member (rule, "customer_level");
      gboolean shown = FALSE;

      for (guint j = 0; level && levels && j < json_array_get_length (levels); j++)
        shown |= g_strcmp0 (str_member (json_array_get_object_element (levels, j), "value"), level) == 0;
      if (!shown)
        json_array_add_object_element (items, json_object_ref (rule));
    }
  for (guint i = 0; levels && i < json_array_get_length (levels); i++)
    {
      const char *level = str_member (json_array_get_object_element (levels, i), "value");
      g_autofree char *f = g_strconcat ("no-followup-", level, NULL);
      g_autofree char *d = g_strconcat ("no-deal-", level, NULL);
      int followup = spin_value_or_none (find_named (section, f));
      int deal = spin_value_or_none (find_named (section, d));
      int opportunity = -1;
      JsonObject *item;

      for (guint j = 0; kept && j < json_array_get_length (kept); j++)
        {
          JsonObject *rule = json_array_get_object_element (kept, j);

          if (g_strcmp0 (str_member (rule, "customer_level"), level) == 0)
            opportunity = (int) int_member (rule, "no_opportunity_days", -1);
        }
      /* All none: no rule for this level. */
      if (followup < 0 && deal < 0 && opportunity < 0)
        continue;
      item = json_object_new ();
      json_object_set_string_member (item, "customer_level", level);
      set_int_or_null (item, "no_followup_days", followup);
      set_int_or_null (item, "no_opportunity_days", opportunity);
      set_int_or_null (item, "no_deal_days", deal);
      json_array_add_object_element (items, item);
    }
  return items;
}

static JsonArray *
pool_limit_items (KehuSettingsView *self,
                  GtkWidget        *section)
{
  g_autoptr(JsonArray) roles = kehu_admin_query (self->store, NULL, "SELECT id FROM roles WHERE deleted_at IS NULL", NULL);
  g_autoptr(JsonArray) kept = kehu_admin_query (self->store, NULL,
    "SELECT role_id, per_day, per_week, per_month FROM pool_claim_limits WHERE pool_id = ? "
    "AND role_id NOT IN (SELECT id FROM roles WHERE deleted_at IS NULL) ORDER BY role_id", self->pool_id, NULL);
  JsonArray *items = json_array_new ();

  for (guint i = 0; kept && i < json_array_get_length (kept); i++)
    json_array_add_object_element (items, json_object_ref (json_array_get_object_element (kept, i)));
  for (guint i = 0; roles && i < json_array_get_length (roles); i++)
    {
      const char *role = str_member (json_array_get_object_element (roles, i), "id");
      g_autofree char *day = g_strconcat ("day-", role, NULL);
      g_autofree char *week = g_strconcat ("week-", role, NULL);
      g_autofree char *month = g_strconcat ("month-", role, NULL);
      int per_day = spin_value_or_none (find_named (section, day));
      int per_week = spin_value_or_none (find_named (section, week));
      int per_month = spin_value_or_none (find_named (section, month));
      JsonObject *item;

      if (per_day < 0 && per_week < 0 && per_month < 0)
        continue;
      item = json_object_new ();
      json_object_set_string_member (item, "role_id", role);
      set_int_or_null (item, "per_day", per_day);
      set_int_or_null (item, "per_week", per_week);
      set_int_or_null (item, "per_month", per_month);
      json_array_add_object_element (items, item);
    }
  return items;
}

static void
on_pool_save_cb (GtkButton        *button,
                 KehuSettingsView *self)
{
  GtkWidget *section = g_object_get_data (G_OBJECT (button), "kehu-section");
  g_autoptr(JsonObject) changes = json_object_new ();
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonObject) rules = json_object_new ();
  g_autoptr(JsonObject) limits = json_object_new ();
  g_autoptr(GPtrArray) requests = g_ptr_array_new_with_free_func ((GDestroyNotify) request_free);
  g_autofree char *pool_path = g_strdup_printf ("/pools/%s", self->pool_id);
  g_autofree char *rules_path = g_strdup_printf ("/pools/%s/rules", self->pool_id);
  g_autofree char *limits_path = g_strdup_printf ("/pools/%s/claim-limits", self->pool_id);
  g_autofree char *rev = cached_rev (self, "pools", self->pool_id);
  const char *ints[] = { "remind_days", "reclaim_cooldown_days", NULL };
  const char *caps[] = { "max_owned_per_user", "max_locked_per_user", NULL };

  for (guint i = 0; ints[i]; i++)
    json_object_set_int_member (changes, ints[i],
                                gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (find_named (section, ints[i]))));
  for (guint i = 0; caps[i]; i++)
    set_int_or_null (changes, caps[i], spin_value_or_none (find_named (section, caps[i])));
  json_object_set_boolean_member (changes, "recycle_enabled",
                                  gtk_switch_get_active (GTK_SWITCH (find_named (section, "recycle_enabled"))));
  json_object_set_array_member (rules, "items", pool_rule_items (self, section));
  json_object_set_array_member (limits, "items", pool_limit_items (self, section));

  json_object_set_object_member (body, "pool", json_object_ref (changes));
  json_object_set_array_member (body, "rules", json_array_ref (json_object_get_array_member (rules, "items")));
  json_object_set_array_member (body, "claim_limits", json_array_ref (json_object_get_array_member (limits, "items")));

  /* The settings (a record: If-Match its revision), then the lists. */
  g_ptr_array_add (requests, request_new ("PATCH", pool_path, rev, changes, "pools", NULL, self->pool_id));
  g_ptr_array_add (requests, request_new ("PUT", rules_path, NULL, rules, "pool_rules", put_pool_list_answer, self->pool_id));
  g_ptr_array_add (requests, request_new ("PUT", limits_path, NULL, limits, "pool_claim_limits",
                                          put_pool_list_answer, self->pool_id));
  admin_change_requests (self, requests, local_pool_write, self->pool_id, body, _("Pool rules saved"), NULL);
}

/* Members ------------------------------------------------------------------------------------- */

/* The pool's members as the server's PUT takes them, with @change applied:
 * @add ("user:<id>" or "department:<id>") joins, @remove leaves, and
 * @admin toggles whether @remove/@add is an administrator of the pool. */
static JsonArray *
pool_member_items (KehuSettingsView *self,
                   const char       *add,
                   const char       *remove,
                   int               admin)
{
  g_autoptr(JsonArray) rows = kehu_admin_query (self->store, NULL,
    "SELECT member_type, member_id, is_admin FROM pool_members WHERE pool_id = ? ORDER BY member_type, member_id",
    self->pool_id, NULL);
  JsonArray *items = json_array_new ();

  for (guint i = 0; rows && i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      g_autofree char *key = g_strdup_printf ("%s:%s", str_member (row, "member_type"), str_member (row, "member_id"));
      JsonObject *item;

      if (g_strcmp0 (key, remove) == 0 && admin < 0)
        continue;
      item = json_object_new ();
      json_object_set_string_member (item, "member_type", str_member (row, "member_type"));
      json_object_set_string_member (item, "member_id", str_member (row, "member_id"));
      json_object_set_boolean_member (item, "is_admin", g_strcmp0 (key, remove) == 0 ? admin == 1
                                                        : int_member (row, "is_admin", 0) != 0);
      json_array_add_object_element (items, item);
    }
  if (add != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (add, ":", 2);
      JsonObject *item = json_object_new ();

      json_object_set_string_member (item, "member_type", parts[0]);
      json_object_set_string_member (item, "member_id", parts[1]);
      json_object_set_boolean_member (item, "is_admin", FALSE);
      json_array_add_object_element (items, item);
    }
  return items;
}

static gboolean
local_pool_members_write (KehuSettingsView  *self,
                          const char        *id,
                          JsonObject        *body,
                          GError           **error)
{
  return kehu_admin_put_pool_list (self->store, "pool_members", id, json_object_get_array_member (body, "items"), error);
}

static void
pool_members_change (KehuSettingsView *self,
                     JsonArray        *items,
                     const char       *done)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(GPtrArray) requests = g_ptr_array_new_with_free_func ((GDestroyNotify) request_free);
  g_autofree char *path = g_strdup_printf ("/pools/%s/members", self->pool_id);

  json_object_set_array_member (body, "items", items);
  g_ptr_array_add (requests, request_new ("PUT", path, NULL, body, "pool_members", put_pool_list_answer, self->pool_id));
  admin_change_requests (self, requests, local_pool_members_write, self->pool_id, body, done, NULL);
}

static void
on_pool_member_add_cb (AdwComboRow      *row,
                       GParamSpec       *pspec,
                       KehuSettingsView *self)
{
  GPtrArray *keys = g_object_get_data (G_OBJECT (row), "kehu-keys");
  guint selected = adw_combo_row_get_selected (row);

  /* Position 0 is the prompt. */
  if (keys == NULL || selected == 0 || selected >= keys->len)
    return;
  pool_members_change (self, pool_member_items (self, g_ptr_array_index (keys, selected), NULL, -1),
                       _("Member added to the pool"));
}

static void
on_pool_member_remove_cb (GtkButton        *button,
                          KehuSettingsView *self)
{
  pool_members_change (self, pool_member_items (self, NULL, g_object_get_data (G_OBJECT (button), "kehu-key"), -1),
                       _("Member removed from the pool"));
}

static void
on_pool_member_admin_cb (GtkSwitch        *toggle,
                         GParamSpec       *pspec,
                         KehuSettingsView *self)
{
  pool_members_change (self, pool_member_items (self, NULL, g_object_get_data (G_OBJECT (toggle), "kehu-key"),
                                                gtk_switch_get_active (toggle) ? 1 : 0),
                       _("Pool members saved"));
}

/* Who may claim from the pool: named users and departments (with the
 * departments below them); nobody named means everyone. */
static void
add_pool_members (KehuSettingsView *self,
                  GtkWidget        *content)
{
  g_autoptr(JsonArray) members = kehu_admin_query (self->store, NULL,
    "SELECT m.member_type, m.member_id, m.is_admin,"
    " CASE m.member_type WHEN 'user' THEN (SELECT name FROM users WHERE id = m.member_id)"
    " ELSE (SELECT name FROM departments WHERE id = m.member_id) END AS name "
    "FROM pool_members m WHERE m.pool_id = ? ORDER BY m.member_type DESC, name", self->pool_id, NULL);
  g_autoptr(JsonArray) candidates = kehu_admin_query (self->store, NULL,
    "SELECT 'department' AS member_type, id, name FROM departments d WHERE deleted_at IS NULL"
    " AND NOT EXISTS (SELECT 1 FROM pool_members m WHERE m.pool_id = ?1 AND m.member_type = 'department' AND m.member_id = d.id) "
    "UNION ALL SELECT 'user', id, name FROM users u WHERE deleted_at IS NULL AND is_enabled = 1"
    " AND NOT EXISTS (SELECT 1 FROM pool_members m WHERE m.pool_id = ?1 AND m.member_type = 'user' AND m.member_id = u.id) "
    "ORDER BY 1, 3", self->pool_id, NULL);
  GtkStringList *labels = gtk_string_list_new (NULL);
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);
  GtkWidget *list, *add;

  gtk_box_append (GTK_BOX (content), heading (_("Members (nobody named: everyone may claim)")));
  list = boxed_list ("pool-members", _("Pool members"));
  for (guint i = 0; members && i < json_array_get_length (members); i++)
    {
      JsonObject *m = json_array_get_object_element (members, i);
      gboolean is_user = g_strcmp0 (str_member (m, "member_type"), "user") == 0;
      const char *name = kehu_schema_display_label (str_member (m, "name") ? str_member (m, "name") : str_member (m, "member_id"));
      g_autofree char *key = g_strdup_printf ("%s:%s", str_member (m, "member_type"), str_member (m, "member_id"));
      g_autofree char *remove_label = g_strdup_printf (_("Remove %s from the pool"), name);
      g_autofree char *admin_label = g_strdup_printf (_("%s administers the pool"), name);
      GtkWidget *row = row_with_title (name, is_user ? _("User") : _("Department and the departments below it"));
      GtkWidget *admin = gtk_switch_new ();
      GtkWidget *remove = icon_button ("user-trash-symbolic", remove_label);

      gtk_widget_set_name (row, key);
      gtk_widget_set_name (admin, "pool-admin");
      gtk_widget_set_valign (admin, GTK_ALIGN_CENTER);
      gtk_switch_set_active (GTK_SWITCH (admin), int_member (m, "is_admin", 0) != 0);
      gtk_widget_set_tooltip_text (admin, _("Pool administrator: may assign its customers"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (admin), GTK_ACCESSIBLE_PROPERTY_LABEL, admin_label, -1);
      g_object_set_data_full (G_OBJECT (admin), "kehu-key", g_strdup (key), g_free);
      g_signal_connect_object (admin, "notify::active", G_CALLBACK (on_pool_member_admin_cb), self, 0);
      gtk_widget_set_name (remove, "remove");
      g_object_set_data_full (G_OBJECT (remove), "kehu-key", g_strdup (key), g_free);
      g_signal_connect_object (remove, "clicked", G_CALLBACK (on_pool_member_remove_cb), self, 0);
      {
        GtkWidget *admin_label_widget = gtk_label_new (_("Pool administrator"));

        gtk_widget_add_css_class (admin_label_widget, "dim-label");
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), admin_label_widget);
      }
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), admin);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }

  gtk_string_list_append (labels, _("Choose…"));
  g_ptr_array_add (keys, NULL);
  for (guint i = 0; candidates && i < json_array_get_length (candidates); i++)
    {
      JsonObject *c = json_array_get_object_element (candidates, i);
      gboolean is_user = g_strcmp0 (str_member (c, "member_type"), "user") == 0;
      g_autofree char *label = g_strdup_printf (is_user ? _("%s (user)") : _("%s (department)"),
                                                kehu_schema_display_label (str_member (c, "name")));

      gtk_string_list_append (labels, label);
      g_ptr_array_add (keys, g_strdup_printf ("%s:%s", str_member (c, "member_type"), str_member (c, "id")));
    }
  add = adw_combo_row_new ();
  gtk_widget_set_name (add, "add-pool-member");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (add), _("Add a department or user"));
  adw_combo_row_set_model (ADW_COMBO_ROW (add), G_LIST_MODEL (labels));
  g_object_unref (labels);
  g_object_set_data_full (G_OBJECT (add), "kehu-keys", keys, (GDestroyNotify) g_ptr_array_unref);
  g_signal_connect_object (add, "notify::selected", G_CALLBACK (on_pool_member_add_cb), self, 0);
  gtk_list_box_append (GTK_LIST_BOX (list), add);
  gtk_box_append (GTK_BOX (content), list);
}

/* A new pool (local: a record; online: the server's record route). */
static gboolean
local_pool_create (KehuSettingsView  *self,
                   const char        *id,
                   JsonObject        *body,
                   GError           **error)
{
  g_autoptr(KehuContext) ctx = new_context (self);
  g_autofree char *new_id = kehu_record_create (ctx, "pools", body, error);

  if (new_id == NULL)
    return FALSE;
  g_free (self->pool_id);
  self->pool_id = g_steal_pointer (&new_id);
  return TRUE;
}

static void
on_pool_add_cb (GtkWidget        *entry,
                KehuSettingsView *self)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(GPtrArray) requests = g_ptr_array_new_with_free_func ((GDestroyNotify) request_free);
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));

  if (*name == '\0')
    {
      toast (self, _("A pool needs a name"));
      return;
    }
  json_object_set_string_member (body, "name", name);
  g_ptr_array_add (requests, request_new ("POST", "/pools", NULL, body, "pools", NULL, NULL));
  admin_change_requests (self, requests, local_pool_create, NULL, body,
                         _("Pool added: set its rules and members below"), &self->pool_id);
}

static GtkWidget *
labelled_spins (const char *title,
                const char *subtitle,
                GtkWidget  *a,
                GtkWidget  *b,
                GtkWidget  *c)
{
  GtkWidget *row = row_with_title (title, subtitle);

  adw_action_row_add_suffix (ADW_ACTION_ROW (row), a);
  if (b)
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), b);
  if (c)
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), c);
  return row;
}

static GtkWidget *
build_pools (KehuSettingsView *self)
{
  g_autoptr(JsonArray) pools = kehu_admin_query (self->store, NULL,
    "SELECT id, name AS title FROM pools WHERE deleted_at IS NULL ORDER BY is_default DESC, name", NULL);
  g_autoptr(JsonObject) pool = NULL;
  g_autoptr(JsonArray) levels = NULL;
  g_autoptr(JsonArray) roles = NULL;
  GtkWidget *content, *result, *list, *toggle, *save, *row;

  result = page (_("Public Pools"),
                 _("When customers return to a pool by themselves, and how many a rep may claim. Locked customers never return. Use 0 for “no limit” or “off”."),
                 &content);
  gtk_box_append (GTK_BOX (content), chooser (self, "pool", _("Pool"), pools, &self->pool_id, TRUE));
  {
    GtkWidget *names = boxed_list ("pool-names", _("Pool"));
    GtkWidget *create = adw_entry_row_new ();

    gtk_widget_set_name (create, "new-pool");
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (create), _("Add a pool (Enter)"));
    adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (create), TRUE);
    g_signal_connect_object (create, "apply", G_CALLBACK (on_pool_add_cb), self, 0);
    g_signal_connect_object (create, "entry-activated", G_CALLBACK (on_pool_add_cb), self, 0);
    gtk_list_box_append (GTK_LIST_BOX (names), create);
    gtk_box_append (GTK_BOX (content), names);
  }
  pool = self->pool_id ? kehu_admin_query_one (self->store, NULL, "SELECT * FROM pools WHERE id = ?", self->pool_id, NULL) : NULL;
  if (pool == NULL)
    return result;

  list = boxed_list ("pool-settings", _("Pool"));
  toggle = gtk_switch_new ();
  gtk_widget_set_name (toggle, "recycle_enabled");
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  gtk_switch_set_active (GTK_SWITCH (toggle), int_member (pool, "recycle_enabled", 1) != 0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (toggle), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Recycle automatically"), -1);
  row = row_with_title (_("Recycle automatically"), _("Customers nobody works on return to this pool"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  gtk_list_box_append (GTK_LIST_BOX (list),
    labelled_spins (_("Warn days before"), _("Reps see a warning this many days before a customer returns"),
                    spin ("remind_days", (int) int_member (pool, "remind_days", 3), 365, _("Warn days before")), NULL, NULL));
  gtk_list_box_append (GTK_LIST_BOX (list),
    labelled_spins (_("Cool-down days"), _("Before a former owner may claim the customer again"),
                    spin ("reclaim_cooldown_days", (int) int_member (pool, "reclaim_cooldown_days", 7), 365, _("Cool-down days")), NULL, NULL));
  gtk_list_box_append (GTK_LIST_BOX (list),
    labelled_spins (_("Most customers per rep"), _("A rep cannot own more"),
                    spin ("max_owned_per_user", (int) int_member (pool, "max_owned_per_user", 0), 100000, _("Most customers per rep")), NULL, NULL));
  gtk_list_box_append (GTK_LIST_BOX (list),
    labelled_spins (_("Most locked customers per rep"), NULL,
                    spin ("max_locked_per_user", (int) int_member (pool, "max_locked_per_user", 0), 100000, _("Most locked customers per rep")), NULL, NULL));
  gtk_box_append (GTK_BOX (content), list);

  /* Recycle rules per customer level. */
  gtk_box_append (GTK_BOX (content), heading (_("Recycle Rules by Customer Level (days without a follow-up · without a deal)")));
  levels = kehu_admin_query (self->store, NULL,
    "SELECT i.value, i.label, r.no_followup_days, r.no_deal_days FROM dictionary_items i "
    "LEFT JOIN pool_rules r ON r.pool_id = ? AND r.customer_level = i.value "
    "WHERE i.dictionary_id = 'customer_level' ORDER BY i.position", self->pool_id, NULL);
  list = boxed_list ("pool-rules", _("Recycle rules"));
  for (guint i = 0; levels && i < json_array_get_length (levels); i++)
    {
      JsonObject *l = json_array_get_object_element (levels, i);
      const char *label = kehu_schema_display_label (str_member (l, "label"));
      g_autofree char *f = g_strconcat ("no-followup-", str_member (l, "value"), NULL);
      g_autofree char *d = g_strconcat ("no-deal-", str_member (l, "value"), NULL);
      g_autofree char *fa = g_strdup_printf (_("%s: days without a follow-up"), label);
      g_autofree char *da = g_strdup_printf (_("%s: days without a deal"), label);

      gtk_list_box_append (GTK_LIST_BOX (list),
        labelled_spins (label, NULL,
                        spin (f, (int) int_member (l, "no_followup_days", 0), 3650, fa),
                        spin (d, (int) int_member (l, "no_deal_days", 0), 3650, da), NULL));
    }
  gtk_box_append (GTK_BOX (content), list);

  /* Claim limits per role. */
  gtk_box_append (GTK_BOX (content), heading (_("Claim Limits by Role (per day · week · month)")));
  roles = kehu_admin_query (self->store, NULL,
    "SELECT r.id, r.name, c.per_day, c.per_week, c.per_month FROM roles r "
    "LEFT JOIN pool_claim_limits c ON c.pool_id = ? AND c.role_id = r.id "
    "WHERE r.deleted_at IS NULL ORDER BY r.is_system DESC, r.name", self->pool_id, NULL);
  list = boxed_list ("claim-limits", _("Claim limits"));
  for (guint i = 0; roles && i < json_array_get_length (roles); i++)
    {
      JsonObject *r = json_array_get_object_element (roles, i);
      const char *name = kehu_schema_display_label (str_member (r, "name"));
      const char *id = str_member (r, "id");
      g_autofree char *dn = g_strconcat ("day-", id, NULL);
      g_autofree char *wn = g_strconcat ("week-", id, NULL);
      g_autofree char *mn = g_strconcat ("month-", id, NULL);
      g_autofree char *da = g_strdup_printf (_("%s: claims per day"), name);
      g_autofree char *wa = g_strdup_printf (_("%s: claims per week"), name);
      g_autofree char *ma = g_strdup_printf (_("%s: claims per month"), name);

      gtk_list_box_append (GTK_LIST_BOX (list),
        labelled_spins (name, NULL,
                        spin (dn, (int) int_member (r, "per_day", 0), 10000, da),
                        spin (wn, (int) int_member (r, "per_week", 0), 10000, wa),
                        spin (mn, (int) int_member (r, "per_month", 0), 10000, ma)));
    }
  gtk_box_append (GTK_BOX (content), list);

  save = gtk_button_new_with_mnemonic (_("_Save Pool Rules"));
  gtk_widget_set_name (save, "save-pool");
  gtk_widget_set_halign (save, GTK_ALIGN_END);
  gtk_widget_add_css_class (save, "suggested-action");
  g_object_set_data (G_OBJECT (save), "kehu-section", content);
  g_signal_connect_object (save, "clicked", G_CALLBACK (on_pool_save_cb), self, 0);
  gtk_box_append (GTK_BOX (content), save);

  /* Members change as they are chosen, not with the rules' Save. */
  add_pool_members (self, content);
  return result;
}

/* Custom fields --------------------------------------------------------------------------------- */

static const struct {
  KehuFieldType type;
  const char   *label;
} field_types[] = {
  { KEHU_FIELD_TEXT, N_("Text") },
  { KEHU_FIELD_LONG_TEXT, N_("Long text") },
  { KEHU_FIELD_NUMBER, N_("Number") },
  { KEHU_FIELD_MONEY, N_("Amount of money") },
  { KEHU_FIELD_DATE, N_("Date") },
  { KEHU_FIELD_DATETIME, N_("Date and time") },
  { KEHU_FIELD_CHOICE, N_("Single choice") },
  { KEHU_FIELD_MULTI_CHOICE, N_("Multiple choice") },
  { KEHU_FIELD_USER, N_("User") },
  { KEHU_FIELD_BOOLEAN, N_("Yes or no") },
  { KEHU_FIELD_PHONE, N_("Phone") },
  { KEHU_FIELD_EMAIL, N_("E-mail") },
};

static const char *
field_type_label (const char *type)
{
  KehuFieldType t;

  if (!kehu_field_type_from_string (type, &t))
    return type;
  for (guint i = 0; i < G_N_ELEMENTS (field_types); i++)
    if (field_types[i].type == t)
      return _(field_types[i].label);
  return type;
}

/* The record lists hold their fields' labels; after a change of the custom
 * fields the application's schema is read again and every record list is
 * made anew over it, so that forms, lists and filters show the change. */
static gboolean
holds_record_list (GtkWidget *widget)
{
  if (KEHU_IS_RECORD_LIST_VIEW (widget))
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    if (holds_record_list (c))
      return TRUE;
  return FALSE;
}

static void
refresh_record_pages (KehuSettingsView *self)
{
  static const char * const pages[] = {
    "leads", "customers", "contacts", "pool", "opportunities", "contracts", "payments", NULL
  };
  GApplication *app = g_application_get_default ();
  GtkWidget *stack = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_STACK);
  KehuSchema *schema;
  g_autoptr(GError) error = NULL;

  if (self->schema)
    kehu_schema_reload (self->schema, NULL);
  if (!KEHU_IS_APPLICATION (app) || stack == NULL ||
      (schema = kehu_application_get_schema (KEHU_APPLICATION (app))) == NULL)
    return;

  /* The old lists point into the schema's fields: they go first, those
   * of other windows (the products window) with their window. */
  {
    GListModel *toplevels = gtk_window_get_toplevels ();
    GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
    g_autoptr(GPtrArray) doomed = g_ptr_array_new_with_free_func (g_object_unref);

    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
      {
        g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

        if (window != GTK_WIDGET (root) && window != self->dialog && holds_record_list (window))
          g_ptr_array_add (doomed, g_object_ref (window));
      }
    for (guint i = 0; i < doomed->len; i++)
      gtk_window_destroy (GTK_WINDOW (g_ptr_array_index (doomed, i)));
  }
  /* The old lists point into the schema's fields: they go first. */
  for (guint i = 0; pages[i]; i++)
    {
      GtkWidget *old = gtk_stack_get_child_by_name (GTK_STACK (stack), pages[i]);

      if (old != NULL && KEHU_IS_RECORD_LIST_VIEW (old))
        gtk_stack_remove (GTK_STACK (stack), old);
    }
  if (!kehu_schema_reload (schema, &error))
    g_warning ("Cannot read the custom fields again: %s", error->message);
  for (guint i = 0; pages[i]; i++)
    {
      const KehuPageInfo *info = kehu_pages_lookup (pages[i]);

      if (info != NULL && gtk_stack_get_child_by_name (GTK_STACK (stack), pages[i]) == NULL)
        gtk_stack_add_titled (GTK_STACK (stack), kehu_pages_create (info), pages[i], _(info->title));
    }
}

static void
field_changed (KehuSettingsView *self,
               gboolean          ok,
               GError           *error,
               const char       *done)
{
  if (ok)
    refresh_record_pages (self);
  finish (self, ok, error, done);
}

static void
on_field_remove_cb (GtkButton        *button,
                    KehuSettingsView *self)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = kehu_schema_remove_custom_field (self->schema, self->custom_module,
                                                 g_object_get_data (G_OBJECT (button), "kehu-name"), &error);
  field_changed (self, ok, error, _("Field removed with its values"));
}

static gboolean
local_field_write (KehuSettingsView  *self,
                   const char        *id,
                   JsonObject        *body,
                   GError           **error)
{
  if (json_object_has_member (body, "move"))
    return kehu_admin_move_custom_field (self->store, id, json_object_get_int_member (body, "move"), error);
  return kehu_admin_update_custom_field (self->store, id,
                                         json_object_get_string_member_with_default (body, "label", NULL),
                                         body_flag (body, "required"), body_flag (body, "in_list"),
                                         body_flag (body, "is_enabled"), error);
}

/* PATCH /custom-fields/{id}; a move renumbers the module's fields. */
static void
field_change (KehuSettingsView *self,
              const char       *id,
              JsonObject       *body,
              const char       *done)
{
  g_autofree char *path = g_strdup_printf ("/custom-fields/%s", id);
  g_autofree char *refresh = NULL;

  if (json_object_has_member (body, "move"))
    refresh = g_strdup_printf ("/custom-fields?module=%s", self->custom_module);
  admin_change (self, "PATCH", path, body, "custom_fields", refresh, local_field_write, id, done);
}

static void
on_field_apply_cb (GtkWidget        *row,
                   KehuSettingsView *self)
{
  g_autoptr(JsonObject) body = json_object_new ();

  json_object_set_string_member (body, "label", gtk_editable_get_text (GTK_EDITABLE (row)));
  field_change (self, g_object_get_data (G_OBJECT (row), "kehu-id"), body,
                _("Field renamed; the values entered stay with it"));
}

static void
on_field_enabled_cb (GtkSwitch        *toggle,
                     GParamSpec       *pspec,
                     KehuSettingsView *self)
{
  g_autoptr(JsonObject) body = json_object_new ();
  gboolean on = gtk_switch_get_active (toggle);

  json_object_set_boolean_member (body, "is_enabled", on);
  field_change (self, g_object_get_data (G_OBJECT (toggle), "kehu-id"), body,
                on ? _("Field active again, with its values")
                   : _("Field deactivated: it leaves forms and lists, its values are kept"));
}

static void
on_field_in_list_cb (GtkCheckButton   *check,
                     KehuSettingsView *self)
{
  g_autoptr(JsonObject) body = json_object_new ();

  json_object_set_boolean_member (body, "in_list", gtk_check_button_get_active (check));
  field_change (self, g_object_get_data (G_OBJECT (check), "kehu-id"), body, NULL);
}

static void
on_field_move_cb (GtkButton        *button,
                  KehuSettingsView *self)
{
  g_autoptr(JsonObject) body = json_object_new ();

  json_object_set_int_member (body, "move", GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "kehu-delta")));
  field_change (self, g_object_get_data (G_OBJECT (button), "kehu-id"), body, NULL);
}

static void
on_field_choices_cb (GtkButton        *button,
                     KehuSettingsView *self)
{
  g_free (self->dictionary_id);
  self->dictionary_id = g_strdup (g_object_get_data (G_OBJECT (button), "kehu-dictionary"));
  kehu_settings_view_show_section (self, "dictionaries");
}

static gboolean
local_field_add (KehuSettingsView  *self,
                 const char        *id,
                 JsonObject        *body,
                 GError           **error)
{
  KehuFieldType type = KEHU_FIELD_TEXT;
  g_autofree char *added = NULL;

  kehu_field_type_from_string (json_object_get_string_member (body, "type"), &type);
  added = kehu_schema_add_custom_field (self->schema, self->custom_module,
                                        json_object_get_string_member (body, "name"),
                                        json_object_get_string_member (body, "label"), type,
                                        (body_flag (body, "required") == 1 ? KEHU_FIELD_REQUIRED : 0) |
                                        (body_flag (body, "in_list") == 1 ? KEHU_FIELD_IN_LIST : 0),
                                        json_object_get_string_member_with_default (body, "dictionary_id", NULL),
                                        error);
  return added != NULL;
}

static void
on_field_add_cb (GtkButton        *button,
                 KehuSettingsView *self)
{
  GtkWidget *section = g_object_get_data (G_OBJECT (button), "kehu-section");
  const char *label = gtk_editable_get_text (GTK_EDITABLE (find_named (section, "new-field-label")));
  guint type = gtk_drop_down_get_selected (GTK_DROP_DOWN (find_named (section, "new-field-type")));
  gboolean required = gtk_check_button_get_active (GTK_CHECK_BUTTON (find_named (section, "new-field-required")));
  gboolean in_list = gtk_check_button_get_active (GTK_CHECK_BUTTON (find_named (section, "new-field-in-list")));
  const char *dictionary = drop_down_id (find_named (section, "new-field-dictionary"));
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_uuid_string_random ();
  /* A stable key for the extra JSON, not the label the admin may rename. */
  g_autofree char *name = g_strdup_printf ("cf_%.8s", id);
  g_autoptr(JsonObject) body = NULL;
  g_autofree char *stripped = g_strstrip (g_strdup (label));

  if (type >= G_N_ELEMENTS (field_types))
    return;
  if (*stripped == '\0')
    {
      toast (self, _("A custom field needs a label"));
      return;
    }
  if (field_types[type].type != KEHU_FIELD_CHOICE && field_types[type].type != KEHU_FIELD_MULTI_CHOICE)
    dictionary = NULL;
  else if (dictionary == NULL)
    {
      toast (self, _("A choice field needs a dictionary with its choices"));
      return;
    }

  body = json_object_new ();
  json_object_set_string_member (body, "module", self->custom_module);
  json_object_set_string_member (body, "name", name);
  json_object_set_string_member (body, "label", stripped);
  json_object_set_string_member (body, "type", kehu_field_type_to_string (field_types[type].type));
  json_object_set_boolean_member (body, "required", required);
  json_object_set_boolean_member (body, "in_list", in_list);
  if (dictionary != NULL)
    json_object_set_string_member (body, "dictionary_id", dictionary);
  admin_change (self, "POST", "/custom-fields", body, "custom_fields", NULL, local_field_add, NULL,
                _("Field added: it shows on forms, lists, filters and exports"));
}

static GtkWidget *
field_button (const char *icon,
              const char *name,
              const char *label,
              const char *id,
              int         delta)
{
  GtkWidget *button = icon_button (icon, label);

  gtk_widget_set_name (button, name);
  g_object_set_data_full (G_OBJECT (button), "kehu-id", g_strdup (id), g_free);
  g_object_set_data (G_OBJECT (button), "kehu-delta", GINT_TO_POINTER (delta));
  return button;
}

static GtkWidget *
build_fields (KehuSettingsView *self)
{
  static const char * const modules[] = {
    "leads", "customers", "contacts", "opportunities", "contracts", "payment_plans", "payments", "products", NULL
  };
  g_autoptr(JsonArray) module_rows = json_array_new ();
  g_autoptr(JsonArray) fields = NULL;
  g_autoptr(JsonArray) dictionaries = kehu_admin_query (self->store, NULL,
    "SELECT id, name AS title FROM dictionaries ORDER BY name", NULL);
  g_autoptr(GtkStringList) type_labels = gtk_string_list_new (NULL);
  GtkWidget *content, *result, *list, *grid, *entry, *type, *required, *in_list, *dict, *add, *hint;

  for (guint i = 0; modules[i]; i++)
    {
      JsonObject *m = json_object_new ();
      json_object_set_string_member (m, "id", modules[i]);
      json_object_set_string_member (m, "title", kehu_display_module_singular (modules[i]));
      json_array_add_object_element (module_rows, m);
    }

  result = page (_("Custom Fields"),
                 _("Fields your company needs beyond the standard ones. Renaming keeps the values entered; a deactivated field leaves forms and lists and keeps its values. Choice fields take their choices from a dictionary."),
                 &content);
  gtk_box_append (GTK_BOX (content), chooser (self, "field-module", _("Module"), module_rows, &self->custom_module, FALSE));

  fields = kehu_admin_query (self->store, NULL,
    "SELECT f.id, f.name, f.label, f.type, f.required, f.in_list, f.is_enabled, f.dictionary_id, d.name AS dictionary "
    "FROM custom_fields f LEFT JOIN dictionaries d ON d.id = f.dictionary_id "
    "WHERE f.module = ? ORDER BY f.position, f.label",
    self->custom_module ? self->custom_module : "", NULL);
  list = boxed_list ("custom-fields", _("Custom Fields"));
  for (guint i = 0; fields && i < json_array_get_length (fields); i++)
    {
      JsonObject *f = json_array_get_object_element (fields, i);
      const char *id = str_member (f, "id");
      const char *label = str_member (f, "label");
      gboolean enabled = int_member (f, "is_enabled", 1) != 0;
      g_autoptr(GString) title = g_string_new (field_type_label (str_member (f, "type")));
      g_autofree char *remove_label = g_strdup_printf (_("Remove the field %s with its values"), label);
      g_autofree char *enabled_label = g_strdup_printf (_("%s is active"), label);
      g_autofree char *up_label = g_strdup_printf (_("Move %s up"), label);
      g_autofree char *down_label = g_strdup_printf (_("Move %s down"), label);
      g_autofree char *list_label = g_strdup_printf (_("Show %s in lists"), label);
      GtkWidget *row = adw_entry_row_new ();
      GtkWidget *toggle = gtk_switch_new ();
      GtkWidget *show = gtk_check_button_new_with_label (_("In lists"));
      GtkWidget *remove, *up, *down;

      if (int_member (f, "required", 0))
        g_string_append_printf (title, " · %s", _("required"));
      if (str_member (f, "dictionary"))
        g_string_append_printf (title, " · %s", kehu_schema_display_label (str_member (f, "dictionary")));
      if (!enabled)
        g_string_append_printf (title, " · %s", _("inactive"));
      gtk_widget_set_name (row, str_member (f, "name"));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title->str);
      gtk_editable_set_text (GTK_EDITABLE (row), label);
      adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "kehu-id", g_strdup (id), g_free);
      g_signal_connect_object (row, "apply", G_CALLBACK (on_field_apply_cb), self, 0);

      if (str_member (f, "dictionary_id"))
        {
          g_autofree char *choices_label = g_strdup_printf (_("Edit the choices of %s"), label);
          GtkWidget *choices = icon_button ("view-list-symbolic", choices_label);

          gtk_widget_set_name (choices, "edit-choices");
          g_object_set_data_full (G_OBJECT (choices), "kehu-dictionary", g_strdup (str_member (f, "dictionary_id")), g_free);
          g_signal_connect_object (choices, "clicked", G_CALLBACK (on_field_choices_cb), self, 0);
          adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), choices);
        }

      gtk_widget_set_name (show, "in-list");
      gtk_widget_set_valign (show, GTK_ALIGN_CENTER);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (show), int_member (f, "in_list", 0) != 0);
      gtk_widget_set_tooltip_text (show, list_label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (show), GTK_ACCESSIBLE_PROPERTY_LABEL, list_label, -1);
      g_object_set_data_full (G_OBJECT (show), "kehu-id", g_strdup (id), g_free);
      g_signal_connect_object (show, "toggled", G_CALLBACK (on_field_in_list_cb), self, 0);
      adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), show);

      gtk_widget_set_name (toggle, "enabled");
      gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
      gtk_switch_set_active (GTK_SWITCH (toggle), enabled);
      gtk_widget_set_tooltip_text (toggle, enabled_label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (toggle), GTK_ACCESSIBLE_PROPERTY_LABEL, enabled_label, -1);
      g_object_set_data_full (G_OBJECT (toggle), "kehu-id", g_strdup (id), g_free);
      g_signal_connect_object (toggle, "notify::active", G_CALLBACK (on_field_enabled_cb), self, 0);
      adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), toggle);

      up = field_button ("go-up-symbolic", "move-up", up_label, id, -1);
      down = field_button ("go-down-symbolic", "move-down", down_label, id, 1);
      g_signal_connect_object (up, "clicked", G_CALLBACK (on_field_move_cb), self, 0);
      g_signal_connect_object (down, "clicked", G_CALLBACK (on_field_move_cb), self, 0);
      adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), up);
      adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), down);

      remove = icon_button ("user-trash-symbolic", remove_label);
      gtk_widget_set_name (remove, "remove");
      g_object_set_data_full (G_OBJECT (remove), "kehu-name", g_strdup (str_member (f, "name")), g_free);
      g_signal_connect_object (remove, "clicked", G_CALLBACK (on_field_remove_cb), self, 0);
      /* The server has no route that removes a field with its values. */
      if (is_cache (self))
        {
          gtk_widget_set_sensitive (remove, FALSE);
          gtk_widget_set_tooltip_text (remove, _("Fields of a server are deactivated, not removed"));
        }
      adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), remove);
      if (!enabled)
        gtk_widget_add_css_class (row, "dim-label");
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  if (fields == NULL || json_array_get_length (fields) == 0)
    gtk_list_box_append (GTK_LIST_BOX (list), row_with_title (_("No custom fields yet"), NULL));
  gtk_box_append (GTK_BOX (content), list);
  hint = gtk_label_new (_("Press Enter to save a new label. “In lists” makes a field a column of the lists; the switch deactivates it."));
  gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
  gtk_label_set_xalign (GTK_LABEL (hint), 0);
  gtk_widget_add_css_class (hint, "caption");
  gtk_widget_add_css_class (hint, "dim-label");
  gtk_box_append (GTK_BOX (content), hint);

  gtk_box_append (GTK_BOX (content), heading (_("Add a Field")));
  grid = gtk_grid_new ();
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 6);
  entry = gtk_entry_new ();
  gtk_widget_set_name (entry, "new-field-label");
  gtk_widget_set_hexpand (entry, TRUE);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Label, e.g. 开户银行"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Label"), -1);
  for (guint i = 0; i < G_N_ELEMENTS (field_types); i++)
    gtk_string_list_append (type_labels, _(field_types[i].label));
  type = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (type_labels)), NULL);
  gtk_widget_set_name (type, "new-field-type");
  gtk_accessible_update_property (GTK_ACCESSIBLE (type), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Type"), -1);
  required = gtk_check_button_new_with_mnemonic (_("_Required"));
  gtk_widget_set_name (required, "new-field-required");
  in_list = gtk_check_button_new_with_mnemonic (_("Show in _lists"));
  gtk_widget_set_name (in_list, "new-field-in-list");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (in_list), TRUE);
  dict = id_drop_down (self, "new-field-dictionary", dictionaries, NULL, TRUE, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (dict), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Dictionary (for choices)"), -1);
  gtk_widget_set_tooltip_text (dict, _("Dictionary (for choices)"));
  add = gtk_button_new_with_mnemonic (_("_Add Field"));
  gtk_widget_set_name (add, "add-field");
  g_object_set_data (G_OBJECT (add), "kehu-section", content);
  g_signal_connect_object (add, "clicked", G_CALLBACK (on_field_add_cb), self, 0);
  {
    /* Says what the drop-down is for: it matters for choice fields only. */
    GtkWidget *choices = gtk_label_new (_("Choices from"));

    gtk_label_set_xalign (GTK_LABEL (choices), 1);
    gtk_widget_add_css_class (choices, "dim-label");
    gtk_grid_attach (GTK_GRID (grid), choices, 0, 1, 1, 1);
  }
  gtk_grid_attach (GTK_GRID (grid), entry, 0, 0, 4, 1);
  gtk_grid_attach (GTK_GRID (grid), type, 4, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), dict, 1, 1, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), required, 2, 1, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), in_list, 3, 1, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), add, 4, 1, 1, 1);
  gtk_box_append (GTK_BOX (content), grid);
  return result;
}

/* Dictionaries ----------------------------------------------------------------------------------- */

/* Dictionary items and dictionaries: the body says which change. */
static gboolean
local_item_write (KehuSettingsView  *self,
                  const char        *id,
                  JsonObject        *body,
                  GError           **error)
{
  g_autofree char *new_id = NULL;

  if (id == NULL)
    {
      new_id = kehu_admin_add_dictionary_item (self->store, self->dictionary_id,
                                               json_object_get_string_member (body, "label"), error);
      return new_id != NULL;
    }
  if (json_object_has_member (body, "move"))
    return kehu_admin_move_dictionary_item (self->store, id, json_object_get_int_member (body, "move"), error);
  return kehu_admin_save_dictionary_item (self->store, id, json_object_get_string_member (body, "label"),
                                          json_object_get_boolean_member (body, "is_enabled"), error);
}

static void
item_change (KehuSettingsView *self,
             const char       *item_id,
             JsonObject       *body,
             const char       *done)
{
  g_autofree char *list = g_strdup_printf ("/dictionaries/%s/items", self->dictionary_id);
  g_autofree char *path = item_id ? g_strdup_printf ("/dictionary-items/%s", item_id) : g_strdup (list);

  admin_change (self, item_id ? "PATCH" : "POST", path, body, "dictionary_items",
                json_object_has_member (body, "move") ? list : NULL, local_item_write, item_id, done);
}

static void
on_item_apply_cb (GtkWidget        *row,
                  KehuSettingsView *self)
{
  GtkWidget *toggle = g_object_get_data (G_OBJECT (row), "kehu-switch");
  g_autoptr(JsonObject) body = json_object_new ();

  json_object_set_string_member (body, "label", gtk_editable_get_text (GTK_EDITABLE (row)));
  json_object_set_boolean_member (body, "is_enabled", gtk_switch_get_active (GTK_SWITCH (toggle)));
  item_change (self, gtk_widget_get_name (row), body, _("Item saved"));
}

static void
on_item_switch_cb (GtkSwitch        *toggle,
                   GParamSpec       *pspec,
                   KehuSettingsView *self)
{
  on_item_apply_cb (g_object_get_data (G_OBJECT (toggle), "kehu-row"), self);
}

static void
on_item_move_cb (GtkButton        *button,
                 KehuSettingsView *self)
{
  g_autoptr(JsonObject) body = json_object_new ();

  json_object_set_int_member (body, "move", GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "kehu-delta")));
  item_change (self, g_object_get_data (G_OBJECT (button), "kehu-id"), body, NULL);
}

static void
on_item_add_cb (GtkWidget        *entry,
                KehuSettingsView *self)
{
  g_autoptr(JsonObject) body = json_object_new ();

  json_object_set_string_member (body, "label", gtk_editable_get_text (GTK_EDITABLE (entry)));
  item_change (self, NULL, body, _("Item added"));
}

static gboolean
local_dictionary_write (KehuSettingsView  *self,
                        const char        *id,
                        JsonObject        *body,
                        GError           **error)
{
  const char *name = json_object_get_string_member (body, "name");
  g_autofree char *new_id = NULL;

  if (id != NULL)
    return kehu_admin_rename_dictionary (self->store, id, name, error);
  if ((new_id = kehu_admin_add_dictionary (self->store, name, error)) == NULL)
    return FALSE;
  g_free (self->dictionary_id);
  self->dictionary_id = g_steal_pointer (&new_id);
  return TRUE;
}

static void
on_dictionary_add_cb (GtkWidget        *entry,
                      KehuSettingsView *self)
{
  g_autoptr(JsonObject) body = json_object_new ();

  json_object_set_string_member (body, "name", gtk_editable_get_text (GTK_EDITABLE (entry)));
  admin_change_select (self, "POST", "/dictionaries", body, "dictionaries", NULL, local_dictionary_write, NULL,
                       _("Dictionary added: add its choices below"), &self->dictionary_id);
}

static void
on_dictionary_rename_cb (GtkWidget        *entry,
                         KehuSettingsView *self)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autofree char *path = g_strdup_printf ("/dictionaries/%s", self->dictionary_id);

  json_object_set_string_member (body, "name", gtk_editable_get_text (GTK_EDITABLE (entry)));
  admin_change (self, "PATCH", path, body, "dictionaries", NULL, local_dictionary_write, self->dictionary_id,
                _("Dictionary renamed"));
}

static GtkWidget *
build_dictionaries (KehuSettingsView *self)
{
  g_autoptr(JsonArray) dictionaries = kehu_admin_query (self->store, NULL,
    "SELECT id, name AS title FROM dictionaries ORDER BY name", NULL);
  g_autoptr(JsonArray) items = NULL;
  GtkWidget *content, *result, *list, *add;

  result = page (_("Dictionaries"),
                 _("The values of choice fields: customer levels, sources, industries, follow-up methods… An item in use is disabled rather than removed."),
                 &content);
  gtk_box_append (GTK_BOX (content), chooser (self, "dictionary", _("Dictionary"), dictionaries, &self->dictionary_id, TRUE));

  /* The dictionary itself: a new one for a choice field, or a new name. */
  {
    g_autoptr(JsonObject) dict = self->dictionary_id ? kehu_admin_query_one (self->store, NULL,
      "SELECT name, is_system FROM dictionaries WHERE id = ?", self->dictionary_id, NULL) : NULL;
    GtkWidget *names = boxed_list ("dictionary", _("Dictionary"));
    GtkWidget *rename = adw_entry_row_new ();
    GtkWidget *create = adw_entry_row_new ();

    gtk_widget_set_name (rename, "dictionary-name");
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (rename), _("Name of this dictionary (Enter)"));
    gtk_editable_set_text (GTK_EDITABLE (rename), kehu_schema_display_label (str_member (dict, "name")));
    adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (rename), TRUE);
    g_signal_connect_object (rename, "apply", G_CALLBACK (on_dictionary_rename_cb), self, 0);
    gtk_widget_set_visible (rename, dict != NULL);
    gtk_list_box_append (GTK_LIST_BOX (names), rename);
    gtk_widget_set_name (create, "new-dictionary");
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (create), _("Add a dictionary for a choice field (Enter)"));
    adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (create), TRUE);
    g_signal_connect_object (create, "apply", G_CALLBACK (on_dictionary_add_cb), self, 0);
    g_signal_connect_object (create, "entry-activated", G_CALLBACK (on_dictionary_add_cb), self, 0);
    gtk_list_box_append (GTK_LIST_BOX (names), create);
    gtk_box_append (GTK_BOX (content), names);
    gtk_box_append (GTK_BOX (content), heading (_("Choices")));
  }

  items = kehu_admin_query (self->store, NULL,
    "SELECT id, value, label, is_enabled FROM dictionary_items WHERE dictionary_id = ? ORDER BY position, id",
    self->dictionary_id ? self->dictionary_id : "", NULL);
  list = boxed_list ("dictionary-items", _("Dictionary items"));
  for (guint i = 0; items && i < json_array_get_length (items); i++)
    {
      JsonObject *it = json_array_get_object_element (items, i);
      const char *label = kehu_schema_display_label (str_member (it, "label"));
      g_autofree char *up_label = g_strdup_printf (_("Move %s up"), label);
      g_autofree char *down_label = g_strdup_printf (_("Move %s down"), label);
      g_autofree char *enabled_label = g_strdup_printf (_("Offer %s"), label);
      GtkWidget *row = adw_entry_row_new ();
      GtkWidget *toggle = gtk_switch_new ();
      GtkWidget *up = icon_button ("go-up-symbolic", up_label);
      GtkWidget *down = icon_button ("go-down-symbolic", down_label);

      gtk_widget_set_name (row, str_member (it, "id"));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), str_member (it, "value"));
      gtk_editable_set_text (GTK_EDITABLE (row), label);
      adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
      g_signal_connect_object (row, "apply", G_CALLBACK (on_item_apply_cb), self, 0);
      gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
      gtk_switch_set_active (GTK_SWITCH (toggle), int_member (it, "is_enabled", 1) != 0);
      gtk_widget_set_tooltip_text (toggle, enabled_label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (toggle), GTK_ACCESSIBLE_PROPERTY_LABEL, enabled_label, -1);
      g_object_set_data (G_OBJECT (row), "kehu-switch", toggle);
      g_object_set_data (G_OBJECT (toggle), "kehu-row", row);
      g_signal_connect_object (toggle, "notify::active", G_CALLBACK (on_item_switch_cb), self, 0);
      g_object_set_data_full (G_OBJECT (up), "kehu-id", g_strdup (str_member (it, "id")), g_free);
      g_object_set_data_full (G_OBJECT (down), "kehu-id", g_strdup (str_member (it, "id")), g_free);
      g_object_set_data (G_OBJECT (up), "kehu-delta", GINT_TO_POINTER (-1));
      g_object_set_data (G_OBJECT (down), "kehu-delta", GINT_TO_POINTER (1));
      g_signal_connect_object (up, "clicked", G_CALLBACK (on_item_move_cb), self, 0);
      g_signal_connect_object (down, "clicked", G_CALLBACK (on_item_move_cb), self, 0);
      adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), toggle);
      adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), up);
      adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), down);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  add = adw_entry_row_new ();
  gtk_widget_set_name (add, "new-item");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (add), _("Add an item (Enter)"));
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (add), TRUE);
  g_signal_connect_object (add, "apply", G_CALLBACK (on_item_add_cb), self, 0);
  g_signal_connect_object (add, "entry-activated", G_CALLBACK (on_item_add_cb), self, 0);
  gtk_list_box_append (GTK_LIST_BOX (list), add);
  gtk_box_append (GTK_BOX (content), list);
  return result;
}

/* Recycle bin ------------------------------------------------------------------------------------- */

static void
on_restore_cb (GtkButton        *button,
               KehuSettingsView *self)
{
  g_autoptr(KehuContext) ctx = new_context (self);
  g_autoptr(GError) error = NULL;
  gboolean ok = kehu_record_restore (ctx, g_object_get_data (G_OBJECT (button), "kehu-module"),
                                     g_object_get_data (G_OBJECT (button), "kehu-id"), &error);

  finish (self, ok, error, _("Restored"));
}

static void
on_purge_response_cb (AdwMessageDialog *dialog,
                      const char       *response,
                      KehuSettingsView *self)
{
  g_autoptr(KehuContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (!g_str_equal (response, "purge"))
    return;
  ctx = new_context (self);
  ok = kehu_record_purge (ctx, g_object_get_data (G_OBJECT (dialog), "kehu-module"),
                          g_object_get_data (G_OBJECT (dialog), "kehu-id"), &error);
  finish (self, ok, error, _("Purged for good"));
}

static void
on_purge_cb (GtkButton        *button,
             KehuSettingsView *self)
{
  g_autofree char *body = g_strdup_printf (_("“%s” will be gone for good, with its operation log. This cannot be undone."),
                                           (const char *) g_object_get_data (G_OBJECT (button), "kehu-title"));
  AdwMessageDialog *dialog = new_dialog (self, _("Purge for Good?"), body);

  g_object_set_data_full (G_OBJECT (dialog), "kehu-module", g_strdup (g_object_get_data (G_OBJECT (button), "kehu-module")), g_free);
  g_object_set_data_full (G_OBJECT (dialog), "kehu-id", g_strdup (g_object_get_data (G_OBJECT (button), "kehu-id")), g_free);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "purge", _("_Purge"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "purge", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_purge_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Approval flows: the body of POST/PATCH /approval-flows; NULL for
 * DELETE. A new flow becomes the one shown. */
static gboolean
local_flow_write (KehuSettingsView  *self,
                  const char        *id,
                  JsonObject        *body,
                  GError           **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *saved = NULL;

  if (body == NULL)
    {
      if (is_cache (self))
        return kehu_admin_drop_row (self->store, "approval_flows", id, error);
      return kehu_approvals_delete_flow (self->store, id, self->user_id, now, error);
    }
  saved = kehu_approvals_save_flow (self->store, id, json_object_get_member (body, "definition"),
                                    json_object_get_boolean_member (body, "is_enabled"),
                                    (int) json_object_get_int_member (body, "position"),
                                    self->user_id, now, error);
  if (saved == NULL)
    return FALSE;
  g_free (self->flow_id);
  self->flow_id = g_steal_pointer (&saved);
  return TRUE;
}

/* The answer to DELETE names the flow; the cache then forgets it. */
static gboolean
ignore_answer (KehuSettingsView  *self,
               const char        *table,
               const char        *id,
               JsonNode          *answer,
               GError           **error)
{
  return TRUE;
}

static gboolean
on_flow_save_cb (KehuApprovalFlowEditor *editor,
                 const char             *flow_id,
                 JsonObject             *request,
                 KehuSettingsView       *self)
{
  g_autofree char *path = flow_id ? g_strdup_printf ("/approval-flows/%s", flow_id) : g_strdup ("/approval-flows");

  admin_change_select (self, flow_id ? "PATCH" : "POST", path, request, "approval_flows", NULL,
                       local_flow_write, flow_id, _("Approval flow saved"), &self->flow_id);
  return TRUE;
}

static gboolean
on_flow_delete_cb (KehuApprovalFlowEditor *editor,
                   const char             *flow_id,
                   KehuSettingsView       *self)
{
  g_autofree char *path = g_strdup_printf ("/approval-flows/%s", flow_id);
  g_autoptr(GPtrArray) requests = g_ptr_array_new_with_free_func ((GDestroyNotify) request_free);

  g_ptr_array_add (requests, request_new ("DELETE", path, NULL, NULL, "approval_flows", ignore_answer, flow_id));
  g_clear_pointer (&self->flow_id, g_free);
  admin_change_requests (self, requests, local_flow_write, flow_id, NULL, _("Approval flow deleted"), NULL);
  return TRUE;
}

/* The flow editor lives with the approvals; it validates every flow with
 * the engine before saving and shows the error beside its step. Saving
 * and deleting go through admin_change like every other setting. */
static GtkWidget *
build_approval_flows (KehuSettingsView *self)
{
  GtkWidget *editor = kehu_approval_flow_editor_new (self->store, self->user_id);

  gtk_widget_set_name (editor, "approval-flow-editor");
  g_signal_connect_object (editor, "save-flow", G_CALLBACK (on_flow_save_cb), self, 0);
  g_signal_connect_object (editor, "delete-flow", G_CALLBACK (on_flow_delete_cb), self, 0);
  /* The flow just saved stays in the form. */
  if (self->flow_id != NULL &&
      !kehu_approval_flow_editor_load (KEHU_APPROVAL_FLOW_EDITOR (editor), self->flow_id))
    {
      g_clear_pointer (&self->flow_id, g_free);
      kehu_approval_flow_editor_new_flow (KEHU_APPROVAL_FLOW_EDITOR (editor));
    }
  return editor;
}

static GtkWidget *
build_recycle_bin (KehuSettingsView *self)
{
  g_autoptr(JsonArray) rows = kehu_admin_list_deleted (self->store, NULL);
  GtkWidget *content, *result, *list;

  result = page (_("Recycle Bin"),
                 _("Deleted records of every module. Anyone may restore; only administrators purge. A record whose customer or contract is deleted can be restored after it."),
                 &content);
  list = boxed_list ("recycle-bin", _("Recycle Bin"));
  for (guint i = 0; rows && i < json_array_get_length (rows); i++)
    {
      JsonObject *r = json_array_get_object_element (rows, i);
      const char *module = str_member (r, "module");
      g_autofree char *when = kehu_display_time (str_member (r, "deleted_at"));
      g_autofree char *title = g_str_equal (module, "payment_plans")
        ? g_strdup_printf (_("Instalment %s"), str_member (r, "title") ?: "")
        : g_strdup (str_member (r, "title") ?: _("(untitled)"));
      g_autofree char *sub = g_strdup_printf (_("%s · deleted %s"), kehu_display_module_singular (module), when);
      g_autofree char *restore_label = g_strdup_printf (_("Restore %s"), title);
      GtkWidget *row = row_with_title (title, sub);
      GtkWidget *restore = gtk_button_new_with_label (_("Restore"));
      GtkWidget *purge = icon_button ("user-trash-full-symbolic", NULL);
      g_autofree char *purge_label = g_strdup_printf (_("Purge %s for good"), title);

      gtk_widget_set_name (row, str_member (r, "id"));
      gtk_widget_set_name (restore, "restore");
      gtk_widget_set_valign (restore, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (restore), GTK_ACCESSIBLE_PROPERTY_LABEL, restore_label, -1);
      gtk_widget_set_name (purge, "purge");
      gtk_widget_set_tooltip_text (purge, purge_label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (purge), GTK_ACCESSIBLE_PROPERTY_LABEL, purge_label, -1);
      gtk_widget_add_css_class (purge, "error");
      gtk_widget_set_visible (purge, self->is_admin);
      for (guint k = 0; k < 2; k++)
        {
          GtkWidget *b = k == 0 ? restore : purge;
          g_object_set_data_full (G_OBJECT (b), "kehu-module", g_strdup (module), g_free);
          g_object_set_data_full (G_OBJECT (b), "kehu-id", g_strdup (str_member (r, "id")), g_free);
          g_object_set_data_full (G_OBJECT (b), "kehu-title", g_strdup (title), g_free);
        }
      g_signal_connect_object (restore, "clicked", G_CALLBACK (on_restore_cb), self, 0);
      g_signal_connect_object (purge, "clicked", G_CALLBACK (on_purge_cb), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), restore);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), purge);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  if (rows == NULL || json_array_get_length (rows) == 0)
    gtk_list_box_append (GTK_LIST_BOX (list),
                         row_with_title (_("The recycle bin is empty"), _("Deleted records wait here until someone restores or purges them.")));
  gtk_box_append (GTK_BOX (content), list);
  return result;
}

/* GObject ------------------------------------------------------------------------------------------- */

static void
on_section_activated_cb (KehuSettingsView *self,
                         GtkListBoxRow    *row)
{
  kehu_settings_view_show_section (self, gtk_widget_get_name (GTK_WIDGET (row)));
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
kehu_settings_view_dispose (GObject *object)
{
  KehuSettingsView *self = (KehuSettingsView *)object;

  if (self->dialog)
    gtk_window_destroy (GTK_WINDOW (self->dialog));
  g_clear_pointer (&self->outer_stack, gtk_widget_unparent);
  G_OBJECT_CLASS (kehu_settings_view_parent_class)->dispose (object);
}

static void
kehu_settings_view_finalize (GObject *object)
{
  KehuSettingsView *self = (KehuSettingsView *)object;

  g_clear_object (&self->schema);
  g_clear_object (&self->store);
  g_clear_object (&self->client);
  g_free (self->user_id);
  g_free (self->section);
  g_free (self->role_id);
  g_free (self->stage_group_id);
  g_free (self->pool_id);
  g_free (self->custom_module);
  g_free (self->dictionary_id);
  g_free (self->flow_id);
  G_OBJECT_CLASS (kehu_settings_view_parent_class)->finalize (object);
}

static void
kehu_settings_view_class_init (KehuSettingsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kehu_settings_view_dispose;
  object_class->finalize = kehu_settings_view_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/kehu/Kehu/ui/kehu-settings-view.ui");
  gtk_widget_class_bind_template_child (widget_class, KehuSettingsView, outer_stack);
  gtk_widget_class_bind_template_child (widget_class, KehuSettingsView, leaflet);
  gtk_widget_class_bind_template_child (widget_class, KehuSettingsView, section_list);
  gtk_widget_class_bind_template_child (widget_class, KehuSettingsView, section_stack);
  gtk_widget_class_bind_template_child (widget_class, KehuSettingsView, banner);
  gtk_widget_class_bind_template_child (widget_class, KehuSettingsView, banner_label);
  gtk_widget_class_bind_template_child (widget_class, KehuSettingsView, banner_spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_section_activated_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
kehu_settings_view_init (KehuSettingsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
    {
      GtkWidget *row = gtk_list_box_row_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      GtkWidget *label = gtk_label_new (_(sections[i].title));

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name (sections[i].icon));
      gtk_box_append (GTK_BOX (box), label);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
      gtk_widget_set_name (row, sections[i].name);
      gtk_list_box_append (self->section_list, row);
    }
}

KehuSettingsView *
kehu_settings_view_new (KehuStore *store)
{
  KehuSettingsView *self = g_object_new (KEHU_TYPE_SETTINGS_VIEW, NULL);
  g_autoptr(GError) error = NULL;

  self->store = g_object_ref (store);
  self->schema = kehu_schema_new (store, &error);
  if (self->schema == NULL)
    g_warning ("Settings cannot read the schema: %s", error->message);
  kehu_settings_view_set_user_id (self, NULL);
  return self;
}

/**
 * kehu_settings_view_set_user_id:
 * @user_id: (nullable): the signed-in user; %NULL for a local store without
 *   accounts, which is its own super administrator
 */
void
kehu_settings_view_set_user_id (KehuSettingsView *self,
                                const char       *user_id)
{
  g_free (self->user_id);
  self->user_id = g_strdup (user_id);

  if (user_id == NULL)
    self->is_admin = TRUE;
  else
    {
      g_autoptr(KehuPerm) perm = kehu_perm_load (self->store, user_id, NULL);

      self->is_admin = perm != NULL && kehu_perm_is_enabled (perm) &&
                       (kehu_perm_is_super_admin (perm) || kehu_perm_has (perm, "role.edit"));
    }

  gtk_stack_set_visible_child_name (GTK_STACK (self->outer_stack), self->is_admin ? "settings" : "denied");
  kehu_settings_view_reload (self);
}

gboolean
kehu_settings_view_is_allowed (KehuSettingsView *self)
{
  return self->is_admin;
}

void
kehu_settings_view_reload (KehuSettingsView *self)
{
  if (self->schema)
    kehu_schema_reload (self->schema, NULL);
  kehu_settings_view_show_section (self, self->section ? self->section : "departments");
}

void
kehu_settings_view_show_section (KehuSettingsView *self,
                                 const char       *section)
{
  GtkWidget *old;
  GtkWidget *page_widget = NULL;
  g_autofree char *name = g_strdup (section);

  if (!self->is_admin || self->outer_stack == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
    if (g_strcmp0 (sections[i].name, name) == 0)
      page_widget = sections[i].build (self);
  if (page_widget == NULL)
    return;

  g_free (self->section);
  self->section = g_strdup (name);

  /* Sections are rebuilt from the store on every visit: they are small. */
  if ((old = gtk_stack_get_child_by_name (self->section_stack, name)) != NULL)
    gtk_stack_remove (self->section_stack, old);
  gtk_stack_add_named (self->section_stack, page_widget, name);
  gtk_stack_set_visible_child (self->section_stack, page_widget);
  update_mode (self);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->section_list)); row;
       row = gtk_widget_get_next_sibling (row))
    if (GTK_IS_LIST_BOX_ROW (row) && g_strcmp0 (gtk_widget_get_name (row), name) == 0 &&
        gtk_list_box_get_selected_row (self->section_list) != GTK_LIST_BOX_ROW (row))
      gtk_list_box_select_row (self->section_list, GTK_LIST_BOX_ROW (row));
}

GtkWidget *
kehu_settings_view_find (KehuSettingsView *self,
                         const char       *name)
{
  GtkWidget *visible = gtk_stack_get_visible_child (self->section_stack);
  return visible ? find_named (visible, name) : NULL;
}

GtkWidget *
kehu_settings_view_get_dialog (KehuSettingsView *self)
{
  return self->dialog;
}

/**
 * kehu_settings_view_set_sync_client:
 * @client: (nullable): the app's link to the server whose cache the store is
 *
 * On a cache, settings are then changed on the server while it answers,
 * and read-only while it does not.
 */
void
kehu_settings_view_set_sync_client (KehuSettingsView *self,
                                    KehuSyncClient   *client)
{
  g_return_if_fail (KEHU_IS_SETTINGS_VIEW (self));

  if (self->client != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->client, on_client_state_cb, self);
      g_signal_handlers_disconnect_by_func (self->client, on_client_changed_cb, self);
    }
  g_set_object (&self->client, client);
  if (client != NULL)
    {
      g_signal_connect_object (client, "notify::state", G_CALLBACK (on_client_state_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (client, "changed", G_CALLBACK (on_client_changed_cb), self, G_CONNECT_SWAPPED);
    }
  self->mode = current_mode (self);
  update_mode (self);
}

/* For tests: a change is on its way to the server. */
gboolean
kehu_settings_view_is_busy (KehuSettingsView *self)
{
  return self->busy;
}

/* For tests: the banner's text, NULL while it is hidden. */
const char *
kehu_settings_view_get_banner (KehuSettingsView *self)
{
  if (!gtk_revealer_get_reveal_child (GTK_REVEALER (self->banner)))
    return NULL;
  return gtk_label_get_text (GTK_LABEL (self->banner_label));
}

/* kehu-application.c: the Kehu desktop application
 *
 * Owns the settings, the application-wide actions (quit, preferences,
 * about) and their accelerators, and the --server option that points this
 * run at a server without touching the saved preference.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-app"

#include "config.h"

#include <locale.h>
#include <stdlib.h>

#include <glib/gi18n.h>

#include "kehu-application.h"
#include "kehu-conflicts-window.h"
#include "kehu-preferences-window.h"
#include "kehu-reminders.h"
#include "kehu-resources.h"
#include "kehu-sync-engine.h"
#include "kehu-token-store.h"
#include "kehu-version.h"
#include "kehu-window.h"

struct _KehuApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  char           *server_url_override;
  KehuSyncClient *sync_client;
  KehuStore      *store;
  GError         *store_error;
  KehuReminders  *reminders;
  KehuSchema     *schema;
  KehuContext    *context;
};

G_DEFINE_FINAL_TYPE (KehuApplication, kehu_application, ADW_TYPE_APPLICATION)

void
kehu_init_i18n (void)
{
  /* KEHU_LOCALEDIR lets an uninstalled build (tests, build-aux/dev run) use
   * the catalogues compiled in the build folder. */
  const char *localedir = g_getenv ("KEHU_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

void
kehu_ensure_resources (void)
{
  /* The resource lives in a static library, whose constructor the linker
   * would drop: register it by hand, once. */
  static gsize registered = 0;

  if (g_once_init_enter (&registered))
    {
      kehu_register_resource ();
      g_once_init_leave (&registered, 1);
    }
}

static void
apply_color_scheme (KehuApplication *self)
{
  g_autofree char *scheme = g_settings_get_string (self->settings, "color-scheme");
  AdwStyleManager *manager = adw_style_manager_get_default ();

  if (g_strcmp0 (scheme, "light") == 0)
    adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  else if (g_strcmp0 (scheme, "dark") == 0)
    adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  else
    adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
}

static void
on_color_scheme_changed_cb (KehuApplication *self)
{
  apply_color_scheme (self);
}

/* The local records: one file per account once sync signs in (DESIGN.md);
 * without a server, a single local store. */
static char *
kehu_application_dup_store_path (KehuApplication *self)
{
  g_autofree char *url = kehu_application_dup_server_url (self);
  g_autofree char *user_id = g_settings_get_string (self->settings, "sync-user-id");

  /* Each server and user its own cache, kept when switching accounts. */
  if (url[0] != '\0' && user_id[0] != '\0')
    return kehu_sync_cache_path (g_get_user_data_dir (), url, user_id);
  return g_build_filename (g_get_user_data_dir (), "kehu", "local.db", NULL);
}

static void
on_server_url_changed_cb (KehuApplication *self)
{
  g_autofree char *url = kehu_application_dup_server_url (self);

  kehu_sync_client_set_server_url (self->sync_client, url);
}

static void
quit_activated_cb (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  GApplication *app = user_data;
  g_autoptr(GList) windows = NULL;

  /* Closing the windows first lets them save their size and state. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app)));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);

  g_application_quit (app);
}

static void
preferences_activated_cb (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  KehuApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  KehuPreferencesWindow *prefs;

  prefs = kehu_preferences_window_new (self->settings);
  gtk_window_set_transient_for (GTK_WINDOW (prefs), parent);
  gtk_window_present (GTK_WINDOW (prefs));
}

static void
about_activated_cb (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  KehuApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  static const char *developers[] = { "The Kehu developers", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "application-icon", APPLICATION_ID,
                        "application-name", _("Kehu"),
                        "developer-name", _("The Kehu developers"),
                        "version", KEHU_VERSION,
                        "comments", _("An offline-first CRM for sales teams: leads, customers, opportunities, contracts and payments, on your desktop, with or without a network."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        /* Translators: put your names here, one per line. */
                        "translator-credits", _("translator-credits"),
                        "copyright", "© 2026 The Kehu developers",
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

/* A reminder's notification opens the record it is about. */
static void
open_record_activated_cb (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  GApplication *app = user_data;
  GtkWindow *window;

  g_application_activate (app);
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (window != NULL)
    {
      gtk_widget_activate_action_variant (GTK_WIDGET (window), "win.open-record", parameter);
      gtk_window_present (window);
    }
}

static void
sync_now_activated_cb (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  KehuApplication *self = user_data;

  kehu_sync_client_check (self->sync_client);
  kehu_sync_client_sync_now (self->sync_client);
}

/* Another account signed in: its own cache becomes the app's store, and
 * the windows make their pages again on it. The sync that sign-in started
 * fills it; the windows reload on the sync client's "changed". */
static void
open_account_store (KehuApplication *self)
{
  g_autofree char *path = kehu_sync_client_dup_cache_path (self->sync_client);
  g_autofree char *dir = NULL;
  g_autoptr(KehuStore) store = NULL;
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    return;
  dir = g_path_get_dirname (path);
  if (self->store != NULL && g_strcmp0 (kehu_store_get_path (self->store), path) == 0)
    return;
  g_mkdir_with_parents (dir, 0700);
  store = kehu_store_open (path, &error);
  if (store == NULL || (!g_str_has_suffix (path, "local.db") && !kehu_sync_mark_cache (store, &error)))
    {
      g_warning ("Cannot open the cache of the signed-in account: %s", error->message);
      return;
    }

  g_clear_object (&self->reminders);
  g_clear_object (&self->context);
  g_clear_object (&self->schema);
  g_set_object (&self->store, store);
  g_clear_error (&self->store_error);
  self->reminders = kehu_reminders_new (G_APPLICATION (self), self->store);
  kehu_sync_client_set_store (self->sync_client, self->store);

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (KEHU_IS_WINDOW (l->data))
      kehu_window_reload_store (l->data);
}

static void
signed_in_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(KehuApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *keyring_error = NULL;
  g_autofree char *user_id = NULL;
  g_autofree char *phone = g_object_steal_data (G_OBJECT (self), "kehu-sign-in-phone");
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  AdwMessageDialog *dialog;

  user_id = kehu_sync_client_sign_in_finish (KEHU_SYNC_CLIENT (object), result, &keyring_error, &error);
  if (user_id == NULL)
    {
      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (window, _("Sign-in failed"), error->message));
      adw_message_dialog_add_response (dialog, "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  g_settings_set_string (self->settings, "sync-phone", phone ? phone : "");
  g_settings_set_string (self->settings, "sync-user-id", user_id);
  if (keyring_error != NULL)
    {
      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (window, _("Signed in for this session only"), keyring_error));
      adw_message_dialog_add_response (dialog, "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
}

static void
sign_in_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     KehuApplication  *self)
{
  GtkEditable *server = g_object_get_data (G_OBJECT (dialog), "server");
  GtkEditable *phone = g_object_get_data (G_OBJECT (dialog), "phone");
  GtkEditable *password = g_object_get_data (G_OBJECT (dialog), "password");

  if (g_strcmp0 (response, "sign-in") != 0)
    return;
  g_settings_set_string (self->settings, "server-url", gtk_editable_get_text (server));
  kehu_sync_client_set_server_url (self->sync_client, gtk_editable_get_text (server));
  g_object_set_data_full (G_OBJECT (self), "kehu-sign-in-phone", g_strdup (gtk_editable_get_text (phone)), g_free);
  kehu_sync_client_sign_in_async (self->sync_client, gtk_editable_get_text (phone), gtk_editable_get_text (password),
                                  NULL, signed_in_cb, g_object_ref (self));
}

/* Server address, phone and password: POST /api/v1/auth/login once; the
 * token then lives in the keyring. */
static void
sign_in_activated_cb (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer      user_data)
{
  KehuApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autofree char *url = kehu_application_dup_server_url (self);
  g_autofree char *phone_text = g_settings_get_string (self->settings, "sync-phone");
  AdwMessageDialog *dialog;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *server = gtk_entry_new ();
  GtkWidget *phone = gtk_entry_new ();
  GtkWidget *password = gtk_password_entry_new ();

  gtk_entry_set_placeholder_text (GTK_ENTRY (server), _("Server address, e.g. http://crm.example.com:8765"));
  gtk_editable_set_text (GTK_EDITABLE (server), url);
  gtk_entry_set_placeholder_text (GTK_ENTRY (phone), _("Phone"));
  gtk_entry_set_input_purpose (GTK_ENTRY (phone), GTK_INPUT_PURPOSE_PHONE);
  gtk_editable_set_text (GTK_EDITABLE (phone), phone_text);
  gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (password), TRUE);
  g_object_set (password, "placeholder-text", _("Password"), NULL);
  gtk_box_append (GTK_BOX (box), server);
  gtk_box_append (GTK_BOX (box), phone);
  gtk_box_append (GTK_BOX (box), password);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (window, _("Sign In to the Server"),
                                                       _("Your changes are kept on this computer and sync when the server can be reached.")));
  adw_message_dialog_set_extra_child (dialog, box);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "sign-in", _("_Sign In"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "sign-in", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "sign-in");
  g_object_set_data (G_OBJECT (dialog), "server", server);
  g_object_set_data (G_OBJECT (dialog), "phone", phone);
  g_object_set_data (G_OBJECT (dialog), "password", password);
  g_signal_connect_object (dialog, "response", G_CALLBACK (sign_in_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Reachable from the sync indicator's popover. */
static void
conflicts_activated_cb (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  KehuApplication *self = user_data;
  g_autofree char *user_id = g_settings_get_string (self->settings, "sync-user-id");
  g_autoptr(KehuSchema) schema = NULL;
  g_autoptr(KehuContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  KehuConflictsWindow *window;

  if (self->store == NULL || !(schema = kehu_schema_new (self->store, &error)))
    return;
  ctx = kehu_context_new (schema, user_id[0] ? user_id : NULL);
  window = kehu_conflicts_window_new (ctx);
  gtk_window_set_transient_for (GTK_WINDOW (window), gtk_application_get_active_window (GTK_APPLICATION (self)));
  gtk_window_present (GTK_WINDOW (window));
}

static const GActionEntry app_actions[] = {
  { "open-record", open_record_activated_cb, "(ss)" },
  { "conflicts", conflicts_activated_cb },
  { "sync-now", sync_now_activated_cb },
  { "sign-in", sign_in_activated_cb },
  { "quit", quit_activated_cb },
  { "preferences", preferences_activated_cb },
  { "about", about_activated_cb },
};

static void
on_store_error_response_cb (GApplication *app)
{
  g_application_quit (app);
}

static void
kehu_application_activate (GApplication *app)
{
  KehuApplication *self = KEHU_APPLICATION (app);
  GtkWindow *window;

  if (self->store == NULL)
    {
      /* Without its records the app has nothing to show: say why, and let
       * the user close it rather than work on an empty database. */
      GtkWidget *dialog = adw_message_dialog_new (NULL, _("Cannot Open Your Records"),
                                                  self->store_error ? self->store_error->message : NULL);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (app));
      g_signal_connect_object (dialog, "response",
                               G_CALLBACK (on_store_error_response_cb), app,
                               G_CONNECT_SWAPPED);
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }

  /* Reminders run while the app runs for a user, not when a test or a
   * remote activation merely registers it. */
  if (self->reminders != NULL)
    {
      KehuContext *context = kehu_application_get_context (self);

      kehu_reminders_set_user_id (self->reminders, context ? kehu_context_get_user_id (context) : NULL);
      kehu_reminders_start (self->reminders);
    }

  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (window == NULL)
    window = GTK_WINDOW (kehu_window_new (self));

  gtk_window_present (window);
}

static void
kehu_application_startup (GApplication *app)
{
  KehuApplication *self = KEHU_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *prefs_accels[] = { "<Control>comma", NULL };
  static const char *search_accels[] = { "<Control>f", NULL };
  static const char *new_accels[] = { "<Control>n", NULL };
  static const char *sync_accels[] = { "<Control>r", NULL };

  G_APPLICATION_CLASS (kehu_application_parent_class)->startup (app);

  gtk_window_set_default_icon_name (APPLICATION_ID);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", prefs_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.search", search_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.new-record", new_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.sync-now", sync_accels);

  apply_color_scheme (self);
  g_signal_connect_object (self->settings, "changed::color-scheme",
                           G_CALLBACK (on_color_scheme_changed_cb), self,
                           G_CONNECT_SWAPPED);

  {
    g_autofree char *path = kehu_application_dup_store_path (self);

    g_autofree char *dir = g_path_get_dirname (path);

    g_mkdir_with_parents (dir, 0700);
    self->store = kehu_store_open (path, &self->store_error);
    if (self->store == NULL)
      g_warning ("%s", self->store_error->message);
    else if (!g_str_has_suffix (path, "local.db") && !kehu_sync_mark_cache (self->store, &self->store_error))
      g_clear_object (&self->store);
    else
      {
        self->reminders = kehu_reminders_new (app, self->store);
      }
  }

  {
    g_autofree char *url = kehu_application_dup_server_url (self);

    g_autofree char *phone = g_settings_get_string (self->settings, "sync-phone");
    g_autofree char *user_id = g_settings_get_string (self->settings, "sync-user-id");

    self->sync_client = kehu_sync_client_new (url);
    /* Signed in before: the token from the keyring, or sign in again. */
    if (url[0] != '\0' && phone[0] != '\0' && user_id[0] != '\0')
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *token = kehu_token_store_lookup (url, phone, &error);

        if (self->store != NULL && kehu_sync_store_is_cache (self->store))
          kehu_sync_client_set_store (self->sync_client, self->store);
        if (token != NULL)
          kehu_sync_client_set_account (self->sync_client, user_id, token);
        else if (error != NULL)
          g_message ("%s", error->message);
      }
    g_signal_connect_object (self->settings, "changed::server-url",
                             G_CALLBACK (on_server_url_changed_cb), self,
                             G_CONNECT_SWAPPED);
    g_signal_connect_object (self->sync_client, "account-changed",
                             G_CALLBACK (open_account_store), self,
                             G_CONNECT_SWAPPED);
  }
}

/* kehu --sync: the signed-in account once, no window (scripts, a timer on
 * a field laptop, tests). KEHU_SYNC_TOKEN and KEHU_SYNC_USER_ID stand in
 * for the keyring and the settings where neither exists. */
static int
sync_once (KehuApplication *self)
{
  g_autofree char *url = kehu_application_dup_server_url (self);
  g_autofree char *phone = g_settings_get_string (self->settings, "sync-phone");
  g_autofree char *user_id = g_settings_get_string (self->settings, "sync-user-id");
  g_autofree char *token = NULL;
  g_autofree char *path = NULL;
  g_autoptr(KehuSyncEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  KehuSyncStats stats = { 0 };
  int status;

  if (url[0] == '\0')
    {
      g_printerr (_("kehu: no server is set: choose one in Preferences or with --server\n"));
      return 2;
    }
  if (g_getenv ("KEHU_SYNC_USER_ID") != NULL)
    {
      g_free (user_id);
      user_id = g_strdup (g_getenv ("KEHU_SYNC_USER_ID"));
    }
  if (g_getenv ("KEHU_SYNC_TOKEN") != NULL)
    token = g_strdup (g_getenv ("KEHU_SYNC_TOKEN"));
  else if (phone[0] != '\0')
    token = kehu_token_store_lookup (url, phone, &error);
  if (token == NULL || user_id[0] == '\0')
    {
      g_printerr (_("kehu: not signed in to %s: open Kehu and sign in first%s%s\n"), url,
                  error ? ": " : "", error ? error->message : "");
      return 2;
    }

  path = kehu_sync_cache_path (g_get_user_data_dir (), url, user_id);
  engine = kehu_sync_engine_new (path, url, user_id, &error);
  if (engine != NULL)
    {
      const char *push = g_getenv ("KEHU_SYNC_PUSH_BATCH");
      const char *pull = g_getenv ("KEHU_SYNC_PULL_LIMIT");

      /* Smaller requests for slow links (and for the kill tests). */
      if (push != NULL || pull != NULL)
        kehu_sync_engine_set_batch (engine, push ? atoi (push) : 200, pull ? atoi (pull) : 2000);
      kehu_sync_engine_set_token (engine, token);
      kehu_sync_engine_run (engine, &stats, NULL, &error);
    }
  if (error != NULL)
    {
      g_printerr (_("kehu: sync failed: %s\n"), error->message);
      status = 1;
    }
  else
    status = 0;
  /* One line, whatever happened: what went through before a failure counts. */
  g_print (_("pushed %u, pulled %u, conflicts %u, rejected %u\n"),
           stats.pushed, stats.pulled, stats.conflicts, stats.rejected);
  for (guint i = 0; stats.messages && i < stats.messages->len; i++)
    g_printerr (_("kehu: rejected: %s\n"), (const char *) g_ptr_array_index (stats.messages, i));
  kehu_sync_stats_clear (&stats);
  return status;
}

static int
kehu_application_handle_local_options (GApplication *app,
                                       GVariantDict *options)
{
  KehuApplication *self = KEHU_APPLICATION (app);
  const char *server = NULL;

  if (g_variant_dict_lookup (options, "version", "b", NULL))
    {
      g_print ("kehu %s\n", KEHU_VERSION);
      return 0;
    }

  if (g_variant_dict_lookup (options, "server", "&s", &server))
    {
      g_autoptr(GUri) uri = g_uri_parse (server, G_URI_FLAGS_NONE, NULL);

      if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
                          g_strcmp0 (g_uri_get_scheme (uri), "https") != 0))
        {
          g_printerr (_("kehu: “%s” is not an http:// or https:// address\n"), server);
          return 2;
        }

      g_free (self->server_url_override);
      self->server_url_override = g_strdup (server);
    }

  if (g_variant_dict_lookup (options, "sync", "b", NULL))
    return sync_once (self);

  return -1;
}

static void
kehu_application_finalize (GObject *object)
{
  KehuApplication *self = (KehuApplication *)object;

  g_clear_object (&self->sync_client);
  g_clear_object (&self->reminders);
  g_clear_object (&self->context);
  g_clear_object (&self->schema);
  g_clear_object (&self->store);
  g_clear_error (&self->store_error);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->server_url_override, g_free);

  G_OBJECT_CLASS (kehu_application_parent_class)->finalize (object);
}

static void
kehu_application_class_init (KehuApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = kehu_application_finalize;

  app_class->activate = kehu_application_activate;
  app_class->startup = kehu_application_startup;
  app_class->handle_local_options = kehu_application_handle_local_options;

  kehu_ensure_resources ();
}

static void
kehu_application_init (KehuApplication *self)
{
  static const GOptionEntry options[] = {
    { "server", 's', 0, G_OPTION_ARG_STRING, NULL,
      N_("Use this server for this run (for example http://127.0.0.1:8765)"), N_("URL") },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Print the version and exit"), NULL },
    { "sync", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Sync the signed-in account once, print a summary and exit"), NULL },
    { NULL }
  };

  self->settings = g_settings_new (APPLICATION_ID);
  g_application_add_main_option_entries (G_APPLICATION (self), options);
}

KehuApplication *
kehu_application_new (void)
{
  return g_object_new (KEHU_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/org/kehu/Kehu",
                       NULL);
}

/**
 * kehu_application_get_sync_client:
 *
 * Returns: (transfer none): the link to the server, made at startup
 */
KehuSyncClient *
kehu_application_get_sync_client (KehuApplication *self)
{
  g_return_val_if_fail (KEHU_IS_APPLICATION (self), NULL);
  return self->sync_client;
}

/**
 * kehu_application_get_store:
 *
 * Returns: (transfer none) (nullable): the open store, or %NULL when it
 *   could not be opened (the app then shows why and quits)
 */
KehuStore *
kehu_application_get_store (KehuApplication *self)
{
  g_return_val_if_fail (KEHU_IS_APPLICATION (self), NULL);
  return self->store;
}

/**
 * kehu_application_get_reminders:
 *
 * Returns: (transfer none) (nullable): what turns schedule reminders into
 *   notifications, or %NULL without a store
 */
KehuReminders *
kehu_application_get_reminders (KehuApplication *self)
{
  g_return_val_if_fail (KEHU_IS_APPLICATION (self), NULL);
  return self->reminders;
}

/**
 * kehu_application_get_schema:
 *
 * Returns: (transfer none) (nullable): the description of the modules of
 *   the open store, loaded on first use
 */
KehuSchema *
kehu_application_get_schema (KehuApplication *self)
{
  g_return_val_if_fail (KEHU_IS_APPLICATION (self), NULL);

  if (self->schema == NULL && self->store != NULL)
    {
      g_autoptr(GError) error = NULL;

      self->schema = kehu_schema_new (self->store, &error);
      if (self->schema == NULL)
        g_warning ("Cannot read the modules of the store: %s", error->message);
    }
  return self->schema;
}

/* Without a server the local store has one user, its super administrator:
 * the first one found, or one made for this computer's user. */
static char *
find_or_make_local_user (KehuStore *store)
{
  sqlite3 *db = kehu_store_get_db (store);
  sqlite3_stmt *stmt = NULL;
  char *id = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT id FROM users WHERE is_super_admin = 1 AND is_enabled = 1"
                              " AND deleted_at IS NULL ORDER BY created_at, id LIMIT 1",
                          -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  if (id != NULL)
    return id;

  id = g_uuid_string_random ();
  if (sqlite3_prepare_v2 (db, "INSERT INTO users (id, created_at, updated_at, phone, name,"
                              " department_id, is_super_admin)"
                              " VALUES (?1, strftime ('%Y-%m-%dT%H:%M:%SZ', 'now'),"
                              " strftime ('%Y-%m-%dT%H:%M:%SZ', 'now'), 'local', ?2,"
                              " (SELECT id FROM departments WHERE parent_id IS NULL ORDER BY created_at LIMIT 1), 1)",
                          -1, &stmt, NULL) == SQLITE_OK)
    {
      const char *name = g_get_real_name ();

      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, name && *name && g_strcmp0 (name, "Unknown") != 0 ? name : g_get_user_name (),
                         -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        g_warning ("Cannot add the local user: %s", sqlite3_errmsg (db));
    }
  sqlite3_finalize (stmt);
  return id;
}

/**
 * kehu_application_get_context:
 *
 * Returns: (transfer none) (nullable): who acts on the records of the
 *   open store: the signed-in user, or the local store's own user
 */
KehuContext *
kehu_application_get_context (KehuApplication *self)
{
  g_return_val_if_fail (KEHU_IS_APPLICATION (self), NULL);

  if (self->context == NULL && kehu_application_get_schema (self) != NULL)
    {
      g_autofree char *user_id = find_or_make_local_user (self->store);

      self->context = kehu_context_new (self->schema, user_id);
    }
  return self->context;
}

GSettings *
kehu_application_get_settings (KehuApplication *self)
{
  g_return_val_if_fail (KEHU_IS_APPLICATION (self), NULL);
  return self->settings;
}

/**
 * kehu_application_dup_server_url:
 *
 * Returns: (transfer full): the server to sync with: --server when given,
 *   else the preference; an empty string means local only
 */
char *
kehu_application_dup_server_url (KehuApplication *self)
{
  g_return_val_if_fail (KEHU_IS_APPLICATION (self), NULL);

  if (self->server_url_override != NULL)
    return g_strdup (self->server_url_override);

  return g_settings_get_string (self->settings, "server-url");
}

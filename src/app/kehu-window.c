/* kehu-window.c: the main window
 *
 * A sidebar of the modules of SPEC.md beside a stack of their pages, in an
 * AdwLeaflet so that it folds on narrow screens. The current module is the
 * state of the "win.module" action, so the sidebar, keyboard shortcuts and
 * tests all switch pages the same way; it is remembered in GSettings, as
 * are the window's size and maximized state.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-app"

#include "config.h"

#include <glib/gi18n.h>

#include "kehu-approvals-view.h"
#include "kehu-dashboard-view.h"
#include "kehu-drill-dialog.h"
#include "kehu-reports-view.h"
#include "kehu-display.h"
#include "kehu-global-search.h"
#include "kehu-pages.h"
#include "kehu-record-detail-view.h"
#include "kehu-record-list-view.h"
#include "kehu-settings-view.h"
#include "kehu-tasks-view.h"
#include "kehu-window.h"

struct _KehuWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;

  AdwLeaflet           *leaflet;
  GtkListBox           *sidebar;
  GtkStack             *stack;
  GtkStack             *content_stack;
  GtkWidget            *record_back_button;
  AdwToastOverlay      *toast_overlay;
  KehuRecordDetailView *detail_view;
  AdwWindowTitle       *content_title;
  KehuSyncIndicator    *sync_indicator;
  KehuGlobalSearch     *global_search;
  GtkWindow            *products_window;
};

G_DEFINE_FINAL_TYPE (KehuWindow, kehu_window, ADW_TYPE_APPLICATION_WINDOW)

static GtkWidget *
create_sidebar_row (const KehuPageInfo *info)
{
  GtkWidget *row, *box, *image, *label;

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  image = gtk_image_new_from_icon_name (info->icon_name);
  label = gtk_label_new (_(info->title));
  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (box), image);
  gtk_box_append (GTK_BOX (box), label);

  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_widget_set_name (row, info->id);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _(info->title),
                                  -1);
  g_object_set_data (G_OBJECT (row), "kehu-page-info", (gpointer) info);

  return row;
}

static void
sidebar_header_func (GtkListBoxRow *row,
                     GtkListBoxRow *before,
                     gpointer       user_data)
{
  const KehuPageInfo *info = g_object_get_data (G_OBJECT (row), "kehu-page-info");
  const KehuPageInfo *prev = before ? g_object_get_data (G_OBJECT (before), "kehu-page-info") : NULL;

  if (prev != NULL && prev->group != info->group)
    {
      if (gtk_list_box_row_get_header (row) == NULL)
        gtk_list_box_row_set_header (row, gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
    }
  else
    gtk_list_box_row_set_header (row, NULL);
}

static GtkListBoxRow *
find_row (KehuWindow *self,
          const char *module)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->sidebar));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LIST_BOX_ROW (child) && g_strcmp0 (gtk_widget_get_name (child), module) == 0)
        return GTK_LIST_BOX_ROW (child);
    }

  return NULL;
}

static void show_detail (KehuWindow *self,
                         gboolean    shown);

static void
module_change_state_cb (GSimpleAction *action,
                        GVariant      *value,
                        gpointer       user_data)
{
  KehuWindow *self = user_data;
  const char *module = g_variant_get_string (value, NULL);
  const KehuPageInfo *info = kehu_pages_lookup (module);
  GtkListBoxRow *row;

  if (info == NULL)
    {
      g_warning ("Unknown module “%s”", module);
      return;
    }

  g_simple_action_set_state (action, value);

  show_detail (self, FALSE);
  gtk_stack_set_visible_child_name (self->stack, module);
  adw_window_title_set_title (self->content_title, _(info->title));

  row = find_row (self, module);
  if (row != NULL && gtk_list_box_get_selected_row (self->sidebar) != row)
    gtk_list_box_select_row (self->sidebar, row);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
  g_settings_set_string (self->settings, "last-module", module);
}

static void
on_detail_title_changed_cb (KehuWindow *self)
{
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "detail") == 0)
    {
      adw_window_title_set_title (self->content_title,
                                  kehu_record_detail_view_get_title (self->detail_view));
      adw_window_title_set_subtitle (self->content_title,
                                     kehu_display_module_singular (kehu_record_detail_view_get_module (self->detail_view)));
    }
}

/* The detail page of a record lies over its module's list; the back button,
 * Escape and Alt+Left return to the list. */
static void
show_detail (KehuWindow *self,
             gboolean    shown)
{
  const char *module = kehu_window_get_module (self);
  const KehuPageInfo *info = module ? kehu_pages_lookup (module) : NULL;

  gtk_stack_set_visible_child_name (self->content_stack, shown ? "detail" : "modules");
  gtk_widget_set_visible (self->record_back_button, shown);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "close-record")),
                               shown);

  if (shown)
    on_detail_title_changed_cb (self);
  else
    {
      adw_window_title_set_subtitle (self->content_title, NULL);
      if (info != NULL)
        adw_window_title_set_title (self->content_title, _(info->title));
    }
}

static void
open_record_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  KehuWindow *self = KEHU_WINDOW (user_data);
  g_autoptr(GError) error = NULL;
  const char *module = NULL;
  const char *id = NULL;
  const char *page;

  g_variant_get (parameter, "(&s&s)", &module, &id);

  if (self->detail_view == NULL)
    return;

  if (!kehu_record_detail_view_load (self->detail_view, module, id, &error))
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }

  page = kehu_display_page_for_module (module);
  if (page != NULL && g_strcmp0 (page, kehu_window_get_module (self)) != 0)
    kehu_window_set_module (self, page);

  show_detail (self, TRUE);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
  gtk_widget_grab_focus (GTK_WIDGET (self->detail_view));
}

static void
close_record_cb (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  KehuWindow *self = KEHU_WINDOW (user_data);
  GtkWidget *page;

  show_detail (self, FALSE);
  page = gtk_stack_get_visible_child (self->stack);
  if (page != NULL)
    gtk_widget_grab_focus (page);
}

static void
on_sidebar_row_activated_cb (KehuWindow    *self,
                             GtkListBoxRow *row)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.module", "s",
                              gtk_widget_get_name (GTK_WIDGET (row)));
}

static void
on_back_clicked_cb (KehuWindow *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
on_sync_client_changed_cb (KehuWindow     *self,
                           GParamSpec     *pspec,
                           KehuSyncClient *client)
{
  kehu_sync_indicator_set_state (self->sync_indicator, kehu_sync_client_get_state (client));
  if (kehu_sync_client_get_state (client) != KEHU_SYNC_STATE_SYNCING)
    kehu_sync_indicator_set_progress (self->sync_indicator, 0, 0);
  kehu_sync_indicator_set_error (self->sync_indicator, kehu_sync_client_get_error (client));
  kehu_sync_indicator_set_pending (self->sync_indicator, kehu_sync_client_get_pending (client));
  if (kehu_sync_client_get_last_sync (client) != NULL)
    kehu_sync_indicator_set_last_sync (self->sync_indicator, kehu_sync_client_get_last_sync (client));
}

static void
on_sync_progress_cb (KehuWindow     *self,
                     guint           received,
                     guint           total,
                     KehuSyncClient *client)
{
  kehu_sync_indicator_set_progress (self->sync_indicator, received, total);
}

static gboolean
touches (const char * const *modules,
         const char * const *wanted)
{
  for (guint i = 0; wanted[i] != NULL; i++)
    if (g_strv_contains (modules, wanted[i]))
      return TRUE;
  return FALSE;
}

/* A sync wrote the cache: each open page reloads once if what it shows
 * changed (the first sync of an account fills them all). */
static void
on_sync_changed_cb (KehuWindow         *self,
                    const char * const *modules,
                    KehuSyncClient     *client)
{
  static const char * const approvals[] = { "approval_instances", "contracts", "payments", "invoices", NULL };
  static const char * const tasks[] = { "tasks", "schedules", NULL };

  for (GtkWidget *page = gtk_widget_get_first_child (GTK_WIDGET (self->stack));
       page != NULL;
       page = gtk_widget_get_next_sibling (page))
    {
      GtkWidget *child = page;

      if (KEHU_IS_RECORD_LIST_VIEW (child))
        {
          const char *module = kehu_record_list_view_get_module (KEHU_RECORD_LIST_VIEW (child));

          if (module != NULL && g_strv_contains (modules, module))
            kehu_record_list_view_reload (KEHU_RECORD_LIST_VIEW (child));
        }
      else if (KEHU_IS_DASHBOARD_VIEW (child))
        kehu_dashboard_view_refresh (KEHU_DASHBOARD_VIEW (child));
      else if (KEHU_IS_REPORTS_VIEW (child))
        kehu_reports_view_refresh (KEHU_REPORTS_VIEW (child));
      else if (KEHU_IS_APPROVALS_VIEW (child) && touches (modules, approvals))
        kehu_approvals_view_refresh (KEHU_APPROVALS_VIEW (child));
      else if (KEHU_IS_TASKS_VIEW (child) && touches (modules, tasks))
        kehu_tasks_view_reload (KEHU_TASKS_VIEW (child));
    }

  if (self->detail_view != NULL && kehu_record_detail_view_get_module (self->detail_view) != NULL &&
      g_strv_contains (modules, kehu_record_detail_view_get_module (self->detail_view)))
    kehu_record_detail_view_reload (self->detail_view);
}

/* The server refused a change made offline: the approvals page marks its
 * item; the record page shows the record as the server has it. */
static void
on_sync_rejected_cb (KehuWindow     *self,
                     const char     *module,
                     const char     *record_id,
                     const char     *action,
                     const char     *message,
                     KehuSyncClient *client)
{
  GtkWidget *approvals = gtk_stack_get_child_by_name (self->stack, "approvals");

  if (g_strcmp0 (module, "approval_instances") == 0 && KEHU_IS_APPROVALS_VIEW (approvals))
    kehu_approvals_view_show_refusal (KEHU_APPROVALS_VIEW (approvals), record_id, message);
  else if (self->detail_view != NULL &&
           g_strcmp0 (kehu_record_detail_view_get_module (self->detail_view), module) == 0 &&
           g_strcmp0 (kehu_record_detail_view_get_record_id (self->detail_view), record_id) == 0)
    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

/* Pages that need the store are made once the window has its application. */
static void
replace_page (KehuWindow *self,
              const char *module,
              GtkWidget  *page)
{
  const KehuPageInfo *info = kehu_pages_lookup (module);
  GtkWidget *old = gtk_stack_get_child_by_name (self->stack, module);
  gboolean visible = old != NULL && gtk_stack_get_visible_child (self->stack) == old;

  if (old != NULL)
    gtk_stack_remove (self->stack, old);
  gtk_stack_add_titled (self->stack, page, module, _(info->title));
  if (visible)
    gtk_stack_set_visible_child (self->stack, page);
}

static void
setup_store_pages (KehuWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  KehuStore *store;

  if (KEHU_IS_APPLICATION (app) && self->detail_view == NULL &&
      (store = kehu_application_get_store (KEHU_APPLICATION (app))) != NULL)
    {
      self->detail_view = kehu_record_detail_view_new (store);
      gtk_stack_add_named (self->content_stack, GTK_WIDGET (self->detail_view), "detail");
      g_signal_connect_object (self->detail_view, "notify::title",
                               G_CALLBACK (on_detail_title_changed_cb), self,
                               G_CONNECT_SWAPPED);

      KehuContext *context = kehu_application_get_context (KEHU_APPLICATION (app));
      const char *user_id = context ? kehu_context_get_user_id (context) : NULL;
      KehuTasksView *tasks = kehu_tasks_view_new (store);
      KehuSettingsView *settings = kehu_settings_view_new (store);

      /* Everything the pages write is done as the signed-in (or local) user. */
      kehu_record_detail_view_set_user_id (self->detail_view, user_id);
      kehu_tasks_view_set_user_id (tasks, user_id);
      kehu_settings_view_set_user_id (settings, user_id);
      kehu_settings_view_set_sync_client (settings, kehu_application_get_sync_client (KEHU_APPLICATION (app)));
      replace_page (self, "tasks", GTK_WIDGET (tasks));
      replace_page (self, "settings", GTK_WIDGET (settings));
    }
}

static void
on_application_set_cb (KehuWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  KehuSyncClient *client;

  setup_store_pages (self);
  if (!KEHU_IS_APPLICATION (app) ||
      !(client = kehu_application_get_sync_client (KEHU_APPLICATION (app))))
    return;

  g_signal_connect_object (client, "notify::state",
                           G_CALLBACK (on_sync_client_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (client, "notify::error",
                           G_CALLBACK (on_sync_client_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (client, "notify::pending",
                           G_CALLBACK (on_sync_client_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (client, "progress",
                           G_CALLBACK (on_sync_progress_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (client, "notify::last-sync",
                           G_CALLBACK (on_sync_client_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (client, "changed",
                           G_CALLBACK (on_sync_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (client, "rejected",
                           G_CALLBACK (on_sync_rejected_cb), self,
                           G_CONNECT_SWAPPED);
  on_sync_client_changed_cb (self, NULL, client);
  kehu_sync_client_check (client);
}

static void
search_activated_cb (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  KehuWindow *self = user_data;

  gtk_widget_grab_focus (GTK_WIDGET (self->global_search));
}

static void
new_record_activated_cb (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  KehuWindow *self = user_data;
  GtkWidget *page = gtk_stack_get_visible_child (self->stack);

  /* "New" belongs to the module on screen; modules without a list have none. */
  if (KEHU_IS_RECORD_LIST_VIEW (page))
    gtk_widget_activate_action (page, "list.new", NULL);
  else if (KEHU_IS_TASKS_VIEW (page))
    gtk_widget_activate_action (page, "tasks.new", NULL);
}

static void
show_products_activated_cb (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  KehuWindow *self = user_data;
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  KehuContext *context = KEHU_IS_APPLICATION (app) ? kehu_application_get_context (KEHU_APPLICATION (app)) : NULL;
  GtkWidget *box, *header, *overlay;

  if (context == NULL)
    return;
  if (self->products_window != NULL)
    {
      gtk_window_present (self->products_window);
      return;
    }

  /* Products are reference data, not a daily list: their own window. */
  self->products_window = GTK_WINDOW (adw_window_new ());
  g_object_add_weak_pointer (G_OBJECT (self->products_window), (gpointer *) &self->products_window);
  gtk_window_set_title (self->products_window, _("Products"));
  gtk_window_set_transient_for (self->products_window, GTK_WINDOW (self));
  gtk_window_set_default_size (self->products_window, 900, 600);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  overlay = adw_toast_overlay_new ();
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay),
                               GTK_WIDGET (kehu_record_list_view_new (context, "products")));
  gtk_widget_set_vexpand (overlay, TRUE);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), overlay);
  adw_window_set_content (ADW_WINDOW (self->products_window), box);
  gtk_window_present (self->products_window);
}

static void show_records_cb (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data);

static const GActionEntry win_actions[] = {
  { "search", search_activated_cb },
  { "new-record", new_record_activated_cb },
  { "show-products", show_products_activated_cb },
  { "show-records", show_records_cb, "(ss)" },
};

static void
save_window_state (KehuWindow *self)
{
  int width, height;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  if (!gtk_window_is_maximized (GTK_WINDOW (self)))
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_apply (self->settings);
}

static gboolean
kehu_window_close_request (GtkWindow *window)
{
  save_window_state (KEHU_WINDOW (window));

  return GTK_WINDOW_CLASS (kehu_window_parent_class)->close_request (window);
}

/* "win.show-records" (module, filter JSON): the records behind a dashboard
 * or report figure, in the drill filter form of kehu-report.h. The list
 * pages cannot take such a filter yet, so they are listed in a dialog whose
 * rows open through "win.open-record". */
static void
show_records_cb (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  KehuWindow *self = user_data;
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  KehuStore *store = KEHU_IS_APPLICATION (app) ? kehu_application_get_store (KEHU_APPLICATION (app)) : NULL;
  g_autoptr(GError) error = NULL;
  const char *module, *filter;
  KehuDrillDialog *dialog;

  g_variant_get (parameter, "(&s&s)", &module, &filter);
  if (store == NULL)
    return;
  dialog = kehu_drill_dialog_new (GTK_WINDOW (self), store, module, filter, &error);
  if (dialog == NULL)
    {
      g_warning ("Could not list the records of %s: %s", module, error->message);
      return;
    }
  gtk_window_present (GTK_WINDOW (dialog));
}
static const GActionEntry record_actions[] = {
  { "open-record", open_record_cb, "(ss)" },
  { "close-record", close_record_cb },
};

static void
kehu_window_constructed (GObject *object)
{
  KehuWindow *self = (KehuWindow *)object;
  g_autofree char *last = NULL;
  g_autoptr(GSimpleAction) module_action = NULL;
  const KehuPageInfo *pages;
  guint n_pages;

  G_OBJECT_CLASS (kehu_window_parent_class)->constructed (object);

  self->settings = g_settings_new (APPLICATION_ID);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  pages = kehu_pages_get (&n_pages);
  for (guint i = 0; i < n_pages; i++)
    {
      gtk_list_box_append (self->sidebar, create_sidebar_row (&pages[i]));
      gtk_stack_add_titled (self->stack, kehu_pages_create (&pages[i]),
                            pages[i].id, _(pages[i].title));
    }

  last = g_settings_get_string (self->settings, "last-module");
  module_action = g_simple_action_new_stateful ("module", G_VARIANT_TYPE_STRING,
                                                g_variant_new_string ("dashboard"));
  g_signal_connect_object (module_action, "change-state",
                           G_CALLBACK (module_change_state_cb), self, 0);
  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (module_action));
  g_action_map_add_action_entries (G_ACTION_MAP (self), record_actions,
                                   G_N_ELEMENTS (record_actions), self);
  show_detail (self, FALSE);
  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions, G_N_ELEMENTS (win_actions), self);

  {
    GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
    if (KEHU_IS_APPLICATION (app))
      kehu_global_search_set_context (self->global_search,
                                      kehu_application_get_context (KEHU_APPLICATION (app)));
  }

  kehu_window_set_module (self, kehu_pages_lookup (last) ? last : "dashboard");

  /* Start in the sidebar, not in the search entry: its hint stays readable. */
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->sidebar));
}

static void
kehu_window_dispose (GObject *object)
{
  KehuWindow *self = (KehuWindow *)object;

  g_clear_object (&self->settings);
  if (self->products_window != NULL)
    gtk_window_destroy (self->products_window);

  G_OBJECT_CLASS (kehu_window_parent_class)->dispose (object);
}

static void
kehu_window_class_init (KehuWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = kehu_window_constructed;
  object_class->dispose = kehu_window_dispose;
  window_class->close_request = kehu_window_close_request;

  kehu_ensure_resources ();
  g_type_ensure (KEHU_TYPE_SYNC_INDICATOR);
  g_type_ensure (KEHU_TYPE_GLOBAL_SEARCH);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/kehu/Kehu/ui/kehu-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KehuWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, KehuWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, KehuWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, KehuWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, KehuWindow, record_back_button);
  gtk_widget_class_bind_template_child (widget_class, KehuWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, KehuWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, KehuWindow, sync_indicator);
  gtk_widget_class_bind_template_child (widget_class, KehuWindow, global_search);
  gtk_widget_class_bind_template_callback (widget_class, on_sidebar_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.close-record", NULL);
}

static void
kehu_window_init (KehuWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_list_box_set_header_func (self->sidebar, sidebar_header_func, NULL, NULL);

  /* "application" is set after construction: follow the sync client then. */
  g_signal_connect (self, "notify::application", G_CALLBACK (on_application_set_cb), NULL);
}

KehuWindow *
kehu_window_new (KehuApplication *application)
{
  return g_object_new (KEHU_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

const char *
kehu_window_get_module (KehuWindow *self)
{
  g_return_val_if_fail (KEHU_IS_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

void
kehu_window_set_module (KehuWindow *self,
                        const char *module)
{
  g_return_if_fail (KEHU_IS_WINDOW (self));
  g_return_if_fail (module != NULL);

  g_action_group_change_action_state (G_ACTION_GROUP (self), "module",
                                      g_variant_new_string (module));
}

GtkWidget *
kehu_window_get_page (KehuWindow *self,
                      const char *module)
{
  g_return_val_if_fail (KEHU_IS_WINDOW (self), NULL);
  return gtk_stack_get_child_by_name (self->stack, module);
}

/**
 * kehu_window_get_detail_view:
 *
 * Returns: (transfer none) (nullable): the record detail page, made once the
 *   window has an application with an open store
 */
KehuRecordDetailView *
kehu_window_get_detail_view (KehuWindow *self)
{
  g_return_val_if_fail (KEHU_IS_WINDOW (self), NULL);
  return self->detail_view;
}

/**
 * kehu_window_is_showing_record:
 *
 * Returns: whether a record's detail page is shown over its module
 */
gboolean
kehu_window_is_showing_record (KehuWindow *self)
{
  g_return_val_if_fail (KEHU_IS_WINDOW (self), FALSE);
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "detail") == 0;
}

KehuSyncIndicator *
kehu_window_get_sync_indicator (KehuWindow *self)
{
  g_return_val_if_fail (KEHU_IS_WINDOW (self), NULL);
  return self->sync_indicator;
}

/**
 * kehu_window_reload_store:
 *
 * The application opened another store (another account signed in): every
 * page is made again on it; they fill as the account's first sync arrives
 * (the sync client's "changed").
 */
void
kehu_window_reload_store (KehuWindow *self)
{
  GtkApplication *app;
  const KehuPageInfo *pages;
  guint n_pages;

  g_return_if_fail (KEHU_IS_WINDOW (self));

  app = gtk_window_get_application (GTK_WINDOW (self));
  show_detail (self, FALSE);
  if (self->detail_view != NULL)
    {
      gtk_stack_remove (self->content_stack, GTK_WIDGET (self->detail_view));
      self->detail_view = NULL;
    }
  if (self->products_window != NULL)
    gtk_window_destroy (self->products_window);
  pages = kehu_pages_get (&n_pages);
  for (guint i = 0; i < n_pages; i++)
    replace_page (self, pages[i].id, kehu_pages_create (&pages[i]));
  setup_store_pages (self);
  if (KEHU_IS_APPLICATION (app))
    kehu_global_search_set_context (self->global_search,
                                    kehu_application_get_context (KEHU_APPLICATION (app)));
}

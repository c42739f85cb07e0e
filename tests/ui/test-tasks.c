/* test-tasks.c: my tasks, schedules and reminders
 *
 * The grouping rule against hand-written cases (time zones included), the
 * Tasks page driven through its rows and actions with the store checked
 * afterwards, and reminders observed as real GNotifications: this test
 * serves org.gtk.Notifications on the session bus itself, so GApplication's
 * own notification backend delivers them to it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kehu-record-editor.h"
#include "kehu-tasks-view-private.h"
#include "kehu-test-details.h"

static KehuApplication *app;
static KehuWindow *window;
static KehuStore *store;

static void
test_grouping (void)
{
  g_autoptr(GTimeZone) shanghai = g_time_zone_new_identifier ("Asia/Shanghai");
  /* 2026-03-02 04:00 in Shanghai. */
  g_autoptr(GDateTime) now = g_date_time_new_from_iso8601 ("2026-03-01T20:00:00Z", NULL);
  static const struct {
    const char *due;
    KehuTaskGroup group;
    gboolean overdue;
  } cases[] = {
    { NULL, KEHU_TASK_GROUP_INBOX, FALSE },
    { "", KEHU_TASK_GROUP_INBOX, FALSE },
    /* Later today, local. */
    { "2026-03-02T09:00:00Z", KEHU_TASK_GROUP_TODAY, FALSE },
    /* 01:00 local today: passed three hours ago. */
    { "2026-03-01T17:00:00Z", KEHU_TASK_GROUP_TODAY, TRUE },
    /* Yesterday local (in UTC it is "today"). */
    { "2026-03-01T10:00:00Z", KEHU_TASK_GROUP_TODAY, TRUE },
    { "2026-02-10", KEHU_TASK_GROUP_TODAY, TRUE },
    /* A date: due at the end of that local day. */
    { "2026-03-02", KEHU_TASK_GROUP_TODAY, FALSE },
    /* 2026-03-03 01:00 local: tomorrow, though still 03-02 in UTC. */
    { "2026-03-02T17:00:00Z", KEHU_TASK_GROUP_NEXT, FALSE },
    { "2026-03-09", KEHU_TASK_GROUP_NEXT, FALSE },
    { "2026-03-10", KEHU_TASK_GROUP_LATER, FALSE },
    { "2027-01-01T00:00:00Z", KEHU_TASK_GROUP_LATER, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gboolean overdue = !cases[i].overdue;
      KehuTaskGroup group = kehu_task_group_for_due (cases[i].due, now, shanghai, &overdue);

      g_test_message ("due %s", cases[i].due ? cases[i].due : "(none)");
      g_assert_cmpint (group, ==, cases[i].group);
      g_assert_cmpint (overdue, ==, cases[i].overdue);
    }
}

static GtkWidget *
find_row (GtkListBox *list,
          const char *id)
{
  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (list)); c; c = gtk_widget_get_next_sibling (c))
    if (GTK_IS_LIST_BOX_ROW (c) && g_strcmp0 (gtk_widget_get_name (c), id) == 0)
      return c;
  return NULL;
}

static void
test_page (void)
{
  KehuTasksView *view;
  GtkListBox *list;
  g_autofree char *yesterday = kehu_test_time_ago (26 * G_TIME_SPAN_HOUR);
  g_autofree char *in3 = kehu_test_time_ago (-3 * G_TIME_SPAN_DAY);
  g_autofree char *in20 = kehu_test_time_ago (-20 * G_TIME_SPAN_DAY);
  g_autofree char *sql = NULL;
  g_autoptr(JsonObject) row = NULL;
  const char *order[] = { "t-inbox", "t-overdue", "t-next", "t-later" };
  GtkWidget *pane, *widget, *entry;
  const char *new_id;
  guint n = 0;

  sql = g_strdup_printf (
    "INSERT INTO tasks (id, created_at, updated_at, owner_id, name, due_at, priority) VALUES "
    " ('t-later', '%1$s', '%1$s', '" T_USER_ME "', 'Later task', '%4$s', 'low'),"
    " ('t-next', '%1$s', '%1$s', '" T_USER_ME "', 'Next task', '%3$s', 'medium'),"
    " ('t-overdue', '%1$s', '%1$s', '" T_USER_ME "', 'Overdue task', '%2$s', 'high'),"
    " ('t-inbox', '%1$s', '%1$s', '" T_USER_ME "', 'Inbox task', NULL, 'none'),"
    " ('t-other', '%1$s', '%1$s', '" T_USER_OTHER "', 'Someone else’s task', NULL, 'none');"
    "INSERT INTO task_links VALUES ('t-next', 'customers', '" T_CUSTOMER "');",
    yesterday, yesterday, in3, in20);
  kehu_test_exec (store, sql);

  kehu_window_set_module (window, "tasks");
  view = KEHU_TASKS_VIEW (kehu_window_get_page (window, "tasks"));
  g_assert_true (KEHU_IS_TASKS_VIEW (view));
  kehu_tasks_view_set_user_id (view, T_USER_ME);
  kehu_test_ui_settle (200);

  /* Groups in order; someone else's task is not mine. */
  list = _kehu_tasks_view_get_task_list (view);
  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (list)); c; c = gtk_widget_get_next_sibling (c))
    {
      if (!GTK_IS_LIST_BOX_ROW (c))
        continue;
      g_assert_cmpuint (n, <, G_N_ELEMENTS (order));
      g_assert_cmpstr (gtk_widget_get_name (c), ==, order[n]);
      n++;
    }
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (order));
  g_assert_true (kehu_test_has_label (find_row (list, "t-overdue"), kehu_test_is_zh () ? "已逾期" : "Overdue"));
  g_assert_false (kehu_test_has_label (find_row (list, "t-next"), kehu_test_is_zh () ? "已逾期" : "Overdue"));
  g_assert_true (kehu_test_has_label (GTK_WIDGET (list), kehu_test_is_zh () ? "收件箱" : "Inbox"));
  g_assert_true (kehu_test_has_label (GTK_WIDGET (list), kehu_test_is_zh () ? "今天" : "Today"));
  g_assert_true (kehu_test_has_label (GTK_WIDGET (list), kehu_test_is_zh () ? "未来 7 天" : "Next 7 Days"));
  g_assert_true (kehu_test_has_label (GTK_WIDGET (list), kehu_test_is_zh () ? "以后" : "Later"));

  /* The linked record opens from the task. */
  gtk_widget_activate (find_row (list, "t-next"));
  kehu_test_ui_settle (100);
  pane = _kehu_tasks_view_get_pane (view);
  {
    GtkListBox *links = GTK_LIST_BOX (kehu_test_find_named (pane, "links"));
    g_assert_nonnull (links);
    gtk_widget_activate (GTK_WIDGET (gtk_list_box_get_row_at_index (links, 0)));
    kehu_test_ui_settle (200);
    g_assert_true (kehu_window_is_showing_record (window));
    g_assert_cmpstr (kehu_record_detail_view_get_record_id (kehu_window_get_detail_view (window)), ==, T_CUSTOMER);
    g_action_group_activate_action (G_ACTION_GROUP (window), "close-record", NULL);
    kehu_window_set_module (window, "tasks");
    kehu_test_ui_settle (100);
  }

  /* A new task from the entry at the top. */
  entry = _kehu_tasks_view_get_new_task_row (view);
  gtk_editable_set_text (GTK_EDITABLE (entry), kehu_test_is_zh () ? "准备报价单" : "Prepare the quote");
  g_signal_emit_by_name (entry, "apply");
  kehu_test_ui_settle (100);
  row = kehu_test_row (store, "SELECT id, owner_id, status, parent_id FROM tasks WHERE name = ?",
                       kehu_test_is_zh () ? "准备报价单" : "Prepare the quote");
  g_assert_cmpstr (json_object_get_string_member (row, "owner_id"), ==, T_USER_ME);
  g_assert_cmpstr (json_object_get_string_member (row, "status"), ==, "todo");
  g_assert_true (json_object_get_null_member (row, "parent_id"));
  new_id = json_object_get_string_member (row, "id");
  g_assert_nonnull (find_row (list, new_id));

  /* Its pane: a bad due date is refused and said so, then a good one saved. */
  pane = _kehu_tasks_view_get_pane (view);
  widget = kehu_test_find_named (pane, "task-details");
  g_assert_nonnull (widget);
  {
    GtkWidget *due = GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (widget), 2));
    GtkWidget *priority = GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (widget), 3));
    GtkWidget *tags = GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (widget), 4));
    g_autoptr(JsonObject) saved = NULL;

    gtk_editable_set_text (GTK_EDITABLE (due), "2026-13-45");
    g_signal_emit_by_name (kehu_test_find_named (pane, "save-task"), "clicked");
    g_assert_true (gtk_widget_get_visible (kehu_test_find_named (pane, "task-error")));

    gtk_editable_set_text (GTK_EDITABLE (due), "2030-06-01");
    adw_combo_row_set_selected (ADW_COMBO_ROW (priority), 3);
    gtk_editable_set_text (GTK_EDITABLE (tags), "quote, 报价 ,");
    g_signal_emit_by_name (kehu_test_find_named (pane, "save-task"), "clicked");
    kehu_test_ui_settle (100);
    saved = kehu_test_row (store, "SELECT due_at, priority, tags FROM tasks WHERE id = ?", new_id);
    {
      /* A date alone: by the end of that local day, stored in UTC. */
      g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
      g_autoptr(GDateTime) end = g_date_time_new (tz, 2030, 6, 1, 23, 59, 0);
      g_autoptr(GDateTime) utc = g_date_time_to_utc (end);
      g_autofree char *expected = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");

      g_assert_cmpstr (json_object_get_string_member (saved, "due_at"), ==, expected);
    }
    g_assert_cmpstr (json_object_get_string_member (saved, "priority"), ==, "high");
    g_assert_cmpstr (json_object_get_string_member (saved, "tags"), ==, "[\"quote\",\"报价\"]");
  }

  /* A subtask, ticked off. */
  pane = _kehu_tasks_view_get_pane (view);
  entry = kehu_test_find_named (pane, "new-subtask");
  gtk_editable_set_text (GTK_EDITABLE (entry), "Ask for the budget");
  g_signal_emit_by_name (entry, "apply");
  kehu_test_ui_settle (100);
  {
    g_autoptr(JsonObject) sub = kehu_test_row (store, "SELECT id, status FROM tasks WHERE parent_id = ?", new_id);
    const char *sub_id = json_object_get_string_member (sub, "id");
    GtkWidget *check;
    g_autoptr(JsonObject) after = NULL;

    g_assert_cmpstr (json_object_get_string_member (sub, "status"), ==, "todo");
    pane = _kehu_tasks_view_get_pane (view);
    check = kehu_test_find_named (pane, sub_id);
    g_assert_true (GTK_IS_CHECK_BUTTON (check));
    gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
    kehu_test_ui_settle (100);
    after = kehu_test_row (store, "SELECT status, done_at FROM tasks WHERE id = ?", sub_id);
    g_assert_cmpstr (json_object_get_string_member (after, "status"), ==, "done");
    g_assert_false (json_object_get_null_member (after, "done_at"));
  }

  /* A comment. */
  pane = _kehu_tasks_view_get_pane (view);
  entry = kehu_test_find_named (pane, "new-comment");
  gtk_editable_set_text (GTK_EDITABLE (entry), "Budget confirmed by phone");
  g_signal_emit_by_name (entry, "apply");
  kehu_test_ui_settle (100);
  {
    g_autoptr(JsonObject) c = kehu_test_row (store, "SELECT content, user_id FROM task_comments WHERE task_id = ?", new_id);
    g_assert_cmpstr (json_object_get_string_member (c, "content"), ==, "Budget confirmed by phone");
    g_assert_cmpstr (json_object_get_string_member (c, "user_id"), ==, T_USER_ME);
  }

  {
    g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (GTK_WIDGET (window), "tasks");
    g_assert_cmpuint (kehu_test_ui_count_colours (shot), >, 8);
  }

  /* Mark done (Ctrl+D). */
  gtk_widget_activate_action (GTK_WIDGET (view), "tasks.toggle-done", NULL);
  kehu_test_ui_settle (100);
  {
    g_autoptr(JsonObject) done = kehu_test_row (store, "SELECT status, done_at FROM tasks WHERE id = ?", new_id);
    g_assert_cmpstr (json_object_get_string_member (done, "status"), ==, "done");
    g_assert_false (json_object_get_null_member (done, "done_at"));
  }
  /* The done check on a row works too. */
  {
    GtkWidget *check = kehu_test_find_named (find_row (list, "t-inbox"), "done");
    g_autoptr(JsonObject) done = NULL;

    gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
    kehu_test_ui_settle (100);
    done = kehu_test_row (store, "SELECT status FROM tasks WHERE id = ?", "t-inbox");
    g_assert_cmpstr (json_object_get_string_member (done, "status"), ==, "done");
  }
}

/* A stand-in for the desktop's notification server. */
static const char notifications_xml[] =
  "<node><interface name='org.gtk.Notifications'>"
  " <method name='AddNotification'><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "  <arg type='a{sv}' direction='in'/></method>"
  " <method name='RemoveNotification'><arg type='s' direction='in'/><arg type='s' direction='in'/></method>"
  "</interface></node>";

static GPtrArray *received;

static void
notifications_method_cb (GDBusConnection       *connection,
                         const char            *sender,
                         const char            *object_path,
                         const char            *interface_name,
                         const char            *method_name,
                         GVariant              *parameters,
                         GDBusMethodInvocation *invocation,
                         gpointer               user_data)
{
  if (g_str_equal (method_name, "AddNotification"))
    g_ptr_array_add (received, g_variant_ref (parameters));
  g_dbus_method_invocation_return_value (invocation, NULL);
}

/* The editor the view opened. */
static KehuRecordEditor *
find_editor (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);
      if (KEHU_IS_RECORD_EDITOR (w) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return KEHU_RECORD_EDITOR (w);
    }
  return NULL;
}

static void
test_reminders (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GDBusConnection) server = NULL;
  g_autoptr(GDBusNodeInfo) info = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *past = kehu_test_time_ago (5 * G_TIME_SPAN_MINUTE);
  g_autofree char *future = kehu_test_time_ago (-1 * G_TIME_SPAN_HOUR);
  g_autofree char *sql = NULL;
  const GDBusInterfaceVTable vtable = { notifications_method_cb, NULL, NULL };
  KehuReminders *reminders = kehu_application_get_reminders (app);
  guint owner_id, object_id;
  gint64 deadline;

  if (address == NULL ||
      (server = g_dbus_connection_new_for_address_sync (address,
                                                        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                        G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                        NULL, NULL, &error)) == NULL)
    {
      g_test_skip ("No session bus to observe notifications on");
      return;
    }

  received = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  info = g_dbus_node_info_new_for_xml (notifications_xml, &error);
  g_assert_no_error (error);
  object_id = g_dbus_connection_register_object (server, "/org/gtk/Notifications", info->interfaces[0],
                                                 &vtable, NULL, NULL, &error);
  g_assert_no_error (error);
  owner_id = g_bus_own_name_on_connection (server, "org.gtk.Notifications", G_BUS_NAME_OWNER_FLAGS_NONE,
                                           NULL, NULL, NULL, NULL);
  kehu_test_ui_settle (300);

  sql = g_strdup_printf (
    "INSERT INTO schedules (id, created_at, updated_at, owner_id, title, start_at, remind_at, reminded_at, "
    " target_module, target_id) VALUES "
    " ('s-due', '%1$s', '%1$s', '" T_USER_ME "', 'Call Wang Fang', '%2$s', '%1$s', NULL, 'contacts', '" T_CONTACT "'),"
    " ('s-later', '%1$s', '%1$s', '" T_USER_ME "', 'Visit the lab', '%2$s', '%2$s', NULL, NULL, NULL),"
    " ('s-done', '%1$s', '%1$s', '" T_USER_ME "', 'Old reminder', '%1$s', '%1$s', '%1$s', NULL, NULL);",
    past, future);
  kehu_test_exec (store, sql);

  g_assert_cmpuint (kehu_reminders_check (reminders, now), ==, 1);

  {
    g_autoptr(JsonObject) due = kehu_test_row (store, "SELECT reminded_at FROM schedules WHERE id = ?", "s-due");
    g_autoptr(JsonObject) later = kehu_test_row (store, "SELECT reminded_at FROM schedules WHERE id = ?", "s-later");
    g_autofree char *now_s = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");

    g_assert_cmpstr (json_object_get_string_member (due, "reminded_at"), ==, now_s);
    g_assert_true (json_object_get_null_member (later, "reminded_at"));
  }

  /* The notification arrives on the bus. */
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (received->len == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (received->len, ==, 1);
  {
    const char *app_id, *id;
    g_autoptr(GVariant) dict = NULL;
    const char *title = NULL;
    const char *action = NULL;

    g_variant_get (g_ptr_array_index (received, 0), "(&s&s@a{sv})", &app_id, &id, &dict);
    g_assert_cmpstr (app_id, ==, APPLICATION_ID);
    g_assert_cmpstr (id, ==, "schedule-s-due");
    g_assert_true (g_variant_lookup (dict, "title", "&s", &title));
    g_assert_cmpstr (title, ==, "Call Wang Fang");
    g_assert_true (g_variant_lookup (dict, "default-action", "&s", &action));
    g_assert_cmpstr (action, ==, "app.open-record");
  }

  /* Each fires once. */
  g_assert_cmpuint (kehu_reminders_check (reminders, now), ==, 0);
  /* An hour later the second one is due. */
  {
    g_autoptr(GDateTime) later = g_date_time_add_hours (now, 2);
    g_assert_cmpuint (kehu_reminders_check (reminders, later), ==, 1);
  }

  /* The schedules tab lists them by day. */
  {
    KehuTasksView *view = KEHU_TASKS_VIEW (kehu_window_get_page (window, "tasks"));
    g_autoptr(GdkTexture) shot = NULL;

    kehu_window_set_module (window, "tasks");
    kehu_tasks_view_reload (view);
    _kehu_tasks_view_show_tab (view, "schedules");
    kehu_test_ui_settle (300);
    g_assert_nonnull (gtk_list_box_get_row_at_index (_kehu_tasks_view_get_schedule_list (view), 2));
    shot = kehu_test_ui_screenshot (GTK_WIDGET (window), "tasks-schedules");
    g_assert_cmpuint (kehu_test_ui_count_colours (shot), >, 8);

    /* A new entry of one's own, through the schema's editor. */
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "tasks.new-schedule", NULL));
    {
      KehuRecordEditor *editor = NULL;
      g_autoptr(JsonObject) row = NULL;
      g_autofree char *id = NULL;

      kehu_test_ui_settle (300);
      editor = find_editor ();
      g_assert_nonnull (editor);
      g_assert_cmpstr (kehu_record_editor_get_module (editor), ==, "schedules");
      /* Module names and ids are not for typing. */
      g_assert_null (kehu_record_editor_get_input (editor, "target_module"));
      g_assert_null (kehu_record_editor_get_input (editor, "target_id"));
      g_assert_false (kehu_record_editor_save (editor));
      g_assert_nonnull (kehu_record_editor_get_error (editor, "title"));
      gtk_editable_set_text (GTK_EDITABLE (kehu_record_editor_get_input (editor, "title")), "拜访清华大学");
      gtk_editable_set_text (GTK_EDITABLE (kehu_record_editor_get_input (editor, "start_at")), "2030-01-02 09:30");
      {
        g_autoptr(GdkTexture) editor_shot = kehu_test_ui_screenshot (GTK_WIDGET (editor), "editor-schedule");
      }
      /* Saving closes the editor. */
      g_assert_true (kehu_record_editor_save (editor));
      kehu_test_ui_settle (200);
      row = kehu_test_row (store, "SELECT id, title, owner_id, start_at FROM schedules WHERE title = ?", "拜访清华大学");
      g_assert_nonnull (row);
      id = g_strdup (json_object_get_string_member (row, "id"));
      g_assert_cmpstr (json_object_get_string_member (row, "title"), ==, "拜访清华大学");
      g_assert_cmpstr (json_object_get_string_member (row, "owner_id"), ==, T_USER_ME);
      g_assert_true (g_str_has_prefix (json_object_get_string_member (row, "start_at"), "2030-01-0"));
      /* It is in the list, and opens again for a change. */
      {
        GtkWidget *entry = NULL;

        for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (_kehu_tasks_view_get_schedule_list (view)));
             c; c = gtk_widget_get_next_sibling (c))
          if (g_strcmp0 (gtk_widget_get_name (c), id) == 0)
            entry = c;
        g_assert_nonnull (entry);
        g_assert_true (gtk_widget_activate (entry));
        kehu_test_ui_settle (300);
        editor = find_editor ();
        g_assert_nonnull (editor);
        g_assert_cmpstr (kehu_record_editor_get_id (editor), ==, id);
        gtk_window_destroy (GTK_WINDOW (editor));
      }
    }
    _kehu_tasks_view_show_tab (view, "tasks");
  }

  g_bus_unown_name (owner_id);
  g_dbus_connection_unregister_object (server, object_id);
  g_clear_pointer (&received, g_ptr_array_unref);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  kehu_test_private_data_dir ();
  kehu_init_i18n ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  app = kehu_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  store = kehu_application_get_store (app);
  g_assert_nonnull (store);
  kehu_test_fill_store (store);
  window = kehu_test_window (app, 1200, 760);

  g_test_add_func ("/ui/tasks/grouping", test_grouping);
  g_test_add_func ("/ui/tasks/page", test_page);
  g_test_add_func ("/ui/tasks/reminders", test_reminders);

  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  kehu_test_ui_settle (50);
  g_clear_object (&app);
  return status;
}

/* kehu-test-server.h: a real kehu-server process for the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct
{
  GSubprocess *process;
  char        *data_dir;
  char        *base_url;
  guint16      port;
  gboolean     own_data_dir;
} KehuTestServer;

KehuTestServer *kehu_test_server_start       (const char      *data_dir,
                                              ...) G_GNUC_NULL_TERMINATED;
int             kehu_test_server_stop        (KehuTestServer  *server,
                                              int              signum);
void            kehu_test_server_free        (KehuTestServer  *server);

char           *kehu_test_server_url         (KehuTestServer  *server,
                                              const char      *path);
JsonNode       *kehu_test_http               (SoupSession     *session,
                                              const char      *method,
                                              const char      *url,
                                              const char      *body,
                                              guint           *status);

void            kehu_test_rm_rf              (const char      *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KehuTestServer, kehu_test_server_free)

G_END_DECLS

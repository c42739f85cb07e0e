/* main.c: the kehu executable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kehu-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(KehuApplication) app = NULL;

  kehu_init_i18n ();

  app = kehu_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "beckon"

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>
#include <gst/gst.h>

#include "beckon-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(BeckonApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  gst_init (&argc, &argv);

  app = beckon_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "app-test-display.h"

#include <gtk/gtk.h>

/* Xvfb refuses a few percent of connections when clients come and go
 * quickly (measured: about 1 in 60 fresh processes, as check's forks are).
 * gtk_init_check() cannot be retried once it has failed, so open the
 * display ourselves until it answers and hand it to GTK as the default. */
gboolean
app_test_init_gtk (void)
{
  GdkDisplay *display = NULL;

  for (guint attempt = 0; attempt < 100 && display == NULL; attempt++)
    {
      display = gdk_display_open (NULL);
      if (display == NULL)
        g_usleep (20 * 1000);
    }
  if (display == NULL)
    return FALSE;

  gdk_display_manager_set_default_display (gdk_display_manager_get (), display);
  return gtk_init_check ();
}
